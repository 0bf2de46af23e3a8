"""The labelled statements of ``data/statements/`` as one DataFrame.

Authored statements carry their text; real status-page updates are stored by
``id`` only and their texts are read from the shared corpus
(``../shared/corpus`` beside the project by default). The held-out test split
is fixed by a hash of the incident, so updates of one incident never straddle
splits and the split does not depend on which rows are loaded.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import DataError
from .report import DIMENSIONS

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data" / "statements"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
LABEL_FACETS = ("what", "scope", "when", "next")
LABELS = DIMENSIONS + LABEL_FACETS
#: One incident in TEST_BUCKETS of BUCKETS goes to the held-out test split (20%).
BUCKETS, TEST_BUCKETS = 10, 2


def split_of(source: str, incident: str) -> str:
    """``test`` or ``train``: real incidents only are held out, by a stable hash."""
    if source != "real":
        return "train"
    bucket = int(hashlib.sha1(incident.encode("utf-8")).hexdigest(), 16) % BUCKETS
    return "test" if bucket < TEST_BUCKETS else "train"


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
    return rows


def read_corpus(corpus: Path | str | None = None) -> dict[str, dict]:
    """Real statements by id from the shared corpus folder."""
    folder = Path(corpus) if corpus else DEFAULT_CORPUS
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        raise DataError(f"the real corpus is missing: no *.jsonl under {folder} (expected ../shared/corpus beside the project, or pass its path)")
    rows = {}
    for path in files:
        for r in _read_jsonl(path):
            if "id" in r:
                rows[r["id"]] = r
    return rows


def _text_row(r: dict, source: str) -> dict:
    """A statement stored with its text (authored, blind) as a loader row."""
    return {
        "id": r["id"], "source": source, "lang": r["lang"], "text": r["text"],
        "company": r.get("company", ""), "incident": r.get("incident") or r["id"],
        "stage": r.get("stage", ""), "channel": r.get("channel", ""), "sector": r.get("sector", ""),
        "started_at": r.get("started_at"), "published_at": r.get("published_at"),
        **{k: r[k] for k in LABELS}, "note": r.get("note", ""),
    }


def authored_rows(data_dir: Path = DATA_DIR) -> list[dict]:
    return [_text_row(r, "authored") for path in sorted((data_dir / "authored").glob("*.jsonl")) for r in _read_jsonl(path)]


BLIND_FILE = DATA_DIR / "blind" / "blind.jsonl"


def blind_rows(path: Path = BLIND_FILE) -> list[dict]:
    """The blind set: statements written and labelled after the models, by sessions that never saw
    the training data, never trained on (``data/statements/README.md``, "Blind set")."""
    return [_text_row(r, "blind") for r in _read_jsonl(path)]


def real_rows(corpus: Path | str | None = None, data_dir: Path = DATA_DIR) -> list[dict]:
    texts = read_corpus(corpus)
    rows = []
    for path in sorted((data_dir / "labels").glob("real_*.jsonl")):
        for r in _read_jsonl(path):
            src = texts.get(r["id"])
            if src is None:
                raise DataError(f"{path}: id {r['id']!r} is not in the real corpus")
            rows.append({
                "id": r["id"], "source": "real", "lang": "en", "text": src["text"],
                "company": src.get("company", ""), "incident": f"{src.get('company', '')}:{src.get('incident_id', r['id'])}",
                "stage": src.get("update_status", ""), "channel": "status_page", "sector": "",
                "started_at": src.get("incident_started_at"), "published_at": src.get("update_created_at"),
                **{k: r[k] for k in LABELS}, "note": r.get("note", ""),
            })
    return rows


def load_statements(corpus: Path | str | None = None, *, data_dir: Path | str = DATA_DIR, real: bool = True,
                    authored: bool = True):
    """All labelled statements as a DataFrame, one row per statement.

    Columns: id, source (authored/real), lang, text, company, incident, stage,
    channel, sector, started_at, published_at, cause, apology, humour,
    vagueness, what, scope, when, next, note, split (train/test).

    Raises :class:`DataError` when ``real`` is asked for and the corpus is missing.
    """
    import pandas as pd

    data_dir = Path(data_dir)
    rows = (authored_rows(data_dir) if authored else []) + (real_rows(corpus, data_dir) if real else [])
    df = pd.DataFrame(rows)
    if df.empty:
        raise DataError(f"no labelled statements under {data_dir}")
    df["split"] = [split_of(s, i) for s, i in zip(df["source"], df["incident"])]
    for k in LABELS:
        df[k] = df[k].astype(int)
    return df
