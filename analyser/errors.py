"""Errors a user can cause, as opposed to bugs.

The CLI turns an :class:`AnalyserError` into one line on stderr and exit code 2;
anything else is a bug and keeps its traceback.
"""
from __future__ import annotations


class AnalyserError(Exception):
    """A problem with the user's input, options or files, stated in one line."""


class InputError(AnalyserError):
    """The input text or file cannot be read or decoded."""


class ModelError(AnalyserError):
    """A model file is missing, corrupted, foreign or incompatible."""


class DataError(AnalyserError):
    """Labelled data or the real corpus is missing or malformed."""
