"""The command line, run as users run it: ``python -m analyser`` in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

from analyser import __version__
from analyser.reading import read_path
from analyser.report import DIMENSIONS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "data" / "statements" / "examples").glob("*.txt"))
EXAMPLE_IDS = [p.name for p in EXAMPLES]
EN_PAYMENTS = ROOT / "data" / "statements" / "examples" / "en_payments.txt"
SCHEMA = ROOT / "analyser" / "report.schema.json"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m analyser ARGS`` from the repository root (cached: each invocation runs once)."""
    return _run(args, stdin)


@lru_cache(maxsize=None)
def _run(args: tuple[str, ...], stdin: bytes | None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "analyser", *args],
        cwd=ROOT, input=stdin if stdin is not None else b"", capture_output=True, timeout=300,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace"))


def _example_args(path: Path) -> tuple[str, ...]:
    return ("score", "--json", str(path.relative_to(ROOT)))  # relative to cwd, as users type it


TEXT_AND_RULES = ("score", "--json", "--rules", "--text",
                  "Sorry! Payments failed from 14:05 to 14:40 because of an expired certificate.")
# Scoring runs take a second or more each (language detection, lexicons): start them all at once.
SCORING_RUNS = [
    (("score", str(EN_PAYMENTS)), None),
    (("score", "--json", "-"), EN_PAYMENTS.read_bytes()),
    (TEXT_AND_RULES, None),
] + [(_example_args(p), None) for p in EXAMPLES]


@pytest.fixture(scope="module", autouse=True)
def _prefetch():
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        list(pool.map(lambda job: run(*job[0], stdin=job[1]), SCORING_RUNS))


def test_help_exits_0():
    assert run("--help").returncode == 0


def test_help_lists_score():
    assert "score" in run("--help").stdout


def test_score_help_exits_0():
    proc = run("score", "--help")
    assert proc.returncode == 0 and "--json" in proc.stdout


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"analyser {__version__}"


def test_score_file_exits_0():
    proc = run("score", str(EN_PAYMENTS))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_score_file_prints_dimension(dimension):
    assert dimension in run("score", str(EN_PAYMENTS)).stdout


def test_score_file_prints_no_traceback():
    assert "Traceback" not in run("score", str(EN_PAYMENTS)).stderr


def test_score_json_validates(validator):
    proc = run(*_example_args(EN_PAYMENTS))
    assert proc.returncode == 0, proc.stderr
    validator.validate(json.loads(proc.stdout))


