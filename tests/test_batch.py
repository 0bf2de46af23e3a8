"""``python -m analyser batch`` and ``analyser.score_frame`` (issue 5).

Most runs are in-process through ``analyser.cli.main`` with ``--rules`` (fast,
and independent of whether a model is installed); one runs as users run it.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analyser import batch, tables
from analyser.batch import RESULT_COLUMNS, TIME_COLUMNS, score_frame
from analyser.cli import main
from analyser.report import DIMENSIONS

ROOT = Path(__file__).resolve().parents[1]

STATEMENTS = [
    ("en", "Card payments failed from 14:05 to 14:40 CET because an expired TLS certificate on our payment gateway. "
           "We are sorry: this was our mistake."),
    ("en", "Some users may experience issues. We are working hard to fix it."),
    ("fr", "Suite à une panne d'un équipement réseau, les paiements par carte sont indisponibles depuis 9h10. "
           "Nous nous excusons pour la gêne occasionnée."),
    ("en", "This incident has been resolved."),
    ("en", ""),                      # empty cell: a per-row error
    ("en", "NaN"),                   # a pandas/spreadsheet missing-value marker: a per-row error
    ("en", "Our servers are taking an unscheduled nap 😴 Back soon!"),
    ("en", "   "),                   # white space only: a per-row error
    ("en", "Login is failing for all customers in the EU since 09:10 UTC. Next update at 10:00 UTC."),
    ("fr", "Le service est rétabli. Merci pour votre patience."),
    ("en", "We identified a database failure affecting checkout. A fix is being deployed."),
]
BAD_ROWS = {4, 5, 7}


def table() -> pd.DataFrame:
    """Eleven statements of three incidents, with ids (one repeated), languages and timestamps."""
    rows = []
    for i, (lang, text) in enumerate(STATEMENTS):
        inc = "A" if i < 4 else "B" if i < 8 else "C"
        rows.append({
            "id": f"s{i:02d}" if i != 6 else "s05",  # s05 twice
            "incident": inc, "lang": lang, "text": text,
            "started_at": "2024-03-01T09:00:00+01:00",
            "published_at": f"2024-03-01T{9 + i // 2:02d}:{(i % 2) * 30:02d}:00+01:00",
        })
    return pd.DataFrame(rows)


def write(df: pd.DataFrame, path: Path) -> Path:
    tables.write_frame(df, path, tables.table_format(path))
    return path


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if path.suffix == ".jsonl":  # not pd.read_json: it turns *_at columns into datetimes
        return pd.DataFrame([json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x])
    return pd.read_parquet(path)


def num(v, kind=int):
    """A cell as a number, ``None`` when missing (CSV writes missing values as empty cells)."""
    return None if v is None or pd.isna(v) or v == "" else kind(v)


def run_cli(*args, capsys=None) -> tuple[int, str]:
    rc = main(["batch", *map(str, args)])
    err = capsys.readouterr().err if capsys is not None else ""
    return rc, err


# -- round trips -----------------------------------------------------------------

@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_round_trip(tmp_path, ext, capsys):
    src = write(table(), tmp_path / f"in{ext}")
    out = tmp_path / f"scored{ext}"
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "4", "--lang-column", "lang", capsys=capsys)
    assert rc == 0, err
    df = read(out)
    base = table()
    scored_names = [("analyser_lang" if c == "lang" else c) for c in RESULT_COLUMNS + TIME_COLUMNS]
    assert list(df.columns) == list(base.columns) + scored_names
    assert len(df) == len(base)
    for col in base.columns:  # input columns unchanged, in order
        assert [str(v) for v in df[col]] == [str(v) for v in base[col]], col
    errors = [str(e) if isinstance(e, str) else "" for e in df["error"]]
    assert {i for i, e in enumerate(errors) if e} == BAD_ROWS
    for i in BAD_ROWS:
        assert errors[i].startswith("no text")
    good = df.drop(index=sorted(BAD_ROWS))
    for d in DIMENSIONS:
        assert set(good[f"{d}_level"].astype(int)) <= {0, 1, 2}
        assert good[f"{d}_score"].astype(float).between(0, 1).all()
    assert all(isinstance(json.loads(e), dict) for e in good["evidence"])
    assert "column 'lang' (--lang-column) is kept" in err and "analyser_lang" in err  # the clash is explained
    assert not list(tmp_path.glob(".*"))  # no work folder or temporary file left


def test_formats_agree(tmp_path, capsys):
    levels = {}
    for ext in (".csv", ".jsonl", ".parquet"):
        src = write(table(), tmp_path / f"in{ext}")
        out = tmp_path / f"out{ext}"
        assert run_cli(src, "-o", out, "--rules", "-q", "--lang-column", "lang", capsys=capsys)[0] == 0
        df = read(out)
        levels[ext] = [[num(v) for v in df[f"{d}_level"]] for d in DIMENSIONS]
        levels[ext].append([num(v, float) for v in df["delay_minutes"]])
    assert levels[".csv"] == levels[".jsonl"] == levels[".parquet"]


def test_cross_format_and_timeliness(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.parquet"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    df = pd.read_parquet(out)
    # 09:00 start (+01:00); row i published at 9 + i//2 h, + 30 min when odd
    assert df["delay_minutes"].tolist() == [(i // 2) * 60 + (i % 2) * 30 for i in range(len(STATEMENTS))]
    assert df["timeliness_level"].tolist()[:4] == [0, 1, 1, 2]
    assert "lang" in df.columns and "analyser_lang" in df.columns
    err = run_cli(src, "-o", tmp_path / "again.csv", "--rules", capsys=capsys)[1]  # not quiet: the unread column is named
    assert "column 'lang' is not read" in err and "--lang-column lang" in err and "'analyser_lang'" in err


def test_jobs_identical(tmp_path, capsys):
    base = table()
    base = base[base["lang"] == "en"]  # one language: fewer lexicons for each worker to load
    src = write(pd.concat([base] * 3, ignore_index=True), tmp_path / "in.csv")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert run_cli(src, "-o", one, "--rules", "-q", "--chunk-size", "5", capsys=capsys)[0] == 0
    assert run_cli(src, "-o", two, "--rules", "-q", "--chunk-size", "5", "--jobs", "2", capsys=capsys)[0] == 0
    assert one.read_bytes() == two.read_bytes()


# -- no row lost, atomic output, resume ---------------------------------------------

def test_per_row_errors_jsonl_null_and_types(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [{"text": "Payments are down for all users since 10:00 UTC.", "n": 1, "lang": "en"},
             {"text": None, "n": 2},
             {"n": 3},
             {"text": 42, "n": 4},
             {"text": "Sorry for the inconvenience.", "n": 5, "extra": {"a": [1, 2]}, "lang": "en"}]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run_cli(src, "-o", out, "--rules", "-q", "--lang-column", "lang", capsys=capsys)[0] == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["n"] for r in rows] == [1, 2, 3, 4, 5]  # ints stay ints, order kept
    assert [bool(r["error"]) for r in rows] == [False, True, True, True, False]
    assert "missing" in rows[1]["error"] and "missing" in rows[2]["error"] and "int" in rows[3]["error"]
    assert rows[4]["extra"] == {"a": [1, 2]}
    assert rows[1]["cause_level"] is None and rows[0]["cause_level"] in (0, 1, 2)


def test_interrupt_then_resume(tmp_path, capsys, monkeypatch):
    src = write(table(), tmp_path / "in.csv")
    ref = tmp_path / "ref.csv"
    assert run_cli(src, "-o", ref, "--rules", "-q", "--chunk-size", "3", "--lang-column", "lang", capsys=capsys)[0] == 0

    out = tmp_path / "out.csv"
    original_write = batch._Run.write_part

    def write_then_die(self, i, frame, *counts):
        if i == 1:
            raise KeyboardInterrupt  # Ctrl-C (or a crash) after the first chunk is written
        original_write(self, i, frame, *counts)

    monkeypatch.setattr(batch._Run, "write_part", write_then_die)
    rc, err = run_cli(src, "-o", out, "--rules", "-q", "--chunk-size", "3", "--lang-column", "lang", capsys=capsys)
    assert rc == 130
    assert "--resume" in err
    assert not out.exists()  # no partial output
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".out.csv.*.tmp"))
    work = batch.work_dir(out)
    assert sorted(p.name for p in work.iterdir()) == ["part-000000.csv", "state.json"]

    monkeypatch.setattr(batch._Run, "write_part", original_write)
    scored_sizes = []
    original_score = batch._score_payload

    def counting(payload):
        scored_sizes.append(len(payload[0]))
        return original_score(payload)

    monkeypatch.setattr(batch, "_score_payload", counting)
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "3", "--lang-column", "lang", "--resume",
                      capsys=capsys)
    assert rc == 0, err
    assert "resuming after 1 finished chunk" in err
    assert scored_sizes == [3, 3, 2]  # chunk 0 is not scored again
    assert out.read_bytes() == ref.read_bytes()
    assert not work.exists()


def test_resume_refuses_a_changed_input(tmp_path, capsys, monkeypatch):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    original_write = batch._Run.write_part

    def die(self, i, frame, *counts):
        if i == 1:
            raise KeyboardInterrupt
        original_write(self, i, frame, *counts)

    monkeypatch.setattr(batch._Run, "write_part", die)
    assert run_cli(src, "-o", out, "--rules", "-q", "--chunk-size", "4", capsys=capsys)[0] == 130
    monkeypatch.setattr(batch._Run, "write_part", original_write)
    write(table().iloc[::-1], src)  # the input changes in between
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "4", "--resume", capsys=capsys)
    assert rc == 0 and "cannot resume: the input file (its modification time) changed" in err
    assert read(out)["id"].tolist() == table().iloc[::-1]["id"].tolist()


def test_failed_join_leaves_no_output(tmp_path, capsys, monkeypatch):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    out.write_text("previous result\n")

    def broken_copy(fsrc, fdst, length=0):
        fdst.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("shutil.copyfileobj", broken_copy)
    rc, err = run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)
    assert rc == 2 and "No space left on device" in err and "--resume" in err  # one line, the chunks kept
    assert out.read_text() == "previous result\n"  # the old file is untouched, never half-written
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- bad input: one line, exit 2 ---------------------------------------------------------

def test_missing_text_column(tmp_path, capsys):
    src = write(table().rename(columns={"text": "body"}), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2
    assert err.count("\n") == 1 and "'text'" in err and "body" in err and "available columns" in err
    assert not (tmp_path / "out.csv").exists()


def test_malformed_quoting(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text('id,text\n1,fine\n2,"never closed\n3,more\n', encoding="utf-8")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2 and str(src) in err and "line 3" in err and "never closed" in err
    src.write_text('id,text\n1,fine\n2,"quoted"tail\n', encoding="utf-8")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2 and "line 3" in err and "quoting" in err
    src.write_text('id,text\n1,fine\n2,a,b\n', encoding="utf-8")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2 and "line 3" in err and "3 fields" in err
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".out*"))


def test_malformed_jsonl(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2 and "line 2" in err and "not valid JSON" in err


def test_duplicate_ids_warn_once(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "-q", "--id-column", "id", capsys=capsys)
    assert rc == 0
    assert err.count("warning") == 1 and "1 row(s) repeat an id" in err
    assert len(read(tmp_path / "out.csv")) == len(STATEMENTS)


def test_output_folder_missing(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "nowhere" / "out.csv"
    rc, err = run_cli(src, "-o", out, "--rules", capsys=capsys)
    assert rc == 2 and "does not exist" in err
    assert not out.parent.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_output_folder_read_only(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        rc, err = run_cli(src, "-o", locked / "out.csv", "--rules", capsys=capsys)
        assert rc == 2 and "permission denied" in err.lower()
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o755)


def test_output_unwritable_even_for_root(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "a_file" / "out.csv"
    (tmp_path / "a_file").write_text("not a folder")
    rc, err = run_cli(src, "-o", out, "--rules", capsys=capsys)
    assert rc == 2 and "cannot write" in err


@pytest.mark.parametrize("inp,out,needle", [("in.txt", "out.csv", "'.txt'"), ("in.csv", "out.xlsx", "'.xlsx'")])
def test_unknown_extension(tmp_path, capsys, inp, out, needle):
    if inp == "in.csv":
        write(table(), tmp_path / inp)
    else:
        (tmp_path / inp).write_text("hello")
    rc, err = run_cli(tmp_path / inp, "-o", tmp_path / out, "--rules", capsys=capsys)
    assert rc == 2 and needle in err and "unknown table format" in err


def test_explicit_time_column_must_exist(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "--published-column", "posted", capsys=capsys)
    assert rc == 2 and "'posted'" in err and "--published-column" in err


def test_date_order(tmp_path, capsys):
    """A day-first export: read so with --date-order; without it the ambiguous dates are warned about."""
    src = tmp_path / "in.csv"
    pd.DataFrame({"incident": ["a", "a"], "text": ["Payments are down.", "Payments are back."],
                  "started_at": ["12/01/2024 23:50", "12/01/2024 23:50"],
                  "published_at": ["13/01/2024 00:05", "13/01/2024 01:50"]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", "--date-order", "day-first", "--by-incident", "incident",
                   capsys=capsys)[0] == 0
    df = pd.read_csv(out)
    assert df["delay_minutes"].tolist() == [15.0, 120.0] and not df["warnings"].str.contains("first").any()
    summary = pd.read_csv(tmp_path / "out.incidents.csv")
    assert summary["first_response_delay_minutes"].tolist() == [15.0]
    rc, err = run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)  # 13/01 settles its row's 12/01
    assert rc == 0 and pd.read_csv(out)["delay_minutes"].tolist() == [15.0, 120.0] and "month first" not in err
    pd.DataFrame({"text": ["Payments are down.", "Payments are back."], "started_at": ["11/01/2024 23:50"] * 2,
                  "published_at": ["12/01/2024 00:05", "12/01/2024 01:50"]}).to_csv(src, index=False)
    rc, err = run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)  # nothing settles these
    assert rc == 0 and "2 row(s) have a date such as 01/02/2024 that could be read either way" in err  # even with -q
    assert all("month first (1 Dec)" in w for w in pd.read_csv(out)["warnings"])
    # the same dates in French rows: read as French writes dates, day first, still with the warning
    pd.DataFrame({"text": ["Les paiements par carte sont interrompus.", "Les paiements par carte sont rétablis."],
                  "lang": ["fr", "fr"], "started_at": ["11/01/2024 23:50"] * 2,
                  "published_at": ["12/01/2024 00:05", "12/01/2024 01:50"]}).to_csv(src, index=False)
    rc, err = run_cli(src, "-o", out, "--rules", "-q", "--lang-column", "lang", capsys=capsys)
    df = pd.read_csv(out)
    assert rc == 0 and df["delay_minutes"].tolist() == [15.0, 120.0] and "2 row(s)" in err
    assert all("day first (11 Jan), as French writes dates" in w and "--date-order month-first" in w
               for w in df["warnings"])
    rc, err = run_cli(src, "-o", out, "--rules", "--date-order", "european", capsys=capsys)
    assert rc == 2 and err.count("\n") == 1 and "day-first, month-first" in err


def test_header_only_table(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    assert out.read_text().strip().split(",") == ["id", "text", *RESULT_COLUMNS]


def test_as_users_run_it(tmp_path):
    """A real subprocess: exit 2 and one line, no traceback; no progress bar when stderr is not a terminal."""
    src = write(table(), tmp_path / "in.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "analyser", "batch", str(src), "-o", str(tmp_path / "o.csv"),
                           "--text-column", "body", "--rules"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith("analyser: error:") and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1



@pytest.mark.parametrize("content", [b"garbage", b""])
def test_a_model_that_cannot_load_stops_the_run_with_one_line(tmp_path, content):
    # it was an error in every row and exit code 0 (a session-14 user test, on a model of other cue kinds)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "analyser.npz").write_bytes(content)
    src = write(table(), tmp_path / "in.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANALYSER_MODELS": str(tmp_path / "models")}
    proc = subprocess.run([sys.executable, "-m", "analyser", "batch", str(src), "-o", str(tmp_path / "o.csv"),
                           "--quiet"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("analyser: error:") and "analyser.npz" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "o.csv").exists()


# -- by incident -----------------------------------------------------------------------

def test_by_incident_summary(tmp_path, capsys):
    src = write(table(), tmp_path / "in.jsonl")
    out = tmp_path / "out.csv"
    rc, err = run_cli(src, "-o", out, "--rules", "-q", "--lang-column", "lang", "--by-incident", "incident",
                      capsys=capsys)
    assert rc == 0, err
    summary = pd.read_csv(tmp_path / "out.incidents.csv")
    assert summary["incident"].tolist() == ["A", "B", "C"]
    assert summary["statements"].tolist() == [4, 4, 3]
    assert summary["first_response_delay_minutes"].tolist() == [0.0, 120.0, 240.0]
    assert summary["first_response_timeliness"].tolist() == [0, 2, 2]
    scored = read(out)
    a = scored[scored["incident"] == "A"]
    assert summary.loc[0, "cause_max"] == a["cause_level"].astype(int).max()
    assert set(summary["vagueness_trend"].dropna()) <= {"improved", "same", "worse"}
    # an explicit --summary path and format
    rc, _ = run_cli(src, "-o", out, "--rules", "-q", "--by-incident", "incident", "--summary",
                    tmp_path / "inc.parquet", capsys=capsys)
    assert rc == 0 and len(pd.read_parquet(tmp_path / "inc.parquet")) == 3


def test_by_incident_unknown_column(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "--by-incident", "case", capsys=capsys)
    assert rc == 2 and "'case'" in err and "--by-incident" in err


# -- Python API -------------------------------------------------------------------------

def test_score_frame_matches_batch(tmp_path, capsys):
    df = table()
    df.index = [f"r{i}" for i in range(len(df))]  # a non-default index is kept
    scored = score_frame(df, lang_col="lang", method="rules")
    assert list(scored.index) == list(df.index)
    assert list(scored.columns) == list(df.columns) + [("analyser_lang" if c == "lang" else c)
                                                       for c in RESULT_COLUMNS + TIME_COLUMNS]
    src = write(table(), tmp_path / "in.parquet")
    assert run_cli(src, "-o", tmp_path / "out.parquet", "--rules", "-q", "--lang-column", "lang", capsys=capsys)[0] == 0
    via_cli = pd.read_parquet(tmp_path / "out.parquet")
    for c in RESULT_COLUMNS:
        col = "analyser_lang" if c == "lang" else c
        assert [None if pd.isna(v) else v for v in scored[col]] == [None if pd.isna(v) else v for v in via_cli[col]], c


@pytest.mark.parametrize("method", ["rules", "model"])
def test_no_evidence_leaves_only_the_evidence_column_empty(tmp_path, capsys, method):
    if method == "model":
        from analyser.model import models_available

        if not models_available():
            pytest.skip("no trained model installed")
    df = table()
    full = score_frame(df, lang_col="lang", method=method)
    bare = score_frame(df, lang_col="lang", method=method, evidence=False)
    assert list(bare.columns) == list(full.columns)
    assert (bare["evidence"] == "").all() and (full.loc[full["error"] == "", "evidence"] != "").all()
    others = [c for c in full.columns if c != "evidence"]
    pd.testing.assert_frame_equal(bare[others], full[others])
    src = write(df, tmp_path / "in.csv")
    flag = ["--rules"] if method == "rules" else []
    assert run_cli(src, "-o", tmp_path / "out.csv", "-q", "--lang-column", "lang", "--no-evidence", *flag,
                   capsys=capsys)[0] == 0
    assert pd.read_csv(tmp_path / "out.csv")["evidence"].isna().all()  # an empty cell
    with pytest.raises(TypeError, match="True or False"):
        score_frame(df, lang_col="lang", method=method, evidence="false")


def test_score_frame_without_timestamps_and_errors():
    df = pd.DataFrame({"body": ["Payments failed because of a power cut in our data centre.", None], "lg": "en"})
    out = score_frame(df, text_col="body", lang_col="lg", method="rules")
    assert "delay_minutes" not in out.columns
    assert out["error"].tolist()[0] == "" and out["error"].tolist()[1].startswith("no text")
    with pytest.raises(Exception, match="available columns: body, lg"):
        score_frame(df, method="rules")
    empty = score_frame(df.iloc[:0], text_col="body", method="rules")
    assert list(empty.columns) == ["body", "lg", *RESULT_COLUMNS] and len(empty) == 0


def test_dask_map_partitions():
    pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    df = table()
    ddf = dd.from_pandas(df, npartitions=3)
    kwargs = {"lang_col": "lang", "method": "rules"}
    meta = score_frame(ddf._meta, **kwargs)
    lazy = ddf.map_partitions(score_frame, meta=meta, **kwargs)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        result = lazy.compute(scheduler="synchronous")
    else:
        # a real local cluster; in-process workers keep the test fast (one thread: spaCy is not thread-safe)
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
                Client(cluster):
            result = lazy.compute()
    expected = score_frame(df, **kwargs)
    if importlib.util.find_spec("pyarrow"):  # the README's form: no meta given, straight to Parquet
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            ddf.map_partitions(score_frame, **kwargs).to_parquet(tmp, compute_kwargs={"scheduler": "synchronous"})
            written = pd.read_parquet(tmp)
        assert len(written) == len(df) and written["cause_level"].tolist() == expected["cause_level"].tolist()
    assert list(result.index) == list(expected.index)
    assert list(result.columns) == list(expected.columns)
    for c in expected.columns:
        assert [None if pd.isna(v) else v for v in result[c]] == [None if pd.isna(v) else v for v in expected[c]], c


@pytest.mark.parametrize("method", ["model", "rules"])
def test_columns_are_the_rows_of_the_reports(method):
    """Batch columns are made straight from the scores, without reports: they must be exactly
    ``Report.to_row()`` of ``analyse_many``'s reports (every authored statement, in every
    language, detected or given, and statements that cannot be scored)."""
    from analyser.api import analyse_many, rows_many
    from analyser.data import authored_rows
    from analyser.model import models_available

    if method == "model" and not models_available():
        pytest.skip("no trained model installed")
    rows = authored_rows()
    texts = [r["text"] for r in rows] + [t for _, t in STATEMENTS] + ["<b>Sorry</b>", "x" * 300, "ok"]
    langs = [r["lang"] if i % 3 else None for i, r in enumerate(rows)] + [l for l, _ in STATEMENTS] + [None, "de", "en"]
    reports = analyse_many(texts, langs, method, errors="return")
    columns = rows_many(texts, langs, method)
    assert len(columns) == len(reports)
    for report, row in zip(reports, columns):
        if isinstance(report, Exception):
            assert type(row) is type(report) and str(row) == str(report)
        else:
            assert row == report.to_row()
            assert list(row) == list(report.to_row())


def test_a_scorer_bug_costs_only_its_row(monkeypatch):
    from analyser import api

    real = api.score_rules

    def flaky(prepared):
        if "BOOM" in prepared.text:
            raise RuntimeError("kaboom")
        return real(prepared)

    monkeypatch.setattr(api, "score_rules", flaky)
    texts = ["Payments failed because of a power cut.", "BOOM goes the server", "We are sorry for the outage."]
    out = batch.score_columns(texts, ["en"] * 3, method="rules")
    assert out["error"].tolist()[0::2] == ["", ""]
    assert out["error"][1] == "internal error (RuntimeError: kaboom); please report it"
    assert out["cause_level"].notna().tolist() == [True, False, True]
    assert out["apology_level"][2] >= 1


# -- one run per output ------------------------------------------------------------

def test_a_second_run_on_an_output_being_written_is_refused(tmp_path, capsys):
    """Two runs writing one output would mix their parts (the second used to discard the first's)."""
    pytest.importorskip("fcntl")
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    held = batch._lock_output(out)  # as a run in another process holds it
    try:
        rc, err = run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)
    finally:
        held.close()
    assert rc == 2 and "another batch run is writing" in err
    assert not out.exists()
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]  # no lock file, no work folder left


