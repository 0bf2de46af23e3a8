"""Write every report of a fixed set of statements to a file and print its digest.

    python scripts/report_digest.py OUT.txt [--corpus ../shared/corpus]

For changes that must not change any score or evidence (speed work): run it
before and after, and compare the digests (or ``diff`` the files). The set is
every authored statement with its language; the first 1,500 real statements of
the corpus with ``en`` given and the next 300 with the language detected; 300
real statements cut to about 300 characters; and a few that cannot be scored.
Each report is written as its JSON, its evidence with unrounded weights, and its
levels, scores and probabilities; a statement that cannot be scored as its
error. A second digest covers the batch columns of the same statements
(:func:`analyser.batch.score_columns`, written as CSV), which ``batch`` and
``score_frame`` write.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyser.api import analyse_many  # noqa: E402
from analyser.batch import score_columns  # noqa: E402
from analyser.bench import texts_300  # noqa: E402
from analyser.data import authored_rows, read_corpus  # noqa: E402


def statements(corpus=None) -> list[tuple[str | None, str]]:
    rows: list[tuple[str | None, str]] = [(r["lang"], r["text"]) for r in authored_rows()]
    real = [r["text"] for _, r in sorted(read_corpus(corpus).items()) if isinstance(r.get("text"), str) and r["text"].strip()]
    rows += [("en", t) for t in real[:1500]]
    rows += [(None, t) for t in real[1500:1800]]
    rows += [("en", t) for t in texts_300(real, 300)]
    rows += [("en", ""), ("fr", "   "), ("de", "x" * 300), ("zh-Hans", "！！！"), (None, "<b>Sorry</b>")]
    return rows


def dump(report) -> str:
    if isinstance(report, Exception):
        return f"ERROR {type(report).__name__}: {report}"
    spans = [(e.start, e.end, e.cue, repr(e.weight), e.explanation, e.source)
             for s in (*report.dimensions.values(), *report.facets.values()) for e in s.evidence]
    scores = [(k, v.level, repr(v.score), v.probabilities) for k, v in report.dimensions.items()]
    return "\n".join((json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True), repr(spans), repr(scores)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--corpus", help="folder of the real corpus (default ../shared/corpus)")
    args = ap.parse_args()
    rows = statements(args.corpus)
    start = time.perf_counter()
    reports = analyse_many([t for _, t in rows], [lang for lang, _ in rows], "auto", errors="return")
    seconds = time.perf_counter() - start
    text = "".join(dump(r) + "\n" for r in reports)
    args.out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    print(f"{len(rows):,} statements in {seconds:.1f} s (with loading); digest {digest}")
    start = time.perf_counter()
    frame = score_columns([t for _, t in rows], [lang for lang, _ in rows], method="auto")
    seconds = time.perf_counter() - start
    columns = frame.to_csv(index=False, lineterminator="\n")
    args.out.with_suffix(".columns.csv").write_text(columns, encoding="utf-8")
    digest = hashlib.sha256(columns.encode("utf-8")).hexdigest()[:16]
    print(f"batch columns in {seconds:.1f} s; digest {digest}")


if __name__ == "__main__":
    main()
