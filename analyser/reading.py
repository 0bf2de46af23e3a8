"""Read a statement from a file, standard input or bytes and decode it.

Decoding order: a BOM decides (UTF-8, UTF-16, UTF-32); valid UTF-8 is UTF-8;
otherwise charset-normalizer chooses among the encodings of our languages
(GB18030 covers GBK and GB2312, Big5, cp1252, UTF-16 without BOM...).
"""
from __future__ import annotations

import codecs
import sys
from pathlib import Path

from .errors import InputError

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
# Encodings worth trying when there is no BOM and the bytes are not UTF-8,
# most specific first; charset-normalizer picks among them by coherence.
_CANDIDATES = ["utf_16_le", "utf_16_be", "gb18030", "big5", "cp1252", "latin_1"]


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
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported only for non-UTF-8 input

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise InputError("could not detect the text encoding (tried UTF-8, UTF-16, GB18030, Big5, cp1252)")
    text = str(best)
    if _mostly_controls(text):
        raise InputError("input looks binary, not text")
    return text, best.encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    # Text in UTF-16 has a NUL in every other byte for ASCII, and few for CJK.
    # Both byte orders usually decode without error (ASCII read the wrong way
    # round becomes U+xx00 ideographs), so decode both and keep the more
    # plausible one, not merely the first that decodes.
    best: tuple[int, str, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if text and not _mostly_controls(text):
            score = _plausibility(text)
            if best is None or score > best[0]:
                best = (score, text, enc)
    return (best[1], best[2]) if best else None


def _plausibility(text: str) -> int:
    """How much ``text`` looks like a statement: ASCII and common CJK score, oddities cost."""
    import unicodedata

    score = 0
    for ch in text[:4096]:
        o = ord(ch)
        if o < 0x80:
            score += 2 if ch.isprintable() or ch in "\t\n\r" else -2
        elif o > 0xFF and o & 0xFF == 0:
            score -= 1  # U+xx00: what ASCII turns into in the wrong byte order
        elif (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
              or 0xA0 <= o <= 0x24F or 0x2000 <= o <= 0x206F):
            score += 1
        elif unicodedata.category(ch) in ("Cn", "Co", "Cs", "Cc"):
            score -= 2
    return score


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
        if not p.exists():
            raise InputError(f"no such file: {p}")
        if p.is_dir():
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
