"""territory_breakdown = its pre-aggregated base + the leads changed since: it must always equal
grouping the `leads` view, across compactions, edits, deletes, stale rewrites and old lakes."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from storage.warehouse.catalog import compact, ensure_warehouse
from storage.warehouse.lake import next_lead_file
from tests.storage.warehouse.test_warehouse import T0, Store

_FROM_LEADS = """
SELECT company_id, site_id, country, industry, company_size, position, count(*) AS leads,
       avg(score) AS avg_score, avg(CASE WHEN verified THEN 1.0 ELSE 0.0 END) AS verified_share
FROM leads GROUP BY ALL ORDER BY ALL
"""


def assert_breakdown_matches_leads(store: Store) -> list[tuple]:
    expected = store.query(_FROM_LEADS)
    actual = store.query("SELECT * FROM territory_breakdown ORDER BY ALL")
    assert [row[:7] for row in actual] == [row[:7] for row in expected]
    for got, want in zip(actual, expected, strict=True):
        assert got[7:] == pytest.approx(want[7:], abs=1e-9, nan_ok=True)
    return actual


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    people = [("ann", "DE", 0.9, True), ("bob", "DE", 0.5, False), ("cy", "FR", None, True),
              ("dee", "FR", 0.25, False), ("eve", "US", 0.7, True)]
    for second, (name, country, score, verified) in enumerate(people):
        store.put(name, T0 + timedelta(seconds=second), country=country, score=score,
                  verified=verified, industry="SaaS", company_size="11-50", position="CTO")
    store.sync()
    compact(store.settings.warehouse_dir)
    return store


def test_compacted_breakdown_equals_grouping_the_leads(store: Store) -> None:
    rows = assert_breakdown_matches_leads(store)
    assert [(row[2], row[6]) for row in rows] == [("DE", 2), ("FR", 2), ("US", 1)]


def test_edits_deletes_and_new_leads_after_compaction_show_up(store: Store) -> None:
    later = T0 + timedelta(minutes=1)
    store.put("ann", later, country="FR")  # moves group
    store.put("bob", later, deleted_at=later)  # with ann gone too, DE disappears
    store.put("dee", later, score=0.75, verified=True)  # same group, new figures
    store.put("eve", later, deleted_at=later)  # US disappears
    store.put("fay", later, country="GB", score=0.1, industry="SaaS")  # new lead
    store.sync()

    rows = assert_breakdown_matches_leads(store)
    assert [(row[2], row[6]) for row in rows] == [("FR", 3), ("GB", 1)]

    store.sync(overlap_seconds=3600)  # re-reads everything: nothing may change
    assert store.query("SELECT * FROM territory_breakdown ORDER BY ALL") == rows
    compact(store.settings.warehouse_dir)
    assert store.query("SELECT * FROM territory_breakdown ORDER BY ALL") == rows


def test_a_later_file_with_an_older_version_leaves_the_base_version(store: Store) -> None:
    # A later file may hold a version older than the base's (a re-sync of a version already
    # compacted); the latest version stays the base's, and so does the lead's group.
    leads_dir = store.settings.warehouse_dir / "leads"
    base = pq.read_table(sorted(leads_dir.glob("*-base.parquet"))[-1])
    stale = base.filter(pc.equal(base.column("id"), "ann"))
    older = stale.column("updated_at")[0].as_py() - timedelta(days=1)
    stale = stale.set_column(stale.schema.get_field_index("country"), "country", [["XX"]])
    stale = stale.set_column(stale.schema.get_field_index("updated_at"), "updated_at",
                             pa.array([older], stale.schema.field("updated_at").type))
    pq.write_table(stale, next_lead_file(leads_dir))

    assert store.query("SELECT country FROM leads WHERE id = 'ann'") == [("DE",)]
    rows = assert_breakdown_matches_leads(store)
    assert "XX" not in [row[2] for row in rows]


def test_a_lake_compacted_without_a_breakdown_gets_one(store: Store) -> None:
    before = store.query("SELECT * FROM territory_breakdown ORDER BY ALL")
    for folder in ("territory", "territory_index"):
        shutil.rmtree(store.settings.warehouse_dir / folder)

    ensure_warehouse(store.settings.warehouse_dir, store.settings.warehouse_db)

    assert store.query("SELECT * FROM territory_breakdown ORDER BY ALL") == before
