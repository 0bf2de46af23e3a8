"""Advice for shortfalls (placeholder: filled in by the inspection work)."""
from __future__ import annotations


def advise(report):
    return report
