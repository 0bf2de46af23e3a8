r"""Cue lexicons and the matcher that finds them as character spans.

A lexicon is a TSV file per language (``lang/<folder>/cues.tsv``) plus the
shared ``lang/common/cues.tsv``, with the columns

    pattern    cue    weight    note

* ``pattern``: a literal phrase, matched case-insensitively (and, for Chinese,
  after conversion to simplified script); a trailing ``*`` lets the last word
  run on (``apologi*`` matches apologise, apologized ...); a ``re:`` prefix
  makes it a regular expression over the lower-cased text.
* ``cue``: ``<group>.<kind>``, one of the kinds in ``lang/common/cue_kinds.json``.
* ``weight``: how strongly the cue speaks for its kind (0-1), used to rank evidence.
* ``note``: where the entry comes from or why it is there.

Literal phrases go into one Aho-Corasick automaton per language, so matching is
linear in the text's length. Regular expressions that match a small finite set
of strings (``\b(?:bank |money )?transfers?\b``) are expanded into literals at
load time and join the automaton. Each remaining one is tried with ``match`` only
where a match can start (a prefix the automaton saw, or a digit); one whose
start cannot be told is one linear scan. Either way, when every match must
contain one of a few strings, a regex runs only on texts where the automaton
saw one of them.
Latin-script words match only at word boundaries; CJK characters match anywhere.
"""
from __future__ import annotations

import csv
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .errors import DataError
from .languages import COMMON, LanguageSpec, lang_dir, read_words, spec_for
from .script import convert

GROUPS = ("cause", "apology", "humour", "vagueness", "what", "scope", "when", "next")


def stage_of(matches) -> str:
    """"planned" when a ``stage.planned`` cue announces planned maintenance (begun or coming;
    "completed" when a ``stage.completed`` or ``stage.resolved`` cue says it is over: "the
    scheduled maintenance is complete" is no outage's resolution) and no
    ``stage.unplanned`` cue says something went wrong (an error, a crash, emergency maintenance,
    an investigation: "the scheduled maintenance went wrong"); otherwise
    "resolved" when a ``stage.resolved`` cue says the outage is over and no ``stage.ongoing`` cue
    says it is not (not yet, still, partly, until it is resolved); else ""."""
    found = {m.entry.cue for m in matches}
    resolved = "stage.resolved" in found and "stage.ongoing" not in found
    if "stage.planned" in found and "stage.unplanned" not in found:
        return "completed" if "stage.completed" in found or resolved else "planned"
    return "resolved" if resolved else ""


@dataclass(frozen=True)
class CueEntry:
    pattern: str
    cue: str
    weight: float
    note: str
    source: str  # "<folder>/cues.tsv:<line>"

    @property
    def group(self) -> str:
        return self.cue.split(".", 1)[0]

    @property
    def kind(self) -> str:
        return self.cue.split(".", 1)[1]


class CueMatch(NamedTuple):
    """A cue found at ``[start, end)`` of the normalised text (a named tuple: made in bulk)."""

    start: int
    end: int
    entry: CueEntry


@lru_cache(maxsize=None)
def cue_kinds() -> dict[str, dict]:
    """The cue kinds with their dimension, indicated level and explanation."""
    kinds = json.loads((lang_dir() / COMMON / "cue_kinds.json").read_text(encoding="utf-8"))
    return {k: v for k, v in kinds.items() if not k.startswith("_")}


@lru_cache(maxsize=None)
def kinds_at(group: str, level: int) -> frozenset[str]:
    """The cue kinds of ``group`` that indicate ``level`` on their own (``level`` in ``cue_kinds.json``):
    for cause 1, the failure domains and the framed components."""
    return frozenset(k for k, v in cue_kinds().items() if v["group"] == group and v["level"] == level)


_SENTENCE_END = re.compile(r"[.!?。！？;；\n]+")
_PERIODS = re.compile(r"[.]+")


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Every language's abbreviations that do not end a sentence (``lang/*/abbreviations.txt``),
    lower-cased with their full stop: one set, as a text's sentences are cut before its language
    parts are known, and an abbreviation of one language is rarely a sentence's last word in another."""
    return frozenset(w.lower() for path in sorted(lang_dir().glob("*/abbreviations.txt")) for w in read_words(path))


