"""``python -m analyser bench``: throughput and memory, against the floors of issue 5.

What it measures, printed as markdown tables with the machine it ran on:

1. **Per language**, on the real status-page statements of ``../shared/corpus``
   (English; skipped with a note when the corpus is absent) and on the
   authored statements of ``data/statements/authored`` (all languages):
   statements/s for full scoring as ``batch`` does it (the output columns of
   chunks of 1,000 statements with :func:`analyser.batch.score_columns`,
   language given: levels, scores, facets and every evidence span as JSON), for
   whole reports with advice (:func:`analyser.api.analyse_many`, what ``score``
   and the Python API return) and for tokenisation alone
   (``tokeniser_for(lang)(text)`` on the same statements), and the ratio of
   full scoring to tokenisation. Floor: full scoring at >= 50% of
   tokenisation-only throughput.
2. **300-character English statements on one core** (the process is pinned to
   one CPU): real statements cut or padded to about 300 characters.
   Floor: >= 1,000 statements/s.
3. **Peak memory of ``batch``** streaming a generated CSV of ``--rows`` rows
   (default 1,000,000) in a child process, read from ``os.wait4``'s
   ``ru_maxrss`` in a small launcher process (see :data:`_LAUNCHER`), at a tenth
   of the rows and at all of them (flat memory shows as equal peaks) with each
   row's language given by a column, and at both again with it detected (a
   table without a language column). Floor: < 400 MB at 1,000,000 rows.

Each timing is the best of a few runs after a warm-up (lexicons, tokenisers and
models load once per process and are not counted). The method is the trained
models when installed, else the cue rules (``--rules`` forces the rules); the
report says which. The full run takes about as long as scoring ``--rows``
statements; ``--quick`` is a short smoke run with small sets. Timings on a
shared, loaded machine are lower bounds of what the code can do: the load
average is printed with the machine.
"""
from __future__ import annotations

import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Floors of issue 5.
FLOOR_RATIO = 0.5
FLOOR_300_EN = 1000.0
FLOOR_MEMORY_MB = 400.0
FLOOR_MEMORY_ROWS = 1_000_000


