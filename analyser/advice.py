"""Advice: one concrete suggestion per shortfall, in the statement's language.

The shortfalls follow the rubric (``../shared/RUBRIC.md``) and the critique of
WeChat's outage responses (``../shared/seeds/001_aaa4d1242fc62068.txt``):

=============  ===========================================  ==================
topic          shortfall                                    message key
=============  ===========================================  ==================
what           facet ``what`` missing                       ``what``
scope          facet ``scope`` missing                      ``scope``
when           facet ``when`` missing                       ``when``
cause          cause 0 / cause 1                            ``cause_none`` / ``cause_generic``
               (a cause given only as a guess)              (``cause_hedged``)
next           facet ``next`` missing                       ``next`` (``next_resolved``)
apology        apology 0 / apology 1                        ``apology_none`` / ``apology_formulaic``
humour         humour 2 / humour 1                          ``humour_joke`` (``humour_joke_resolved``) /
                                                            ``humour_light`` (none)
euphemism      a ``vagueness.euphemism`` span               ``euphemism``
boilerplate    a ``vagueness.boilerplate`` span             ``boilerplate``
=============  ===========================================  ==================

In parentheses: the message for a resolution notice (``Report.stage`` is
"resolved"): its forward-looking element is a remediation still to come, not
an ETA (rubric, ``next``), and a light tone about good news no longer meets
users who are affected. A notice of planned maintenance (stage "planned") gets
no cause or apology advice: its cause is the maintenance (rubric: cause 1), and
nothing has failed that asks for an apology; it is asked for its window
(``when_planned``) and for when service returns (``next_planned``). Once it says the
work is over (stage "completed"), it is not asked when service returns.

Messages are data: ``analyser/lang/<folder>/advice.json`` for the statement's
language folder, key by key over ``lang/common/advice.json`` (English), which
also serves languages without a folder. Where the report holds a span that
shows the shortfall (the boilerplate phrase, the joke, "some users", the stock
apology), the ``<key>_quoted`` message is used with the span between the
language's quote marks; a message without one never quotes words the statement
may not hold. A language's ``variants`` (e.g. ``zh-Hant``) can convert the messages
with an OpenCC config and swap quote marks, so traditional-script statements
get traditional-script advice without code per language.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

from .cues import kinds_at
from .languages import COMMON, lang_dir, spec_for
from .report import Advice, Evidence, Report, decided
from .script import convert

#: A quoted span is cut to this many characters (with an ellipsis).
QUOTE_MAX = 40


@dataclass(frozen=True)
class Catalogue:
    """The advice messages for one language code, ready to format."""

    messages: dict
    order: tuple[str, ...]
    quote: tuple[str, str]
    convert: str | None = None
    replace: tuple[tuple[str, str], ...] = ()

    def message(self, key: str, span: str | None = None) -> str | None:
        """The message for ``key``, quoting ``span`` when given and a quoted form exists."""
        template = self.messages.get(f"{key}_quoted") if span else None
        if template is None:
            template = self.messages.get(key)
            span = None
        if template is None:
            return None
        template = convert(template, self.convert)
        for old, new in self.replace:
            template = template.replace(old, new)
        if span is None:
            return template
        return template.replace("{quote}", f"{self.quote[0]}{span}{self.quote[1]}")


@lru_cache(maxsize=None)
def _load(folder: str) -> dict:
    path = lang_dir() / folder / "advice.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Catalogue:
    """The advice catalogue for a language code (``en``, ``zh-Hant``, ``it`` ...)."""
    common = _load(COMMON)
    folder = spec_for(lang).folder
    own = _load(folder) if folder != COMMON else {}
    if not own:
        own = common
    variant = own.get("variants", {}).get(lang, {})
    return Catalogue(
        messages={**common["messages"], **own.get("messages", {}), **variant.get("messages", {})},
        order=tuple(common["order"]),
        quote=tuple(variant.get("quote", own.get("quote", common["quote"]))),
        convert=variant.get("convert"),
        replace=tuple(variant.get("replace", {}).items()),
    )


def _by_cue(report: Report) -> dict[str, list[Evidence]]:
    """The report's evidence spans by cue kind."""
    out: dict[str, list[Evidence]] = {}
    for scores in (report.dimensions, report.facets):
        for s in scores.values():
            for e in s.evidence:
                out.setdefault(e.cue, []).append(e)
    return out