def sentence_ends(text: str) -> list[int]:
    """Where each sentence of ``text`` ends (the last is ``len(text)``): after a run of closing
    marks (Latin and CJK) or a line break. A run of full stops ends a sentence only before white
    space (or the end) that is not followed by a lower-case word or a number, not after a lone
    letter and not after an abbreviation of :func:`abbreviations`, so that "1.5",
    "status.example.com", "bis ca. 16:00 Uhr", "z. B.", "p. ex.", "U.S.", "bzw. Kunden" and
    "Dr. Smith" do not cut one. Case is read from ``text``: give the text as written, not its lower-cased
    match form (the two have the same length)."""
    ends: list[int] = []
    n = len(text)
    for m in _SENTENCE_END.finditer(text):
        start, end = m.span()
        if _PERIODS.fullmatch(m.group()):
            if end < n and not text[end].isspace():
                continue  # inside a token: 1.5, example.com, U.S.
            rest = text[end:end + 40].lstrip()
            if rest and (rest[0].islower() or rest[0].isdigit()):
                continue  # "bis ca. 16:00", "env. 30 minutes", "bzw. das"
            if start >= 1 and text[start - 1].isalpha() and (start < 2 or not text[start - 2].isalnum()):
                continue  # after a lone letter: an initial or "z. B.", "p. ex."
            word = start
            while word > 0 and (text[word - 1].isalpha() or text[word - 1] == "."):
                word -= 1
            if word < start and (word == 0 or not text[word - 1].isalnum()) and \
                    text[word:start + 1].lower() in abbreviations():
                continue  # "bzw. Kunden", "Dr. Smith", "St. Gallen" (lang/*/abbreviations.txt)
        ends.append(end)
    if not ends or ends[-1] != n:
        ends.append(n)
    return ends


@lru_cache(maxsize=None)
def derivations() -> tuple[tuple[str, str, frozenset, frozenset, bool], ...]:
    """``(kind, from kind, with kinds, without kinds, without only after)`` of every derived kind
    (see ``cue_kinds.json``)."""
    kinds = cue_kinds()
    out = []
    for kind, spec in sorted(kinds.items()):
        if "derived" in spec:
            d = spec["derived"]
            with_, without = frozenset(d.get("with", ())), frozenset(d.get("without", ()))
            if d["from"] not in kinds or any(w not in kinds for w in with_ | without):
                raise DataError(f"cue_kinds.json: derived kind {kind!r} names an unknown kind")
            if not with_ and not without:
                raise DataError(f"cue_kinds.json: derived kind {kind!r} needs 'with' or 'without' kinds")
            reach = d.get("without_reach", "sentence")
            if reach not in ("sentence", "after"):
                raise DataError(f"cue_kinds.json: derived kind {kind!r}: without_reach is 'sentence' or 'after'")
            out.append((kind, d["from"], with_, without, reach == "after"))
    return tuple(out)


@lru_cache(maxsize=1)
def cancellations() -> dict[str, frozenset]:
    """Kind -> the kinds whose overlapping match drops it (``cancelled_by`` in ``cue_kinds.json``)."""
    kinds = cue_kinds()
    out = {}
    for kind, spec in kinds.items():
        if spec.get("cancelled_by"):
            by = frozenset(spec["cancelled_by"])
            if any(k not in kinds for k in by):
                raise DataError(f"cue_kinds.json: {kind!r} is cancelled by an unknown kind")
            out[kind] = by
    return out


def _cancel(matches: list[CueMatch]) -> list[CueMatch]:
    """``matches`` without those a match of one of their ``cancelled_by`` kinds overlaps: "Reprise
    estimée" in "Reprise estimée : non connue" is no ETA."""
    rules = cancellations()
    by_kinds = frozenset().union(*rules.values()) if rules else frozenset()
    cancelling = [m for m in matches if m.entry.cue in by_kinds]
    if not cancelling:
        return matches
    return [m for m in matches if m.entry.cue not in rules or not any(
        c.entry.cue in rules[m.entry.cue] and c.start < m.end and m.start < c.end for c in cancelling)]


_DERIVED_ENTRIES: dict[tuple[CueEntry, str], CueEntry] = {}


