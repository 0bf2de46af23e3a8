"""Does keeping the vagueness level in step with the rubric's count of concrete elements help?

The rubric sets vagueness from the number of concrete elements (what, scope, when, next, and
why = cause >= 1): three or more -> 0, two -> 1, at most one -> 2, raised by one when hedges or
euphemism blur the key fact. The vagueness head is trained on its own, so its level can fall
outside what the facet and cause heads allow. "clamped" moves it into [count level, count
level + 1]; "expected" is the shipped rule. Kappas on out-of-fold predictions of the training
split (grouped 5-fold CV, leave-one-language-out, leave-one-company-out), and how many levels
the clamp changes.

    python scripts/vagueness_rule.py out.json      # about 10 minutes
"""
import json
import sys

import numpy as np
from sklearn.model_selection import GroupKFold

from analyser import evaluation as ev
from analyser.data import LABELS
from analyser.model import StatementModel, levels_from_proba
from analyser.training import load_labelled, prepare_all

FACETS = ("what", "scope", "when", "next")


def count_level(probs) -> np.ndarray:
    count = sum(levels_from_proba(probs[f]) for f in FACETS) + (levels_from_proba(probs["cause"]) >= 1)
    return np.where(count >= 3, 0, np.where(count == 2, 1, 2))


def clamped(probs) -> np.ndarray:
    base = count_level(probs)
    return np.clip(levels_from_proba(probs["vagueness"]), base, np.minimum(base + 1, 2))


RULES = {"expected": lambda p: levels_from_proba(p["vagueness"]), "clamped": clamped}


def main() -> int:
    df = load_labelled(None)
    df = df[df["split"] != "test"].reset_index(drop=True)
    prepared = prepare_all(df)
    n = len(df)
    labels = {h: df[h].to_numpy(dtype=int) for h in LABELS}

    def fit_predict(tr, te):
        m = StatementModel().fit([prepared[i] for i in tr], {h: labels[h][tr] for h in LABELS})
        return m.predict_proba([prepared[i] for i in te])

    def kappas(idx, probs):
        truth = df["vagueness"].iloc[idx].reset_index(drop=True)
        out = {r: ev.metrics(truth, f(probs), "vagueness").get("kappa") for r, f in RULES.items()}
        out["changed"] = int((RULES["expected"](probs) != clamped(probs)).sum())
        out["n"] = len(idx)
        return out

    res = {}
    P = None
    for tr, te in GroupKFold(n_splits=5).split(np.zeros(n), groups=df["incident"].to_numpy()):
        pr = fit_predict(tr, te)
        if P is None:
            P = {h: np.zeros((n, pr[h].shape[1])) for h in pr}
        for h in pr:
            P[h][te] = pr[h]
    res["cv"] = kappas(np.arange(n), P)
    print("cv", res["cv"], flush=True)
    groups = df["lang"].map(lambda x: ev.LANG_GROUPS.get(x, x)).to_numpy()
    res["lolo"] = {}
    for lang in sorted(set(groups)):
        te, tr = np.flatnonzero(groups == lang), np.flatnonzero(groups != lang)
        res["lolo"][lang] = kappas(te, fit_predict(tr, te))
    real = (df["source"] == "real").to_numpy()
    comp = df.loc[real, "company"].value_counts()
    res["loco"] = {}
    for c in sorted(comp[comp >= 50].index):
        mask = real & (df["company"] == c).to_numpy()
        te, tr = np.flatnonzero(mask), np.flatnonzero(~mask)
        res["loco"][c] = kappas(te, fit_predict(tr, te))
    json.dump(res, open(sys.argv[1], "w"), indent=1)
    for part in ("lolo", "loco"):
        print(part, {r: round(float(np.mean([v[r] for v in res[part].values() if v[r] is not None])), 3) for r in RULES},
              "changed", sum(v["changed"] for v in res[part].values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
