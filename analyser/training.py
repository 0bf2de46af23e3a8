"""``python -m analyser train``: fit the models on the labelled statements.

Deterministic: the same data and library versions give the same model file
contents (no random state is used; folds are unshuffled).
"""
from __future__ import annotations

import hashlib
import json
import logging
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

from .data import DATA_DIR, LABELS, load_statements
from .errors import DataError

log = logging.getLogger("analyser")


def load_labelled(path: str | Path | None, corpus: str | Path | None = None):
    """Labelled statements from a data directory (default) or one CSV/JSONL/Parquet file.

    Without the real corpus, falls back to the authored statements with a warning.
    """
    import pandas as pd

    if path is not None and Path(path).is_file():
        from .tables import read_table

        df = read_table(Path(path))
        missing = [c for c in ("text", *LABELS) if c not in df.columns]
        if missing:
            raise DataError(f"{path} lacks the column(s) {', '.join(missing)}")
        df = df.copy()
        check_labels(df, path)
        for col, default in (("lang", None), ("incident", None), ("source", "file"), ("split", "train")):
            if col not in df.columns:
                df[col] = default
        df["incident"] = df["incident"].fillna(pd.Series(range(len(df)), index=df.index).astype(str))
        return df
    data_dir = Path(path) if path else DATA_DIR
    if not data_dir.is_dir():
        raise DataError(f"no such data directory or file: {data_dir}")
    try:
        return load_statements(corpus, data_dir=data_dir)
    except DataError as exc:
        if "real corpus is missing" not in str(exc):
            raise
        warnings.warn(f"{exc}; training on the authored statements only", stacklevel=2)
        return load_statements(corpus, data_dir=data_dir, real=False)


def check_labels(df, path) -> None:
    """Make every label column integers in its rubric range (0-2 for a dimension, 0-1 for a facet),
    taking ``1.0`` or ``"1"`` as 1 (spreadsheets write them so); anything else is a DataError naming
    the column, the row and the value."""
    from .report import DIMENSIONS

    for col in LABELS:
        top = 2 if col in DIMENSIONS else 1
        values = []
        for row, v in enumerate(df[col].tolist(), start=2):  # row 1 is the header
            try:
                number = float(str(v).strip())
            except ValueError:
                number = float("nan")
            if not (number.is_integer() and 0 <= number <= top):  # NaN and inf are not whole numbers
                raise DataError(f"{path}, row {row}: {col} is {v!r}; labels are whole numbers from 0 to {top} "
                                "(../shared/RUBRIC.md)")
            values.append(int(number))
        df[col] = values


def prepare_all(df) -> list:
    from .prepare import prepare

    langs = df["lang"] if "lang" in df.columns else [None] * len(df)
    return [prepare(t, l if isinstance(l, str) and l else None) for t, l in zip(df["text"], langs)]


def content_hash(df) -> str:
    h = hashlib.sha256()
    for row in df.sort_values("id" if "id" in df.columns else "text")[["text", *LABELS]].itertuples(index=False):
        h.update(json.dumps(list(map(str, row)), ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:16]


def versions() -> dict:
    import jieba
    import sklearn
    import spacy

    from . import __version__

    return {"analyser": __version__, "python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "spacy": spacy.__version__, "jieba": jieba.__version__, "numpy": np.__version__}


def fit(df, **params):
    from .model import StatementModel

    prepared = prepare_all(df)
    labels = {k: df[k].to_numpy(dtype=int) for k in LABELS}
    return StatementModel(**params).fit(prepared, labels)


def train(data: str | Path | None = None, corpus: str | Path | None = None, out: Path | None = None) -> Path:
    from .model import MODEL_FILE, model_dir

    df = load_labelled(data, corpus)
    train_df = df[df["split"] != "test"].reset_index(drop=True)
    try:
        model = fit(train_df)
    except ValueError as exc:  # scikit-learn: a head with one level only, too few statements for its folds
        raise DataError(f"cannot train on these {len(train_df)} statements: {str(exc).splitlines()[0]} "
                        "(each head needs every level it predicts, a few times over)") from None
    counts = train_df.groupby(["source", "lang"]).size()
    meta = {
        "trained_on": {"rows": int(len(train_df)), "held_out_rows": int((df["split"] == "test").sum()),
                       "by_source_lang": {f"{s}/{l}": int(n) for (s, l), n in counts.items()},
                       "content_hash": content_hash(train_df)},
        "label_distribution": {k: {str(v): int(n) for v, n in train_df[k].value_counts().sort_index().items()} for k in LABELS},
        "versions": versions(),
        "params": model.params(),
    }
    checkout = Path(__file__).resolve().parents[1] / "models"
    path = (Path(out) if out else checkout if checkout.is_dir() else model_dir()) / MODEL_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path, meta)
        (path.parent / "training.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write the model to {path.parent}: {exc.strerror or exc}") from None
    return path


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train the models on the labelled statements",
                       description="Train the models (deterministically) and write them to models/.")
    p.add_argument("--data", help="data directory (default data/statements) or a labelled CSV/JSONL/Parquet file")
    p.add_argument("--corpus", help="folder of the real corpus (default ../shared/corpus)")
    p.add_argument("--out", help="output folder (default models/)")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        path = train(args.data, args.corpus, Path(args.out) if args.out else None)
    print(f"model written to {path}", file=sys.stderr)
    return 0
