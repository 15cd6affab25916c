"""The lake's other tables: commands, command↔lead links and lead provenance.

Same rules as the leads (`storage.warehouse.lake`): one writer under the lake's lock, rows
changed since a per-table watermark (`WarehouseWatermark.table_name`) on the change sequence
(storage/db/change_sequence.py), each file written under a temporary name and renamed into
place. Views take the newest version per key. These tables are small next to the leads
(a command is one row; links and sources are one row per lead found), so rows go through
SQLAlchemy Core rather than the leads' hand-tuned extractor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import column, or_, select

from storage.commands.models import Command
from storage.db.engine import engine_for
from storage.leads.models import CommandLead, LeadSource
from storage.warehouse.lake import (
    advance_watermark,
    next_lead_file,
    publish,
    read_watermark,
    temporary_name,
    visible_seq_of,
    writer_lock,
)
from storage.warehouse.views import sql_string

logger = logging.getLogger(__name__)

_TS = pa.timestamp("us")


@dataclass(frozen=True)
class LakeTable:
    """One operational table mirrored into `<lake>/<folder>/*.parquet`."""

    folder: str
    model: type
    key: tuple[str, ...]
    changed_at: str
    schema: pa.Schema

    @property
    def watermark_name(self) -> str:
        return self.folder


LAKE_TABLES: tuple[LakeTable, ...] = (
    LakeTable("commands", Command, ("id",), "updated_at", pa.schema([
        ("id", pa.string()), ("company_id", pa.string()), ("site_id", pa.string()),
        ("user_id", pa.string()), ("leads_requested", pa.int64()), ("priority", pa.string()),
        ("run_state", pa.string()), ("stage", pa.string()), ("leads_found", pa.int64()),
        ("leads_verified", pa.int64()), ("error", pa.string()), ("created_at", _TS),
        ("updated_at", _TS), ("started_at", _TS), ("completed_at", _TS),
    ])),
    LakeTable("command_leads", CommandLead, ("command_id", "lead_id"), "created_at", pa.schema([
        ("command_id", pa.string()), ("lead_id", pa.string()), ("rank", pa.int64()),
        ("match_score", pa.float64()), ("created_at", _TS),
    ])),
    LakeTable("lead_sources", LeadSource, ("id",), "found_at", pa.schema([
        ("id", pa.string()), ("lead_id", pa.string()), ("source", pa.string()),
        ("source_record_id", pa.string()), ("command_id", pa.string()), ("found_at", _TS),
    ])),
)  # fmt: skip


def table_glob(warehouse_dir: Path, folder: str) -> str:
    return str(warehouse_dir.resolve() / folder / "*.parquet")


def _naive_utc(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _write_file(folder: Path, table: pa.Table) -> None:
    # The same sequence names and temporary-then-rename publishing as the leads' files.
    target = next_lead_file(folder)
    temporary = temporary_name(target)
    try:
        pq.write_table(table, temporary, compression="zstd")
        publish(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def ensure_table_files(warehouse_dir: Path) -> None:
    """Give every table folder one empty file, so its views bind before the first sync."""
    with writer_lock(warehouse_dir):
        for table in LAKE_TABLES:
            folder = warehouse_dir / table.folder
            folder.mkdir(parents=True, exist_ok=True)
            if not any(folder.glob("*.parquet")):
                _write_file(folder, table.schema.empty_table())


def sync_tables(database_url: str, warehouse_dir: Path) -> dict[str, int]:
    """Sync every table of `LAKE_TABLES` under the writer lock; rows written per folder."""
    ensure_table_files(warehouse_dir)
    with writer_lock(warehouse_dir):
        return {table.folder: _sync_table(database_url, warehouse_dir, table)
                for table in LAKE_TABLES}


def _already_written(warehouse_dir: Path, table: LakeTable, since: datetime) -> set[tuple]:
    columns = ", ".join([*table.key, table.changed_at])
    with duckdb.connect() as con:
        rows = con.sql(
            f"SELECT {columns} FROM read_parquet("
            f"{sql_string(table_glob(warehouse_dir, table.folder))}, union_by_name = true) "
            f"WHERE {table.changed_at} >= $since",
            params={"since": since.astimezone(UTC).replace(tzinfo=None)},
        ).fetchall()
    return set(rows)


def _sync_table(database_url: str, warehouse_dir: Path, table: LakeTable,
                *, overlap_seconds: float = 5.0) -> int:
    """Append `table`'s rows changed since its watermark; the caller holds the writer lock."""
    watermark = read_watermark(database_url, table.watermark_name)
    name = table.model.__table__.name
    visible = visible_seq_of(database_url, name)
    rows_wanted = watermark.rows_after(visible, overlap_seconds)
    if rows_wanted.after is not None and (visible is None or visible <= rows_wanted.after):
        return 0
    columns = [table.model.__table__.c[name] for name in table.schema.names]
    changed = table.model.__table__.c[table.changed_at]
    change_seq = column("change_seq")
    query = select(*columns).select_from(table.model.__table__)
    if rows_wanted.after is not None:
        query = query.where(change_seq > rows_wanted.after, change_seq <= visible)
    elif rows_wanted.since is not None:
        query = query.where(or_(changed >= rows_wanted.since.astimezone(UTC),
                                change_seq.is_not(None)))
    with engine_for(database_url).connect() as connection:
        rows = [tuple(_naive_utc(value) for value in row) for row in connection.execute(query)]
    newest = max((row[table.schema.names.index(table.changed_at)] for row in rows),
                 default=None)
    if rows_wanted.since is not None:
        seen = _already_written(warehouse_dir, table, rows_wanted.since)
        positions = [table.schema.names.index(name) for name in (*table.key, table.changed_at)]
        rows = [row for row in rows if tuple(row[i] for i in positions) not in seen]
    if rows:
        arrays = [pa.array([row[i] for row in rows], field.type)
                  for i, field in enumerate(table.schema)]
        _write_file(warehouse_dir / table.folder,
                    pa.Table.from_arrays(arrays, schema=table.schema))
    advance_watermark(database_url, table.watermark_name, watermark, newest, visible)
    return len(rows)
