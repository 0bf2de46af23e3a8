"""Shared test setup: make the package importable from a plain checkout."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def validator():
    """A JSON Schema validator for analyser/report.schema.json (skips without jsonschema)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "analyser" / "report.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def locked_file(tmp_path):
    """A statement file nobody may read (``chmod 000``); skips where that does not stop the reader (root)."""
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        pytest.skip("chmod 000 does not stop root")
    path = tmp_path / "locked.txt"
    path.write_text("Card payments failed. We are sorry.", encoding="utf-8")
    path.chmod(0)
    yield path
    path.chmod(0o600)
