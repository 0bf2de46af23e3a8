"""Plain-text rendering of a report for terminals (``analyser score``)."""
from __future__ import annotations

import textwrap

from .report import DIMENSIONS, FACET_HELP, FACETS, LEVEL_NAMES, Report, decided, torn

_MAX_EVIDENCE = 4


def _quote(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= width else text[: width - 1] + '…'}”"


def render_text(report: Report) -> str:
    lines = [
        f"language: {report.lang} (confidence {report.lang_confidence:.2f})    method: {report.method}"
        + (f"    stage: {report.stage}" if report.stage else ""),
        "",
        f"{'dimension':<10} {'level':<16} {'score':>5}  evidence",
        f"{'-' * 10} {'-' * 16} {'-' * 5}  {'-' * 40}",
    ]
    for d in DIMENSIONS:
        s = report.dimensions[d]
        ev = s.evidence[:_MAX_EVIDENCE]
        first = f"{_quote(ev[0].text)} {ev[0].cue}" if ev else "—"
        lines.append(f"{d:<10} {f'{s.level} {s.label}':<16} {s.score:>5.2f}  {first}")
        for e in ev[1:]:
            lines.append(f"{'':<35}{_quote(e.text)} {e.cue}")
        if len(s.evidence) > _MAX_EVIDENCE:
            lines.append(f"{'':<35}(+{len(s.evidence) - _MAX_EVIDENCE} more)")
        if (pair := torn(s.probabilities, s.level)) is not None:
            read = decided(s.level, s.probabilities)
            lines.append(f"{'':<11}torn between {pair[0]} {LEVEL_NAMES[d][pair[0]]} ({s.probabilities[pair[0]]:.2f}) "
                         f"and {pair[1]} {LEVEL_NAMES[d][pair[1]]} ({s.probabilities[pair[1]]:.2f}): "
                         f"read as {read} {LEVEL_NAMES[d][read]}")
    lines.append("")
    lines.append("evidence: the spans that pushed each level most, strongest first")
    lines.append("")
    checks = "  ".join(f"{f} {'✓' if report.facets[f].present else '✗'}" for f in FACETS)
    lines.append(f"facets: {checks}")
    for f in report.missing_facets:
        lines.append(f"  missing {f}: {FACET_HELP[f]}")
    if report.advice:
        lines.append("")
        lines.append("advice:")
        for a in report.advice:
            lines.extend(textwrap.wrap(a.message, 88, initial_indent="  - ", subsequent_indent="    ",
                                       break_on_hyphens=False))  # "API-Gateway" stays one word when copied
    if report.warnings:
        lines.append("")
        lines.extend(f"warning: {w}" for w in report.warnings)
    return "\n".join(lines)