def derive(matches: list[CueMatch], text: str) -> list[CueMatch]:
    """``matches`` plus the derived cues (``cue_kinds.json``): for each derived kind, a copy of
    every match of its ``from`` kind in a sentence (:func:`sentence_ends`) of ``text`` (as written,
    or any text of its length with the same case) that also holds a match of one of
    its ``with`` kinds (when it names any) and none of its ``without`` kinds: "network" in "due to
    a network failure" is a failure domain told as the cause, where "Cloud Networking" in "an
    issue with Cloud Networking" names the product; "7h40" in "Depuis 7h40, le trafic est
    interrompu" dates the outage, where "10h" in "Reprise estimée à 10h" is a promise. With
    ``without_reach: after``, a ``without`` match rules out only the matches that end after it
    begins: "since 09:10" in "down since 09:10 and should be back by 11:30" still dates the outage.
    Matches a ``cancelled_by`` kind overlaps are dropped first (:func:`_cancel`). Sorted as
    :meth:`Matcher.find` sorts."""
    matches = _cancel(matches)
    rules = derivations()
    wanted = {k for _, base, with_, without, _ in rules for k in (base, *with_, *without)}
    if not rules or not any(m.entry.cue in wanted for m in matches):
        return matches
    ends = sentence_ends(text)
    sentence_of = lambda pos: bisect_right(ends, pos)  # noqa: E731 - index of the sentence holding pos
    first: dict[int, dict[str, int]] = {}  # sentence -> kind -> where its first match begins
    for m in matches:  # sorted by start: the first seen is the first
        if m.entry.cue in wanted:
            first.setdefault(sentence_of(m.start), {}).setdefault(m.entry.cue, m.start)
    out = list(matches)
    for kind, base, with_, without, only_after in rules:
        for m in matches:
            if m.entry.cue != base:
                continue
            around = first[sentence_of(m.start)]
            ruled_out = any(k in around and (not only_after or m.end > around[k]) for k in without)
            if (not with_ or not with_.isdisjoint(around)) and not ruled_out:
                entry = _DERIVED_ENTRIES.get((m.entry, kind))
                if entry is None:  # one copy per lexicon entry, made once
                    entry = _DERIVED_ENTRIES[(m.entry, kind)] = CueEntry(
                        m.entry.pattern, kind, m.entry.weight, m.entry.note, m.entry.source)
                out.append(CueMatch(m.start, m.end, entry))
    if len(out) == len(matches):
        return matches
    return sorted(out, key=lambda m: (m.start, -m.end, m.entry.cue))


@lru_cache(maxsize=1)
def _demoting() -> dict[str, str]:
    """Derived kind -> its base kind, for each derived kind whose level is below its base's: such a
    kind demotes the match it copies (``cause.hedged_mechanism``, level 1, of a ``cause.mechanism``,
    level 2: a concrete cause given only as a guess)."""
    kinds = cue_kinds()
    return {kind: base for kind, base, *_ in derivations()
            if kinds[kind]["level"] is not None and kinds[base]["level"] is not None
            and kinds[kind]["level"] < kinds[base]["level"]}


def caps(matches: list[CueMatch]) -> list[tuple[str, int, CueMatch]]:
    """``(group, level, match)`` for each group whose highest cue level is lowered when the matches
    a demoting derived kind copies (:func:`_demoting`) count at that kind's level: "possibly caused
    by an expired certificate" gives no level-2 cause (the rubric counts a cause stated only as a
    hedged guess at its domain level, 1), where "caused by an expired certificate" does.
    ``match`` is the first demoted match. The trained models and the cue rules both cap the group's
    level there."""
    demoting = _demoting()
    demoted = {}
    for m in matches:
        base = demoting.get(m.entry.cue)
        if base is not None:
            demoted.setdefault((m.start, m.end, base), m)
    if not demoted:
        return []
    kinds = cue_kinds()
    top: dict[str, int] = {}
    lowered: dict[str, tuple[int, CueMatch]] = {}
    for m in matches:
        spec = kinds[m.entry.cue]
        level, group = spec["level"], spec["group"]
        if level is None:
            continue
        hedged = demoted.get((m.start, m.end, m.entry.cue))
        if hedged is None:
            top[group] = max(top.get(group, 0), level)
        elif group not in lowered or level > lowered[group][0]:
            lowered[group] = (level, hedged)
    return [(g, top.get(g, 0), m) for g, (level, m) in lowered.items() if top.get(g, 0) < level]