def test_the_summary_may_not_overwrite_the_output(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    rc, err = run_cli(src, "-o", out, "--rules", "-q", "--by-incident", "incident", "--summary", out, capsys=capsys)
    assert rc == 2 and "would overwrite the output" in err
    assert not out.exists()


def interrupted_at(chunk: int, src, out, capsys, monkeypatch) -> None:
    """A ``--chunk-size 4`` run of ``src`` into ``out`` stopped (Ctrl-C) as it writes chunk ``chunk``."""
    original_write = batch._Run.write_part

    def die(self, i, frame, *counts):
        if i == chunk:
            raise KeyboardInterrupt
        original_write(self, i, frame, *counts)

    with monkeypatch.context() as m:
        m.setattr(batch._Run, "write_part", die)
        assert run_cli(src, "-o", out, "--rules", "--chunk-size", "4", capsys=capsys)[0] == 130


def test_resume_counts_the_errors_of_the_chunks_before_the_interruption(tmp_path, capsys, monkeypatch):
    df = table()
    df.loc[[1, 9], "text"] = ""  # one unscorable row in the first chunk, one in the last
    src = write(df, tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "ref.csv", "--rules", "--chunk-size", "4", capsys=capsys)
    whole = re.search(r"(\d+) row\(s\) could not be scored", err).group(0)
    out = tmp_path / "out.csv"
    interrupted_at(2, src, out, capsys, monkeypatch)
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "4", "--resume", capsys=capsys)
    assert rc == 0 and "resuming after 2 finished chunk" in err
    assert whole in err  # the same count as the uninterrupted run


