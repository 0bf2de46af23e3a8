"""Features of a prepared statement, for the trained models.

Two blocks:

* **cue features** (:func:`cue_features`): per cue kind, presence, a capped count
  and a rate per 20 tokens, plus structural features (length, digits, numbers,
  exclamation and question marks, capitals, sentences, emoji other than alert icons). They are the same in
  every language, so what is learnt from one language carries to the others;
  rates rather than sums keep long texts from saturating them.
* **n-grams** (:func:`ngram_terms`, fed to a ``TfidfVectorizer`` in training and
  to :func:`tfidf_entries`, its numpy-only twin, when scoring): word
  unigrams and bigrams of the tokens with digits folded to ``0`` (so
  ``16:50`` and ``09:15`` are one feature), and character bigrams of CJK runs
  (robust to segmentation choices).

:func:`ngram_spans` yields the same terms with their spans, so that a model's
strongest n-grams can be shown as evidence at character offsets;
:class:`VocabularyNgrams` finds just those a fitted vocabulary knows, which is
what scoring needs, without building every term.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .cues import cue_kinds

_DIGIT_FOLD = str.maketrans("123456789", "000000000")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d+")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]")
_EMOJI_LIKE = re.compile(r"[\U0001F300-\U0010FFFF]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_SENT_END = re.compile(r"[.!?。！？\n]+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
STRUCTURAL = ("log_tokens", "digit_share", "numbers", "exclaims", "questions", "capitals", "sentences", "emoji_like")


def ngram_spans(prepared) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` for every n-gram of a prepared statement."""
    words = [t for t in prepared.tokens if not _PUNCT_ONLY.match(t.norm)]
    folded = [t.norm.translate(_DIGIT_FOLD) for t in words]
    out = [(f"w:{f}", t.start, t.end) for f, t in zip(folded, words)]
    out += [(f"b:{f} {g}", a.start, b.end) for f, g, a, b in zip(folded, folded[1:], words, words[1:])]
    for m in _CJK_RUN.finditer(prepared.match_text):
        run, base = m.group(0), m.start()
        out.extend((f"c:{run[i:i + 2]}", base + i, base + i + 2) for i in range(len(run) - 1))
    return out


def ngram_terms(prepared) -> list[str]:
    """The analyzer given to ``TfidfVectorizer``: the terms of :func:`ngram_spans`."""
    return [term for term, _, _ in ngram_spans(prepared)]


def feature_kinds() -> list[str]:
    """The cue kinds the models see, sorted: all but those ``cue_kinds.json`` marks ``"feature": false``
    (the statement's stage, which the report and the advice use)."""
    return sorted(k for k, v in cue_kinds().items() if v.get("feature", True))


def cue_feature_names() -> list[str]:
    names = []
    for kind in feature_kinds():
        names += [f"cue:{kind}:present", f"cue:{kind}:count", f"cue:{kind}:rate"]
    return names + [f"struct:{s}" for s in STRUCTURAL]


def cue_features(X) -> np.ndarray:
    """Cue and structural features of prepared statements, one row each (no fitting needed)."""
    kinds = feature_kinds()
    index = {k: i for i, k in enumerate(kinds)}
    k = len(kinds)
    rows, cols, n_tok, struct = [], [], [], []
    for row, p in enumerate(X):
        for m in p.cues:
            col = index.get(m.entry.cue)
            if col is not None:
                rows.append(row)
                cols.append(col)
        tokens = max(1, len(p.tokens))
        n_tok.append(tokens)
        text = p.text
        n = max(1, len(text))
        struct.append((
            min(math.log1p(tokens) / 6, 1.5),
            len(_DIGIT.findall(text)) / n,
            min(len(_NUMBER.findall(text)) / 10, 1),
            min(text.count("!") + text.count("！"), 5) / 5,
            min(text.count("?") + text.count("？"), 5) / 5,
            len(_UPPER.findall(text)) / n,
            min(len(_SENT_END.findall(text)) / 10, 1),
            # alert and status icons (⚠ 🔴 🚨, the humour.alert cues) are not a light tone (rubric humour 0)
            min(len(_EMOJI_LIKE.findall(text)) - sum(1 for m in p.cues if m.entry.cue == "humour.alert"
                                                      and _EMOJI_LIKE.match(text, m.start)), 5) / 5,
        ))
    counts = np.zeros((len(X), k))
    np.add.at(counts, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)), 1)
    out = np.zeros((len(X), 3 * k + len(STRUCTURAL)), dtype=np.float64)
    out[:, 0:3 * k:3] = counts > 0
    out[:, 1:3 * k:3] = np.minimum(counts, 3) / 3
    out[:, 2:3 * k:3] = np.minimum(counts * 20 / np.asarray(n_tok, dtype=np.float64)[:, None], 1)
    if struct:
        out[:, 3 * k:] = struct
    return out


