"""The trained models: one featuriser shared by eight calibrated classifiers.

Per dimension (cause, apology, humour, vagueness) a multinomial logistic
regression predicts level 0/1/2; per facet (what, scope, when, next) a binary
one predicts presence. Each is wrapped in ``CalibratedClassifierCV`` (sigmoid,
5 folds, ``ensemble=False``), so its probabilities are calibrated and its
coefficients are those of one model fitted on all the training data, which is
what the evidence is read from. ``StatementModel.pipeline(head)`` gives the
scikit-learn ``Pipeline`` of one head (featuriser + classifier).

Models are saved with skops and loaded with an explicit list of trusted types:
loading never executes code from the file (no pickle).
"""
from __future__ import annotations

import json
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import ModelError
from .report import DIMENSIONS, DimensionScore, Evidence, FacetScore

log = logging.getLogger("analyser")
FACET_HEADS = ("what", "scope", "when", "next")
HEADS = DIMENSIONS + FACET_HEADS
MODEL_FILE = "analyser.skops"
FORMAT = "analyser-model/1"
#: How many spans explain one head at most.
MAX_EVIDENCE = 8
#: The types a model file may contain beyond skops' own defaults; anything else
#: makes loading fail (see `load`). Reviewed by hand: no type here runs code on load.
TRUSTED = [
    "analyser.features.CueFeatures",
    "analyser.features.ngram_terms",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.pipeline.FeatureUnion",
]


