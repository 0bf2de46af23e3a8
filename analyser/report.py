"""Typed results: what ``analyse`` returns and every output format is made from.

A :class:`Report` holds, per dimension, a level (0/1/2 as in the rubric), a
score in [0, 1] (the expected level divided by two) and the evidence spans that
drove it; per facet, whether it is present; the language and any warnings.
``to_dict`` gives the JSON form (schema: ``analyser/report.schema.json``),
``to_row`` the flat form used for DataFrame and CSV columns.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, NamedTuple

SCHEMA_VERSION = "1.3"  # 1.2: stage "planned"; 1.3: stage "completed"
DIMENSIONS = ("cause", "apology", "humour", "vagueness")
FACETS = ("what", "scope", "when", "why", "next")
LEVEL_NAMES = {
    "cause": ("none", "generic", "specific"),
    "apology": ("none", "formulaic", "accountable"),
    "humour": ("none", "light", "joke"),
    "vagueness": ("clear", "partly vague", "vague"),
}
FACET_HELP = {
    "what": "the affected product or feature",
    "scope": "who or where is affected (region, segment, number or share)",
    "when": "when it started or how long it lasted (clock time or duration)",
    "why": "a cause, even a generic one",
    "next": "an ETA, the time of the next update, a workaround or a named remedy",
}


def torn(probabilities, level: int | None = None) -> tuple[int, int] | None:
    """``(0, 2)`` when a dimension's level 1 was chosen between two levels it is less likely than
    (0.68 / 0.09 / 0.23: the rounded expected level is 1): the model is torn between none and
    the top level. None otherwise: for another ``level`` (when given), for facets and for the
    cue rules (no probabilities)."""
    p = tuple(probabilities) if probabilities is not None else ()
    if level not in (None, 1) or len(p) != 3 or not 0.5 <= p[1] + 2 * p[2] < 1.5:
        return None  # the rounded expected level is not 1
    return (0, 2) if p[1] < p[0] and p[1] < p[2] else None


def torn_note(dim: str, level: int, probabilities) -> str:
    """The ``warnings`` note of a torn level ("cause level 1 is torn between 0 (0.68) and 2 (0.23), 1
    itself 0.09: the facets and advice read it as 0"), or "": a table of levels alone would count
    such a statement as level 1, and a reader would wonder why ``why`` is missing beside a level 1
    (a session-14 user test)."""
    pair = torn(probabilities, level)
    if pair is None:
        return ""
    a, b = pair
    return (f"{dim} level 1 is torn between {a} ({probabilities[a]:.2f}) and {b} ({probabilities[b]:.2f}), "
            f"1 itself {probabilities[1]:.2f}: the facets and advice read it as {decided(level, probabilities)}")


def decided(level: int, probabilities) -> int:
    """The level a reader should act on: ``level``, or, when it is torn (:func:`torn`), the median
    level (the lowest whose cumulative probability reaches one half). The advice and the ``why``
    facet follow it, so that "cause 1 generic, torn between none 0.68 and specific 0.23" asks for a
    cause and lists ``why`` as missing, while 0.46 / 0.10 / 0.44 (a cause more likely given than
    not: ``why`` at 0.54) lists it as present. Until session 13 the likelier of the two ends was
    taken, which called ``why`` missing at a shown probability of 0.54 (a blind user test)."""
    if torn(probabilities, level) is None:
        return level
    total = 0.0
    for k, p in enumerate(probabilities):
        total += p
        if total >= 0.5:
            return k
    return len(probabilities) - 1


@dataclass(frozen=True, slots=True)  # slots: a batch holds tens of thousands of these
class Evidence:
    """A span of the original text that pushed a score, and why."""

    start: int
    end: int
    text: str
    cue: str
    weight: float
    explanation: str
    source: str = ""

    @classmethod
    def fast(cls, start: int, end: int, text: str, cue: str, weight: float, explanation: str, source: str) -> "Evidence":
        """``Evidence(...)`` at half the cost, for scoring, which makes dozens per statement.

        A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
        this sets the slots directly. The result is an ordinary, equal ``Evidence``.
        """
        e = _new(cls)
        _s0(e, start), _s1(e, end), _s2(e, text), _s3(e, cue), _s4(e, weight), _s5(e, explanation), _s6(e, source)
        return e

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, as the ``evidence`` column writes it."""
        return evidence_item_json(self.start, self.end, self.text, self.cue, self.weight, self.explanation, self.source)

    def to_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "cue": self.cue,
            "weight": round(self.weight, 4),
            "explanation": self.explanation,
            "source": self.source,
        }


_new = object.__new__
_s0, _s1, _s2, _s3, _s4, _s5, _s6 = (Evidence.__dict__[f].__set__ for f in Evidence.__dataclass_fields__)

# The ``evidence`` column is JSON written piece by piece rather than through dicts and
# ``json.dumps``: a row holds dozens of spans, and batch writes millions of rows. The
# pieces are what ``json.dumps(..., ensure_ascii=False)`` writes (tests/test_report.py).
_string = json.encoder.encode_basestring  # how json.dumps(ensure_ascii=False) writes a str


def _number(x) -> str:
    """A number as ``json.dumps`` writes it."""
    return float.__repr__(x) if type(x) is float and x - x == 0 else json.dumps(x)


def evidence_item_json(start: int, end: int, text: str, cue: str, weight: float, explanation: str, source: str) -> str:
    """The JSON of ``Evidence(start, end, text, cue, weight, explanation, source).to_dict()``."""
    return AS_JSON.item(AS_JSON.span(start, end, text), weight, AS_JSON.kind(cue, explanation, source))