def tfidf_entries(row: np.ndarray, term: np.ndarray, n: int, idf: np.ndarray):
    """TF-IDF values of ``n`` statements from their n-grams found in the vocabulary (the
    statement ``row`` and vocabulary ``term`` of each), exactly as scikit-learn's
    ``TfidfVectorizer(analyzer=ngram_terms, sublinear_tf=True)`` computes them
    (l2-normalised), without importing scikit-learn or scipy.

    Returns ``(rows, columns, values, per_ngram)``: the distinct (row, term) pairs sorted
    by row then term, their values, and the value of each given n-gram's pair.
    """
    # distinct (row, term) pairs, sorted by row then term, with how often each occurs
    keys, inverse, counts = np.unique(row * len(idf) + term, return_inverse=True, return_counts=True)
    rows, cols = np.divmod(keys, len(idf))
    vals = (1.0 + np.log(counts)) * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    vals = vals / norms[rows]
    return rows, cols, vals, vals[inverse.reshape(-1)]


class VocabularyNgrams:
    """The n-grams of :func:`ngram_spans` that are in a fitted vocabulary, found cheaply.

    Scoring needs only the n-grams the model knows, so instead of building every
    term string: each distinct token is classified, folded and looked up once
    (a bounded cache), and a word bigram is looked up only when both its words
    are in the vocabulary. That holds for every vocabulary ``TfidfVectorizer``
    fits (a bigram in ``min_df`` documents has its words in as many); it is
    checked here, and without it every bigram is looked up.
    """

    #: Distinct tokens remembered at most (about 150 bytes each); the cache starts again when full.
    CACHE = 20_000

    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = vocabulary
        self._words: dict[str, tuple[str, int] | None] = {}
        words = {t[2:] for t in vocabulary if t.startswith("w:")}
        self._bigrams_need_words = all(
            t[2:].split(" ", 1)[0] in words and t[2:].split(" ", 1)[-1] in words for t in vocabulary if t.startswith("b:"))

    def find(self, prepared, terms: list[int], starts: list[int], ends: list[int]) -> None:
        """Append the vocabulary index and span of each known n-gram of ``prepared``, in
        :func:`ngram_spans` order (words, then word bigrams, then CJK character bigrams)."""
        vocab, cache = self.vocabulary, self._words
        if len(cache) > self.CACHE:
            cache.clear()
        words = []
        for t in prepared.tokens:
            w = cache.get(t.norm, False)
            if w is False:
                if _PUNCT_ONLY.match(t.norm):
                    w = None
                else:
                    folded = t.norm.translate(_DIGIT_FOLD)
                    w = (folded, vocab.get(f"w:{folded}", -1))
                cache[t.norm] = w
            if w is not None:
                words.append((w[0], w[1], t.start, t.end))
        for _, j, s, e in words:
            if j >= 0:
                terms.append(j), starts.append(s), ends.append(e)
        need_words = self._bigrams_need_words
        for (f, j, s, _), (g, k, _, e) in zip(words, words[1:]):
            if need_words and (j < 0 or k < 0):
                continue
            b = vocab.get(f"b:{f} {g}")
            if b is not None:
                terms.append(b), starts.append(s), ends.append(e)
        for m in _CJK_RUN.finditer(prepared.match_text):
            run, base = m.group(0), m.start()
            for i in range(len(run) - 1):
                c = vocab.get(f"c:{run[i:i + 2]}")
                if c is not None:
                    terms.append(c), starts.append(base + i), ends.append(base + i + 2)
