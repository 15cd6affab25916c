"""`leadmill privacy erase` on an instance's data dir: the same erasure as the API, the person
read back from a fresh connection afterwards, the audit naming the operator; usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from storage.db.engine import build_engine
from storage.leads.models import Lead
from storage.privacy.models import ErasureAudit, Suppression
from storage.runtime import open_runtime
from storage.schema import create_schema
from tests.api.privacy.erasure_seed import ADA, read_artifacts, seed_person, table_rows
from tests.api.tenant_helpers import create_tenant
from tests.fixtures.servers import make_settings

ROOT = Path(__file__).resolve().parents[2]


def privacy_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEADMILL_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "cli.main", "privacy", "erase", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def instance(tmp_path, prefect_server, sample_prospect_dir):
    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    create_schema(open_runtime(settings).engine)
    return settings


def test_erase_by_email_reports_counts_and_leaves_only_fingerprints(instance, tmp_path) -> None:
    tenant = create_tenant(instance, "Cli Engines")
    seeded = seed_person(instance, tenant.company_id, tenant.client_id, tmp_path)
    result = privacy_cli(instance.data_dir, "--email", ADA["email"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["removed"]["operational_db"]["leads"] == 2
    assert report["removed"]["prospect_store"]["rows"] == 1
    assert report["removed"]["prefect_artifacts"]["deleted"] == 1
    engine = build_engine(instance.sqlalchemy_url)
    try:
        with Session(engine) as session:
            left = session.exec(select(Lead.id).where(
                Lead.company_id == tenant.company_id)).all()
            audit = session.exec(select(ErasureAudit)).one()
            entries = session.exec(select(Suppression)).all()
    finally:
        engine.dispose()
    assert left == [seeded.charles_lead]
    assert audit.user_id.startswith("cli") and audit.subject_kind == "email"
    assert entries and all(e.reason == "erasure" and e.sealed_value is None for e in entries)
    tables = [a for a in read_artifacts(seeded.artifact_keys) if a.type == "table"]
    assert all("Ada" not in json.dumps(table_rows(a)) for a in tables)


def test_erase_refuses_bad_subjects_and_unknown_leads(instance) -> None:
    create_tenant(instance, "Only Co")
    nothing = privacy_cli(instance.data_dir)
    two = privacy_cli(instance.data_dir, "--email", "a@example.com", "--phone", "+14155550100")
    bad = privacy_cli(instance.data_dir, "--email", "nobody")
    unknown = privacy_cli(instance.data_dir, "--lead-id", "no-such-lead")
    assert nothing.returncode == two.returncode == 2  # argparse: exactly one is required
    assert bad.returncode == 2 and "not a valid email" in bad.stderr
    assert unknown.returncode == 1 and "no lead no-such-lead" in unknown.stderr


def test_erase_needs_the_company_when_there_are_several(instance) -> None:
    first = create_tenant(instance, "First Co")
    create_tenant(instance, "Second Co")
    unnamed = privacy_cli(instance.data_dir, "--email", "x@example.com")
    named = privacy_cli(instance.data_dir, "--email", "x@example.com", "--company",
                        first.company_id)
    assert unnamed.returncode == 2 and "--company" in unnamed.stderr
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["removed"]["operational_db"]["leads"] == 0
