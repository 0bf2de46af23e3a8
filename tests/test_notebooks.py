"""The notebooks in notebooks/ are stored without outputs and run top to bottom without errors."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CORPUS = ROOT.parent / "shared" / "corpus"
NAMES = ["01_getting_started.ipynb", "02_wechat_critique.ipynb"]
#: Seconds one cell may take (the first cell loads the tokenisers; each notebook runs in well under a minute).
CELL_TIMEOUT = 300


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_errors(name, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    if name.startswith("02") and not (CORPUS / "github.jsonl").is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    # the kernel imports the package from this checkout even when it is not installed
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # the rich display was produced: highlighted reports and figures
    kinds = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs for k in o.get("data", {})}
    assert {"text/html", "image/png"} <= kinds
    html = "".join(o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if "text/html" in o.get("data", {}))
    assert 'class="analyser-report"' in html and "data-dims=" in html
