"""`leadmill export` as a real process: Leadmill, HubSpot and Salesforce layouts, CSV/Parquet."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.storage.warehouse.test_warehouse import T0, Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def synced(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.put("ann", T0, first_name="Ann", last_name="Lee", email="ann@example.com",
              company="Initech", position="CTO", country="DE", score=0.9)
    store.put("bob", T0 + timedelta(seconds=1), company=None, score=0.3)
    store.put("gone", T0 + timedelta(seconds=2), company="X")
    store.put("gone", T0 + timedelta(seconds=3), deleted_at=T0 + timedelta(seconds=3))
    store.sync()
    return store


def export(store: Store, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "export", "--data-dir", str(store.settings.data_dir),
         *args], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_the_live_leads_of_a_site_as_csv(synced: Store, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    done = export(synced, "--site", "site_a", "--output", str(out))
    assert done.returncode == 0, done.stderr
    written = rows(out)
    assert [row["id"] for row in written] == ["ann", "bob"]
    assert written[0]["email"] == "ann@example.com" and written[0]["site_id"] == "site_a"
    assert export(synced, "--site", "other", "--output", str(out)).returncode == 0
    assert rows(out) == []


def test_hubspot_layout_uses_hubspot_property_labels(synced: Store, tmp_path: Path) -> None:
    out = tmp_path / "hubspot.csv"
    assert export(synced, "--layout", "hubspot", "--output", str(out)).returncode == 0
    ann = rows(out)[0]
    assert (ann["First Name"], ann["Last Name"], ann["Email"], ann["Company Name"],
            ann["Job Title"], ann["Country/Region"]) == (
        "Ann", "Lee", "ann@example.com", "Initech", "CTO", "DE")


def test_salesforce_layout_fills_the_required_lead_fields(synced: Store, tmp_path: Path) -> None:
    out = tmp_path / "salesforce.parquet"
    assert export(synced, "--layout", "salesforce", "--output", str(out)).returncode == 0
    table = pq.read_table(out).to_pylist()
    assert {"FirstName", "LastName", "Company", "Title", "LeadSource", "Rating"} <= set(table[0])
    assert [row["Rating"] for row in table] == ["Hot", "Cold"]
    assert table[1]["LastName"] == "Bob" and table[1]["Company"] == "[not provided]"


@pytest.mark.parametrize("args", [["--since", "yesterday"], ["--layout", "zoho"]])
def test_export_refuses_bad_options(synced: Store, tmp_path: Path, args: list[str]) -> None:
    done = export(synced, "--output", str(tmp_path / "x.csv"), *args)
    assert done.returncode == 2 and done.stderr


def test_export_without_a_warehouse_says_so(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cli.main", "export", "--data-dir",
                           str(tmp_path / "empty"), "--output", str(tmp_path / "x.csv")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no warehouse" in done.stderr


def test_a_site_id_two_companies_use_needs_the_company(synced: Store, tmp_path: Path) -> None:
    from sqlmodel import Session

    from storage.tenancy.models import Company

    with Session(synced.engine) as session:
        session.add(Company(id="other", name="Other", created_at=T0, updated_at=T0))
        session.commit()
    synced.put("eve", T0 + timedelta(seconds=5), company_id="other", company="Evil Inc")
    synced.sync()
    out = tmp_path / "leads.csv"
    mixed = export(synced, "--site", "site_a", "--output", str(out))
    assert mixed.returncode == 2 and "several companies" in mixed.stderr
    assert export(synced, "--site", "site_a", "--company", "acme", "--output",
                  str(out)).returncode == 0
    assert [row["id"] for row in rows(out)] == ["ann", "bob"]
    assert export(synced, "--site", "site_a", "--company", "other", "--output",
                  str(out)).returncode == 0
    assert [row["id"] for row in rows(out)] == ["eve"]
    report = tmp_path / "report.html"
    command = [sys.executable, "-m", "cli.main", "report", "--data-dir",
               str(synced.settings.data_dir), "--site", "site_a", "--start", "2000-01-01",
               "--output", str(report)]
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "several companies" in refused.stderr
    done = subprocess.run([*command, "--company", "other"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 leads of site_a" in done.stderr
