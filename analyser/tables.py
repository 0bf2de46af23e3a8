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

    fmt = _check_input(path)
    try:
        if fmt == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if fmt == ".jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        return pd.read_parquet(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None


# -- streaming (``python -m analyser batch``) -----------------------------------
# Tables are read in chunks of rows and written as chunk files ("parts") that are
# joined at the end, so memory stays flat however long the table is. Every file
# written here appears atomically: it is written under a temporary name in the
# destination's folder, then renamed over the destination.

import csv
import json
import math
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

#: Rows read at once by the pre-pass over a table (counting rows, checking ids).
SCAN_ROWS = 50_000


@dataclass(frozen=True)
class TableInfo:
    """What a pre-pass over a table found."""

    path: Path
    fmt: str
    columns: tuple
    rows: int
    duplicate_ids: int = 0
    encoding: str = "utf-8-sig"  # of a CSV or JSONL file


def _check_input(path: Path) -> str:
    fmt = table_format(path)
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a table")
    if not os.access(path, os.R_OK):
        raise InputError(f"cannot read {path}: permission denied")
    return fmt


def _id_hashes(values: list):
    import numpy as np
    import pandas as pd

    keep = [str(v) for v in values if not is_missing(v) and str(v) != ""]
    if not keep:
        return np.empty(0, dtype="uint64")
    return pd.util.hash_array(np.asarray(keep, dtype=object))


def is_missing(value) -> bool:
    """None, NaN, pd.NA or pd.NaT: a cell with no value."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    import pandas as pd

    return value is pd.NA or value is pd.NaT


def _count_duplicates(hashes: list) -> int:
    import numpy as np

    if not hashes:
        return 0
    allh = np.concatenate(hashes)
    return int(len(allh) - len(np.unique(allh)))


def _csv_error(path: Path, line: int, exc: Exception) -> InputError:
    msg = str(exc)
    if "unexpected end of data" in msg:
        msg = "a quoted field is never closed"
    elif "expected after" in msg:
        msg = f"malformed quoting ({msg})"
    return InputError(f"{path}, line {line}: malformed CSV: {msg}")


def _refuse_duplicate_names(path, names) -> None:
    """Two columns of one name: pandas would rename one ("note.1") or hold both under it, so the
    output could not keep the input's columns."""
    twice = [c for i, c in enumerate(names) if c in names[:i]]
    if twice:
        raise InputError(f"{path}: the header names column {twice[0]!r} more than once; give each column its own name")


class _LastLine:
    """The lines of a file, remembering the last one read (the csv module does not say whether a
    one-field row was quoted: ``""`` is a row to pandas, an empty line is not)."""

    def __init__(self, fh):
        self._fh = fh
        self.last = ""

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.last = next(self._fh)
        return self.last


