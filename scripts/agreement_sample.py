"""Draw the random sample for the independent second labelling (issue 3).

    python scripts/agreement_sample.py real        # 16% of data/statements/real_sample.csv
    python scripts/agreement_sample.py authored    # 16% of the first round of authored statements
    python scripts/agreement_sample.py authored-2  # 16% of the second round, added to the same file
    python scripts/agreement_sample.py authored-3  # all of the third round (session 15), added too

Seeded, so the sample is reproducible. Writes data/statements/agreement/sample_<kind>.csv
(``authored-2`` and ``authored-3`` append their rows, batch ``authored-2`` or ``authored-3``, to
sample_authored.csv and keep the earlier rounds' draws as they were). The second labeller sees only
RUBRIC.md and the texts (scripts/show_texts.py --ids).
"""
from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARE = {"real": 0.16, "authored": 0.16, "authored-2": 0.16, "authored-3": 1.0}
SEED = 15
#: Last id number of each round of authored statements, per file (each round follows the one
#: before; English had no second round).
ROUND_LAST = {1: {"de": 160, "en": 160, "es": 160, "fr": 160, "zh": 165},
              2: {"de": 240, "en": 160, "es": 240, "fr": 240, "zh": 245}}


def authored_ids(round_: int) -> list[str]:
    """Ids of the authored statements written in round 1, 2 or 3 (by their number, see ROUND_LAST)."""
    out = []
    for p in sorted((ROOT / "data/statements/authored").glob("*.jsonl")):
        low = ROUND_LAST.get(round_ - 1, {}).get(p.stem, 0)
        high = ROUND_LAST.get(round_, {}).get(p.stem, float("inf"))
        for line in open(p, encoding="utf-8"):
            if line.strip():
                i = json.loads(line)["id"]
                if low < int(i.rsplit("-", 1)[1]) <= high:
                    out.append(i)
    return out


def main(kind: str) -> None:
    if kind == "real":
        with open(ROOT / "data/statements/real_sample.csv", encoding="utf-8") as fh:
            ids = [r["id"] for r in csv.DictReader(fh)]
    else:
        ids = authored_ids(int(kind.split("-")[1]) if "-" in kind else 1)
    rng = random.Random(f"{SEED}-{kind}")
    chosen = sorted(rng.sample(ids, round(len(ids) * SHARE[kind])))
    rng.shuffle(chosen)
    out = ROOT / "data/statements/agreement" / f"sample_{kind.split('-')[0]}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    keep = []
    if kind.startswith("authored-"):  # keep the other rounds' draws, replace any earlier one of this round
        with open(out, encoding="utf-8") as fh:
            keep = [(r["id"], r["batch"]) for r in csv.DictReader(fh) if r["batch"] != kind]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "batch"])
        w.writerows(keep + [(i, kind) for i in chosen])
    print(f"{len(chosen)} of {len(ids)} -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "real")
