"""The trained models: one featuriser shared by eight calibrated classifiers.

Training (``fit``) builds, per dimension (cause, apology, humour, vagueness), a
scikit-learn ``Pipeline`` of the featuriser (cue features + TF-IDF n-grams) and a
multinomial logistic regression over levels 0/1/2, and per facet (what, scope,
when, next) a binary one; each classifier is wrapped in ``CalibratedClassifierCV``
(sigmoid, 3 folds, ``ensemble=False``), so its probabilities are calibrated and
its coefficients are those of one model fitted on all the training data, which
is what the evidence is read from. ``StatementModel.pipeline(head)`` returns
the Pipeline of one head of a freshly trained model.

The fitted pipelines are then *compiled* to plain arrays (vocabulary, idf,
coefficients, intercepts, calibration slopes and offsets) and scoring uses
only those, with numpy: the same numbers as scikit-learn's ``predict_proba``
(checked in ``tests/test_model.py``), without importing scikit-learn on the
score path. The model file is one ``.npz`` loaded with ``allow_pickle=False``:
arrays and a JSON header, nothing that can run code.
"""
from __future__ import annotations

import json
import os
import warnings
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import ModelError
from .report import DIMENSIONS, DimensionScore, Evidence, FacetScore

FACET_HEADS = ("what", "scope", "when", "next")
HEADS = DIMENSIONS + FACET_HEADS
MODEL_FILE = "analyser.npz"
FORMAT = "analyser-model/2"
#: How many spans explain one head at most.
MAX_EVIDENCE = 8
#: A model file unpacking to more than this is refused (the shipped one unpacks to ~10 MB).
MAX_MODEL_BYTES = 200 * 1024 * 1024


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


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class StatementModel:
    """Featuriser plus one calibrated classifier per head."""

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced", min_df: int = 2, cv: int = 3):
        self.C = C
        self.class_weight = class_weight
        self.min_df = min_df
        self.cv = cv

    def params(self) -> dict:
        return {"C": self.C, "class_weight": self.class_weight, "min_df": self.min_df, "cv": self.cv}

    # -- training -----------------------------------------------------------
    def fit(self, prepared: list, labels: dict[str, np.ndarray]) -> "StatementModel":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import FunctionTransformer

        from .features import cue_features, ngram_terms

        self.featuriser_ = FeatureUnion([
            ("cues", FunctionTransformer(cue_features)),
            ("ngrams", TfidfVectorizer(analyzer=ngram_terms, min_df=self.min_df, sublinear_tf=True, lowercase=False)),
        ])
        X = self.featuriser_.fit_transform(prepared)
        self.featuriser_.transformer_list[1][1].stop_words_ = None  # only needed for introspection; large
        self.classifiers_ = {}
        for head in HEADS:
            y = np.asarray(labels[head], dtype=int)
            smallest = np.bincount(y)[np.bincount(y) > 0].min() if len(y) else 0
            clf = CalibratedClassifierCV(
                LogisticRegression(C=self.C, class_weight=self.class_weight, solver="newton-cg", max_iter=1000),
                method="sigmoid", cv=StratifiedKFold(int(max(2, min(self.cv, smallest)))), ensemble=False,
            )
            self.classifiers_[head] = clf.fit(X, y)
        self._compile()
        return self

    def pipeline(self, head: str):
        """The scikit-learn Pipeline (featuriser + calibrated classifier) of one head."""
        from sklearn.pipeline import Pipeline

        if not hasattr(self, "classifiers_"):
            raise ModelError("the scikit-learn pipelines exist on a freshly trained model only; "
                             "a loaded model holds their compiled arrays")
        return Pipeline([("features", self.featuriser_), ("clf", self.classifiers_[head])])

    def _compile(self) -> None:
        tfidf = self.featuriser_.transformer_list[1][1]
        vocab = sorted(tfidf.vocabulary_.items(), key=lambda kv: kv[1])
        self.terms_ = [t for t, _ in vocab]
        self.vocabulary_ = {t: i for i, t in enumerate(self.terms_)}
        self.idf_ = np.asarray(tfidf.idf_, dtype=np.float64)
        self.heads_ = {}
        for head, clf in self.classifiers_.items():
            cal = clf.calibrated_classifiers_[0]
            lr = cal.estimator
            self.heads_[head] = {
                "classes": np.asarray(cal.classes, dtype=np.int64),
                "coef": np.asarray(lr.coef_, dtype=np.float64),
                "intercept": np.asarray(lr.intercept_, dtype=np.float64),
                "a": np.array([c.a_ for c in cal.calibrators], dtype=np.float64),
                "b": np.array([c.b_ for c in cal.calibrators], dtype=np.float64),
            }

    # -- inference ----------------------------------------------------------
    def hits(self, prepared) -> list[tuple[int, int, int]]:
        """The statement's n-grams that are in the vocabulary: ``(term index, start, end)``."""
        from .features import ngram_spans

        vocab = self.vocabulary_
        return [(j, s, e) for t, s, e in ngram_spans(prepared) if (j := vocab.get(t)) is not None]

    def rows(self, prepared: list, hits: list | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each statement's features as a sparse row ``(columns, values)``."""
        from .features import cue_features, tfidf_rows

        hits = [self.hits(p) for p in prepared] if hits is None else hits
        cues = cue_features(prepared)
        n_cue = cues.shape[1]
        out = []
        for dense, (cols, vals) in zip(cues, tfidf_rows(hits, self.idf_)):
            nz = np.flatnonzero(dense)
            out.append((np.concatenate([nz, cols + n_cue]), np.concatenate([dense[nz], vals])))
        return out

    def predict_proba(self, prepared: list, rows=None) -> dict[str, np.ndarray]:
        """Per head, probabilities with one column per level (3 for dimensions, 2 for facets).

        The same computation as ``CalibratedClassifierCV.predict_proba`` (sigmoid,
        one calibrator per class, normalised; for binary heads 1 - p for class 0).
        """
        rows = self.rows(prepared) if rows is None else rows
        n = len(rows)
        # all rows at once: every (row, column, value) of the sparse matrix, summed per row
        cols = np.concatenate([c for c, _ in rows]) if n else np.zeros(0, dtype=np.int64)
        vals = np.concatenate([v for _, v in rows]) if n else np.zeros(0)
        row_of = np.repeat(np.arange(n), [len(c) for c, _ in rows])
        out = {}
        for head, h in self.heads_.items():
            coef, classes = h["coef"], h["classes"]
            weighted = coef[:, cols] * vals
            decision = np.stack([np.bincount(row_of, weights=w, minlength=n) for w in weighted], axis=1) + h["intercept"]
            calibrated = _expit(-(h["a"] * decision + h["b"]))
            width = 3 if head in DIMENSIONS else 2
            p = np.zeros((n, width))
            if len(classes) == 2:
                p[:, classes[1]] = calibrated[:, 0]
                p[:, classes[0]] = 1.0 - calibrated[:, 0]
            else:
                total = calibrated.sum(axis=1, keepdims=True)
                norm = np.divide(calibrated, total, out=np.full_like(calibrated, 1 / len(classes)), where=total != 0)
                p[:, classes] = norm
            out[head] = p
        return out

    def score(self, prepared: list) -> list[tuple[dict[str, DimensionScore], dict[str, FacetScore]]]:
        """Levels, scores and evidence for each prepared statement."""
        hits = [self.hits(p) for p in prepared]
        rows = self.rows(prepared, hits)
        probs = self.predict_proba(prepared, rows)
        # levels of every head for every statement, at once
        levels = {h: levels_from_proba(probs[h]).tolist() for h in HEADS}
        expected = {d: (probs[d] @ np.arange(3) / 2).tolist() for d in DIMENSIONS}
        results = []
        for i, p in enumerate(prepared):
            chosen = [levels[h][i] for h in HEADS]
            evidence = self.explain_all(p, self._spans(p, rows[i], hits[i]), chosen)
            dims = {d: DimensionScore(d, chosen[k], expected[d][i], evidence[k], tuple(probs[d][i].tolist()))
                    for k, d in enumerate(DIMENSIONS)}
            facets = {}
            for k, f in enumerate(FACET_HEADS, start=len(DIMENSIONS)):
                pf = float(probs[f][i][1])
                facets[f] = FacetScore(f, bool(chosen[k]), pf, evidence[k])
            p_why = float(probs["cause"][i][1:].sum())
            facets["why"] = FacetScore("why", dims["cause"].level >= 1, p_why,
                                       dims["cause"].evidence if dims["cause"].level >= 1 else ())
            results.append((dims, {k: facets[k] for k in ("what", "scope", "when", "why", "next")}))
        return results

    # -- evidence -----------------------------------------------------------
    def _directions(self) -> np.ndarray:
        """All directions as columns of one matrix (features x (head, level)), built once.

        For a multinomial head, the push towards level k is its coefficient row
        minus the mean row; a binary head has one row, positive towards its
        upper class (negated for the lower one).
        """
        if getattr(self, "_direction_matrix", None) is None:
            columns, index = [], {}
            for head in HEADS:
                coef, classes = self.heads_[head]["coef"], self.heads_[head]["classes"]
                for level in range(3 if head in DIMENSIONS else 2):
                    if coef.shape[0] == 1:
                        col = coef[0] if level == classes[-1] else -coef[0]
                    else:
                        k = int(np.flatnonzero(classes == level)[0]) if level in classes else 0
                        col = coef[k] - coef.mean(axis=0)
                    index[(head, level)] = len(columns)
                    columns.append(col)
            self._direction_column = index
            self._direction_matrix = np.ascontiguousarray(np.stack(columns, axis=1))
        return self._direction_matrix

    def _spans(self, prepared, row: tuple[np.ndarray, np.ndarray], hits: list[tuple[int, int, int]]):
        """Spans that can be evidence, with the features behind each and their values in ``row``.

        Returns (features, values, share, starts, ends, cues, sources): per span
        three feature indices and their values (a cue match stands for its
        kind's three features, present/count/rate, and takes 1/n of the kind's
        contribution when the kind matched n times; an n-gram stands for its
        vocabulary entry, padded with a zero-valued feature); ``cues`` and
        ``sources`` cover the cue spans, which come first.
        """
        kinds = self._kind_index()
        counts: dict[str, int] = {}
        for m in prepared.cues:
            counts[m.entry.cue] = counts.get(m.entry.cue, 0) + 1
        first, share, starts, ends, cues, sources = [], [], [], [], [], []
        for m in prepared.cues:
            first.append(kinds[m.entry.cue])
            share.append(1.0 / counts[m.entry.cue])
            starts.append(m.start), ends.append(m.end), cues.append(m.entry.cue), sources.append(m.entry.source)
        n_cue = len(first)
        # n-grams: each (term, start, end) occurs once (a position yields one term of each kind);
        # their cue and source are looked up only for the spans that become evidence (see _explain)
        grams = np.asarray(hits, dtype=np.int64).reshape(-1, 3)
        offset = len(self._names())
        feats = np.empty((n_cue + len(grams), 3), dtype=np.int64)
        first_cue = np.asarray(first, dtype=np.int64)
        feats[:n_cue] = first_cue[:, None] + np.arange(3)
        feats[n_cue:] = (offset + grams[:, 0])[:, None]
        values = _gather(row, feats.ravel()).reshape(feats.shape)
        values[n_cue:, 1:] = 0.0
        share_a = np.concatenate([np.asarray(share), np.ones(len(grams))])
        return (feats, values, share_a, starts + grams[:, 1].tolist(), ends + grams[:, 2].tolist(), cues, sources)

    def _names(self) -> list[str]:
        if getattr(self, "_names_cache", None) is None:
            from .features import cue_feature_names

            self._names_cache = cue_feature_names()
        return self._names_cache

    def _kind_index(self) -> dict[str, int]:
        """Cue kind -> index of its first feature (three in a row: present, count, rate)."""
        if getattr(self, "_kind_cache", None) is None:
            self._kind_cache = {n.split(":")[1]: i for i, n in enumerate(self._names()) if n.endswith(":present")}
        return self._kind_cache

    def explain(self, prepared, spans, head: str, level: int) -> tuple[Evidence, ...]:
        """The spans whose features pushed ``head`` towards ``level`` most."""
        return self._explain(prepared, spans, [(head, level)])[0]

    def explain_all(self, prepared, spans, levels: list[int]) -> list[tuple[Evidence, ...]]:
        """Evidence for every head (in ``HEADS`` order) at its level in ``levels``.

        A facet is explained only when present: what pushes it towards "absent"
        is the lack of something, which no span of the text shows (the report
        names the missing facet instead), as the cue rules and ``why`` do.
        """
        wanted = [(h, lv) for h, lv in zip(HEADS, levels) if h in DIMENSIONS or lv == 1]
        found = iter(self._explain(prepared, spans, wanted))
        return [next(found) if h in DIMENSIONS or lv == 1 else () for h, lv in zip(HEADS, levels)]

    def _explain(self, prepared, spans, wanted: list[tuple[str, int]]) -> list[tuple[Evidence, ...]]:
        feats, values, share, starts, ends, cues, sources = spans
        if not len(feats) or not wanted:
            return [()] * len(wanted)
        directions = self._directions()
        columns = [self._direction_column[w] for w in wanted]
        # contribution of each span (rows) to each wanted (head, level) (columns)
        contrib = np.einsum("skc,sk->sc", directions[feats][:, :, columns], values) * share[:, None]
        order = np.argsort(-contrib, axis=0, kind="stable").T.tolist()
        contrib = contrib.T.tolist()
        norm, original = prepared.norm, prepared.norm.original
        n_cue, offset, terms, feats = len(cues), len(self._names()), self.terms_, feats.tolist()
        located: dict[int, tuple[int, int, str]] = {}
        out = []
        for (head, level), ranked, c in zip(wanted, order, contrib):
            found, used = [], set()
            for i in ranked:
                if c[i] <= 1e-6 or len(found) >= MAX_EVIDENCE:
                    break
                s, e = starts[i], ends[i]
                if (s, e) in used:
                    continue
                used.add((s, e))
                if i not in located:
                    o_s, o_e = norm.span(s, e)
                    located[i] = (o_s, o_e, original[o_s:o_e])
                o_s, o_e, text = located[i]
                if i >= n_cue:  # an n-gram
                    term = terms[feats[i][0] - offset]
                    found.append(Evidence(o_s, o_e, text, "ngram", c[i],
                                          f"model feature '{term[2:]}' pushed {head} towards {level}", f"model:{head}"))
                else:
                    found.append(Evidence(o_s, o_e, text, cues[i], c[i], f"{cues[i]} cue pushed {head} towards {level}",
                                          sources[i]))
            out.append(tuple(found))
        return out

    # -- persistence --------------------------------------------------------
    def save(self, path: Path, meta: dict) -> None:
        """Write the compiled model: one ``.npz`` of plain arrays plus a JSON header."""
        header = {"format": FORMAT, "meta": meta, "params": self.params(), "terms": self.terms_,
                  "cue_features": self._names(), "heads": {h: v["classes"].tolist() for h, v in self.heads_.items()}}
        arrays = {"header": np.frombuffer(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8),
                  "idf": self.idf_}
        for head, h in self.heads_.items():
            for key in ("coef", "intercept", "a", "b"):
                arrays[f"{head}.{key}"] = h[key]
        from .tables import atomic_path

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> "StatementModel":
        """Load a compiled model; any damaged, foreign or incompatible file raises :class:`ModelError`."""
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"no model at {path}; run `python -m analyser train` or use --rules")
        try:
            model = cls._read(path)
        except ModelError:
            raise
        except Exception as exc:  # a damaged file can fail in many ways; none may escape as a traceback
            raise ModelError(f"{path} is not a valid analyser model file (corrupted, truncated or foreign: "
                             f"{type(exc).__name__})") from None
        _check_versions(model.meta, path)
        return model

    @classmethod
    def _read(cls, path: Path) -> "StatementModel":
        from .features import cue_feature_names

        with zipfile.ZipFile(path) as zf:  # check sizes before numpy decompresses anything
            sizes = {i.filename: i.file_size for i in zf.infolist()}
        if sum(sizes.values()) > MAX_MODEL_BYTES:
            raise ModelError(f"{path} would unpack to {sum(sizes.values()) / 1e6:.0f} MB; refusing a model that large")
        with np.load(path, allow_pickle=False) as npz:  # arrays only: nothing in the file can run code
            header = json.loads(npz["header"].tobytes().decode("utf-8"))
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ModelError(f"{path} is not an analyser model of format {FORMAT}")
            heads = header["heads"]
            if not isinstance(heads, dict) or set(heads) != set(HEADS):
                raise ModelError(f"{path} does not hold the heads {', '.join(HEADS)}")
            arrays = {"idf": npz["idf"]}
            for h in HEADS:
                for key in ("coef", "intercept", "a", "b"):
                    arrays[f"{h}.{key}"] = npz[f"{h}.{key}"]
        if header["cue_features"] != cue_feature_names():
            raise ModelError(f"{path} was trained with other cue kinds than this version has; retrain it")
        params = header["params"]
        if not isinstance(params, dict) or not isinstance(header["terms"], list) or not isinstance(header["meta"], dict):
            raise ModelError(f"{path} has a malformed header")
        model = cls(**params)
        model.terms_ = [str(t) for t in header["terms"]]
        model.vocabulary_ = {t: i for i, t in enumerate(model.terms_)}
        model.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        model.heads_ = {h: {"classes": np.asarray(heads[h], dtype=np.int64),
                            **{k: np.asarray(arrays[f"{h}.{k}"], dtype=np.float64) for k in ("coef", "intercept", "a", "b")}}
                        for h in HEADS}
        n = len(model._names()) + len(model.terms_)
        for h, v in model.heads_.items():
            k = len(v["classes"])
            rows = 1 if k == 2 else k
            if (v["coef"].shape != (rows, n) or v["intercept"].shape != (rows,) or v["a"].shape != (rows,)
                    or v["b"].shape != (rows,) or model.idf_.shape != (len(model.terms_),)):
                raise ModelError(f"{path} is inconsistent: the arrays of head {h!r} do not fit its features")
        model.meta = header["meta"]
        return model


