"""``python -m analyser bench``: a fast smoke run (no timing assertions)."""
from __future__ import annotations

import io

from analyser import bench


def test_texts_300():
    texts = bench.texts_300(["short one.", "x" * 50 + " " + "y" * 500, "another short statement"], 5)
    assert len(texts) == 5
    assert all(260 <= len(t) <= 300 for t in texts)


def test_machine():
    info = bench.machine()
    assert info["cores"] >= 1 and info["python"]


def test_quick_run_prints_the_tables():
    out = io.StringIO()
    res = bench.run(quick=True, rows=20, limit=5, repeat=1, rules=True, out=out, memory_rows=[20], n300=10,
                    langs=("en", "es"))
    text = out.getvalue()
    for heading in ("## Machine", "## Throughput per language", "## 300-character English", "## Peak memory"):
        assert heading in text
    assert res["method"] == "rules"
    assert {s["lang"] for s in res["sets"]} == {"en", "es"}
    assert [m["rows"] for m in res["memory"]] == [20] and all(m["peak_mb"] > 0 for m in res["memory"])
