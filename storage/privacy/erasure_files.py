"""Erasure in the file stores: the prospect store's imported lists and the warehouse lake.

A file that holds the person is rewritten without their rows: streamed batch by batch into a
temporary name outside the readers' `*.parquet` globs (same schema, metadata and compression),
fsynced, then renamed over the original (storage.warehouse.files.publish). A reader sees the
old file or the new one, never half of one; a crash leaves at worst a stray temporary file,
and running the erasure again rewrites whatever still holds the person (files that no longer
do are only read). Files that do not hold the person are never rewritten.

- Prospect store: every imported list of every client of the company
  (storage.prospects.sites.site_dir), matched by the identity rule. The generated sample is
  shared by every company and synthetic: it is not rewritten (suppression keeps its rows out).
- Warehouse lake: every version of the person's leads (by lead id) in `leads/`, and their rows
  in `command_leads/` and `lead_sources/`. A rewritten compaction base gets its territory
  breakdown and index rewritten first (storage.warehouse.territory), so the view's counts
  follow. The caller holds the lake's writer lock (storage.warehouse.lake.writer_lock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from storage.leads.identity import IDENTITY_FIELDS
from storage.privacy.person import ErasedPerson
from storage.prospects.sites import site_dir
from storage.warehouse.files import publish, temporary_name
from storage.warehouse.lake import BASE_SUFFIX
from storage.warehouse.territory import breakdown_path, write_territory

_BATCH_ROWS = 131_072
# Lake folder → the column naming the lead.
LAKE_FOLDERS = {"leads": "id", "command_leads": "lead_id", "lead_sources": "lead_id"}


@dataclass
class FilesErased:
    rows: int = 0
    files_rewritten: int = 0
    files_read: int = 0

    def as_counts(self) -> dict[str, int]:
        return {"rows": self.rows, "files_rewritten": self.files_rewritten,
                "files_read": self.files_read}


def _compression(parquet: pq.ParquetFile) -> str:
    metadata = parquet.metadata
    if metadata.num_row_groups and metadata.num_columns:
        return str(metadata.row_group(0).column(0).compression).lower()
    return "zstd"


def rewrite_without(path: Path, drop: pa.Array,
                    before_publish: Callable[[Path], None] | None = None) -> int:
    """Rewrite `path` without the rows where `drop` is true (atomically); rows dropped."""
    removed = pc.sum(drop).as_py() or 0
    if not removed:
        return 0
    parquet = pq.ParquetFile(path)
    temporary = temporary_name(path)
    keep = pc.invert(drop)
    try:
        with pq.ParquetWriter(temporary, parquet.schema_arrow,
                              compression=_compression(parquet)) as writer:
            at = 0
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
                kept = batch.filter(keep.slice(at, batch.num_rows))
                at += batch.num_rows
                if kept.num_rows:
                    writer.write_table(pa.Table.from_batches([kept]),
                                       row_group_size=_BATCH_ROWS)
        if before_publish is not None:
            before_publish(temporary)
        publish(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return int(removed)


def erase_from_prospects(prospect_dir: Path, person: ErasedPerson,
                         client_ids: Iterable[str]) -> FilesErased:
    """Rewrite the company's imported lists without the person's rows."""
    result = FilesErased()
    for client_id in sorted(set(client_ids)):
        folder = site_dir(prospect_dir, person.company_id, client_id)
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.glob("*.parquet") if p.is_file()):
            parquet = pq.ParquetFile(path)
            present = [name for name in IDENTITY_FIELDS if name in parquet.schema_arrow.names]
            result.files_read += 1
            hits = person.matches(pq.read_table(path, columns=present))
            removed = rewrite_without(path, hits)
            if removed:
                result.rows += removed
                result.files_rewritten += 1
    return result


def erase_from_lake(warehouse_dir: Path, lead_ids: list[str]) -> FilesErased:
    """Rewrite the lake's files holding the leads `lead_ids` without them (caller holds the
    writer lock)."""
    result = FilesErased()
    if not lead_ids:
        return result
    wanted = pa.array(sorted(set(lead_ids)), pa.string())
    for folder, column in LAKE_FOLDERS.items():
        for path in sorted((warehouse_dir / folder).glob("*.parquet")):
            result.files_read += 1
            ids = pq.read_table(path, columns=[column]).column(column)
            hits = pc.fill_null(pc.is_in(ids, value_set=wanted), False)
            if isinstance(hits, pa.ChunkedArray):
                hits = hits.combine_chunks()
            base = folder == "leads" and path.stem.endswith(BASE_SUFFIX)
            removed = rewrite_without(
                path, hits,
                before_publish=(lambda written, base_file=path: _territory_for(base_file,
                                                                               written))
                if base else None)
            if removed:
                result.rows += removed
                result.files_rewritten += 1
    return result


def _territory_for(base: Path, written: Path) -> None:
    # Published before the base, as compaction does: the breakdown never counts a lead the
    # base it sits beside no longer holds once the base is renamed into place.
    if breakdown_path(base).exists():
        with duckdb.connect() as con:
            write_territory(con, base, written)