def test_resume_refuses_a_run_scored_with_other_lexicons(tmp_path, capsys, monkeypatch):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    interrupted_at(1, src, out, capsys, monkeypatch)
    monkeypatch.setattr(batch, "_language_data_digest", lambda: "edited-lexicons")
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "4", "--resume", capsys=capsys)
    assert rc == 0 and "cannot resume: the lexicons or language data changed" in err


def test_resume_names_the_option_that_changed(tmp_path, capsys, monkeypatch):
    """Session-11 user test: "the input, the options or the model changed" left the user guessing."""
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    interrupted_at(1, src, out, capsys, monkeypatch)
    rc, err = run_cli(src, "-o", out, "--rules", "--chunk-size", "4", "--resume", "--lang", "en", "--no-evidence",
                      capsys=capsys)
    assert rc == 0
    line = next(x for x in err.splitlines() if "cannot resume" in x)
    assert "the option --lang (not given then, 'en' now)" in line and "the option --no-evidence (not given then, given now)" in line
    assert "input file" not in line and "model" not in line


@pytest.mark.parametrize("fmt", [".jsonl", ".csv", ".parquet"])
def test_jsonl_integers_with_nulls_stay_exact_integers(tmp_path, capsys, fmt):
    """Post ids are 19-digit integers; a null in the column used to turn them into floats (1.76e18)."""
    if fmt == ".parquet":
        pytest.importorskip("pyarrow")
    ids = [1760000000000000001, None, 1760000000000000003, 3]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": "Payments are down. We are sorry."}) + "\n" for i in ids),
                   encoding="utf-8")
    out = tmp_path / f"out{fmt}"
    assert run_cli(src, "-o", out, "--rules", "-q", "--chunk-size", "2", capsys=capsys)[0] == 0
    if fmt == ".csv":
        assert pd.read_csv(out, dtype=str, keep_default_na=False)["id"].tolist() == ["1760000000000000001", "",
                                                                                      "1760000000000000003", "3"]
    elif fmt == ".jsonl":
        assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ids
    else:
        import pyarrow.parquet as pq

        column = pq.read_table(out).column("id")
        assert str(column.type) == "int64" and column.to_pylist() == ids


