"""JSON Lines into DuckDB for a prospect import: parsed in Python, loaded in batches.

Python parses each line, so a malformed one is reported with its line number (DuckDB's reader
would skip it silently or stop). The lines are streamed: every `JSONL_BATCH_LINES` good lines go
into table `raw` as one Arrow batch, so memory holds one batch, not the file (a list of dicts
costs several times the file; 100k lines: ~96 MB of Python objects for a 13 MB file, against a
few MB in batches). Every value is text, as the other formats load; nested values are kept as
their JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa

JSONL_BATCH_LINES = 5_000


def load_jsonl(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[tuple[int, str]],
                                                                     list[int]]:
    """Load `path` into table `raw` (rowid = order in the file; a key first seen in a later
    batch becomes a new column, NULL in earlier rows). Returns the bad lines as (line number,
    reason) and the numbers of every line not loaded (blank or bad)."""
    bad: list[tuple[int, str]] = []
    skipped: list[int] = []
    batch: list[dict[str, str | None]] = []
    columns: list[str] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                skipped.append(number)
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                bad.append((number, f"not a JSON object: {exc}"))
                skipped.append(number)
                continue
            if not isinstance(record, dict):
                bad.append((number, "not a JSON object"))
                skipped.append(number)
                continue
            batch.append({str(k): None if v is None else (
                v if isinstance(v, str) else json.dumps(v)) for k, v in record.items()})
            if len(batch) >= JSONL_BATCH_LINES:
                _append_batch(con, batch, columns)
                batch = []
    if batch or not columns:
        _append_batch(con, batch, columns)
    return bad, skipped


def _append_batch(con: duckdb.DuckDBPyConnection, batch: list[dict[str, str | None]],
                  columns: list[str]) -> None:
    """Append parsed lines to `raw` in file order, adding the columns this batch brings;
    `columns` is updated in place."""
    keys = list(dict.fromkeys(k for record in batch for k in record))
    table = pa.table({k: pa.array([r.get(k) for r in batch], pa.string()) for k in keys})
    con.register("raw_batch", table)
    if not columns:
        con.execute("CREATE TABLE raw AS SELECT * FROM raw_batch")
        columns.extend(keys)
    else:
        for key in keys:
            if key not in columns:
                con.execute(f"ALTER TABLE raw ADD COLUMN {_quoted(key)} VARCHAR")
                columns.append(key)
        con.execute("INSERT INTO raw BY NAME SELECT * FROM raw_batch")
    con.unregister("raw_batch")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
