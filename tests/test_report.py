"""analyser.report: the Report's JSON form (against the schema), flat row and text rendering."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyser import analyse
from analyser.report import (
    DIMENSIONS, FACETS, LEVEL_NAMES, Advice, DimensionScore, Evidence, FacetScore, Report,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "analyser" / "report.schema.json"

# (case id, statement, language or None to detect)
# fmt: off
STATEMENTS = [
    ("en-specific", "Card payments at checkout failed for customers in the UK between 14:05 and 14:50 GMT. "
                    "The cause was an expired TLS certificate on our API gateway. This was our mistake and we are sorry.", None),
    ("en-vague",    "Some users may be experiencing issues with our services. Thank you for your patience!", None),
    ("fr-html",     "<p>Suite à une panne, le trafic est interrompu depuis 7h40.</p><p>Nous nous excusons 😅</p>", None),
    ("zh-Hans",     "今天16:50，微信上海数据中心抽搐了一下，少部分用户无法正常登录。目前攻城狮正在玩命修复中，对不起大家！", None),
    ("zh-Hant",     "本公司行動網路於今日上午8時15分起發生異常，工程師已於9:40完成修復。造成不便，敬請見諒。", "zh-Hant"),
    ("other-lang",  "Il servizio di pagamento è tornato disponibile per tutti i clienti.", None),
    ("emoji-only",  "🔥🔥 100%", None),
]
# fmt: on
IDS = [s[0] for s in STATEMENTS]
ROW_COLUMNS = [f"{d}_{k}" for d in DIMENSIONS for k in ("level", "score")] + [
    "has_what", "has_scope", "has_when", "has_next", "lang", "evidence",
]


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {case: analyse(text, lang=lang) for case, text, lang in STATEMENTS}


def _evidence(start: int, text: str, cue: str) -> Evidence:
    return Evidence(start, start + len(text), text, cue, 0.87654, "explained", "en/cues.tsv:12")


def _built_report() -> Report:
    """A report as the trained models would give: probabilities, facet probabilities, advice."""
    text = "Payments failed at 14:05 because of an expired certificate. Sorry!"
    dims = {
        "cause": DimensionScore("cause", 2, 0.9, (_evidence(39, "expired certificate", "cause.mechanism"),), (0.05, 0.1, 0.85)),
        "apology": DimensionScore("apology", 1, 0.5, (_evidence(60, "Sorry", "apology.formula"),), (0.1, 0.8, 0.1)),
        "humour": DimensionScore("humour", 0, 0.0, (), (1.0, 0.0, 0.0)),
        "vagueness": DimensionScore("vagueness", 1, 0.45, (), (0.2, 0.7, 0.1)),
    }
    facets = {f: FacetScore(f, f in ("what", "when", "why"), 0.5) for f in FACETS}
    facets["when"] = FacetScore("when", True, 0.99, (_evidence(19, "14:05", "when.time"),))
    return Report(text, "en", 0.98765, "model", dims, facets, ("a warning",),
                  (Advice("scope", "Say who is affected."),), n_tokens=12, scored_chars=len(text))


# --- to_dict / to_json ---------------------------------------------------------------------

@pytest.mark.parametrize("case", IDS)
def test_to_dict_validates(reports, validator, case):
    validator.validate(reports[case].to_dict())


def test_model_like_report_validates(validator):
    validator.validate(_built_report().to_dict())


@pytest.mark.parametrize("case", IDS)
def test_to_json_round_trips(reports, case):
    assert json.loads(reports[case].to_json()) == reports[case].to_dict()


@pytest.mark.parametrize("case", IDS)
def test_to_json_keeps_non_ascii(reports, case):
    report = reports[case]
    if any(ord(ch) > 127 for _, e in report.evidence() for ch in e.text):
        assert "\\u" not in report.to_json()


@pytest.mark.parametrize("case", IDS)
def test_to_dict_lists_every_dimension_and_facet(reports, case):
    d = reports[case].to_dict()
    assert list(d["dimensions"]) == list(DIMENSIONS)
    assert list(d["facets"]) == list(FACETS)


@pytest.mark.parametrize("case", IDS)
def test_missing_facets_are_the_absent_ones(reports, case):
    report = reports[case]
    assert report.missing_facets == [f for f in FACETS if not report.facets[f].present]


@pytest.mark.parametrize("case", IDS)
def test_labels_match_levels(reports, case):
    for name, dim in reports[case].dimensions.items():
        assert dim.label == LEVEL_NAMES[name][dim.level]


@pytest.mark.parametrize("case", IDS)
def test_evidence_slices_the_original(reports, case):
    report = reports[case]
    for _, ev in report.evidence():
        assert report.text[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("case", IDS)
def test_evidence_is_in_text_order(reports, case):
    starts = [e.start for _, e in reports[case].evidence()]
    assert starts == sorted(starts)


def test_rules_score_is_half_the_level():
    report = analyse(STATEMENTS[0][1], method="rules")
    assert all(d.score == d.level / 2 for d in report.dimensions.values())


def test_to_dict_rounds_numbers():
    d = _built_report().to_dict()
    assert d["lang_confidence"] == 0.9877
    assert d["dimensions"]["cause"]["evidence"][0]["weight"] == 0.8765


# --- to_row --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", IDS)
def test_to_row_has_the_columns(reports, case):
    row = reports[case].to_row()
    assert [c for c in row if c in ROW_COLUMNS] == ROW_COLUMNS


@pytest.mark.parametrize("case", IDS)
def test_to_row_evidence_is_json(reports, case):
    evidence = json.loads(reports[case].to_row()["evidence"])
    assert isinstance(evidence, dict)
    assert set(evidence) <= set(DIMENSIONS) | set(FACETS)


@pytest.mark.parametrize("case", IDS)
def test_to_row_evidence_slices_the_original(reports, case):
    report = reports[case]
    for spans in json.loads(report.to_row()["evidence"]).values():
        for ev in spans:
            assert report.text[ev["start"]:ev["end"]] == ev["text"]


@pytest.mark.parametrize("case", IDS)
def test_to_row_values_match_the_report(reports, case):
    report = reports[case]
    row = report.to_row()
    for d in DIMENSIONS:
        assert row[f"{d}_level"] == report.dimensions[d].level
        assert row[f"{d}_score"] == pytest.approx(report.dimensions[d].score, abs=1e-4)
    for f in ("what", "scope", "when", "next"):
        assert row[f"has_{f}"] is report.facets[f].present
    assert row["lang"] == report.lang


def test_to_row_of_report_without_evidence():
    dims = {d: DimensionScore(d, 0, 0.0) for d in DIMENSIONS}
    facets = {f: FacetScore(f, False) for f in FACETS}
    row = Report("x", "und", 0.0, "rules", dims, facets).to_row()
    assert json.loads(row["evidence"]) == {}


# --- text rendering ------------------------------------------------------------------------

@pytest.mark.parametrize("case", IDS)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_str_names_every_dimension(reports, case, dimension):
    assert dimension in str(reports[case])


@pytest.mark.parametrize("case", IDS)
def test_str_names_the_language(reports, case):
    assert reports[case].lang in str(reports[case])


def test_str_of_model_like_report_shows_warning_and_advice():
    text = str(_built_report())
    assert "a warning" in text and "Say who is affected." in text


# --- the evidence column's JSON, written piece by piece --------------------------------------

TRICKY_TEXTS = ['plain', 'say "hi"', "back\\slash", "line\nbreak\ttab\r", "\x00\x1f\x7f", "ünïcödé 微信 😅",
                "\u2028\u2029", "\ud800 lone surrogate", ""]
TRICKY_WEIGHTS = [0.87654, 1e-06, 0.00004, 0.00005, -0.123456, 12345.6789, 1.0, 3, 0.1 + 0.2, float("nan"), float("inf")]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
@pytest.mark.parametrize("weight", TRICKY_WEIGHTS)
def test_evidence_to_json_is_what_json_dumps_writes(text, weight):
    e = Evidence(3, 3 + len(text), text, f"cue {text}", weight, f"because {text}", f"src {text}")
    assert e.to_json() == json.dumps(e.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("case", IDS)
def test_to_row_evidence_is_what_json_dumps_writes(reports, case):
    report = reports[case]
    spans = {k: [e.to_dict() for e in v.evidence] for k, v in {**report.dimensions, **report.facets}.items() if v.evidence}
    assert spans, "every case has some evidence"
    assert report.to_row()["evidence"] == json.dumps(spans, ensure_ascii=False)


def test_a_torn_level_is_noted_in_the_row_warnings_and_the_json(validator):
    """A table of levels alone would count a torn level 1 as level 1: its row says it is torn."""
    from dataclasses import replace

    from analyser.report import torn_note

    assert torn_note("cause", 1, (0.68, 0.09, 0.23)) == ("cause level 1 is torn between 0 (0.68) and 2 (0.23), "
                                                        "1 itself 0.09: the facets and advice read it as 0")
    assert torn_note("cause", 1, (0.46, 0.10, 0.44)).endswith("read it as 1")  # the median: a cause more likely given
    assert torn_note("cause", 1, (0.2, 0.7, 0.1)) == "" and torn_note("cause", 0, (0.68, 0.09, 0.23)) == ""
    assert torn_note("cause", 1, None) == ""  # the cue rules give no probabilities
    report = _built_report()
    assert report.to_row()["warnings"] == "a warning"
    torn = replace(report, dimensions={**report.dimensions, "humour": DimensionScore("humour", 1, 0.5, (), (0.6, 0.1, 0.3))})
    assert torn.to_row()["warnings"] == ("a warning; humour level 1 is torn between 0 (0.60) and 2 (0.30), "
                                         "1 itself 0.10: the facets and advice read it as 0")
    assert torn.to_dict()["dimensions"]["humour"]["torn"] == [0, 2]
    assert report.to_dict()["dimensions"]["humour"]["torn"] is None
    validator.validate(torn.to_dict())


def test_the_stage_is_in_the_json(reports, validator):
    from dataclasses import replace

    assert reports["en-vague"].to_dict()["stage"] is None
    resolved = replace(_built_report(), stage="resolved")
    validator.validate(resolved.to_dict())
    assert resolved.to_dict()["stage"] == "resolved"
    assert "stage: resolved" in str(resolved).splitlines()[0]
