"""Out-of-fold probabilities on the training split, for the scripts that compare decision rules.

``runs()`` yields ``(part, group, indices, probabilities)``: part "cv" once (grouped 5-fold CV by
incident, every statement predicted by a model that did not see its incident), then "lolo" per
language group and "loco" per company with 50 or more real statements, each predicted by a
model trained on all the others. ``probabilities`` maps each head to an array of
``(len(indices), levels)``. The frame of the training split comes first, as ``runs().df``.
"""
from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold

from analyser import evaluation as ev
from analyser.data import LABELS
from analyser.model import StatementModel
from analyser.training import load_labelled, prepare_all


class runs:
    def __init__(self):
        df = load_labelled(None)
        self.df = df[df["split"] != "test"].reset_index(drop=True)
        self._prepared = prepare_all(self.df)
        self._labels = {h: self.df[h].to_numpy(dtype=int) for h in LABELS}

    def _fit_predict(self, tr, te) -> dict:
        m = StatementModel().fit([self._prepared[i] for i in tr], {h: self._labels[h][tr] for h in LABELS})
        return m.predict_proba([self._prepared[i] for i in te])

    def __iter__(self):
        df, n = self.df, len(self.df)
        P = None
        for tr, te in GroupKFold(n_splits=5).split(np.zeros(n), groups=df["incident"].to_numpy()):
            pr = self._fit_predict(tr, te)
            if P is None:
                P = {h: np.zeros((n, pr[h].shape[1])) for h in pr}
            for h in pr:
                P[h][te] = pr[h]
        yield "cv", "all", np.arange(n), P
        groups = df["lang"].map(lambda x: ev.LANG_GROUPS.get(x, x)).to_numpy()
        for lang in sorted(set(groups)):
            te, tr = np.flatnonzero(groups == lang), np.flatnonzero(groups != lang)
            yield "lolo", lang, te, self._fit_predict(tr, te)
        real = (df["source"] == "real").to_numpy()
        companies = df.loc[real, "company"].value_counts()
        for c in sorted(companies[companies >= 50].index):
            mask = real & (df["company"] == c).to_numpy()
            te, tr = np.flatnonzero(mask), np.flatnonzero(~mask)
            yield "loco", c, te, self._fit_predict(tr, te)
