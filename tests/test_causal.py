"""The causal-sentence component (analyser/causal.py), trained on a slice of CNC V1 train."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest

from analyser import causal
from analyser.causal import CausalSentenceModel, sentence_causality, split_sentences
from analyser.errors import ModelError
from analyser.prepare import prepare

pytestmark = pytest.mark.skipif(not (causal.DEFAULT_CNC / "V1" / "train_subtask1.csv").is_file(),
                                reason="../shared/benchmarks/causal_news_corpus is absent")

TRAIN_SETS = ("train_01", "train_02", "train_03", "train_04")
HELD_OUT_SET = "train_09"


class Foreign:
    """A type no causal model file may contain."""

    def __init__(self):
        self.x = 1


@pytest.fixture(scope="module")
def cnc():
    train = causal.load_cnc(None, "train")
    fit = train[train["sample_set"].isin(TRAIN_SETS)]
    held = train[train["sample_set"] == HELD_OUT_SET]
    return fit, held


@pytest.fixture(scope="module")
def model(cnc):
    fit, _ = cnc
    return CausalSentenceModel(C=3.0, weighting="agreement", threshold=0.4).fit(
        fit["text"].tolist(), fit["label"].to_numpy(), agreement=fit["agreement"].to_numpy())


def test_beats_the_majority_baseline_on_a_held_out_slice(cnc, model):
    fit, held = cnc
    y = held["label"].to_numpy()
    majority = int(np.bincount(fit["label"].to_numpy()).argmax())
    pred = model.predict(held["text"].tolist())
    base = causal.binary_metrics(y, np.full(len(y), majority))
    ours = causal.binary_metrics(y, pred)
    assert ours["accuracy"] > base["accuracy"] + 5
    assert ours["f1"] > base["f1"]


def test_probabilities_are_a_distribution(cnc, model):
    p = model.predict_proba(cnc[1]["text"].tolist()[:40])
    assert p.shape == (40, 2)
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p.sum(axis=1), 1.0)


def test_light_path_agrees_with_prepare(cnc, model):
    texts = cnc[1]["text"].tolist()
    full, light = model.predict(texts), model.predict(texts, light=True)
    assert np.mean(full == light) >= 0.9


def test_save_load_round_trip_gives_identical_probabilities(tmp_path, cnc, model):
    path = tmp_path / "causal.skops"
    model.save(path, {"note": "test"})
    loaded = CausalSentenceModel.load(path)
    texts = cnc[1]["text"].tolist()[:60]
    assert np.array_equal(model.predict_proba(texts), loaded.predict_proba(texts))
    assert loaded.params() == model.params()
    assert loaded.meta["note"] == "test"


def test_saved_file_is_reproducible(tmp_path, model):
    a, b = tmp_path / "a.skops", tmp_path / "b.skops"
    model.save(a, {"k": 1})
    CausalSentenceModel.load(a).save(b, {"k": 1})
    assert a.read_bytes() == b.read_bytes()


def test_load_rejects_a_foreign_type(tmp_path):
    import skops.io as sio

    path = tmp_path / "foreign.skops"
    sio.dump({"format": causal.FORMAT, "pipeline": Foreign()}, path)
    with pytest.raises(ModelError, match="does not trust"):
        CausalSentenceModel.load(path)


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04garbage"])
def test_load_rejects_a_damaged_file(tmp_path, content):
    path = tmp_path / "bad.skops"
    path.write_bytes(content)
    with pytest.raises(ModelError):
        CausalSentenceModel.load(path)


def test_load_rejects_a_zip_that_is_not_skops(tmp_path):
    path = tmp_path / "arrays.skops"
    np.savez(path.with_suffix(""), a=np.arange(3))
    path.with_suffix(".npz").rename(path)
    assert zipfile.is_zipfile(path)
    with pytest.raises(ModelError):
        CausalSentenceModel.load(path)


def test_load_rejects_a_skops_file_of_another_format(tmp_path):
    import skops.io as sio

    path = tmp_path / "other.skops"
    sio.dump({"format": "something-else/1", "x": [1, 2]}, path)
    with pytest.raises(ModelError, match="not a causal sentence model"):
        CausalSentenceModel.load(path)


def test_load_of_a_missing_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no causal model"):
        CausalSentenceModel.load(tmp_path / "absent.skops")


STATEMENT = ("  <p>Some users could not log in this morning.</p>\n<p>The outage was caused by an expired "
             "certificate , which led to failed requests !</p> Thanks for   your patience; we apologise.\n"
             "Next update at 16:00.")


def test_sentence_causality_offsets_slice_the_normalised_text(model):
    p = prepare(STATEMENT, "en")
    result = sentence_causality(p, model)
    sentences = [p.text[s:e] for s, e, _ in result]
    assert sentences == [
        "Some users could not log in this morning.",
        "The outage was caused by an expired certificate , which led to failed requests !",
        "Thanks for your patience;",
        "we apologise.",
        "Next update at 16:00.",
    ]
    assert all(0.0 <= prob <= 1.0 for *_, prob in result)
    # the spans map back to the original text too
    s, e, _ = result[1]
    assert p.evidence(s, e, "causal", 1.0, "causal sentence").text.startswith("The outage was caused by")


def test_sentence_causality_matches_scoring_the_sentences_alone(model):
    p = prepare(STATEMENT, "en")
    result = sentence_causality(p, model)
    alone = model.predict_proba([p.text[s:e] for s, e, _ in result])[:, 1]
    assert np.allclose([prob for *_, prob in result], alone, atol=0.05)


def test_sentence_causality_gives_nothing_for_other_languages(model):
    p = prepare("Le service est interrompu à cause d'une panne de courant.", "fr")
    assert sentence_causality(p, model) == []


@pytest.mark.parametrize("text, expected", [
    ("One. Two!  Three?", ["One.", "Two!", "Three?"]),
    ("Version 2.1 is out. It works", ["Version 2.1 is out.", "It works"]),
    ("He said \"stop.\" Then left.", ["He said \"stop.\"", "Then left."]),
    ("服务中断。原因是断电！", ["服务中断。", "原因是断电！"]),
    ("line one\nline two", ["line one", "line two"]),
    ("... !!", []),
    ("", []),
])
def test_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_markers_are_general_causal_language():
    X = causal.CausalMarkers().transform([prepare("Prices rose sharply because of the drought in the south.", "en")])
    names = list(causal.CausalMarkers().get_feature_names_out())
    assert X[0, names.index("marker:due_to:present")] == 1.0
    assert X[0, names.index("marker:due_to:inside")] == 1.0
    assert X[0, names.index("struct:connective_present")] == 1.0
