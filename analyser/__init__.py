"""analyser: scores official outage statements for cause disclosure, apology,
humour and vagueness, with the character spans that drove each score.

>>> from analyser import analyse
>>> report = analyse("We apologise: card payments failed from 09:10 to 09:55 CET.")
>>> sorted(report.dimensions)
['apology', 'cause', 'humour', 'vagueness']
"""
from __future__ import annotations

import logging

from .api import analyse
from .errors import AnalyserError, InputError, ModelError
from .report import DIMENSIONS, FACETS, Advice, DimensionScore, Evidence, FacetScore, Report

__version__ = "0.1.0"
__all__ = [
    "analyse", "score_frame", "Report", "DimensionScore", "FacetScore", "Evidence", "Advice",
    "AnalyserError", "InputError", "ModelError", "DIMENSIONS", "FACETS", "__version__",
]

logging.getLogger("analyser").addHandler(logging.NullHandler())


def __getattr__(name: str):
    # pandas and the batch machinery load only when asked for
    if name == "score_frame":
        from .batch import score_frame

        return score_frame
    raise AttributeError(f"module 'analyser' has no attribute {name!r}")
