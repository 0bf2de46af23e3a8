"""analyser.cues: lexicon loading and validation, and the matcher's spans.

Lexicon contents change as they are written; these tests check properties that
hold for any valid lexicon, and use entries of their own (synthetic matchers)
where a specific pattern is needed. The one shipped entry relied on is the
``api`` component name of ``lang/common/cues.tsv``.
"""
from __future__ import annotations

import html
import re
import unicodedata

import pytest

from analyser.api import analyse
from analyser.cues import GROUPS, CueEntry, Matcher, _demoting, cue_kinds, derivations, derive, load_lexicon, matcher_for
from analyser.detect import detect
from analyser.errors import DataError
from analyser.languages import lang_dir, spec_for
from analyser.prepare import prepare
from analyser.script import convert

LEXICONS = sorted(lang_dir().glob("*/cues.tsv"))
LEXICON_IDS = [p.parent.name for p in LEXICONS]
CODES = ["en", "fr", "de", "es", "zh-Hans", "zh-Hant"]

# (language code, statement); every one holds at least one language-independent cue (a clock time)
# fmt: off
STATEMENTS = [
    ("en", "Card payments at checkout failed for customers in the UK between 14:05 and 14:50 GMT. "
           "The cause was an expired TLS certificate on our API gateway. We are sorry: our next update follows at 17:00."),
    ("en", "<p>Our API has been down since 09:10&nbsp;UTC for about 5% of users.</p><p>Sorry for the hiccup!! 😅</p>"),
    ("en", "Some users  may be experiencing issues\u00a0with our services since １０：３０.\n\nOur teams are working hard. Thank you for your patience!"),
    ("fr", "Suite à une panne de l'API de paiement, 12 % des clients n'ont pas pu payer entre 7h40 et 9h15. "
           "Nous nous excusons pour la gêne occasionnée 😅 Prochain point à 11:00."),
    ("fr", "Le re\u0301seau mobile est perturbe\u0301 depuis 08:20 dans toute l'Île-de-France. Nos équipes sont mobilisées."),
    ("de", "Seit 12:15 Uhr ist das Online-Banking wegen eines DNS-Fehlers für 30 % der Kundinnen und Kunden nicht erreichbar. "
           "Wir bitten um Ihr Verständnis."),
    ("de", "Hoppla, unser Server macht gerade Mittagsschlaf 😴 Die Störung wird voraussichtlich bis 15:00 Uhr behoben."),
    ("es", "Debido a un fallo de la API, el 20 % de los clientes no pudo pagar entre las 10:05 y las 11:30. "
           "Pedimos disculpas por las molestias."),
    ("es", "¡Ups! Nuestros servidores se tomaron la siesta 😴 Desde las 14:00 algunos usuarios no pueden iniciar sesión."),
    ("zh-Hans", "今天16:50，微信上海数据中心抽搐了一下，少部分用户无法正常登录和收发消息。目前攻城狮正在玩命修复中，对不起大家！"),
    ("zh-Hans", "5月12日上午9:10至10:25，因市政施工挖断光缆，部分地区用户无法使用移动支付。这是我们的责任，我们向所有受影响的用户郑重道歉。"),
    ("zh-Hans", "由于网络故障，支付功能从１４：０５到14:50暂时不可用，给您带来不便，敬请谅解。下一次更新将在16:00发布。"),
    ("zh-Hant", "本公司行動網路於今日上午8時15分起發生異常，台北市及新北市部分用戶無法撥打電話。經查為核心網路設備軟體更新失敗所致，工程師已於9:40完成修復。造成不便，敬請見諒。"),
]
# fmt: on
STATEMENT_IDS = [f"{lang}-{i}" for i, (lang, _) in enumerate(STATEMENTS)]

# Simplified statements whose s2t twin converts back exactly, so both are matched on the same text.
ZH_TWINS = [text for lang, text in STATEMENTS if lang == "zh-Hans"] + [
    "服务器宕机了，程序猿们正在爆肝抢修，预计18:00前恢复～",
]