def levels_from_proba(proba: np.ndarray) -> np.ndarray:
    """The level of each statement from its probabilities (rows): the expected level, rounded.

    The levels are ordered (0 < 1 < 2) and a miss by two is worse than a miss by
    one (the quadratic-weighted kappa counts it four times): the expected level
    minimises the squared error, where the most probable level can jump over
    the middle one. It also keeps the level in step with the score (expected
    level / 2): level = round(2 x score), halves rounded up. For a binary head
    this is the probability of 1 against 0.5.
    """
    expected = proba @ np.arange(proba.shape[1])
    return np.floor(expected + 0.5).astype(int)


def _gather(row: tuple[np.ndarray, np.ndarray], columns: np.ndarray) -> np.ndarray:
    """Values of a sparse row ``(columns, values)`` at ``columns`` (0 where absent)."""
    indices, data = row
    if not len(indices):
        return np.zeros(len(columns))
    order = np.argsort(indices)
    indices, data = indices[order], data[order]
    pos = np.minimum(np.searchsorted(indices, columns), len(indices) - 1)
    return np.where(indices[pos] == columns, data[pos], 0.0)


def _check_versions(meta: dict, path: Path) -> None:
    """Warn when the model was trained with another analyser or numpy major/minor version."""
    from . import __version__

    now = {"analyser": __version__, "numpy": np.__version__}
    trained = meta.get("versions") if isinstance(meta, dict) else None
    if not isinstance(trained, dict):
        warnings.warn(f"{path.name} does not record the versions it was trained with", stacklevel=3)
        return
    for lib, version in now.items():
        if isinstance(trained.get(lib), str) and trained[lib].split(".")[:2] != version.split(".")[:2]:
            warnings.warn(f"{path.name} was trained with {lib} {trained[lib]}, this is {version}: "
                          "scores may differ; retrain with `python -m analyser train`", stacklevel=3)


@lru_cache(maxsize=1)
def default_model() -> StatementModel:
    """The installed model, loaded once per process."""
    return StatementModel.load(model_dir() / MODEL_FILE)


def score_model(prepared):
    """Score one prepared statement with the installed model."""
    return default_model().score([prepared])[0]
