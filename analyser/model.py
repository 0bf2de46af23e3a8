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
score path; for a facet named in ``RULE_BLEND`` the cue rule's verdict is then
mixed in (``StatementModel.blend``). The model file is one ``.npz`` loaded with ``allow_pickle=False``:
arrays and a JSON header, nothing that can run code.
"""
from __future__ import annotations

import json
import os
import warnings
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .cues import GROUPS, cue_kinds
from .errors import ModelError
from .report import (AS_JSON, AS_OBJECTS, DIMENSIONS, FACETS, DimensionScore, Evidence, EvidenceParts, FacetScore, decided,
                     evidence_json, torn_note)

FACET_HEADS = ("what", "scope", "when", "next")
HEADS = DIMENSIONS + FACET_HEADS
#: The order of the ``evidence`` column, as in ``Report.to_row``: dimensions, then facets.
_EVIDENCE_ORDER = DIMENSIONS + FACETS
MODEL_FILE = "analyser.npz"
#: The cue features a head is fitted on, by cue group (``"struct"``: the structural features); a
#: head not named here sees every cue feature. Cause sees only the cause cues, humour only the
#: humour cues and the structural features (exclamation marks, emoji): what the other cues, the
#: length or the count of numbers say about them is house style (a workaround paragraph, a
#: timestamp per line) that does not carry to a company the model never saw. Chosen in session 7
#: by grouped cross-validation and leave-one-company-out (README, "Unseen companies").
CUE_GROUPS = {"cause": ["cause"], "humour": ["humour", "struct"]}
#: Per head, the inverse regularisation strength when it is not the model's ``C``. The `what` head
#: fits with a weaker penalty (16 against 4): on its own that raised its grouped-CV kappa from 0.571
#: to 0.587 and leave-one-company-out from 0.470 to 0.489 (64 did no better, nor did 16 on the other facets).
HEAD_C = {"what": 16.0}
#: Per facet head, the weight of the cue rule's verdict (present when a cue of the facet matched,
#: as ``analyser.rules`` decides) mixed into the model's probability: p = (1 - w) p_model + w verdict.
#: With w = 0.2 a matched `what.product` cue makes the facet present unless the model gives it less
#: than 0.375, and none makes it absent unless the model gives it more than 0.625: the lexicon's
#: product names carry to companies and languages whose own names the n-grams never saw.
#: HEAD_C and RULE_BLEND were chosen in session 10 on the training split (README, "Models").
RULE_BLEND = {"what": 0.2}
FORMAT = "analyser-model/2"
#: How many spans explain one head at most.
MAX_EVIDENCE = 8
#: Evidence is ranked over (head, span) entries at most this many at a time, so that memory
#: stays flat however long the statements of a block are.
MAX_ENTRIES = 1 << 16
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
    found = (model_dir() / MODEL_FILE).is_file()
    if not found and os.environ.get("ANALYSER_MODELS"):
        _warn_no_model_at(os.environ["ANALYSER_MODELS"])
    return found


@lru_cache(maxsize=None)
def _warn_no_model_at(folder: str) -> None:
    """Once per folder: a mistyped $ANALYSER_MODELS would otherwise switch to the cue rules silently."""
    warnings.warn(f"ANALYSER_MODELS is {folder!r} but it holds no {MODEL_FILE}: scoring with the cue rules",
                  stacklevel=3)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class Block(NamedTuple):
    """The features of a block of statements, as flat arrays.

    ``cues`` holds the cue and structural features (one dense row per
    statement); ``hit_*`` every n-gram found in the vocabulary, statement by
    statement in text order (its row, term index, span in the normalised text
    and TF-IDF value); ``tf_*`` the distinct (row, term) pairs, sorted, with
    their TF-IDF value.
    """

    n: int
    cues: np.ndarray
    hit_row: np.ndarray
    hit_term: np.ndarray
    hit_start: np.ndarray
    hit_end: np.ndarray
    hit_val: np.ndarray
    tf_row: np.ndarray
    tf_col: np.ndarray
    tf_val: np.ndarray
    #: ``(row, head, level, match)``: a dimension capped at a level by a cue match of the
    #: statement (``Prepared.caps``: a concrete cause given only as a guess counts at most 1)
    caps: tuple = ()


class _Spans(NamedTuple):
    """The spans of a block that can be evidence (cue matches first, then n-grams; ``by_row``
    orders them statement by statement) and, for the cue matches, what scoring them needs."""

    row: np.ndarray
    by_row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    n_cue: int
    cue_first: np.ndarray  # index of the kind's first feature (present, then count, then rate)
    cue_share: np.ndarray  # 1/n when the kind matched n times
    cues: list
    sources: list
    local: np.ndarray  # which distinct character span of its statement each span is (0, 1, ...)


def _slices(sizes: np.ndarray, limit: int):
    """Consecutive slices of ``sizes`` each summing to at most ``limit`` (or holding one item)."""
    start, total = 0, 0
    for i, n in enumerate(sizes.tolist()):
        if total and total + n > limit:
            yield slice(start, i)
            start, total = i, 0
        total += n
    if start < len(sizes):
        yield slice(start, len(sizes))


class StatementModel:
    """Featuriser plus one calibrated classifier per head."""

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced", min_df: int = 2, cv: int = 3,
                 cue_groups: dict[str, list[str]] | None = CUE_GROUPS, head_C: dict[str, float] | None = HEAD_C,
                 rule_blend: dict[str, float] | None = RULE_BLEND):
        self.C = C
        self.class_weight = class_weight
        self.min_df = min_df
        self.cv = cv
        self.cue_groups = {h: list(g) for h, g in (cue_groups or {}).items()}
        self.head_C = {h: float(c) for h, c in (head_C or {}).items()}
        self.rule_blend = {h: float(w) for h, w in (rule_blend or {}).items()}
        if not set(self.head_C) <= set(HEADS) or not all(c > 0 for c in self.head_C.values()):
            raise ValueError(f"head_C: heads are {', '.join(HEADS)}, values above 0")
        if not set(self.rule_blend) <= set(FACET_HEADS) or not all(0 <= w <= 1 for w in self.rule_blend.values()):
            raise ValueError(f"rule_blend: heads are {', '.join(FACET_HEADS)}, weights from 0 to 1")
        for head, groups in self.cue_groups.items():  # a typo would silently take a head's cues away
            unknown = [g for g in groups if g not in (*GROUPS, "struct")]
            if head not in HEADS or unknown:
                raise ValueError(f"cue_groups: {head!r}: {unknown or 'not a head'}; heads are {', '.join(HEADS)}, "
                                 f"groups {', '.join(GROUPS)} and 'struct'")

    def params(self) -> dict:
        return {"C": self.C, "class_weight": self.class_weight, "min_df": self.min_df, "cv": self.cv,
                "cue_groups": self.cue_groups, "head_C": self.head_C, "rule_blend": self.rule_blend}

    def columns(self, head: str, width: int) -> np.ndarray:
        """The columns of the ``width`` features that ``head`` is fitted on: the cue features of the
        groups ``cue_groups`` gives it (``"struct"``: the structural ones; all of them for a head it
        does not name), then every n-gram."""
        names = self._names()
        groups = self.cue_groups.get(head)
        if groups is None:
            return np.arange(width)
        kinds = cue_kinds()
        keep = [i for i, name in enumerate(names)
                if ("struct" if name.startswith("struct:") else kinds[name.split(":")[1]]["group"]) in groups]
        return np.concatenate([np.asarray(keep, dtype=np.int64), np.arange(len(names), width)])

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
        self.classifiers_, self.columns_ = {}, {}
        for head in HEADS:
            y = np.asarray(labels[head], dtype=int)
            smallest = np.bincount(y)[np.bincount(y) > 0].min() if len(y) else 0
            clf = CalibratedClassifierCV(
                LogisticRegression(C=self.head_C.get(head, self.C), class_weight=self.class_weight,
                                   solver="newton-cg", max_iter=1000),
                method="sigmoid", cv=StratifiedKFold(int(max(2, min(self.cv, smallest)))), ensemble=False,
            )
            self.columns_[head] = cols = self.columns(head, X.shape[1])
            self.classifiers_[head] = clf.fit(X[:, cols], y)
        self._compile()
        return self

    def pipeline(self, head: str):
        """The scikit-learn Pipeline (featuriser + calibrated classifier) of one head: its
        probabilities before the cue rule's verdict is mixed in (``rule_blend``, :meth:`blend`)."""
        from sklearn.pipeline import Pipeline

        if not hasattr(self, "classifiers_"):
            raise ModelError("the scikit-learn pipelines exist on a freshly trained model only; "
                             "a loaded model holds their compiled arrays")
        from sklearn.preprocessing import FunctionTransformer

        return Pipeline([("features", self.featuriser_),
                         ("columns", FunctionTransformer(_take_columns, kw_args={"columns": self.columns_[head]})),
                         ("clf", self.classifiers_[head])])

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
            coef = np.zeros((lr.coef_.shape[0], len(self._names()) + len(self.terms_)))
            coef[:, self.columns_[head]] = lr.coef_  # a column the head does not see weighs nothing
            self.heads_[head] = {
                "classes": np.asarray(cal.classes, dtype=np.int64),
                "coef": coef,
                "intercept": np.asarray(lr.intercept_, dtype=np.float64),
                "a": np.array([c.a_ for c in cal.calibrators], dtype=np.float64),
                "b": np.array([c.b_ for c in cal.calibrators], dtype=np.float64),
            }

    # -- inference ----------------------------------------------------------
    # Scoring works on a block of statements at once: one Python pass per
    # statement collects its n-grams and cue spans, everything after that (TF-IDF,
    # the eight heads, ranking the evidence) is a few numpy passes over the block.

    def features(self, prepared: list) -> "Block":
        """The features of ``prepared`` statements as flat arrays (see :class:`Block`)."""
        from .features import VocabularyNgrams, cue_features, tfidf_entries

        if getattr(self, "_ngrams", None) is None or self._ngrams.vocabulary is not self.vocabulary_:
            self._ngrams = VocabularyNgrams(self.vocabulary_)
        find = self._ngrams.find
        terms: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        counts: list[int] = []
        for p in prepared:
            before = len(terms)
            find(p, terms, starts, ends)
            counts.append(len(terms) - before)
        n = len(prepared)
        hit_row = np.repeat(np.arange(n, dtype=np.int64), counts)
        hit_term = np.array(terms, dtype=np.int64)
        tf_row, tf_col, tf_val, hit_val = tfidf_entries(hit_row, hit_term, n, self.idf_)
        caps = tuple((i, *cap) for i, p in enumerate(prepared) for cap in p.caps)
        return Block(n, cue_features(prepared), hit_row, hit_term, np.array(starts, dtype=np.int64),
                     np.array(ends, dtype=np.int64), hit_val, tf_row, tf_col, tf_val, caps)

    def predict_proba(self, prepared: list, block: "Block | None" = None) -> dict[str, np.ndarray]:
        """Per head, probabilities with one column per level (3 for dimensions, 2 for facets).

        The same computation as ``CalibratedClassifierCV.predict_proba`` (sigmoid,
        one calibrator per class, normalised; for binary heads 1 - p for class 0),
        then two documented rules: the cue rule's verdict mixed into the facets of
        ``rule_blend`` (:meth:`blend`), and a dimension capped by the statement's cues
        (``Prepared.caps``: "possibly caused by an expired certificate" is cause 1 at
        most, as the rubric counts a hedged cause) given the probability of the levels
        above its cap.
        """
        block = self.features(prepared) if block is None else block
        n = block.n
        # every (row, column, value) of the sparse feature matrix: a row's cue features, then its n-grams
        cue_row, cue_col = np.nonzero(block.cues)
        row_of = np.concatenate([cue_row, block.tf_row])
        order = np.argsort(row_of, kind="stable")
        row_of = row_of[order]
        cols = np.concatenate([cue_col, block.tf_col + block.cues.shape[1]])[order]
        vals = np.concatenate([block.cues[cue_row, cue_col], block.tf_val])[order]
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
            out[head] = self.blend(head, p, block.cues)
        for row, head, level, _ in block.caps:  # a documented rule: the levels above the cap go to the cap
            if head not in out:
                continue
            p = out[head]
            p[row, level] += p[row, level + 1:].sum()
            p[row, level + 1:] = 0.0
        return out

    def blend(self, head: str, p: np.ndarray, cues: np.ndarray) -> np.ndarray:
        """``p`` (a facet head's probabilities, absent/present) with the cue rule's verdict mixed in
        at the head's ``rule_blend`` weight; the verdict is 1 when a ``present`` feature of the
        facet's cue kinds is set in ``cues`` (rows of ``cue_features``), as in ``analyser.rules``."""
        w = self.rule_blend.get(head, 0.0)
        if not w:
            return p
        columns = [i for i, name in enumerate(self._names()) if name.startswith(f"cue:{head}.") and name.endswith(":present")]
        verdict = cues[:, columns].any(axis=1)
        out = np.empty_like(p)
        out[:, 1] = (1.0 - w) * p[:, 1] + w * verdict
        out[:, 0] = 1.0 - out[:, 1]
        return out

    def _scored(self, prepared: list, parts: EvidenceParts, explain: bool = True):
        """Probabilities, levels ``(statements, heads)`` and, per statement and head, its evidence
        made by ``parts`` (``()`` when none, and for all without ``explain``)."""
        block = self.features(prepared)
        probs = self.predict_proba(prepared, block)
        levels = np.stack([levels_from_proba(probs[h]) for h in HEADS], axis=1)  # (statements, heads)
        # explain every dimension, and a facet only when present: what pushes a facet towards
        # "absent" is the lack of something, which no span of the text shows (the report names
        # the missing facet instead), as the cue rules and ``why`` do
        wanted = (np.asarray([h in DIMENSIONS for h in HEADS]) | (levels == 1)) & explain
        pair_stmt, pair_head = np.nonzero(wanted)
        found = self._evidence(prepared, block, pair_stmt, pair_head, levels[pair_stmt, pair_head], parts)
        evidence = [[()] * len(HEADS) for _ in prepared]
        for i, k, ev in zip(pair_stmt.tolist(), pair_head.tolist(), found):
            evidence[i][k] = ev
        for i, head, level, m in block.caps if explain else ():  # the match that capped the level comes first
            k = HEADS.index(head) if head in HEADS else -1
            if k >= 0 and levels[i, k] == level:
                spec = cue_kinds()[m.entry.cue]
                e = prepared[i].evidence(m.start, m.end, m.entry.cue, m.entry.weight, spec["explanation"], m.entry.source)
                evidence[i][k] = (parts.item(parts.span(e.start, e.end, e.text), e.weight,
                                             parts.kind(e.cue, e.explanation, e.source)), *evidence[i][k])[:MAX_EVIDENCE]
        return probs, levels.tolist(), evidence

    def score(self, prepared: list) -> list[tuple[dict[str, DimensionScore], dict[str, FacetScore]]]:
        """Levels, scores and evidence for each prepared statement."""
        probs, levels, evidence = self._scored(prepared, AS_OBJECTS)
        expected = [(probs[d] @ np.arange(3) / 2).tolist() for d in DIMENSIONS]
        probs = {h: v.tolist() for h, v in probs.items()}
        results = []
        for i, chosen in enumerate(levels):
            p_dim = [probs[d][i] for d in DIMENSIONS]
            dims = {d: DimensionScore(d, chosen[k], expected[k][i], tuple(evidence[i][k]), tuple(p_dim[k]))
                    for k, d in enumerate(DIMENSIONS)}
            facets = {f: FacetScore(f, bool(chosen[k]), probs[f][i][1], tuple(evidence[i][k]))
                      for k, f in enumerate(FACET_HEADS, start=len(DIMENSIONS))}
            cause = dims["cause"]
            given = decided(cause.level, cause.probabilities) >= 1
            facets["why"] = FacetScore("why", given, p_dim[0][1] + p_dim[0][2], cause.evidence if given else ())
            results.append((dims, {k: facets[k] for k in ("what", "scope", "when", "why", "next")}))
        return results

    def rows(self, prepared: list, evidence: bool = True) -> list[dict]:
        """The ``batch`` columns of each prepared statement: what ``Report.to_row`` gives for the
        reports of :meth:`score`, without building them (evidence goes straight to JSON; without
        ``evidence`` it is not looked for and the column is "")."""
        explain = evidence
        probs, levels, evidence = self._scored(prepared, AS_JSON, explain)
        expected = np.stack([probs[d] @ np.arange(3) / 2 for d in DIMENSIONS], axis=1).tolist()
        n_dims = len(DIMENSIONS)
        out = []
        for i, (p, chosen, score, ev) in enumerate(zip(prepared, levels, expected, evidence)):
            row = {}
            for k, d in enumerate(DIMENSIONS):
                row[f"{d}_level"] = chosen[k]
                row[f"{d}_score"] = round(score[k], 4)
            for k, f in enumerate(FACET_HEADS, start=n_dims):
                row[f"has_{f}"] = bool(chosen[k])
            row["lang"] = p.lang
            named = dict(zip(HEADS, ev))
            given = decided(chosen[0], probs["cause"][i]) >= 1
            named["why"] = named["cause"] if given else ()  # as FacetScore "why" in score()
            row["evidence"] = evidence_json({k: named[k] for k in _EVIDENCE_ORDER}) if explain else ""
            torn_notes = (torn_note(d, chosen[k], probs[d][i]) for k, d in enumerate(DIMENSIONS))
            row["warnings"] = "; ".join((*p.warnings, *filter(None, torn_notes)))
            out.append(row)
        return out

    # -- evidence -----------------------------------------------------------
    def _directions(self) -> np.ndarray:
        """All directions as columns of one matrix (features x (head, level)), built once.

        For a multinomial head, the push towards level k is its coefficient row
        minus the mean row; a binary head has one row, positive towards its
        upper class (negated for the lower one).
        """
        if getattr(self, "_direction_matrix", None) is None:
            columns = []
            index = np.full((len(HEADS), 3), -1, dtype=np.int64)  # (head, level) -> column
            for k, head in enumerate(HEADS):
                coef, classes = self.heads_[head]["coef"], self.heads_[head]["classes"]
                for level in range(3 if head in DIMENSIONS else 2):
                    if coef.shape[0] == 1:
                        col = coef[0] if level == classes[-1] else -coef[0]
                    else:
                        j = int(np.flatnonzero(classes == level)[0]) if level in classes else 0
                        col = coef[j] - coef.mean(axis=0)
                    index[k, level] = len(columns)
                    columns.append(col)
            self._direction_column = index
            self._direction_matrix = np.ascontiguousarray(np.stack(columns, axis=1))
        return self._direction_matrix

    def explain(self, prepared, head: str, level: int) -> tuple[Evidence, ...]:
        """The spans of one statement whose features pushed ``head`` towards ``level`` most."""
        return tuple(self._evidence([prepared], self.features([prepared]), np.zeros(1, dtype=np.int64),
                                    np.array([HEADS.index(head)]), np.array([level]))[0])

    def _evidence(self, prepared: list, block: "Block", pair_stmt, pair_head, pair_level,
                  parts: EvidenceParts = AS_OBJECTS) -> list[list]:
        """Evidence for each wanted (statement, head, level): its spans ranked by contribution, each
        made by ``parts`` (an :class:`Evidence`, or its JSON).

        A span is a cue match or an n-gram of the vocabulary. A cue match stands
        for its kind's three features (present, count, rate) and takes 1/n of
        the kind's contribution when the kind matched n times in the statement;
        an n-gram stands for its TF-IDF feature. A span's contribution is its
        features' values times the direction towards the level; the spans that
        pushed most (above 1e-6, each n-gram at its first occurrence, each character
        span once, at most ``MAX_EVIDENCE``) are the evidence, ties kept in text order
        (cues first). An n-gram's feature counts once however often it occurs, so
        its other occurrences would repeat the same contribution.
        """
        spans = self._spans(prepared, block)
        per_stmt = np.bincount(spans.row, minlength=block.n)
        first = np.concatenate([[0], np.cumsum(per_stmt)[:-1]])[pair_stmt]
        sizes = per_stmt[pair_stmt]
        self._directions()  # builds the (head, level) -> column index too
        columns = self._direction_column[pair_head, pair_level]
        chosen = []
        for part in _slices(sizes, MAX_ENTRIES):  # every (pair, span) entry, a bounded slice at a time
            pair, span, contrib = self._strongest(spans, block, first[part], sizes[part], columns[part])
            chosen.append((pair + part.start, span, contrib))
        # Python objects only for the spans shown
        pair, span, contrib = (np.concatenate(x) for x in zip(*chosen)) if chosen else [np.zeros(0, dtype=np.int64)] * 3
        term_of = np.full(len(span), -1, dtype=np.int64)
        is_gram = span >= spans.n_cue
        term_of[is_gram] = block.hit_term[span[is_gram] - spans.n_cue]
        out: list[list] = [[] for _ in range(len(pair_stmt))]
        heads = [HEADS[k] for k in pair_head.tolist()]
        levels, stmts, terms, cues, sources = pair_level.tolist(), pair_stmt.tolist(), self.terms_, spans.cues, spans.sources
        span_part, kind_part, item = parts.span, parts.kind, parts.item
        by_span: dict[int, object] = {}
        by_kind: dict[tuple, object] = {}
        for j, s, c, a, b, t in zip(pair.tolist(), span.tolist(), contrib.tolist(), spans.start[span].tolist(),
                                    spans.end[span].tolist(), term_of.tolist()):
            where = by_span.get(s)
            if where is None:
                norm = prepared[stmts[j]].norm
                a, b = norm.span(a, b)
                where = by_span[s] = span_part(a, b, norm.original[a:b])
            key = (t, heads[j], levels[j]) if t >= 0 else (cues[s], sources[s], heads[j], levels[j])
            what = by_kind.get(key)
            if what is None:
                head, level = key[-2:]
                if t >= 0:
                    folded = " (digits read as 0)" if "0" in terms[t] else ""  # "7" is the feature '0'
                    what = kind_part("ngram", f"model feature '{terms[t][2:]}'{folded} pushed {head} towards {level}",
                                     f"model:{head}")
                else:
                    what = kind_part(key[0], f"{key[0]} cue pushed {head} towards {level}", key[1])
                by_kind[key] = what
            out[j].append(item(where, c, what))
        return out

    def _spans(self, prepared: list, block: "Block") -> "_Spans":
        """Every span of the block that can be evidence: the cue matches, then the n-grams."""
        kinds = self._kind_index()
        row, first, share, start, end, cues, sources = [], [], [], [], [], [], []
        for i, p in enumerate(prepared):
            per_kind: dict[str, int] = {}
            shown = [m for m in p.cues if m.entry.cue in kinds]  # not the cues the models do not see
            for m in shown:
                per_kind[m.entry.cue] = per_kind.get(m.entry.cue, 0) + 1
            for m in shown:
                cue = m.entry.cue
                row.append(i), first.append(kinds[cue]), share.append(1.0 / per_kind[cue])
                start.append(m.start), end.append(m.end), cues.append(cue), sources.append(m.entry.source)
        all_rows = np.concatenate([np.asarray(row, dtype=np.int64), block.hit_row])
        all_start = np.concatenate([np.asarray(start, dtype=np.int64), block.hit_start])
        all_end = np.concatenate([np.asarray(end, dtype=np.int64), block.hit_end])
        size = int(all_end.max(initial=0)) + 1
        distinct, group = np.unique((all_rows * size + all_start) * size + all_end, return_inverse=True)
        row_first = np.searchsorted(distinct, np.arange(block.n, dtype=np.int64) * size * size)
        return _Spans(all_rows, np.argsort(all_rows, kind="stable"), all_start, all_end, len(row),
                      np.asarray(first, dtype=np.int64), np.asarray(share), cues, sources,
                      group.reshape(-1) - row_first[all_rows])

    def _strongest(self, spans: "_Spans", block: "Block", first, sizes, columns):
        """For pairs whose statements' spans start at ``first`` (in ``spans.by_row`` order) and number
        ``sizes``, explained towards direction ``columns``: the spans shown, as ``(pair, span,
        contribution)`` arrays, pair by pair, strongest first."""
        directions, offset = self._directions(), len(self._names())
        entry_pair = np.repeat(np.arange(len(sizes)), sizes)
        within = np.arange(len(entry_pair)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        position = first[entry_pair] + within  # in by_row order: ties break on it
        span = spans.by_row[position]
        column = columns[entry_pair]
        contrib = np.empty(len(span))
        is_cue = span < spans.n_cue
        cue_i = span[is_cue]
        if len(cue_i):
            feats = spans.cue_first[cue_i][:, None] + np.arange(3)
            values = block.cues[spans.row[cue_i][:, None], feats]  # cue spans come first: their rows
            d = directions[feats, column[is_cue][:, None]]
            contrib[is_cue] = np.einsum("ek,ek->e", d, values) * spans.cue_share[cue_i]
        gram_i = span[~is_cue] - spans.n_cue
        if len(gram_i):
            contrib[~is_cue] = directions[offset + block.hit_term[gram_i], column[~is_cue]] * block.hit_val[gram_i]
        # rank within each pair, strongest first, ties in (pair, position) order: what stable sorts by
        # -contribution then by pair give, done as a quick sort of the values and two stable radix
        # sorts of small integers (each value's rank, then the pair)
        keep = np.flatnonzero(contrib > 1e-6)
        value = contrib[keep]
        order = np.argsort(-value)
        step = np.zeros(len(keep), dtype=np.int64)
        step[1:] = value[order[1:]] != value[order[:-1]]
        value_rank = np.empty(len(keep), dtype=np.int64)
        value_rank[order] = np.cumsum(step)
        keep = keep[np.argsort(_small_ints(value_rank), kind="stable")]
        keep = keep[np.argsort(_small_ints(entry_pair[keep]), kind="stable")]
        # each n-gram once per pair, at its first occurrence in that order: its feature counts once,
        # however often it occurs ("de" five times filled the list; a session-13 user test)
        gram = np.flatnonzero(span[keep] >= spans.n_cue)
        if len(gram):
            term = block.hit_term[span[keep[gram]] - spans.n_cue]
            _, first_of_term = np.unique(entry_pair[keep[gram]] * (int(term.max()) + 1) + term, return_index=True)
            repeated = np.ones(len(gram), dtype=bool)
            repeated[first_of_term] = False
            keep = np.delete(keep, gram[repeated])
        # each character span once per pair (the first, strongest, entry of each of the pair's spans)
        key = (np.cumsum(sizes) - sizes)[entry_pair[keep]] + spans.local[span[keep]]  # < entries of the slice
        by_key = np.argsort(_small_ints(key), kind="stable")
        first_of_key = np.ones(len(key), dtype=bool)
        first_of_key[1:] = key[by_key[1:]] != key[by_key[:-1]]
        keep = keep[np.sort(by_key[first_of_key])]
        pair_of = entry_pair[keep]
        group_start = np.flatnonzero(np.r_[True, pair_of[1:] != pair_of[:-1]])
        rank = np.arange(len(keep)) - np.repeat(group_start, np.diff(np.r_[group_start, len(keep)]))
        keep = keep[rank < MAX_EVIDENCE]
        return entry_pair[keep], span[keep], contrib[keep]

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
        params.setdefault("cue_groups", None)  # a file from before cue_groups: every head saw every cue
        params.setdefault("head_C", None)  # from before head_C and rule_blend: one C, no blend
        params.setdefault("rule_blend", None)
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


def _take_columns(X, columns: np.ndarray):
    return X[:, columns]


def levels_from_proba(proba: np.ndarray) -> np.ndarray:
    """The level of each statement from its probabilities (rows): the expected level, rounded.

    The levels are ordered (0 < 1 < 2) and a miss by two is worse than a miss by
    one (the quadratic-weighted kappa counts it four times): the expected level
    minimises the squared error, where the most probable level can jump over
    the middle one. It also keeps the level in step with the score (expected
    level / 2): level = round(2 x score), halves rounded up. For a binary head
    this is the probability of 1 against 0.5.

    When the model is torn between 0 and 2, the level is 1 even if 1 itself is
    unlikely (0.68 / 0.09 / 0.23 gives 1); the report says so (:func:`analyser.report.torn`). The
    median level (highest k with P(level >= k) >= 1/2), tried in session 9, never
    does that, but scored lower on the companies the model never saw
    (leave-one-company-out, README "Models").
    """
    expected = proba @ np.arange(proba.shape[1])
    return np.floor(expected + 0.5).astype(int)


def _small_ints(a: np.ndarray) -> np.ndarray:
    """``a`` as uint16 when its values fit, which numpy's stable sort orders by radix sort (linear time)."""
    return a.astype(np.uint16) if len(a) and 0 <= a.min() and a.max() < 2 ** 16 else a


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
