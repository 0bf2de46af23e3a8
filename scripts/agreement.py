"""Inter-labeller agreement between the first and the independent second labelling (issue 3).

    python scripts/agreement.py                  # markdown table + list of disagreements
    python scripts/agreement.py --no-list        # table only
    python scripts/agreement.py --json           # disagreements as JSON lines (for adjudication)

For every id in data/statements/agreement/second_{real,authored}.jsonl the second label is
compared with the first label. The first label is the ORIGINAL one: where an item was adjudicated
(data/statements/agreement/adjudication.jsonl), the ``first`` value recorded there is used instead
of the current (final) value in the label files, so the figures stay those of the two independent
labellings. Reports n, raw agreement and quadratic-weighted Cohen's kappa per dimension and facet,
for the real sample, the authored sample and both pooled.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "statements"
AGREE = DATA / "agreement"
HEADS = ("cause", "apology", "humour", "vagueness", "what", "scope", "when", "next")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def first_labels() -> dict[str, dict]:
    """Current (final) labels of every statement, by id."""
    rows = {}
    for path in sorted((DATA / "labels").glob("real_*.jsonl")) + sorted((DATA / "authored").glob("*.jsonl")):
        for r in read_jsonl(path):
            rows[r["id"]] = r
    return rows


def adjudications() -> dict[tuple[str, str], dict]:
    path = AGREE / "adjudication.jsonl"
    return {(r["id"], r["head"]): r for r in read_jsonl(path)} if path.exists() else {}


def pairs(kind: str, first: dict[str, dict], adj: dict) -> list[tuple[str, str, int, int]]:
    """(id, head, original first label, second label) for every sampled item and head."""
    out = []
    for s in read_jsonl(AGREE / f"second_{kind}.jsonl"):
        f = first[s["id"]]
        for h in HEADS:
            a = adj.get((s["id"], h))
            out.append((s["id"], h, int(a["first"]) if a else int(f[h]), int(s[h])))
    return out


def kappa(a: list[int], b: list[int]) -> str:
    if len(set(a) | set(b)) < 2:
        return "n/a (one class)"
    k = cohen_kappa_score(a, b, weights="quadratic")
    return f"{k:.2f}"


def stats(rows: list[tuple[str, str, int, int]], head: str) -> tuple[int, str, str]:
    sel = [(f, s) for _, h, f, s in rows if h == head]
    a, b = [f for f, _ in sel], [s for _, s in sel]
    raw = sum(x == y for x, y in sel) / len(sel) if sel else float("nan")
    return len(sel), f"{raw:.2f}", kappa(a, b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-list", action="store_true", help="print the table only")
    ap.add_argument("--json", action="store_true", help="print the disagreements as JSON lines only")
    args = ap.parse_args(argv)
    first, adj = first_labels(), adjudications()
    groups = {"real": pairs("real", first, adj), "authored": pairs("authored", first, adj)}
    groups["pooled"] = groups["real"] + groups["authored"]
    disagree = [(kind, *p) for kind in ("real", "authored") for p in groups[kind] if p[2] != p[3]]
    if args.json:
        for kind, i, h, f, s in disagree:
            print(json.dumps({"sample": kind, "id": i, "head": h, "first": f, "second": s}, ensure_ascii=False))
        return 0
    n_items = {k: len({p[0] for p in v}) for k, v in groups.items()}
    print(f"Statements double-labelled: real {n_items['real']}, authored {n_items['authored']}, "
          f"pooled {n_items['pooled']}. Quadratic-weighted Cohen's kappa (first vs second labeller).\n")
    print("| head | real n | real agree | real kappa | authored n | authored agree | authored kappa "
          "| pooled n | pooled agree | pooled kappa |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for h in HEADS:
        cells = []
        for kind in ("real", "authored", "pooled"):
            cells += stats(groups[kind], h)
        print(f"| {h} | " + " | ".join(str(c) for c in cells) + " |")
    print(f"\nDisagreements: {len(disagree)} (id, head) pairs; adjudicated: "
          f"{sum((i, h) in adj for _, i, h, _, _ in disagree)}.")
    if not args.no_list:
        print("\n| sample | id | head | first | second | final |")
        print("|---|---|---|---|---|---|")
        for kind, i, h, f, s in disagree:
            final = adj[(i, h)]["final"] if (i, h) in adj else "—"
            print(f"| {kind} | {i} | {h} | {f} | {s} | {final} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
