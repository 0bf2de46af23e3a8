"""Read a statement from a file, standard input or bytes and decode it.

Decoding order: a BOM decides (UTF-8, UTF-16, UTF-32); NUL bytes mean UTF-16
(or binary); valid UTF-8 is UTF-8; otherwise every legacy encoding the
languages' ``config.json`` files name (GB18030, Big5, cp1252..., then Latin-1
and UTF-16 without BOM) decodes the bytes, and the most plausible text wins
(:func:`plausibility`): a statistical detector has too little to go on in a
post of a few words, which is what a status update or a Weibo post often is.
"""
from __future__ import annotations

import codecs
import re
import stat
import sys
import unicodedata
from functools import lru_cache
from itertools import islice
from pathlib import Path

from .errors import InputError
from .languages import COMMON, registry

#: Largest file `read_path` accepts; longer texts are refused, not truncated
#: silently (scoring itself truncates at `MAX_CHARS` with a warning).
MAX_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for raw bytes, or raise :class:`InputError`."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(f"input starts with a {enc} byte-order mark but is not valid {enc}: {exc.reason}") from None
    head = data[:4096]
    if b"\x00" in head:
        if head.count(0) * 20 < len(head):
            # A stray NUL in ordinary UTF-8 text (UTF-16 has one in every other
            # byte for ASCII): the text is UTF-8, the NUL a control character.
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if not _mostly_controls(text):
                    return text, "utf-8"
        guess = _utf16_without_bom(data)
        if guess:
            return guess
        raise InputError("input looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data) and not data[:exc.start].isascii():
            # UTF-8 (it holds other multi-byte characters) cut off inside its last character, as
            # a file truncated by byte count is: drop the partial character rather than read the
            # whole text in another encoding
            return data[:exc.start].decode("utf-8"), "utf-8"
    encodings, _ = _legacy()
    best = max(_decodings(data, encodings), key=lambda d: d[0], default=None)
    if best is None:
        raise InputError(f"could not detect the text encoding (tried UTF-8, UTF-16 and {', '.join(encodings)})")
    if _mostly_controls(best[1]):
        raise InputError("input looks binary, not text")
    return best[1], best[2]


@lru_cache(maxsize=1)
def _legacy() -> tuple[tuple[str, ...], frozenset[str]]:
    """The legacy encodings to try, in order (each language's, then the common fallbacks), and the
    characters the languages list as common (``common_chars`` in their ``config.json``)."""
    specs = {s.folder: s for s in registry().values()}
    ordered = [s for folder, s in sorted(specs.items()) if folder != COMMON] + [specs[COMMON]]
    chars: set[str] = set()
    for spec in ordered:
        if spec.common_chars:
            with open(spec.file(spec.common_chars), encoding="utf-8") as fh:
                chars.update(ch for line in fh if not line.startswith("#") for ch in line.strip())
    return tuple(dict.fromkeys(e for spec in ordered for e in spec.encodings)), frozenset(chars)


# The parts of a text where decodings differ: runs of non-ASCII characters with a neighbour on each side
_NON_ASCII = re.compile(r".?[^\x00-\x7f]+.?", re.S)
_NOT_ASCII_LETTER = re.compile(r"[^A-Za-z]+")
# Symbols of ordinary Western text that a misreading does not produce more often than text does
_TEXT_SYMBOLS = frozenset("«»°€£§©®·–—‘’“”„…•¡¿")
# What each kind of character is worth: ASCII letters (a), Latin letters beyond ASCII (l), common (C)
# and uncommon (U) letters of scripts whose common characters a language lists, CJK punctuation (p),
# ordinary symbols (s), other characters (o), controls and unassigned code points (x)
_WORTH = {"a": 1, "l": 1, "C": 2, "U": -1, "p": 1, "s": 0, "o": -2, "x": -5}


def _kind(ch: str, common: frozenset[str]) -> str:
    o = ord(ch)
    if o < 0x80:
        return "a" if ch.isalpha() else "s" if ch.isprintable() or ch in "\t\n\r" else "x"
    if ch in common:
        return "C"
    if 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF:
        return "p"
    if ch.isalpha():
        return "l" if o < 0x250 else "U"
    if ch in _TEXT_SYMBOLS or 0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF:  # emoji too
        return "s"
    return "x" if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") else "o"


def plausibility(text: str) -> int:
    """How much ``text`` reads like a statement rather than bytes read in the wrong encoding.

    ASCII letters score one each (in the first 100,000 characters); of the rest, only the
    non-ASCII runs (the first 2,000) and their neighbours are weighed, character by character.
    Common characters score, uncommon ones and symbols cost, and so do
    the seams a misreading leaves: a Han character inside a Latin word (Latin-1 read as GB18030),
    runs of accented letters (GB18030 read as cp1252), full-width punctuation glued to a letter.
    """
    common = _legacy()[1]
    score = len(_NOT_ASCII_LETTER.sub("", text[:100_000]))
    for m in islice(_NON_ASCII.finditer(text), 2000):
        kinds = [_kind(ch, common) for ch in m.group()]
        score += sum(_WORTH[k] for k in kinds if k != "a")  # the ASCII letters are counted above
        for a, b in zip(kinds, kinds[1:]):
            pair = a + b
            if ("C" in pair or "U" in pair) and ("a" in pair or "l" in pair):
                score -= 3
            elif "p" in pair and ("a" in pair or "l" in pair):
                score -= 1
            elif pair == "ll":
                score -= 1
            elif "l" in pair and "o" in pair:
                score -= 2
    return score


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    # Text in UTF-16 has a NUL in every other byte for ASCII, and few for CJK.
    # Both byte orders usually decode without error (ASCII read the wrong way
    # round becomes U+xx00 ideographs), so decode both and keep the more
    # plausible one, not merely the first that decodes.
    texts = (d for d in _decodings(data, ("utf-16-le", "utf-16-be")) if d[1] and not _mostly_controls(d[1]))
    best = max(texts, key=lambda d: d[0], default=None)
    return (best[1], best[2]) if best else None


def _decodings(data: bytes, encodings):
    """``(plausibility, text, encoding)`` for each of ``encodings`` that decodes ``data`` without error,
    in order (``max`` keeps the first of equals)."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:  # UTF-16 of an odd number of bytes too
            continue
        yield plausibility(text), text, enc


def _mostly_controls(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0xD800 <= ord(ch) <= 0xDFFF or ch == "\ufffd")
    return bool(sample) and bad / len(sample) > 0.1


def read_path(path: str | Path) -> str:
    """Read and decode a file, or standard input when ``path`` is ``"-"``."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        p = Path(path)
        try:
            is_dir = stat.S_ISDIR(p.stat().st_mode)
        except FileNotFoundError:
            raise InputError(f"no such file: {p}") from None
        except OSError as exc:  # a name too long, a loop of symbolic links...
            raise InputError(f"cannot read {str(p)[:200]}: {exc.strerror or exc}") from None
        if is_dir:
            raise InputError(f"{p} is a directory, not a text file")
        try:
            with open(p, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except PermissionError:
            raise InputError(f"permission denied reading {p}") from None
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
        name = str(p)
    if len(data) > MAX_BYTES:
        raise InputError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; split it or score it with `batch`")
    text, _ = decode(data)
    return text
