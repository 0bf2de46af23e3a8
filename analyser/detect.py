"""Detect the language (and Chinese script) of a statement.

Two Lingua detectors: a fast one (low-accuracy mode, about 0.1 s to build,
~50 us a call) over the registry's languages plus the "other" languages named
in ``lang/common/config.json``, and, for texts it is unsure of, an accurate one
over the same languages (about 0.8 s to build, on first need; ~220 us a call). On
the 120 one-sentence statements of ``tests/resources.py`` the fast detector
alone made 3 errors, the pair none. The script variant (``zh-Hans`` / ``zh-Hant``) comes
from OpenCC as described in ``lang/zh/config.json``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .languages import common_config, registry, spec_for
from .script import convert


@dataclass(frozen=True)
class Detection:
    code: str
    confidence: float
    supported: bool


@lru_cache(maxsize=None)
def _detector(accurate: bool):
    """Lingua over every configured language, in fast (low-accuracy) or accurate mode."""
    from lingua import Language, LanguageDetectorBuilder

    names = {s.detector for s in registry().values() if s.detector} | set(common_config().get("other_languages", []))
    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in sorted(names)))
    return builder.build() if accurate else builder.with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def _by_lingua():
    from lingua import Language

    return {getattr(Language, s.detector): s for s in registry().values() if s.detector}


def detect(text: str) -> Detection:
    """Return the language code of ``text`` (``und`` when it has too few letters).

    The fast detector answers when it is sure of a supported language; otherwise
    (unsure, or another language: both rare in outage statements) the accurate
    one decides.
    """
    cfg = common_config()
    sample = text[:2000]
    if sum(1 for ch in sample if ch.isalpha()) < cfg.get("min_letters_for_detection", 3):
        return Detection("und", 0.0, False)
    values = _detector(False).compute_language_confidence_values(sample)
    best = values[0]
    spec = _by_lingua().get(best.language)
    if spec is None or best.value < cfg.get("accept_confidence", 0.9):
        best = _detector(True).compute_language_confidence_values(sample)[0]
        spec = _by_lingua().get(best.language)
    if spec is None:
        return Detection(best.language.iso_code_639_1.name.lower(), float(best.value), False)
    return Detection(variant(spec.folder, sample), float(best.value), True)


def variant(folder: str, text: str) -> str:
    """Pick the script variant of a language (e.g. zh-Hant vs zh-Hans)."""
    spec = spec_for(folder)
    if not spec.variants:
        return spec.default_code
    best, best_changed = spec.default_code, 0
    for code, conversion in spec.variants.items():
        converted = convert(text, conversion)
        changed = sum(1 for a, b in zip(text, converted) if a != b)
        if changed > best_changed:
            best, best_changed = code, changed
    return best
