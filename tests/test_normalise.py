"""analyser.normalise: the normalised text and its per-character map back to the original."""
from __future__ import annotations

import html
import re
import unicodedata

import pytest

from analyser.normalise import Normalised, normalise

# (case id, original text, words expected in the normalised text)
# fmt: off
CASES = [
    ("html-entities", "<p>Payments &amp; transfers failed at&nbsp;14:05 &lt;GMT&gt;.</p><div>We&#39;re sorry &#x1F605;</div>",
     ["Payments", "&", "14:05", "GMT", "We're", "sorry", "😅"]),
    ("html-inline-tags", "Our <b>API</b> is <a href=\"https://status.example.com\">down</a> since <em>09:10</em>.",
     ["API", "down", "09:10"]),
    ("full-width", "今天１６：５０，微信宕机了。ＡＰＩ故障。", ["16:50", "宕机", "API"]),
    ("nbsp-and-space-runs", "Service\u00a0down   for\n\n\nsome  users.\t\tNext update\u3000at 15:00.",
     ["Service", "down", "some", "users", "update", "15:00"]),
    ("zero-width", "Sor\u200bry for the in\u200cconvenience\ufeff. Pay\u00adments fail\u2060ed.",
     ["Sorry", "inconvenience", "Payments", "failed"]),
    ("combining-accents", "Cafe\u0301 payments re\u0301tablis. Le re\u0301seau est coupe\u0301.",
     ["Café", "rétablis", "réseau", "coupé"]),
    ("control-chars", "Down\x07 since\x00 09:00\x1b. Back\x7f soon\x85.", ["Down", "since", "09:00", "Back", "soon"]),
    ("emoji-zwj", "We're on it 👨\u200d💻👩\u200d🔧! Servers napping 😴", ["on", "👨\u200d💻", "napping", "😴"]),
    ("cjk", "部分用户无法登录，我们正在紧急排查。", ["部分用户", "登录", "紧急排查"]),
    ("cjk-traditional", "部分用戶無法登入，工程師正在全力搶修。", ["用戶", "工程師"]),
    ("compatibility", "ﬁber cut: 10㎞ of cable ① down", ["fiber", "km", "1"]),
    ("leading-trailing-space", "  \t  The outage is over. \r\n ", ["The", "outage", "over"]),
]
# fmt: on
IDS = [c[0] for c in CASES]


def _source_forms(piece: str) -> str:
    """What a slice of the original may legitimately turn into."""
    return unicodedata.normalize("NFKC", html.unescape(piece))