def test_a_bare_carriage_return_in_a_cell_keeps_the_csv_rows(tmp_path, capsys):
    """Python's csv writer leaves a cell with a lone "\\r" unquoted, and readers split the row there."""
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"Outage resolved.\rRoot cause: a bad config push."\n2,We are investigating.\n')
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["id"].tolist() == ["1", "2"]
    assert got["text"].tolist() == ["Outage resolved.\rRoot cause: a bad config push.", "We are investigating."]


def _finished_parts(work: Path) -> int:
    """Parts the run's state lists as finished (a part file may still be a temporary one being written)."""
    try:
        return len(json.loads((work / "state.json").read_text(encoding="utf-8"))["parts"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM and the parent watch are POSIX")
def test_sigterm_stops_a_parallel_run_like_ctrl_c(tmp_path):
    """A scheduler's SIGTERM: exit 143 with the finished chunks kept for --resume, workers stopped."""
    src = write(pd.concat([table()] * 40, ignore_index=True), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    proc = subprocess.Popen([sys.executable, "-m", "analyser", "batch", str(src), "-o", str(out), "--rules", "-q",
                             "--jobs", "2", "--chunk-size", "2"], stderr=subprocess.PIPE)
    work = batch.work_dir(out)
    deadline = time.monotonic() + 120
    while not _finished_parts(work) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 143, err
    assert b"rerun with --resume" in err and b"Traceback" not in err
    assert not batch.lock_path(out).exists()


@pytest.mark.skipif(os.name != "posix", reason="the parent watch is POSIX")
def test_a_worker_exits_when_the_batch_process_is_gone():
    """After a SIGKILL of the batch process, its workers would wait for chunks forever."""
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen([sys.executable, "-c",
                               f"import time; from analyser.batch import _watch_parent; _watch_parent({parent.pid}); "
                               "time.sleep(60)"])
    time.sleep(0.5)
    parent.kill()
    parent.wait()
    assert worker.wait(timeout=20) == 1  # well before its own 60 s


def test_a_missing_value_marker_in_the_language_column_means_detect(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("language,text\nNaN,Nous sommes désolés : le paiement par carte est en panne depuis 9 h.\n"
                   "eng,We are sorry: card payments have failed since 09:00.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", "--lang-column", "language", capsys=capsys)[0] == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["lang"].tolist() == ["fr", "en"]  # detected; an ISO 639-2 code taken as its registry code
    assert not any("no lexicon" in w for w in got["warnings"])


@pytest.mark.parametrize("name,data,message", [
    ("dup.csv", b"id,text,note,note\n1,Payments down.,a,b\n", "names column 'note' more than once"),
    ("latin1.csv", b"id,text\n1,all fine\n2,caf\xe9 down\n", "line 3: not UTF-8 text"),
    ("empty.jsonl", b"", "is empty: no JSON records"),
])
def test_tables_the_output_could_not_keep_are_refused_with_the_reason(tmp_path, capsys, name, data, message):
    src = tmp_path / name
    src.write_bytes(data)
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "-q", capsys=capsys)
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_nested_parquet_values_are_json_text_in_csv(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["Payments are down. Sorry.", "API errors."], "tags": [[1, 2], None],
                             "meta": [{"a": 1}, {"a": 2}], "raw": [b"ok", None]}), src)
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["tags"].tolist() == ["[1, 2]", ""] and got["meta"].tolist() == ['{"a": 1}', '{"a": 2}']
    assert got["raw"].tolist() == ["ok", ""]


def test_a_temporary_file_of_a_join_killed_midway_is_removed_by_the_next_run(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    stray = tmp_path / ".out.csv.k3j2x9.tmp"  # what atomic_path leaves when the process is killed
    stray.write_text("half a join", encoding="utf-8")
    unrelated = tmp_path / ".other.csv.k3j2x9.tmp"
    unrelated.write_text("another output's", encoding="utf-8")
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    assert not stray.exists() and unrelated.exists()


@pytest.mark.parametrize("fmt", [".jsonl", ".csv", ".parquet"])
def test_a_lone_surrogate_in_a_cell_is_scored_and_written(tmp_path, capsys, fmt):
    """json.loads('"\\\\ud800"') gives a string UTF-8 cannot hold; the row is scored and written, escaped."""
    if fmt == ".parquet":
        pytest.importorskip("pyarrow")
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "abc \\ud800 payments failed because of an expired certificate"}\n'
                   '{"text": "The database failed at 10:00."}\n', encoding="utf-8")
    out = tmp_path / f"out{fmt}"
    rc, err = run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)
    assert rc == 0, err
    if fmt == ".jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert rows[0]["text"] == "abc \ud800 payments failed because of an expired certificate"  # exact, via \\ud800
        assert rows[0]["error"] == "" and rows[0]["cause_level"] == 2
    else:
        got = read(out)
        assert got["text"].tolist()[0] == "abc \\ud800 payments failed because of an expired certificate"
        assert len(got) == 2


