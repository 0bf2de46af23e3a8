"""Read and write tables by file extension: CSV, JSONL, Parquet."""
from __future__ import annotations

from pathlib import Path

from .errors import InputError

FORMATS = (".csv", ".jsonl", ".parquet")


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        suffix = ".jsonl"
    if suffix not in FORMATS:
        raise InputError(f"{path}: unknown table format {path.suffix!r}; use .csv, .jsonl or .parquet")
    return suffix


def read_table(path: Path):
    import pandas as pd

    fmt = table_format(path)
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a table")
    try:
        if fmt == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if fmt == ".jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        return pd.read_parquet(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
