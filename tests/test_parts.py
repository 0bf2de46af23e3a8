"""analyser.parts: statements written in two languages are read part by part, each part with its
own tokeniser and lexicon; one-language statements are left whole."""
from __future__ import annotations

import pytest

from analyser.api import analyse
from analyser.parts import language_parts
from analyser.prepare import prepare

# fmt: off
HONG_KONG = ("【服務中斷通知】由於數據中心電力故障，本行網上銀行服務於今日上午9時至10時30分暫停。我們對此造成的不便深表歉意。\n"
             "[Service Interruption] Due to a power failure at our data centre, our online banking service was unavailable "
             "today from 9:00 to 10:30 am. We apologise for the inconvenience caused.")
CANADA = ("Service interruption on Line 1 between Union and Bloor stations due to a signal problem. We apologize for the "
          "inconvenience. / Interruption de service sur la ligne 1 entre les stations Union et Bloor en raison d'un problème "
          "de signalisation. Nous nous excusons pour les désagréments.")
SWITZERLAND = ("Wegen einer Störung im Rechenzentrum ist das E-Banking seit 8 Uhr nicht erreichbar. Wir entschuldigen uns für "
               "die Unannehmlichkeiten.\nEn raison d'une panne dans notre centre de données, l'e-banking est inaccessible "
               "depuis 8 h. Nous vous prions de nous excuser pour la gêne occasionnée.")
# fmt: on


@pytest.mark.parametrize("text,lang,codes", [
    (HONG_KONG, None, {"zh-Hant", "en"}), (HONG_KONG, "zh-Hant", {"zh-Hant", "en"}), (HONG_KONG, "en", {"zh-Hant", "en"}),
    (CANADA, None, {"en", "fr"}), (CANADA, "en", {"en", "fr"}),
    (SWITZERLAND, None, {"de", "fr"}), (SWITZERLAND, "de", {"de", "fr"}),
])
def test_a_bilingual_notice_is_split_into_its_languages(text, lang, codes):
    p = prepare(text, lang)
    parts = language_parts(p.text, p.lang)
    assert parts is not None and {q.code for q in parts} == codes
    assert parts[0].start == 0 and parts[-1].end == len(p.text)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert any("more than one language" in w for w in p.warnings)


@pytest.mark.parametrize("text,lang", [(HONG_KONG, None), (CANADA, None), (SWITZERLAND, None), (CANADA, "en")])
def test_each_part_is_matched_with_its_own_lexicon(text, lang):
    p = prepare(text, lang)
    parts = language_parts(p.text, p.lang)
    folder = {"zh-Hant": "zh", "zh-Hans": "zh"}
    for q in parts:
        sources = {m.entry.source.split("/")[0] for m in p.cues if q.start <= m.start < q.end}
        assert folder.get(q.code, q.code) in sources, (q, sources)  # the part found cues of its own language
    # apology formulas from both languages
    apology = [p.text[m.start:m.end] for m in p.cues if m.entry.cue == "apology.formula"]
    assert len({m.entry.source.split("/")[0] for m in p.cues if m.entry.cue == "apology.formula"}) == 2, apology


@pytest.mark.parametrize("text,lang", [(HONG_KONG, None), (CANADA, None), (SWITZERLAND, None)])
def test_spans_of_a_split_statement_index_the_whole_text(text, lang):
    p = prepare(text, lang)
    assert len(p.match_text) == len(p.text)
    for m in p.cues:
        ev = p.cue_evidence(m)
        assert text[ev.start:ev.end] == ev.text
    for t in p.tokens:
        assert p.match_text[t.start:t.end] == t.norm  # tokens sit on the text (match_text is lower-cased)
    assert [t.start for t in p.tokens] == sorted(t.start for t in p.tokens)
    r = analyse(text, lang)
    for d in r.dimensions.values():
        for e in d.evidence:
            assert text[e.start:e.end] == e.text


def test_english_words_in_a_chinese_statement_are_not_a_second_language():
    text = "微信支付出现故障，部分用户无法使用 Apple Pay 和 App Store 付款，工程师正在抢修。"
    assert language_parts(prepare(text).text, "zh-Hans") is None


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "zh-Hans", "zh-Hant"])
def test_no_labelled_one_language_statement_is_split(lang):
    """The authored statements are each in one language: none may be split (a split would change
    their cues). Checked over all of them, and over the real corpus in the README's figure."""
    from analyser.data import authored_rows
    from analyser.normalise import normalise

    texts = [r["text"] for r in authored_rows() if r["lang"] == lang]
    assert texts
    split = [t[:80] for t in texts if language_parts(normalise(t).text, lang)]
    assert split == []


