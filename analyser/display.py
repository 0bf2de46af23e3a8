"""Rich display of a report in Jupyter: ``Report._repr_html_`` calls :func:`render_html`.

The statement's original text is shown with every evidence span highlighted at
its exact character offsets. The text is cut at every span boundary; each
segment is one ``<span>`` carrying the union of the spans over it:

* one colour per dimension (:data:`COLOURS`): a light background (split in
  horizontal bands when several dimensions overlap) and one underline band per
  dimension, stacked, so overlapping spans stay legible;
* facets (what, scope, when, why, next) get a dotted overline, whatever the facet;
* evidence that argues for level 0 of a dimension or for a missing facet (the
  models explain those too, the rules' "an issue" or "thanks for your
  patience" cues do) is drawn thin: a 1 px band, no background, a light dashed
  overline;
* a ``title`` tooltip lists each span's dimension or facet, cue and explanation;
* ``data-dims`` / ``data-facets`` / ``data-against`` attributes name them for
  tests and tools.

Below the text: the four scores as small bars with their level labels, the
checklist of facets present and missing, the advice and the warnings. All text
is escaped; styles are inline (no ``<style>`` or JavaScript), so the output
survives notebook sanitisers, nbconvert and e-mail.
"""
from __future__ import annotations

import html

from .report import DIMENSIONS, FACET_HELP, FACETS, LEVEL_NAMES, Evidence, Report, decided, torn

#: One colour per dimension: (underline / bar colour, background tint).
COLOURS = {
    "cause": ("#2563eb", "#dbeafe"),
    "apology": ("#16a34a", "#dcfce7"),
    "humour": ("#c026d3", "#fae8ff"),
    "vagueness": ("#ea580c", "#ffedd5"),
}
#: The facets' style: a dotted overline in this colour (a light dashed one for evidence against a facet).
FACET_COLOUR = "#475569"
FACET_AGAINST_COLOUR = "#94a3b8"
#: Which way is better, shown beside each bar (arrow, tooltip).
BETTER = {"cause": ("↑", "higher is better"), "apology": ("↑", "higher is better"),
          "humour": ("↓", "lower is better"), "vagueness": ("↓", "lower is better")}
_UNDERLINE = 3  # px per dimension band
_THIN = 1  # px per band of evidence for level 0

_BOX = ("font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK SC',sans-serif;"
        "font-size:14px;color:#111827;background:#ffffff;border:1px solid #d1d5db;border-radius:6px;"
        "padding:12px 14px;max-width:900px;line-height:1.45")
_TEXT = ("white-space:pre-wrap;word-wrap:break-word;line-height:2.1;font-size:15px;padding:8px 10px;"
         "border-left:3px solid #e5e7eb;background:#fafafa;margin:8px 0")
_H = "font-weight:600;font-size:13px;color:#374151;margin:10px 0 4px 0"
_SMALL = "font-size:12px;color:#6b7280"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _span_style(dims: list[str], facets: list[str], against: frozenset | set = frozenset()) -> str:
    """Inline style of a segment: strong marks for the spans that support a level or facet, thin ones for the rest."""
    parts = ["box-decoration-break:clone", "-webkit-box-decoration-break:clone"]
    strong = [d for d in dims if d not in against]
    if strong:
        tints = [COLOURS[d][1] for d in strong]
        if len(tints) == 1:
            parts.append(f"background:{tints[0]}")
        else:
            step = 100 / len(tints)
            stops = ", ".join(f"{t} {i * step:.0f}% {(i + 1) * step:.0f}%" for i, t in enumerate(tints))
            parts.append(f"background:linear-gradient(180deg, {stops})")
    if dims:
        # one underline band per dimension, stacked: thick for strong evidence, thin for evidence of level 0
        shadows, depth = [], 0
        for d in strong + [d for d in dims if d in against]:
            depth += _UNDERLINE if d not in against else _THIN
            shadows.append(f"inset 0 -{depth}px 0 {COLOURS[d][0]}")
        parts.append(f"box-shadow:{', '.join(shadows)}")
        parts.append(f"padding-bottom:{max(0, depth - _UNDERLINE)}px")
    present = [f for f in facets if f not in against]
    if present:
        parts.append(f"border-top:2px dotted {FACET_COLOUR}")
    elif facets:
        parts.append(f"border-top:1px dashed {FACET_AGAINST_COLOUR}")
    return ";".join(parts)


def _tooltip_line(group: str, ev: Evidence, against: bool) -> str:
    what = group if group in DIMENSIONS else f"facet {group}"
    side = " (argues for level 0)" if against and group in DIMENSIONS else " (argues it is missing)" if against else ""
    return f"{what}{side} · {ev.cue} “{ev.text}”: {ev.explanation}"


