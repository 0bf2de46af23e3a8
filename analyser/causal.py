"""Causal sentences: does one sentence state a cause *and* its effect?

A component of the cause dimension (issue 4). :class:`CausalSentenceModel` is
a scikit-learn ``Pipeline`` over prepared sentences:

* **terms**: TF-IDF of the word unigrams and bigrams of
  :func:`analyser.features.ngram_terms` plus word prefixes and suffixes
  (:func:`causal_terms`; a cheap stand-in for stemming);
* **chars** (optional, chosen by cross-validation): TF-IDF of character
  2-5-grams inside word boundaries;
* **markers** (:class:`CausalMarkers`): general English causal language
  (connectives, causal verbs, reason and result nouns, temporal-causal and
  purpose markers), each as "present" and "present with words on both sides"
  (a causal sentence needs a cause and an effect), the ``cause.connective``
  cues of the English lexicon, and a few structural counts;
* a logistic regression (liblinear), whose probabilities are used as they are;
  the decision threshold is chosen by cross-validation.

Benchmark: the Causal News Corpus (CNC, Tan et al. 2022), V1 subtask 1, at
``../shared/benchmarks/causal_news_corpus``. Model selection uses only 5-fold
cross-validation on V1 *train*, grouped by its annotation batches
(``sample_set``, like the dev split, which is a batch of its own); the chosen
configuration is then trained on all of train and scored once on V1 dev
(:func:`evaluate_cnc`, :func:`train_cnc`).

:func:`sentence_causality` splits a prepared statement into sentences and
gives each one's causal probability (offsets into the normalised text), for
the cause model (max over sentences) and as evidence.

Model files are skops archives loaded with an explicit list of trusted types
(:data:`TRUSTED`): loading never runs code from the file (no pickle).
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import time
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .errors import DataError, InputError, ModelError
from .features import _PUNCT_ONLY, ngram_terms

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CNC = ROOT.parent / "shared" / "benchmarks" / "causal_news_corpus"
MODEL_FILE = "causal.skops"
METRICS_FILE = "causal_metrics.json"
FORMAT = "analyser-causal/1"
#: Published V1 dev baselines (binary F1 x 100), from the CNC repository README.
BASELINES = {"bert-base-cased (repo baseline)": 83.47, "LSTM (repo baseline)": 74.07}
#: The types a causal model file may contain beyond skops' defaults. Reviewed by
#: hand: none of them runs code when loaded.
TRUSTED = [
    "analyser.causal.CausalMarkers",
    "analyser.causal.causal_terms",
    "analyser.causal.sentence_text",
]


# -- features -----------------------------------------------------------------
def causal_terms(prepared) -> list[str]:
    """The TF-IDF analyzer: word uni- and bigrams (:func:`ngram_terms`) plus
    5-letter prefixes and 3-letter suffixes of longer words."""
    out = ngram_terms(prepared)
    for t in prepared.tokens:
        w = t.norm
        if len(w) > 4 and w[0].isalpha() and not _PUNCT_ONLY.match(w):
            out.append("s:" + w[-3:])
            if len(w) > 5:
                out.append("p:" + w[:5])
    return out


def sentence_text(prepared) -> str:
    """The preprocessor of the character n-grams: the lower-cased text."""
    return prepared.text.lower()


#: General English causal language, grouped. One alternation, scanned once per
#: sentence; groups are built not to overlap (longer phrases come first).
MARKERS: dict[str, str] = {
    "response": r"in (?:direct )?(?:response|reaction|retaliation|protest|solidarity|support|opposition|reply) (?:to|against|at|over|for|with|of)",
    "wake": r"in the (?:wake|aftermath) of|on the heels of",
    "due_to": r"due to|owing to|on account of|thanks to|because of|as a (?:direct )?(?:result|consequence) of",
    "result_adv": r"as a (?:direct )?(?:result|consequence)|consequently|therefore|thus|hence|accordingly",
    "purpose": r"in order to|so as to|so that|in (?:a|an) (?:bid|attempt|effort) to|aimed at|with the aim of",
    "because": r"because",
    "cause_verb": (r"caus(?:e|es|ed|ing)|(?:lead|leads|leading|led) to|result(?:s|ed|ing)? (?:in|from)|spark(?:s|ed|ing)?"
                   r"|trigger(?:s|ed|ing)?|prompt(?:s|ed|ing)|provok(?:e|es|ed|ing)|fuel(?:s|led|ed|ling|ing)"
                   r"|forc(?:e|es|ed|ing)|drove|driven|(?:brought|bring|brings|bringing) about|(?:give|gives|gave|given|giving) rise to"
                   r"|contribut(?:e|es|ed|ing) to|blam(?:e|es|ed|ing)|attribut(?:ed|able) to|stem(?:s|med|ming)? from"
                   r"|compel(?:s|led|ling)|prevent(?:s|ed|ing)|allow(?:s|ed|ing)|enabl(?:e|es|ed|ing)|mak(?:e|es|ing)|made"),
    "reason_noun": r"reasons?|why|motives?|grounds|pretext",
    "effect_noun": r"results?|consequences?|effects?|impacts?|outcomes?|aftermath",
    "after": r"after|afterwards",
    "following": r"following",
    "when": r"when|whenever|once|upon",
    "since": r"since",
    "amid": r"amid|amidst",
    "as": r"as",
    "if": r"if|unless|provided that",
    "demand": r"demand(?:s|ed|ing)?|call(?:s|ed|ing)? for|urg(?:e|es|ed|ing)|seek(?:s|ing)?|sought",
    "over": r"over",
    "against": r"against",
    "for": r"for",
    "so": r"so",
}
_MARKER_RX = re.compile(r"\b(?:" + "|".join(f"(?P<{k}>{v})" for k, v in MARKERS.items()) + r")\b")
_CLAUSE = re.compile(r"\b(?:and|but|while|which|who|whom|whose|that|where)\b|,")
_VERBISH = re.compile(r"\b[a-z]{3,}(?:ed|ing)\b")
#: Words needed on each side of a marker for "both sides" (a cause and an effect).
SIDE_WORDS = 3
_WORDS = re.compile(r"[^\W_]+")
STRUCT = ("log_tokens", "commas_clauses", "verbish", "connective_present", "connective_count", "connective_weight")


class CausalMarkers(TransformerMixin, BaseEstimator):
    """Stateless: prepared sentences -> causal-marker and structural features."""

    def fit(self, X, y=None):
        return self

    def get_feature_names_out(self, input_features=None):
        names = [f"marker:{k}:{s}" for k in MARKERS for s in ("present", "inside")]
        return np.asarray(names + [f"struct:{s}" for s in STRUCT], dtype=object)

    def transform(self, X):
        keys = list(MARKERS)
        index = {k: i for i, k in enumerate(keys)}
        out = np.zeros((len(X), 2 * len(keys) + len(STRUCT)), dtype=np.float64)
        s = 2 * len(keys)
        for row, p in enumerate(X):
            text = p.text.lower()
            n_words = len(_WORDS.findall(text))
            for m in _MARKER_RX.finditer(text):
                j = 2 * index[m.lastgroup]
                out[row, j] = 1.0
                if out[row, j + 1] == 0.0:
                    before = len(_WORDS.findall(text, 0, m.start()))
                    if before >= SIDE_WORDS and n_words - before - len(_WORDS.findall(m.group(0))) >= SIDE_WORDS:
                        out[row, j + 1] = 1.0
            conn = [c.entry.weight for c in p.cues if c.entry.cue == "cause.connective"]
            out[row, s:] = (
                min(math.log1p(n_words) / 4, 1.5),
                min(len(_CLAUSE.findall(text)) / 6, 1.0),
                min(len(_VERBISH.findall(text)) / 6, 1.0),
                float(bool(conn)),
                min(len(conn), 3) / 3,
                max(conn, default=0.0),
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


# -- light preparation ----------------------------------------------------------
_SPACE = re.compile(r"\s+")
_LIGHT_TOKEN = re.compile(
    r"[^\W_]+(?=n['’]t\b)|n['’]t\b|['’](?:s|m|d|ll|re|ve)\b|``|''|\.\.\.|--"
    r"|\d+(?:[.,:/]\d+)*[^\W\d_]*|(?:[^\W\d_]\.){2,}|[^\W_]+|\S",
    re.IGNORECASE,
)


class LightToken(NamedTuple):
    """A token of the light path (same fields as :class:`analyser.tokenise.Token`, cheaper to make)."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """What the causal features read of a sentence: the parts of a ``Prepared`` they use."""

    text: str
    match_text: str
    tokens: tuple
    cues: tuple
    lang: str = "en"


def light_prepare(text: str, lang: str = "en") -> Sentence:
    """A lighter path than :func:`analyser.prepare.prepare` for one plain sentence:
    NFKC and white-space folding, a regular-expression tokeniser close to
    spaCy's for English, and the same cue matcher. No HTML handling, language
    detection or offsets back to an original text."""
    from .cues import matcher_for

    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    matcher = matcher_for(lang)
    match_text = matcher.match_form(text)
    tokens = tuple([LightToken(m.group(0), m.start(), m.end()) for m in _LIGHT_TOKEN.finditer(match_text)])
    return Sentence(text, match_text, tokens, tuple(matcher.find(match_text, formed=True)), lang)


def _as_prepared(items, lang: str, light: bool) -> list:
    from .prepare import prepare

    out = []
    for x in items:
        if isinstance(x, str):
            out.append(light_prepare(x, lang) if light else prepare(x, lang))
        elif hasattr(x, "text") and hasattr(x, "tokens") and hasattr(x, "cues"):
            out.append(x)
        else:
            raise InputError(f"expected a sentence or a prepared statement, got {type(x).__name__}")
    return out


# -- the model ------------------------------------------------------------------
#: The configuration chosen by 5-fold grouped cross-validation on CNC V1 train
#: (see :data:`CANDIDATES` and ``models/causal_metrics.json``).
DEFAULT_PARAMS = {"C": 3.0, "chars": False, "weighting": "agreement", "threshold": 0.4}


class CausalSentenceModel:
    """Probability that a sentence states a cause and its effect (CNC's "Causal")."""

    def __init__(self, C: float = DEFAULT_PARAMS["C"], chars: bool = DEFAULT_PARAMS["chars"],
                 weighting: str = DEFAULT_PARAMS["weighting"], threshold: float = DEFAULT_PARAMS["threshold"],
                 min_df: int = 2, lang: str = "en"):
        if weighting not in ("none", "agreement"):
            raise ValueError(f"weighting must be 'none' or 'agreement', not {weighting!r}")
        self.C = float(C)
        self.chars = bool(chars)
        self.weighting = weighting
        self.threshold = float(threshold)
        self.min_df = int(min_df)
        self.lang = lang
        self.meta: dict = {}

    def params(self) -> dict:
        return {"C": self.C, "chars": self.chars, "weighting": self.weighting, "threshold": self.threshold,
                "min_df": self.min_df, "lang": self.lang}

    def build(self):
        """The unfitted scikit-learn Pipeline."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        parts = [("terms", TfidfVectorizer(analyzer=causal_terms, min_df=self.min_df, sublinear_tf=True,
                                           lowercase=False, dtype=np.float64))]
        if self.chars:
            parts.append(("chars", TfidfVectorizer(analyzer="char_wb", preprocessor=sentence_text, ngram_range=(2, 5),
                                                   min_df=self.min_df, sublinear_tf=True, dtype=np.float64)))
        parts.append(("markers", CausalMarkers()))
        return Pipeline([("features", FeatureUnion(parts)),
                         ("clf", LogisticRegression(C=self.C, solver="liblinear", max_iter=1000, random_state=0))])

    def fit(self, texts, y, agreement=None, light: bool = False) -> "CausalSentenceModel":
        """Fit on sentences (strings, prepared with ``lang``, or prepared objects) and 0/1 labels.

        ``agreement`` (annotator agreement per sentence, 0-1) is used as sample
        weights when ``weighting="agreement"``.
        """
        X = _as_prepared(texts, self.lang, light)
        y = np.asarray(y, dtype=int)
        if len(X) != len(y):
            raise ValueError(f"{len(X)} sentences but {len(y)} labels")
        kwargs = {}
        if self.weighting == "agreement" and agreement is not None:
            kwargs["clf__sample_weight"] = np.asarray(agreement, dtype=np.float64)
        self.pipeline_ = self.build().fit(X, y, **kwargs)
        for _, t in self.pipeline_.named_steps["features"].transformer_list:
            if hasattr(t, "stop_words_"):
                t.stop_words_ = None  # only for introspection, and large
        return self

    def predict_proba(self, texts, light: bool = False) -> np.ndarray:
        """``(n, 2)`` probabilities of not causal / causal."""
        if not hasattr(self, "pipeline_"):
            raise ModelError("the causal model is not trained")
        X = _as_prepared(texts, self.lang, light)
        if not X:
            return np.zeros((0, 2))
        return self.pipeline_.predict_proba(X)

    def predict(self, texts, light: bool = False) -> np.ndarray:
        return (self.predict_proba(texts, light)[:, 1] >= self.threshold).astype(int)

    # -- persistence ------------------------------------------------------------
    def save(self, path: Path, meta: dict | None = None) -> None:
        """Write a skops archive; the bytes depend only on the model (fixed zip timestamps)."""
        import sklearn
        import skops.io as sio

        path = Path(path)
        meta = dict(meta or self.meta)
        meta.setdefault("versions", {"scikit-learn": sklearn.__version__})
        payload = {"format": FORMAT, "params": json.dumps(self.params(), sort_keys=True),
                   "meta": json.dumps(meta, sort_keys=True), "pipeline": self.pipeline_}
        raw = sio.dumps(payload, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        from .tables import atomic_path

        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(_fixed_zip(raw))

    @classmethod
    def load(cls, path: Path) -> "CausalSentenceModel":
        import skops.io as sio

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"no causal model at {path}; run `python -m analyser evaluate --causal --causal-save`")
        try:
            untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, json.JSONDecodeError, OSError) as exc:
            raise ModelError(f"{path} is not a valid causal model file (corrupted or truncated: {exc})") from None
        if untrusted:
            raise ModelError(f"{path} contains types this version does not trust: {', '.join(sorted(untrusted))}")
        try:
            payload = sio.load(path, trusted=TRUSTED)
        except Exception as exc:  # skops raises many types on damaged files
            raise ModelError(f"{path} could not be loaded ({type(exc).__name__}: {exc})") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelError(f"{path} is not a causal sentence model ({FORMAT})")
        try:
            params = json.loads(payload["params"])
            model = cls(**params)
            model.meta = json.loads(payload["meta"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{path} has a malformed header ({exc})") from None
        model.pipeline_ = payload["pipeline"]
        _check_versions(model.meta, path)
        return model


_SKOPS_REF = re.compile(r'("__id__": |"file": ")(\d+)')


def _fixed_zip(raw: bytes) -> bytes:
    """The same skops archive with reproducible bytes.

    skops names objects and array files by ``id()``, which changes from run to
    run: those numbers are renumbered in order of first appearance (they only
    need to be unique), entries are sorted and timestamps fixed.
    """
    src = zipfile.ZipFile(io.BytesIO(raw))
    schema = src.read("schema.json").decode("utf-8")
    ids: dict[str, str] = {}

    def renumber(m: re.Match) -> str:
        return m.group(1) + ids.setdefault(m.group(2), str(len(ids) + 1))

    schema = _SKOPS_REF.sub(renumber, schema)
    entries = {"schema.json": schema.encode("utf-8")}
    for name in src.namelist():
        if name != "schema.json":
            stem, dot, ext = name.partition(".")
            if stem not in ids:
                raise ModelError(f"unexpected entry {name!r} in the skops archive")
            entries[ids[stem] + dot + ext] = src.read(name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, entries[name], compresslevel=9)
    return buf.getvalue()


def _check_versions(meta: dict, path: Path) -> None:
    import sklearn

    trained = meta.get("versions", {}).get("scikit-learn")
    if trained and trained.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        warnings.warn(f"{path.name} was trained with scikit-learn {trained}, this is {sklearn.__version__}: "
                      "probabilities may differ; retrain with `python -m analyser evaluate --causal --causal-save`",
                      stacklevel=3)


def causal_model_path() -> Path:
    """$ANALYSER_MODELS/causal.skops, else ``models/`` of the checkout, else the installed copy."""
    env = os.environ.get("ANALYSER_MODELS")
    if env:
        return Path(env) / MODEL_FILE
    checkout = ROOT / "models" / MODEL_FILE
    if checkout.is_file():
        return checkout
    return Path(__file__).resolve().parent / "_models" / MODEL_FILE


@lru_cache(maxsize=1)
def default_causal_model() -> CausalSentenceModel:
    """The installed causal model, loaded once per process."""
    return CausalSentenceModel.load(causal_model_path())


# -- sentences of a statement ---------------------------------------------------
_SENT_END = re.compile(r"[.!?;]+[\"'”’)\]]*(?=\s|$)|[。！？；]+[”’」』）]*|\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, trimmed of white space.

    A sentence ends at ``.``, ``!``, ``?`` or ``;`` before white space (with
    closing quotes or brackets kept), at CJK sentence punctuation, or at a line
    break. Spans without a letter or digit are dropped.
    """
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if any(ch.isalnum() for ch in text[s:e]):
            out.append((s, e))
    return out


def _sub_sentence(prepared, start: int, end: int) -> Sentence:
    """The part of a prepared statement in ``[start, end)``, re-based to 0 (no re-preparation)."""
    from .cues import CueMatch
    from .tokenise import Token

    tokens = tuple(Token(t.norm, t.start - start, t.end - start) for t in prepared.tokens
                   if t.start >= start and t.end <= end)
    cues = tuple(CueMatch(c.start - start, c.end - start, c.entry) for c in prepared.cues
                 if c.start >= start and c.end <= end)
    return Sentence(prepared.text[start:end], prepared.match_text[start:end], tokens, cues, prepared.lang)


def sentence_causality(prepared, model: CausalSentenceModel | None = None,
                       langs: tuple[str, ...] = ("en",)) -> list[tuple[int, int, float]]:
    """``(start, end, p_causal)`` per sentence of a prepared statement.

    Offsets index the normalised text (``prepared.text[start:end]`` is the
    sentence; ``prepared.evidence(start, end, ...)`` maps it to the original).
    The model is trained on English news sentences: for a statement whose
    language is not in ``langs`` the result is ``[]`` (no estimate, rather than
    a meaningless one). ``max(p for *_, p in result)`` is the statement's
    strongest causal sentence.
    """
    lang = getattr(prepared, "lang", "en")
    if lang.split("-")[0] not in langs and lang not in langs:
        return []
    spans = split_sentences(prepared.text)
    if not spans:
        return []
    model = model or default_causal_model()
    probs = model.predict_proba([_sub_sentence(prepared, s, e) for s, e in spans])[:, 1]
    return [(s, e, float(p)) for (s, e), p in zip(spans, probs)]


# -- the benchmark ----------------------------------------------------------------
def load_cnc(root: Path | None = None, split: str = "train"):
    """CNC V1 subtask 1 ``train`` or ``dev`` as a DataFrame (index, text, label, agreement, sample_set)."""
    import pandas as pd

    root = Path(root) if root else DEFAULT_CNC
    path = root / "V1" / f"{split}_subtask1.csv"
    if not path.is_file():
        raise DataError(f"the Causal News Corpus is missing: no {path} (expected ../shared/benchmarks/causal_news_corpus)")
    df = pd.read_csv(path, encoding="utf-8-sig")
    missing = {"text", "label"} - set(df.columns)
    if missing:
        raise DataError(f"{path}: missing columns {', '.join(sorted(missing))}")
    return df


def binary_metrics(y_true, y_pred) -> dict:
    """Binary F1 (positive = 1), precision, recall and accuracy, in percent."""
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    return {"n": int(len(y_true)),
            "f1": round(100 * float(f1_score(y_true, y_pred, zero_division=0)), 2),
            "precision": round(100 * float(precision_score(y_true, y_pred, zero_division=0)), 2),
            "recall": round(100 * float(recall_score(y_true, y_pred, zero_division=0)), 2),
            "accuracy": round(100 * float(accuracy_score(y_true, y_pred)), 2)}


#: The grid searched by cross-validation on V1 train. Order breaks ties: the
#: faster configurations come first.
CANDIDATES = [{"C": C, "chars": chars, "weighting": w}
              for chars in (False, True) for w in ("none", "agreement") for C in (0.3, 1.0, 3.0)]
#: Decision thresholds tried on the out-of-fold probabilities.
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def cross_validate_cnc(train, prepared: list, params: dict, folds: int = 5) -> np.ndarray:
    """Out-of-fold causal probabilities on CNC train, folds grouped by ``sample_set``."""
    from sklearn.model_selection import GroupKFold

    y = train["label"].to_numpy(dtype=int)
    groups = train["sample_set"].to_numpy() if "sample_set" in train else np.arange(len(train)) % folds
    agreement = train["agreement"].to_numpy(dtype=float) if "agreement" in train else None
    prob = np.zeros(len(y))
    for tr_idx, te_idx in GroupKFold(folds).split(prepared, y, groups):
        model = CausalSentenceModel(**params).fit([prepared[i] for i in tr_idx], y[tr_idx],
                                                  agreement=None if agreement is None else agreement[tr_idx])
        prob[te_idx] = model.predict_proba([prepared[i] for i in te_idx])[:, 1]
    return prob


def select_cnc(train, prepared: list, candidates=None, folds: int = 5, log=None) -> list[dict]:
    """Cross-validate every candidate on train; rows best first (F1 at each one's best threshold).

    Only train is read: the dev split plays no part in the choice.
    """
    from sklearn.metrics import f1_score

    y = train["label"].to_numpy(dtype=int)
    rows = []
    for order, params in enumerate(candidates or CANDIDATES):
        prob = cross_validate_cnc(train, prepared, params, folds)
        f1s = {t: float(f1_score(y, prob >= t)) for t in THRESHOLDS}
        best_t = max(THRESHOLDS, key=lambda t: (round(f1s[t], 6), -abs(t - 0.5)))
        row = {**params, "threshold": best_t, "cv_f1": round(100 * f1s[best_t], 2),
               "cv_f1_at_0.5": round(100 * f1s[0.5], 2), "order": order}
        rows.append(row)
        if log:
            log(f"cv {params}: F1 {row['cv_f1']} at {best_t} ({row['cv_f1_at_0.5']} at 0.5)")
    rows.sort(key=lambda r: (-r["cv_f1"], r["order"]))
    return rows


def throughput(model: CausalSentenceModel, texts: list[str], repeat: int = 3, min_n: int = 3000) -> dict:
    """Sentences per second on one core, from raw strings: with :func:`analyser.prepare.prepare`
    and with :func:`light_prepare`. Best of ``repeat`` runs after a warm-up."""
    reps = max(1, math.ceil(min_n / max(1, len(texts))))
    batch = list(texts) * reps
    pinned = None
    if hasattr(os, "sched_getaffinity"):
        pinned = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(pinned)})
    try:
        out = {"sentences": len(batch), "cores": 1}
        for name, light in (("with_prepare", False), ("light", True)):
            model.predict_proba(batch[:50], light=light)  # warm-up: lexicons, tokenisers
            best = math.inf
            for _ in range(repeat):
                t0 = time.perf_counter()
                model.predict_proba(batch, light=light)
                best = min(best, time.perf_counter() - t0)
            out[name] = round(len(batch) / best)
        return out
    finally:
        if pinned is not None:
            os.sched_setaffinity(0, pinned)


