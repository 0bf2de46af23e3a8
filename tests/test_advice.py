"""analyser.advice: one suggestion per shortfall, in the statement's language, from data files."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from analyser import analyse
from analyser.advice import advise, catalogue, shortfalls
from analyser.languages import lang_dir
from analyser.report import DIMENSIONS, FACETS, Advice, DimensionScore, Evidence, FacetScore, Report, decided
from analyser.script import convert

FOLDERS = ("common", "en", "fr", "de", "es", "zh")
KEYS = json.loads((lang_dir() / "common" / "advice.json").read_text(encoding="utf-8"))["messages"].keys()

# A statement per language that falls short on everything the rules can see: no product, no scope,
# no time, no cause, no next step, no apology, a joke, effort boilerplate.
# fmt: off
BAD = {
    "en": "Our servers are taking an unscheduled nap 😴. Some users may see errors. We are working hard on it!",
    "fr": "Suite à un incident technique, certains clients rencontrent des perturbations. Nos équipes sont mobilisées 😅",
    "de": "Aufgrund einer Störung haben einige Kunden Probleme. Wir arbeiten mit Hochdruck an einer Lösung 😅",
    "es": "Debido a una incidencia, algunos clientes tienen problemas. Estamos trabajando para solucionarlo 😅",
    "zh-Hans": "由于技术原因，少部分用户可能出现异常。攻城狮正在全力抢修中，请耐心等待哈",
    "zh-Hant": "由於技術原因，少部分用戶可能出現異常。攻城獅正在全力搶修中，請耐心等待哈",
}
# The same shortfalls mended: product, scope, time, specific cause, next update, accountable apology, plain tone.
GOOD = {
    "en": "Card payments failed for all customers in the UK from 14:05 to 14:50 GMT because of an expired TLS "
          "certificate on our API gateway. Next update at 15:30 GMT. This was our mistake and we are sorry: "
          "affected customers will receive a refund.",
}
# fmt: on
#: A word of each language's messages that the others lack (a cheap language check).
MARKERS = {"en": "the", "fr": "le", "de": "Sie", "es": "el"}


def _hans_chars(text: str) -> int:
    """How many characters change when converted to traditional script (Taiwan standard, as the advice is)."""
    return sum(a != b for a, b in zip(text, convert(text, "s2tw")))


def _hant_chars(text: str) -> int:
    return sum(a != b for a, b in zip(text, convert(text, "t2s")))


@pytest.fixture(scope="module")
def bad() -> dict[str, Report]:
    return {lang: analyse(text, lang=lang, method="rules") for lang, text in BAD.items()}


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_language_file_has_every_message(folder):
    data = json.loads((lang_dir() / folder / "advice.json").read_text(encoding="utf-8"))
    assert set(data["messages"]) == set(KEYS)
    for key, msg in data["messages"].items():
        assert ("{quote}" in msg) == key.endswith("_quoted"), key
        assert msg.strip() == msg and msg


@pytest.mark.parametrize("lang", list(BAD))
def test_each_shortfall_yields_advice_in_the_statements_language(bad, lang):
    report = bad[lang]
    topics = [a.topic for a in report.advice]
    for topic in ("what", "scope", "when", "cause", "next", "apology", "humour", "boilerplate"):
        assert topic in topics, (topic, report)
    assert len(topics) == len(set(topics))
    cat = catalogue(lang)
    # the messages are the language's own, not the English fallback
    messages = " ".join(a.message for a in report.advice)
    if lang in MARKERS:
        english = catalogue("en").messages
        assert all(a.message not in english.values() for a in report.advice if lang != "en")
        assert f" {MARKERS[lang]} " in f" {messages} "
    # the offending spans are quoted with the language's quote marks
    boiler = next(a.message for a in report.advice if a.topic == "boilerplate")
    assert cat.quote[0] in boiler and cat.quote[1] in boiler


def test_advice_quotes_the_boilerplate_and_the_joke(bad):
    en = {a.topic: a.message for a in bad["en"].advice}
    assert "“working hard”" in en["boilerplate"]
    assert "“Some users”" in en["scope"]
    zh = {a.topic: a.message for a in bad["zh-Hans"].advice}
    assert "“攻城狮”" in zh["humour"]
    assert "全力抢修" in zh["boilerplate"]


def test_traditional_chinese_statements_get_traditional_advice(bad):
    hans = " ".join(a.message for a in bad["zh-Hans"].advice)
    hant = " ".join(a.message for a in bad["zh-Hant"].advice)
    assert _hans_chars(hans) > 20 and _hant_chars(hans) == 0
    assert _hant_chars(hant) > 20 and _hans_chars(hant) == 0
    assert "「" in hant and "“" not in hant
    assert [a.topic for a in bad["zh-Hans"].advice] == [a.topic for a in bad["zh-Hant"].advice]
    assert "華東" not in hant and "消息" not in hant  # the variant's own examples (Taiwan, Hong Kong)


def test_a_variants_messages_override_the_languages_own():
    from analyser.advice import catalogue

    hans, hant = catalogue("zh-Hans").messages, catalogue("zh-Hant").messages
    assert "华东地区" in hans["scope"] and "北部地区" in hant["scope"]
    assert hans["when"] == hant["when"]  # not overridden: the language's own


def test_languages_without_a_folder_fall_back_to_english():
    report = analyse("Il servizio di pagamento non funziona per alcuni clienti.", method="rules")
    assert report.lang == "it"
    english = set(catalogue("en").messages.values())
    assert report.advice and all(a.message in english for a in report.advice)


def test_no_advice_when_the_statement_has_what_it_needs():
    report = analyse(GOOD["en"], method="rules")
    assert all(report.facets[f].present for f in FACETS), report
    assert report.dimensions["cause"].level == 2 and report.dimensions["apology"].level == 2
    assert report.advice == ()


def _report(levels: dict, present: dict, evidence: tuple = ()) -> Report:
    dims = {d: DimensionScore(d, levels.get(d, 0), levels.get(d, 0) / 2) for d in DIMENSIONS}
    if evidence:
        dims["vagueness"] = replace(dims["vagueness"], evidence=evidence)
    facets = {f: FacetScore(f, present.get(f, False)) for f in FACETS}
    return Report("Text with working hard in it.", "en", 1.0, "rules", dims, facets)


ALL_PRESENT = {f: True for f in FACETS}
GOOD_LEVELS = {"cause": 2, "apology": 2, "humour": 0, "vagueness": 0}


@pytest.mark.parametrize("facet", ["what", "scope", "when", "next"])
def test_a_missing_facet_and_only_it_yields_advice(facet):
    report = advise(_report(GOOD_LEVELS, {**ALL_PRESENT, facet: False}))
    assert [a.topic for a in report.advice] == [facet]
    assert advise(_report(GOOD_LEVELS, ALL_PRESENT)).advice == ()


@pytest.mark.parametrize("dim, level, key", [
    ("cause", 0, "cause_none"), ("cause", 1, "cause_generic"),
    ("apology", 0, "apology_none"), ("apology", 1, "apology_formulaic"),
    ("humour", 1, "humour_light"), ("humour", 2, "humour_joke"),
])
def test_each_dimension_shortfall_yields_its_message(dim, level, key):
    report = advise(_report({**GOOD_LEVELS, dim: level}, ALL_PRESENT))
    assert report.advice == (Advice(dim, catalogue("en").messages[key]),)


def test_boilerplate_needs_a_boilerplate_span():
    ev = (Evidence(10, 22, "working hard", "vagueness.boilerplate", 0.8, "effort boilerplate", "test"),)
    report = advise(_report(GOOD_LEVELS, ALL_PRESENT, ev))
    assert [a.topic for a in report.advice] == ["boilerplate"]
    assert "“working hard”" in report.advice[0].message
    assert shortfalls(_report(GOOD_LEVELS, ALL_PRESENT)) == []


def test_advise_returns_a_copy_and_is_idempotent(bad):
    report = bad["en"]
    again = advise(report)
    assert again == report and again is not report
    bare = replace(report, advice=())
    assert advise(bare).advice == report.advice and bare.advice == ()


def test_advice_reaches_the_json_and_the_text_report(bad):
    report = bad["fr"]
    assert [a["topic"] for a in report.to_dict()["advice"]] == [a.topic for a in report.advice]
    text = str(report)
    assert "advice:" in text and report.advice[0].message.split()[0] in text


@pytest.mark.parametrize("dim, probabilities, key", [
    ("cause", (0.68, 0.09, 0.23), "cause_none"),      # level 1 between a likelier none and specific: advised as none
    ("cause", (0.23, 0.09, 0.68), None),              # the likelier is specific: no cause advice
    ("cause", (0.20, 0.45, 0.35), "cause_generic"),   # a plain level 1
    ("cause", (0.46, 0.10, 0.44), "cause_generic"),   # torn, but a cause is likelier given (0.54): its median, 1
    ("apology", (0.55, 0.10, 0.35), "apology_none"),
    ("humour", (0.26, 0.06, 0.68), "humour_joke"),       # a likelier joke is advised as a joke
    ("humour", (0.60, 0.05, 0.35), None),                # a likelier plain tone: no humour advice
])
def test_a_torn_middle_level_is_advised_as_its_median(dim, probabilities, key):
    from analyser.render import render_text

    p1, p2 = probabilities[1], probabilities[2]
    report = _report(GOOD_LEVELS, ALL_PRESENT)
    dims = dict(report.dimensions)
    dims[dim] = DimensionScore(dim, 1, (p1 + 2 * p2) / 2, (), probabilities)
    report = advise(replace(report, dimensions=dims))
    cat = catalogue("en")
    messages = [a.message for a in report.advice if a.topic == dim]
    assert messages == ([cat.message(key)] if key else [])
    torn_line = [line for line in render_text(report).splitlines() if "torn between" in line]
    if probabilities[1] < min(probabilities[0], probabilities[2]):
        read = decided(1, probabilities)
        assert torn_line == [f"{'':<11}torn between 0 {'none'} ({probabilities[0]:.2f}) and 2 "
                             f"{render_label(dim, 2)} ({probabilities[2]:.2f}): read as {read} {render_label(dim, read)}"]
    else:
        assert torn_line == []


def render_label(dim: str, level: int) -> str:
    from analyser.report import LEVEL_NAMES

    return LEVEL_NAMES[dim][level]


# the stock phrase a formulaic apology is told to go beyond is the statement's own, in every language
STOCK_APOLOGIES = [
    ("en", "We apologise for any inconvenience. Card payments are failing."),
    ("fr", "Nous nous excusons pour la gêne occasionnée. Le site est indisponible."),
    ("de", "Wir bitten um Entschuldigung. Das E-Banking ist gestört."),
    ("es", "Disculpen las molestias. La web no funciona."),
    ("zh-Hans", "给您带来不便，敬请谅解。网上银行暂时无法登录。"),
    ("zh-Hant", "不便之處，敬請原諒。網上銀行服務暫停。"),
]


@pytest.mark.parametrize("lang, text", STOCK_APOLOGIES)
def test_formulaic_apology_advice_quotes_the_statements_own_phrase(lang, text):
    report = analyse(text, lang=lang)
    assert report.dimensions["apology"].level == 1
    (message,) = [a.message for a in report.advice if a.topic == "apology"]
    cat = catalogue(lang)
    quoted = message.split(cat.quote[0], 1)[1].split(cat.quote[1], 1)[0]
    assert quoted and quoted in text, message


def test_the_unquoted_formulaic_apology_message_quotes_nothing():
    """Without the statement's own phrase, the message must not quote a stock one as if it were the draft's."""
    for lang in ("en", "fr", "de", "es", "zh-Hans", "zh-Hant"):
        cat = catalogue(lang)
        message = cat.message("apology_formulaic")
        assert cat.quote[0].strip() not in message and "“" not in message, (lang, message)


# a resolution notice (Report.stage "resolved") is asked for a remediation, not an ETA, and is not
# told to drop a light tone "while users are affected"
def test_a_resolution_notice_is_asked_for_a_remediation_not_an_eta():
    ongoing = _report(GOOD_LEVELS, {**ALL_PRESENT, "next": False})
    resolved = replace(ongoing, stage="resolved")
    assert advise(ongoing).advice == (Advice("next", catalogue("en").messages["next"]),)
    assert advise(resolved).advice == (Advice("next", catalogue("en").messages["next_resolved"]),)


def test_a_resolution_notice_keeps_only_the_joke_advice():
    light = _report({**GOOD_LEVELS, "humour": 1}, ALL_PRESENT)
    joke = _report({**GOOD_LEVELS, "humour": 2}, ALL_PRESENT)
    assert [a.topic for a in advise(light).advice] == ["humour"]
    assert advise(replace(light, stage="resolved")).advice == ()
    assert advise(replace(joke, stage="resolved")).advice == (
        Advice("humour", catalogue("en").messages["humour_joke_resolved"]),)


@pytest.mark.parametrize("lang, text", [
    ("en", "Card payments are working again. Thanks for your patience."),
    ("fr", "Le paiement par carte est rétabli. Merci de votre patience."),
    ("de", "Seit 16:40 Uhr funktioniert das E-Banking wieder."),
    ("es", "El pago con tarjeta vuelve a funcionar. Gracias por su paciencia."),
    ("zh-Hans", "银行卡支付已恢复正常，感谢您的耐心。"),
    ("zh-Hant", "信用卡付款已恢復正常，感謝您的耐心。"),
])
def test_resolution_notices_in_every_language(lang, text):
    report = analyse(text, lang=lang)
    assert report.stage == "resolved" and report.to_dict()["stage"] == "resolved"
    messages = {a.topic: a.message for a in report.advice}
    cat = catalogue(lang)
    assert messages.get("next") in (None, cat.message("next_resolved"))
    assert cat.message("next") not in messages.values()


def test_traditional_advice_writes_taiwan_and_hong_kong_forms():
    """OpenCC's s2t writes 爲/裏/着, which Taiwan and Hong Kong readers do not use: 為/裡/著."""
    hant = " ".join(a.message for a in analyse("服務器故障，正在搶修，不便之處，敬請原諒。", lang="zh-Hant").advice)
    assert "爲" not in hant and "為" in convert("为", catalogue("zh-Hant").convert)


