"""Chinese script conversion (OpenCC) that keeps character offsets.

OpenCC converts phrase by phrase; when a conversion changes the text's length,
the text is converted character by character instead, so that character *i*
of the result always stands for character *i* of the input.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")


def convert(text: str, config: str | None) -> str:
    """Convert ``text`` with an OpenCC config (``t2s``, ``s2t`` ...), length-preserving."""
    if not config or not text or text.isascii():
        return text
    conv = _converter(config)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)
