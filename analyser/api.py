"""The Python API: ``analyse`` one statement; models are loaded once, lazily."""
from __future__ import annotations

import gc
from contextlib import contextmanager

from .cues import stage_of
from .prepare import prepare
from .report import Report
from .rules import score_rules

METHODS = ("auto", "model", "rules")


def analyse(text: str, lang: str | None = None, method: str = "auto") -> Report:
    """Score one statement.

    Parameters
    ----------
    text : str
        The statement as published (plain text or HTML).
    lang : str, optional
        Language code (``en``, ``fr``, ``de``, ``es``, ``zh-Hans``, ``zh-Hant``);
        detected when omitted.
    method : {"auto", "model", "rules"}
        ``model`` uses the trained classifiers, ``rules`` the documented cue
        rules; ``auto`` uses the models when they are installed.

    Examples
    --------
    >>> r = analyse("Sorry! Payments failed from 14:05 to 14:40 because of an expired certificate.")
    >>> r.dimensions["apology"].level >= 1
    True
    """
    return analyse_many([text], [lang], method)[0]


def analyse_many(texts, langs=None, method: str = "auto", errors: str = "raise") -> list:
    """Score many statements at once (the models run once per call, vectorised).

    ``langs`` is a sequence of codes or ``None`` (detect). With ``errors="return"``
    a statement that cannot be scored yields its :class:`AnalyserError` in place
    of a report instead of raising, so a batch can go on.
    """
    return _many(texts, langs, method, errors, _reports)


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for the duration of a scoring call.

    Scoring allocates many small objects (tokens, spans, evidence) while the
    process holds large long-lived structures (tokenisers, lexicons, the model
    vocabulary); each automatic collection would walk all of them again, which
    cost about a third of the scoring time. Reference counting still frees
    everything as usual; the collector is restored (and catches up on any
    cycles) when the call returns.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Statements prepared and scored together: enough for the vectorised model
#: steps, few enough that their tokens and spans stay small in memory.
BLOCK = 256


def rows_many(texts, langs=None, method: str = "auto", evidence: bool = True) -> list:
    """The ``batch`` columns of many statements: for each, ``Report.to_row()`` of its report, or
    the :class:`AnalyserError` that kept it from being scored.

    The same values as ``[r.to_row() for r in analyse_many(...)]``, faster: with the
    models, evidence goes straight to JSON and no report or advice (which the columns
    do not hold) is built. Without ``evidence`` the models look for none (the largest
    stage of scoring, README "Speed") and the column is "".
    """
    return _many(texts, langs, method, "return", lambda prepared, use_model: _rows(prepared, use_model, evidence))


def _many(texts, langs, method: str, errors: str, score) -> list:
    """Prepare statements a block at a time and ``score(prepared, use_model)`` those that could
    be prepared; the others keep their error in place (or raise, unless ``errors="return"``)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if errors not in ("raise", "return"):
        raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a sequence of statements, not one string: use analyse() for one")
    texts = list(texts)
    langs = list(langs) if langs is not None else [None] * len(texts)
    if len(langs) != len(texts):  # zip would drop statements silently
        raise ValueError(f"{len(texts)} texts but {len(langs)} languages: give one language (or None) per text")
    use_model = _use_model(method)
    out: list = []
    with gc_paused():
        for i in range(0, len(texts), BLOCK):
            prepared = _prepare_block(texts[i:i + BLOCK], langs[i:i + BLOCK], errors)
            scored = iter(score([p for p in prepared if not isinstance(p, Exception)], use_model))
            out += [p if isinstance(p, Exception) else next(scored) for p in prepared]
    return out


def _use_model(method: str) -> bool:
    if method == "auto":
        from .model import models_available

        return models_available()
    return method == "model"


def _prepare_block(texts: list, langs: list, errors: str) -> list:
    """Each statement prepared, or (with ``errors="return"``) the error that stopped it."""
    from .errors import AnalyserError

    prepared: list = []
    for text, lang in zip(texts, langs):
        try:
            prepared.append(prepare(text, lang or None))
        except AnalyserError as exc:
            if errors != "return":
                raise
            prepared.append(exc.with_traceback(None))  # no frame kept: no reference cycle
    return prepared


def _report(p, scored, method: str) -> Report:
    dims, facets = scored
    return Report(text=p.norm.original, lang=p.lang, lang_confidence=p.lang_confidence, method=method,
                  dimensions=dims, facets=facets, warnings=p.warnings, n_tokens=len(p.tokens),
                  scored_chars=p.norm.ends[-1] if p.norm.ends else 0, stage=stage_of(p.cues))


def _reports(prepared: list, use_model: bool):
    """Reports with advice (the model is loaded only when some statement needs it)."""
    from .advice import advise

    if use_model and prepared:
        from .model import default_model

        return [advise(_report(p, s, "model")) for p, s in zip(prepared, default_model().score(prepared))]
    return [advise(_report(p, score_rules(p), "rules")) for p in prepared]


def _rows(prepared: list, use_model: bool, evidence: bool = True):
    """Batch rows, without reports where the model can skip them."""
    if use_model and prepared:
        from .model import default_model

        return default_model().rows(prepared, evidence)
    return [_report(p, score_rules(p), "rules").to_row(evidence) for p in prepared]
