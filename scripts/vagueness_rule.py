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

from analyser import evaluation as ev
from analyser.model import levels_from_proba
from out_of_fold import runs

FACETS = ("what", "scope", "when", "next")


def count_level(probs) -> np.ndarray:
    count = sum(levels_from_proba(probs[f]) for f in FACETS) + (levels_from_proba(probs["cause"]) >= 1)
    return np.where(count >= 3, 0, np.where(count == 2, 1, 2))


def clamped(probs) -> np.ndarray:
    base = count_level(probs)
    return np.clip(levels_from_proba(probs["vagueness"]), base, np.minimum(base + 1, 2))


RULES = {"expected": lambda p: levels_from_proba(p["vagueness"]), "clamped": clamped}


def main() -> int:
    folds = runs()
    res: dict = {"lolo": {}, "loco": {}}
    for part, group, idx, probs in folds:
        truth = folds.df["vagueness"].iloc[idx].reset_index(drop=True)
        out = {r: ev.metrics(truth, f(probs), "vagueness").get("kappa") for r, f in RULES.items()}
        out.update(changed=int((RULES["expected"](probs) != clamped(probs)).sum()), n=len(idx))
        if part == "cv":
            res["cv"] = out
            print("cv", out, flush=True)
        else:
            res[part][group] = out
    json.dump(res, open(sys.argv[1], "w"), indent=1)
    for part in ("lolo", "loco"):
        print(part, {r: round(float(np.mean([v[r] for v in res[part].values() if v[r] is not None])), 3) for r in RULES},
              "changed", sum(v["changed"] for v in res[part].values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
