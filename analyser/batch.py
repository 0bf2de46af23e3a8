"""``python -m analyser batch IN -o OUT``: score every row of a table, at scale.

Input and output are CSV, JSONL or Parquet, chosen by extension. The output
has every input column, unchanged and in order, then the scored columns
(:data:`RESULT_COLUMNS`: per dimension ``<dim>_level`` 0/1/2 and ``<dim>_score``
0-1, the facets ``has_what`` ``has_scope`` ``has_when`` ``has_next``, ``lang``,
``evidence`` as JSON, ``warnings``, and ``error``, empty when the row scored);
when the input has both timestamp columns (``published_at``, ``started_at`` by
default) also ``delay_minutes`` and ``timeliness_level``
(:mod:`analyser.timeliness`). A scored column whose name the input already uses
is written as ``analyser_<name>`` (a note says so).

Design
------
* **Pre-pass.** The input is first read end to end without being kept
  (:func:`analyser.tables.scan_table`): it checks the format (malformed CSV
  quoting or JSON lines fail here, with the line, before any scoring), counts
  the rows (for the progress bar's ETA), collects the JSONL keys and hashes the
  ids to warn once about duplicates (8 bytes a row).
* **Chunks.** The input is then streamed in chunks of ``--chunk-size`` rows
  (pandas ``read_csv(chunksize=)``, JSONL line by line, Parquet
  ``iter_batches``); each chunk is scored with one vectorised
  :func:`analyser.api.rows_many` call (the columns of ``Report.to_row``, made
  straight from the scores: no report or advice is built, as none is written)
  and written as its own *part* file.
  At most ``2 x --jobs`` chunks are in flight, so memory does not grow with the
  number of rows.
* **Processes.** ``--jobs N`` scores chunks in N worker processes
  (``concurrent.futures.ProcessPoolExecutor``, forkserver); parts are written in
  input order by the main process, and scoring is per row and deterministic, so
  the output is byte-identical to ``--jobs 1``.
* **No row lost.** A row that cannot be scored (empty or missing text, an
  invalid language code, even an unexpected failure of the scorer) gets a
  message in ``error`` and the run goes on; the output always has exactly the
  input's rows in the input's order.
* **Atomic output, resumable runs.** Parts and a small state file live in a
  work folder beside the output, ``.<OUT name>.batch/`` (``state.json`` holds
  the input's size and modification time, the options and the rows of each
  finished part; each part appears atomically, so a part that exists is
  complete). When all chunks are done the parts are joined into a temporary file
  in the output's folder, which is renamed over OUT (``os.replace``), and the
  work folder is removed. An interrupted run (Ctrl-C, a crash, a killed
  machine) leaves no OUT, only the work folder; ``--resume`` checks that the
  input and options are unchanged and continues after the last finished part
  without rescoring it (finished chunks are still read, not scored). Without
  ``--resume`` a leftover work folder is discarded.
* **Incidents.** ``--by-incident COLUMN`` also writes one row per incident
  (:class:`analyser.timeliness.IncidentSummary`), reduced from the finished
  parts, so it is right after a resumed run too.

Python and Dask
---------------
:func:`score_frame` scores a DataFrame and returns it with the same columns as
``batch``. It keeps the frame's index and has no global state, so it is a Dask
``map_partitions`` function; each worker loads the models once::

    import dask.dataframe as dd
    from analyser import score_frame

    ddf = dd.read_parquet("statements/*.parquet")
    scored = ddf.map_partitions(score_frame, text_col="text", lang_col="lang",
                                meta=score_frame(ddf._meta, text_col="text", lang_col="lang"))
    scored.to_parquet("scored/")

(``meta`` is optional: without it Dask infers it by scoring a fake row.) With a
cluster, ``from dask.distributed import Client; Client("scheduler:8786")``
before ``compute``/``to_parquet``; the workers need ``analyser`` installed.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from .errors import AnalyserError, InputError
from .report import DIMENSIONS

#: The scored columns, in output order (``Report.to_row`` plus ``error``).
RESULT_COLUMNS = (
    *(f"{d}_{k}" for d in DIMENSIONS for k in ("level", "score")),
    "has_what", "has_scope", "has_when", "has_next", "lang", "evidence", "warnings", "error",
)
#: Added when the input has both timestamp columns.
TIME_COLUMNS = ("delay_minutes", "timeliness_level")
#: Prefix for a scored column whose name the input already uses.
CLASH_PREFIX = "analyser_"
#: Rows read, scored and written at a time. A chunk of 1,000 rows held about 40 MB at its peak
#: (its evidence JSON, the output frame, the CSV writer); 500 took a detected-language run of
#: 10,000 rows from 396 to 378 MB peak at the same CPU time (session 12, README "Speed").
DEFAULT_CHUNK = 500
#: Text cells that stand for a missing value (spreadsheet and pandas exports), not a statement.
MISSING_MARKERS = frozenset({"nan", "none", "null", "n/a", "#n/a", "<na>", "nat"})
STATE_VERSION = 1

_INT = "Int64"
# text columns: a string dtype (Dask builds a Parquet schema from them; from object columns it
# cannot), kept in Python objects: pandas' default string storage would import pyarrow (~40 MB)
_TEXT = "string[python]"
_DTYPES = {**{f"{d}_level": _INT for d in DIMENSIONS}, **{f"{d}_score": "float64" for d in DIMENSIONS},
           **{f"has_{f}": "boolean" for f in ("what", "scope", "when", "next")},
           "lang": _TEXT, "evidence": _TEXT, "warnings": _TEXT, "error": _TEXT,
           "delay_minutes": "float64", "timeliness_level": _INT}


# -- scoring ---------------------------------------------------------------------

def _text_problem(value, text_col: str) -> str:
    from .tables import is_missing

    if is_missing(value):
        return f"no text: the {text_col!r} cell is missing"
    if not isinstance(value, str):
        return f"no text: the {text_col!r} cell holds {type(value).__name__} {str(value)[:30]!r}, not text"
    stripped = value.strip()
    if not stripped:
        return f"no text: the {text_col!r} cell is empty"
    if stripped.lower() in MISSING_MARKERS:
        return f"no text: the {text_col!r} cell is {stripped!r}, a missing-value marker"
    return ""


def _lang_value(value) -> str | None:
    """A language cell: blank or a missing-value marker ("NaN" from a spreadsheet) means detect it."""
    if not isinstance(value, str) or not value.strip() or value.strip().lower() in MISSING_MARKERS:
        return None
    return value.strip()


def _rows(texts: list, langs: list, method: str, evidence: bool = True) -> list:
    from .api import rows_many
    from .errors import ModelError

    try:
        return rows_many(texts, langs, method, evidence)
    except ModelError:  # the model, not a row: every row would fail alike
        raise
    except Exception:  # noqa: BLE001 - a scorer bug on one row must not lose the chunk
        out = []
        for t, l in zip(texts, langs):
            try:
                out.append(rows_many([t], [l], method, evidence)[0])
            except Exception as exc:  # noqa: BLE001
                out.append(exc)
        return out


def score_columns(texts, langs=None, published=None, started=None, *, method: str = "auto",
                  text_col: str = "text", published_col: str = "published_at",
                  started_col: str = "started_at", lang: str | None = None, date_order: str | None = None,
                  evidence: bool = True):
    """The scored columns for a sequence of texts, as a DataFrame with a fresh RangeIndex.

    ``published`` and ``started`` (sequences of timestamps, or ``None``) add the
    timeliness columns when both are given; ``date_order`` is how their numeric
    dates are read (:mod:`analyser.timeliness`). Without ``evidence`` the ``evidence`` column is "". ``lang`` is the language of every row
    whose ``langs`` cell is blank (or of every row, without ``langs``); without it
    such rows have their language detected.
    """
    import pandas as pd

    texts = list(texts)
    n = len(texts)
    langs = [lang] * n if langs is None else [_lang_value(v) or lang for v in langs]
    cols: dict[str, list] = {c: [None] * n for c in RESULT_COLUMNS}
    cols["error"] = [""] * n
    cols["warnings"] = [""] * n
    cols["lang"] = [""] * n
    cols["evidence"] = [""] * n
    todo = []
    for i, t in enumerate(texts):
        problem = _text_problem(t, text_col)
        if problem:
            cols["error"][i] = problem
        else:
            todo.append(i)
    from .api import BLOCK, gc_paused
    from .errors import AnalyserError as _AE

    with gc_paused():
        # in blocks, so that only one block's rows (with their evidence) are held at a time
        for b in range(0, len(todo), BLOCK):
            block = todo[b:b + BLOCK]
            for i, res in zip(block, _rows([texts[i] for i in block], [langs[i] for i in block], method, evidence)):
                if isinstance(res, _AE):
                    cols["error"][i] = str(res)
                elif isinstance(res, BaseException):
                    cols["error"][i] = f"internal error ({type(res).__name__}: {res}); please report it"
                else:
                    for key, value in res.items():
                        cols[key][i] = value
    data = {c: pd.Series(cols[c], dtype=_DTYPES[c]) for c in RESULT_COLUMNS}
    frame = pd.DataFrame(data)
    if published is not None and started is not None:
        from .timeliness import delays

        minutes, levels, notes = delays(list(published), list(started), published_col, started_col, date_order,
                                        langs=frame["lang"].tolist())
        frame["delay_minutes"] = pd.Series(minutes, dtype="float64")
        frame["timeliness_level"] = pd.Series(levels, dtype=_INT)
        if any(notes):
            frame["warnings"] = ["; ".join(x for x in (w, *extra) if x) for w, extra in zip(frame["warnings"], notes)]
    return frame


def output_names(columns, timed: bool) -> dict[str, str]:
    """Scored column -> its name in the output (``analyser_<name>`` when the input has it)."""
    taken = {str(c) for c in columns}
    names = {}
    for c in RESULT_COLUMNS + (TIME_COLUMNS if timed else ()):
        name = c
        while name in taken:
            name = CLASH_PREFIX + name
        names[c] = name
    return names


def _require(columns, name: str | None, option: str, path=None) -> None:
    if name is not None and name not in columns:
        where = f"{path} has" if path is not None else "the frame has"
        shown = ", ".join(map(str, columns)) or "(none)"
        raise InputError(f"{where} no column {name!r} ({option}); available columns: {shown}")


def score_frame(df, text_col: str = "text", lang_col: str | None = None, id_col: str | None = None,
                published_col: str | None = "published_at", started_col: str | None = "started_at",
                method: str = "auto", lang: str | None = None, date_order: str | None = None,
                evidence: bool = True):
    """Score every row of a DataFrame; returns a new frame with the ``batch`` columns.

    The input's columns come first, unchanged, then :data:`RESULT_COLUMNS`, then
    ``delay_minutes`` and ``timeliness_level`` when ``published_col`` and
    ``started_col`` are both columns of ``df``. The index is kept, so this is a
    Dask ``map_partitions`` function (see the module docstring). Rows that
    cannot be scored get a message in ``error``; nothing is raised for them.
    ``lang`` (a code such as ``"en"``) is the language of every row, or with
    ``lang_col`` of the rows whose cell is blank; without either it is detected
    row by row. ``date_order`` (``"day-first"`` or ``"month-first"``) is how numeric dates
    such as ``01/02/2024`` in the time columns are read; without it, an ambiguous one is read
    as the row's language writes dates (French, German, Spanish: day first), else month first
    (dots: day first), with a warning. ``evidence=False`` leaves the ``evidence`` column
    empty, which scores faster and makes the table far smaller (README, "Batch" and "Speed").

    >>> import pandas as pd
    >>> out = score_frame(pd.DataFrame({"text": ["Sorry: payments failed from 14:05 to 14:40.", ""]}), method="rules")
    >>> out[["apology_level", "error"]].to_dict("list")["apology_level"]
    [1, <NA>]
    """
    import pandas as pd

    from .api import METHODS

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if not isinstance(evidence, bool):  # "false" is a true string: it would keep the evidence
        raise TypeError(f"evidence must be True or False, not {evidence!r}")
    _require(df.columns, text_col, "text_col")
    _require(df.columns, lang_col, "lang_col")
    _require(df.columns, id_col, "id_col")
    for name in dict.fromkeys(c for c in (text_col, lang_col, id_col, published_col, started_col) if c is not None):
        if list(df.columns).count(name) > 1:
            raise InputError(f"the frame has two or more columns named {name!r}; give each its own name")
    if lang is not None:
        from .prepare import check_lang

        lang = check_lang(lang)
    from .timeliness import check_date_order

    date_order = check_date_order(date_order)
    timed = bool(published_col and started_col and published_col in df.columns and started_col in df.columns)
    scored = score_columns(
        df[text_col].tolist(), df[lang_col].tolist() if lang_col else None,
        df[published_col].tolist() if timed else None, df[started_col].tolist() if timed else None,
        method=method, text_col=text_col, published_col=published_col or "", started_col=started_col or "",
        lang=lang, date_order=date_order, evidence=evidence)
    scored.index = df.index
    scored = scored.rename(columns=output_names(df.columns, timed))
    return pd.concat([df, scored], axis=1)


# -- the batch run -----------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    text_col: str = "text"
    lang_col: str | None = None
    id_col: str | None = None
    published_col: str | None = "published_at"
    started_col: str | None = "started_at"
    method: str = "auto"
    lang: str | None = None  # every row's language (with lang_col: of its blank cells)
    encoding: str | None = None  # of a CSV or JSONL input (None: UTF-8, or UTF-16 by its BOM)
    date_order: str | None = None  # of numeric dates in the time columns (timeliness.DATE_ORDERS)
    evidence: bool = True  # False: the evidence column is left empty


def _payload(chunk, opts: Options, timed: bool) -> tuple:
    return (
        chunk[opts.text_col].tolist(),
        chunk[opts.lang_col].tolist() if opts.lang_col else None,
        chunk[opts.published_col].tolist() if timed else None,
        chunk[opts.started_col].tolist() if timed else None,
        opts.method, opts.text_col, opts.published_col or "", opts.started_col or "", opts.lang, opts.date_order,
        opts.evidence,
    )


def _score_payload(payload: tuple):
    texts, langs, published, started, method, text_col, published_col, started_col, lang, date_order, evidence = payload
    return score_columns(texts, langs, published, started, method=method, text_col=text_col,
                         published_col=published_col, started_col=started_col, lang=lang, date_order=date_order,
                         evidence=evidence)


def _resolved_method(method: str) -> tuple[str, str]:
    """The method a run will use and a fingerprint of the model file (if any)."""
    from .model import MODEL_FILE, model_dir, models_available

    use_model = method == "model" or (method == "auto" and models_available())
    if not use_model:
        return "rules", ""
    from .model import default_model

    default_model()  # a model that cannot load stops the run with its one-line error, not once per row
    path = model_dir() / MODEL_FILE
    try:
        st = path.stat()
        return "model", f"{path}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return "model", str(path)


@contextmanager
def _writing(where: Path, hint: str = ""):
    """A failed write (a full disk, a quota, a lost mount) as one line naming the folder, not a traceback."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise AnalyserError(f"cannot write in {where}: {reason}{hint}") from None


