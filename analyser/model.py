"""Trained models (placeholder until the trained classifiers land)."""
from __future__ import annotations


def models_available() -> bool:
    return False


def score_model(prepared):  # pragma: no cover - replaced by the trained models
    raise NotImplementedError