def test_an_empty_header_name_is_kept(tmp_path, capsys):
    """'id,text,' (a trailing comma) names its third column ''; pandas alone renamed it 'Unnamed: 2'."""
    src = tmp_path / "in.csv"
    src.write_text("id,text,\n1,Payments are down. Sorry.,x\n2,API errors.,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:4] == ["id", "text", "", "cause_level"]


def test_a_file_system_without_locks_runs_unlocked(tmp_path, capsys, monkeypatch):
    fcntl = pytest.importorskip("fcntl")

    def no_locks(fh, op):
        raise OSError(37, "No locks available")  # ENOLCK, as some network mounts answer

    monkeypatch.setattr(fcntl, "flock", no_locks)
    src = write(table(), tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    assert run_cli(src, "-o", out, "--rules", "-q", capsys=capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


# -- one language for every row (--lang, score_frame(lang=)) -------------------------------

def test_lang_gives_every_row_its_language_without_detection(tmp_path, capsys, monkeypatch):
    """``--lang`` scores as a language column of that code would, and never runs detection."""
    base = table()
    english = base[base["lang"] == "en"].drop(columns=["lang"]).reset_index(drop=True)
    with_column = english.assign(lang="en")
    write(with_column, tmp_path / "col.csv")
    write(english, tmp_path / "bare.csv")
    assert run_cli(tmp_path / "col.csv", "-o", tmp_path / "by_column.csv", "--rules", "-q",
                   "--lang-column", "lang", capsys=capsys)[0] == 0

    def no_detection(text):
        raise AssertionError("language detection ran although --lang was given")

    monkeypatch.setattr("analyser.prepare.detect", no_detection)
    assert run_cli(tmp_path / "bare.csv", "-o", tmp_path / "by_option.csv", "--rules", "-q", "--lang", "EN",
                   capsys=capsys)[0] == 0
    by_column = read(tmp_path / "by_column.csv").drop(columns=["lang"]).rename(columns={"analyser_lang": "lang"})
    by_option = read(tmp_path / "by_option.csv")
    assert (by_option["lang"][by_option["error"] == ""] == "en").all()
    assert by_option.equals(by_column[list(by_option.columns)])


def test_lang_fills_the_blank_cells_of_a_language_column(tmp_path, capsys, monkeypatch):
    df = pd.DataFrame({"lang": ["fr", "", "zh-TW"], "text": ["Le service est rétabli.", "The service is back.",
                                                             "服務已恢復正常。"]})
    monkeypatch.setattr("analyser.prepare.detect", lambda text: (_ for _ in ()).throw(AssertionError(text)))
    out = score_frame(df, lang_col="lang", lang="en", method="rules")
    assert out["analyser_lang"].tolist() == ["fr", "en", "zh-Hant"]


@pytest.mark.parametrize("code", ["klingon", "12", "e n"])
def test_an_unknown_lang_is_a_one_line_error(tmp_path, capsys, code):
    src = write(table(), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "--lang", code, capsys=capsys)
    assert rc == 2
    assert err.count("\n") == 1 and "unknown language code" in err
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(Exception, match="unknown language code"):
        score_frame(table(), lang=code, method="rules")


# -- found by a user test at scale (session 10) ------------------------------------------

def test_a_quoted_empty_cell_is_a_row_and_a_blank_line_is_not(tmp_path, capsys):
    """``""`` is what pandas writes for an empty string: a row (with an error), as pandas reads it."""
    src = tmp_path / "in.csv"
    src.write_text('text\nPayments are down.\n""\n"  "\n   \n\nPayments are back.\n', encoding="utf-8")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "-q", capsys=capsys)
    assert rc == 0, err
    df = read(tmp_path / "out.csv")
    assert df["text"].tolist() == ["Payments are down.", "", "  ", "Payments are back."]
    assert [e.startswith("no text") for e in df["error"]] == [False, True, True, False]


def test_parquet_index_columns_and_categories_are_kept(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    frame = pd.DataFrame({"text": pd.Categorical(["API down", "API up", "API down"]), "n": [1, 2, 3]},
                         index=pd.Index(["a", "b", "c"], name="id"))
    frame.to_parquet(src)
    for ext in (".parquet", ".csv"):
        out = tmp_path / f"out{ext}"
        assert run_cli(src, "-o", out, "--rules", "-q", "--id-column", "id", capsys=capsys)[0] == 0
        df = read(out)  # pandas reads the Parquet output back (a dictionary column as a category)
        assert [str(v) for v in df["id"]] == ["a", "b", "c"]
        assert [str(v) for v in df["text"]] == ["API down", "API up", "API down"]
    assert isinstance(pd.read_parquet(tmp_path / "out.parquet")["text"].dtype, pd.CategoricalDtype)


def test_a_full_disk_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    import errno

    src = write(table(), tmp_path / "in.csv")

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tables, "write_frame", no_room)
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "-q", capsys=capsys)
    assert rc == 2
    assert err.strip().count("\n") == 0 and "No space left on device" in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_duplicate_column_names_are_refused_in_parquet_and_frames(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["x"]), pa.array(["API down"])], names=["text", "text"]), src)
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", capsys=capsys)
    assert rc == 2 and "more than once" in err and err.strip().count("\n") == 0
    frame = pd.DataFrame([["x", "API down"]], columns=["text", "text"])
    with pytest.raises(Exception, match="two or more columns named 'text'"):
        score_frame(frame, method="rules")