def work_dir(out: Path) -> Path:
    """The folder of parts and state for ``out``: ``.<name>.batch`` beside it."""
    return out.parent / f".{out.name}.batch"


def _fingerprint(inp: Path, out: Path, opts: Options, method: tuple) -> dict:
    from . import __version__

    st = inp.stat()
    return {"version": STATE_VERSION, "analyser": __version__, "input": str(inp.resolve()), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns, "output_format": out.suffix.lower(), "options": asdict(opts),
            "method": list(method), "language_data": _language_data_digest()}


@lru_cache(maxsize=1)
def _language_data_digest() -> str:
    """A hash of every file of ``analyser/lang`` (lexicons, dictionaries, configs): scores depend on
    them as on the model, so a run interrupted before they changed is not resumed after."""
    import hashlib

    from .languages import lang_dir

    h = hashlib.sha256()
    root = lang_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


#: How a resumed run names what differs from the interrupted one (keys of :func:`_fingerprint`).
_CHANGES = {"version": "the work folder's format", "analyser": "the analyser version", "input": "the input file",
            "size": "the input file (its size)", "mtime_ns": "the input file (its modification time)",
            "output_format": "the output format",
            "method": "the model", "language_data": "the lexicons or language data"}


def _what_changed(old: dict, new: dict) -> str:
    """What differs between two fingerprints, in words: "the input file", "the option --lang" ..."""
    what: list[str] = []
    for key in new.keys() | old.keys():
        if key == "options":
            before, after = old.get(key) or {}, new.get(key) or {}
            for k in sorted(after.keys() | before.keys()):
                if before.get(k) != after.get(k):
                    name, shown = _OPTION_NAMES.get(k, (k, _shown))
                    what.append(f"the option {name} ({shown(before.get(k))} then, {shown(after.get(k))} now)")
        elif old.get(key) != new.get(key):
            what.append(_CHANGES.get(key, key))
    return ", ".join(sorted(set(what))) or "the run's settings"


