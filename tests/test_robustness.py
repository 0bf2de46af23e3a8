"""Issue 7, score side: a bad-input matrix for ``python -m analyser score``.

Every case runs as users run it (a subprocess, ``--json --rules`` so that the
outcome does not depend on an installed model) and ends in one of two ways:

* a correct score: exit 0, a report whose levels and scores are in range and
  whose evidence slices the decoded text, plus the case's own checks
  (language, warning, levels);
* a one-line error that names the problem: exit 2, nothing on stdout, exactly
  one stderr line starting ``analyser: error:``, no traceback.

The cases of ``tests/test_cli.py`` (missing file, directory, empty file...) are
not repeated as such; here they come with what the message must name. The
unreadable file runs in-process (``analyser.cli.main``) with ``open``
patched, since ``chmod`` does not stop root; the ``chmod`` variant runs too when
the tests are not root. The batch side of the matrix is in ``tests/test_batch.py``.
"""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from analyser.cli import main
from analyser.prepare import MAX_CHARS
from analyser.reading import MAX_BYTES
from analyser.report import DIMENSIONS, FACETS

ROOT = Path(__file__).resolve().parents[1]

EN = "We apologise: card payments failed from 09:10 to 09:55 CET because of an expired certificate."
DE = ("Wir entschuldigen uns: Kartenzahlungen sind von 9:10 bis 9:55 Uhr wegen eines Stromausfalls im Rechenzentrum "
      "ausgefallen. Nächstes Update um 11 Uhr.")
ZH_HANS = "由于机房电力故障，今天上午9点至11点部分用户无法登录，我们深表歉意，预计下午3点前完全恢复。"
ZH_HANT = "由於機房電力故障，今天上午9點至11點部分用戶無法登入，我們深表歉意，預計下午3點前完全恢復。"
# Not UTF-8 (lone continuation bytes, overlong lead bytes) and no legacy encoding makes text of it.
INVALID_UTF8 = b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" * 8
CONTROL = ("Card \x00payments\x07 failed\x1b[31m from 09:10 to 09:55\x0b because of a \x7fpower\u0085 cut.\u202e "
           "We are \x08sorry.")
EMOJI = "🔥🔥😱😱🙏🙏💥 😴"
HTML = ("<!DOCTYPE html><html><head><title>Status</title><style>p {color: red}</style></head><body>"
        "<p>We <b>apologise</b>: card payments failed from 09:10 to 09:55 CET because of an "
        "<a href=\"https://example.com/?a=1&amp;b=2\">expired certificate</a> &amp; a bad deploy.</p>"
        "<script>var sorry = 'outage because of a power cut';</script><p>Next update at 11:00 CET.</p></body></html>")
MIXED = f"{EN} {ZH_HANS} Nous nous excusons pour la gêne occasionnée."
BIG_LINE = "Card payments failed because of a power cut, sorry. "


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, and what must come out."""

    id: str
    make: Callable[[Path], tuple[tuple[str, ...], bytes | None]]  # tmp -> (arguments after score, stdin)
    error: tuple[str, ...] = ()      # an error is expected; words the message must contain
    either: bool = False             # a correct score or an error are both right
    text: str | None = None          # the decoded text, to check that evidence slices it
    lang: tuple[str, ...] = ()       # acceptable detected languages
    levels: dict = field(default_factory=dict)  # minimum levels, e.g. {"apology": 1}
    facets: tuple[str, ...] = ()     # facets that must be present
    warning: str = ""                # a warning that must be given


def _file(name: str, data: bytes | str):
    def make(tmp: Path):
        path = tmp / name
        if not path.exists():
            path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return (str(path),), None
    return make


def _args(*args: str):
    return lambda tmp: (tuple(a.replace("{tmp}", str(tmp)) for a in args), None)


def _stdin(data: bytes):
    return lambda tmp: (("-",), data)


def _big(tmp: Path):
    # 50 MB of statement: a real statement, then the same line again and again.
    path = tmp / "dump-50mb.txt"
    if not path.exists():
        head = EN + "\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(head)
            block = _fill(BIG_LINE, 1 << 20)
            for _ in range(50):
                fh.write(block)
    return (str(path),), None


CASES = [
    Case("missing-path", _args("{tmp}/no-such-statement.txt"), error=("no such file", "no-such-statement.txt")),
    Case("directory", _args("{tmp}"), error=("is a directory",)),
    Case("empty-file", _file("empty.txt", b""), error=("empty",)),
    Case("whitespace-only", _file("blank.txt", " \n\t\r\n\u3000 \u200b \f\n"), error=("empty",)),
    Case("markup-only", _file("markup.html", "<html><body><p> </p><br/><div>&nbsp;</div></body></html>"), error=("empty",)),
    Case("binary-file", _file("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
         error=("binary",)),
    Case("elf-binary", _file("program", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 8),
         error=("binary",)),
    Case("invalid-utf8", _file("invalid.txt", INVALID_UTF8), error=("encoding",), either=True),
    Case("cp1252-de", _file("de-cp1252.txt", DE.encode("cp1252")), text=DE, lang=("de",),
         levels={"apology": 1, "cause": 1}, facets=("when", "next")),
    Case("gbk-no-bom", _file("zh-gbk.txt", ZH_HANS.encode("gbk")), text=ZH_HANS, lang=("zh-Hans",),
         levels={"apology": 1, "cause": 1}, facets=("when", "next")),
    Case("big5-no-bom", _file("zh-big5.txt", ZH_HANT.encode("big5")), text=ZH_HANT, lang=("zh-Hant",),
         levels={"apology": 1, "cause": 1}, facets=("when", "next")),
    Case("gbk-stdin", _stdin(ZH_HANS.encode("gbk")), text=ZH_HANS, lang=("zh-Hans",), levels={"apology": 1}),
    Case("utf16le-en-no-bom", _file("en-utf16le.txt", EN.encode("utf-16-le")), text=EN, lang=("en",),
         levels={"apology": 1, "cause": 2}, facets=("when",)),
    Case("utf16be-en-no-bom", _file("en-utf16be.txt", EN.encode("utf-16-be")), text=EN, lang=("en",),
         levels={"apology": 1, "cause": 2}, facets=("when",)),
    Case("utf16le-zh-no-bom", _file("zh-utf16le.txt", ZH_HANS.encode("utf-16-le")), text=ZH_HANS,
         lang=("zh-Hans",), levels={"apology": 1, "cause": 1}),
    Case("utf16be-zh-no-bom", _file("zh-utf16be.txt", ZH_HANS.encode("utf-16-be")), text=ZH_HANS,
         lang=("zh-Hans",), levels={"apology": 1, "cause": 1}),
    Case("statement-50mb", _big, lang=("en",), levels={"apology": 1, "cause": 1},
         warning=f"scored on its first {MAX_CHARS:,}"),
    Case("one-1mb-line", _file("line.txt", _fill(BIG_LINE, 1_000_000)), text=_fill(BIG_LINE, 1_000_000),
         lang=("en",), levels={"apology": 1, "cause": 1}, warning=f"scored on its first {MAX_CHARS:,}"),
    Case("control-characters", _file("controls.txt", CONTROL), text=CONTROL, lang=("en",),
         levels={"apology": 1, "cause": 1}, facets=("when",)),
    Case("emoji-only", _file("emoji.txt", EMOJI), text=EMOJI, lang=("und",), warning="too few letters"),
    Case("html", _file("status.html", HTML), text=HTML, lang=("en",), levels={"apology": 1, "cause": 2},
         facets=("when", "next")),
    Case("mixed-languages", _file("mixed.txt", MIXED), text=MIXED, lang=("en", "zh-Hans", "fr")),
]
CASE_IDS = [c.id for c in CASES]
BY_ID = {c.id: c for c in CASES}


def _run(args: tuple[str, ...], stdin: bytes | None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "analyser", "score", "--json", "--rules", *args],
                          cwd=ROOT, input=stdin if stdin is not None else b"", capture_output=True, timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Every case run once, all at the same time (each run starts a Python with spaCy)."""
    tmp = tmp_path_factory.mktemp("bad-input")
    jobs = {c.id: c.make(tmp) for c in CASES}
    with ThreadPoolExecutor(max_workers=max(4, os.cpu_count() or 1)) as pool:
        futures = {cid: pool.submit(_run, *job) for cid, job in jobs.items()}
        return {cid: f.result() for cid, f in futures.items()}