def load_lexicon(path: Path) -> list[CueEntry]:
    """Read and validate one ``cues.tsv``; errors name the file and line."""
    kinds = cue_kinds()
    entries = []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header is None or [h.strip() for h in header[:4]] != ["pattern", "cue", "weight", "note"]:
            raise DataError(f"{path}:1: the first line must be the header pattern<TAB>cue<TAB>weight<TAB>note")
        for lineno, row in enumerate(rows, start=2):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if len(row) < 4:
                raise DataError(f"{path}:{lineno}: expected 4 tab-separated columns, got {len(row)}")
            pattern, cue, weight, note = row[0], row[1].strip(), row[2].strip(), row[3].strip()
            if cue not in kinds:
                raise DataError(f"{path}:{lineno}: unknown cue {cue!r} (see lang/common/cue_kinds.json)")
            if "derived" in kinds[cue]:
                raise DataError(f"{path}:{lineno}: {cue!r} is derived from other cues; it has no entries of its own")
            try:
                w = float(weight)
            except ValueError:
                raise DataError(f"{path}:{lineno}: weight {weight!r} is not a number") from None
            if pattern.startswith("re:"):
                try:
                    re.compile(pattern[3:])
                except re.error as exc:
                    raise DataError(f"{path}:{lineno}: bad regular expression: {exc}") from None
            entries.append(CueEntry(pattern, cue, w, note, f"{path.parent.name}/{path.name}:{lineno}"))
    return entries


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF) or (0xAC00 <= o <= 0xD7AF) or (0xF900 <= o <= 0xFAFF) or (0x20000 <= o <= 0x3FFFF) or (0xFF00 <= o <= 0xFFEF)


def _wordish(ch: str) -> bool:
    return ch.isalnum() and not _is_cjk(ch)


def _whole_words(t: str, start: int, end: int) -> tuple[int, int]:
    """A regular expression's match widened to the words (and numbers: ``09:10``, ``2,5``) it
    starts or ends inside, so that evidence never shows half a word: ``\\d\\s?bst`` finds
    "0 BST" in "09:10 BST", shown as "09:10 BST". Han characters are words of their own."""
    while True:
        if start > 0 and _wordish(t[start - 1]) and _wordish(t[start]):
            start -= 1
        elif start > 1 and t[start - 1] in ":.," and t[start - 2].isdigit() and t[start].isdigit():
            start -= 2
        else:
            break
    n = len(t)
    while True:
        if end < n and _wordish(t[end - 1]) and _wordish(t[end]):
            end += 1
        elif end < n - 1 and t[end] in ":.," and t[end - 1].isdigit() and t[end + 1].isdigit():
            end += 2
        else:
            break
    return start, end


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length (``İ`` stays as it is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c := ch.lower()) == 1 else ch for ch in text)


_EXPAND_LIMIT = 256


def _parse(pattern: str):
    """The parse tree of a regular expression (the re module's own parser), or None."""
    try:
        from re import _parser as parser  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        return parser.parse(pattern)
    except Exception:
        return None


