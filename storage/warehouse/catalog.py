"""The warehouse: a Parquet lead lake under `<data dir>/warehouse/leads/` plus a
`warehouse.duckdb` that holds only views over it.

One writer at a time (`sync_leads`, `compact`, serialised by an fcntl lock on
`<warehouse dir>/.sync.lock`) adds immutable files by writing a temporary name and renaming it;
any number of read-only connections (`open_warehouse`) see new files on their next query,
because the views glob the folder. DuckDB 2.0 lets no other process open a database file that
one process holds read-write, which is why the data never lives inside `warehouse.duckdb`.

Views (timestamps are naive UTC):

- `lead_versions`: every row ever synced and not yet compacted away: all `Lead` columns
  (`id, company_id, site_id, dedupe_key, name, first_name, last_name, email, phone, company,
  company_domain, position, industry, website, location, city, region, country, company_size,
  revenue, revenue_usd, linkedin, notes, status, score, match_reasons (VARCHAR[]), verified,
  source, source_record_id, command_id, created_at, updated_at, deleted_at`), plus `deleted`
  (BOOLEAN: the version is a tombstone), `filename` and `file_row_number`.
- `leads`: the latest version of each lead id (newest `updated_at`, then newest file, then
  last row), soft-deleted leads left out; the `Lead` columns only.
  Compaction writes a `leads-<seq>-base.parquet` with one live version per lead; the view
  takes its rows as they are unless a later file mentions the id, and resolves only those.
- `companies`: one row per `company_id, site_id, company` (tenant, site, prospect company):
  `industry, company_size, country` (most common value), `leads`, `avg_score`,
  `verified_share` (0..1), `first_seen` (min `created_at`), `last_seen` (max `updated_at`).
- `territory_breakdown`: one row per `company_id, site_id, country, industry, company_size,
  position`: `leads, avg_score, verified_share`. The tenant and site columns are there so that
  every reader can filter by the caller's company.
  Compaction also writes the base's breakdown as sums (`territory/`) and an id-hash index of
  its leads (`territory_index/`); the view corrects those sums with the leads changed since
  (`storage.warehouse.territory`), so it never reads the base's 10M ids.
- `commands`, `command_leads`, `lead_sources`: the latest version of each `Command` (id, tenant,
  site, user, leads_requested, priority, run_state, stage, leads_found, leads_verified, error,
  created/updated/started/completed_at), `CommandLead` (command_id, lead_id, rank,
  match_score, created_at) and `LeadSource` (id, lead_id, source, source_record_id, command_id,
  found_at) row, synced by `sync_tables` into `commands/`, `command_leads/`, `lead_sources/`.
- `command_funnel`: one row per command: `company_id, site_id, command_id, created_at,
  completed_at, status, priority, leads_requested, found, verified, delivered, avg_match_score`.
- `source_yield`: one row per `company_id, site_id, source`: `leads, verified_share, avg_score`
  (a lead counts for each source that found it).
- `score_distribution`: one row per `company_id, site_id, score_bucket` (0.0, 0.1 .. 0.9, the
  bucket's lower bound): `leads, verified`.
- `warehouse_info`: `schema_version, lake_dir`, what `ensure_warehouse` compares.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from storage.warehouse.extract import LEAD_ARROW_SCHEMA
from storage.warehouse.files import fsync_directory
from storage.warehouse.lake import (
    BASE_SUFFIX,
    CompactResult,
    SyncResult,
    compact,
    lead_files,
    next_lead_file,
    publish,
    sync_leads,
    temporary_name,
    writer_lock,
)
from storage.warehouse.sandbox import confine_to_lake, lake_dir_of
from storage.warehouse.tables import ensure_table_files, sync_tables
from storage.warehouse.territory import ensure_base_breakdown
from storage.warehouse.views import WAREHOUSE_VERSION, view_statements

__all__ = [
    "CompactResult",
    "SyncResult",
    "compact",
    "ensure_warehouse",
    "open_warehouse",
    "sync_leads",
    "sync_tables",
]

logger = logging.getLogger(__name__)


def ensure_warehouse(warehouse_dir: Path, warehouse_db: Path) -> None:
    """Create the lake folder, an empty schema file and the views database where missing.

    The views database is rebuilt under a temporary name and renamed into place when its
    `schema_version` is older than the code's or it points at another lake; connections that
    hold the old file keep working on it. If it cannot be checked or replaced, this logs and
    leaves it: analysts' sessions must not fail a pipeline run.

    Args:
        warehouse_dir: The lake's folder (`LeadmillSettings.warehouse_dir`).
        warehouse_db: The views database (`LeadmillSettings.warehouse_db`).
    """
    leads_dir = warehouse_dir / "leads"
    leads_dir.mkdir(parents=True, exist_ok=True)
    with writer_lock(warehouse_dir):
        if not lead_files(leads_dir):
            # Views over an empty glob fail to bind; one empty file gives them the schema.
            _write_empty(next_lead_file(leads_dir))
        if not list(leads_dir.glob(f"*{BASE_SUFFIX}.parquet")):
            # The `leads` view reads the newest base file; an empty one stands in until the
            # first compaction (every row is then resolved by the window, as before).
            target = next_lead_file(leads_dir)
            _write_empty(target.with_name(f"{target.stem}{BASE_SUFFIX}.parquet"))
        ensure_base_breakdown(leads_dir)
    ensure_table_files(warehouse_dir)
    if _views_current(warehouse_dir, warehouse_db):
        return
    try:
        _build_views(warehouse_dir, warehouse_db)
    except (duckdb.Error, OSError) as error:
        logger.warning("Left %s as it is; could not rebuild its views: %s", warehouse_db, error)


def _write_empty(target: Path) -> None:
    temporary = temporary_name(target)
    pq.write_table(LEAD_ARROW_SCHEMA.empty_table(), temporary)
    publish(temporary, target)


def _views_current(warehouse_dir: Path, warehouse_db: Path) -> bool:
    if not warehouse_db.exists():
        return False
    try:
        with duckdb.connect(str(warehouse_db), read_only=True) as con:
            rows = con.sql("SELECT schema_version, lake_dir FROM warehouse_info").fetchall()
    except duckdb.CatalogException:
        return False
    except duckdb.Error as error:
        logger.warning(
            "Could not check the views of %s (%s); assuming current", warehouse_db, error
        )
        return True
    version, lake_dir = rows[0]
    return version >= WAREHOUSE_VERSION and lake_dir == str(warehouse_dir.resolve())


def _build_views(warehouse_dir: Path, warehouse_db: Path) -> None:
    if warehouse_db.with_name(warehouse_db.name + ".wal").exists():
        # Someone holds (or crashed holding) it read-write: a rename could pair its WAL with
        # the new file.
        logger.warning("Left %s as it is: it has a write-ahead log", warehouse_db)
        return
    temporary = warehouse_db.with_name(f".{warehouse_db.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(temporary)) as con:
            for statement in view_statements(warehouse_dir):
                con.execute(statement)
        os.replace(temporary, warehouse_db)
        fsync_directory(warehouse_db.parent)
    finally:
        temporary.unlink(missing_ok=True)
    logger.info("Built the warehouse views in %s (version %d)", warehouse_db, WAREHOUSE_VERSION)


def open_warehouse(warehouse_db: Path, *, unsafe: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the views database read-only; any number of processes may do so at once.

    The connection can open the lake's files and no other (`confine_to_lake`), unless
    `unsafe` (`leadmill sql --unsafe`, for operators who read other files on purpose).

    Raises:
        FileNotFoundError: There is no warehouse at `warehouse_db` yet.
    """
    if not warehouse_db.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse_db}; run a warehouse sync first")
    con = duckdb.connect(str(warehouse_db), read_only=True)
    if not unsafe:
        try:
            confine_to_lake(con, lake_dir_of(con, warehouse_db))
        except BaseException:
            con.close()
            raise
    return con