@pytest.mark.parametrize("encoding, option", [("gb18030", "gb18030"), ("big5", "big5"), ("cp1252", "cp1252"),
                                              ("utf-16", None)])  # UTF-16 is told by its byte-order mark
def test_tables_in_other_encodings(tmp_path, capsys, encoding, option):
    texts = {"gb18030": "服务器故障，正在抢修。", "big5": "伺服器故障，正在搶修。", "cp1252": "Les paiements par carte sont perturbés.",
             "utf-16": "服務器故障 – Payments are down."}
    frame = pd.DataFrame({"id": ["a", "b"], "text": [texts[encoding], "Payments are back."]})
    for ext in (".csv", ".jsonl"):
        src = tmp_path / f"in{ext}"
        if ext == ".csv":
            frame.to_csv(src, index=False, encoding=encoding)
        else:
            src.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dict("records"))
                            .encode(encoding))
        args = ["--encoding", option] if option else []
        rc, err = run_cli(src, "-o", tmp_path / f"out{ext}", "--rules", "-q", *args, capsys=capsys)
        assert rc == 0, err
        assert read(tmp_path / f"out{ext}")["text"].tolist() == frame["text"].tolist()
    if option:  # without --encoding: one line naming the option
        rc, err = run_cli(tmp_path / "in.csv", "-o", tmp_path / "x.csv", "--rules", capsys=capsys)
        assert rc == 2 and "--encoding" in err and err.strip().count("\n") == 0


