"""The warehouse's single writer: `sync_leads` appends changed leads to the lake, `compact`
rewrites it. Both hold an fcntl lock on `<warehouse dir>/.sync.lock`; readers take no lock.

Every file is written under a temporary name outside the `*.parquet` glob, fsynced, then
renamed into place, so a reader sees either all of a file or none of it.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from storage.db.change_sequence import visible_change_seq
from storage.db.engine import engine_for, session_scope
from storage.warehouse.adbc import adbc_available, extract_to_lake_file, sqlite_file_of
from storage.warehouse.extract import (
    LEAD_ARROW_SCHEMA,
    ChangedRows,
    iter_changed_leads,
)
from storage.warehouse.files import publish, temporary_name
from storage.warehouse.lake_versions import drop_written_versions, versions_written_since
from storage.warehouse.models import WarehouseWatermark
from storage.warehouse.territory import (
    remove_stale_breakdowns,
    write_territory,
)
from storage.warehouse.views import lake_glob, latest_versions_query, sql_string

logger = logging.getLogger(__name__)

WATERMARK_TABLE = "lead"
_FILE_PREFIX = "leads-"
# A compaction's output: exactly one live version per lead, so the `leads` view reads it
# without a window and resolves only the ids that later files touch.
BASE_SUFFIX = "-base"


@dataclass(frozen=True)
class SyncResult:
    """What one `sync_leads` call did."""

    rows_written: int
    files_written: int
    synced_until: datetime | None
    seconds: float


@dataclass(frozen=True)
class CompactResult:
    """What one `compact` call did."""

    rows_kept: int
    files_removed: int
    seconds: float


@contextmanager
def writer_lock(warehouse_dir: Path) -> Iterator[None]:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(warehouse_dir / ".sync.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lead_files(leads_dir: Path) -> list[Path]:
    return sorted(leads_dir.glob(f"{_FILE_PREFIX}*.parquet"))


def next_lead_file(leads_dir: Path) -> Path:
    # A sequence, not a clock: the `leads` view breaks updated_at ties by file name, so names
    # must sort in write order even if the clock steps back. Only the lock holder calls this.
    files = lead_files(leads_dir)
    last = _sequence(files[-1]) if files else -1
    return leads_dir / f"{_FILE_PREFIX}{last + 1:012d}.parquet"


def _sequence(path: Path) -> int:
    # `leads-000000000007.parquet`, or `leads-000000000007-base.parquet` from a compaction.
    return int(path.stem.removeprefix(_FILE_PREFIX).removesuffix(BASE_SUFFIX))


@dataclass(frozen=True)
class Watermark:
    """How far a table is synced: the change sequence read (None before the first sync that
    followed it) and the newest `updated_at` seen."""

    synced_until: datetime | None = None
    synced_seq: int | None = None

    def rows_after(self, visible_seq: int | None, overlap_seconds: float) -> ChangedRows:
        """The rows the next sync reads, `visible_seq` being the sequence committed now."""
        if self.synced_seq is not None:
            return ChangedRows(after=self.synced_seq, upto=visible_seq)
        if self.synced_until is not None:  # a lake an older Leadmill synced: once more by time
            return ChangedRows(since=self.synced_until - timedelta(seconds=overlap_seconds))
        return ChangedRows()


def read_watermark(database_url: str, name: str) -> Watermark:
    with session_scope(engine_for(database_url)) as session:
        mark = session.get(WarehouseWatermark, name)
        if mark is None:
            return Watermark()
        moment = mark.synced_until
        return Watermark(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC),
                         mark.synced_seq)


def advance_watermark(database_url: str, name: str, old: Watermark, newest: datetime | None,
                      visible_seq: int | None) -> Watermark:
    """Move the watermark on to `visible_seq` (and `newest`, when later); the new one."""
    if newest is not None:
        newest = newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest
    until = old.synced_until
    if newest is not None and (until is None or newest > until):
        until = newest
    seq = visible_seq if visible_seq is not None else old.synced_seq
    if until is None or (until, seq) == (old.synced_until, old.synced_seq):
        return old
    with session_scope(engine_for(database_url)) as session:
        mark = session.get(WarehouseWatermark, name) or WarehouseWatermark(
            table_name=name, synced_until=until)
        mark.synced_until, mark.synced_seq = until, seq
        mark.updated_at = datetime.now(UTC)
        session.add(mark)
    return Watermark(until, seq)


def visible_seq_of(database_url: str, table: str) -> int | None:
    with engine_for(database_url).connect() as connection:
        return visible_change_seq(connection, table)


class _BackgroundParquetWriter:
    """Writes tables into one Parquet file on a worker thread, created on the first write.

    Parquet encoding and compression release the GIL, so they overlap with fetching and
    converting the next batch; at most one batch waits, which keeps memory bounded.
    """

    def __init__(self, path: Path, *, row_group_size: int) -> None:
        self._path = path
        self._row_group_size = row_group_size
        self._writer: pq.ParquetWriter | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse-parquet")
        self._pending: Future[None] | None = None
        self._closed = False

    def write(self, table: pa.Table) -> None:
        self._wait()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._path, LEAD_ARROW_SCHEMA, compression="zstd")
        self._pending = self._pool.submit(
            self._writer.write_table, table, row_group_size=self._row_group_size
        )

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> bool:
        """Finish the file; True if anything was written. Safe to call twice."""
        if not self._closed:
            self._closed = True
            try:
                self._wait()
            finally:
                if self._writer is not None:
                    self._writer.close()
                self._pool.shutdown()
        return self._writer is not None


def sync_leads(
    database_url: str,
    warehouse_dir: Path,
    *,
    overlap_seconds: float = 5.0,
    batch_rows: int = 200_000,
    child_min_rows: int | None = 50_000,
) -> SyncResult:
    """Append the leads changed since the watermark to the lake, then advance the watermark.

    The watermark is the change sequence (storage/db/change_sequence.py), assigned inside each
    writing transaction: the rows read are those numbered above the last sync's and up to the
    highest committed now, so a row committed late — whatever its `updated_at` — is never
    skipped. Only the first sync of a lake an older Leadmill wrote goes by `updated_at`
    (from `watermark - overlap_seconds`, plus every sequenced row), skipping versions the lake
    already holds. A version written twice (a crash between the rename and the watermark) is
    harmless to the `leads` view.

    Args:
        database_url: SQLAlchemy URL of the operational database (SQLite or PostgreSQL).
        warehouse_dir: The lake's folder; `ensure_warehouse` need not have run.
        overlap_seconds: How far before an older Leadmill's watermark to look again.
        batch_rows: Rows read, converted and written at a time; bounds memory.
        child_min_rows: From this many changed rows on, a SQLite database is read by a child
            process with ADBC (`storage.warehouse.adbc`), when `adbc-driver-sqlite` is there;
            None: never.

    Returns:
        What was written and the new watermark (aware UTC; None while the table is empty).
    """
    started = time.perf_counter()
    leads_dir = warehouse_dir / "leads"
    leads_dir.mkdir(parents=True, exist_ok=True)
    with writer_lock(warehouse_dir):
        watermark = read_watermark(database_url, WATERMARK_TABLE)
        # Read before the rows: every row numbered up to it has committed (see the module).
        visible = visible_seq_of(database_url, WATERMARK_TABLE)
        rows = watermark.rows_after(visible, overlap_seconds)
        if rows.after is not None and (visible is None or visible <= rows.after):
            return _advance(database_url, watermark, None, None, 0, started, leads_dir)
        since = rows.since
        newest: datetime | None = None
        rows_written = 0
        target = next_lead_file(leads_dir)
        temporary = temporary_name(target)
        engine = engine_for(database_url)
        batches: Iterable[pa.RecordBatch] = iter_changed_leads(engine, rows, batch_rows)
        sqlite_file = sqlite_file_of(database_url)
        if sqlite_file is not None and child_min_rows is not None and adbc_available():
            # Read up to `child_min_rows` here: that small a sync (or a no-op) is done before a
            # child process would have started; a bigger one goes to the child.
            probe = iter_changed_leads(engine, rows, child_min_rows)
            first = next(probe, None)
            probe.close()
            if first is not None and first.num_rows >= child_min_rows:
                rows_written, newest = extract_to_lake_file(
                    sqlite_file, warehouse_dir, rows, temporary, target, batch_rows
                )
                return _advance(database_url, watermark, newest, visible, rows_written, started,
                                leads_dir)
            batches = [first] if first is not None else []
        written = (versions_written_since(lake_glob(warehouse_dir),
                                          since.astimezone(UTC).replace(tzinfo=None))
                   if since else None)
        writer = _BackgroundParquetWriter(temporary, row_group_size=batch_rows)
        try:
            for batch in batches:
                batch_newest = pc.max(batch.column("updated_at")).as_py()
                if batch_newest is not None and (newest is None or batch_newest > newest):
                    newest = batch_newest
                table = pa.Table.from_batches([batch])
                if written is not None:
                    table = drop_written_versions(table, written)
                if table.num_rows:
                    writer.write(table.sort_by("updated_at"))
                    rows_written += table.num_rows
            if writer.close():
                publish(temporary, target)
        finally:
            writer.close()
            temporary.unlink(missing_ok=True)
        return _advance(database_url, watermark, newest, visible, rows_written, started,
                        leads_dir)


def _advance(
    database_url: str, watermark: Watermark, newest: datetime | None, visible: int | None,
    rows_written: int, started: float, leads_dir: Path,
) -> SyncResult:
    # Called under the writer lock, once the file (if any) is published.
    synced_until = advance_watermark(database_url, WATERMARK_TABLE, watermark, newest,
                                     visible).synced_until
    logger.info("Synced %d lead versions into %s", rows_written, leads_dir)
    return SyncResult(
        rows_written=rows_written,
        files_written=1 if rows_written else 0,
        synced_until=synced_until,
        seconds=time.perf_counter() - started,
    )


def compact(warehouse_dir: Path) -> CompactResult:
    """Rewrite the lake as one file holding the latest live version of each lead.

    Tombstones and superseded versions are dropped (so `lead_versions` loses its history).
    A tombstone inside the next sync's overlap window is therefore written once more by that
    sync, which cannot tell it was already synced; the `leads` view is unaffected.
    Readers keep querying throughout: the new file is renamed into place before the old ones
    are removed, and the `leads` view resolves the brief overlap to the same rows.
    """
    started = time.perf_counter()
    leads_dir = warehouse_dir / "leads"
    with writer_lock(warehouse_dir):
        files = lead_files(leads_dir)
        if not files:
            return CompactResult(rows_kept=0, files_removed=0, seconds=0.0)
        target = next_lead_file(leads_dir)
        target = target.with_name(f"{target.stem}{BASE_SUFFIX}.parquet")
        temporary = temporary_name(target)
        try:
            with duckdb.connect() as con:
                query = latest_versions_query(files)
                destination = sql_string(str(temporary))
                (rows_kept,) = con.sql(
                    f"COPY ({query}) TO {destination} (FORMAT parquet, COMPRESSION zstd)"
                ).fetchall()[0]
                # Before the base: the territory view reads the newest base's breakdown.
                write_territory(con, target, temporary)
            publish(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        for path in files:
            path.unlink(missing_ok=True)
        remove_stale_breakdowns(target, keep={target.name, *(path.name for path in files)})
    result = CompactResult(
        rows_kept=int(rows_kept), files_removed=len(files), seconds=time.perf_counter() - started
    )
    logger.info("Compacted %d files of %s into %s", len(files), leads_dir, target.name)
    return result
