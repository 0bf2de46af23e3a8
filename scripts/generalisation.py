"""Kappa per head on the training split only (the held-out split is left out): grouped 5-fold CV
(by incident), leave-one-language-out and leave-one-company-out (real statements, companies with
50 or more), the figures used to choose between model or lexicon variants. Run it at two commits
to compare them; ``params`` (JSON) sets ``StatementModel`` parameters.

    python scripts/generalisation.py ['{"C": 8}'] [--json out.json]    # about a minute
"""
import argparse
import json

from analyser import evaluation as ev
from analyser.data import LABELS
from analyser.training import load_labelled, prepare_all

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("params", nargs="?", default="{}", help="StatementModel parameters as JSON")
parser.add_argument("--json", help="also write the figures to this file")
args = parser.parse_args()
params = json.loads(args.params)
df = load_labelled(None)
df = df[df["split"] != "test"].reset_index(drop=True)
prepared = prepare_all(df)
cv = ev.cross_validate(df, prepared, **params)["model"]
lolo = ev.leave_one_language_out(df, prepared, **params)
loco = ev.leave_one_company_out(df, prepared, **params)
out = {"cv": {h: {g: m.get("kappa") for g, m in cv[h].items()} for h in LABELS},
       "lolo": {lang: {h: lolo[lang][h]["kappa"] for h in LABELS} for lang in lolo},
       "loco": {c: {h: loco[c]["model"][h]["kappa"] for h in LABELS} for c in loco}}


def k(x) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def mean(values) -> str:
    known = [v for v in values if v is not None]
    return k(sum(known) / len(known)) if known else "  n/a"


for h in LABELS:
    print(f"{h:10s} CV   " + " ".join(f"{g}:{k(v)}" for g, v in out["cv"][h].items()))
    print(f"{'':10s} LOLO " + " ".join(f"{g}:{k(out['lolo'][g][h])}" for g in out["lolo"])
          + f"  mean {mean(out['lolo'][g][h] for g in out['lolo'])}")
    print(f"{'':10s} LOCO " + " ".join(f"{c[:8]}:{k(out['loco'][c][h])}" for c in out["loco"])
          + f"  mean {mean(out['loco'][c][h] for c in out['loco'])}")
if args.json:
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1)