def evaluate_cnc(root: Path | None = None, model: CausalSentenceModel | None = None, select: bool = False,
                 speed: bool = True, log=None) -> dict:
    """Train on CNC V1 train (unless ``model`` is given) and score V1 dev once.

    With ``select=True`` the configuration is chosen by grouped 5-fold
    cross-validation on train over :data:`CANDIDATES` (slow: minutes);
    otherwise :data:`DEFAULT_PARAMS`, the configuration that selection chose,
    and only its cross-validation is rerun. Returns the figures
    (percentages) with the model under ``"model"``.
    """
    from .prepare import prepare

    train, dev = load_cnc(root, "train"), load_cnc(root, "dev")
    y_tr, y_dev = train["label"].to_numpy(dtype=int), dev["label"].to_numpy(dtype=int)
    result: dict = {"benchmark": "Causal News Corpus V1, subtask 1 (causal sentence detection)",
                    "protocol": "model chosen by 5-fold cross-validation on train grouped by sample_set; "
                                "trained on all of train; scored once on dev; positive class = 1 (Causal)",
                    "train": int(len(train)), "dev": int(len(dev)), "published_dev_f1": dict(BASELINES)}
    if model is None:
        prepared = [prepare(t, "en") for t in train["text"]]
        if select:
            table = select_cnc(train, prepared, log=log)
            chosen = {k: table[0][k] for k in ("C", "chars", "weighting", "threshold")}
            result["selection"] = table
            cv_f1, cv_05 = table[0]["cv_f1"], table[0]["cv_f1_at_0.5"]
        else:
            chosen = dict(DEFAULT_PARAMS)
            prob = cross_validate_cnc(train, prepared, {k: v for k, v in chosen.items() if k != "threshold"})
            from sklearn.metrics import f1_score

            cv_f1 = round(100 * float(f1_score(y_tr, prob >= chosen["threshold"])), 2)
            cv_05 = round(100 * float(f1_score(y_tr, prob >= 0.5)), 2)
        result["params"] = chosen
        result["cv"] = {"folds": 5, "grouped_by": "sample_set", "f1": cv_f1, "f1_at_0.5": cv_05,
                        "note": "out-of-fold F1 at the threshold chosen on the same folds (slightly optimistic)"}
        model = CausalSentenceModel(**chosen).fit(prepared, y_tr, agreement=train.get("agreement"))
    else:
        result["params"] = {k: v for k, v in model.params().items() if k in ("C", "chars", "weighting", "threshold")}
    texts = dev["text"].tolist()
    p_full = model.predict_proba(texts)[:, 1]
    p_light = model.predict_proba(texts, light=True)[:, 1]
    result["dev_metrics"] = binary_metrics(y_dev, p_full >= model.threshold)
    result["dev_metrics_light"] = binary_metrics(y_dev, p_light >= model.threshold)
    result["dev_metrics_at_0.5"] = binary_metrics(y_dev, p_full >= 0.5)
    majority = int(np.bincount(y_tr).argmax())
    result["dev_majority"] = binary_metrics(y_dev, np.full(len(y_dev), majority))
    if speed:
        result["throughput"] = throughput(model, texts)
    result["model"] = model
    return result


