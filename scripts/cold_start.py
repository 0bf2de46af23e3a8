"""Measure the cold-start time of `analyser score` against its dependencies' own start-up.

    python scripts/cold_start.py [--runs 5]

Baseline (issue 2): `python -c "import spacy"` plus jieba's initialisation, each a
fresh process. Measured: `python -m analyser score` on a short English and a
short Chinese statement, fresh processes, trained models if installed. Prints
the median wall time of each over the runs.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EN = "Card payments failed for some customers between 14:05 and 14:40. Sorry!"
ZH = "今天下午部分用户无法登录微信，工程师正在抢修，给您带来不便敬请谅解。"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    py = sys.executable
    cases = {
        "python -c 'import spacy'": [py, "-c", "import spacy"],
        "jieba initialisation": [py, "-c", "import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()"],
        "analyser score (en, short)": [py, "-m", "analyser", "score", "--text", EN],
        "analyser score (zh, short)": [py, "-m", "analyser", "score", "--text", ZH],
        "analyser score --rules (en, short)": [py, "-m", "analyser", "score", "--rules", "--text", EN],
    }
    for cmd in cases.values():  # warm the OS file cache and jieba's dictionary cache
        timed(cmd)
    med = {name: statistics.median(timed(cmd) for _ in range(runs)) for name, cmd in cases.items()}
    base = med["python -c 'import spacy'"] + med["jieba initialisation"]
    print(f"| command | median of {runs} runs (s) | vs baseline |")
    print("|---|---|---|")
    for name, t in med.items():
        print(f"| {name} | {t:.2f} | {t / base:.2f}x |")
    print(f"| baseline: import spacy + jieba init | {base:.2f} | 1.00x |")


if __name__ == "__main__":
    main()
