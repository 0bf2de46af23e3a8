"""Cue lexicons and the matcher that finds them as character spans.

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
linear in the text's length; each regular expression is one linear scan.
Latin-script words match only at word boundaries; CJK characters match anywhere.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DataError
from .languages import COMMON, LanguageSpec, lang_dir, spec_for
from .script import convert

GROUPS = ("cause", "apology", "humour", "vagueness", "what", "scope", "when", "next")


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


@dataclass(frozen=True)
class CueMatch:
    """A cue found at ``[start, end)`` of the normalised text."""

    start: int
    end: int
    entry: CueEntry


@lru_cache(maxsize=None)
def cue_kinds() -> dict[str, dict]:
    """The cue kinds with their dimension, indicated level and explanation."""
    kinds = json.loads((lang_dir() / COMMON / "cue_kinds.json").read_text(encoding="utf-8"))
    return {k: v for k, v in kinds.items() if not k.startswith("_")}


def load_lexicon(path: Path) -> list[CueEntry]:
    """Read and validate one ``cues.tsv``; errors name the file and line."""
    kinds = cue_kinds()
    entries = []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header is None or [h.strip() for h in header[:4]] != ["pattern", "cue", "weight", "note"]:
            raise DataError(f"{path}: the first line must be the header pattern<TAB>cue<TAB>weight<TAB>note")
        for lineno, row in enumerate(rows, start=2):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if len(row) < 4:
                raise DataError(f"{path}:{lineno}: expected 4 tab-separated columns, got {len(row)}")
            pattern, cue, weight, note = row[0], row[1].strip(), row[2].strip(), row[3].strip()
            if cue not in kinds:
                raise DataError(f"{path}:{lineno}: unknown cue {cue!r} (see lang/common/cue_kinds.json)")
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


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length (``İ`` stays as it is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c := ch.lower()) == 1 else ch for ch in text)


class Matcher:
    """Finds the cues of one language (its lexicon plus the common one)."""

    def __init__(self, spec: LanguageSpec, entries: list[CueEntry]):
        import ahocorasick

        self.spec = spec
        self.entries = entries
        self._automaton = ahocorasick.Automaton()
        literal: dict[str, list[tuple[CueEntry, bool]]] = {}
        self._regexes: list[tuple[re.Pattern, CueEntry]] = []
        for e in entries:
            if e.pattern.startswith("re:"):
                self._regexes.append((re.compile(e.pattern[3:]), e))
                continue
            prefix = e.pattern.endswith("*")
            key = self.match_form(e.pattern[:-1] if prefix else e.pattern).strip()
            if key:
                literal.setdefault(key, []).append((e, prefix))
        for key, items in literal.items():
            self._automaton.add_word(key, (len(key), tuple(items)))
        if literal:
            self._automaton.make_automaton()
        self._has_literals = bool(literal)

    def match_form(self, text: str) -> str:
        """The form cues are matched on: converted script, lower case, same length."""
        return lower_same_length(convert(text, self.spec.match_convert))

    def find(self, text: str, *, formed: bool = False) -> list[CueMatch]:
        """All cue matches in ``text`` (overlaps kept), sorted by position."""
        t = text if formed else self.match_form(text)
        n = len(t)
        found: list[CueMatch] = []
        if self._has_literals:
            for end_idx, (length, items) in self._automaton.iter(t):
                start, end = end_idx - length + 1, end_idx + 1
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
        for rx, entry in self._regexes:
            found.extend(CueMatch(m.start(), m.end(), entry) for m in rx.finditer(t) if m.end() > m.start())
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
