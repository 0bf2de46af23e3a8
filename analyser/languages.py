"""The language registry: what the analyser knows about each language.

Everything language-specific lives in data under ``analyser/lang/<folder>/``:
``config.json`` (codes, detector name, tokeniser, matching options, the legacy
encodings its files come in) and
``cues.tsv`` (the cue lexicon). ``lang/common/`` holds cues that hold in every
language (times, percentages, emoji) and the fallback used for languages
without a folder. Adding a language means adding a folder, not code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

COMMON = "common"


@dataclass(frozen=True)
class LanguageSpec:
    """One language folder's configuration (see ``lang/*/config.json``)."""

    folder: str
    name: str
    codes: tuple[str, ...]
    detector: str | None = None
    tokeniser: dict = field(default_factory=dict)
    word_boundaries: bool = True
    match_convert: str | None = None
    variants: dict = field(default_factory=dict)
    script: str | None = None
    encodings: tuple[str, ...] = ()
    common_chars: str | None = None
    aliases: dict = field(default_factory=dict)
    plot_fonts: tuple[str, ...] = ()
    date_order: str | None = None  # how numeric dates are written: "day-first", "month-first" or None (either)
    time_zones: dict = field(default_factory=dict)  # ambiguous zone abbreviation -> the offset the language means
    path: Path = Path()

    @property
    def default_code(self) -> str:
        return self.codes[0]

    def file(self, name: str) -> Path:
        return self.path / name


def read_words(path) -> list[str]:
    """The entries of a one-per-line data file (``stopwords.txt``, ``abbreviations.txt`` ...),
    stripped, without blank and comment (``#``) lines."""
    with open(path, encoding="utf-8") as fh:
        return [w.strip() for w in fh if w.strip() and not w.startswith("#")]


def read_rows(path) -> list[list[str]]:
    """The rows of a tab-separated data file after its header line, without comment (``#``) and
    blank rows (``userdict.tsv``, ``timestamp_words.tsv`` ...)."""
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows[1:] if r and r[0] and not r[0].startswith("#")]


def lang_dir() -> Path:
    return Path(str(resources.files("analyser") / "lang"))


def _check_timestamps(folder: Path, cfg: dict) -> None:
    """Refuse a config whose timestamp settings would be misread silently (a typo in ``date_order``
    read dates month first; an offset not like +08:00 would not parse)."""
    from .errors import DataError

    if cfg.get("date_order") not in (None, "day-first", "month-first"):
        raise DataError(f"{folder / 'config.json'}: date_order is 'day-first' or 'month-first', not {cfg['date_order']!r}")
    for offset in cfg.get("time_zones", {}).values():
        if not re.fullmatch(r"[+-]\d\d:\d\d", str(offset)):
            raise DataError(f"{folder / 'config.json'}: a time_zones offset is written like +08:00, not {offset!r}")


@lru_cache(maxsize=None)
def registry() -> dict[str, LanguageSpec]:
    """Map every language code (``en``, ``zh-Hant`` ...) to its spec, plus ``common``."""
    specs: dict[str, LanguageSpec] = {}
    for folder in sorted(p for p in lang_dir().iterdir() if (p / "config.json").is_file()):
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        _check_timestamps(folder, cfg)
        spec = LanguageSpec(
            folder=folder.name,
            name=cfg["name"],
            codes=tuple(cfg.get("codes", [folder.name])),
            detector=cfg.get("detector"),
            tokeniser=cfg.get("tokeniser", {}),
            word_boundaries=cfg.get("word_boundaries", True),
            match_convert=cfg.get("match_convert"),
            variants=cfg.get("variants", {}),
            script=cfg.get("script"),
            encodings=tuple(cfg.get("encodings", ())),
            common_chars=cfg.get("common_chars"),
            aliases=cfg.get("aliases", {}),
            plot_fonts=tuple(cfg.get("plot_fonts", ())),
            date_order=cfg.get("date_order"),
            time_zones=cfg.get("time_zones", {}),
            path=folder,
        )
        specs[folder.name] = spec
        for code in spec.codes:
            specs[code] = spec
    return specs


@lru_cache(maxsize=None)
def _codes_by_lower() -> dict[str, str]:
    """Every registry code and alias, lower-cased, to the code it stands for."""
    out = {code.lower(): code for code in registry()}
    for spec in registry().values():
        out.update({alias.lower(): code for alias, code in spec.aliases.items()})
    return out


def canonical_code(code: str) -> str | None:
    """The registry's spelling of a language code given in any case, or the code an alias
    (``zh-TW``) stands for; ``None`` for a code the registry does not know."""
    return _codes_by_lower().get(code.strip().lower())


def spec_for(code: str) -> LanguageSpec:
    """The spec for a language code; languages without a folder get ``common``."""
    reg = registry()
    if code in reg:
        return reg[code]
    base = code.split("-")[0].lower()
    return reg.get(base, reg[COMMON])


def supported_codes() -> list[str]:
    """Codes with their own lexicon and tokeniser, in registry order."""
    seen = []
    for spec in {s.folder: s for s in registry().values()}.values():
        if spec.folder != COMMON:
            seen.extend(c for c in spec.codes if c not in seen)
    return seen


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    """ISO 639 codes (two and three letters) a language may be given by, from
    ``lang/common/language_codes.txt`` (its header says where they come from)."""
    text = (lang_dir() / COMMON / "language_codes.txt").read_text(encoding="utf-8")
    return frozenset(c for line in text.splitlines() if not line.startswith("#") for c in line.split())


@lru_cache(maxsize=None)
def common_config() -> dict:
    return json.loads((lang_dir() / COMMON / "config.json").read_text(encoding="utf-8"))
