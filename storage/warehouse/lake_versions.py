"""Lead versions the lake already holds, so a sync that reads an overlap window again does
not write them twice.

A sync after an older Leadmill's watermark re-reads rows from `watermark - overlap`; the
(id, updated_at) pairs already in the lake from then on are read once and left out of every
batch. Both extraction paths use it: the in-process sync (`storage.warehouse.lake`) and the
ADBC child (`storage.warehouse.adbc`), which must not import the sync that starts it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa


def versions_written_since(lake_glob: str, since_utc: datetime) -> pa.Table:
    """The (id, updated_at) pairs of the lake files `lake_glob` from `since_utc` (naive UTC).

    Files are sorted by updated_at, so DuckDB skips most row groups by their statistics.
    """
    with duckdb.connect() as con:
        return con.sql(
            "SELECT id, updated_at FROM read_parquet($glob, union_by_name = true) "
            "WHERE updated_at >= $since",
            params={"glob": lake_glob, "since": since_utc},
        ).to_arrow_table()


def drop_written_versions(batch: pa.Table, written: pa.Table) -> pa.Table:
    """`batch` without the rows whose (id, updated_at) is in `written`."""
    if written.num_rows == 0:
        return batch
    # Join keys plus a row number only: Acero's hash join does not carry list columns.
    keys = batch.select(["id", "updated_at"]).append_column(
        "_row", pa.array(range(batch.num_rows), pa.int64())
    )
    kept = keys.join(
        written.cast(keys.select(["id", "updated_at"]).schema),
        keys=["id", "updated_at"],
        join_type="left anti",
    )
    return batch.take(kept.column("_row"))
