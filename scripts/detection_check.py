"""How often language detection is wrong, on the texts we know the language of.

    python scripts/detection_check.py [--corpus ../shared/corpus] [--show N]

Sets: the one-sentence statements of ``tests/resources.py``; every authored and blind
statement; the first sentence of each of those (at least 10 characters: the short texts
detection finds hardest); and the real English updates of the shared corpus, when present.
A detection is right when its language (not its script variant) is the labelled one.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from analyser.cues import sentence_ends  # noqa: E402
from analyser.data import authored_rows, blind_rows, read_corpus  # noqa: E402
from analyser.detect import detect  # noqa: E402
from analyser.errors import DataError  # noqa: E402
from analyser.normalise import normalise  # noqa: E402
from resources import SHORT  # noqa: E402


def first_sentence(text: str) -> str:
    norm = normalise(text).text
    ends = sentence_ends(norm)
    return (norm[:ends[0]] if ends else norm).strip()


def sets(corpus) -> dict[str, list[tuple[str, str]]]:
    statements = [(r["text"], r["lang"]) for r in authored_rows() + blind_rows()]
    out = {
        "tests/resources.py one-sentence": [(t, lang) for lang, texts in SHORT.items() for t in texts],
        "authored and blind statements": statements,
        "their first sentences (>= 10 chars)": [(s, lang) for t, lang in statements if len(s := first_sentence(t)) >= 10],
    }
    try:
        real = read_corpus(corpus)
        out["real corpus (English)"] = [(r["text"], "en") for _, r in sorted(real.items())
                                        if isinstance(r.get("text"), str) and normalise(r["text"]).text]
    except DataError as exc:
        print(f"real corpus skipped: {exc}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None, help="the shared corpus folder (default: ../shared/corpus)")
    ap.add_argument("--show", type=int, default=12, help="wrong detections to print per set")
    args = ap.parse_args()
    for name, rows in sets(args.corpus).items():
        wrong = []
        for text, lang in rows:
            code = detect(normalise(text).text).code
            if code.split("-")[0] != lang.split("-")[0]:
                wrong.append((text, lang, code))
        print(f"{name}: {len(wrong)} wrong of {len(rows)}")
        for text, lang, code in wrong[: args.show]:
            print(f"    {lang} read as {code}: {text[:90]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