def test_an_unknown_encoding_is_a_one_line_error(tmp_path, capsys):
    src = write(table(), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "--encoding", "klingon-8", capsys=capsys)
    assert rc == 2 and "unknown encoding 'klingon-8'" in err


def test_incidents_are_grouped_alike_whatever_the_output_format(tmp_path, capsys):
    """Grouping is by the incident value's text, as a CSV holds it: 1 and "1" are one incident;
    3 and 3.0, and true and 1, are not."""
    values = [1, "1", 3, 3.0, True, "a"]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"inc": v, "text": "Payments are down."}) + "\n" for v in values), encoding="utf-8")
    counts = {}
    for ext in (".csv", ".jsonl", ".parquet"):
        out = tmp_path / f"out{ext}"
        assert run_cli(src, "-o", out, "--rules", "-q", "--by-incident", "inc", capsys=capsys)[0] == 0
        summary = read(tmp_path / f"out.incidents{ext}")
        counts[ext] = sorted(int(n) for n in summary["statements"])
    assert counts[".csv"] == counts[".jsonl"] == counts[".parquet"] == [1, 1, 1, 1, 2]


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
def test_the_progress_bar_shows_on_a_terminal_even_one_without_a_width(tmp_path):
    """On a terminal stderr (a new pty reports 0 columns, as some CI and `docker exec -t` do) the bar
    shows whole row counts; --quiet silences it."""
    import pty

    src = write(table(), tmp_path / "in.csv")
    outputs = {}
    for quiet in (False, True):
        leader, follower = pty.openpty()
        args = [sys.executable, "-m", "analyser", "batch", str(src), "-o", str(tmp_path / f"o{quiet}.csv"), "--rules"]
        proc = subprocess.Popen(args + (["--quiet"] if quiet else []), stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
        os.close(leader)
        outputs[quiet] = b"".join(chunks).decode("utf-8", "replace")
        assert proc.returncode == 0, outputs[quiet]
    assert "scoring" in outputs[False] and f"{len(table())}/{len(table())}" in outputs[False]
    assert ".0/" not in outputs[False]  # whole rows, not "11.0/11"
    assert "scoring" not in outputs[True]


def test_an_unsupported_lang_is_warned_about_once(tmp_path, capsys):
    src = write(table().drop(columns=["lang"]), tmp_path / "in.csv")
    rc, err = run_cli(src, "-o", tmp_path / "out.csv", "--rules", "-q", "--lang", "it", capsys=capsys)
    assert rc == 0 and err.count("no lexicon for this language") == 1
    rc, err = run_cli(src, "-o", tmp_path / "out2.csv", "--rules", "-q", "--lang", "en", capsys=capsys)
    assert rc == 0 and "no lexicon" not in err
