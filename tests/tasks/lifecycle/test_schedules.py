"""The recurring-search operations both faces call, against a real SQLite file: the timing
rules, the sealed secret, the company's cap, and the command a scheduled run stores — the
same command object as the same request posted to the command API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from storage.commands.limits import CapReached
from storage.commands.models import Command, RecurringSearch
from storage.commands.recurring import get_schedule
from storage.commands.submission import create_command, seal_request
from storage.db.engine import engine_for, session_scope
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.models import Client
from storage.tenancy.secrets import SecretBox
from storage.workspace.models import SearchHistory
from tasks.egress import EgressPolicy
from tasks.lifecycle.recurring import start_scheduled_command
from tasks.lifecycle.schedules import (
    InvalidSchedule,
    ScheduleTiming,
    create_schedule,
    delete_schedule,
    set_schedule_active,
)
from tasks.search.analysis import build_command_object
from tests.fixtures.tenants import store_company_with_site, validated_example

SECRET = "whsec-schedule-secret-91c2"
WEBHOOK = {"url": "https://hooks.example.com/leads", "secret": SECRET}
HOURLY = ScheduleTiming(None, 3600)


@pytest.fixture
def settings(tmp_path: Path) -> LeadmillSettings:
    settings = LeadmillSettings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    create_schema(engine_for(settings.sqlalchemy_url))
    return settings


@pytest.fixture
def engine(settings: LeadmillSettings):
    return engine_for(settings.sqlalchemy_url)


@pytest.fixture
def client(engine) -> Client:
    return store_company_with_site(engine)


@pytest.fixture
def box(settings: LeadmillSettings) -> SecretBox:
    return SecretBox.for_data_dir(settings.secret_key_file)


def _create(engine, client, box, payload, timing=HOURLY, maximum=10) -> str:
    with session_scope(engine) as session:
        return create_schedule(session, client, "weekly", payload, timing, active=True,
                               secret_box=box, egress_policy=EgressPolicy.from_entries(),
                               max_per_company=maximum).id


@pytest.mark.parametrize(("cron", "interval", "timezone", "field"), [
    ("0 9 * * MON", 3600, "UTC", "cron"),
    (None, None, "UTC", "cron"),
    (None, 59, "UTC", "interval_seconds"),
    (None, 3600, "Mars/Olympus", "timezone"),
    ("not a cron", None, "UTC", "cron"),
    ("H 9 * * *", None, "UTC", "cron"),
])
def test_a_timing_the_scheduler_cannot_follow_is_refused_on_its_field(
    cron, interval, timezone, field
) -> None:
    with pytest.raises(InvalidSchedule) as refused:
        ScheduleTiming(cron, interval, timezone)
    assert refused.value.field == field


def test_a_schedules_webhook_secret_is_sealed_and_never_stored_in_clear(
    settings, engine, client, box
) -> None:
    schedule_id = _create(engine, client, box, validated_example(webhook=WEBHOOK),
                          ScheduleTiming("0 9 * * MON", None, "Europe/Madrid"))

    for path in settings.data_dir.glob("leadmill.db*"):
        assert SECRET.encode() not in path.read_bytes(), path
    with session_scope(engine) as session:
        schedule = get_schedule(session, schedule_id, client.company_id)
        assert "secret" not in schedule.request["webhook"]
        assert box.open(schedule.webhook_secret_sealed) == SECRET
        assert (schedule.cron, schedule.timezone) == ("0 9 * * MON", "Europe/Madrid")


def test_a_webhook_the_outbound_policy_refuses_is_refused(engine, client, box) -> None:
    with pytest.raises(InvalidSchedule) as refused:
        _create(engine, client, box, validated_example(webhook={"url": "http://127.0.0.1:9/hook"}))
    assert refused.value.field == "command.webhook.url"


def test_the_companys_cap_on_recurring_searches_holds_paused_ones_included(
    engine, client, box
) -> None:
    first = _create(engine, client, box, validated_example(), maximum=1)
    with session_scope(engine) as session:
        set_schedule_active(session, get_schedule(session, first), False)
    with pytest.raises(CapReached):
        _create(engine, client, box, validated_example(), maximum=1)
    with session_scope(engine) as session:
        delete_schedule(session, get_schedule(session, first))
    _create(engine, client, box, validated_example(), maximum=1)  # a deleted one frees its place
    with session_scope(engine) as session:
        assert len(session.exec(select(RecurringSearch)).all()) == 2


def test_a_scheduled_run_stores_the_command_the_same_request_posted_would(
    settings, engine, client, box
) -> None:
    payload = validated_example(webhook=WEBHOOK, maxLeads=4)
    schedule_id = _create(engine, client, box, payload)
    posted = seal_request(payload, box)
    with session_scope(engine) as session:
        posted_id = create_command(session, client, posted,
                                   build_command_object(posted.request), 1000).id

    scheduled_id = start_scheduled_command.fn(str(settings.data_dir), schedule_id)

    with session_scope(engine) as session:
        by_post, by_schedule = session.get(Command, posted_id), session.get(Command, scheduled_id)
        assert by_schedule.command_object == by_post.command_object
        assert by_schedule.request == by_post.request
        for name in ("site_id", "leads_requested", "priority", "webhook_url"):
            assert getattr(by_schedule, name) == getattr(by_post, name)
        assert box.open(by_schedule.webhook_secret_sealed) == SECRET


def test_a_scheduled_run_over_the_quota_makes_no_command_and_a_failed_history_entry(
    settings, engine, client, box
) -> None:
    schedule_id = _create(engine, client, box, validated_example(maxLeads=10))
    with session_scope(engine) as session:
        row = session.get(Client, client.id)
        row.lead_quota = 3
        session.add(row)

    assert start_scheduled_command.fn(str(settings.data_dir), schedule_id) is None

    with session_scope(engine) as session:
        assert session.exec(select(Command)).all() == []
        [history] = session.exec(select(SearchHistory)).all()
        assert history.status == "failed"
        assert history.error_message.startswith("QUOTA_EXCEEDED: 0 of the site's 3 leads")
        assert get_schedule(session, schedule_id).last_run_at is not None