def _shown(value) -> str:
    return "not given" if value is None else repr(value)


#: The command-line spelling of each :class:`Options` field, and how its value is shown.
_OPTION_NAMES = {
    "text_col": ("--text-column", _shown), "lang_col": ("--lang-column", _shown), "id_col": ("--id-column", _shown),
    "published_col": ("--published-column", _shown), "started_col": ("--started-column", _shown),
    "method": ("--rules or the model", _shown), "lang": ("--lang", _shown), "encoding": ("--encoding", _shown),
    "date_order": ("--date-order", _shown), "evidence": ("--no-evidence", lambda v: "not given" if v else "given"),
}


def _part_name(i: int, fmt: str) -> str:
    return f"part-{i:06d}{fmt}"


class _Run:
    """One batch run: the work folder, its state, and the parts written so far."""

    def __init__(self, out: Path, fmt: str, fingerprint: dict, chunk_size: int, resume: bool, note):
        self.out, self.fmt, self.dir = out, fmt, work_dir(out)
        self._lock = _lock_output(out)
        for stray in out.parent.glob(f".{glob.escape(out.name)}.*.tmp"):  # a join killed midway (the lock says it is dead)
            stray.unlink(missing_ok=True)
        self.state = {"fingerprint": fingerprint, "chunk_size": chunk_size, "parts": [], "errors": [], "ambiguous": []}
        self.done = 0
        old = self._load() if self.dir.exists() else None
        if resume:
            if old is None:
                note("nothing to resume (no unfinished run for this output); starting from the beginning")
            elif old.get("fingerprint") != fingerprint:
                note(f"cannot resume: {_what_changed(old.get('fingerprint') or {}, fingerprint)} changed since the "
                     "interrupted run; starting from the beginning")
                old = None
        elif old is not None or self.dir.exists():
            note(f"discarding the unfinished run in {self.dir} (pass --resume to continue it)")
            old = None
        if old is not None:
            parts = []
            for i, rows in enumerate(old.get("parts", [])):
                if not (self.dir / _part_name(i, fmt)).is_file():
                    break
                parts.append(rows)
            self.state["chunk_size"] = old["chunk_size"]
            self.state["parts"] = parts
            self.state["errors"] = old.get("errors", [])[:len(parts)]
            self.state["ambiguous"] = old.get("ambiguous", [0] * len(parts))[:len(parts)]
            self.done = len(parts)
            keep = {"state.json", *(_part_name(i, fmt) for i in range(self.done))}
            for stray in self.dir.iterdir():  # later parts, temporary files of the interrupted write
                if stray.name not in keep and stray.is_file():
                    stray.unlink()
            if chunk_size != old["chunk_size"]:
                note(f"resuming with the interrupted run's chunk size, {old['chunk_size']}")
            note(f"resuming after {self.done} finished chunk(s), {sum(parts):,} rows")
        else:
            if self.dir.exists():
                shutil.rmtree(self.dir)
            try:
                self.dir.mkdir()
            except FileNotFoundError:
                raise InputError(f"cannot write {out}: the folder {out.parent} does not exist") from None
            except OSError as exc:
                raise InputError(f"cannot write {out}: {exc.strerror} ({out.parent})") from None
            self._save()

    @property
    def chunk_size(self) -> int:
        return self.state["chunk_size"]

    def _load(self) -> dict | None:
        try:
            state = json.loads((self.dir / "state.json").read_text(encoding="utf-8"))
            return state if isinstance(state, dict) and "chunk_size" in state else None
        except (OSError, ValueError):
            return None

    def _save(self) -> None:
        from .tables import atomic_path

        with _writing(self.dir), atomic_path(self.dir / "state.json") as tmp:
            tmp.write_text(json.dumps(self.state, indent=1), encoding="utf-8")

    def write_part(self, i: int, frame, errors: int = 0, ambiguous: int = 0) -> None:
        from .tables import atomic_path, write_frame

        assert i == len(self.state["parts"]), "parts are written in order"
        with _writing(self.dir), atomic_path(self.dir / _part_name(i, self.fmt)) as tmp:
            write_frame(frame, tmp, self.fmt, header=(i == 0))
        self.state["parts"].append(len(frame))
        self.state["errors"].append(errors)
        self.state["ambiguous"].append(ambiguous)
        self._save()

    def parts(self) -> list[Path]:
        return [self.dir / _part_name(i, self.fmt) for i in range(len(self.state["parts"]))]

    def finish(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.release()

    def release(self) -> None:
        """Let another run write this output (the lock file goes while still held)."""
        if self._lock is not None:
            lock_path(self.out).unlink(missing_ok=True)
            self._lock.close()
            self._lock = None


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.batch.lock"


def _lock_output(out: Path):
    """An exclusive lock on ``out`` for one run (``fcntl.flock``; where there is no fcntl, as on
    Windows, none): two runs writing one output would mix their parts."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fh = open(lock_path(out), "a+b")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror} ({out.parent})") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise InputError(f"another batch run is writing {out}; wait for it or choose another output") from None
    except OSError:  # a file system without locks (some network mounts): run unlocked, as before locks
        fh.close()
        lock_path(out).unlink(missing_ok=True)
        return None
    return fh


def _progress(total: int, initial: int, quiet: bool):
    from tqdm import tqdm

    try:  # a terminal that reports no size (some CI and `docker exec -t` sessions): tqdm would hide
        sized = min(os.get_terminal_size(sys.stderr.fileno())) > 0  # the bar; draw it 80 wide instead
    except (OSError, ValueError):
        sized = False
    size = {"dynamic_ncols": True} if sized else {"ncols": 80, "nrows": 24}
    # whole row counts ("50/300"): unit_scale would print "50.0/300"
    return tqdm(total=total, initial=initial, unit="row", smoothing=0.05, file=sys.stderr,
                disable=quiet or not sys.stderr.isatty(), desc="scoring", **size)


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["analyser.batch", "analyser.prepare", "analyser.rules"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_watch_parent, initargs=(os.getpid(),))


def _stop(pool) -> None:
    """Stop a pool at once (Ctrl-C, an error): its workers are terminated, not waited for. A worker
    mid-chunk could otherwise keep the executor's manager thread, which the interpreter joins at
    exit, alive: a session-12 user test saw ``--jobs 2`` hang after Ctrl-C (1 run in 13)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # private: the only handle on them
    for worker in workers:
        worker.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.join(timeout=5)


def _watch_parent(pid: int) -> None:
    """In a worker: ignore Ctrl-C (the batch process handles it, and stops the workers), and exit
    when the batch process is gone (killed with SIGKILL, say), instead of waiting forever for
    chunks that will not come, holding its memory."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name != "posix":  # os.kill(pid, 0) only asks on POSIX (on Windows it would end the process)
        return
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass

    threading.Thread(target=watch, name="analyser-parent-watch", daemon=True).start()


def default_summary_path(out: Path) -> Path:
    """``scored.csv`` -> ``scored.incidents.csv``."""
    return out.with_name(f"{out.stem}.incidents{out.suffix}")


def run_batch(inp, out, *, opts: Options = Options(), jobs: int = 1, chunk_size: int = DEFAULT_CHUNK,
              resume: bool = False, quiet: bool = False, by_incident: str | None = None, summary=None,
              explicit: tuple = ()) -> dict:
    """Score table ``inp`` into ``out`` (see the module docstring); returns counts.

    ``explicit`` names the options the user set (their columns must exist,
    where defaults may be absent).
    """
    import pandas as pd

    from .tables import FORMATS, TableInfo, empty_frame, iter_table, join_parts, scan_table, table_format

    inp, out = Path(inp), Path(out)
    t0 = time.perf_counter()

    def note(msg: str) -> None:
        if not quiet:
            print(f"analyser: {msg}", file=sys.stderr)

    def warn(msg: str) -> None:
        print(f"analyser: warning: {msg}", file=sys.stderr)

    if jobs < 1:
        raise AnalyserError("--jobs must be at least 1")
    if opts.lang is not None:
        from .languages import supported_codes

        if opts.lang not in supported_codes():  # a real code, but a typo of "en" would score everything badly
            warn(f"--lang {opts.lang}: no lexicon for this language; rows are scored with language-independent "
                 f"cues only (supported: {', '.join(supported_codes())})")
    if chunk_size < 1:
        raise AnalyserError("--chunk-size must be at least 1")
    in_fmt, out_fmt = table_format(inp), table_format(out)
    if out.suffix.lower() not in FORMATS:  # .json is read as JSONL, but write what was asked
        raise InputError(f"{out}: write .csv, .jsonl or .parquet")
    summary_path = Path(summary) if summary else (default_summary_path(out) if by_incident else None)
    if summary_path is not None:
        table_format(summary_path)
        if not by_incident:
            raise AnalyserError("--summary needs --by-incident COLUMN")
    if summary_path is not None and (summary_path.resolve() == out.resolve()
                                     or (summary_path.exists() and out.exists() and os.path.samefile(out, summary_path))):
        raise InputError(f"the summary {summary_path} would overwrite the output; give --summary another path")
    for target in (out, summary_path):
        if target is None:
            continue
        if not target.parent.is_dir():
            raise InputError(f"cannot write {target}: the folder {target.parent} does not exist")
        if target.is_dir():
            raise InputError(f"cannot write {target}: it is a directory")
        if inp.exists() and target.exists() and os.path.samefile(inp, target):
            raise InputError(f"the output {target} would overwrite the input")
        if not os.access(target.parent, os.W_OK | os.X_OK):
            raise InputError(f"cannot write {target}: permission denied in {target.parent}")
    if "parquet" in (in_fmt, out_fmt, summary_path.suffix.lower() if summary_path else ""):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError("Parquet needs pyarrow: pip install 'analyser[parquet]'") from None

    info: TableInfo = scan_table(inp, opts.id_col, opts.encoding)
    _require(info.columns, opts.text_col, "--text-column", inp)
    for name, option in ((opts.lang_col, "--lang-column"), (opts.id_col, "--id-column"), (by_incident, "--by-incident")):
        _require(info.columns, name, option, inp)
    for name, option in ((opts.published_col, "--published-column"), (opts.started_col, "--started-column")):
        if option in explicit:
            _require(info.columns, name, option, inp)
    has_pub = bool(opts.published_col) and opts.published_col in info.columns
    has_start = bool(opts.started_col) and opts.started_col in info.columns
    timed = has_pub and has_start
    if has_pub != has_start:
        missing = opts.started_col if has_pub else opts.published_col
        note(f"no column {missing!r}: no timeliness columns (set --published-column/--started-column)")
    if info.duplicate_ids:
        warn(f"{info.duplicate_ids:,} row(s) repeat an id already seen in column {opts.id_col!r}; every row is scored")
    names = output_names(info.columns, timed)
    clashes = [c for c, n in names.items() if c != n]
    if "lang" in clashes and opts.lang_col == "lang":  # the expected clash: not a surprise to explain
        note(f"column 'lang' (--lang-column) is kept as it is; the language each row was scored in is "
             f"{names['lang']!r}")
        clashes.remove("lang")
    elif "lang" in clashes and opts.lang_col is None and not opts.lang:  # easy to miss (a session-13 user test)
        note(f"column 'lang' is not read (each row's language is detected): pass --lang-column lang to score "
             f"each row in its language; the language each row was scored in is {names['lang']!r}")
        clashes.remove("lang")
    if clashes:
        note(f"the input already has column(s) {', '.join(clashes)}: the scored ones are named "
             f"{', '.join(names[c] for c in clashes)}")

    method = _resolved_method(opts.method)
    run_opts = Options(**{**asdict(opts), "method": method[0]})
    run = _Run(out, out_fmt, _fingerprint(inp, out, run_opts, method), chunk_size, resume, note)
    try:  # the output stays locked until the run ends, however it ends
        done_rows = sum(run.state["parts"])
        counts = {"rows": 0, "errors": 0, "scored_chunks": 0, "method": method[0]}

        from .timeliness import AMBIGUOUS_DATE

        def finish_chunk(i: int, chunk, scored) -> None:
            scored.index = chunk.index
            frame = pd.concat([chunk, scored.rename(columns=names)], axis=1)
            run.write_part(i, frame, int((scored["error"] != "").sum()),
                           int(scored["warnings"].str.contains(AMBIGUOUS_DATE, regex=False).sum()))
            counts["scored_chunks"] += 1
            bar.update(len(frame))

        bar = None
        pool = _pool(jobs) if jobs > 1 else None
        try:
            bar = _progress(info.rows, done_rows, quiet)
            pending: deque = deque()
            n_chunks = 0
            for i, chunk in enumerate(iter_table(info, run.chunk_size)):
                n_chunks = i + 1
                if i < run.done:
                    continue
                payload = _payload(chunk, run_opts, timed)
                if pool is None:
                    finish_chunk(i, chunk, _score_payload(payload))
                    continue
                pending.append((i, chunk, pool.submit(_score_payload, payload)))
                while len(pending) >= 2 * jobs or (pending and pending[0][2].done()):
                    j, c, fut = pending.popleft()
                    finish_chunk(j, c, fut.result())
            while pending:
                j, c, fut = pending.popleft()
                finish_chunk(j, c, fut.result())
            if n_chunks == 0 and run.done == 0:  # a table with a header and no rows
                empty = empty_frame(info)
                finish_chunk(0, empty, _score_payload(_payload(empty, run_opts, timed)))
        except BaseException:
            if pool is not None:
                _stop(pool)
                pool = None
            if not run.state["parts"]:
                run.finish()
                if isinstance(sys.exc_info()[1], KeyboardInterrupt):  # an error says enough in its own line
                    print("analyser: no chunk had finished; nothing kept", file=sys.stderr)
            else:
                print(f"analyser: {len(run.state['parts'])} finished chunk(s) kept in {run.dir}; "
                      "rerun with --resume to continue", file=sys.stderr)
            raise
        finally:
            if pool is not None:
                pool.shutdown()
            if bar is not None:
                bar.close()

        parts = run.parts()
        rows = sum(run.state["parts"])
        if rows != info.rows:
            raise InputError(f"{inp} changed while it was being read ({info.rows:,} rows at first, {rows:,} scored)")
        with _writing(out.parent, f"; the scored chunks are kept in {run.dir}: rerun with --resume once there is "
                                  "room (joining them needs room for the output beside them)"):
            join_parts(parts, out, out_fmt)
        counts["rows"] = rows
        if by_incident:
            from .tables import read_part
            from .tables import write_table
            from .timeliness import MIXED_ZONES, IncidentSummary

            columns = list(info.columns) + [names[c] for c in RESULT_COLUMNS + (TIME_COLUMNS if timed else ())]
            acc = IncidentSummary(by_incident, opts.published_col or "", opts.started_col or "",
                                  level_columns={d: names[f"{d}_level"] for d in ("cause", "apology", "vagueness")},
                                  date_order=opts.date_order, lang_col=names["lang"])
            use = [by_incident, names["lang"], *[names[f"{d}_level"] for d in ("cause", "apology", "vagueness")]]
            use += [c for c in (opts.published_col, opts.started_col) if c and c in info.columns]
            use = list(dict.fromkeys(use))
            for k, part in enumerate(parts):
                acc.update(read_part(part, out_fmt, columns, header=(k == 0), usecols=use))
            table = acc.frame()
            with _writing(summary_path.parent):
                write_table(table, summary_path)
            counts["incidents"] = len(table)
            counts["mixed_zones"] = int(table["warnings"].str.contains(MIXED_ZONES, regex=False).sum())
            note(f"{len(table):,} incident(s) summarised in {summary_path}")
        counts["errors"] = sum(run.state["errors"])
        counts["ambiguous_dates"] = sum(run.state.get("ambiguous", []))
        run.finish()
    finally:
        run.release()
    if counts["errors"]:
        note(f"{counts['errors']:,} row(s) could not be scored: see the 'error' column")
    if counts.get("mixed_zones"):  # a warning: the summary's delays across rows can be off by hours
        warn(f"{counts['mixed_zones']:,} incident(s) mix times with and without a time zone (see the summary's "
             "'warnings'): give every time its zone, or none")
    if counts.get("ambiguous_dates"):  # a warning: a day-first table read month first gives wrong delays
        warn(f"{counts['ambiguous_dates']:,} row(s) have a date such as 01/02/2024 that could be read either way "
             "(see 'warnings' for how each was read); if that is wrong, rerun with --date-order day-first or month-first")
    elapsed = time.perf_counter() - t0
    note(f"{rows:,} rows -> {out} ({method[0]}, {elapsed:.1f} s)")
    return counts


# -- command line --------------------------------------------------------------------

def add_parser(sub) -> None:
    p = sub.add_parser(
        "batch", help="score every row of a CSV, JSONL or Parquet table",
        description="Score every row of a table (CSV, JSONL or Parquet, by extension) and write it with the "
                    "scored columns added. Streams in chunks; the output is written atomically.")
    p.add_argument("input", metavar="IN", help="input table (.csv, .jsonl or .parquet)")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="output table (.csv, .jsonl or .parquet)")
    p.add_argument("--text-column", metavar="COLUMN", default="text", help="column with the statements (default: text)")
    p.add_argument("--id-column", metavar="COLUMN", help="column of row ids (duplicates are reported once, and allowed)")
    p.add_argument("--lang-column", metavar="COLUMN", help="column of language codes (blank cells: --lang, else detected)")
    p.add_argument("--lang", metavar="CODE", help="the language of every row (with --lang-column: of its blank cells); "
                                                  "skips detection (which takes time and loads the detectors' models: "
                                                  "376 MB peak detected against 360 MB given at 1,000,000 rows, README 'Speed')")
    p.add_argument("--encoding", metavar="NAME", help="encoding of a CSV or JSONL input (default UTF-8, or UTF-16 "
                                                      "when it starts with its byte-order mark), e.g. gb18030, big5, cp1252")
    p.add_argument("--published-column", metavar="COLUMN", help="publication time column (default: published_at, if present)")
    p.add_argument("--started-column", metavar="COLUMN", help="incident start time column (default: started_at, if present)")
    p.add_argument("--date-order", metavar="ORDER", help="day-first or month-first: how numeric dates such as 01/02/2024 "
                   "in the time columns are read (default: dotted dates day first; an ambiguous slash date as the row's "
                   "language writes dates (French, German, Spanish day first), else month first, with a warning)")
    p.add_argument("--by-incident", metavar="COLUMN", help="also write a per-incident summary grouped by COLUMN")
    p.add_argument("--summary", metavar="PATH", help="where the summary goes (default: OUT with .incidents before "
                                                     "the extension)")
    p.add_argument("--jobs", "-j", metavar="N", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--chunk-size", metavar="ROWS", type=int, default=DEFAULT_CHUNK, help=f"rows per chunk (default {DEFAULT_CHUNK})")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run into the same OUT")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or notes (warnings still print)")
    p.add_argument("--rules", action="store_true", help="use the cue rules instead of the trained models")
    p.add_argument("--no-evidence", dest="evidence", action="store_false",
                   help="leave the evidence column empty: faster (see README, Speed), and the table a small "
                        "fraction of the size (score a row with 'analyser score' to see its evidence)")
    p.set_defaults(func=_cmd)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: workers stopped, finished chunks kept for --resume


def _cmd(args) -> int:
    import signal

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminated)
    explicit = tuple(o for o, v in (("--published-column", args.published_column),
                                    ("--started-column", args.started_column)) if v is not None)
    from .prepare import check_lang
    from .timeliness import check_date_order

    opts = Options(text_col=args.text_column, lang_col=args.lang_column, id_col=args.id_column,
                   lang=check_lang(args.lang) if args.lang is not None else None, encoding=args.encoding,
                   published_col=args.published_column or "published_at",
                   started_col=args.started_column or "started_at",
                   method="rules" if args.rules else "auto", date_order=check_date_order(args.date_order), evidence=args.evidence)
    run_batch(args.input, args.output, opts=opts, jobs=args.jobs, chunk_size=args.chunk_size, resume=args.resume,
              quiet=args.quiet, by_incident=args.by_incident, summary=args.summary, explicit=explicit)
    return 0