def machine() -> dict:
    """Cores, CPU model, Python, OS and load, for the report."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    try:
        load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        load = "?"
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            kb = int(fh.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cores": os.cpu_count() or 1, "usable cores": usable, "cpu": model or "?", "memory": mem,
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "os": f"{platform.system()} {platform.release()}", "load average (1/5/15 min)": load}


def statement_sets(corpus=None, limit: int | None = None, seed: int = 5) -> tuple[list, list[str]]:
    """``([(set name, language, texts)], notes)``: real English statements, then the authored ones per language."""
    from .data import authored_rows, read_corpus
    from .errors import DataError

    sets = []
    notes = []
    try:
        real = [r["text"] for _, r in sorted(read_corpus(corpus).items()) if isinstance(r.get("text"), str) and r["text"].strip()]
        random.Random(seed).shuffle(real)
        sets.append(("real (shared corpus)", "en", real[:limit] if limit else real))
    except DataError as exc:
        notes.append(f"real statements skipped: {exc}")
    by_lang: dict[str, list[str]] = {}
    for r in authored_rows():
        by_lang.setdefault(r["lang"], []).append(r["text"])
    for lang in sorted(by_lang):
        texts = by_lang[lang]
        sets.append(("authored", lang, texts[:limit] if limit else texts))
    return sets, notes


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def throughput(texts: list[str], lang: str, method: str, repeat: int = 3, chunk: int = 1000) -> dict:
    """Statements/s for full scoring (batch columns, with and without evidence), whole reports and
    tokenisation alone on ``texts``."""
    from .api import analyse_many
    from .batch import score_columns
    from .tokenise import tokeniser_for

    tok = tokeniser_for(lang)
    score_columns(texts[:20], [lang] * min(20, len(texts)), method=method)  # warm-up
    analyse_many(texts[:20], [lang] * min(20, len(texts)), method, errors="return")
    for t in texts[:20]:
        tok(t)

    def chunks(score):
        for i in range(0, len(texts), chunk):
            part = texts[i:i + chunk]
            score(part, [lang] * len(part))

    def tokenise():
        for t in texts:
            tok(t)

    t_full = _best(lambda: chunks(lambda t, l: score_columns(t, l, method=method)), repeat)
    t_bare = _best(lambda: chunks(lambda t, l: score_columns(t, l, method=method, evidence=False)), repeat)
    t_reports = _best(lambda: chunks(lambda t, l: analyse_many(t, l, method, errors="return")), repeat)
    t_tok = _best(tokenise, repeat)
    n = len(texts)
    return {"n": n, "chars": sum(map(len, texts)) / max(n, 1), "full": n / t_full, "reports": n / t_reports,
            "tokenise": n / t_tok, "ratio": t_tok / t_full, "no_evidence": n / t_bare, "ratio_no_evidence": t_tok / t_bare}


def stage_times(texts: list[str], lang: str, method: str, repeat: int = 3) -> list[tuple[str, float]]:
    """Where the time of full scoring (``batch``'s columns) goes: ``[(stage, microseconds per statement)]``.

    Each stage is timed on its own over all ``texts`` (best of ``repeat``), with
    the garbage collector paused as scoring pauses it; the last row is what is
    left of the whole :func:`analyser.batch.score_columns` call after the stages before.
    """
    from .api import gc_paused
    from .batch import score_columns
    from .cues import matcher_for
    from .normalise import normalise
    from .prepare import prepare
    from .tokenise import tokeniser_for

    n = max(len(texts), 1)
    tok, matcher = tokeniser_for(lang), matcher_for(lang)
    score_columns(texts[:20], [lang] * min(20, len(texts)), method=method)  # warm-up
    normed = [normalise(t).text for t in texts]
    forms = [matcher.match_form(t) for t in normed]

    def best(fn) -> float:
        with gc_paused():
            return _best(fn, repeat) / n * 1e6

    out = [("normalise", best(lambda: [normalise(t) for t in texts])),
           ("tokenise", best(lambda: [tok(t) for t in normed])),
           ("cue matching", best(lambda: [matcher.find(f, formed=True) for f in forms]))]
    t_prepare = best(lambda: [prepare(t, lang) for t in texts])
    out.append(("rest of preparing (script form, checks)", t_prepare - sum(t for _, t in out)))
    if method == "model":
        from .model import default_model

        model = default_model()
        prepared = [prepare(t, lang) for t in texts]
        blocks = lambda: [model.features(prepared[i:i + 256]) for i in range(0, len(prepared), 256)]  # noqa: E731
        t_features = best(blocks)
        featured = blocks()
        t_heads = best(lambda: [model.predict_proba(None, b) for b in featured])
        t_rows = best(lambda: [model.rows(prepared[i:i + 256]) for i in range(0, len(prepared), 256)])
        out += [("features (n-grams, TF-IDF, cue rates)", t_features), ("eight heads", t_heads),
                ("evidence (spans for each head's level, as JSON) and row values", t_rows - t_features - t_heads)]
        used = t_prepare + t_rows
    else:
        used = t_prepare
    t_all = best(lambda: score_columns(texts, [lang] * len(texts), method=method))
    out.append(("checks and the columns table" if method == "model" else "rules, rows and the columns table", t_all - used))
    return out


def texts_300(texts: list[str], n: int, width: int = 300) -> list[str]:
    """``n`` statements of about ``width`` characters: long ones cut at a word, short ones padded with the next."""
    out = []
    pool = [t.strip() for t in texts if t and t.strip()]
    if not pool:
        return out
    i = 0
    while len(out) < n:
        text = pool[i % len(pool)]
        j = i + 1
        while len(text) < width:
            text = f"{text} {pool[j % len(pool)]}"
            j += 1
        cut = text[:width]
        space = cut.rfind(" ", width - 40)
        out.append(cut[:space] if space > 0 else cut)
        i += 1
    return out


def one_core(fn):
    """Run ``fn`` pinned to one CPU (and one BLAS thread where settable); restore afterwards."""
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(before)})
    except (AttributeError, OSError):
        before = None
    try:
        from threadpoolctl import threadpool_limits  # comes with scikit-learn

        limits = threadpool_limits(1)
    except ImportError:
        from contextlib import nullcontext

        limits = nullcontext()
    try:
        with limits:
            return fn()
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)


def write_generated_csv(path: Path, rows: int, texts: list[tuple[str, str]]) -> None:
    """A CSV of ``rows`` statements cycling through ``texts`` (``(lang, text)``), with ids and timestamps."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "incident", "lang", "started_at", "published_at", "text"])
        base = 1_700_000_000
        for i in range(rows):
            lang, text = texts[i % len(texts)]
            start = base + (i // 4) * 3600
            w.writerow([f"row-{i}", f"inc-{i // 4}", lang, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 60 * (5 + (i % 4) * 40))), text])


