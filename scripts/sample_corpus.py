"""Draw the stratified sample of real status-page updates to label (issue 3).

Strata are company x year x stage. Each stratum's chance of selection is
proportional to the square root of its size, so rare strata (early years,
post-mortems, small companies) are oversampled relative to their share.
Whole-incident texts (google_cloud_root_causes.jsonl) are left out: they repeat
updates that google_cloud.jsonl already holds one by one.

Run once:  python scripts/sample_corpus.py  (deterministic: seed 20261121)
Writes data/statements/real_sample.csv with id, source file, stratum and the
labelling batch.
"""
from __future__ import annotations

import csv
import json
import math
import random
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FILES = ("github", "ai_providers", "google_cloud")
TARGET = 1640
SEED = 20261121
BATCHES = ("A", "B", "C")


def stage(row: dict) -> str:
    s = (row.get("update_status") or "update").lower()
    return {"service_disruption": "update", "service_outage": "update",
            "service_information": "update", "available": "resolved"}.get(s, s)


def main() -> None:
    rng = random.Random(SEED)
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for name in FILES:
        with open(CORPUS / f"{name}.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if not row["text"].strip():
                    continue
                year = (row.get("update_created_at") or row.get("incident_started_at") or "")[:4]
                row["_file"] = name
                strata[(row["company"], year, stage(row))].append(row)
    weights = {k: math.sqrt(len(v)) for k, v in strata.items()}
    total = sum(weights.values())
    chosen: list[tuple[tuple, dict]] = []
    for key in sorted(strata):
        rows = sorted(strata[key], key=lambda r: r["id"])
        n = min(len(rows), max(1, round(TARGET * weights[key] / total)))
        chosen += [(key, r) for r in rng.sample(rows, n)]
    rng.shuffle(chosen)
    out = ROOT / "data" / "statements" / "real_sample.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "file", "company", "year", "stage", "incident_id", "batch"])
        for i, (key, r) in enumerate(chosen):
            w.writerow([r["id"], r["_file"], key[0], key[1], key[2], r["incident_id"],
                        BATCHES[i % len(BATCHES)]])
    print(f"{len(chosen)} statements in {len(strata)} strata -> {out}")


if __name__ == "__main__":
    main()