def test_a_bilingual_notice_scores_its_second_part():
    """The English half of a Hong Kong notice read with the Chinese lexicon found no English cue;
    read with its own, its apology and cause are found."""
    p = prepare(HONG_KONG, "zh-Hant")
    english = HONG_KONG.index("[Service")
    kinds = {m.entry.cue for m in p.cues if m.start >= english}
    assert {"apology.formula", "cause.connective"} <= kinds


# Cases from a session-9 user test (written anew here).
@pytest.mark.parametrize("text,lang,expected", [
    # a dot inside a time, a version or an abbreviation is no sentence end
    ("Seit 14.30 Uhr sind ca. 5000 Kunden in Bern ohne Internet, z. B. in den Quartieren Länggasse und "
     "Breitenrain. Depuis 14 h 30, env. 5000 clients à Berne sont privés d'Internet, p. ex. dans les "
     "quartiers de la Länggasse et du Breitenrain.", None,
     [("de", "Seit 14.30 Uhr sind ca. 5000 Kunden"), ("fr", "Depuis 14 h 30, env. 5000 clients")]),
    ("Version 2.4.1 of the app, released at 9 am, fails to start on Android 14. La version 2.4.1 de "
     "l'application, publiée à 9 h, ne démarre pas sous Android 14.", None,
     [("en", "Version 2.4.1 of the app"), ("fr", "La version 2.4.1 de")]),
    # Latin words beside Chinese are a Latin-script part even with few function words
    ("港鐵手機應用程式暫停服務 / MTR Mobile app is temporarily unavailable\n原因是伺服器過載，預計今晚10時前恢復 / "
     "The cause is server overload; service should resume by 10 pm", None,
     [("zh-Hant", "港鐵手機應用程式暫停服務"), ("en", "MTR Mobile app is temporarily"), ("zh-Hant", "原因是伺服器過載"),
      ("en", "The cause is server overload")]),
    # an unclear vote between English and French is settled by Lingua
    ("Logins to the database console failed. Les connexions à la console de la base de données ont échoué.", "en",
     [("en", "Logins to the database console"), ("fr", "Les connexions à la console")]),
])
def test_parts_of_user_test_layouts(text, lang, expected):
    p = prepare(text, lang)
    parts = language_parts(p.text, p.lang)
    assert parts is not None
    got = [(q.code, p.text[q.start:q.end]) for q in parts]
    assert [c for c, _ in got] == [c for c, _ in expected], got
    for (_, part_text), (_, start) in zip(got, expected):
        assert part_text.startswith(start), (part_text, start)


@pytest.mark.parametrize("text,lang", [
    # a sentence in a language we do not support stays where it is
    ("Dalle ore 8:00 il servizio di e-banking non è disponibile in tutto il Ticino. Ci scusiamo per il disagio "
     "e prevediamo di ripristinarlo entro le 12:00. Seit 8:00 Uhr ist das E-Banking im ganzen Tessin nicht "
     "verfügbar. Wir entschuldigen uns für die Unannehmlichkeiten.", "de"),
    ("Il servizio è di nuovo disponibile per tutti i clienti. The service is available again for all customers "
     "and we are sorry for the trouble.", "it"),
    # one-language statements with words of another
    ("Our teams in Montréal and Trois-Rivières are restoring the service at the Gare Centrale and the "
     "Place des Arts stations; we expect it back by 5 pm.", "en"),
    ("Nuestro director dijo: \"we are working on it\". El servicio de pagos sigue caído en Madrid y Barcelona "
     "desde las 10:00 y esperamos restablecerlo antes de las 14:00.", "es"),
])
def test_no_split_for_unsupported_languages_or_foreign_words(text, lang):
    p = prepare(text, lang)
    assert language_parts(p.text, p.lang) is None
    assert not any("more than one language" in w for w in p.warnings)


@pytest.mark.parametrize("given,code", [("fr-CA", "fr"), ("de-CH", "de"), ("es-MX", "es"), ("FR-ca", "fr"),
                                        ("zh-HK", "zh-Hant"), ("zh-SG", "zh-Hans")])
def test_a_region_subtag_names_the_language(given, code):
    from analyser.prepare import check_lang

    assert check_lang(given) == code