def test_score_stdin():
    proc = run("score", "--json", "-", stdin=EN_PAYMENTS.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(run(*_example_args(EN_PAYMENTS)).stdout)


def test_score_text_option():
    proc = run(*TEXT_AND_RULES)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["lang"] == "en"


def test_score_rules_option():
    assert json.loads(run(*TEXT_AND_RULES).stdout)["method"] == "rules"


# --- user errors: exit 2, one line on stderr, no traceback ---------------------------------

def _error_cases(tmp: Path) -> dict[str, tuple[tuple[str, ...], bytes | None]]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_bytes(b"  \n\t\r\n \xe3\x80\x80 \n")
    (tmp / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return {
        "missing-file": (("score", str(tmp / "no-such-file.txt")), None),
        "directory": (("score", str(tmp)), None),
        "empty-file": (("score", str(tmp / "empty.txt")), None),
        "whitespace-file": (("score", str(tmp / "blank.txt")), None),
        "binary-file": (("score", str(tmp / "image.png")), None),
        "empty-stdin": (("score", "-"), b""),
        "bad-lang": (("score", "--lang", "klingon!", str(EN_PAYMENTS)), None),
        "no-path": (("score",), None),
        "path-and-text": (("score", "--text", "API down", str(EN_PAYMENTS)), None),
        "name-too-long": (("score", "a" * 5000), None),
        "unknown-option": (("score", "--bogus", str(EN_PAYMENTS)), None),
        "batch-without-output": (("batch", str(EN_PAYMENTS)), None),
    }


ERROR_CASES = ["missing-file", "directory", "empty-file", "whitespace-file", "binary-file",
               "empty-stdin", "bad-lang", "no-path", "path-and-text", "name-too-long", "unknown-option",
               "batch-without-output"]


@pytest.fixture(scope="module")
def error_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli-errors")
    cases = _error_cases(tmp)
    assert sorted(cases) == sorted(ERROR_CASES)
    return {name: run(*args, stdin=stdin) for name, (args, stdin) in cases.items()}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_user_error_exits_2(error_runs, case):
    assert error_runs[case].returncode == 2


@pytest.mark.parametrize("case", ERROR_CASES)
def test_user_error_is_one_line_on_stderr(error_runs, case):
    lines = error_runs[case].stderr.splitlines()
    assert len(lines) == 1, error_runs[case].stderr
    assert lines[0].startswith("analyser: error:")


@pytest.mark.parametrize("case", ERROR_CASES)
def test_user_error_has_no_traceback(error_runs, case):
    assert "Traceback" not in error_runs[case].stderr


@pytest.mark.parametrize("case", ERROR_CASES)
def test_user_error_prints_nothing_on_stdout(error_runs, case):
    assert error_runs[case].stdout == ""


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("as_json", [False, True])
def test_report_prints_on_a_narrow_standard_output(tmp_path, encoding, as_json):
    """Chinese evidence on a cp1252 (Windows) or ASCII standard output: escaped, not a traceback."""
    path = tmp_path / "zh.txt"
    path.write_text("由于上海机房光缆被挖断，部分用户无法登录微信。非常抱歉 🙏", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "analyser", "score", *(["--json"] if as_json else []), str(path)],
                          cwd=ROOT, capture_output=True, timeout=300, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    out = proc.stdout.decode(encoding)
    if as_json:
        assert "光缆" in json.dumps(json.loads(out), ensure_ascii=False)
    else:
        assert "\\u5149\\u7f06" in out  # 光缆, escaped


def test_missing_file_error_names_the_file(error_runs):
    assert "no-such-file.txt" in error_runs["missing-file"].stderr


def test_bad_lang_error_names_the_code(error_runs):
    assert "klingon!" in error_runs["bad-lang"].stderr


# --- the example statements ----------------------------------------------------------------

@pytest.fixture(scope="module")
def example_reports():
    out = {}
    for path in EXAMPLES:
        proc = run(*_example_args(path))
        assert proc.returncode == 0, proc.stderr
        out[path.name] = json.loads(proc.stdout)
    return out


def test_examples_cover_every_language():
    assert {p.name.split("_")[0] for p in EXAMPLES} >= {"zh-Hans", "zh-Hant", "en", "fr", "de", "es"}


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_language_is_detected(example_reports, path):
    assert example_reports[path.name]["lang"] == path.name.split("_")[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_json_validates(example_reports, validator, path):
    validator.validate(example_reports[path.name])


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_evidence_slices_the_file_text(example_reports, path):
    original = read_path(path)
    report = example_reports[path.name]
    spans = [ev for part in ("dimensions", "facets") for v in report[part].values() for ev in v["evidence"]]
    for ev in spans:
        assert 0 <= ev["start"] < ev["end"] <= len(original)
        assert original[ev["start"]:ev["end"]] == ev["text"]


@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_scored_whole(example_reports, path):
    assert example_reports[path.name]["scored_chars"] == len(read_path(path).rstrip())


def test_readme_sample_output_is_what_the_command_prints():
    """The README's sample is this command's real output (it went stale once: regenerate it after retraining)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ python -m analyser score data/statements/examples/zh-Hans_wechat.txt\n"
    start = readme.index(command) + len(command)
    shown = readme[start:readme.index("```", start)]
    proc = run("score", "data/statements/examples/zh-Hans_wechat.txt")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown
