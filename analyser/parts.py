"""Statements written in more than one language, split into parts of one language each.

Bilingual notices are common where two languages are official or usual: Hong Kong and
Taiwan (Chinese with English), Canada (English with French), Switzerland and Belgium
(German or Dutch with French). Matched with one lexicon, the part in the other language
would find no cue at all. :func:`language_parts` finds the parts; ``prepare`` tokenises
each with its own tokeniser and matches each with its own lexicon.

The text is cut into sentences (a sentence end followed by a capital, a line break, or a
" / " or " | " between two versions of a line; never inside "14.30", "2.4" or "z. B."), and
a piece too short to tell joins the one before it (the one after it at the start). A
sentence is in another language when it is in another script (Han beside Latin letters), or
when its function words clearly vote for another supported language (spaCy's stop-word
lists, as language detection uses them), or, when the vote is unclear, when Lingua's fast
detector picks one of the two languages with most votes. A sentence led by the stop words of
a language we do not support, or that cannot be told, belongs to the part before it. The
thresholds are in ``lang/common/config.json`` (``parts``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .detect import HAN, KANA_HANGUL, by_lingua, fast_detector, stop_word_votes, stop_words, variant
from .languages import COMMON, common_config, registry, spec_for

#: Where a piece may end: a sentence end followed by white space and a capital or a character
#: without case (not the dot of "14.30", "2.4", "ca. 5000" or "p. ex. dans"), a line break,
#: or a " / " or " | " between the two versions of a bilingual line ("Service interruption /
#: Interruption de service").
_BREAK = re.compile(r"[。！？；]+\s*|[.!?;]+(?=\s+[^\W\d_a-z\u00df-\u00ff]|\s*$)\s*|\n\s*|\s[/|]\s")
#: A word in Latin letters.
_LATIN_ONLY = re.compile(r"[a-z\u00c0-\u024f]{2,}", re.IGNORECASE)


class Part(NamedTuple):
    start: int
    end: int
    code: str


def _settings() -> dict:
    return common_config()["parts"]


@lru_cache(maxsize=1)
def _han_folder() -> str | None:
    return next((s.folder for s in registry().values() if s.script == "Han"), None)


def _sentence_folder(sentence: str, main: str, current: str, cfg: dict) -> str | None:
    """The language folder a sentence is written in, or None when it cannot be told (it then
    stays with ``current``, the part before it)."""
    if KANA_HANGUL.search(sentence):
        return None  # Japanese or Korean: neither is a supported language
    han = len(HAN.findall(sentence))
    words = [w.lower() for w in _LATIN_ONLY.findall(sentence)]
    if han >= cfg["min_han"] and han >= len(words):
        return _han_folder()
    if len(words) < cfg["min_words"]:
        return None
    # a sentence in Latin letters after Chinese (or in a Chinese statement) is not Chinese,
    # however few function words it has ("MTR Mobile app is temporarily unavailable")
    beside_han = _han_folder() in (main, current)
    votes = _votes(words)
    ranked = sorted(votes.items(), key=lambda fv: -fv[1]) + [(None, 0.0), (None, 0.0)]
    (best, first), (_, second) = ranked[0], ranked[1]
    if best is None or _unsupported_leads(words):
        best = None  # no vote, or an unsupported language (Italian beside German) leads it
    elif first >= max(cfg["min_votes"], cfg["min_share"] * len(words)) and first >= cfg["margin"] * second:
        return best
    elif best == current:
        return best  # the vote leans to the language of the part it would join: no need to ask
    if first < cfg["min_votes"] and not beside_han:
        return None  # too few function words to be a sentence of another language ("Red Hat OS")
    # an unclear vote ("bien" is only in the Spanish list): Lingua decides between the two
    # languages with most votes, or among all supported ones for Latin words beside Chinese
    lingua = _lingua_folder(sentence)
    top_two = {f for f, v in ranked[:2] if f is not None and v >= 1}
    if lingua is not None and lingua != _han_folder() and (lingua in top_two or beside_han):
        return lingua
    if beside_han and main != _han_folder():
        return main
    return None


def _unsupported_leads(words: list[str]) -> bool:
    """Whether the stop words of a language we do not support (``lang/common/stopwords``) clearly
    lead those of every supported one: its sentence stays in the part it is in."""
    (code, spec), best = stop_word_votes(words)[0]
    return spec is None and best >= 2


def _lingua_folder(sentence: str) -> str | None:
    """The folder of the language Lingua's fast detector ranks first, if it is a supported one."""
    best = fast_detector().compute_language_confidence_values(sentence)[0]
    spec = by_lingua().get(best.language)
    return spec.folder if spec is not None else None


