"""Print real corpus texts for labelling, by batch of real_sample.csv or by id.

    python scripts/show_texts.py --batch A --start 0 --count 25
    python scripts/show_texts.py --ids github-c68e74ec72 github-6c55b04689

Texts are read from ../shared/corpus (never copied into the project).
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def load_texts() -> dict[str, dict]:
    """Real texts from ../shared/corpus and authored texts (without their labels)."""
    rows = {}
    for path in sorted((ROOT / "data/statements/authored").glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    rows[r["id"]] = {"company": r.get("company", ""), "update_status": r.get("stage"), "text": r["text"]}
    for path in sorted(CORPUS.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if "id" in r:
                    rows[r["id"]] = r
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=25)
    ap.add_argument("--ids", nargs="*")
    ap.add_argument("--sample", default=str(ROOT / "data/statements/real_sample.csv"))
    a = ap.parse_args()
    texts = load_texts()
    if a.ids:
        ids = a.ids
    else:
        with open(a.sample, encoding="utf-8") as fh:
            ids = [r["id"] for r in csv.DictReader(fh) if a.batch in (None, r["batch"])]
        ids = ids[a.start:a.start + a.count]
    for i in ids:
        r = texts[i]
        # The incident heading is left out on purpose: labels judge the text alone.
        print(f"=== id={i} | {r['company']} | status={r.get('update_status')}")
        print(r["text"].strip())
        print()


if __name__ == "__main__":
    main()
