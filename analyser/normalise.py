"""Normalise a statement while keeping a map back to the text as the user gave it.

Steps: strip HTML tags and decode entities (only when the text contains HTML
tags), NFKC per character cluster (full-width ``１６：５０`` becomes ``16:50``),
drop control and zero-width characters (and lone surrogates), fold runs of white space into one
space (or one newline when the run held a line break), trim.

Every character of the normalised text remembers the span of original
characters it came from, so evidence found in the normalised text is reported
at offsets into the original: ``original[span.start:span.end]``.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_HTML_HINT = re.compile(
    r"</?(?:p|br|div|span|a|b|i|u|em|strong|li|ul|ol|h[1-6]|html|body|head|table|tr|td|th|font|img|"
    r"blockquote|pre|code|script|style|meta|title|section|article|header|footer|nav|hr)\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
_HTML_TOKEN = re.compile(
    r"<!--|<(script|style)\b|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,2000}>|<![^<>]{0,2000}>|"
    r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.IGNORECASE,  # <SCRIPT> and <Style> are dropped with their content too
)
_OPEN_TAG_END = re.compile(r"[^<>]{0,2000}>")
_CLOSE_TAG = {name: re.compile(f"</{name}", re.IGNORECASE) for name in ("script", "style")}
_BLOCK_TAGS = frozenset(
    "p br div li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote pre section article header footer hr title".split()
)
# Zero-width and invisible format characters that carry no meaning for scoring.
# U+200D (zero-width joiner) is kept: it binds emoji sequences.
_INVISIBLE = frozenset("\u200b\u200c\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
# Runs to fold: two or more white-space characters, or one that is not a plain space.
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_INVISIBLE)) + "]")
_SPACE_RUN = re.compile(r"\s{2,}|[^\S ]|^ | $")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text and, per character, the original span it came from."""

    text: str
    starts: Sequence[int]  # a tuple, or a range where nothing changed
    ends: Sequence[int]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the original text."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalise(original: str) -> Normalised:
    """Normalise ``original``; see the module docstring for the steps."""
    n = len(original)
    if _plain_spacing(original) and (
            (original.isascii() and "<" not in original and "&" not in original)
            or (not _HTML_HINT.search(original) and unicodedata.is_normalized("NFKC", original)
                and not _DROP.search(original))):
        # nothing to change (the common case): the map is the identity, held as ranges (no memory per character)
        return Normalised(original, range(n), range(1, n + 1), original)
    chars, starts, ends = _strip_html(original)
    chars, starts, ends = _nfkc_and_clean(chars, starts, ends)
    chars, starts, ends = _fold_space(chars, starts, ends)
    return Normalised(chars, tuple(starts), tuple(ends), original)


def _plain_spacing(text: str) -> bool:
    if not text or text[0].isspace() or text[-1].isspace():
        return False
    if any(ch in text for ch in "\t\r\f\v"):
        return False
    if "  " in text or "\n\n" in text or " \n" in text or "\n " in text:
        return False
    return _CONTROL.search(text) is None


def _strip_html(text: str) -> tuple[str, list[int], list[int]]:
    starts = list(range(len(text)))
    ends = list(range(1, len(text) + 1))
    if not _HTML_HINT.search(text):
        return text, starts, ends
    out: list[str] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    pos = 0
    while True:
        m = _HTML_TOKEN.search(text, pos)
        if m is None:
            break
        out.append(text[pos:m.start()])
        o_starts.extend(starts[pos:m.start()])
        o_ends.extend(ends[pos:m.start()])
        token = m.group(0)
        # A comment, <script> or <style> is dropped with its content when it is closed. Unclosed, it
        # is a text that mentions one ("a bug in the <script> tag"): only the marker or tag goes,
        # the rest of the statement stays.
        if token == "<!--":
            close = text.find("-->", m.end())
            pos = m.end() if close < 0 else close + 3
            continue
        if m.group(1):
            # (a case-insensitive search, not text.lower().find: lowering the whole
            # text per element made many small elements quadratic, and can shift offsets)
            close = _CLOSE_TAG[m.group(1).lower()].search(text, m.end())
            gt = text.find(">", close.end()) if close else -1
            if gt >= 0:
                pos = gt + 1
            else:
                tag = _OPEN_TAG_END.match(text, m.end())
                pos = tag.end() if tag else m.end()
            continue
        if token.startswith("&"):
            rep = html.unescape(token)
        elif m.group(3) and m.group(3).lower() in _BLOCK_TAGS:
            rep = "\n"
        else:
            rep = ""
        out.append(rep)
        o_starts.extend([m.start()] * len(rep))
        o_ends.extend([m.end()] * len(rep))
        pos = m.end()
    out.append(text[pos:])
    o_starts.extend(starts[pos:])
    o_ends.extend(ends[pos:])
    return "".join(out), o_starts, o_ends


