"""Draw the random sample for the independent second labelling (issue 3).

    python scripts/agreement_sample.py real      # 16% of data/statements/real_sample.csv
    python scripts/agreement_sample.py authored  # 16% of data/statements/authored/*.jsonl

Seeded, so the sample is reproducible. Writes data/statements/agreement/sample_<kind>.csv.
The second labeller sees only RUBRIC.md and the texts (scripts/show_texts.py --ids).
"""
from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARE = 0.16
SEED = 15


def main(kind: str) -> None:
    if kind == "real":
        with open(ROOT / "data/statements/real_sample.csv", encoding="utf-8") as fh:
            ids = [r["id"] for r in csv.DictReader(fh)]
    else:
        ids = [json.loads(line)["id"] for p in sorted((ROOT / "data/statements/authored").glob("*.jsonl"))
               for line in open(p, encoding="utf-8") if line.strip()]
    rng = random.Random(f"{SEED}-{kind}")
    chosen = sorted(rng.sample(ids, round(len(ids) * SHARE)))
    rng.shuffle(chosen)
    out = ROOT / "data/statements/agreement" / f"sample_{kind}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "batch"])
        w.writerows([i, kind] for i in chosen)
    print(f"{len(chosen)} of {len(ids)} -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "real")