def expand_regex(pattern: str) -> list[str] | None:
    r"""The strings a regex matches, if they are few and it has no lookaround.

    ``\b`` at either end is dropped: literals already match at word boundaries.
    Returns ``None`` for anything open-ended (``\d+``, ``.``, classes like ``\w``).
    """
    tree = _parse(pattern)
    if tree is None:
        return None

    def seq(items) -> list[str] | None:
        out = [""]
        for op, av in items:
            alts = node(op, av)
            if alts is None:
                return None
            out = [a + b for a in out for b in alts]
            if len(out) > _EXPAND_LIMIT:
                return None
        return out

    def node(op, av) -> list[str] | None:
        name = str(op)
        if name == "LITERAL":
            return [chr(av)]
        if name == "AT" and str(av) in ("AT_BOUNDARY",):
            return [""]
        if name == "IN":
            chars = []
            for iop, iav in av:
                if str(iop) == "LITERAL":
                    chars.append(chr(iav))
                elif str(iop) == "RANGE" and iav[1] - iav[0] < 10:
                    chars.extend(chr(x) for x in range(iav[0], iav[1] + 1))
                else:
                    return None
            return chars
        if name == "BRANCH":
            out = []
            for sub in av[1]:
                alts = seq(sub)
                if alts is None:
                    return None
                out.extend(alts)
            return out
        if name == "SUBPATTERN":
            return seq(av[-1])
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            if hi > 3:
                return None
            inner = seq(sub)
            if inner is None:
                return None
            out = []
            for k in range(lo, hi + 1):
                reps = [""]
                for _ in range(k):
                    reps = [a + b for a in reps for b in inner]
                out.extend(reps)
            return out
        return None

    strings = seq(list(tree))
    if strings is None or len(strings) > _EXPAND_LIMIT:
        return None
    strings = sorted({x.strip() for x in strings if x.strip()})
    return strings or None


def required_literals(pattern: str) -> set[str] | None:
    """Strings of which every match of ``pattern`` contains at least one.

    Used as a gate: a regex runs only on texts where the automaton has seen one
    of its required strings. ``None`` when no useful set can be told.
    """
    tree = _parse(pattern)
    if tree is None:
        return None

    def strength(options: set[str]) -> tuple[int, int]:
        return (min(len(o) for o in options), -len(options))

    def seq(items) -> set[str] | None:
        best: set[str] | None = None
        run = ""
        candidates = []
        for op, av in items:
            if str(op) == "LITERAL":
                run += chr(av)
                continue
            if run:
                candidates.append({run})
                run = ""
            r = node(op, av)
            if r:
                candidates.append(r)
        if run:
            candidates.append({run})
        for c in candidates:
            if best is None or strength(c) > strength(best):
                best = c
        return best

    def node(op, av) -> set[str] | None:
        name = str(op)
        if name == "SUBPATTERN":
            return seq(av[-1])
        if name == "BRANCH":
            out: set[str] = set()
            for sub in av[1]:
                r = seq(sub)
                if not r:
                    return None
                out |= r
            return out if len(out) <= 64 else None
        if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
            return seq(av[2])
        if name == "IN" and all(str(o) == "LITERAL" for o, _ in av) and len(av) <= 8:
            return {chr(v) for _, v in av}
        return None

    found = seq(list(tree))
    if not found:
        return None
    # single ASCII letters or digits are everywhere: no use as a gate
    if any(len(x) == 1 and x.isascii() and x.isalnum() for x in found):
        return None
    return {x for x in found}


_LEAD_LIMIT = 256
#: Stands for "a digit" in a leading prefix (``\d``, ``[0-9]``...).
DIGIT = "\x00"
_RUN = "\x01"  # marks prefixes behind \b or a lookbehind that refuses a digit


