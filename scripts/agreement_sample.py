"""Draw the random sample for the independent second labelling (issue 3).

    python scripts/agreement_sample.py real        # 16% of data/statements/real_sample.csv
    python scripts/agreement_sample.py authored    # 16% of the first round of authored statements
    python scripts/agreement_sample.py authored-2  # 16% of the second round, added to the same file

Seeded, so the sample is reproducible. Writes data/statements/agreement/sample_<kind>.csv
(``authored-2`` appends its rows, batch ``authored-2``, to sample_authored.csv and keeps the
first round's draw as it was). The second labeller sees only RUBRIC.md and the texts
(scripts/show_texts.py --ids).
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
#: Last id number of the first round of authored statements, per file (the second round follows).
ROUND1_LAST = {"de": 160, "en": 160, "es": 160, "fr": 160, "zh": 165}


def authored_ids(round_: int) -> list[str]:
    """Ids of the authored statements written in round 1 or 2 (by their number, see ROUND1_LAST)."""
    out = []
    for p in sorted((ROOT / "data/statements/authored").glob("*.jsonl")):
        for line in open(p, encoding="utf-8"):
            if line.strip():
                i = json.loads(line)["id"]
                if (int(i.rsplit("-", 1)[1]) > ROUND1_LAST[p.stem]) == (round_ == 2):
                    out.append(i)
    return out


def main(kind: str) -> None:
    if kind == "real":
        with open(ROOT / "data/statements/real_sample.csv", encoding="utf-8") as fh:
            ids = [r["id"] for r in csv.DictReader(fh)]
    else:
        ids = authored_ids(2 if kind == "authored-2" else 1)
    rng = random.Random(f"{SEED}-{kind}")
    chosen = sorted(rng.sample(ids, round(len(ids) * SHARE)))
    rng.shuffle(chosen)
    out = ROOT / "data/statements/agreement" / f"sample_{kind.split('-')[0]}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    keep = []
    if kind == "authored-2":  # keep the first round's draw, replace any earlier second-round one
        with open(out, encoding="utf-8") as fh:
            keep = [(r["id"], r["batch"]) for r in csv.DictReader(fh) if r["batch"] != kind]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "batch"])
        w.writerows(keep + [(i, kind) for i in chosen])
    print(f"{len(chosen)} of {len(ids)} -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "real")
