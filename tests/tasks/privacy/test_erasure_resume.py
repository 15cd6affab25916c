"""An erasure stopped midway (the Prefect API unreachable after the files were rewritten)
commits nothing in the DB, leaves no half-written file, and running it again finishes it."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from sqlmodel import Session, select

from storage.db.engine import build_engine
from storage.leads.models import Lead
from storage.privacy.models import ErasureAudit, Suppression
from storage.privacy.person import Subject
from storage.prospects.sites import site_dir
from storage.runtime import open_runtime
from storage.schema import create_schema
from tasks.privacy.erasure import ErasureIncomplete, erase_person
from tests.api.privacy.erasure_seed import ADA, CHARLES, read_artifacts, seed_person, table_rows
from tests.api.tenant_helpers import create_tenant
from tests.conftest import free_port
from tests.fixtures.servers import make_settings

ADA_SUBJECT = Subject.named("email", ADA["email"])

def test_a_rerun_finishes_an_erasure_the_prefect_api_interrupted(tmp_path, prefect_server,
                                                                 sample_prospect_dir) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    runtime = open_runtime(settings)
    create_schema(runtime.engine)
    tenant = create_tenant(settings, "Resume Co")
    seeded = seed_person(settings, tenant.company_id, tenant.client_id, tmp_path)
    with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{free_port()}/api"}), \
            pytest.raises(ErasureIncomplete):
        erase_person(runtime, tenant.company_id, tenant.user_id, ADA_SUBJECT)
    engine = build_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:  # nothing of the DB part was committed
            assert len(session.exec(select(Lead).where(
                Lead.company_id == tenant.company_id)).all()) == 3
            assert not session.exec(select(Suppression)).all()
            assert not session.exec(select(ErasureAudit)).all()
        folder = site_dir(settings.prospect_dir, tenant.company_id, tenant.client_id)
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]
        assert not [p for p in settings.warehouse_dir.rglob(".*") if p.suffix == ".tmp"]
        # Every file is whole (Parquet footers read back) and already without Ada.
        emails = [e for p in folder.glob("*.parquet") for e in pq.read_table(p)
                  .column("email").to_pylist()]
        assert emails == [CHARLES["email"]]

        report = erase_person(runtime, tenant.company_id, tenant.user_id, ADA_SUBJECT)
        assert report.removed["operational_db"]["leads"] == 2
        assert report.removed["prospect_store"]["files_rewritten"] == 0  # done the first time
        assert report.removed["prefect_artifacts"]["deleted"] == 1
        with Session(engine) as session:
            assert session.exec(select(Lead.id).where(
                Lead.company_id == tenant.company_id)).all() == [seeded.charles_lead]
            assert session.exec(select(ErasureAudit)).one().user_id == tenant.user_id
    finally:
        engine.dispose()
    tables = [a for a in read_artifacts(seeded.artifact_keys) if a.type == "table"]
    assert [[row["name"] for row in table_rows(a)] for a in tables] == [[CHARLES["name"]]]