def leading_literals(pattern: str) -> tuple[set[str], str] | None:
    r"""Where a match of ``pattern`` can start: ``(prefixes, digits)``.

    ``prefixes`` are strings (not one ASCII letter, digit or space) one of which every match
    that does not start with a digit starts with, after lookarounds and ``\b``;
    ``digits`` says where matches starting with a digit may start: ``""`` (none
    do), ``"run"`` (only at the first digit of a run: a ``\b`` or a lookbehind
    that refuses a digit before it) or ``"any"``. ``\b(?:for|about) \d+`` gives
    ``({"for", "about"}, "")``. The regex is then tried with ``match`` where
    the automaton saw a prefix start (or at digits) instead of being scanned
    over the whole text. ``None`` when the start cannot be told this way.
    """
    tree = _parse(pattern)
    if tree is None:
        return None

    def seq(items) -> tuple[set[str], bool] | None:
        """(prefixes, complete): complete when the prefixes are the whole strings ``items`` match."""
        out, refused = {""}, False
        for op, av in items:
            name = str(op)
            if name in ("AT", "ASSERT", "ASSERT_NOT"):
                if out != {""}:
                    break
                refused = refused or (name == "AT" and str(av) == "AT_BOUNDARY") or (
                    name == "ASSERT_NOT" and _refuses_digit(av))
                continue
            r = node(name, av)
            if r is None:
                if "" in out:
                    return None
                break
            alts, complete = r
            grown = {a if DIGIT in a else a + b for a in out for b in alts}
            if len(grown) > _LEAD_LIMIT:  # enough: the prefixes so far do
                if "" in out:
                    return None
                break
            out = grown
            if not complete:
                break
        else:
            return ({_RUN + p for p in out} if refused else out), True
        return ({_RUN + p for p in out} if refused else out), False

    def node(name, av) -> tuple[set[str], bool] | None:
        if name == "LITERAL":
            return {chr(av)}, True
        if name == "IN":
            if all(_is_digit_item(o, a) for o, a in av):
                return {DIGIT}, False
            if all(str(o) == "LITERAL" for o, _ in av) and len(av) <= 8:
                return {chr(a) for _, a in av}, True
            return None
        if name == "SUBPATTERN":
            return seq(list(av[-1]))
        if name == "BRANCH":
            out, complete = set(), True
            for sub in av[1]:
                r = seq(list(sub))
                if r is None:
                    return None
                out |= r[0]
                complete = complete and r[1]
            return out, complete
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            r = seq(list(sub))
            if r is None:
                return None
            if lo == 0 and hi == 1:
                return r[0] | {""}, r[1]
            if lo >= 1:
                return r[0], False
        return None

    found = seq(list(tree))
    if found is None:
        return None
    prefixes, digits = set(), ""
    for p in found[0]:
        run = p.startswith(_RUN)
        p = p.replace(_RUN, "")
        if DIGIT in p:
            p = p[:p.index(DIGIT)]
        if not p or p[0].isdigit():  # starts with a digit: tried at digits
            digits = "run" if run and digits != "any" else "any"
            continue
        if len(p) < 2 and (p.isspace() or (p.isascii() and p.isalnum())):
            return None  # a single letter or space is everywhere: no use
        prefixes.add(p)
    return prefixes, digits


def _is_digit_item(op, av) -> bool:
    name = str(op)
    if name == "CATEGORY":
        return str(av) == "CATEGORY_DIGIT"
    if name == "LITERAL":
        return chr(av).isdigit()
    if name == "RANGE":
        return ord("0") <= av[0] and av[1] <= ord("9")
    return False


def _refuses_digit(av) -> bool:
    r"""Whether a negative lookbehind ``(?<![\d...])`` refuses a digit (or any word character) before."""
    direction, sub = av[0], list(av[1])
    if direction != -1 or len(sub) != 1 or str(sub[0][0]) != "IN":
        return False
    return any(str(o) == "CATEGORY" and str(a) in ("CATEGORY_DIGIT", "CATEGORY_WORD") for o, a in sub[0][1])


_DIGITS = re.compile(r"\d")


