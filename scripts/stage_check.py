"""How well the stage cues tell a resolution notice, on the real status-page updates of
``../shared/corpus``, whose status the companies set themselves (``update_status``): resolved,
postmortem and Google Cloud's AVAILABLE are over; investigating, identified, monitoring and
SERVICE_DISRUPTION / SERVICE_OUTAGE are not; other statuses (update, SERVICE_INFORMATION) can be
either and are left out.

    python scripts/stage_check.py [--show N]     # about 10 s
"""
import argparse
import random

from analyser.cues import stage_of
from analyser.data import read_corpus
from analyser.prepare import prepare

OVER = {"resolved", "postmortem", "AVAILABLE"}
ONGOING = {"investigating", "identified", "monitoring", "SERVICE_DISRUPTION", "SERVICE_OUTAGE"}

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--show", type=int, default=0, help="print this many misses of each kind")
args = parser.parse_args()
counts = {(s, r): 0 for s in ("over", "ongoing") for r in (True, False)}
misses: dict = {"over": [], "ongoing": []}
for rec in read_corpus().values():
    status, text = rec.get("update_status"), rec.get("text")
    kind = "over" if status in OVER else "ongoing" if status in ONGOING else None
    if kind is None or not isinstance(text, str) or not text.strip():
        continue
    said = stage_of(prepare(text, "en").cues) == "resolved"
    counts[(kind, said)] += 1
    if said != (kind == "over"):
        misses[kind].append(f"{status}: {text[:160]}")
tp, fn, fp, tn = counts[("over", True)], counts[("over", False)], counts[("ongoing", True)], counts[("ongoing", False)]
print(f"over (resolved, postmortem, AVAILABLE): {tp + fn}, read as resolved {tp} (recall {tp / max(1, tp + fn):.3f})")
print(f"ongoing (investigating ... monitoring):  {fp + tn}, read as resolved {fp} (precision {tp / max(1, tp + fp):.3f})")
for kind in ("over", "ongoing"):
    for line in random.Random(0).sample(misses[kind], min(args.show, len(misses[kind]))):
        print(f"  missed {kind}: {line}")
