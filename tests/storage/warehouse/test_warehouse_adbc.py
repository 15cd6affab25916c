"""The SQLite sync through the ADBC child process (`child_min_rows=1` sends every sync there)
writes the same rows as the in-process reader, follows edits and deletes, skips versions the
lake holds, and leaves the parent's own SQLite connections working."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from storage.warehouse.adbc import adbc_available
from storage.warehouse.catalog import ensure_warehouse, sync_leads
from storage.warehouse.models import WarehouseWatermark
from tests.storage.warehouse.test_warehouse import T0, Store

pytestmark = pytest.mark.skipif(not adbc_available(), reason="adbc-driver-sqlite not installed")

_VERSIONS = "SELECT * EXCLUDE (filename) FROM lead_versions ORDER BY id, updated_at"


def _put_mixed_leads(store: Store) -> None:
    store.put("ann", T0, score=0.9, verified=True, match_reasons=["Role match: CTO"],
              country="DE", notes="met at a fair")
    store.put("bob", T0 + timedelta(seconds=1), score=None, verified=False, match_reasons=[])
    store.put("cy", T0 + timedelta(seconds=2), revenue_usd=5_000_000, deleted_at=T0)


def test_the_child_writes_what_the_in_process_reader_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    _put_mixed_leads(store)

    result = store.sync(child_min_rows=1)

    assert (result.rows_written, result.files_written) == (3, 1)
    assert result.synced_until == T0 + timedelta(seconds=2)
    through_child = store.query(_VERSIONS)
    other = tmp_path / "other"
    ensure_warehouse(other / "warehouse", other / "warehouse.duckdb")
    with Session(store.engine) as session:  # the second lake starts from nothing
        session.delete(session.get(WarehouseWatermark, "lead"))
        session.commit()
    sync_leads(store.url, other / "warehouse", child_min_rows=None)
    store.settings = store.settings.model_copy(update={"data_dir": other})
    assert store.query(_VERSIONS) == through_child


def test_edits_deletes_and_overlap_through_the_child(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    _put_mixed_leads(store)
    store.sync(child_min_rows=1)

    store.put("ann", T0 + timedelta(minutes=1), name="Ann Smith")
    store.put("bob", T0 + timedelta(minutes=1), deleted_at=T0 + timedelta(minutes=1))
    assert store.sync(child_min_rows=1).rows_written == 2
    assert store.sync(child_min_rows=1, overlap_seconds=3600).rows_written == 0

    assert store.query("SELECT id, name FROM leads") == [("ann", "Ann Smith")]
    store.put("dee", T0 + timedelta(minutes=2))  # the parent's SQLite still reads and writes
    assert store.sync().rows_written == 1