def _votes(words: list[str]) -> dict[str, float]:
    votes: dict[str, float] = {}
    shared = _shared_words()
    for w in words:
        folders = shared.get(w)
        if folders is not None:
            for folder in folders:
                votes[folder] = votes.get(folder, 0.0) + 1 / len(folders)
    return votes


def _other_latin_language(text: str, main: str, cfg: dict) -> bool:
    """Whether another language's function words are frequent enough in the whole text for a
    part of it to be in that language: one pass over its words, so that one-language texts cost
    little."""
    words = text.lower().split()  # a word with punctuation attached does not vote: stripping cost more than the rest
    if len(words) < 2 * cfg["min_words"]:
        return False  # too short for two versions
    votes = _votes(words)
    other = max((v for f, v in votes.items() if f != main), default=0.0)
    return other >= cfg["min_votes"] and other >= cfg["text_min_share"] * votes.get(main, 0.0)


@lru_cache(maxsize=1)
def _shared_words() -> dict[str, tuple[str, ...]]:
    """Stop words to the folders of the supported languages that have them.

    A sentence is short, and French and Spanish share many function words ("de", "la",
    "en", "un"): a word votes ``1 / n`` for each of the ``n`` languages that have it, so
    the words one language has alone ("sur", "et") weigh most.
    """
    index, langs = stop_words()
    out = {}
    for word, ids in index.items():
        folders = tuple(sorted({langs[i][1].folder for i in ids if langs[i][1] is not None}))
        if folders:
            out[word] = folders
    return out


def _pieces(text: str, cfg: dict) -> list[tuple[int, int]]:
    """The text cut into sentences; a piece too short to tell (an abbreviation's "z. ", "Nous
    sommes désolés.", a two-word heading) joins the piece before it, or the one after it at the
    start of the text. Each cut's segment is counted once, so the work stays linear however
    many short segments pile up."""
    cuts = [m.end() for m in _BREAK.finditer(text)] + [len(text)]
    pieces: list[tuple[int, int]] = []
    start = previous = words = han = 0
    for end in cuts:
        if end <= previous:
            continue
        segment = text[previous:end]
        words += len(_LATIN_ONLY.findall(segment))
        han += len(HAN.findall(segment))
        previous = end
        if words >= cfg["min_words"] or han >= cfg["min_han"]:
            pieces.append((start, end))
        elif pieces:
            pieces[-1] = (pieces[-1][0], end)
        else:
            continue  # a short start waits for the next segment
        start, words, han = end, 0, 0
    return pieces or [(0, len(text))]


def language_parts(text: str, code: str) -> list[Part] | None:
    """The parts of ``text`` in other languages than ``code``'s, or None when it is in one language.

    Parts cover the text from start to end, in order; each has a supported language code
    (a Chinese part takes the script it is written in).
    """
    main = spec_for(code)
    if main.folder == COMMON:
        return None  # an unsupported language has no lexicon to read its part with
    cfg = _settings()
    if main.script == "Han":
        if len(_LATIN_ONLY.findall(text)) < cfg["min_words"]:
            return None  # product names in Latin letters ("App Store") are not a second language
    elif not HAN.search(text) and not _other_latin_language(text, main.folder, cfg):
        return None
    pieces = _pieces(text, cfg)
    if len(pieces) < 2:
        return None
    folders = []
    current = main.folder
    for a, b in pieces:
        current = _sentence_folder(text[a:b], main.folder, current, cfg) or current
        folders.append(current)
    if all(f == main.folder for f in folders):
        return None
    parts: list[Part] = []
    for (a, b), folder in zip(pieces, folders):
        if parts and parts[-1].code == folder:
            parts[-1] = parts[-1]._replace(end=b)
        else:
            parts.append(Part(a, b, folder))
    if len(parts) < 2:
        return None
    return [p._replace(code=code if p.code == main.folder else _code(p.code, text[p.start:p.end])) for p in parts]


def _code(folder: str, text: str) -> str:
    spec = spec_for(folder)
    return variant(folder, text) if spec.variants else spec.default_code
