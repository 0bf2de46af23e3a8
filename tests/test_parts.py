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
