"""The warehouse never skips a row: a writer whose transaction commits after a sync that saw a
newer row is still synced, on SQLite and PostgreSQL, because the watermark is the change
sequence assigned inside the writing transaction (storage/db/change_sequence.py)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import duckdb
from sqlmodel import Session

from storage.db.clock import utcnow
from storage.db.engine import build_engine
from storage.leads.models import Lead
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.models import Company
from storage.warehouse.catalog import ensure_warehouse, sync_leads
from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401


def lead(lead_id: str, updated_at) -> Lead:
    return Lead(id=lead_id, company_id="acme", site_id="site_a", dedupe_key=f"email:{lead_id}",
                name=lead_id.title(), created_at=updated_at, updated_at=updated_at)


def test_a_transaction_that_commits_after_a_sync_saw_a_newer_row_is_still_synced(
        tmp_path: Path, database_url: str | None) -> None:
    settings = LeadmillSettings(data_dir=tmp_path / "data", database_url=database_url)
    settings.data_dir.mkdir(parents=True)
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    with Session(engine) as session:
        session.add(Company(id="acme", name="Acme"))
        # No relationship() links the two models, so SQLAlchemy orders one flush's inserts by
        # module and class name, not by foreign key: the tenant goes in first on its own.
        session.flush()
        session.add(lead("ann", utcnow()))
        session.commit()
    ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
    sync = lambda: sync_leads(settings.sqlalchemy_url, settings.warehouse_dir,  # noqa: E731
                              child_min_rows=None)
    sync()

    # A slow writer: its row was built a minute ago, its transaction is still open.
    slow = Session(engine)
    slow.add(lead("slow", utcnow() - timedelta(minutes=1)))
    slow.flush()

    def fast_writer() -> None:  # a quick writer meanwhile, with a newer row
        with Session(engine) as session:
            session.add(lead("fast", utcnow()))
            session.commit()

    fast = threading.Thread(target=fast_writer)
    fast.start()
    fast.join(timeout=3)  # it may commit now, or wait for the slow one (then it waits here)
    sync()  # sees the fast row if it committed, never the open transaction's
    slow.commit()
    slow.close()
    fast.join(timeout=60)
    assert not fast.is_alive()
    sync()

    with duckdb.connect(str(settings.warehouse_db), read_only=True) as con:
        synced = sorted(row[0] for row in con.sql("SELECT id FROM leads").fetchall())
    assert synced == ["ann", "fast", "slow"]
    engine.dispose()
