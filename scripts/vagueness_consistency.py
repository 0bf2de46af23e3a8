"""Do the vagueness level and the facet checklist agree, and what would forcing them to cost?

Grouped 5-fold CV (by incident) on the training split (the held-out split is left out), default
model parameters. Per rubric, vagueness is the count of elements (what, scope, when, next, and
why = cause >= 1) as a level (3+ -> 0, 2 -> 1, else 2), or one above it for a hedge. Prints how
many predicted vagueness levels fall outside the range the predicted facets allow (and how many
gold labels do), and the vagueness kappa of the heads as they are, clamped into that range, and
decoded jointly (the most probable combination of facets, why and vagueness that is consistent).

    python scripts/vagueness_consistency.py      # about a minute
"""
import itertools

import numpy as np
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import GroupKFold

from analyser.data import DIMENSIONS, LABELS
from analyser.model import StatementModel, levels_from_proba
from analyser.training import load_labelled, prepare_all

FACETS = ("what", "scope", "when", "next")


def level_of(count):
    return np.where(count >= 3, 0, np.where(count == 2, 1, 2))


df = load_labelled(None)
df = df[df["split"] != "test"].reset_index(drop=True)
prepared = prepare_all(df)
n = len(df)
P = {h: np.zeros((n, 3 if h in DIMENSIONS else 2)) for h in LABELS}
for tr, te in GroupKFold(5).split(np.zeros(n), groups=df["incident"].to_numpy()):
    model = StatementModel().fit([prepared[i] for i in tr], {h: df.iloc[tr][h].to_numpy(dtype=int) for h in LABELS})
    for h, p in model.predict_proba([prepared[i] for i in te]).items():
        P[h][te] = p
L = {h: levels_from_proba(P[h]) for h in LABELS}
base = level_of(sum(L[f] for f in FACETS) + (L["cause"] >= 1))
gold_base = level_of(sum(df[f].to_numpy() for f in FACETS) + (df["cause"].to_numpy() >= 1))
y = df["vagueness"].to_numpy()
clamped = np.clip(L["vagueness"], base, np.minimum(base + 1, 2))
# joint: the most probable consistent (facets, why, vagueness)
why = P["cause"][:, 1] + P["cause"][:, 2]
best, joint = np.full(n, -np.inf), np.zeros(n, dtype=int)
for combo in itertools.product((0, 1), repeat=5):
    logp = sum(np.log(P[f][:, x] + 1e-9) for f, x in zip(FACETS, combo[:4]))
    logp = logp + np.log((why if combo[4] else 1 - why) + 1e-9)
    lo = int(level_of(np.array(sum(combo))))
    for v in {lo, min(lo + 1, 2)}:
        score = logp + np.log(P["vagueness"][:, v] + 1e-9)
        better = score > best
        best[better], joint[better] = score[better], v
print(f"statements: {n}")
print(f"predicted vagueness outside the predicted facets' range: {int((L['vagueness'] != clamped).sum())}")
print(f"gold vagueness outside the gold facets' range: {int(((y < gold_base) | (y > np.minimum(gold_base + 1, 2))).sum())}")
for name, pred in (("as the heads give it", L["vagueness"]), ("clamped to the facets", clamped), ("joint decoding", joint)):
    print(f"vagueness kappa, {name}: {cohen_kappa_score(y, pred, weights='quadratic'):.3f}")
