"""Kappas of three decision rules for a dimension's level on the same out-of-fold probabilities
(training split only; grouped 5-fold CV, leave-one-language-out, leave-one-company-out):
"expected" (the shipped rule, analyser.model.levels_from_proba), "argmax" (the most probable
level) and "hybrid" (expected, but a torn 1 becomes the likelier of 0 and 2).

    python scripts/decision_rules.py out.json      # about 10 minutes
"""
import json, sys
import numpy as np
from sklearn.model_selection import GroupKFold
from analyser import evaluation as ev
from analyser.data import LABELS
from analyser.model import StatementModel, levels_from_proba
from analyser.report import DIMENSIONS
from analyser.training import load_labelled, prepare_all

def hybrid(p):
    lv = levels_from_proba(p)
    if p.shape[1] != 3:
        return lv
    torn = (lv == 1) & (p[:, 1] < p[:, 0]) & (p[:, 1] < p[:, 2])
    lv = lv.copy()
    lv[torn] = np.where(p[torn, 2] > p[torn, 0], 2, 0)
    return lv

RULES = {"expected": levels_from_proba, "argmax": lambda p: p.argmax(axis=1), "hybrid": hybrid}
df = load_labelled(None)
df = df[df["split"] != "test"].reset_index(drop=True)
prepared = prepare_all(df)
n = len(df)
labels = {h: df[h].to_numpy(dtype=int) for h in LABELS}

def fit_predict(tr, te):
    m = StatementModel().fit([prepared[i] for i in tr], {h: labels[h][tr] for h in LABELS})
    return m.predict_proba([prepared[i] for i in te])

def kappas(idx, probs):
    out = {}
    for r, f in RULES.items():
        out[r] = {h: ev.metrics(df[h].iloc[idx].reset_index(drop=True), f(probs[h]), h).get("kappa") for h in DIMENSIONS}
    return out

res = {}
# CV
P = {h: np.zeros((n, 3)) for h in DIMENSIONS}
for tr, te in GroupKFold(n_splits=5).split(np.zeros(n), groups=df["incident"].to_numpy()):
    pr = fit_predict(tr, te)
    for h in DIMENSIONS:
        P[h][te] = pr[h]
res["cv"] = kappas(np.arange(n), P)
torn_counts = {h: int(((levels_from_proba(P[h]) != hybrid(P[h]))).sum()) for h in DIMENSIONS}
res["cv_changed_by_hybrid"] = torn_counts
print(json.dumps(res, indent=1), flush=True)
# LOLO
groups = df["lang"].map(lambda l: ev.LANG_GROUPS.get(l, l)).to_numpy()
res["lolo"] = {}
for lang in sorted(set(groups)):
    te = np.flatnonzero(groups == lang); tr = np.flatnonzero(groups != lang)
    res["lolo"][lang] = kappas(te, fit_predict(tr, te))
# LOCO
real = (df["source"] == "real").to_numpy()
comp = df.loc[real, "company"].value_counts()
res["loco"] = {}
for c in sorted(comp[comp >= 50].index):
    mask = real & (df["company"] == c).to_numpy()
    te = np.flatnonzero(mask); tr = np.flatnonzero(~mask)
    res["loco"][c] = kappas(te, fit_predict(tr, te))
json.dump(res, open(sys.argv[1], "w"), indent=1)
for part in ("lolo", "loco"):
    for r in RULES:
        print(part, r, {h: round(np.mean([v[r][h] for v in res[part].values() if v[r][h] is not None]), 3) for h in DIMENSIONS})