def test_a_long_quote_is_cut_at_a_word():
    from analyser.advice import QUOTE_MAX

    report = analyse("Our apologies for the inconvenience this may have caused to customers. Payments are down.", lang="en")
    quoted = [a.message for a in report.advice if a.topic == "apology"]
    assert quoted and "…" in quoted[0]
    inner = quoted[0].split("“", 1)[1].split("”", 1)[0]
    assert len(inner) <= QUOTE_MAX and inner[:-1] in report.text
    words = report.text.split()
    assert inner[:-1].split()[-1] in words  # the last word shown is a whole word of the statement


@pytest.mark.parametrize("text,lang", [
    ("Payments failed for 20 minutes. This was possibly caused by an expired TLS certificate on the API gateway.", "en"),
    ("La panne serait due à une mise à jour défectueuse du logiciel de nos routeurs.", "fr"),
    ("故障可能是由于光缆被挖断。", "zh-Hans"),
])
def test_a_cause_given_only_as_a_guess_is_advised_to_be_confirmed_not_named(text, lang):
    report = analyse(text, lang)
    assert report.dimensions["cause"].level == 1
    keys = [key for _, key, _ in shortfalls(report)]
    assert "cause_hedged" in keys and "cause_generic" not in keys
    [advice] = [a for a in report.advice if a.topic == "cause"]
    assert advice.message.startswith(catalogue(lang).messages["cause_hedged_quoted"].split("{quote}")[0])