def _fold(text: str) -> str:
    """Entities decoded, NFKC, no invisible format characters, one space per white-space run, case-folded."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == "\u200d")
    return re.sub(r"\s+", " ", text).casefold()


def _entry(pattern: str, cue: str = "cause.domain", weight: float = 0.5) -> CueEntry:
    return CueEntry(pattern, cue, weight, "test entry", "test/cues.tsv:2")


def _texts(matcher: Matcher, text: str) -> list[str]:
    return [text[m.start:m.end] for m in matcher.find(text)]


# --- the shipped lexicons -------------------------------------------------------------------

def test_there_is_a_common_lexicon():
    assert "common" in LEXICON_IDS


@pytest.mark.parametrize("path", LEXICONS, ids=LEXICON_IDS)
def test_lexicon_loads(path):
    assert isinstance(load_lexicon(path), list)


@pytest.mark.parametrize("path", LEXICONS, ids=LEXICON_IDS)
def test_lexicon_cue_kinds_exist(path):
    kinds = cue_kinds()
    assert all(e.cue in kinds for e in load_lexicon(path))


@pytest.mark.parametrize("path", LEXICONS, ids=LEXICON_IDS)
def test_lexicon_weights_are_between_0_and_1(path):
    assert all(0.0 <= e.weight <= 1.0 for e in load_lexicon(path))


@pytest.mark.parametrize("path", LEXICONS, ids=LEXICON_IDS)
def test_lexicon_patterns_are_not_empty(path):
    for e in load_lexicon(path):
        body = e.pattern[3:] if e.pattern.startswith("re:") else e.pattern.rstrip("*")
        assert body.strip(), e.source


@pytest.mark.parametrize("path", LEXICONS, ids=LEXICON_IDS)
def test_lexicon_sources_name_file_and_line(path):
    for e in load_lexicon(path):
        assert re.fullmatch(rf"{re.escape(path.parent.name)}/cues\.tsv:\d+", e.source)


@pytest.mark.parametrize("kind,info", sorted(cue_kinds().items()))
def test_cue_kind_is_well_formed(kind, info):
    group = kind.split(".", 1)[0]
    assert info["group"] == group
    # a kind the models see speaks to a head; one they do not is for the report (the stage), or
    # caps a head's level through a derived kind below its base's level (cues.caps)
    capping = {k for k, base, with_, *_ in derivations() if k in _demoting()} | {
        w for k, base, with_, *_ in derivations() if k in _demoting() for w in with_}
    assert group in GROUPS if info.get("feature", True) else (group not in GROUPS or kind in capping)
    assert info["level"] in (None, 0, 1, 2)
    assert info["explanation"].strip()


@pytest.mark.parametrize("code", CODES + ["und", "it"])
def test_matcher_builds(code):
    assert matcher_for(code).entries


@pytest.mark.parametrize("code", CODES)
def test_matcher_is_cached(code):
    assert matcher_for(code) is matcher_for(code)


# --- evidence spans on realistic statements -------------------------------------------------

@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_statement_has_cues(lang, text):
    assert prepare(text, lang).cues


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_cue_evidence_slices_the_original(lang, text):
    prepared = prepare(text, lang)
    for m in prepared.cues:
        ev = prepared.cue_evidence(m)
        assert 0 <= ev.start < ev.end <= len(text)
        assert text[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_cue_evidence_equals_the_normalised_match(lang, text):
    prepared = prepare(text, lang)
    for m in prepared.cues:
        ev = prepared.cue_evidence(m)
        assert _fold(ev.text) == _fold(prepared.text[m.start:m.end]), m.entry.source


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_report_evidence_slices_the_original(lang, text):
    report = analyse(text, lang=lang)
    for _, ev in report.evidence():
        assert text[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_report_evidence_with_detected_language_slices_the_original(lang, text):
    report = analyse(text)
    for _, ev in report.evidence():
        assert text[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_report_evidence_names_known_cue_kinds(lang, text):
    # cue evidence names a lexicon cue kind; the trained model adds its n-grams as "ngram"
    kinds = set(cue_kinds()) | {"ngram"}
    assert all(ev.cue in kinds for _, ev in analyse(text, lang=lang).evidence())
    assert all(ev.cue in cue_kinds() for _, ev in analyse(text, lang=lang, method="rules").evidence())


@pytest.mark.parametrize("lang,text", STATEMENTS, ids=STATEMENT_IDS)
def test_matches_are_sorted_and_unique(lang, text):
    cues = prepare(text, lang).cues
    keys = [(m.start, m.end, m.entry.cue) for m in cues]
    assert len(keys) == len(set(keys))
    assert [m.start for m in cues] == sorted(m.start for m in cues)


# --- word boundaries, on the common lexicon's 'api' entry -----------------------------------

def _api_hits(code: str, text: str) -> list[str]:
    t = matcher_for(code).match_form(text)
    return [text[m.start:m.end] for m in matcher_for(code).find(text)
            if m.entry.source.startswith("common/") and t[m.start:m.end] == "api"]


@pytest.mark.parametrize("code", ["en", "fr", "de", "es"])
def test_common_api_cue_matches_a_word(code):
    assert _api_hits(code, "the API failed") == ["API"]


@pytest.mark.parametrize("code", ["en", "fr", "de", "es"])
@pytest.mark.parametrize("text", ["rapidly", "capital", "APIs failed", "therapist"])
def test_common_api_cue_does_not_match_inside_a_word(code, text):
    assert _api_hits(code, text) == []


# --- matcher behaviour on entries of our own ------------------------------------------------

# (pattern, text, the spans of text that must match)
# fmt: off
LATIN_MATCHES = [
    ("api",       "the API failed",            ["API"]),
    ("api",       "the api-gateway failed",    ["api"]),
    ("api",       "(API)",                     ["API"]),
    ("api",       "rapidly",                   []),
    ("api",       "APIs",                      []),
    ("api",       "api2",                      []),
    ("power cut", "A POWER CUT hit Leeds",     ["POWER CUT"]),
    ("power cut", "a power cutover",           []),
    ("apologi*",  "We apologise.",             ["apologise"]),
    ("apologi*",  "Our apologies, everyone",   ["apologies"]),
    ("apologi*",  "unapologetic",              []),
    ("panne",     "une panne réseau",          ["panne"]),
    ("panne",     "des pannes",                []),
    ("störung",   "Die Störung ist behoben",   ["Störung"]),
    ("störung",   "Die Netzstörung",           []),
    ("gêne",      "la GÊNE occasionnée",       ["GÊNE"]),
    ("api",       "微信API故障",                 ["API"]),
]

CJK_MATCHES = [
    ("光缆", "市政施工挖断光缆导致支付失败", ["光缆"]),
    ("宕机", "服务器宕机了", ["宕机"]),
    ("宕机", "宕机", ["宕机"]),
    ("抽搐", "数据中心抽搐了一下", ["抽搐"]),
    ("光缆", "市政施工挖斷光纜導致支付失敗", ["光纜"]),
    ("挖断光缆", "因施工挖斷光纜，", ["挖斷光纜"]),
]
# fmt: on


@pytest.mark.parametrize("pattern,text,expected", LATIN_MATCHES)
def test_latin_literals_match_whole_words(pattern, text, expected):
    matcher = Matcher(spec_for("en"), [_entry(pattern)])
    assert _texts(matcher, text) == expected


@pytest.mark.parametrize("pattern,text,expected", CJK_MATCHES)
def test_cjk_literals_match_without_spaces(pattern, text, expected):
    matcher = Matcher(spec_for("zh-Hans"), [_entry(pattern)])
    assert _texts(matcher, text) == expected


def test_regex_entry_matches_on_lower_case():
    matcher = Matcher(spec_for("en"), [_entry(r"re:\bdns\b")])
    assert _texts(matcher, "A DNS outage") == ["DNS"]


def test_overlapping_cues_are_all_kept():
    matcher = Matcher(spec_for("en"), [_entry("power"), _entry("power cut", "cause.mechanism")])
    found = [(m.start, m.end, m.entry.cue) for m in matcher.find("a power cut")]
    assert found == [(2, 11, "cause.mechanism"), (2, 7, "cause.domain")]


def test_identical_literal_spans_are_deduped_keeping_the_strongest():
    matcher = Matcher(spec_for("en"), [_entry("api", weight=0.2), _entry("api", weight=0.9), _entry("api", weight=0.5)])
    found = matcher.find("the API failed")
    assert len(found) == 1 and found[0].entry.weight == 0.9


def test_literal_and_regex_on_the_same_span_are_deduped():
    matcher = Matcher(spec_for("en"), [_entry("api", weight=0.4), _entry(r"re:\bapi\b", weight=0.6)])
    found = matcher.find("the API failed")
    assert len(found) == 1 and found[0].entry.weight == 0.6


def test_same_span_with_different_cues_is_kept_twice():
    matcher = Matcher(spec_for("en"), [_entry("hiccup", "humour.light"), _entry("hiccup", "vagueness.euphemism")])
    assert sorted(m.entry.cue for m in matcher.find("a small hiccup")) == ["humour.light", "vagueness.euphemism"]


def test_matcher_without_literals_still_matches_regexes():
    matcher = Matcher(spec_for("en"), [_entry(r"re:\d\d:\d\d", "when.time")])
    assert _texts(matcher, "down since 09:10") == ["09:10"]


def test_empty_matcher_finds_nothing():
    assert Matcher(spec_for("en"), []).find("the API failed") == []


# --- derived cues: a component told as the cause ---------------------------------------------

_DERIVING = [_entry("due to", "cause.connective", 0.8), _entry("database*", "cause.component", 0.4),
             _entry("wegen", "cause.connective", 0.8), _entry("服务器", "cause.component", 0.4),
             _entry("由于", "cause.connective", 0.8)]


def _derived(text: str, lang: str = "en") -> list[tuple[str, str]]:
    t = matcher_for(lang).match_form(text)
    return [(text[m.start:m.end], m.entry.cue) for m in derive(Matcher(spec_for(lang), _DERIVING).find(t, formed=True), text)
            if m.entry.cue == "cause.framed_component"]


@pytest.mark.parametrize("text,framed", [
    ("Errors were due to a database problem.", ["database"]),
    ("Due to heavy rain the databases in one region failed.", ["databases"]),
    ("Database queries are slow. We are investigating.", []),               # the product affected, no reason given
    ("Database queries are slow. This is due to maintenance.", []),         # the reason is in another sentence
    ("Database queries are slow; due to our new release.", []),             # ';' ends a sentence too
    ("Die Datenbank ist wegen Wartung nicht erreichbar.", []),  # 'database*' does not match 'Datenbank'
    ("由于服务器故障，部分用户无法登录。", ["服务器"]),                                # CJK: no spaces, no boundary needed
    ("服务器响应缓慢。由于网络原因", []),
])
def test_component_in_a_sentence_with_a_connective_is_framed(text, framed):
    lang = "zh-Hans" if any(ord(c) > 0x3000 for c in text) else "en"
    assert [t for t, _ in _derived(text, lang)] == framed


def test_derived_cue_keeps_the_base_entry_and_the_sort_order():
    text = "Errors were due to a database problem and a database restart."
    found = derive(Matcher(spec_for("en"), _DERIVING).find(text), text)
    assert found == sorted(found, key=lambda m: (m.start, -m.end, m.entry.cue))
    framed = [m for m in found if m.entry.cue == "cause.framed_component"]
    bases = [m for m in found if m.entry.cue == "cause.component"]
    assert [(m.start, m.end) for m in framed] == [(m.start, m.end) for m in bases] and len(framed) == 2
    assert all((f.entry.pattern, f.entry.weight, f.entry.source) == (b.entry.pattern, b.entry.weight, b.entry.source)
               for f, b in zip(framed, bases))
    assert framed[0].entry is framed[1].entry  # one derived entry per lexicon entry, not one per match


def test_derive_returns_matches_unchanged_when_nothing_is_framed():
    matches = Matcher(spec_for("en"), _DERIVING).find("the database is slow")
    assert derive(matches, "the database is slow") is matches


def test_derived_kinds_name_known_kinds_and_no_lexicon_uses_them():
    kinds = cue_kinds()
    derived = {k: v["derived"] for k, v in kinds.items() if "derived" in v}
    assert derived, "cue_kinds.json has derived kinds"
    for d in derived.values():
        assert d["from"] in kinds and all(w in kinds for w in (*d.get("with", ()), *d.get("without", ())))
    for path in LEXICONS:
        assert not any(e.cue in derived for e in load_lexicon(path))


@pytest.mark.parametrize("lang,text,stated,promised", [
    ("fr", "Depuis 7h40, le trafic est interrompu sur la ligne A. Reprise estimée à 10h.", "7h40", "10h"),
    ("en", "Since 10:00 customers cannot make calls. We expect to restore service at 13:00.", "10:00", "13:00"),
    ("zh-Hans", "自10:00起部分用户无法拨打电话。预计13:00恢复服务。", "10:00", "13:00"),
    # one sentence with both (session-10 user test): the time before the promise still dates the outage
    ("en", "Mobile data has been down in Sydney since 09:10 and should be back by 11:30.", "09:10", "11:30"),
    ("fr", "Depuis 7 h 40, le trafic est interrompu entre Lausanne et Genève, reprise estimée à 10 h.", "7 h 40", "10 h"),
    ("de", "Seit 07:15 Uhr ist die Strecke Bern–Thun gesperrt, voraussichtlich bis 10:00 Uhr.", "07:15", "10:00"),
    ("es", "Desde las 8:00 no funciona el pago con tarjeta, esperamos restablecerlo hacia las 10:00.", "8:00", "10:00"),
    ("zh-Hans", "5月12日上午9:30起，杭州西湖区约2万户宽带中断，预计12:00前恢复。", "9:30", "12:00"),
    ("zh-Hant", "今日上午10時起，台北市約5,000戶停電，預計下午2時前恢復。", "10時", "2時"),
    # an abbreviation's full stop does not end the promise's sentence (session-11 user test)
    ("de", "Seit 09:10 Uhr ist die Kartenzahlung gestört. Sie dauert voraussichtlich bis ca. 16:00 Uhr.", "09:10", "16:00"),
])
def test_a_time_is_stated_only_before_any_promise_of_its_sentence(lang, text, stated, promised):
    """'without' derivations (reach 'after'): the time the outage began is when; the time of an ETA,
    and any time after it in its sentence, is next."""
    p = prepare(text, lang)
    times = {p.text[m.start:m.end] for m in p.cues if m.entry.cue == "when.stated_time"}
    assert stated in "".join(times) and promised not in "".join(times)


@pytest.mark.parametrize("derived, problem", [
    ({"from": "when.time"}, "needs 'with' or 'without'"),
    ({"from": "when.time", "without": ["next.eta"], "without_reach": "near"}, "without_reach"),
])
def test_a_malformed_derived_kind_is_refused(monkeypatch, derived, problem):
    from analyser import cues
    from analyser.errors import DataError

    kinds = {**cue_kinds(), "when.odd": {"group": "when", "level": None, "explanation": "x", "derived": derived}}
    monkeypatch.setattr(cues, "cue_kinds", lambda: kinds)
    cues.derivations.cache_clear()
    try:
        with pytest.raises(DataError, match=problem):
            cues.derivations()
    finally:
        cues.derivations.cache_clear()


# a resolution notice, and statements that only promise or deny one (stage.resolved, every language)
RESOLVED = [
    ("en", "This incident has been resolved.", True), ("en", "Payments are working again.", True),
    ("en", "We expect service to be restored by 16:00.", False), ("en", "The issue has not been resolved yet.", False),
    ("fr", "Le service est rétabli.", True), ("fr", "Le service n'est pas encore rétabli.", False),
    ("de", "Seit 16:40 Uhr funktioniert das E-Banking wieder.", True), ("de", "Die Störung ist noch nicht behoben.", False),
    ("de", "Das E-Banking funktioniert wieder nicht.", False),
    ("es", "La incidencia ha sido resuelta.", True), ("es", "Cuando vuelva a funcionar avisaremos.", False),
    ("zh-Hans", "服务已恢复正常。", True), ("zh-Hant", "網上銀行已恢復。", True),
    ("zh-Hant", "服務尚未恢復，預計今晚恢復正常。", False),
    # an ongoing cue outweighs a resolved one: negated, partial or conditional resolutions
    ("en", "Card payments will remain unavailable until the issue is resolved.", False),
    ("en", "Power has been restored to 3,000 homes, but 1,200 properties are still without supply.", False),
    ("fr", "Le service est rétabli pour une partie des clients seulement.", False),
    ("de", "Das Online-Banking läuft noch nicht wieder.", False),
    ("es", "La incidencia aún no está resuelta.", False),
    ("zh-Hans", "目前已陆续恢复，仍有部分地区用户无法登录。", False),
]


# planned-maintenance notices (stage.planned, every language), and outage statements that only
# mention maintenance as a cause
PLANNED = [
    ("en", "Codespaces will be undergoing global maintenance from 16:30 UTC on Monday to 16:30 UTC on Tuesday.", True),
    ("en", "The scheduled maintenance has been completed.", "completed"),
    ("en", "Actions will be in a maintenance window on Monday from 12:00 to 16:30 UTC.", True),
    ("en", "Notifications were delayed due to side effects of some planned maintenance on supporting systems.", False),
    ("en", "Logins failed because of an expired certificate on the scheduled job server.", False),
    ("fr", "Une opération de maintenance programmée aura lieu dimanche de 2h à 6h.", True),
    ("fr", "Le site impots.gouv.fr sera indisponible dimanche matin en raison d'une maintenance.", True),
    ("de", "Am Sonntag finden von 2 bis 6 Uhr geplante Wartungsarbeiten statt.", True),
    ("de", "Wegen eines Stromausfalls ist das Online-Banking gestört.", False),
    ("es", "El domingo realizaremos tareas de mantenimiento programado entre las 2:00 y las 6:00.", True),
    ("es", "La app no funciona por una falla en nuestros servidores.", False),
    ("zh-Hans", "系统维护公告：我行将于5月12日凌晨2:00至6:00进行系统维护，期间网上银行暂停服务。", True),
    ("zh-Hant", "本行將於5月12日凌晨2:00至6:00進行系統維護，維護期間將暫停網路銀行服務。", True),
    ("zh-Hans", "因机房断电，部分用户无法登录。", False),
    # in progress or completed; and maintenance that went wrong is no notice (stage.unplanned)
    ("de", "Die Wartungsarbeiten laufen derzeit.", True), ("zh-Hans", "系统正在维护中，预计上午8点恢复。", True),
    ("en", "The scheduled maintenance was extended after an unexpected error; search is still unavailable.", False),
    ("fr", "Une opération de maintenance programmée s'est mal déroulée et a provoqué une panne.", False),
    ("zh-Hant", "由於例行維護時操作失誤，導致網路銀行中斷兩小時。", False),
    # completed: the work is over (stage.completed, or a resolution beside the planned cue)
    ("de", "Die geplanten Wartungsarbeiten sind abgeschlossen.", "completed"),
    ("fr", "La maintenance programmée est terminée.", "completed"),
    ("es", "El mantenimiento programado ha finalizado.", "completed"),
    ("zh-Hans", "计划内维护已完成，所有服务已恢复正常。", "completed"),
    ("en", "Scheduled maintenance is in progress. Services will be back by 04:00 UTC.", True),
    ("en", "The rollback has been completed, but checkout errors persist.", False),  # finished work, no maintenance
]


@pytest.mark.parametrize("lang,text,stage", [(lang, text, "resolved" if r else "") for lang, text, r in RESOLVED]
                         + [(lang, text, p if isinstance(p, str) else "planned" if p else "") for lang, text, p in PLANNED])
def test_stage_of_tells_resolution_and_planned_maintenance_notices(lang, text, stage):
    from analyser.cues import stage_of

    assert stage_of(prepare(text, lang).cues) == stage


def test_prepare_adds_derived_cues():
    # the shipped English lexicon: 'due to' is a connective and 'database' a bare component
    cues = {(m.entry.cue) for m in prepare("Logins failed due to a database problem.", "en").cues}
    assert {"cause.connective", "cause.component", "cause.framed_component"} <= cues
    cues = {(m.entry.cue) for m in prepare("Logins to the database console failed.", "en").cues}
    assert "cause.component" in cues and "cause.framed_component" not in cues


@pytest.mark.parametrize("text,level", [
    ("Logins failed due to a database problem.", 1),   # framed component: the failure sits there
    ("Logins to the database console failed.", 0),     # bare component: the product affected
])
def test_rules_count_a_component_only_when_told_as_the_cause(text, level):
    from analyser.rules import score_rules

    dims, facets = score_rules(prepare(text, "en"))
    assert dims["cause"].level == level and facets["why"].present == bool(level)
    spans = [(e.start, e.end) for e in dims["cause"].evidence]
    assert len(spans) == len(set(spans))  # a framed component is shown once, not also as a bare one
    if level:
        assert "cause.framed_component" in {e.cue for e in facets["why"].evidence}


# --- traditional script ---------------------------------------------------------------------

@pytest.mark.parametrize("simplified", ZH_TWINS)
def test_twin_converts_back_exactly(simplified):
    traditional = convert(simplified, "s2t")
    assert traditional != simplified and convert(traditional, "t2s") == simplified


@pytest.mark.parametrize("simplified", ZH_TWINS)
def test_traditional_twin_gets_the_same_cues(simplified):
    traditional = convert(simplified, "s2t")
    simp = {(m.start, m.end, m.entry.cue) for m in prepare(simplified, "zh-Hans").cues}
    trad = {(m.start, m.end, m.entry.cue) for m in prepare(traditional, "zh-Hant").cues}
    assert trad == simp


@pytest.mark.parametrize("simplified", ZH_TWINS)
def test_traditional_twin_gets_the_same_report_cue_kinds(simplified):
    traditional = convert(simplified, "s2t")
    simp = sorted((d, e.cue) for d, e in analyse(simplified, lang="zh-Hans").evidence())
    trad = sorted((d, e.cue) for d, e in analyse(traditional, lang="zh-Hant").evidence())
    assert trad == simp


@pytest.mark.parametrize("simplified", ZH_TWINS)
def test_traditional_twin_evidence_slices_the_traditional_text(simplified):
    traditional = convert(simplified, "s2t")
    for _, ev in analyse(traditional, lang="zh-Hant").evidence():
        assert traditional[ev.start:ev.end] == ev.text


@pytest.mark.parametrize("simplified", ZH_TWINS)
def test_traditional_twin_is_detected_as_traditional(simplified):
    assert detect(convert(simplified, "s2t")).code == "zh-Hant"


# --- lexicon validation errors --------------------------------------------------------------

HEADER = "pattern\tcue\tweight\tnote\n"

# (case, file content, line the error must name, words the message must hold)
# fmt: off
BAD_LEXICONS = [
    ("bad-header",    "pattern\tkind\tweight\tnote\napi\tcause.domain\t0.3\tx\n", 1, "header"),
    ("empty-file",    "",                                                          1, "header"),
    ("unknown-kind",  HEADER + "api\tcause.domain\t0.3\tok\nhiccup\thumour.giggle\t0.5\tbad\n", 3, "humour.giggle"),
    ("bad-weight",    HEADER + "# a comment\n\napi\tcause.domain\theavy\tbad\n",  4, "heavy"),
    ("bad-regex",     HEADER + "re:(unclosed\tcause.domain\t0.3\tbad\n",            2, "regular expression"),
    ("few-columns",   HEADER + "api\tcause.domain\t0.3\n",                          2, "4 tab-separated columns"),
    ("derived-kind",  HEADER + "api\tcause.framed_component\t0.3\tbad\n",           2, "derived"),
]
# fmt: on


@pytest.mark.parametrize("case,content,line,words", BAD_LEXICONS, ids=[b[0] for b in BAD_LEXICONS])
def test_bad_lexicon_is_a_data_error_naming_file_and_line(tmp_path, case, content, line, words):
    path = tmp_path / "cues.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_lexicon(path)
    message = str(info.value)
    assert f"{path}:{line}:" in message
    assert words in message


def test_valid_lexicon_skips_comments_and_blank_lines(tmp_path):
    path = tmp_path / "cues.tsv"
    path.write_text(HEADER + "# comment\n\napi\tcause.domain\t0.3\tcomponent\n", encoding="utf-8")
    [entry] = load_lexicon(path)
    assert (entry.pattern, entry.cue, entry.weight, entry.source) == ("api", "cause.domain", 0.3, f"{tmp_path.name}/cues.tsv:4")
    assert (entry.group, entry.kind) == ("cause", "domain")


# -- regexes tried only where they can start ---------------------------------

@pytest.mark.parametrize("pattern,expected", [
    (r"\b(?:for|about) (?:the )?\d+", ({"for ", "for the ", "about ", "about the "}, "")),
    (r"\b(?:our )?(?:app|site) (?:is|was)", ({f"{o}{w} {v}" for o in ("our ", "") for w in ("app", "site")
                                              for v in ("is", "was")}, "")),
    (r"(?<![\d:])(?:[01]?\d|2[0-3])[:h][0-5]\d", (set(), "run")),  # refuses a digit before: starts of runs
    (r"\d+ ?(?:min|h)\b", (set(), "any")),
    (r"(?:\d|am|pm) ?utc", ({"am", "pm"}, "any")),
    (r"!{2,}", ({"!"}, "")),
    (r"\b\w{2,20}server", None),  # may start with any letter: scanned
    (r"\b(?:a|x)\d", None),  # single letters are everywhere: no use as anchors
])
def test_leading_literals(pattern, expected):
    from analyser.cues import leading_literals

    assert leading_literals(pattern) == expected


def _scanning_twin(m: Matcher) -> Matcher:
    """The same matcher with every regex scanned over the whole text (no gates, no anchors)."""
    import copy

    twin = copy.copy(m)
    twin._anchored, twin._at_digits, twin._at_digit_runs = set(), [], []
    twin._ungated = list(range(len(m._regexes)))
    return twin


@pytest.mark.parametrize("code", CODES)
def test_anchored_and_gated_regexes_find_what_a_full_scan_finds(code):
    from analyser.data import authored_rows

    m = matcher_for(code)
    twin = _scanning_twin(m)
    texts = [t for c, t in STATEMENTS] + [r["text"] for r in authored_rows()]
    texts += ["12:30 for 12 minutes; 2:05pm-3pm, 1.000.000 users, 90 % 5h", "a" * 50 + " 10:00 10:00:00 99:99"]
    for text in texts:
        form = m.match_form(text)
        assert m.find(form, formed=True) == twin.find(form, formed=True), text


# The rubric's "a bare component type with a generic failure verb ('a database node failed', 'one of
# our routers went down') is 1", in each language: a component and a breakdown word in one sentence.
FAILED_COMPONENTS = [
    ("Network equipment in one of our data centres failed. We are repairing it.", "en"),
    ("One of our routers went down.", "en"),
    ("A database node failed and we are restoring service.", "en"),
    ("Our database is down.", "en"),
    ("Ein Router in unserem Rechenzentrum ist ausgefallen.", "de"),
    ("Un routeur de notre centre de données est tombé en panne.", "fr"),
    ("Un servidor de nuestro centro de datos falló.", "es"),
    ("机房网络设备出现故障，正在紧急修复。", "zh-Hans"),
    ("服务器宕机了，正在抢修。", "zh-Hans"),
    ("我们的数据库出现故障，正在恢复。", "zh-Hans"),
    ("伺服器當機了，正在搶修。", "zh-Hant"),
]


@pytest.mark.parametrize("text,lang", FAILED_COMPONENTS)
def test_component_said_to_break_down_is_a_failed_component(text, lang):
    kinds = {m.entry.cue for m in prepare(text, lang).cues}
    assert {"cause.breakdown", "cause.component", "cause.failed_component"} <= kinds


@pytest.mark.parametrize("text", [
    "Failed database queries are being retried.",        # 'failed' as the adjective of a symptom
    "Cloud SQL instance creation failed in us-east1.",   # no infrastructure word
    "The database is slow for some customers.",           # no breakdown word
])
def test_no_failed_component_without_both_in_one_sentence(text):
    assert "cause.failed_component" not in {m.entry.cue for m in prepare(text, "en").cues}


def test_rules_leave_a_failed_component_to_the_model_and_show_its_span_once():
    from analyser.rules import score_rules

    # 'failed' here is said of logins, not of the console: a sentence cannot tell, so no level
    for text in ("One of our routers went down.", "Logins to the database console failed."):
        dims, facets = score_rules(prepare(text, "en"))
        assert dims["cause"].level == 0 and not facets["why"].present
        spans = [(e.start, e.end) for e in dims["cause"].evidence]
        assert len(spans) == len(set(spans))
        assert "cause.failed_component" in {e.cue for e in dims["cause"].evidence}


@pytest.mark.parametrize("lang,text,span", [
    ("en", "The outage was caused by a change to the authentication service.", "a change to the authentication"),
    ("en", "A fire at our Slough data centre cut power.", "fire at our Slough"),
    ("fr", "Une erreur de configuration de notre pare-feu a bloqué le trafic.", "erreur de configuration de notre pare-feu"),
])
def test_a_cue_span_ends_at_a_word_boundary(lang, text, span):
    """Patterns that need a word after them take the whole word (they used to end on its first letter)."""
    assert span in [text[m.start:m.end] for m in prepare(text, lang).cues]


@pytest.mark.parametrize("code", [c for c in CODES if spec_for(c).word_boundaries])
def test_no_cue_span_starts_or_ends_inside_a_word_or_number(code):
    """Regular-expression matches are widened to whole words and numbers: evidence showed "0 BST"
    for "09:10 BST", "prévu vers 1" for "prévu vers 10h" (a session-9 user test)."""
    from analyser.cues import _wordish
    from analyser.data import authored_rows

    texts = [t for c, t in STATEMENTS if c == code] + [r["text"] for r in authored_rows() if r["lang"] == code]
    texts += {"en": ["Service was restored at 09:10 BST today."], "fr": ["Retour à la normale prévu vers 10h."],
              "de": ["Wir erwarten bis 16:30 Uhr eine Lösung."], "es": ["Restablecido a las 10:45 CET."]}[code]
    inside = 0
    for text in texts:
        p = prepare(text, code)
        t = p.match_text
        for m in p.cues:
            a, b = m.start, m.end
            cut_left = a > 0 and (_wordish(t[a - 1]) and _wordish(t[a]) or t[a - 1] in ":.," and a > 1 and t[a - 2].isdigit() and t[a].isdigit())
            cut_right = b < len(t) and (_wordish(t[b - 1]) and _wordish(t[b]) or t[b] in ":.," and b + 1 < len(t) and t[b - 1].isdigit() and t[b + 1].isdigit())
            inside += cut_left or cut_right
            assert not (cut_left or cut_right), (code, t[max(0, a - 10):b + 10], t[a:b], m.entry.source)
    assert inside == 0


@pytest.mark.parametrize("lang,text,span", [
    ("en", "Service was restored at 09:10 BST today.", "09:10 BST"),
    ("fr", "Retour à la normale prévu vers 10h.", "prévu vers 10h"),
    ("de", "Wir erwarten bis 16:30 Uhr eine Lösung.", "Wir erwarten bis 16:30"),
])
def test_a_regex_match_inside_a_number_shows_the_whole_number(lang, text, span):
    assert span in [text[m.start:m.end] for m in prepare(text, lang).cues]


# The rubric's apology 2 "sorry that you could not pay by card at checkout tonight": apology words
# with the specific harm, in each language (a session-9 user test found it scored 1 in four).
APOLOGY_HARM = [
    ("en", "We are sorry that you could not pay by card at checkout tonight."),
    ("fr", "Nous sommes désolés que vous n'ayez pas pu payer par carte ce soir."),
    ("de", "Es tut uns leid, dass Sie heute Abend nicht mit Karte bezahlen konnten."),
    ("es", "Sentimos que no hayas podido pagar con tarjeta esta noche."),
    ("zh-Hans", "很抱歉今晚您无法在结账时刷卡付款。"),
    ("zh-Hant", "很抱歉今晚您無法在結帳時刷卡付款。"),
]


@pytest.mark.parametrize("lang,text", APOLOGY_HARM)
def test_an_apology_naming_the_harm_is_accountable_by_the_rules(lang, text):
    from analyser.rules import score_rules

    dims, _ = score_rules(prepare(text, lang))
    assert dims["apology"].level == 2
    assert "apology.harm" in {e.cue for e in dims["apology"].evidence}


@pytest.mark.parametrize("lang,text", [
    ("en", "Sorry for the inconvenience."), ("fr", "Nous nous excusons pour la gêne occasionnée."),
    ("de", "Es tut uns leid, dass es zu Verzögerungen kam."), ("es", "Sentimos las molestias ocasionadas."),
    ("zh-Hans", "给您带来不便，敬请谅解，非常抱歉。"),
])
def test_a_stock_apology_names_no_harm(lang, text):
    assert "apology.harm" not in {m.entry.cue for m in prepare(text, lang).cues}


def test_stage_cues_agree_with_the_status_companies_gave_their_real_updates():
    """On ../shared/corpus, whose updates carry the status their companies set (resolved, postmortem,
    AVAILABLE: over; investigating, identified, monitoring, disruption/outage: ongoing), the stage
    cues find most resolution notices and rarely call an ongoing update resolved (session 10:
    recall 0.72, precision 0.91 with the stage.ongoing cues; scripts/stage_check.py). Floors, so that a broad pattern fails."""
    from analyser.cues import stage_of
    from analyser.data import DEFAULT_CORPUS, read_corpus

    if not DEFAULT_CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {DEFAULT_CORPUS}")
    over, ongoing = {"resolved", "postmortem", "AVAILABLE"}, {"investigating", "identified", "monitoring",
                                                              "SERVICE_DISRUPTION", "SERVICE_OUTAGE"}
    hits = {"over": [0, 0], "ongoing": [0, 0]}  # [read as resolved, all]
    for rec in read_corpus().values():
        kind = "over" if rec.get("update_status") in over else "ongoing" if rec.get("update_status") in ongoing else None
        if kind and isinstance(rec.get("text"), str) and rec["text"].strip():
            hits[kind][0] += stage_of(prepare(rec["text"], "en").cues) == "resolved"
            hits[kind][1] += 1
    recall = hits["over"][0] / hits["over"][1]
    precision = hits["over"][0] / (hits["over"][0] + hits["ongoing"][0])
    assert recall >= 0.7 and precision >= 0.85, (recall, precision)


@pytest.mark.parametrize("text,sentences", [
    ("Down since 9.30. We are on it.", ["Down since 9.30.", " We are on it."]),
    ("See status.example.com. U.S. users z. B. are affected... we know. Next", [
        "See status.example.com.", " U.S. users z. B. are affected... we know.", " Next"]),
    ("Bis ca. 16:00 Uhr. Danke!", ["Bis ca. 16:00 Uhr.", " Danke!"]),
    ("故障。已恢复！好", ["故障。", "已恢复！", "好"]),
    ("Line one\nLine two", ["Line one\n", "Line two"]),
    ("", []),
    # lang/*/abbreviations.txt (session 12): before a capitalised word, not a sentence's end
    ("Privat- bzw. Geschäftskunden sind betroffen. Danke.", ["Privat- bzw. Geschäftskunden sind betroffen.", " Danke."]),
    ("Trains to St. Gallen are delayed. Sorry.", ["Trains to St. Gallen are delayed.", " Sorry."]),
    ("Sr. García informa. Gracias.", ["Sr. García informa.", " Gracias."]),
    ("We fixed logins etc. Then payments.", ["We fixed logins etc.", " Then payments."]),  # etc. may end one
    ("Up 1st. Then down.", ["Up 1st.", " Then down."]),  # 'st.' only as a word of its own
])
def test_sentences_end_at_closing_marks_but_not_at_abbreviations_or_in_tokens(text, sentences):
    from analyser.cues import sentence_ends

    ends = sentence_ends(text)
    assert [text[a:b] for a, b in zip([0, *ends[:-1]], ends)] == (sentences or [""])


# --- session 11: wording two blind user tests (fr/de/es, zh/en) found missed -------------------

# (lang, text, dimension or facet, level the cue rules give); each a general wording, not a tester's sentence
BLIND_S11 = [
    ("fr", "Nous vous prions de nous en excuser.", "apology", 1),
    ("de", "Deshalb tut es uns leid, dass das Event ausgefallen ist.", "apology", 1),
    ("fr", "Trafic interrompu en raison d'un heurt d'animal.", "cause", 2),
    ("fr", "Un bris de fibre a coupé le service.", "cause", 2),
    ("de", "Wegen eines Personenschadens ist die Strecke gesperrt.", "cause", 2),
    ("de", "Grund ist eine Störung an der Fahrleitung.", "cause", 1),
    ("de", "Wir haben zusätzliche Kapazität bereitgestellt.", "cause", 0),
    ("es", "Le enviaremos una actualización a más tardar a las 18:00 h.", "cause", 0),
    ("zh-Hant", "因號誌電纜遭竊，列車延誤。", "cause", 2),
    ("zh-Hans", "因电力系统故障，部分地区停电。", "cause", 1),
    ("en", "Payments failed due to a technical glitch at the bank's end.", "cause", 1),
    ("fr", "Petit coup de mou sur la box.", "humour", 1),
    ("fr", "Le site est indisponible. Nous vous recommandons d'utiliser l'application.", "next", 1),
    ("fr", "Vous pouvez continuer d'utiliser l'application.", "next", 1),
    ("de", "Fahrkarten können Sie weiterhin über die Website kaufen.", "next", 1),
    ("de", "Wir haben zusätzliche Kapazität bereitgestellt.", "next", 0),
    ("es", "Se recomienda presentar la declaración a través de la aplicación móvil.", "next", 1),
    ("es", "Le enviaremos una actualización a más tardar a las 18:00 h.", "next", 1),
    ("en", "Affected customers will get a £10 credit on their next bill.", "next", 1),
    ("en", "Login queues should clear within 15 minutes.", "next", 1),
    ("zh-Hans", "网站在约40分钟内无法访问。", "next", 0),
    ("de", "Alle Spieler*innen bekommen 500 Kristalle gutgeschrieben.", "scope", 1),
    ("es", "Sabemos que algunos clientes de Personal tienen problemas.", "scope", 0),
    ("zh-Hant", "湧入超過百萬人次。", "scope", 0),
    ("zh-Hans", "今天下午打车功能无法使用。", "when", 0),
]


@pytest.mark.parametrize("lang,text,dimension,level", BLIND_S11)
def test_blind_test_s11_wording(lang, text, dimension, level):
    from analyser.rules import score_rules

    dims, facets = score_rules(prepare(text, lang))
    got = dims[dimension].level if dimension in dims else int(facets[dimension].present)
    assert got == level


@pytest.mark.parametrize("lang,text,resolved", [
    ("fr", "L'incident est clos.", True), ("fr", "Le service est désormais entièrement rétabli.", True),
    ("fr", "Le réseau est revenu pour tout le monde.", True), ("fr", "Le problème est revenu.", False),
    ("de", "Die Server sind seit 18:30 wieder online.", True), ("es", "Incidencia resuelta.", True),
    ("zh-Hant", "系統已完成修復。", True), ("zh-Hant", "部分服務已恢復，其餘仍在處理中。", False),
])
def test_blind_test_s11_stage(lang, text, resolved):
    from analyser.cues import stage_of

    assert stage_of(prepare(text, lang).cues) == ("resolved" if resolved else "")


BLIND_S13_WORDING = [
    ("en", "The certificate of our payment platform had expired.", "certificate of our payment platform had expired",
     "cause.mechanism"),
    ("fr", "Le certificat de sécurité de notre plateforme avait expiré.",
     "certificat de sécurité de notre plateforme avait expiré", "cause.mechanism"),
    ("en", "A faulty router in our Glasgow exchange knocked things offline.", "router", "cause.failed_component"),
    ("en", "The app is down for everyone.", "down for everyone", "scope.extent"),
    ("fr", "Le service est coupé pour tout le monde.", "pour tout le monde", "scope.extent"),
    ("de", "Der Dienst ist für alle ausgefallen.", "für alle", "scope.extent"),
    ("es", "El servicio está caído para todo el mundo.", "para todo el mundo", "scope.extent"),
    ("de", "Möglicherweise hängt es mit unserem Hosting-Anbieter zusammen.",
     "hängt es mit unserem Hosting-Anbieter zusammen", "cause.connective"),
    ("de", "Unser Server hat kurz den Dienst quittiert.", "Server hat kurz den Dienst quittiert", "humour.joke"),
    ("es", "El fallo no se debe a ningún ciberataque.", "no se debe a ningún ciberataque", "cause.denial"),
    ("zh-Hans", "12306网站访问量达到平日的十倍。", "访问量达到平日的十倍", "cause.domain"),
    ("zh-Hans", "因车票今日开售，访问量达到平日的十倍。", "开售，访问量达到平日的十倍", "cause.mechanism"),
    ("zh-Hant", "因瞬間連線人數過多，連線較為緩慢。", "連線人數過多", "cause.domain"),
    ("en", "The update we released contained an error.", "update we released contained an error", "cause.mechanism"),
    ("es", "La versión que desplegamos contenía un fallo.", "versión que desplegamos contenía un fallo", "cause.mechanism"),
    ("fr", "La mise à jour comportait une erreur.", "mise à jour comportait une erreur", "cause.mechanism"),
    ("de", "Das Update enthielt einen Fehler.", "Update enthielt einen Fehler", "cause.mechanism"),
    ("zh-Hant", "本行在更新核心系統時未有按程序進行測試。", "更新核心系統時未有按程序進行測試", "cause.mechanism"),
    ("zh-Hant", "道路工程掘斷本公司地底光纖。", "掘斷", "cause.mechanism"),
]


BLIND_S14_WORDING = [
    ("en", "Contractors cut a fibre cable near our exchange.", "cut a fibre cable", "cause.mechanism"),
    ("en", "Please use the mobile app to check in.", "Please use the mobile app to", "next.workaround"),
    ("en", "Sorry, folks - fix ETA 30 minutes!", "ETA 30 minutes", "next.eta"),
    ("en", "Fix expected within 30 minutes.", "Fix expected within 30 minutes", "next.eta"),
    ("en", "Affected merchants will receive a fee credit.", "will receive a fee credit", "next.remediation"),
    ("en", "Affected merchants will receive a fee credit.", "will receive a fee credit", "apology.remedy"),
    ("fr", "Trafic interrompu à cause d'une caténaire arrachée.", "caténaire arrachée", "cause.mechanism"),
    ("fr", "Trafic interrompu suite à une rupture de caténaire.", "rupture de caténaire", "cause.mechanism"),
    ("de", "Ein fehlerhaftes Konfigurationsupdate an unseren Load Balancern blockierte den Login.",
     "fehlerhaftes Konfigurationsupdate", "cause.mechanism"),
    ("de", "Es gibt Probleme mit einem unserer Speichercluster.", "Probleme mit einem unserer Speichercluster",
     "cause.domain"),
    ("es", "Se recomienda usar la línea 1 de Metro.", "Se recomienda usar la línea", "next.workaround"),
    ("es", "Puedes hacer el check-in en el aeropuerto.", "Puedes hacer el check-in en", "next.workaround"),
    ("zh-Hant", "網路銀行因網路設備異常無法登入。", "網路設備異常", "cause.domain"),
    ("zh-Hans", "网银因网络设备异常无法登录。", "网络设备异常", "cause.domain"),
    ("zh-Hant", "伺服器剛剛小小抽筋了一下😵", "抽筋", "humour.joke"),
    ("en", "Burst main on Mill Road.", "Burst main", "cause.mechanism"),
    ("en", "An issue at one of our payment partners is affecting payments.",
     "issue at one of our payment partners", "cause.domain"),
    ("en", "About 2,300 Eastfield homes have been without water.", "About 2,300 Eastfield homes", "scope.extent"),
    ("en", "We're rolling out a hotfix, expected within about an hour.", "expected within about an hour", "next.eta"),
    ("es", "Sin agua por una rotura de tubería en la calle Mayor.", "rotura de tubería", "cause.mechanism"),
    ("es", "Lamentamos profundamente el impacto en los comercios que no han podido cobrar esta tarde.",
     "Lamentamos profundamente el impacto en los comercios que no han podido cobrar", "apology.harm"),
    ("es", "La web estuvo caída unos 45 minutos.", "estuvo caída", "stage.resolved"),
    ("fr", "Coupure d'eau suite à une rupture de canalisation.", "rupture de canalisation", "cause.mechanism"),
    ("de", "Wegen eines Wasserrohrbruchs ist die Filiale geschlossen.", "Wasserrohrbruchs", "cause.mechanism"),
    ("de", "Jetzt ist alles wieder im Lot!", "alles wieder im Lot", "stage.resolved"),
    ("zh-Hans", "部分订单出现延迟，可能与订单量激增有关。", "订单量激增", "cause.domain"),
    ("zh-Hans", "因申报人数集中，部分用户出现卡顿。", "申报人数集中", "cause.domain"),
    ("zh-Hans", "涉及北京、天津约3000个柜点。", "约3000个柜点", "scope.extent"),
]
# session 15: the short posts of the third authored round, and Spanish verb forms as in English and French
SESSION_15_WORDING = [
    ("en", "Every affected customer gets a 10 € credit on their next bill.", "gets a 10 € credit", "apology.remedy"),
    ("en", "The security certificate on our link to the bank expired.", "certificate on our link to the bank expired", "cause.mechanism"),
    ("en", "Delays were caused by cable thieves near the depot.", "cable thieves", "cause.mechanism"),
    ("en", "A runaway log filled the metadata DB disk.", "filled the metadata DB disk", "cause.mechanism"),
    ("en", "The booking database hit its connection limit.", "hit its connection limit", "cause.mechanism"),
    ("en", "The connection pool was exhausted within minutes.", "connection pool was exhausted", "cause.mechanism"),
    ("en", "An expired API key broke the sync.", "expired API key", "cause.mechanism"),
    ("en", "Payments recovered after we reverted the load balancer change.", "the load balancer change", "cause.mechanism"),
    ("de", "Ein Software-Update hat die Signaturprüfung lahmgelegt.", "Ein Software-Update hat die Signaturprüfung lahmgelegt", "cause.mechanism"),
    ("de", "Schuld war ein Update am Warenkorb-Dienst.", "ein Update am Warenkorb-Dienst", "cause.mechanism"),
    ("de", "Wir vermuten einen Fehler in einem Update der App.", "Fehler in einem Update", "cause.mechanism"),
    ("de", "Grund ist eine Störung bei unserem Zahlungsdienstleister.", "Störung bei unserem Zahlungsdienstleister", "cause.domain"),
    ("fr", "Un écureuil a court-circuité un transformateur.", "court-circuité", "cause.mechanism"),
    ("fr", "Un écureuil a court-circuité un transformateur.", "écureuil", "humour.joke"),
    ("fr", "Une mise à jour du pare-feu a bloqué les connexions.", "mise à jour du pare-feu a bloqué", "cause.mechanism"),
    ("fr", "Désolés, c'était notre mise à jour.", "c'était notre mise à jour", "cause.domain"),
    ("fr", "Une panne d'équipement réseau touche la région.", "panne d'équipement réseau", "cause.domain"),
    ("fr", "En cause : une carte de ligne défectueuse.", "carte de ligne défectueuse", "cause.mechanism"),
    ("fr", "Le serveur de fichiers est plein (disque à 100 %).", "disque à 100 %", "cause.mechanism"),
    ("fr", "On pense à un souci chez notre hébergeur.", "chez notre hébergeur", "cause.domain"),
    ("fr", "La conduite principale a cédé cette nuit.", "conduite principale a cédé", "cause.mechanism"),
    ("es", "El proveedor tenía un certificado vencido.", "certificado vencido", "cause.mechanism"),
    ("es", "El servidor de pagos se quedó sin memoria.", "se quedó sin memoria", "cause.mechanism"),
    ("es", "Ampliamos el disco del servidor, que se había llenado.", "disco del servidor, que se había llenado", "cause.mechanism"),
    ("es", "Sin servicio por una fibra cortada por obras en la avenida.", "fibra cortada por obras", "cause.mechanism"),
    ("es", "Corte de gas por daños en la red de distribución.", "daños en la red", "cause.domain"),
    ("es", "Un ataque DDoS afecta al inicio de sesión.", "ataque DDoS", "cause.domain"),
    ("es", "Un índice corrupto impedía las consultas.", "índice corrupto", "cause.mechanism"),
    ("es", "Unas obras cortaron la fibra del centro de datos.", "cortaron la fibra", "cause.mechanism"),
    ("es", "Un camión chocó un poste en la avenida.", "camión chocó", "cause.mechanism"),
    ("es", "El generador de respaldo no arrancó.", "generador", "cause.mechanism"),
    ("zh-Hant", "登入資料庫磁碟滿咗。", "磁碟滿", "cause.mechanism"),
    ("zh-Hans", "缓存集群内存爆了。", "内存爆", "cause.mechanism"),
    ("zh-Hant", "整流器過熱跳脫。", "過熱跳脫", "cause.mechanism"),
    ("zh-Hant", "剛剛是我們自己的設定出包。", "設定出包", "cause.domain"),
]


@pytest.mark.parametrize("lang,text,span,cue", BLIND_S13_WORDING + BLIND_S14_WORDING + SESSION_15_WORDING)
def test_lexicon_entries_from_user_tests_and_new_data(lang, text, span, cue):
    assert (span, cue) in {(text[m.start:m.end], m.entry.cue) for m in prepare(text, lang).cues}


def test_a_change_management_process_is_not_a_change_to_a_component():
    text = "We are improving our database change management process."
    assert "cause.mechanism" not in {m.entry.cue for m in prepare(text, "en").cues}
    assert "cause.mechanism" in {m.entry.cue for m in prepare("We reverted the database change.", "en").cues}


@pytest.mark.parametrize("text", ["Down for everyone - fix ETA 30 minutes!", "A hotfix, expected within about an hour."])
def test_an_eta_in_minutes_is_not_how_long_the_outage_lasted(text):
    cues = {m.entry.cue for m in prepare(text, "en").cues}
    assert "when.duration" not in cues and "next.eta" in cues
    assert "when.duration" in {m.entry.cue for m in prepare("It was down for about an hour.", "en").cues}


@pytest.mark.parametrize("lang,text,stage", [
    ("en", "Mobile data is back for all our customers in Scotland!", "resolved"),
    ("en", "We'll be back soon.", ""), ("en", "Our engineers are back at work on the fix.", ""),
    ("fr", "Le service fonctionne normalement depuis 10 h 40.", "resolved"),
    ("es", "Por trabajos de mantenimiento, la web podría presentar interrupciones esta noche.", "planned"),
    ("zh-Hant", "系統維護中，請稍後再試。", "planned"), ("zh-Hans", "系统紧急维护中。", ""),
    ("zh-Hant", "伺服器搬遷作業，將於本週六上午8時至中午12時暫停服務。", "planned"),
])
def test_blind_test_s13_stage(lang, text, stage):
    from analyser.cues import stage_of

    assert stage_of(prepare(text, lang).cues) == stage


@pytest.mark.parametrize("lang,text,eta", [
    ("fr", "Reprise estimée : non connue à cette heure.", False), ("fr", "Reprise du trafic estimée à 18h30.", True),
    ("fr", "Pas d'heure de reprise estimée pour le moment.", False), ("fr", "Heure de reprise estimée : 18h30.", True),
    ("es", "Hora estimada de restablecimiento: desconocida.", False), ("es", "No hay hora estimada de resolución.", False),
    ("es", "Hora estimada de resolución: 15:30.", True),
    ("de", "Voraussichtliche Entstörzeit: unbekannt.", False), ("de", "Voraussichtliche Entstörzeit: 18:00 Uhr.", True),
    ("zh-Hans", "目前暂无预计恢复时间。", False), ("zh-Hans", "预计恢复时间：18:00。", True),
    ("zh-Hant", "預計恢復時間：待定。", False), ("zh-Hant", "暫時未能提供預計恢復時間。", False),
    ("en", "There is no ETA at this time.", False), ("en", "We expect service to be restored by 18:00 UTC.", True),
    ("de", "Die Kunden waren bis 11:20 Uhr ohne Strom.", False),  # a past end time
    ("de", "Das Bezahlen war von 02:10 bis 04:05 Uhr nicht möglich.", False),
    ("de", "Der Dienst ist bis 16 Uhr eingeschränkt.", True),
    ("de", "Die Server waren ausgefallen, wir beheben das bis 18 Uhr.", True),
])
def test_a_missing_or_unknown_eta_cancels_the_eta_cues_it_overlaps(lang, text, eta):
    cues = prepare(text, lang).cues
    assert any(m.entry.cue == "next.eta" for m in cues) == eta
    assert any(m.entry.cue == "negation.eta" for m in cues) == (not eta)


@pytest.mark.parametrize("lang,text", [
    ("en", "We will keep you informed."), ("fr", "Nous vous tiendrons informés."),
    ("de", "Wir halten Sie auf dem Laufenden."), ("es", "Seguiremos informando."),
    ("zh-Hans", "请关注后续通知。"), ("zh-Hant", "我們會隨時更新最新進展。"),
])
def test_a_promise_of_updates_without_a_time_is_boilerplate_in_every_language(lang, text):
    """Rubric next: the time of the next update counts, a promise without one does not (es and zh
    had such promises as next.update until session 13; a blind test found them read as next)."""
    cues = {m.entry.cue for m in prepare(text, lang).cues}
    assert "vagueness.boilerplate" in cues and not any(c.startswith("next.") for c in cues)


def test_a_component_in_a_denial_is_not_framed_as_the_cause():
    cues = {m.entry.cue for m in prepare("The outage was not caused by our database.", "en").cues}
    assert "cause.component" in cues and "cause.framed_component" not in cues


def test_a_planned_maintenance_notice_gets_no_cause_or_apology_advice():
    from analyser import analyse

    report = analyse("Card payments will be unavailable on Sunday from 02:00 to 04:00 UTC for scheduled maintenance "
                     "to our payment platform.", lang="en", method="rules")
    topics = {a.topic for a in report.advice}
    assert report.stage == "planned" and not topics & {"cause", "apology"}
    from analyser.advice import catalogue

    messages = {a.message for a in report.advice}
    assert catalogue("en").messages["next_planned"] in messages  # when service returns, not the next update


@pytest.mark.parametrize("lang,text", [
    ("en", "The scheduled maintenance has been completed: card payments are available again."),
    ("de", "Die geplanten Wartungsarbeiten am Online-Banking sind abgeschlossen."),
    ("zh-Hans", "计划内维护已完成，网上银行已恢复正常。"),
])
def test_a_completed_maintenance_notice_is_not_asked_when_service_returns(lang, text):
    """Session-11 user test: a completed-maintenance notice was asked "say when the service will be back"."""
    from analyser import analyse

    report = analyse(text, lang=lang, method="rules")
    topics = {a.topic for a in report.advice}
    assert report.stage == "completed" and not topics & {"cause", "apology", "next"}
    assert report.to_dict()["stage"] == "completed"


@pytest.mark.parametrize("text,lang,capped", [
    ("This was possibly caused by an expired certificate on our API gateway.", "en", "expired certificate"),
    ("The outage was likely due to a failed UPS switchover in our Frankfurt data centre.", "en", "UPS switchover"),
    ("La panne serait due à une mise à jour défectueuse du logiciel de nos routeurs.", "fr", "mise à jour défectueuse"),
    ("Die Störung wurde vermutlich durch ein fehlerhaftes Update der Router-Software verursacht.", "de",
     "fehlerhaftes Update"),
    ("La caída podría deberse a un certificado caducado en el balanceador.", "es", "certificado caducado"),
    ("故障可能是由于光缆被挖断。", "zh-Hans", "光缆"),
    ("故障疑似因光纜被挖斷所致。", "zh-Hant", "光纜"),
    # the hedge sits on the impact, the cause is stated: no cap
    ("Due to an expired certificate, some users may possibly see errors.", "en", None),
    ("因光缆被挖断，可能导致部分用户无法访问。", "zh-Hans", None),
    ("This was caused by an expired certificate on our API gateway.", "en", None),
    # a hedged guess beside a stated concrete cause: the stated one counts
    ("It was possibly caused by an expired certificate. A cut fibre cable also took down our backup link.", "en", None),
])
def test_a_concrete_cause_given_only_as_a_guess_is_capped_at_its_domain_level(text, lang, capped):
    from analyser.prepare import prepare

    p = prepare(text, lang)
    if capped is None:
        assert p.caps == ()
    else:
        [(group, level, m)] = p.caps
        assert (group, level) == ("cause", 1) and capped in p.text[m.start:m.end]
        assert any("is given only as a guess" in w for w in p.warnings)


@pytest.mark.parametrize("lang,text,hedge", [
    ("en", "This was possibly caused by an expired certificate.", "possibly"),
    ("de", "Die Störung wurde vermutlich durch ein fehlerhaftes Update verursacht.", "vermutlich"),
])
def test_a_hedge_on_the_cause_alone_does_not_count_as_a_vagueness_hedge(lang, text, hedge):
    # the rubric raises vagueness for hedges on which service failed, for whom, or whether it failed
    found = {(text[m.start:m.end], m.entry.cue) for m in prepare(text, lang).cues}
    assert (hedge, "vagueness.hedge") not in found and any(c == "cause.hedge" for _, c in found)
    assert ("may", "vagueness.hedge") in {(t[m.start:m.end], m.entry.cue)
                                         for t in ["Some users may see errors."] for m in prepare(t, "en").cues}
