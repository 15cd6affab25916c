"""The analysts' views over commands, links and provenance: command_funnel, source_yield,
score_distribution — synced like the leads, tenant columns on every row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from sqlmodel import Session

from storage.commands.models import Command
from storage.leads.models import CommandLead, LeadSource
from storage.warehouse.catalog import sync_tables
from tests.storage.warehouse.test_warehouse import T0, Store


def add_command(store: Store, command_id: str, lead_ids: list[str], state: str) -> None:
    with Session(store.engine) as session:
        session.add(Command(id=command_id, company_id="acme", site_id="site_a",
                            leads_requested=5, request={}, command_object={}, run_state=state,
                            created_at=T0, updated_at=T0 + timedelta(seconds=10)))
        session.flush()
        for rank, lead_id in enumerate(lead_ids, start=1):
            session.add(CommandLead(command_id=command_id, lead_id=lead_id, rank=rank,
                                    match_score=0.5, created_at=T0 + timedelta(seconds=10)))
        session.commit()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.put("ann", T0, score=0.95, verified=True, source="sample")
    store.put("bob", T0 + timedelta(seconds=1), score=0.42, verified=False, source="sample")
    store.put("cy", T0 + timedelta(seconds=2), score=0.45, verified=True, source="import:x.csv")
    add_command(store, "cmd_done", ["ann", "bob"], "COMPLETED")
    add_command(store, "cmd_running", ["cy"], "RUNNING")
    with Session(store.engine) as session:
        session.add(LeadSource(id="src1", lead_id="ann", source="website", found_at=T0))
        session.commit()
    store.sync()
    sync_tables(store.url, store.settings.warehouse_dir)
    return store


def test_command_funnel_counts_found_verified_delivered(store: Store) -> None:
    rows = store.query("SELECT company_id, site_id, command_id, status, leads_requested, found, "
                       "verified, delivered FROM command_funnel ORDER BY command_id")
    assert rows == [("acme", "site_a", "cmd_done", "COMPLETED", 5, 2, 1, 2),
                    ("acme", "site_a", "cmd_running", "RUNNING", 5, 1, 1, 0)]


def test_source_yield_counts_every_source_of_a_lead(store: Store) -> None:
    rows = store.query("SELECT company_id, site_id, source, leads, verified_share "
                       "FROM source_yield ORDER BY source")
    assert rows == [("acme", "site_a", "import:x.csv", 1, 1.0),
                    ("acme", "site_a", "sample", 2, 0.5),
                    ("acme", "site_a", "website", 1, 1.0)]


def test_score_distribution_buckets_tenths(store: Store) -> None:
    rows = store.query("SELECT company_id, site_id, score_bucket, leads, verified "
                       "FROM score_distribution ORDER BY score_bucket")
    assert rows == [("acme", "site_a", 0.4, 2, 1), ("acme", "site_a", 0.9, 1, 1)]


def test_a_reader_kept_open_sees_later_syncs_and_deletes(store: Store) -> None:
    with duckdb.connect(str(store.settings.warehouse_db), read_only=True) as reader:
        assert reader.sql("SELECT count(*) FROM command_funnel").fetchall() == [(2,)]
        add_command(store, "cmd_third", ["cy"], "COMPLETED")
        store.put("bob", T0 + timedelta(seconds=30), deleted_at=T0 + timedelta(seconds=30))
        store.sync()
        assert sync_tables(store.url, store.settings.warehouse_dir)["commands"] == 1
        assert sync_tables(store.url, store.settings.warehouse_dir) == {
            "commands": 0, "command_leads": 0, "lead_sources": 0}  # nothing new: no file
        funnel = reader.sql("SELECT command_id, found FROM command_funnel "
                            "WHERE command_id = 'cmd_third'").fetchall()
        sample = reader.sql("SELECT leads FROM source_yield WHERE source = 'sample'").fetchall()
    assert funnel == [("cmd_third", 1)]
    assert sample == [(1,)]


def test_leads_after_compaction_follow_later_edits_deletes_and_stale_rewrites(
    tmp_path: Path,
) -> None:
    from storage.warehouse.catalog import compact

    store = Store(tmp_path / "data")
    for index, name in enumerate(["ann", "bob", "cy", "dee"]):
        store.put(name, T0 + timedelta(seconds=index), score=0.5)
    store.sync()
    compact(store.settings.warehouse_dir)
    assert any(name.endswith("-base.parquet") for name in store.lead_files())

    store.put("ann", T0 + timedelta(minutes=1), score=0.9)
    store.put("bob", T0 + timedelta(minutes=1), deleted_at=T0 + timedelta(minutes=1))
    store.put("eve", T0 + timedelta(minutes=1), score=0.1)
    store.sync()
    store.sync(overlap_seconds=3600)  # re-reads everything: nothing may change

    assert store.query("SELECT id, score FROM leads ORDER BY id") == [
        ("ann", 0.9), ("cy", 0.5), ("dee", 0.5), ("eve", 0.1)]
    compact(store.settings.warehouse_dir)
    assert store.query("SELECT id, score FROM leads ORDER BY id") == [
        ("ann", 0.9), ("cy", 0.5), ("dee", 0.5), ("eve", 0.1)]