@lru_cache(maxsize=1)
def _stable_run() -> re.Pattern:
    """Runs of characters that NFKC leaves alone and that are kept: copied as they are.

    Built once from the running Python's Unicode database (U+0000-U+9FFF, about
    20 ms): every character whose NFKC form is itself and that is not a control,
    format, combining or unusual white-space character. Whatever is left (full-width
    forms, ligatures, NBSP, combining sequences...) goes through the per-cluster path.
    """
    keep = [ord(c) for c in " \t\n\r\f\v"]
    for cp in range(0x21, 0xA000):
        ch = chr(cp)
        if (unicodedata.combining(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")
                or ch in _INVISIBLE or unicodedata.normalize("NFKC", ch) != ch):
            continue
        keep.append(cp)
    keep.sort()
    ranges, first, last = [], keep[0], keep[0]
    for cp in keep[1:]:
        if cp != last + 1:
            ranges.append((first, last))
            first = cp
        last = cp
    ranges.append((first, last))
    return re.compile("[" + "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges) + "]+")


def _nfkc_and_clean(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    if unicodedata.is_normalized("NFKC", text) and not _DROP.search(text):
        return text, starts, ends
    return _nfkc_clusters(text, starts, ends)


def _nfkc_clusters(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    """NFKC per cluster (a character and its combining marks), dropping controls and invisibles."""
    out: list[str] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    i, n = 0, len(text)
    stable = _stable_run()
    while i < n:
        m = stable.match(text, i)
        if m:
            end = m.end()
            if end < n and unicodedata.combining(text[end]):
                end -= 1  # the base of a combining sequence is normalised with its marks
            if end > i:
                out.append(text[i:end])
                o_starts.extend(starts[i:end])
                o_ends.extend(ends[i:end])
                i = end
                continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1  # keep a base character with its combining marks
        cluster = text[i:j]
        code = ord(cluster[0])
        # lone surrogates (undecodable bytes smuggled in by surrogateescape) cannot be
        # encoded, so nothing downstream could handle them: dropped like controls
        if (cluster[0] in _INVISIBLE or (code < 32 and cluster[0] not in "\n\t\r\f\v") or 0x7F <= code < 0xA0
                or 0xD800 <= code <= 0xDFFF):
            i = j
            continue
        rep = unicodedata.normalize("NFKC", cluster)
        out.append(rep)
        o_starts.extend([starts[i]] * len(rep))
        o_ends.extend([ends[j - 1]] * len(rep))
        i = j
    return "".join(out), o_starts, o_ends


def _fold_space(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        out.append(text[pos:m.start()])
        o_starts.extend(starts[pos:m.start()])
        o_ends.extend(ends[pos:m.start()])
        pos = m.end()
        if m.start() == 0 or m.end() == len(text):
            continue  # trim leading and trailing space
        rep = "\n" if "\n" in m.group(0) or "\r" in m.group(0) else " "
        out.append(rep)
        o_starts.append(starts[m.start()])
        o_ends.append(ends[m.start()])
    out.append(text[pos:])
    o_starts.extend(starts[pos:])
    o_ends.extend(ends[pos:])
    return "".join(out), o_starts, o_ends
