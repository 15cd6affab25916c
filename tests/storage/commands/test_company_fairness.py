"""Fairness between tenants in the operational DB, on SQLite and on PostgreSQL: the order the
executors claim waiting commands in, the company-wide lead quota, and the import slot."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from storage.commands.limits import lead_quota_shortfall
from storage.commands.models import Command
from storage.commands.records import PRIORITY_RANK, dispatchable_commands
from storage.db.clock import utcnow
from storage.db.engine import build_engine, session_scope
from storage.prospects.admission import (
    IMPORT_SLOT_LEASE,
    CompanyImportSlot,
    ImportBusy,
    company_import_slot,
)
from storage.schema import create_schema
from storage.tenancy.accounts import create_client, create_company, create_user
from storage.tenancy.models import Client
from tests.fixtures.postgres import database_url, postgres_server  # noqa: F401 - fixtures
from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401


@pytest.fixture
def engine(tmp_path, database_url):  # noqa: F811
    engine = build_engine(database_url or f"sqlite:///{tmp_path / 'fair.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def _company_with_site(engine, name: str) -> tuple[str, str]:
    with session_scope(engine) as session:
        company = create_company(session, name)
        user = create_user(session, company, f"{uuid.uuid4().hex[:8]}@example.com", role="owner")
        client = create_client(session, company, user, f"{name} site",
                               client_id=f"site-{uuid.uuid4().hex[:8]}")
        return company.id, client.client_id


def _store(engine, company: str, site: str, priority: str, *, state: str = "QUEUED",
           age_seconds: float = 0.0, leads: int = 1) -> str:
    command_id = f"cmd_{uuid.uuid4().hex[:12]}"
    with session_scope(engine) as session:
        session.add(Command(id=command_id, company_id=company, site_id=site,
                            leads_requested=leads, priority=priority,
                            priority_rank=PRIORITY_RANK[priority], request={},
                            command_object={}, run_state=state,
                            created_at=utcnow() - timedelta(seconds=age_seconds)))
    return command_id


def _order(engine, limit: int) -> list[str]:
    with session_scope(engine) as session:
        return [command.id for command in dispatchable_commands(session, limit)]


def test_a_flooding_company_waits_behind_another_companys_single_command(engine) -> None:
    flood, flood_site = _company_with_site(engine, "Flood")
    quiet, quiet_site = _company_with_site(engine, "Quiet")
    for _ in range(2):
        _store(engine, flood, flood_site, "high", state="RUNNING", age_seconds=100)
    floods = [_store(engine, flood, flood_site, "high", age_seconds=90 - i) for i in range(30)]
    single = _store(engine, quiet, quiet_site, "low")  # the newest, and the lowest priority

    order = _order(engine, 3)

    assert order[0] == single
    assert order[1:] == floods[:2]


def test_priority_still_orders_one_companys_commands(engine) -> None:
    company, site = _company_with_site(engine, "Solo")
    low = _store(engine, company, site, "low", age_seconds=30)
    medium = _store(engine, company, site, "medium", age_seconds=20)
    high = _store(engine, company, site, "high", age_seconds=10)

    assert _order(engine, 10) == [high, medium, low]


def test_companies_with_nothing_running_take_turns(engine) -> None:
    first, first_site = _company_with_site(engine, "First")
    second, second_site = _company_with_site(engine, "Second")
    a = [_store(engine, first, first_site, "high", age_seconds=50 - i) for i in range(3)]
    b = [_store(engine, second, second_site, "low", age_seconds=40 - i) for i in range(3)]

    # `first` waited longest, so it starts; then one each, whatever the priorities say.
    assert _order(engine, 6) == [a[0], b[0], a[1], b[1], a[2], b[2]]


def test_sites_share_their_companys_quota_and_a_client_quota_only_lowers_it(engine) -> None:
    company, site = _company_with_site(engine, "Quota")
    other_site = f"site-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as session:
        session.add(Client(id=str(uuid.uuid4()), client_id=other_site, company_id=company,
                           owner="owner", client_name="second site"))
    _store(engine, company, site, "medium", leads=60)
    _store(engine, company, site, "medium", leads=500, state="FAILED")  # not charged
    with session_scope(engine) as session:
        second = session.exec(select(Client).where(Client.client_id == other_site)).one()
        shortfall = lead_quota_shortfall(session, second, 50, company_quota=100)
        assert shortfall is not None
        assert shortfall.details() == {"scope": "company", "quota": 100, "used": 60,
                                       "requested": 50}
        assert lead_quota_shortfall(session, second, 40, company_quota=100) is None
        second.lead_quota = 1_000  # above the company's: does not raise it
        assert lead_quota_shortfall(session, second, 50, company_quota=100).scope == "company"
        second.lead_quota = 30  # below: lowers the site's share
        refused = lead_quota_shortfall(session, second, 31, company_quota=100)
        assert (refused.scope, refused.quota, refused.used) == ("site", 30, 0)


def test_one_import_at_a_time_per_company(engine) -> None:
    company, _ = _company_with_site(engine, "Importer")
    other, _ = _company_with_site(engine, "Other importer")
    with company_import_slot(engine, company, "process-1"):
        with pytest.raises(ImportBusy), company_import_slot(engine, company, "process-2"):
            pass
        with company_import_slot(engine, other, "process-2"):
            pass  # another company imports meanwhile
    with company_import_slot(engine, company, "process-2"):
        pass  # released


def test_a_slot_whose_holder_died_is_taken_over_after_its_lease(engine) -> None:
    company, _ = _company_with_site(engine, "Crashed importer")
    with session_scope(engine) as session:
        session.add(CompanyImportSlot(company_id=company, holder="dead-process",
                                      acquired_at=utcnow() - IMPORT_SLOT_LEASE
                                      - timedelta(minutes=1)))
    with company_import_slot(engine, company, "process-2"):
        pass
