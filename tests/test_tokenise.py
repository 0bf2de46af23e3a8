"""analyser.tokenise: jieba with the outage/slang user dictionary, spaCy rule-based tokenisers."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyser.script import convert
from analyser.tokenise import Token, read_userdict, tokeniser_for
from analyser.languages import spec_for

ROOT = Path(__file__).resolve().parents[1]

# (word jieba must keep whole, a realistic sentence containing it)
# fmt: off
ZH_WHOLE = [
    ("攻城狮", "目前攻城狮正在玩命修复中，请大家耐心等待。"),
    ("程序猿", "程序猿们连夜加班排查问题。"),
    ("挖掘机", "特别声明：挖掘机表示本次事故与它无关。"),
    ("抽搐", "今天下午数据中心抽搐了一下，部分用户无法登录。"),
    ("宕机", "服务器宕机了，请稍后再试。"),
    ("光缆", "市政施工挖断光缆，导致部分地区用户无法支付。"),
]

ZH_HANT = [
    "目前攻城師正在全力搶修，請稍後再試。",
    "特別聲明：挖掘機表示本次事故與它無關。",
    "因機房光纜被挖斷，台北市部分用戶無法使用行動數據。",
]

# (language code, statement)
LATIN = [
    ("en", "Card payments at checkout failed for customers in the UK between 14:05 and 14:50 GMT; we're sorry."),
    ("en", "Our API (api.example.com) returned HTTP 503 errors — a fix is rolling out now!"),
    ("fr", "Suite à une panne de signalisation, le trafic est interrompu depuis 7 h 40. Nous nous excusons pour la gêne occasionnée."),
    ("fr", "L'application n'est plus disponible : aujourd'hui, c'est la faute d'un serveur."),
    ("de", "Seit 12:15 Uhr ist das Online-Banking für alle Kundinnen und Kunden nicht erreichbar. Wir bitten um Ihr Verständnis."),
    ("de", "Die Störung im Rechenzentrum (z. B. bei Überweisungen) ist seit 09:30 Uhr behoben."),
    ("es", "Debido a una incidencia técnica, algunos clientes podrían experimentar problemas. ¡Pedimos disculpas!"),
    ("es", "¿No puedes pagar? Inténtalo de nuevo más tarde: el 5% de los usuarios está afectado."),
]
# fmt: on


@pytest.mark.parametrize("word,sentence", ZH_WHOLE, ids=[w for w, _ in ZH_WHOLE])
def test_jieba_keeps_slang_and_outage_words_whole(word, sentence):
    tokens = tokeniser_for("zh-Hans")(sentence)
    assert word in [sentence[t.start:t.end] for t in tokens]


@pytest.mark.parametrize("word,sentence", ZH_WHOLE, ids=[w for w, _ in ZH_WHOLE])
def test_jieba_token_offsets_index_the_text(word, sentence):
    for t in tokeniser_for("zh-Hans")(sentence):
        assert sentence[t.start:t.end].lower() == t.norm


@pytest.mark.parametrize("sentence", ZH_HANT)
def test_t2s_conversion_keeps_length(sentence):
    assert len(convert(sentence, "t2s")) == len(sentence)


@pytest.mark.parametrize("sentence", ZH_HANT)
def test_traditional_tokens_index_the_original_one_to_one(sentence):
    simplified = convert(sentence, "t2s")
    tokens = tokeniser_for("zh-Hant")(simplified)
    assert tokens
    for t in tokens:
        assert 0 <= t.start < t.end <= len(sentence)
        assert t.norm == simplified[t.start:t.end]
        assert convert(sentence[t.start:t.end], "t2s") == t.norm


@pytest.mark.parametrize("sentence", ZH_HANT)
def test_traditional_tokens_cover_the_text_in_order(sentence):
    tokens = tokeniser_for("zh-Hant")(convert(sentence, "t2s"))
    assert "".join(sentence[t.start:t.end] for t in tokens) == sentence
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)


def test_traditional_excavator_stays_whole():
    sentence = "特別聲明：挖掘機表示本次事故與它無關。"
    tokens = tokeniser_for("zh-Hant")(convert(sentence, "t2s"))
    assert "挖掘機" in [sentence[t.start:t.end] for t in tokens]


@pytest.mark.parametrize("lang,text", LATIN)
def test_spacy_token_offsets_slice_to_the_token(lang, text):
    tokens = tokeniser_for(lang)(text)
    assert tokens
    for t in tokens:
        assert text[t.start:t.end].lower() == t.norm


@pytest.mark.parametrize("lang,text", LATIN)
def test_spacy_tokens_skip_white_space(lang, text):
    assert all(t.norm.strip() for t in tokeniser_for(lang)(text))


@pytest.mark.parametrize("lang,text", LATIN)
def test_spacy_tokens_are_lower_case(lang, text):
    assert all(t.norm == t.norm.lower() for t in tokeniser_for(lang)(text))


@pytest.mark.parametrize("lang,text", LATIN)
def test_spacy_tokens_do_not_overlap(lang, text):
    tokens = tokeniser_for(lang)(text)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))


def test_multiple_spaces_and_newlines_give_no_tokens():
    tokens = tokeniser_for("en")("Payments   failed.\n\nSorry.")
    assert [t.norm for t in tokens] == ["payments", "failed", ".", "sorry", "."]


@pytest.mark.parametrize("code", ["en", "fr", "de", "es", "zh-Hans", "zh-Hant"])
def test_tokeniser_is_cached(code):
    assert tokeniser_for(code) is tokeniser_for(code)


def test_chinese_variants_share_one_tokeniser():
    assert tokeniser_for("zh-Hans") is tokeniser_for("zh-Hant")


def test_unknown_language_falls_back_to_a_tokeniser():
    text = "Il servizio è tornato disponibile."
    tokens = tokeniser_for("it")(text)
    assert [text[t.start:t.end] for t in tokens][:3] == ["Il", "servizio", "è"]


def test_empty_text_gives_no_tokens():
    assert tokeniser_for("en")("") == [] and tokeniser_for("zh-Hans")("") == []


def test_token_is_frozen():
    with pytest.raises(AttributeError):
        Token("a", 0, 1).norm = "b"  # type: ignore[misc]


def test_userdict_rows_have_integer_frequencies():
    spec = spec_for("zh-Hans")
    rows = read_userdict(spec, spec.tokeniser["userdict"])
    assert rows
    assert all(word and isinstance(freq, int) and freq > 0 for word, freq in rows)


def test_chinese_tokenising_prints_nothing_on_stderr():
    code = 'from analyser.tokenise import tokeniser_for; tokeniser_for("zh-Hans")("微信宕机了")'
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