def text_encoding(path: Path, encoding: str | None = None) -> str:
    """The encoding a CSV or JSONL file is read with: ``encoding`` when given (checked), else UTF-16
    when the file opens with its byte-order mark, else UTF-8 (with or without a BOM)."""
    import codecs

    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r} (e.g. utf-8, gb18030, big5, cp1252, utf-16)") from None
    with open(path, "rb") as fh:
        start = fh.read(2)
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def scan_table(path: Path, id_col: str | None = None, encoding: str | None = None) -> TableInfo:
    """Check a table from end to end without keeping it: columns, row count, duplicate ids.

    Raises :class:`InputError` (one line, with the file and line where it can)
    for undecodable or malformed files, before any scoring starts. ``encoding``
    is that of a CSV or JSONL file (:func:`text_encoding`).
    """
    fmt = _check_input(path)
    hashes: list = []
    if fmt in (".csv", ".jsonl"):
        encoding = text_encoding(path, encoding)
    if fmt == ".csv":
        csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
        rows = 0
        line = 0
        try:
            with open(path, encoding=encoding, newline="") as fh:
                lines = _LastLine(fh)
                reader = csv.reader(lines, strict=True)
                try:
                    header = next(reader)
                except StopIteration:
                    raise InputError(f"{path} is empty: no header row") from None
                _refuse_duplicate_names(path, header)
                id_at = header.index(id_col) if id_col in header else None
                ids: list = []
                line = reader.line_num
                for row in reader:
                    # a blank or white-space line: pandas skips it too, but not a quoted empty cell ("")
                    if len(row) <= 1 and not "".join(row).strip() and '"' not in lines.last:
                        line = reader.line_num
                        continue
                    if len(row) > len(header):
                        raise InputError(f"{path}, line {line + 1}: malformed CSV: {len(row)} fields where the header "
                                         f"has {len(header)} (an unquoted comma or a stray quote?)")
                    rows += 1
                    if id_at is not None:
                        ids.append(row[id_at] if id_at < len(row) else "")
                        if len(ids) >= SCAN_ROWS:
                            hashes.append(_id_hashes(ids))
                            ids = []
                    line = reader.line_num
                if ids:
                    hashes.append(_id_hashes(ids))
        except csv.Error as exc:
            raise _csv_error(path, line + 1, exc) from None
        except UnicodeDecodeError as exc:
            raise _undecodable(path, exc, encoding) from None
        return TableInfo(path, fmt, tuple(header), rows, _count_duplicates(hashes), encoding)
    if fmt == ".jsonl":
        columns: dict = {}
        rows = 0
        ids = []
        for _, record in _jsonl_records(path, encoding):
            for key in record:
                if key not in columns:
                    columns[key] = None
            rows += 1
            if id_col is not None:
                ids.append(record.get(id_col))
                if len(ids) >= SCAN_ROWS:
                    hashes.append(_id_hashes(ids))
                    ids = []
        if ids:
            hashes.append(_id_hashes(ids))
        if not rows:
            raise InputError(f"{path} is empty: no JSON records")
        return TableInfo(path, fmt, tuple(columns), rows, _count_duplicates(hashes), encoding)
    pf = _parquet_file(path)
    names = tuple(pf.schema_arrow.names)
    _refuse_duplicate_names(path, names)
    if id_col in names:
        try:
            for batch in pf.iter_batches(batch_size=SCAN_ROWS, columns=[id_col]):
                hashes.append(_id_hashes(batch.column(0).to_pylist()))
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise InputError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
    return TableInfo(path, fmt, names, pf.metadata.num_rows, _count_duplicates(hashes))


def _parquet_file(path: Path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Parquet needs pyarrow: pip install 'analyser[parquet]'") from None
    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # ArrowInvalid, OSError ...
        raise InputError(f"cannot read {path} as Parquet: {str(exc).splitlines()[0]}") from None


def _jsonl_records(path: Path, encoding: str = "utf-8-sig") -> Iterator[tuple[int, dict]]:
    lineno = 0
    try:
        with open(path, encoding=encoding) as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}, line {lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None
                if not isinstance(record, dict):
                    raise InputError(f"{path}, line {lineno}: expected a JSON object, got {type(record).__name__}")
                yield lineno, record
    except UnicodeDecodeError as exc:
        raise _undecodable(path, exc, encoding) from None


def _undecodable(path: Path, exc: UnicodeDecodeError, encoding: str) -> InputError:
    """The error for a table that is not in ``encoding``, naming the line of the first bad byte
    (text is decoded a buffer at a time, so where the reader stood says little)."""
    import codecs

    decoder, line = codecs.getincrementaldecoder(encoding)(), 1
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as bad:
                line += block.count(b"\n", 0, bad.start)
                break
            line += block.count(b"\n")
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        return InputError(f"{path}, line {line}: not UTF-8 text ({exc.reason}); save it as UTF-8, or name its "
                          "encoding with --encoding (e.g. gb18030, big5, cp1252)")
    return InputError(f"{path}, line {line}: not {encoding} text ({exc.reason}); check --encoding")


def iter_table(info: TableInfo, chunk_size: int) -> Iterator:
    """The table as DataFrames of at most ``chunk_size`` rows, in order.

    Values are kept as they are: CSV cells as strings (no NA conversion), JSONL
    values as Python objects, Parquet columns with their Arrow types
    (:func:`_arrow_dtype`), so writing them back does not change them. A Parquet
    file's index columns (``df.set_index("id").to_parquet``) are columns like any
    other: the output keeps them.
    """
    import pandas as pd

    path = info.path
    if info.fmt == ".csv":
        try:
            # the header as scanned, given as names: pandas would rename an empty one "Unnamed: 2"
            reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=info.encoding, chunksize=chunk_size,
                                 header=0, names=list(info.columns))
            for chunk in reader:
                yield chunk
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"cannot read {path}: {str(exc).strip().splitlines()[0]}") from None
        return
    if info.fmt == ".jsonl":
        records: list = []
        start = 0
        for _, record in _jsonl_records(path, info.encoding):
            records.append(record)
            if len(records) >= chunk_size:
                yield _records_frame(records, info.columns, start)
                start += len(records)
                records = []
        if records:
            yield _records_frame(records, info.columns, start)
        return
    pf = _parquet_file(path)
    start = 0
    try:
        for batch in pf.iter_batches(batch_size=chunk_size):
            frame = batch.to_pandas(types_mapper=_arrow_dtype, ignore_metadata=True)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except InputError:
        raise
    except Exception as exc:
        if isinstance(exc, (KeyboardInterrupt, MemoryError)):
            raise
        raise InputError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None


