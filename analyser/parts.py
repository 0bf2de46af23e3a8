"""Statements written in more than one language, split into parts of one language each.

Bilingual notices are common where two languages are official or usual: Hong Kong and
Taiwan (Chinese with English), Canada (English with French), Switzerland and Belgium
(German or Dutch with French). Matched with one lexicon, the part in the other language
would find no cue at all. :func:`language_parts` finds the parts; ``prepare`` tokenises
each with its own tokeniser and matches each with its own lexicon.

A text is split only when it can plainly be told: a sentence in another script (Han
beside Latin letters), or a sentence whose function words clearly vote for another
supported language (spaCy's stop-word lists, as language detection uses them). A
sentence too short to tell belongs to the part before it. The thresholds are in
``lang/common/config.json`` (``parts``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .detect import _HAN, _KANA_HANGUL, _LATIN_WORD, _by_lingua, _detector, stop_words, variant
from .languages import common_config, registry, spec_for

#: Where a part may end: a sentence end, a line break, or a " / " or " | " between the
#: two versions of a bilingual line ("Service interruption / Interruption de service").
_BREAK = re.compile(r"[.!?。！？;；\n]+\s*|\s[/|]\s")
#: A word in Latin letters (``_LATIN_WORD`` of detect also takes runs of Han characters).
_LATIN_ONLY = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


class Part(NamedTuple):
    start: int
    end: int
    code: str


def _settings() -> dict:
    return common_config()["parts"]


def _han_folder() -> str | None:
    return next((s.folder for s in registry().values() if s.script == "Han"), None)


def _sentence_folder(sentence: str, main: str, cfg: dict) -> str | None:
    """The language folder a sentence is plainly written in, or None when it cannot be told."""
    if _KANA_HANGUL.search(sentence):
        return None  # Japanese or Korean: neither is a supported language
    han = len(_HAN.findall(sentence))
    words = _LATIN_WORD.findall(sentence.lower())
    if han >= cfg["min_han"]:
        return _han_folder() if han >= len(_LATIN_ONLY.findall(sentence)) else None
    if len(words) < cfg["min_words"]:
        return None
    votes = _votes(words)
    if not votes:
        return None
    ranked = sorted(votes.values(), reverse=True)
    best = max(votes, key=votes.get)
    second = ranked[1] if len(ranked) > 1 else 0.0
    if votes[best] < max(cfg["min_votes"], cfg["min_share"] * len(words)) or votes[best] < cfg["margin"] * second:
        return None
    if best != main and _lingua_folder(sentence) != best:
        return None  # stop-word lists miss words ("bien" is only in the Spanish one): Lingua must agree
    return best


def _lingua_folder(sentence: str) -> str | None:
    """The folder of the language Lingua's fast detector ranks first, if it is a supported one."""
    best = _detector().compute_language_confidence_values(sentence)[0]
    spec = _by_lingua().get(best.language)
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


def _other_latin_language(words: list[str], main: str, cfg: dict) -> bool:
    """Whether another language's function words are frequent enough in the whole text for a
    part of it to be in that language: one pass over the words as white space splits them
    (a word with punctuation attached does not vote), so that one-language texts cost little
    (about 12 µs on a corpus statement of 470 characters; a set intersection and a Counter
    instead were slower)."""
    if len(words) < 2 * cfg["min_words"]:
        return False  # too short for two versions
    votes = _votes(words)
    other = max((v for f, v in votes.items() if f != main), default=0.0)
    return other >= cfg["min_votes"] and other >= cfg["min_share"] * votes.get(main, 0.0)


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


def language_parts(text: str, code: str) -> list[Part] | None:
    """The parts of ``text`` in other languages than ``code``'s, or None when it is in one language.

    Parts cover the text from start to end, in order; each has a supported language code
    (a Chinese part takes the script it is written in).
    """
    main = spec_for(code)
    if main.folder not in {s.folder for s in registry().values()}:
        return None  # an unsupported language has no lexicon to compare with
    cfg = _settings()
    han = _HAN.search(text) is not None
    if main.script == "Han":
        if len(_LATIN_ONLY.findall(text)) < cfg["min_words"]:
            return None  # product names in Latin letters ("App Store") are not a second language
    elif not han and not _other_latin_language(text.lower().split(), main.folder, cfg):
        return None
    cuts = [0, *(m.end() for m in _BREAK.finditer(text)), len(text)]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    if len(pieces) < 2:
        return None
    folders = []
    current = main.folder
    for a, b in pieces:
        current = _sentence_folder(text[a:b], main.folder, cfg) or current
        folders.append(current)
    if all(f == main.folder for f in folders):
        return None
    parts: list[Part] = []
    for (a, b), folder in zip(pieces, folders):
        if parts and spec_for(parts[-1].code).folder == folder:
            parts[-1] = parts[-1]._replace(end=b)
        else:
            parts.append(Part(a, b, folder))
    if len(parts) < 2:
        return None
    return [p._replace(code=code if p.code == main.folder else _code(p.code, text[p.start:p.end])) for p in parts]


def _code(folder: str, text: str) -> str:
    spec = spec_for(folder)
    return variant(folder, text) if spec.variants else spec.default_code