def _span(report: Report, cue: str | frozenset[str], by_cue: dict[str, list[Evidence]]) -> str | None:
    """The text of the strongest span with cue kind ``cue`` (or one of a set of kinds), grown over
    overlapping spans of those kinds (which spans those are does not depend on their order)."""
    spans = [e for c in ((cue,) if isinstance(cue, str) else sorted(cue)) for e in by_cue.get(c, ()) if e.end > e.start]
    if not spans:
        return None
    best = max(spans, key=lambda e: (e.weight, e.end - e.start, -e.start))
    start, end = best.start, best.end
    grown = True
    while grown:
        grown = False
        for e in spans:
            if e.start < end and e.end > start and (e.start < start or e.end > end):
                start, end = min(start, e.start), max(end, e.end)
                grown = True
    text = " ".join(report.text[start:end].split())
    if len(text) <= QUOTE_MAX:
        return text
    cut = text[: QUOTE_MAX - 1]
    space = cut.rfind(" ")
    # at a word's end where words are spaced ("…inconvenience this…", not "…inconvenience thi…")
    return (cut[:space] if space >= QUOTE_MAX // 2 else cut).rstrip(" ,;:") + "…"


def shortfalls(report: Report) -> list[tuple[str, str, str | None]]:
    """``(topic, message key, quoted span or None)`` for each shortfall, in no set order."""
    ev = _by_cue(report)
    dims, facets = report.dimensions, report.facets
    out: list[tuple[str, str, str | None]] = []
    if not facets["what"].present:
        out.append(("what", "what", None))
    if not facets["scope"].present:
        out.append(("scope", "scope", _span(report, "vagueness.quantifier", ev)))
    # maintenance announced or done: nothing failed to name or apologise for
    planned = report.stage in ("planned", "completed")
    if not facets["when"].present:
        out.append(("when", "when_planned" if planned else "when", None))
    # a level torn between two likelier ones is advised as its median (report.decided): "not
    # only the kind of failure" would be wrong advice for a statement that most likely gives none
    cause = decided(dims["cause"].level, dims["cause"].probabilities)
    if cause == 0 and not planned:
        out.append(("cause", "cause_none", _span(report, "cause.placeholder", ev)))
    elif cause == 1 and not planned:
        # a concrete cause given only as a guess (cues.caps): confirm it, rather than "name the component"
        hedged = _span(report, "cause.hedged_mechanism", ev)
        out.append(("cause", "cause_hedged", hedged) if hedged else
                   ("cause", "cause_generic", _span(report, kinds_at("cause", 1), ev)))
    resolved = report.stage == "resolved"  # a resolution notice looks forward to a remediation, not an ETA
    if not facets["next"].present and report.stage != "completed":  # finished work: nothing left to come
        out.append(("next", "next_planned" if planned else "next_resolved" if resolved else "next", None))
    apology = decided(dims["apology"].level, dims["apology"].probabilities)
    if apology == 0 and not planned:
        out.append(("apology", "apology_none", None))
    elif apology == 1 and not planned:
        out.append(("apology", "apology_formulaic", _span(report, "apology.formula", ev)))
    humour = decided(dims["humour"].level, dims["humour"].probabilities)
    if humour == 2:
        out.append(("humour", "humour_joke_resolved" if resolved else "humour_joke", _span(report, "humour.joke", ev)))
    elif humour == 1 and not resolved:  # a light tone about good news, once users are no longer affected, is fine
        out.append(("humour", "humour_light", _span(report, "humour.light", ev)))
    for topic in ("euphemism", "boilerplate"):
        span = _span(report, f"vagueness.{topic}", ev)
        if span:
            out.append((topic, topic, span))
    return out


def advice_for(report: Report) -> tuple[Advice, ...]:
    """The advice for a report, in the catalogue's topic order."""
    cat = catalogue(report.lang)
    rank = {t: i for i, t in enumerate(cat.order)}
    items = sorted(shortfalls(report), key=lambda s: rank.get(s[0], len(rank)))
    out = []
    for topic, key, span in items:
        message = cat.message(key, span)
        if message:
            out.append(Advice(topic, message))
    return tuple(out)


def advise(report: Report) -> Report:
    """A copy of ``report`` whose ``advice`` lists one suggestion per shortfall."""
    return replace(report, advice=advice_for(report))
