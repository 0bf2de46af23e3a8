"""Cue rules: levels from the cue lexicons alone, as the rubric reads them.

These are the documented rules behind ``--rules`` and the baseline the trained
models must beat. Per dimension:

* cause: 2 if a concrete mechanism cue, else 1 if a failure-domain cue or a piece of
  infrastructure named in a sentence that gives a reason, else 0;
  cause cues in a sentence that denies a cause or calls it unknown do not count.
  A concrete cause given only as a guess ("possibly caused by ...") counts as 1 (``cues.caps``).
* apology: 1 if an apology formula; 2 if it comes with responsibility, the specific harm or a
  remedy cue; apology words in a sentence with a negation cue do not count.
* humour: 2 if a joke cue, else 1 if a light-tone cue (alert icons do not count).
* vagueness: count the concrete elements (what, scope, when, why, next):
  3 or more -> 0, 2 -> 1, else 2; one level more (at most 2) if a euphemism
  stands in for the event.
* facets: present when a cue of the facet is found.

The score is the level divided by two (rules give no probabilities).
"""
from __future__ import annotations

from bisect import bisect_right

from .cues import cue_kinds, derivations, kinds_at, sentence_ends
from .prepare import Prepared
from .report import DIMENSIONS, FACETS, DimensionScore, FacetScore


def _sentence_of(ends: list[int], pos: int) -> int:
    return bisect_right(ends, pos)


_WHEN_KINDS = ("when.stated_time", "when.duration")

# Cues that cancel the level-giving cues of their group in the same sentence.
_BLOCKERS = {"cause.denial": "cause", "cause.unknown": "cause", "apology.negated": "apology"}
# (with every cause and apology kind that gives a level on its own: see score_rules)
_BLOCKABLE = {"cause.connective"}


def score_rules(prepared: Prepared) -> tuple[dict[str, DimensionScore], dict[str, FacetScore]]:
    """Levels, scores and evidence from the cue rules above."""
    domain, mechanism = kinds_at("cause", 1), kinds_at("cause", 2)
    formula, accountable = kinds_at("apology", 1), kinds_at("apology", 2)
    blockable = _BLOCKABLE | domain | mechanism | formula | accountable
    bounds = sentence_ends(prepared.text)
    blocked: set[tuple[str, int]] = {
        (_BLOCKERS[m.entry.cue], _sentence_of(bounds, m.start)) for m in prepared.cues if m.entry.cue in _BLOCKERS
    }
    by_cue: dict[str, list] = {}
    for m in prepared.cues:
        if m.entry.cue in blockable and (m.entry.group, _sentence_of(bounds, m.start)) in blocked:
            continue
        by_cue.setdefault(m.entry.cue, []).append(m)

    def has(prefix: str) -> bool:
        return any(c.startswith(prefix) for c in by_cue)

    # a derived cue keeps its base's span: show that span once, as the derived cue that says most
    # (the highest level in cue_kinds.json) when several are derived from it
    base_of = {kind: base for kind, base, *_ in derivations()}
    level_of = {kind: cue_kinds()[kind]["level"] or 0 for kind in base_of}
    hidden: set[tuple[int, int, str]] = set()
    shown: dict[tuple[int, int], str] = {}
    for m in (m for ms in by_cue.values() for m in ms if m.entry.cue in base_of):
        kind = m.entry.cue
        hidden.add((m.start, m.end, base_of[kind]))
        other = shown.get((m.start, m.end))
        if other is None or level_of[kind] > level_of[other]:
            shown[(m.start, m.end)] = kind

    def ev(prefix: str):
        matches = sorted((m for c, ms in by_cue.items() if c.startswith(prefix) for m in ms
                          if (m.start, m.end, c) not in hidden and (c not in base_of or shown[(m.start, m.end)] == c)),
                         key=lambda m: (-m.entry.weight, m.start))
        return tuple(prepared.cue_evidence(m) for m in matches)

    cause = 2 if not mechanism.isdisjoint(by_cue) else 1 if not domain.isdisjoint(by_cue) else 0
    apology = (2 if not accountable.isdisjoint(by_cue) else 1) if not formula.isdisjoint(by_cue) else 0
    humour = 2 if has("humour.joke") else 1 if has("humour.light") else 0
    present = {f: has(f + ".") for f in ("what", "scope", "next")}
    # the time of an ETA or a next update is next, not when: only times no promise of their
    # sentence covers (when.stated_time) and durations date the outage
    present["when"] = any(has(k) for k in _WHEN_KINDS)
    present["why"] = cause >= 1
    elements = sum(present.values())
    vagueness = 0 if elements >= 3 else 1 if elements == 2 else 2
    if has("vagueness.euphemism"):
        vagueness = min(2, vagueness + 1)

    levels = {"cause": cause, "apology": apology, "humour": humour, "vagueness": vagueness}
    for group, cap, _ in prepared.caps:  # a concrete cause given only as a guess (cues.caps)
        if group in levels:
            levels[group] = min(levels[group], cap)
    dims = {d: DimensionScore(d, levels[d], levels[d] / 2, ev(d + ".")) for d in DIMENSIONS}
    facets = {f: FacetScore(f, present[f], None, ev(f + ".")) for f in ("what", "scope", "next")}
    facets["when"] = FacetScore("when", present["when"], None, tuple(e for e in ev("when.") if e.cue in _WHEN_KINDS))
    facets["why"] = FacetScore("why", present["why"], None,
                               tuple(e for e in dims["cause"].evidence if e.cue in domain or e.cue in mechanism))
    return dims, {f: facets[f] for f in FACETS}
