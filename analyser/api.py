"""The Python API: ``analyse`` one statement; models are loaded once, lazily."""
from __future__ import annotations

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
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    prepared = prepare(text, lang)
    warnings = list(prepared.warnings)
    use_model = method == "model"
    if method == "auto":
        from .model import models_available

        use_model = models_available()
    if use_model:
        from .model import score_model

        dims, facets = score_model(prepared)
        used = "model"
    else:
        dims, facets = score_rules(prepared)
        used = "rules"
    report = Report(
        text=prepared.norm.original,
        lang=prepared.lang,
        lang_confidence=prepared.lang_confidence,
        method=used,
        dimensions=dims,
        facets=facets,
        warnings=tuple(warnings),
        n_tokens=len(prepared.tokens),
        scored_chars=len(prepared.norm.original[: prepared.norm.ends[-1]]) if prepared.norm.ends else 0,
    )
    from .advice import advise

    return advise(report)
