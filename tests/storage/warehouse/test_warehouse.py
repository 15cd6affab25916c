"""The warehouse follows the operational DB: syncs, edits, soft deletes, late commits,
concurrent readers and compaction, checked through fresh read-only DuckDB connections."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db.engine import build_engine
from storage.leads.models import Lead
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.models import Company
from storage.warehouse.catalog import compact, ensure_warehouse, sync_leads
from storage.warehouse.extract import LEAD_COLUMNS, rows_to_batch

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Store:
    """An operational SQLite DB and a warehouse, both under one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = LeadmillSettings(data_dir=data_dir, database_url=None)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.url = self.settings.sqlalchemy_url
        self.engine: Engine = build_engine(self.url)
        create_schema(self.engine)
        with Session(self.engine) as session:
            session.add(Company(id="acme", name="Acme", created_at=T0, updated_at=T0))
            session.commit()

    def put(self, lead_id: str, at: datetime, **fields: object) -> None:
        """Insert or update a lead, as the pipeline would, with `updated_at=at`."""
        with Session(self.engine) as session:
            lead = session.get(Lead, lead_id) or Lead(
                id=lead_id, company_id="acme", site_id="site_a", dedupe_key=f"email:{lead_id}",
                name=lead_id.title(), created_at=at,
            )  # fmt: skip
            for name, value in fields.items():
                setattr(lead, name, value)
            lead.updated_at = at
            session.add(lead)
            session.commit()

    def sync(self, **options: float):
        ensure_warehouse(self.settings.warehouse_dir, self.settings.warehouse_db)
        return sync_leads(self.url, self.settings.warehouse_dir, **options)

    def query(self, sql: str) -> list[tuple]:
        """Through a fresh read-only connection, as an analyst would."""
        with duckdb.connect(str(self.settings.warehouse_db), read_only=True) as con:
            return con.sql(sql).fetchall()

    def lead_files(self) -> list[str]:
        return sorted(p.name for p in (self.settings.warehouse_dir / "leads").glob("*.parquet"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def test_views_answer_before_the_first_sync(store: Store) -> None:
    ensure_warehouse(store.settings.warehouse_dir, store.settings.warehouse_db)
    assert store.query("SELECT count(*) FROM leads") == [(0,)]
    assert store.query("SELECT count(*) FROM territory_breakdown") == [(0,)]


def test_synced_leads_are_queryable_through_a_fresh_read_only_connection(store: Store) -> None:
    store.put(
        "ann",
        T0,
        company="Globex",
        country="DE",
        industry="SaaS",
        company_size="11-50",
        position="CTO",
        score=0.9,
        verified=True,
        match_reasons=["Role match: CTO"],
    )
    store.put(
        "bob",
        T0 + timedelta(seconds=1),
        company="Globex",
        country="DE",
        industry="SaaS",
        company_size="11-50",
        position="CTO",
        score=0.5,
        verified=False,
    )

    result = store.sync()

    assert (result.rows_written, result.files_written) == (2, 1)
    assert result.synced_until == T0 + timedelta(seconds=1)
    assert store.query("SELECT id, match_reasons, verified, updated_at FROM leads ORDER BY id") == [
        ("ann", ["Role match: CTO"], True, T0.replace(tzinfo=None)),
        ("bob", [], False, (T0 + timedelta(seconds=1)).replace(tzinfo=None)),
    ]
    assert store.query(
        "SELECT company_id, site_id, company, industry, country, leads, avg_score, verified_share"
        " FROM companies"
    ) == [("acme", "site_a", "Globex", "SaaS", "DE", 2, pytest.approx(0.7), pytest.approx(0.5))]
    assert store.query(
        "SELECT country, industry, company_size, position, leads, verified_share"
        " FROM territory_breakdown"
    ) == [("DE", "SaaS", "11-50", "CTO", 2, pytest.approx(0.5))]


def test_edits_and_soft_deletes_show_after_the_next_sync(store: Store) -> None:
    store.put("ann", T0, name="Ann")
    store.put("bob", T0)
    store.sync()

    store.put("ann", T0 + timedelta(minutes=1), name="Ann Smith")
    store.put("bob", T0 + timedelta(minutes=1), deleted_at=T0 + timedelta(minutes=1))
    result = store.sync()

    assert result.rows_written == 2
    assert store.query("SELECT id, name FROM leads") == [("ann", "Ann Smith")]
    assert store.query("SELECT id, deleted FROM lead_versions ORDER BY id, updated_at") == [
        ("ann", False), ("ann", False), ("bob", False), ("bob", True),
    ]  # fmt: skip


def test_sync_with_nothing_changed_writes_no_file(store: Store) -> None:
    store.put("ann", T0)
    store.sync()
    files = store.lead_files()

    result = store.sync()

    assert (result.rows_written, result.files_written) == (0, 0)
    assert result.synced_until == T0
    assert store.lead_files() == files


@pytest.mark.parametrize("late_by", [timedelta(seconds=2), timedelta(seconds=30),
                                     timedelta(hours=6)], ids=["2s", "30s", "6h"])
def test_late_commit_with_older_updated_at_is_picked_up_however_late(
    store: Store, late_by: timedelta
) -> None:
    store.put("ann", T0)
    store.sync(overlap_seconds=5.0)

    # Committed after that sync, stamped before the newest row it saw (a writer that built
    # its row long before it committed): the change sequence numbers it at commit time.
    store.put("late", T0 - late_by)
    result = store.sync(overlap_seconds=5.0)

    assert result.rows_written == 1
    assert result.synced_until == T0
    assert store.query("SELECT id FROM leads ORDER BY id") == [("ann",), ("late",)]


_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for _ in sys.stdin:
    print(con.sql("SELECT count(*) FROM leads").fetchall()[0][0], flush=True)
"""


def test_reader_process_holding_the_warehouse_open_sees_files_a_later_sync_writes(
    store: Store,
) -> None:
    store.put("ann", T0)
    store.sync()
    reader = _start_reader(store.settings.warehouse_db)
    try:
        assert _ask(reader) == "1"

        store.put("bob", T0 + timedelta(seconds=1))
        store.put("cid", T0 + timedelta(seconds=2))
        assert store.sync().rows_written == 2  # the reader still holds the file open

        assert _ask(reader) == "3"
    finally:
        _stop_reader(reader)


def _ask(reader: subprocess.Popen) -> str:
    reader.stdin.write("\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


def _start_reader(warehouse_db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _READER, str(warehouse_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def _stop_reader(reader: subprocess.Popen) -> None:
    reader.stdin.close()
    reader.wait(timeout=30)
    assert reader.returncode == 0


def test_views_are_rebuilt_for_a_moved_lake_even_while_another_process_reads_them(
    store: Store, tmp_path: Path
) -> None:
    store.put("ann", T0)
    store.sync()
    reader = _start_reader(store.settings.warehouse_db)
    try:
        assert _ask(reader) == "1"
        moved = tmp_path / "moved-warehouse"

        ensure_warehouse(moved, store.settings.warehouse_db)

        assert store.query("SELECT lake_dir FROM warehouse_info") == [(str(moved.resolve()),)]
        assert store.query("SELECT count(*) FROM leads") == [(0,)]
        assert _ask(reader) == "1"  # its open file keeps the old views
    finally:
        _stop_reader(reader)


def test_compaction_keeps_query_results_identical(store: Store) -> None:
    for minute in range(3):
        at = T0 + timedelta(minutes=minute)
        store.put("ann", at, score=0.1 * minute, country="DE", company="Globex")
        store.put(f"new-{minute}", at, country="FR", company="Initech", verified=True)
        store.sync()
    store.put("new-0", T0 + timedelta(minutes=5), deleted_at=T0 + timedelta(minutes=5))
    store.sync()
    views = ["leads ORDER BY id", "companies ORDER BY company", "territory_breakdown ORDER BY 3"]
    before = {view: store.query(f"SELECT * FROM {view}") for view in views}

    result = compact(store.settings.warehouse_dir)

    assert result.files_removed == 6  # the empty schema and base files and four syncs
    assert result.rows_kept == 3
    assert len(store.lead_files()) == 1
    assert {view: store.query(f"SELECT * FROM {view}") for view in views} == before
    store.put("ann", T0 + timedelta(minutes=9), name="Ann After")
    store.sync()
    assert store.query("SELECT name FROM leads WHERE id = 'ann'") == [("Ann After",)]
    assert store.sync().rows_written == 0


def test_rows_as_postgresql_returns_them_convert_to_the_same_schema() -> None:
    # psycopg hands back aware datetimes, parsed JSON lists and real booleans.
    values = dict.fromkeys(LEAD_COLUMNS)
    values.update(
        id="pg-1", company_id="acme", site_id="site_a", dedupe_key="email:x", name="X",
        status="new", score=0.5, match_reasons=["Role match"], verified=True, revenue_usd=10,
        created_at=datetime(2026, 1, 5, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        updated_at=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
    )  # fmt: skip

    row = tuple(values[name] for name in LEAD_COLUMNS)
    record = rows_to_batch([row], text_encoded=False).to_pylist()[0]

    assert record["match_reasons"] == ["Role match"]
    assert (record["verified"], record["deleted"], record["revenue_usd"]) == (True, False, 10)
    assert record["created_at"] == record["updated_at"] == datetime(2026, 1, 5, 10, 0)