def model_dir() -> Path:
    """Where models live: $ANALYSER_MODELS, else ``models/`` of the checkout, else the installed copy."""
    env = os.environ.get("ANALYSER_MODELS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[1] / "models"
    if (checkout / MODEL_FILE).is_file():
        return checkout
    return Path(__file__).resolve().parent / "_models"


def models_available() -> bool:
    return (model_dir() / MODEL_FILE).is_file()


class StatementModel:
    """Featuriser plus one calibrated classifier per head."""

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced", min_df: int = 2, cv: int = 3):
        self.C = C
        self.class_weight = class_weight
        self.min_df = min_df
        self.cv = cv

    # -- training -----------------------------------------------------------
    def fit(self, prepared: list, labels: dict[str, np.ndarray]) -> "StatementModel":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import FeatureUnion

        from .features import CueFeatures, ngram_terms

        self.featuriser_ = FeatureUnion([
            ("cues", CueFeatures()),
            ("ngrams", TfidfVectorizer(analyzer=ngram_terms, min_df=self.min_df, sublinear_tf=True,
                                       lowercase=False, dtype=np.float64)),
        ])
        X = self.featuriser_.fit_transform(prepared)
        self.featuriser_.transformer_list[1][1].stop_words_ = None  # only needed for introspection; large
        self.heads_ = {}
        for head in HEADS:
            y = np.asarray(labels[head])
            folds = min(self.cv, int(np.bincount(y).min(initial=99) if len(np.unique(y)) > 1 else 2))
            clf = CalibratedClassifierCV(
                LogisticRegression(C=self.C, class_weight=self.class_weight, solver="newton-cg", max_iter=1000),
                method="sigmoid", cv=StratifiedKFold(max(2, folds)), ensemble=False,
            )
            self.heads_[head] = clf.fit(X, y)
        return self

    def pipeline(self, head: str):
        """The scikit-learn Pipeline (featuriser + classifier) of one head."""
        from sklearn.pipeline import Pipeline

        return Pipeline([("features", self.featuriser_), ("clf", self.heads_[head])])

    # -- inference ----------------------------------------------------------
    def transform(self, prepared: list):
        return self.featuriser_.transform(prepared)

    def predict_proba(self, prepared: list, X=None) -> dict[str, np.ndarray]:
        """Per head, probabilities with one column per level (3 for dimensions, 2 for facets)."""
        X = self.transform(prepared) if X is None else X
        out = {}
        for head, clf in self.heads_.items():
            width = 3 if head in DIMENSIONS else 2
            p = np.zeros((X.shape[0], width))
            p[:, clf.classes_.astype(int)] = clf.predict_proba(X)
            out[head] = p
        return out

    def score(self, prepared: list) -> list[tuple[dict[str, DimensionScore], dict[str, FacetScore]]]:
        """Levels, scores and evidence for each prepared statement."""
        X = self.transform(prepared).tocsr()
        X.sort_indices()
        probs = self.predict_proba(prepared, X)
        results = []
        for i, p in enumerate(prepared):
            lo, hi = X.indptr[i], X.indptr[i + 1]
            spans = self._spans(p, (X.indices[lo:hi], X.data[lo:hi]))
            dims = {}
            for d in DIMENSIONS:
                pr = probs[d][i]
                level = int(np.argmax(pr))
                expected = float(pr @ np.arange(3))
                dims[d] = DimensionScore(d, level, expected / 2, self.explain(p, spans, d, level), tuple(float(v) for v in pr))
            facets = {}
            for f in FACET_HEADS:
                pf = float(probs[f][i][1])
                facets[f] = FacetScore(f, pf >= 0.5, pf, self.explain(p, spans, f, int(pf >= 0.5)))
            p_why = float(probs["cause"][i][1:].sum())
            facets["why"] = FacetScore("why", dims["cause"].level >= 1, p_why,
                                       dims["cause"].evidence if dims["cause"].level >= 1 else ())
            results.append((dims, {k: facets[k] for k in ("what", "scope", "when", "why", "next")}))
        return results

    # -- evidence -----------------------------------------------------------
    def _direction(self, head: str, level: int) -> np.ndarray:
        """Per feature, how much one unit pushes ``head`` towards ``level`` (cached)."""
        cache = self.__dict__.setdefault("_direction_cache", {})
        key = (head, level)
        if key not in cache:
            lr = self.heads_[head].calibrated_classifiers_[0].estimator
            coef, classes = lr.coef_, lr.classes_
            if coef.shape[0] == 1:  # binary: one row, positive towards classes[1]
                cache[key] = coef[0] if level == classes[-1] else -coef[0]
            else:
                k = int(np.flatnonzero(classes == level)[0]) if level in classes else 0
                cache[key] = coef[k] - coef.mean(axis=0)
        return cache[key]

    def _spans(self, prepared, row: tuple[np.ndarray, np.ndarray]):
        """Spans that can be evidence, with the features behind each and their values in ``row``.

        Returns (n cue spans, feature index per span, feature values, share, start, end, cue, source):
        a cue match stands for its kind's three features (share 1/n of the
        kind's contribution when the kind matched n times); an n-gram for its
        vocabulary entry.
        """
        from .features import ngram_spans

        kinds = self._kind_index()
        counts: dict[str, int] = {}
        for m in prepared.cues:
            counts[m.entry.cue] = counts.get(m.entry.cue, 0) + 1
        feat, share, starts, ends, cues, sources = [], [], [], [], [], []
        for m in prepared.cues:
            feat.append(kinds[m.entry.cue])
            share.append(1.0 / counts[m.entry.cue])
            starts.append(m.start), ends.append(m.end), cues.append(m.entry.cue), sources.append(m.entry.source)
        n_cue_spans = len(feat)
        vocab, offset, seen = self._vocab(), self._n_cue_features(), set()
        for term, s, e in ngram_spans(prepared):
            j = vocab.get(term)
            if j is None or (term, s) in seen:
                continue
            seen.add((term, s))
            feat.append(offset + j)
            share.append(1.0)
            starts.append(s), ends.append(e), cues.append("ngram"), sources.append(term)
        feat_a = np.asarray(feat, dtype=np.int64)
        # one column per span; cue spans take their kind's three features (present, count, rate)
        columns = np.concatenate([feat_a[:n_cue_spans] + k for k in range(3)] + [feat_a[n_cue_spans:]])
        return n_cue_spans, feat_a, _gather(row, columns), np.asarray(share), starts, ends, cues, sources

    def _kind_index(self) -> dict[str, int]:
        """Cue kind -> index of its first feature (three in a row: present, count, rate)."""
        if getattr(self, "_kind_cache", None) is None:
            names = self._names()
            self._kind_cache = {n.split(":")[1]: i for i, n in enumerate(names) if n.endswith(":present")}
        return self._kind_cache

    def explain(self, prepared, spans, head: str, level: int) -> tuple[Evidence, ...]:
        """The spans whose features pushed ``head`` towards ``level`` most."""
        n_cue, feat, values, share, starts, ends, cues, sources = spans
        if not len(feat):
            return ()
        direction = self._direction(head, level)
        contrib = np.empty(len(feat))
        if n_cue:
            first = feat[:n_cue]
            per_kind = (direction[first] * values[:n_cue] + direction[first + 1] * values[n_cue:2 * n_cue]
                        + direction[first + 2] * values[2 * n_cue:3 * n_cue])
            contrib[:n_cue] = per_kind * share[:n_cue]
        contrib[n_cue:] = direction[feat[n_cue:]] * values[3 * n_cue:]
        out, used = [], set()
        for i in np.argsort(-contrib, kind="stable"):
            if contrib[i] <= 1e-6 or len(out) >= MAX_EVIDENCE:
                break
            s, e = starts[i], ends[i]
            if (s, e) in used:
                continue
            used.add((s, e))
            if cues[i] == "ngram":
                why, src = f"model feature '{sources[i][2:]}' pushed {head} towards {level}", f"model:{head}"
            else:
                why, src = f"{cues[i]} cue pushed {head} towards {level}", sources[i]
            out.append(prepared.evidence(s, e, cues[i], float(contrib[i]), why, src))
        return tuple(out)

    def _names(self) -> np.ndarray:
        if getattr(self, "_names_cache", None) is None:
            from .features import cue_feature_names

            self._names_cache = np.asarray(cue_feature_names(), dtype=object)
        return self._names_cache

    def _n_cue_features(self) -> int:
        return len(self._names())

    def _vocab(self) -> dict:
        return self.featuriser_.transformer_list[1][1].vocabulary_

    # -- persistence --------------------------------------------------------
    def save(self, path: Path, meta: dict) -> None:
        import skops.io as sio

        payload = {"format": FORMAT, "meta": json.dumps(meta, sort_keys=True), "params": json.dumps(
            {"C": self.C, "class_weight": self.class_weight, "min_df": self.min_df, "cv": self.cv}),
            "featuriser": self.featuriser_, "heads": self.heads_}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        sio.dump(payload, tmp, compression=8)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "StatementModel":
        import zipfile

        import skops.io as sio

        if not path.is_file():
            raise ModelError(f"no model at {path}; run `python -m analyser train` or use --rules")
        try:
            untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED)
        except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError, OSError) as exc:
            raise ModelError(f"{path} is not a valid analyser model file (corrupted or truncated: {exc})") from None
        if untrusted:
            raise ModelError(f"{path} contains types this version does not trust: {', '.join(sorted(untrusted))}")
        try:
            payload = sio.load(path, trusted=TRUSTED)
        except Exception as exc:  # skops raises many types on damaged files
            raise ModelError(f"{path} could not be loaded ({type(exc).__name__}: {exc})") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelError(f"{path} is not an analyser model ({FORMAT})")
        model = cls(**json.loads(payload["params"]))
        model.featuriser_ = payload["featuriser"]
        model.heads_ = payload["heads"]
        model.meta = json.loads(payload["meta"])
        _check_versions(model.meta, path)
        return model


def _gather(row: tuple[np.ndarray, np.ndarray], columns: np.ndarray) -> np.ndarray:
    """Values of a sparse row (sorted indices, data) at ``columns`` (0 where absent)."""
    indices, data = row
    if not len(indices):
        return np.zeros(len(columns))
    pos = np.minimum(np.searchsorted(indices, columns), len(indices) - 1)
    return np.where(indices[pos] == columns, data[pos], 0.0)


def _check_versions(meta: dict, path: Path) -> None:
    import sklearn

    trained = meta.get("versions", {})
    now = {"scikit-learn": sklearn.__version__}
    for lib, version in now.items():
        if trained.get(lib) and trained[lib].split(".")[:2] != version.split(".")[:2]:
            warnings.warn(f"{path.name} was trained with {lib} {trained[lib]}, this is {version}: "
                          "scores may differ; retrain with `python -m analyser train`", stacklevel=3)


@lru_cache(maxsize=1)
def default_model() -> StatementModel:
    """The installed model, loaded once per process."""
    return StatementModel.load(model_dir() / MODEL_FILE)


def score_model(prepared):
    """Score one prepared statement with the installed model."""
    return default_model().score([prepared])[0]