def _assert_one_line_error(proc: subprocess.CompletedProcess, words: tuple[str, ...]) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("analyser: error:")
    assert any(w.lower() in lines[0].lower() for w in words), f"{lines[0]!r} names none of {words}"


def _evidence(report: dict) -> list[dict]:
    return [ev for part in ("dimensions", "facets") for v in report[part].values() for ev in v["evidence"]]


def _assert_good_report(case: Case, proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert set(report["dimensions"]) == set(DIMENSIONS) and set(report["facets"]) == set(FACETS)
    for d in report["dimensions"].values():
        assert d["level"] in (0, 1, 2) and 0.0 <= d["score"] <= 1.0
    if case.lang:
        assert report["lang"] in case.lang
    for dim, least in case.levels.items():
        assert report["dimensions"][dim]["level"] >= least, (dim, report["dimensions"][dim])
    for facet in case.facets:
        assert report["facets"][facet]["present"], facet
    if case.warning:
        assert any(case.warning in w for w in report["warnings"]), report["warnings"]
    if case.text is not None:
        for ev in _evidence(report):
            assert 0 <= ev["start"] < ev["end"] <= len(case.text), ev
            assert case.text[ev["start"]:ev["end"]] == ev["text"], ev
    return report


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_score_bad_input(runs, case_id):
    """Each bad input: a correct score, or one line that names the problem (exit 2, no traceback)."""
    case, proc = BY_ID[case_id], runs[case_id]
    if case.either and proc.returncode == 0:
        _assert_good_report(case, proc)
    elif case.error:
        _assert_one_line_error(proc, case.error)
    else:
        _assert_good_report(case, proc)


# --- what the cases that score must also show ------------------------------------------------

def test_big_statement_is_scored_on_a_prefix(runs):
    report = json.loads(runs["statement-50mb"].stdout)
    assert 0 < report["scored_chars"] <= MAX_CHARS
    assert all(ev["end"] <= MAX_CHARS for ev in _evidence(report))
    length = len(EN) + 1 + 50 * (1 << 20)
    assert any(f"{length:,} characters" in w for w in report["warnings"]), report["warnings"]


def test_one_long_line_is_scored_on_a_prefix(runs):
    report = json.loads(runs["one-1mb-line"].stdout)
    assert report["scored_chars"] <= MAX_CHARS
    assert any("1,000,000 characters" in w for w in report["warnings"])


def test_emoji_only_scores_with_language_independent_cues(runs):
    report = json.loads(runs["emoji-only"].stdout)
    assert report["lang"] == "und"
    assert report["dimensions"]["humour"]["level"] >= 1  # the emoji are light-tone cues of lang/common


def test_html_evidence_points_into_the_html_and_skips_markup(runs):
    report = json.loads(runs["html"].stdout)
    spans = _evidence(report)
    assert spans
    script = HTML.index("<script>"), HTML.index("</script>")
    for ev in spans:
        assert "<" not in ev["text"] and ">" not in ev["text"], ev  # tags stripped, never evidence
        assert not (script[0] <= ev["start"] < script[1]), ev     # script content is not text
    texts = {ev["text"] for ev in spans}
    assert "apologise" in texts and "expired certificate" in texts  # words found across tags


def test_html_entities_are_decoded_not_scored_as_text(runs):
    report = json.loads(runs["html"].stdout)
    assert all("&amp;" not in ev["text"] for ev in _evidence(report))


def test_control_characters_do_not_hide_cues(runs):
    report = json.loads(runs["control-characters"].stdout)
    texts = {ev["text"] for ev in _evidence(report)}
    # the cue "power cut" is found across a dropped NEL, and its evidence keeps it
    assert "power\u0085 cut" in texts and "sorry" in texts, texts


def test_mixed_languages_reports_one_language_and_scores_its_part(runs):
    report = json.loads(runs["mixed-languages"].stdout)
    assert isinstance(report["lang"], str) and report["lang"] in ("en", "zh-Hans", "fr")
    # whichever language is reported, the apology of that part is found
    assert report["dimensions"]["apology"]["level"] >= 1


def test_utf16_without_bom_decodes_both_byte_orders_alike(runs):
    le, be = (json.loads(runs[f"utf16{o}-en-no-bom"].stdout) for o in ("le", "be"))
    assert le["dimensions"] == be["dimensions"] and le["lang"] == be["lang"] == "en"


# --- unreadable files -------------------------------------------------------------------------

def _patched_open(error: OSError):
    def fake_open(*args, **kwargs):
        raise error
    return fake_open


@pytest.mark.parametrize("error,words", [
    (PermissionError(errno.EACCES, "Permission denied"), ("permission denied",)),
    (OSError(errno.EIO, "Input/output error"), ("cannot read", "Input/output error")),
], ids=["permission-denied", "io-error"])
def test_unreadable_file_in_process(tmp_path, monkeypatch, capsys, error, words):
    path = tmp_path / "locked.txt"
    path.write_text(EN, encoding="utf-8")
    monkeypatch.setattr("analyser.reading.open", _patched_open(error), raising=False)
    code = main(["score", "--rules", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("analyser: error:"), err
    assert all(w.lower() in lines[0].lower() for w in words) and "locked.txt" in lines[0]


def test_unreadable_file_subprocess(locked_file):
    _assert_one_line_error(_run((str(locked_file),), None), ("permission denied",))


def test_file_over_the_byte_cap_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: no 64 MB written
        fh.truncate(MAX_BYTES + 1)
    code = main(["score", "--rules", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "larger than 64 MB" in err


def test_text_option_with_undecodable_bytes_is_decoded(capsys):
    # A GBK terminal hands Python bytes that are not UTF-8 (kept as lone surrogates):
    # they are decoded like a file's, not passed on to crash the scorer.
    arg = os.fsdecode(ZH_HANS.encode("gbk"))
    code = main(["score", "--json", "--rules", "--text", arg])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["lang"] == "zh-Hans" and report["dimensions"]["apology"]["level"] >= 1


def test_the_api_refuses_inputs_that_would_lose_or_garble_statements():
    from analyser.api import analyse_many

    with pytest.raises(ValueError, match="3 texts but 1 languages"):
        analyse_many(["Payments failed.", "Sorry.", "API down."], langs=["en"])
    with pytest.raises(TypeError, match="not one string"):
        analyse_many("Payments failed")
    with pytest.raises(ValueError, match="errors must be"):
        analyse_many(["Payments failed."], errors="ignore")


def test_the_api_takes_str_subclasses_and_refuses_a_non_text_language():
    import numpy as np

    from analyser import analyse
    from analyser.errors import InputError

    assert analyse(np.str_("Sorry: payments failed because of an expired certificate.")).lang == "en"
    with pytest.raises(InputError, match="language code is text"):
        analyse("Payments failed.", lang=5)


def test_a_lone_surrogate_is_dropped_before_scoring_and_kept_in_the_report_text():
    from analyser import analyse

    text = "abc \ud800 payments failed because of an expired certificate"
    report = analyse(text, lang="en", method="rules")
    assert report.text == text and report.dimensions["cause"].level == 2
    assert all(text[e.start:e.end] == e.text for _, e in report.evidence())