class Matcher:
    """Finds the cues of one language (its lexicon plus the common one)."""

    def __init__(self, spec: LanguageSpec, entries: list[CueEntry]):
        import ahocorasick

        self.spec = spec
        self.entries = entries
        self._automaton = ahocorasick.Automaton()
        literal: dict[str, list[tuple[CueEntry, bool]]] = {}
        gates: dict[str, list[int]] = {}
        leads: dict[str, list[int]] = {}
        self._regexes: list[tuple[re.Pattern, CueEntry]] = []
        self._ungated: list[int] = []
        # regexes tried only where they can start: at a prefix the automaton saw, or at digits
        self._anchored: set[int] = set()
        self._needs_gate: set[int] = set()  # anchored regexes that also wait for a required string
        self._at_digits: list[int] = []
        self._at_digit_runs: list[int] = []
        for e in entries:
            if e.pattern.startswith("re:"):
                strings = expand_regex(e.pattern[3:])
                if strings is None:
                    self._regexes.append((re.compile(e.pattern[3:]), e))
                    i = len(self._regexes) - 1
                    lead = leading_literals(e.pattern[3:])
                    required = required_literals(e.pattern[3:])
                    if lead:
                        prefixes, digits = lead
                        self._anchored.add(i)
                        for p in prefixes:
                            leads.setdefault(self.match_form(p), []).append(i)
                        if digits:
                            (self._at_digit_runs if digits == "run" else self._at_digits).append(i)
                        if required:  # and only in texts that hold one of its required strings
                            self._needs_gate.add(i)
                            for g in required:
                                gates.setdefault(self.match_form(g), []).append(i)
                    elif required:
                        for g in required:
                            gates.setdefault(self.match_form(g), []).append(i)
                    else:
                        self._ungated.append(i)
                    continue
                keys = [(self.match_form(x), False) for x in strings]
            else:
                prefix = e.pattern.endswith("*")
                keys = [(self.match_form(e.pattern[:-1] if prefix else e.pattern).strip(), prefix)]
            for key, prefix in keys:
                if key:
                    literal.setdefault(key, []).append((e, prefix))
        for key in literal.keys() | gates.keys() | leads.keys():
            self._automaton.add_word(key, (len(key), tuple(literal.get(key, ())), tuple(gates.get(key, ())),
                                           tuple(leads.get(key, ()))))
        if literal or gates or leads:
            self._automaton.make_automaton()
        self._has_literals = bool(literal or gates or leads)

    def match_form(self, text: str) -> str:
        """The form cues are matched on: converted script, lower case, same length."""
        return lower_same_length(convert(text, self.spec.match_convert))

    def find(self, text: str, *, formed: bool = False) -> list[CueMatch]:
        """All cue matches in ``text`` (overlaps kept), sorted by position."""
        t = text if formed else self.match_form(text)
        n = len(t)
        found: list[CueMatch] = []
        to_run = set(self._ungated)
        starts: dict[int, set[int]] = {}
        if self._has_literals:
            for end_idx, (length, items, gate_ids, lead_ids) in self._automaton.iter(t):
                to_run.update(gate_ids)
                start = end_idx - length + 1
                for i in lead_ids:
                    starts.setdefault(i, set()).add(start)
                if not items:
                    continue
                end = end_idx + 1
                left_ok = start == 0 or not (_wordish(t[start]) and _wordish(t[start - 1]))
                if not left_ok:
                    continue
                right_word = end < n and _wordish(t[end - 1]) and _wordish(t[end])
                for entry, prefix in items:
                    if not right_word:
                        found.append(CueMatch(start, end, entry))
                    elif prefix:
                        stop = end
                        while stop < n and _wordish(t[stop]):
                            stop += 1
                        found.append(CueMatch(start, stop, entry))
        if (self._at_digits or self._at_digit_runs) and (digits := [m.start() for m in _DIGITS.finditer(t)]):
            runs = [p for p in digits if p == 0 or not t[p - 1].isdigit()]
            for ids, where in ((self._at_digits, digits), (self._at_digit_runs, runs)):
                for i in ids:
                    starts.setdefault(i, set()).update(where)
        for i in sorted(to_run | starts.keys()):
            rx, entry = self._regexes[i]
            if i in self._anchored:
                if i in self._needs_gate and i not in to_run:
                    continue  # none of the strings every match holds is in the text
                # what finditer would find, tried only where a match can start
                spans, after = [], 0
                for s in sorted(starts.get(i, ())):
                    if s >= after and (m := rx.match(t, s)):
                        spans.append(m.span())
                        after = max(m.end(), s + 1)
            else:
                spans = [m.span() for m in rx.finditer(t)]
            for start, end in spans:
                while start < end and t[start].isspace():
                    start += 1
                while end > start and t[end - 1].isspace():
                    end -= 1
                if end > start:
                    found.append(CueMatch(*_whole_words(t, start, end), entry))
        # one match per span and cue: the strongest entry speaks for it
        best: dict[tuple[int, int, str], CueMatch] = {}
        for m in found:
            key = (m.start, m.end, m.entry.cue)
            if key not in best or m.entry.weight > best[key].entry.weight:
                best[key] = m
        return sorted(best.values(), key=lambda m: (m.start, -m.end, m.entry.cue))


@lru_cache(maxsize=None)
def matcher_for(code: str) -> Matcher:
    """The matcher for a language code, built once per process."""
    spec = spec_for(code)
    entries = list(load_lexicon(lang_dir() / COMMON / "cues.tsv"))
    own = spec.file("cues.tsv")
    if spec.folder != COMMON and own.is_file():
        entries += load_lexicon(own)
    return Matcher(spec, entries)