def against_groups(report: Report) -> set[str]:
    """Dimensions at level 0 and facets missing: their evidence argues for absence, and is drawn thin."""
    return ({d for d, s in report.dimensions.items() if s.level == 0}
            | {f for f, s in report.facets.items() if not s.present})


def segments(report: Report) -> list[tuple[int, int, list[tuple[str, Evidence]]]]:
    """The text cut at every evidence boundary: ``(start, end, spans over it)``, covering the whole text."""
    n = len(report.text)
    marks = [(g, e) for g, e in report.evidence() if 0 <= e.start < e.end <= n]  # sorted by start
    bounds = sorted({0, n, *(e.start for _, e in marks), *(e.end for _, e in marks)})
    out, active, k = [], [], 0
    for a, b in zip(bounds, bounds[1:]):  # one sweep: spans enter at their start, leave at their end
        active = [m for m in active if m[1].end > a]
        while k < len(marks) and marks[k][1].start <= a:
            active.append(marks[k])
            k += 1
        out.append((a, b, list(active)))
    return out


def highlighted_text(report: Report) -> str:
    """The original text as HTML, with every evidence span highlighted.

    Each highlighted segment is a ``<span>`` whose ``data-dims`` / ``data-facets``
    name every dimension and facet with a span over it, and ``data-against``
    those among them whose evidence argues for level 0 or a missing facet.
    """
    against_all = against_groups(report)
    parts = []
    for a, b, spans in segments(report):
        chunk = _e(report.text[a:b])
        if not spans:
            parts.append(chunk)
            continue
        groups = {g for g, _ in spans}
        dims = [d for d in DIMENSIONS if d in groups]
        facets = [f for f in FACETS if f in groups]
        against = [g for g in dims + facets if g in against_all]
        ordered = sorted(spans, key=lambda p: (p[0] in against_all, (DIMENSIONS + FACETS).index(p[0])
                                               if p[0] in DIMENSIONS + FACETS else 99))
        lines = list(dict.fromkeys(_tooltip_line(g, e, g in against_all) for g, e in ordered))
        parts.append(
            f'<span data-dims="{" ".join(dims)}" data-facets="{" ".join(facets)}" data-against="{" ".join(against)}" '
            f'style="{_span_style(dims, facets, set(against))}" title="{_e(chr(10).join(lines))}">{chunk}</span>'
        )
    return f'<div data-role="text" style="{_TEXT}">{"".join(parts)}</div>'


def legend_html(report: Report | None = None) -> str:
    items = []
    for d in DIMENSIONS:
        items.append(
            f'<span data-legend="{d}" style="white-space:nowrap">'
            f'<span style="{_span_style([d], [])};padding:0 3px">Aa</span> {d}</span>'
        )
    items.append(
        f'<span data-legend-facet="facets" style="white-space:nowrap" title="what, scope, when, why, next">'
        f'<span style="{_span_style([], ["what"])};padding:0 3px">Aa</span> facet</span>'
    )
    if report is None or any(g in against_groups(report) for g, _ in report.evidence()):
        items.append(
            f'<span data-legend-facet="against" style="white-space:nowrap" '
            f'title="evidence for level 0 of a dimension, or against a facet">'
            f'<span style="{_span_style(["cause"], ["what"], {"cause", "what"})};padding:0 3px">Aa</span>'
            f' thin: evidence for level 0 / facet missing</span>'
        )
    return f'<div data-role="legend" style="{_SMALL};display:flex;flex-wrap:wrap;gap:4px 14px">{"".join(items)}</div>'


def _torn(s, d: str) -> str:
    """A mark after a level chosen between two likelier ones (:func:`analyser.report.torn`)."""
    pair = torn(s.probabilities, s.level)
    if pair is None:
        return ""
    tip = (f"torn: {LEVEL_NAMES[d][pair[0]]} {s.probabilities[pair[0]]:.2f}, {LEVEL_NAMES[d][pair[1]]} "
           f"{s.probabilities[pair[1]]:.2f}; {s.label} {s.probabilities[s.level]:.2f} is the level between them; "
           f"the facets and advice read it as {LEVEL_NAMES[d][decided(s.level, s.probabilities)]}")
    return f' <span data-role="torn" title="{_e(tip)}" style="{_SMALL}">(torn)</span>'