def _fold(text: str) -> str:
    """Case-folded NFKC form without invisible format characters (ZWSP, soft hyphen ...)."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_map_has_one_span_per_character(case, original, words):
    n = normalise(original)
    assert len(n.starts) == len(n.ends) == len(n.text)


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_every_character_comes_from_a_nonempty_slice(case, original, words):
    n = normalise(original)
    for i in range(len(n.text)):
        assert 0 <= n.starts[i] < n.ends[i] <= len(original), (i, n.text[i])


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_every_character_maps_to_its_source(case, original, words):
    n = normalise(original)
    for i, ch in enumerate(n.text):
        piece = original[n.starts[i]:n.ends[i]]
        if ch.isspace():
            # folded white space, a block tag turned into a line break, or an entity like &nbsp;
            assert not _source_forms(piece).strip() or re.fullmatch(r"<[^<>]*>", piece), (i, piece)
        else:
            assert ch in _source_forms(piece), (i, ch, piece)


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_spans_are_monotonic(case, original, words):
    n = normalise(original)
    assert list(n.starts) == sorted(n.starts)
    assert list(n.ends) == sorted(n.ends)


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_word_spans_map_back_to_the_word(case, original, words):
    n = normalise(original)
    for word in words:
        start = n.text.find(word)
        assert start >= 0, word
        o_start, o_end = n.span(start, start + len(word))
        assert _fold(original[o_start:o_end]) == _fold(word)


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_text_is_trimmed_and_folded(case, original, words):
    text = normalise(original).text
    assert text == text.strip()
    assert "  " not in text and "\n\n" not in text and "\t" not in text


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_no_invisible_or_control_characters_left(case, original, words):
    text = normalise(original).text
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text)
    assert not any(ch in text for ch in "\u200b\u200c\u2060\ufeff\u00ad")


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_original_is_kept(case, original, words):
    assert normalise(original).original == original


@pytest.mark.parametrize("case,original,words", CASES, ids=IDS)
def test_normalise_is_idempotent_on_its_output(case, original, words):
    once = normalise(original).text
    assert normalise(once).text == once


def test_zwj_is_kept_inside_emoji():
    assert "\u200d" in normalise("Fix in progress 👩\u200d🔧").text


def test_combining_accent_maps_to_both_code_points():
    original = "re\u0301seau"
    n = normalise(original)
    i = n.text.index("é")
    assert original[n.starts[i]:n.ends[i]] == "e\u0301"


def test_full_width_time_maps_to_full_width_slice():
    original = "今天１６：５０宕机"
    n = normalise(original)
    start = n.text.index("16:50")
    assert n.span(start, start + 5) == (2, 7)


@pytest.mark.parametrize("text", [
    "Card payments failed between 14:05 and 14:50 GMT.",
    "We apologise.\nNext update at 17:00.",
    "x",
    "Überweisungen schlugen fehl – wir entschuldigen uns.",
    "支付服务已于16:50恢复。",
])
def test_text_needing_no_change_maps_to_itself(text):
    from analyser.normalise import _fold_space, _nfkc_and_clean, _strip_html

    n = normalise(text)
    assert n.text == text
    assert list(n.starts) == list(range(len(text)))
    assert list(n.ends) == list(range(1, len(text) + 1))
    # the shortcut gives what the full path gives
    chars, starts, ends = _fold_space(*_nfkc_and_clean(*_strip_html(text)))
    assert (chars, list(starts), list(ends)) == (n.text, list(n.starts), list(n.ends))


def test_empty_text():
    n = normalise("")
    assert (n.text, n.starts, n.ends) == ("", (), ())


@pytest.mark.parametrize("text", ["   \n\t ", "\u200b\u200b", "<p></p>", "<p><!-- nothing --></p>"])
def test_nothing_left(text):
    assert normalise(text).text == ""


@pytest.mark.parametrize("dropped,html_text", [
    ("color", "<html><head><style>p { color: red }</style></head><body><p>API down</p></body></html>"),
    ("alert", "<p>API down</p><script type=\"text/javascript\">alert('x < y')</script><p>since 09:10</p>"),
    ("tracking", "<p>API down</p><SCRIPT>var tracking = 1;</SCRIPT>"),
    ("hidden", "<!-- hidden comment --><p>API down</p>"),
    ("draft", "<p>API down<!-- draft: blame the DNS --></p>"),
])
def test_script_style_and_comments_are_dropped(dropped, html_text):
    text = normalise(html_text).text
    assert dropped not in text
    assert "API down" in text


@pytest.mark.parametrize("text", [
    "A deploy broke the <script> tag that loads our JavaScript bundle. We are sorry. Next update at 15:00.",
    "<p>Our <b>web app</b> is down: a <style> rule hid the login form. We are sorry. Next update at 15:00.</p>",
    "<p>Checkout fails <!-- since the release. We are sorry. Next update at 15:00.</p>",
])
def test_an_unclosed_script_style_or_comment_keeps_the_rest_of_the_text(text):
    """A statement that mentions <script> is not a script element running to the end of the text."""
    assert normalise(text).text.endswith("We are sorry. Next update at 15:00.")


def test_block_tags_become_line_breaks():
    assert normalise("<p>Payments down.</p><p>Next update at 15:00.</p>").text == "Payments down.\nNext update at 15:00."


def test_inline_tags_leave_no_gap():
    assert normalise("Our <b>API</b> is down.").text == "Our API is down."


def test_text_without_tags_keeps_angle_brackets():
    assert normalise("Latency < 200 ms & errors > 5%").text == "Latency < 200 ms & errors > 5%"


def test_span_of_empty_range_is_a_point():
    n = normalise("Sor\u200bry for the delay")
    start, end = n.span(3, 3)
    assert start == end


def test_span_at_end_is_the_original_length():
    original = "  down  "
    n = normalise(original)
    assert n.span(len(n.text), len(n.text)) == (len(original), len(original))


def test_normalised_is_frozen():
    n = normalise("down")
    with pytest.raises(AttributeError):
        n.text = "up"  # type: ignore[misc]
    assert isinstance(n, Normalised)
