"""Kappas of three decision rules for a dimension's level on the same out-of-fold probabilities
(training split only; grouped 5-fold CV, leave-one-language-out, leave-one-company-out):
"expected" (the shipped rule, analyser.model.levels_from_proba), "argmax" (the most probable
level) and "hybrid" (expected, but a torn 1 becomes the likelier of 0 and 2).

    python scripts/decision_rules.py out.json      # about 10 minutes
"""
import json, sys
import numpy as np
from analyser import evaluation as ev
from analyser.model import levels_from_proba
from analyser.report import DIMENSIONS
from out_of_fold import runs

def hybrid(p):
    lv = levels_from_proba(p)
    if p.shape[1] != 3:
        return lv
    torn = (lv == 1) & (p[:, 1] < p[:, 0]) & (p[:, 1] < p[:, 2])
    lv = lv.copy()
    lv[torn] = np.where(p[torn, 2] > p[torn, 0], 2, 0)
    return lv

RULES = {"expected": levels_from_proba, "argmax": lambda p: p.argmax(axis=1), "hybrid": hybrid}
folds = runs()
df = folds.df

def kappas(idx, probs):
    out = {}
    for r, f in RULES.items():
        out[r] = {h: ev.metrics(df[h].iloc[idx].reset_index(drop=True), f(probs[h]), h).get("kappa") for h in DIMENSIONS}
    return out

res = {"lolo": {}, "loco": {}}
for part, group, idx, probs in folds:
    if part == "cv":
        res["cv"] = kappas(idx, probs)
        res["cv_changed_by_hybrid"] = {h: int(((levels_from_proba(probs[h]) != hybrid(probs[h]))).sum()) for h in DIMENSIONS}
        print(json.dumps(res, indent=1), flush=True)
    else:
        res[part][group] = kappas(idx, probs)
json.dump(res, open(sys.argv[1], "w"), indent=1)
for part in ("lolo", "loco"):
    for r in RULES:
        print(part, r, {h: round(np.mean([v[r][h] for v in res[part].values() if v[r][h] is not None]), 3) for h in DIMENSIONS})