#: Runs a command and writes its peak resident memory (``ru_maxrss``, kB) to the file ``argv[1]``.
#: Linux keeps a process's high-water mark across ``exec``, so a child forked from this (large)
#: benchmark process would report at least the benchmark's own memory; a child of this small
#: launcher starts clean.
_LAUNCHER = """import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def batch_memory(csv_path: Path, out_path: Path, rules: bool, jobs: int = 1, chunk_size: int | None = None,
                 given_language: bool = True) -> dict:
    """Run ``python -m analyser batch`` in a child (through :data:`_LAUNCHER`); its peak RSS (MB),
    its wall time (with the launcher's start, a few tens of milliseconds) and rows/s. With
    ``given_language``, the CSV's ``lang`` column gives each row's language; without, it is detected."""
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "analyser", "batch", str(csv_path), "-o", str(out_path), "--quiet",
           "--jobs", str(jobs)] + (["--lang-column", "lang"] if given_language else [])
    if rules:
        cmd.append("--rules")
    if chunk_size:
        cmd += ["--chunk-size", str(chunk_size)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    peak_file = Path(out_path).with_name(Path(out_path).name + ".peak")
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(peak_file), *cmd], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr_chunks = []
    # read stderr while waiting, so a chatty child cannot block on a full pipe
    import threading

    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    _, status, _ = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        err = b"".join(stderr_chunks).decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"batch failed ({proc.returncode}): {err[-1] if err else ''}")
    rss_mb = int(peak_file.read_text()) / 1024  # kilobytes on Linux
    peak_file.unlink()
    return {"peak_mb": rss_mb, "seconds": wall}


def _method(rules: bool) -> str:
    if rules:
        return "rules"
    from .model import models_available

    return "model" if models_available() else "rules"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def run(quick: bool = False, rows: int | None = None, corpus=None, rules: bool = False, limit: int | None = None,
        repeat: int | None = None, jobs: int = 1, out=None, command: str = "", memory_rows=None,
        n300: int | None = None, langs=None) -> dict:
    """Run the benchmark and print the report; returns the figures.

    ``memory_rows`` (default: a tenth of ``rows``, and ``rows``) are the sizes
    streamed through ``batch``; ``n300`` the number of 300-character statements;
    ``langs`` keeps only the sets of those languages.
    """
    method = _method(rules)
    rows = rows if rows is not None else (10_000 if quick else FLOOR_MEMORY_ROWS)
    limit = limit if limit is not None else (100 if quick else 2000)
    repeat = repeat if repeat is not None else (1 if quick else 3)
    out = out or sys.stdout
    p = lambda *a: print(*a, file=out, flush=True)  # noqa: E731
    info = machine()
    p("## Machine\n")
    p("| | |\n|---|---|")
    for k, v in info.items():
        p(f"| {k} | {v} |")
    p(f"| method | {method}{' (no trained model installed)' if method == 'rules' and not rules else ''} |")
    if command:
        p(f"| command | `{command}` |")
    p("")

    results: dict = {"machine": info, "method": method, "sets": []}
    sets, notes = statement_sets(corpus, limit)
    if langs:
        sets = [s for s in sets if s[1] in langs]
    for note in notes:
        p(f"> note: {note}\n")
    p("## Throughput per language (statements/s, best of "
      f"{repeat}; full scoring with the language given)\n")
    p("| set | lang | statements | mean chars | full scoring (batch columns) | reports with advice | "
      "tokenisation only | full / tokenise | floor >= 50% | --no-evidence | its ratio |")
    p("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for name, lang, texts in sets:
        r = throughput(texts, lang, method, repeat)
        results["sets"].append({"set": name, "lang": lang, **r})
        p(f"| {name} | {lang} | {r['n']:,} | {r['chars']:.0f} | {_fmt(r['full'])} | {_fmt(r['reports'])} | "
          f"{_fmt(r['tokenise'])} | {r['ratio']:.0%} | {'pass' if r['ratio'] >= FLOOR_RATIO else 'FAIL'} | "
          f"{_fmt(r['no_evidence'])} | {r['ratio_no_evidence']:.0%} |")

    en_pool = next((t for n, l, t in sets if l == "en" and n.startswith("real")), None) \
        or next((t for n, l, t in sets if l == "en"), [])
    short = texts_300(en_pool, n300 or (300 if quick else 3000))
    if short:
        r300 = one_core(lambda: throughput(short, "en", method, repeat))
        results["en_300"] = r300
        p("\n## 300-character English statements, one core\n")
        p("| statements | mean chars | full scoring (batch columns) /s | reports with advice /s | "
          "tokenisation only /s | floor >= 1,000/s | --no-evidence /s |")
        p("|---:|---:|---:|---:|---:|---|---:|")
        p(f"| {r300['n']:,} | {r300['chars']:.0f} | {_fmt(r300['full'])} | {_fmt(r300['reports'])} | "
          f"{_fmt(r300['tokenise'])} | {'pass' if r300['full'] >= FLOOR_300_EN else 'FAIL'} | {_fmt(r300['no_evidence'])} |")
        stages = one_core(lambda: stage_times(short, "en", method, repeat))
        results["en_300_stages"] = dict(stages)
        total = sum(t for _, t in stages)
        p("\nWhere the time goes (same statements, one core; each stage timed on its own):\n")
        p("| stage | µs per statement | share |")
        p("|---|---:|---:|")
        for name, t in stages:
            p(f"| {name} | {t:,.0f} | {t / total:.0%} |")
        p(f"| **all** | **{total:,.0f}** | |")

    p(f"\n## Peak memory of `batch` streaming a generated CSV (child process, --jobs {jobs})\n")
    p("| rows | language | CSV size | peak RSS | wall time | rows/s | floor < 400 MB at 1,000,000 rows |")
    p("|---:|---|---:|---:|---:|---:|---|")
    mixed = [(lang, t) for n, lang, texts in sets for t in texts[:200]]
    random.Random(7).shuffle(mixed)
    results["memory"] = []
    sizes = sorted(set(memory_rows or (max(1, rows // 10), rows)))
    # every size with the language given, and again with it detected (as a table without a
    # language column is scored: the detectors' models are the difference)
    with tempfile.TemporaryDirectory(prefix="analyser-bench-") as tmp:
        for n, given in [(n, True) for n in sizes] + [(n, False) for n in sizes]:
            src = Path(tmp) / f"gen_{n}.csv"
            write_generated_csv(src, n, mixed)
            size = src.stat().st_size
            m = batch_memory(src, Path(tmp) / f"scored_{n}.csv", rules, jobs, given_language=given)
            src.unlink()
            (Path(tmp) / f"scored_{n}.csv").unlink(missing_ok=True)
            results["memory"].append({"rows": n, "language": "given" if given else "detected", **m})
            verdict = ("pass" if m["peak_mb"] < FLOOR_MEMORY_MB else "FAIL") if n >= FLOOR_MEMORY_ROWS else \
                f"({'under' if m['peak_mb'] < FLOOR_MEMORY_MB else 'over'} 400 MB; floor is at 1M rows)"
            p(f"| {n:,} | {'given' if given else 'detected'} | {size / 1e6:,.1f} MB | {m['peak_mb']:,.0f} MB | "
              f"{m['seconds']:,.1f} s | {_fmt(n / m['seconds'])} | {verdict} |")
    p("\nTimes include process start-up and model/lexicon loading for the `batch` runs; "
      "on a shared or loaded machine all rates are lower bounds.")
    return results


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure throughput and peak memory (issue 5 floors)",
                       description="Statements/s for full scoring and tokenisation per language, 300-character "
                                   "English statements on one core, and peak memory of a streamed batch run.")
    p.add_argument("--quick", action="store_true", help="a short run on small sets (10,000 streamed rows)")
    p.add_argument("--rows", type=int, help="rows of the generated CSV streamed through batch (default 1,000,000)")
    p.add_argument("--corpus", help="folder of the real corpus (default ../shared/corpus)")
    p.add_argument("--limit", type=int, help="statements per set at most (default 2,000; 100 with --quick)")
    p.add_argument("--repeat", type=int, help="timed runs per measurement, best kept (default 3; 1 with --quick)")
    p.add_argument("--jobs", type=int, default=1, help="--jobs of the streamed batch run (default 1)")
    p.add_argument("--rules", action="store_true", help="benchmark the cue rules even if a model is installed")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from .errors import AnalyserError

    for name in ("rows", "limit", "repeat"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise AnalyserError(f"--{name} must be at least 1")
    run(quick=args.quick, rows=args.rows, corpus=args.corpus, rules=args.rules, limit=args.limit,
        repeat=args.repeat, jobs=args.jobs, command="python -m analyser " + " ".join(sys.argv[1:]))
    return 0
