"""analyser.display: the HTML report highlights every evidence span at its exact characters."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape as html_escape
from html.parser import HTMLParser

import pytest

from analyser import analyse
from analyser.display import COLOURS, against_groups, render_html, segments, side_by_side
from analyser.report import DIMENSIONS, FACETS, Advice, DimensionScore, Evidence, FacetScore, Report

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "track", "embed", "param"}

# fmt: off
STATEMENTS = [
    ("en", "We are working hard to restore card payments. Some users may see errors since 14:05 UTC "
           "because of an expired TLS certificate. Sorry for any inconvenience!", None),
    ("zh-Hans", "今天16:50，微信上海数据中心抽搐了一下，少部分用户无法正常登录和收发消息。（特别声明：挖掘机对此次事故不负责）"
                "目前攻城狮正在玩命修复中，如有进一步消息我们会随时更新。对不起大家，赶紧去干活了！", None),
    ("zh-Hant", "本公司行動網路於今日上午8時15分起發生異常，工程師已於9:40完成修復。造成不便，敬請見諒。", "zh-Hant"),
    ("fr", "Suite à une panne, le trafic est interrompu depuis 7h40. Nous nous excusons 😅", None),
    ("de", "Wegen einer Störung im Rechenzentrum können einige Kunden nicht zahlen. Wir arbeiten mit Hochdruck daran.", None),
    ("markup", "<p>Payments & <b>transfers</b> failed at 09:10 \"due to\" a 'network' problem < 5 min. Sorry!</p>\n\nNext update at 10:00.", None),
]
# fmt: on
IDS = [s[0] for s in STATEMENTS]


class Collector(HTMLParser):
    """Rebuilds the highlighted text: each character with the dimensions and facets of its enclosing spans."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text_depth: int | None = None
        self.chars: list[tuple[str, frozenset, frozenset]] = []
        self.against: list[frozenset] = []
        self.legend: list[str] = []
        self.legend_facet: list[str] = []
        self.titles: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-legend"):
            self.legend.append(a["data-legend"])
        if a.get("data-legend-facet"):
            self.legend_facet.append(a["data-legend-facet"])
        if tag in VOID:
            return
        self.stack.append((tag, a))
        if a.get("data-role") == "text":
            self.text_depth = len(self.stack)
        if self.text_depth is not None and tag == "span" and "data-dims" in a:
            self.titles.append((len(self.chars), a.get("title", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {[t for t, _ in self.stack]})")
            return
        if self.text_depth == len(self.stack):
            self.text_depth = None
        self.stack.pop()

    def handle_data(self, data):
        if self.text_depth is None:
            return
        dims: set[str] = set()
        facets: set[str] = set()
        against: set[str] = set()
        for _, a in self.stack[self.text_depth:]:
            dims.update(a.get("data-dims", "").split())
            facets.update(a.get("data-facets", "").split())
            against.update(a.get("data-against", "").split())
        for ch in data:
            self.chars.append((ch, frozenset(dims), frozenset(facets)))
            self.against.append(frozenset(against))


def parse(html: str) -> Collector:
    c = Collector()
    c.feed(html)
    c.close()
    return c


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {case: analyse(text, lang=lang, method="rules") for case, text, lang in STATEMENTS}


def _expected(report: Report, group: str) -> set[int]:
    return {i for g, e in report.evidence() if g == group for i in range(e.start, e.end)}


def _check_highlights(report: Report, html: str) -> Collector:
    c = parse(html)
    assert not c.errors
    assert not c.stack, f"unclosed tags: {[t for t, _ in c.stack]}"
    assert "".join(ch for ch, _, _ in c.chars) == report.text
    for d in DIMENSIONS:
        got = {i for i, (_, dims, _) in enumerate(c.chars) if d in dims}
        assert got == _expected(report, d), d
    for f in FACETS:
        got = {i for i, (_, _, facets) in enumerate(c.chars) if f in facets}
        assert got == _expected(report, f), f
    # evidence of a dimension at level 0 or of a missing facet is marked as arguing against it
    against = against_groups(report)
    for g in DIMENSIONS + FACETS:
        got = {i for i, marks in enumerate(c.against) if g in marks}
        assert got == (_expected(report, g) if g in against else set()), g
    return c


@pytest.mark.parametrize("case", IDS)
def test_every_evidence_span_is_highlighted_at_its_characters(reports, case):
    report = reports[case]
    assert report.evidence(), "the fixture statements all have evidence"
    _check_highlights(report, report._repr_html_())


@pytest.mark.parametrize("case", IDS)
def test_html_is_well_formed_xml(reports, case):
    html = render_html(reports[case])
    # html.escape output and our markup are also valid XML once &nbsp; is declared
    ET.fromstring("<!DOCTYPE r [<!ENTITY nbsp '&#160;'>]><r>" + html + "</r>")


@pytest.mark.parametrize("case", IDS)
def test_legend_lists_exactly_the_four_dimensions(reports, case):
    c = parse(render_html(reports[case]))
    assert c.legend == list(DIMENSIONS)
    report = reports[case]
    has_against = any(g in against_groups(report) for g, _ in report.evidence())
    assert c.legend_facet == (["facets", "against"] if has_against else ["facets"])


def test_each_dimension_has_its_own_colour(reports):
    html = render_html(reports["en"])
    assert len({c for c, _ in COLOURS.values()}) == len(DIMENSIONS)
    for colour, tint in COLOURS.values():
        assert colour in html and tint in html


def test_special_characters_are_escaped(reports):
    report = reports["markup"]
    html = render_html(report)
    assert "<p>" not in html and "<b>transfers" not in html
    assert "&lt;p&gt;" in html and "&lt;b&gt;" in html and "&amp;" in html and "&quot;" in html and "&#x27;" in html
    _check_highlights(report, html)


def _ev(text: str, sub: str, cue: str, occurrence: int = 0) -> Evidence:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(sub, start + 1)
    return Evidence(start, start + len(sub), sub, cue, 0.5, f"explains {cue} <&>", "test")


def _overlapping_report() -> Report:
    text = 'Our "servers" took a nap & failed: <script>alert(1)</script> Sorry!'
    dims = {
        "cause": DimensionScore("cause", 1, 0.5, (_ev(text, '"servers" took', "cause.domain"),)),
        "apology": DimensionScore("apology", 1, 0.5, (_ev(text, "Sorry!", "apology.formula"),)),
        "humour": DimensionScore("humour", 2, 1.0, (_ev(text, "servers\" took a nap", "humour.joke"),)),
        "vagueness": DimensionScore("vagueness", 2, 1.0, (_ev(text, "took a nap & failed", "vagueness.euphemism"),
                                                          _ev(text, "a nap", "vagueness.euphemism"))),
    }
    facets = {f: FacetScore(f, False) for f in FACETS}
    facets["what"] = FacetScore("what", True, None, (_ev(text, "servers", "what.product"),))
    facets["why"] = FacetScore("why", True, None, dims["cause"].evidence)
    return Report(text=text, lang="en", lang_confidence=1.0, method="rules", dimensions=dims, facets=facets,
                  warnings=("a <warning> & more",), advice=(Advice("humour", 'Drop "the joke" <now>'),), n_tokens=12)


def test_overlapping_spans_get_the_union_of_their_dimensions():
    report = _overlapping_report()
    html = render_html(report)
    c = _check_highlights(report, html)
    text = report.text
    i = text.index("nap")
    _, dims, facets = c.chars[i]
    assert dims == {"humour", "vagueness"} and not facets
    j = text.index("servers")
    _, dims, facets = c.chars[j]
    assert dims == {"cause", "humour"} and facets == {"what", "why"}
    # a segment in several dimensions stacks one underline per dimension
    assert f"inset 0 -3px 0 {COLOURS['cause'][0]}, inset 0 -6px 0 {COLOURS['humour'][0]}" in html
    # tooltips list every span over the segment, escaped
    titles = [t for pos, t in c.titles if pos == j]
    assert titles and "humour.joke" in titles[0] and "cause.domain" in titles[0] and "what.product" in titles[0]
    assert "<&>" in titles[0]  # unescaped back by the parser: it was escaped in the attribute
    # the segments cover the text exactly, in order
    segs = segments(report)
    assert segs[0][0] == 0 and segs[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(segs, segs[1:]))


def test_script_in_text_warnings_and_advice_is_escaped():
    html = render_html(_overlapping_report())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a &lt;warning&gt; &amp; more" in html
    assert "Drop &quot;the joke&quot; &lt;now&gt;" in html
    ET.fromstring("<!DOCTYPE r [<!ENTITY nbsp '&#160;'>]><r>" + html + "</r>")


def test_scores_checklist_advice_and_warnings_are_shown(reports):
    report = _overlapping_report()
    html = render_html(report)
    for d in DIMENSIONS:
        s = report.dimensions[d]
        assert f'data-dim="{d}" data-level="{s.level}"' in html
        assert s.label in html
    for f in FACETS:
        assert f'data-facet="{f}" data-present="{str(report.facets[f].present).lower()}"' in html
    assert 'data-role="advice"' in html and 'data-topic="humour"' in html
    assert 'data-role="warnings"' in html
    # a real report's advice is shown too
    real = reports["zh-Hans"]
    real_html = render_html(real)
    assert real.advice and all(html_escape(a.message) in real_html for a in real.advice)


def test_text_without_evidence_renders_plainly():
    facets = {f: FacetScore(f, False) for f in FACETS}
    dims = {d: DimensionScore(d, 0, 0.0) for d in DIMENSIONS}
    report = Report("nothing <here>", "en", 1.0, "rules", dims, facets)
    c = _check_highlights(report, render_html(report))
    assert all(not dims and not facets for _, dims, facets in c.chars)


def test_plain_text_reprs(reports):
    report = reports["en"]
    assert str(report).startswith("language: en")
    r = repr(report)
    assert r.startswith("<Report lang=en") and "\n" not in r and "cause=" in r


def test_side_by_side_renders_each_report(reports):
    html = side_by_side([reports["en"], reports["zh-Hans"]], labels=["A <1>", "B"])
    assert html._repr_html_() == str(html)
    assert html.count('class="analyser-report"') == 2 and "A &lt;1&gt;" in html
    c = parse(html)
    assert not c.errors and not c.stack


def test_evidence_for_level_0_and_missing_facets_is_drawn_thin():
    """Model reports explain level 0 and missing facets too: those spans get thin marks, not the full highlight."""
    text = "Our team is looking into it. Sorry!"
    ev_team = Evidence(4, 8, "team", "ngram", 0.3, "model feature 'team' pushed cause towards 0", "model:cause")
    ev_scope = Evidence(4, 8, "team", "ngram", 0.2, "model feature 'team' pushed scope towards 0", "model:scope")
    ev_sorry = Evidence(29, 35, "Sorry!", "apology.formula", 2.5, "apology.formula cue pushed apology towards 1", "x")
    dims = {d: DimensionScore(d, 0, 0.1) for d in DIMENSIONS}
    dims["cause"] = DimensionScore("cause", 0, 0.1, (ev_team,), (0.8, 0.15, 0.05))
    dims["apology"] = DimensionScore("apology", 1, 0.5, (ev_sorry,), (0.1, 0.8, 0.1))
    facets = {f: FacetScore(f, False, 0.1) for f in FACETS}
    facets["scope"] = FacetScore("scope", False, 0.1, (ev_scope,))
    report = Report(text, "en", 1.0, "model", dims, facets, n_tokens=8)
    html = render_html(report)
    c = _check_highlights(report, html)
    i = text.index("team")
    assert c.chars[i][1] == {"cause"} and c.chars[i][2] == {"scope"} and c.against[i] == {"cause", "scope"}
    j = text.index("Sorry")
    assert c.chars[j][1] == {"apology"} and not c.against[j]
    assert f"background:{COLOURS['apology'][1]}" in html and f"background:{COLOURS['cause'][1]}" not in html.split('data-role="legend"')[0]
    assert f"inset 0 -1px 0 {COLOURS['cause'][0]}" in html and "1px dashed" in html
    assert parse(html).legend_facet == ["facets", "against"]
    assert "P(level)" in html  # probabilities in the score tooltips


def test_random_overlapping_spans_round_trip():
    """Any text and any set of spans: the parsed HTML gives back the text and exactly the spans' characters."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    groups = list(DIMENSIONS) + list(FACETS)

    @st.composite
    def reports_(draw):
        text = draw(st.text(alphabet=st.sampled_from(list("ab <>&\"'\n\t中文é😅")), min_size=1, max_size=40))
        n = len(text)
        spans = draw(st.lists(st.tuples(st.sampled_from(groups), st.integers(0, n - 1), st.integers(1, n)),
                              max_size=12))
        by: dict[str, list[Evidence]] = {g: [] for g in groups}
        for g, a, b in spans:
            a, b = min(a, b - 1), max(a + 1, b)
            if b <= n:
                by[g].append(Evidence(a, b, text[a:b], f"{g}.x", 0.5, "<why & how>", "t"))
        levels = {d: draw(st.integers(0, 2)) for d in DIMENSIONS}
        dims = {d: DimensionScore(d, levels[d], levels[d] / 2, tuple(by[d])) for d in DIMENSIONS}
        facets = {f: FacetScore(f, draw(st.booleans()), None, tuple(by[f])) for f in FACETS}
        return Report(text, "en", 1.0, "rules", dims, facets)

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(reports_())
    def check(report):
        html = render_html(report)
        _check_highlights(report, html)
        ET.fromstring("<!DOCTYPE r [<!ENTITY nbsp '&#160;'>]><r>" + html + "</r>")

    check()


def test_a_torn_level_is_marked_with_both_likelier_levels():
    dims = {d: DimensionScore(d, 0, 0.0, (), (1.0, 0.0, 0.0)) for d in DIMENSIONS}
    dims["cause"] = DimensionScore("cause", 1, (0.09 + 2 * 0.23) / 2, (), (0.68, 0.09, 0.23))
    facets = {f: FacetScore(f, False) for f in FACETS}
    html = render_html(Report("Something happened.", "en", 1.0, "model", dims, facets))
    marks = [line for line in html.split("<tr") if 'data-role="torn"' in line]
    assert len(marks) == 1 and 'data-dim="cause"' in marks[0]
    assert "none 0.68" in marks[0] and "specific 0.23" in marks[0]


def test_the_view_names_a_resolution_notice():
    assert "stage <b>resolved</b>" in render_html(analyse("Card payments are working again.", lang="en"))
    assert "stage <b>" not in render_html(analyse("Card payments are failing.", lang="en"))