class EvidenceParts(NamedTuple):
    """How scoring makes many evidence items from shared parts, each part made once.

    Many items share a span (one span explains several heads) or a kind (the same
    cue or n-gram pushing the same head to the same level in many statements):
    ``span(start, end, text)`` and ``kind(cue, explanation, source)`` make those
    parts, and ``item(span_part, weight, kind_part)`` one item from them.
    """

    span: Callable
    kind: Callable
    item: Callable


#: Evidence objects.
AS_OBJECTS = EvidenceParts(
    lambda start, end, text: (start, end, text),
    lambda cue, explanation, source: (cue, explanation, source),
    lambda span, weight, kind: Evidence.fast(*span, kind[0], weight, kind[1], kind[2]),
)
#: Their JSON, as in the ``evidence`` column (:meth:`Evidence.to_json`).
AS_JSON = EvidenceParts(
    lambda start, end, text: f'{{"start": {start}, "end": {end}, "text": {_string(text)}, "cue": ',
    lambda cue, explanation, source: (f'{_string(cue)}, "weight": ',
                                      f', "explanation": {_string(explanation)}, "source": {_string(source)}}}'),
    lambda span, weight, kind: f"{span}{kind[0]}{_number(round(weight, 4))}{kind[1]}",
)


def evidence_json(by_name: dict[str, list[str]]) -> str:
    """The ``evidence`` column: each dimension or facet with spans, and their JSON (``evidence_item_json``)."""
    return "{" + ", ".join(f"{_string(k)}: [{', '.join(v)}]" for k, v in by_name.items() if v) + "}"


@dataclass(frozen=True)
class DimensionScore:
    name: str
    level: int
    score: float
    evidence: tuple[Evidence, ...] = ()
    probabilities: tuple[float, ...] | None = None

    @property
    def label(self) -> str:
        return LEVEL_NAMES[self.name][self.level]

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "label": self.label,
            "score": round(self.score, 4),
            "probabilities": None if self.probabilities is None else [round(p, 4) for p in self.probabilities],
            "torn": list(pair) if (pair := torn(self.probabilities, self.level)) else None,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class FacetScore:
    name: str
    present: bool
    probability: float | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict:
        return {
            "present": self.present,
            "probability": None if self.probability is None else round(self.probability, 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Advice:
    """A concrete suggestion for one shortfall, in the statement's language."""

    topic: str
    message: str

    def to_dict(self) -> dict:
        return {"topic": self.topic, "message": self.message}


@dataclass(frozen=True)
class Report:
    text: str
    lang: str
    lang_confidence: float
    method: str
    dimensions: dict[str, DimensionScore]
    facets: dict[str, FacetScore]
    warnings: tuple[str, ...] = ()
    advice: tuple[Advice, ...] = ()
    n_tokens: int = 0
    scored_chars: int = 0
    #: "resolved" when the statement says the outage is over, "planned" when it announces planned
    #: maintenance, "completed" when it says that maintenance is over (``stage.*`` cues,
    #: :func:`analyser.cues.stage_of`), else "".
    stage: str = ""

    @property
    def missing_facets(self) -> list[str]:
        return [f for f in FACETS if not self.facets[f].present]

    def evidence(self) -> list[tuple[str, Evidence]]:
        """All evidence as ``(dimension or facet, span)`` pairs, in text order."""
        pairs = [(d, e) for d, s in self.dimensions.items() for e in s.evidence]
        pairs += [(f, e) for f, s in self.facets.items() for e in s.evidence]
        return sorted(pairs, key=lambda p: (p[1].start, p[1].end, p[0]))

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "lang": self.lang,
            "lang_confidence": round(self.lang_confidence, 4),
            "method": self.method,
            "n_tokens": self.n_tokens,
            "scored_chars": self.scored_chars,
            "stage": self.stage or None,
            "dimensions": {d: self.dimensions[d].to_dict() for d in DIMENSIONS},
            "facets": {f: self.facets[f].to_dict() for f in FACETS},
            "missing_facets": self.missing_facets,
            "warnings": list(self.warnings),
            "advice": [a.to_dict() for a in self.advice],
        }

    def to_json(self, indent: int | None = 2, ascii: bool = False) -> str:
        """The report as JSON (``analyser/report.schema.json``); ``ascii`` escapes every non-ASCII character."""
        return json.dumps(self.to_dict(), ensure_ascii=ascii, indent=indent)

    def to_row(self, evidence: bool = True) -> dict:
        """Flat columns for a DataFrame or CSV row (the ``batch`` output columns; ``evidence`` "" without ``evidence``)."""
        row: dict = {}
        for d in DIMENSIONS:
            row[f"{d}_level"] = self.dimensions[d].level
            row[f"{d}_score"] = round(self.dimensions[d].score, 4)
        for f in ("what", "scope", "when", "next"):
            row[f"has_{f}"] = self.facets[f].present
        row["lang"] = self.lang
        row["evidence"] = evidence_json({k: [e.to_json() for e in v.evidence] for k, v in {**self.dimensions, **self.facets}.items()}) if evidence else ""
        torn_notes = (torn_note(d, s.level, s.probabilities) for d, s in self.dimensions.items())
        row["warnings"] = "; ".join((*self.warnings, *filter(None, torn_notes)))
        return row

    def __str__(self) -> str:
        from .render import render_text

        return render_text(self)

    def __repr__(self) -> str:
        # one line; the dataclass default would dump every evidence span
        levels = " ".join(f"{d}={self.dimensions[d].level}" for d in DIMENSIONS if d in self.dimensions)
        missing = ",".join(self.missing_facets) or "none"
        return f"<Report lang={self.lang} method={self.method} {levels} missing={missing} advice={len(self.advice)}>"

    def _repr_pretty_(self, p, cycle) -> None:
        # IPython's terminal (text/plain) shows the full text report
        p.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        from .display import render_html

        return render_html(self)