def train_cnc(out_path: Path | None = None, root: Path | None = None, select: bool = True, log=None) -> dict:
    """Select, train and evaluate (:func:`evaluate_cnc`), then write the model and
    ``causal_metrics.json`` beside it. Deterministic: the same data give the same file."""
    import sklearn

    out_path = Path(out_path) if out_path else ROOT / "models" / MODEL_FILE
    result = evaluate_cnc(root, select=select, log=log)
    model = result.pop("model")
    model.meta = {"trained_on": "CNC V1 train_subtask1.csv", "n_train": result["train"],
                  "cv_f1": result["cv"]["f1"], "dev_f1": result["dev_metrics"]["f1"],
                  "versions": {"scikit-learn": sklearn.__version__}}
    model.save(out_path)
    def shown(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(ROOT))
        except ValueError:
            return str(path)

    result["files"] = {"model": shown(out_path), "metrics": shown(out_path.with_name(METRICS_FILE))}
    out_path.with_name(METRICS_FILE).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return result


def markdown(result: dict) -> str:
    """The figures as a markdown table for the model card."""
    d, light, maj = result["dev_metrics"], result["dev_metrics_light"], result["dev_majority"]
    lines = [f"**{result['benchmark']}**: {result['protocol']}.", "",
             "| model (V1 dev) | F1 | precision | recall | accuracy |", "|---|---|---|---|---|",
             f"| causal sentence model (ours, with `prepare`) | **{d['f1']:.2f}** | {d['precision']:.2f} | {d['recall']:.2f} | {d['accuracy']:.2f} |",
             f"| causal sentence model (ours, light path) | {light['f1']:.2f} | {light['precision']:.2f} | {light['recall']:.2f} | {light['accuracy']:.2f} |",
             f"| majority class (all causal) | {maj['f1']:.2f} | {maj['precision']:.2f} | {maj['recall']:.2f} | {maj['accuracy']:.2f} |"]
    lines += [f"| {name} (published) | {f1:.2f} | | | |" for name, f1 in result["published_dev_f1"].items()]
    cv = result.get("cv", {})
    if cv:
        lines += ["", f"Chosen by cross-validation on train only: {result['params']}; CV F1 {cv['f1']:.2f} "
                      f"({cv['f1_at_0.5']:.2f} at threshold 0.5)."]
    if "throughput" in result:
        t = result["throughput"]
        lines += [f"Throughput on one core: {t['with_prepare']:,} sentences/s with `prepare`, "
                  f"{t['light']:,} sentences/s on the light path (from raw strings, preparation included)."]
    return "\n".join(lines)


def main_causal(args) -> int:
    """``python -m analyser evaluate --causal``: figures on CNC V1 dev, as markdown.

    Reads, when present on ``args``: ``cnc`` (folder of the corpus),
    ``causal_select`` (rerun the cross-validated selection over
    :data:`CANDIDATES`, minutes), ``causal_save`` (also write
    ``models/causal.skops`` and ``models/causal_metrics.json``; always reruns
    the selection, so the file is the cross-validation winner and the JSON holds
    the whole table) and ``json`` (a path: also write the figures there).
    Without ``causal_save`` nothing under ``models/`` is touched.
    """
    import sys

    root = getattr(args, "cnc", None)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if getattr(args, "causal_save", False):
        result = train_cnc(None, root, select=True, log=log)
    else:
        result = evaluate_cnc(root, select=bool(getattr(args, "causal_select", False)), log=log)
        result.pop("model", None)
    out = getattr(args, "json", None)
    if isinstance(out, str) and out:
        Path(out).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(markdown(result))
    return 0
