"""``python -m analyser bench``: a fast smoke run (no timing assertions)."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

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
    assert [(m["rows"], m["language"]) for m in res["memory"]] == [(20, "given"), (20, "detected")]
    assert all(m["peak_mb"] > 0 for m in res["memory"])


def test_stage_times_name_every_stage_of_scoring():
    from analyser.bench import stage_times
    from analyser.data import authored_rows

    texts = [r["text"] for r in authored_rows() if r["lang"] == "en"][:40]
    stages = dict(stage_times(texts, "en", "model", repeat=1))
    assert list(stages) == ["normalise", "tokenise", "cue matching", "rest of preparing (script form, checks)",
                            "features (n-grams, TF-IDF, cue rates)", "eight heads",
                            "evidence (spans for each head's level, as JSON) and row values",
                            "checks and the columns table"]
    for name in ("normalise", "tokenise", "cue matching", "features (n-grams, TF-IDF, cue rates)", "eight heads"):
        assert stages[name] > 0, name
    rules = dict(stage_times(texts, "en", "rules", repeat=1))
    assert "rules, rows and the columns table" in rules and "eight heads" not in rules


def test_batch_memory_is_the_childs_own():
    """Linux keeps a process's peak memory across exec, so a child forked straight from a large
    process reports at least that process's memory; the batch run's peak must not include ours."""
    import numpy as np

    from analyser.bench import batch_memory, write_generated_csv

    ours = np.ones(600 * 1024 * 1024 // 8)  # 600 MB held (and touched) by this process
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.csv"
        write_generated_csv(src, 20, [("en", "Payments failed because of an expired certificate. We are sorry.")])
        peak = batch_memory(src, Path(tmp) / "out.csv", rules=True)["peak_mb"]
        assert not list(Path(tmp).glob("*.peak"))
    assert 50 < peak < 500, peak
    del ours