def _arrow_dtype(arrow_type):
    """How a Parquet column is held: with its Arrow type (``pandas.ArrowDtype``), so that writing it
    back does not change it; a dictionary column as a pandas Categorical, which pandas and pyarrow
    both read back (an ArrowDtype of a dictionary is not readable from the file's pandas metadata)."""
    import pandas as pd
    import pyarrow as pa

    return None if pa.types.is_dictionary(arrow_type) else pd.ArrowDtype(arrow_type)


def _records_frame(records: list, columns: tuple, start: int):
    import pandas as pd

    # column by column as Python objects: a frame built from the records would turn an int column
    # with a null into floats (1760000000000000001 -> 1.76e18), and object dtype afterwards is too late
    index = pd.RangeIndex(start, start + len(records))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in records], index=index, dtype=object) for c in columns},
                        index=index, columns=list(columns))


def empty_frame(info: TableInfo):
    """A zero-row frame with the table's columns (and Arrow types for Parquet)."""
    import pandas as pd

    if info.fmt == ".parquet":
        return _parquet_file(info.path).schema_arrow.empty_table().to_pandas(types_mapper=_arrow_dtype,
                                                                             ignore_metadata=True)
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in info.columns})


# -- writing ---------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; on success rename it to ``path``, else remove it."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist") from None
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _json_default(value):
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (pd.Timestamp,)) or hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _json_value(value):
    if is_missing(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def _write_jsonl(frame, fh) -> None:
    cols = [str(c) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        record = {c: _json_value(v) for c, v in zip(cols, values)}
        try:
            fh.write(json.dumps(record, ensure_ascii=False, default=_json_default))
        except UnicodeEncodeError:  # a lone surrogate (read from a JSON "\ud800"): UTF-8 cannot hold it,
            fh.write(json.dumps(record, ensure_ascii=True, default=_json_default))  # a JSON escape can
        fh.write("\n")


def _encodable(value):
    """A string UTF-8 can hold: a lone surrogate (from a JSON escape) as its backslash escape."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _csv_ready(frame):
    """The frame as CSV writes it, and the quoting it needs. Nested values (JSONL objects and arrays,
    Parquet lists and structs) become JSON text, as the JSONL output writes them, rather than Python
    reprs ("[1 2]", "{'a': 1}"); Parquet bytes become text. Python's csv writer quotes a cell holding
    "\n" but not one holding a bare "\r", which readers take as a line end: a frame with such a cell
    quotes every cell (valid CSV still)."""
    import numpy as np
    from pandas.api.types import is_numeric_dtype

    nested = (dict, list, tuple, np.ndarray)
    out, bare_cr = frame, any("\r" in str(c) for c in frame.columns)
    for col in frame.columns:
        column = frame[col]
        if is_numeric_dtype(column):
            continue
        has_nested = False
        for v in column:  # one pass over the cells for both questions
            if isinstance(v, str):
                bare_cr = bare_cr or "\r" in v
            elif isinstance(v, (*nested, bytes)):
                has_nested = True
        if not has_nested:
            continue
        if out is frame:
            out = frame.copy()
        out[col] = column.map(lambda v: json.dumps(v, ensure_ascii=False, default=_json_default)
                              if isinstance(v, nested) else _json_default(v) if isinstance(v, bytes) else v,
                              ).astype(object)
    return out, csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL


def _to_arrow(frame):
    import pyarrow as pa

    arrow_errors = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError)
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except arrow_errors:
        pass
    # mixed-type object columns (from JSONL): store those columns as JSON text; strings with a lone
    # surrogate (UTF-8 cannot hold one) with its backslash escape
    fixed = frame.copy()
    for col in frame.columns:
        try:
            pa.array(frame[col], from_pandas=True)
        except arrow_errors:
            fixed[col] = frame[col].map(lambda v: None if is_missing(v) else _encodable(
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=True, default=_json_default)))
    return pa.Table.from_pandas(fixed, preserve_index=False)


def write_frame(frame, path: Path, fmt: str, header: bool = True) -> None:
    """Write one frame to ``path`` (not atomic: see :func:`atomic_path`)."""
    if fmt == ".csv":
        ready, quoting = _csv_ready(frame)
        ready.to_csv(path, index=False, header=header, encoding="utf-8", quoting=quoting,
                     errors="backslashreplace")  # a lone surrogate as its escape, not a crash
    elif fmt == ".jsonl":
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            _write_jsonl(frame, fh)
    else:
        import pyarrow.parquet as pq

        pq.write_table(_to_arrow(frame), path)


def write_table(frame, path: Path) -> None:
    """Write a whole table by extension, atomically."""
    path = Path(path)
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        write_frame(frame, tmp, fmt)


def join_parts(parts: list, path: Path, fmt: str) -> None:
    """Join part files (in order) into ``path``, atomically; one part in memory at a time."""
    import shutil

    with atomic_path(path) as tmp:
        if fmt in (".csv", ".jsonl"):
            with open(tmp, "wb") as out:
                for part in parts:
                    with open(part, "rb") as fh:
                        shutil.copyfileobj(fh, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            return
        import pyarrow.parquet as pq

        schema = _unified_schema([pq.read_schema(p) for p in parts])
        with pq.ParquetWriter(tmp, schema) as writer:
            for part in parts:
                writer.write_table(_cast(pq.read_table(part), schema))


def _unified_schema(schemas):
    """One schema for parts whose inferred types may differ (JSONL input): a column
    all-null in one chunk takes the others' type, ints and floats widen to float,
    anything else irreconcilable becomes text."""
    import pyarrow as pa

    first = schemas[0]
    fields = []
    for f in first:
        types = []
        for s in schemas:
            t = s.field(f.name).type
            if not pa.types.is_null(t) and t not in types:
                types.append(t)
        if not types:
            fields.append(f)
        elif len(types) == 1:
            fields.append(pa.field(f.name, types[0]))
        elif all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in types):
            fields.append(pa.field(f.name, pa.float64()))
        else:
            fields.append(pa.field(f.name, pa.string()))
    return pa.schema(fields, metadata=first.metadata)


def _cast(table, schema):
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.schema.equals(schema, check_metadata=False):
        return table.replace_schema_metadata(schema.metadata)
    arrays = []
    for f in schema:
        col = table.column(f.name)
        if col.type != f.type:
            if pa.types.is_string(f.type) and not (pa.types.is_null(col.type) or pa.types.is_string(col.type)):
                col = pa.chunked_array([pa.array([None if v is None else json.dumps(v, default=_json_default)
                                                  if not isinstance(v, str) else v for v in col.to_pylist()],
                                                 type=pa.string())])
            else:
                col = pc.cast(col, f.type)
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=schema)


def read_part(path: Path, fmt: str, columns: list, header: bool, usecols: list | None = None):
    """Read back one part written by :func:`write_frame` (for summaries over finished parts)."""
    import pandas as pd

    if fmt == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, header=0 if header else None,
                           names=columns, usecols=usecols, encoding="utf-8")
    if fmt == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        frame = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
        return frame[usecols] if usecols else frame
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=usecols).to_pandas()