def _bar(report: Report, d: str) -> str:
    s = report.dimensions[d]
    colour = COLOURS[d][0]
    pct = max(0.0, min(1.0, s.score)) * 100
    tip = f"{d}: level {s.level} ({s.label}), score {s.score:.2f}"
    if s.probabilities is not None:
        tip += "; P(level) = " + ", ".join(f"{LEVEL_NAMES[d][i]} {p:.2f}" for i, p in enumerate(s.probabilities))
    tick = '<div style="position:absolute;left:50%;top:0;bottom:0;border-left:1px solid #ffffff"></div>'
    arrow, better = BETTER[d]
    return (
        f'<tr data-dim="{d}" data-level="{s.level}" title="{_e(tip)}">'
        f'<td style="padding:2px 8px 2px 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:10px;height:10px;background:{colour};border-radius:2px;margin-right:5px"></span>{d}</td>'
        f'<td style="padding:2px 8px 2px 0"><div style="position:relative;width:100px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden">'
        f'<div style="width:{pct:.0f}%;height:100%;background:{colour}"></div>{tick}</div></td>'
        f'<td style="padding:2px 8px 2px 0;white-space:nowrap"><b>{s.level}</b>&nbsp;{_e(s.label)}{_torn(s, d)}</td>'
        f'<td style="padding:2px 8px 2px 0;font-variant-numeric:tabular-nums">{s.score:.2f}</td>'
        f'<td style="padding:2px 0;{_SMALL}" title="{better}">{arrow} better</td></tr>'
    )


def scores_html(report: Report) -> str:
    rows = "".join(_bar(report, d) for d in DIMENSIONS)
    return f'<table data-role="scores" style="border-collapse:collapse;font-size:13px;margin:0">{rows}</table>'


def checklist_html(report: Report) -> str:
    items = []
    for f in FACETS:
        present = report.facets[f].present
        mark, colour, bg = ("✓", "#166534", "#dcfce7") if present else ("✗", "#991b1b", "#fee2e2")
        tip = f"{f}: {FACET_HELP[f]} ({'present' if present else 'missing'})"
        items.append(
            f'<li data-facet="{f}" data-present="{str(present).lower()}" title="{_e(tip)}" '
            f'style="display:inline-block;margin:0 6px 4px 0;padding:1px 8px;border-radius:10px;'
            f'background:{bg};color:{colour};font-size:13px">{mark} {f}</li>'
        )
    return f'<ul data-role="facets" style="list-style:none;padding:0;margin:0">{"".join(items)}</ul>'


def advice_html(report: Report) -> str:
    if not report.advice:
        return ""
    items = "".join(
        f'<li data-topic="{_e(a.topic)}" style="margin:2px 0"><span style="{_SMALL};text-transform:uppercase;'
        f'letter-spacing:.04em;margin-right:6px">{_e(a.topic)}</span>{_e(a.message)}</li>'
        for a in report.advice
    )
    return f'<div style="{_H}">Advice</div><ol data-role="advice" style="margin:0;padding-left:22px;font-size:13px">{items}</ol>'


def warnings_html(report: Report) -> str:
    if not report.warnings:
        return ""
    items = "".join(f'<li style="margin:2px 0">⚠ {_e(w)}</li>' for w in report.warnings)
    return (f'<ul data-role="warnings" style="list-style:none;padding:6px 10px;margin:10px 0 0 0;background:#fffbeb;'
            f'border:1px solid #fcd34d;border-radius:4px;font-size:13px;color:#92400e">{items}</ul>')


def render_html(report: Report, title: str | None = None) -> str:
    """The report as one self-contained HTML fragment (inline styles, no scripts)."""
    head = (f"language <b>{_e(report.lang)}</b> ({report.lang_confidence:.2f}) · method <b>{_e(report.method)}</b>"
            + (f" · stage <b>{_e(report.stage)}</b>" if report.stage else "") + f" · {report.n_tokens} tokens")
    heading = f'<div style="font-weight:600;font-size:15px;margin-bottom:4px">{_e(title)}</div>' if title else ""
    return (
        f'<div class="analyser-report" style="{_BOX}">'
        f"{heading}"
        f'<div style="{_SMALL}">{head}</div>'
        f"{highlighted_text(report)}"
        f"{legend_html(report)}"
        f'<div style="{_H}">Scores</div>{scores_html(report)}'
        f'<div style="{_H}">Facets</div>{checklist_html(report)}'
        f"{advice_html(report)}"
        f"{warnings_html(report)}"
        f"</div>"
    )


class HTML(str):
    """An HTML string that Jupyter renders (``_repr_html_``) and a terminal prints as is."""

    def _repr_html_(self) -> str:
        return str(self)


def side_by_side(reports, labels=None, min_width: int = 380) -> HTML:
    """Two or more reports next to each other (wraps on narrow screens).

    ``reports`` are :class:`Report` objects or texts (scored with ``analyse``).
    """
    from .api import analyse

    reports = [r if isinstance(r, Report) else analyse(r) for r in reports]
    labels = list(labels) if labels is not None else [f"statement {i + 1}" for i in range(len(reports))]
    cells = "".join(
        f'<div style="flex:1 1 {min_width}px;min-width:{min_width}px">{render_html(r, title=str(lab))}</div>'
        for r, lab in zip(reports, labels)
    )
    return HTML(f'<div class="analyser-compare" style="display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start">{cells}</div>')
