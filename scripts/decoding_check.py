"""How often ``analyser.reading.decode`` gets legacy-encoded statements right.

Every authored statement (zh, fr, de, es), and its first 12 characters (a short post), is encoded
the way a user's file may hold it: Chinese in GB18030 and (traditional) Big5 and UTF-16 without a
byte-order mark, the European languages in cp1252 and Latin-1. Pure-ASCII encodings (read as
UTF-8 anyway) and encodings that cannot hold the text are skipped. Prints the number decoded to a
different text (or refused), and each such case with ``-v``.

    python scripts/decoding_check.py [-v]
"""
import json
import sys
from pathlib import Path

from analyser.errors import InputError
from analyser.reading import decode

AUTHORED = Path(__file__).resolve().parents[1] / "data" / "statements" / "authored"
texts = []
for path in sorted(AUTHORED.glob("*.jsonl")):
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts.append((row["lang"], row["text"]))
texts += [(lang, text[:12]) for lang, text in texts if len(text) > 12]
cases = []
for lang, text in texts:
    encodings = (["gb18030", "utf_16_le", "utf_16_be"] + (["big5"] if lang == "zh-Hant" else [])
                 if lang.startswith("zh") else ["cp1252", "latin_1"])
    for enc in encodings:
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            continue
        if data.isascii() or b"\x00" in data:
            continue
        cases.append((lang, enc, text, data))
wrong = 0
for lang, enc, text, data in cases:
    try:
        got, used = decode(data)
    except InputError as exc:
        got, used = f"refused: {exc}", "-"
    if got != text:
        wrong += 1
        if "-v" in sys.argv:
            print(f"{lang} {enc} -> {used}: {text[:30]!r} read as {got[:30]!r}")
print(f"{len(cases)} encoded statements, {wrong} decoded wrongly")
