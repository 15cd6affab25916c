"""Leases decide who settles what, never host names: a live instance's runs are left alone
however long another instance sweeps; once its heartbeat stops, any instance settles them; an
outcome recorded without the current lease is dropped (commands, task runs, webhooks)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from deployments.lease_keeper import LeaseKeeper
from deployments.webhook_dispatcher import WebhookDispatcher
from storage.commands.leases import (
    CRASH_MESSAGE,
    record_outcome_under_lease,
    settle_expired_commands,
)
from storage.commands.models import Command
from storage.commands.records import claim_command, record_run_state
from storage.db.clock import utcnow
from storage.db.engine import build_engine, session_scope
from storage.db.leases import Lease
from storage.tenancy.demo import DEMO_COMPANY_ID, DEMO_SITE_ID
from storage.webhooks.models import WebhookAttempt, WebhookDelivery
from storage.webhooks.outbox import DROPPED, AttemptOutcome, claim_due_deliveries, record_attempt
from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401
from tests.fixtures.servers import make_settings, wait_until
from tests.fixtures.webhooks import completed_commands_with_events

LEASE_SECONDS = 2.0


@pytest.fixture
def settings(tmp_path: Path, sample_prospect_dir: Path, database_url: str | None):
    from deployments.stack import prepare_data

    settings = make_settings(tmp_path / "data", sample_prospect_dir, database_url=database_url,
                             lease_seconds=LEASE_SECONDS, webhook_retry_base_seconds=0.01)
    prepare_data(settings)
    return settings


@pytest.fixture
def engine(settings):
    engine = build_engine(settings.sqlalchemy_url)
    yield engine
    engine.dispose()


def running_command(engine, instance: str) -> tuple[str, Lease]:
    """A command claimed by `instance` whose flow run has begun (state RUNNING)."""
    command_id = f"cmd_{uuid.uuid4().hex[:16]}"
    with session_scope(engine) as session:
        session.add(Command(id=command_id, company_id=DEMO_COMPANY_ID, site_id=DEMO_SITE_ID,
                            leads_requested=1, request={}, command_object={}))
    lease = Lease.new(LEASE_SECONDS)
    with session_scope(engine) as session:
        assert claim_command(session, command_id, instance, lease)
        record_run_state(session, command_id, "RUNNING")
    return command_id, lease


def state_of(engine, command_id: str) -> Command:
    with Session(engine) as session:
        return session.get(Command, command_id)


def test_a_live_instance_keeps_its_runs_and_a_dead_ones_are_settled_by_any_other(engine):
    command_id, lease = running_command(engine, "host-a:8000")
    alive = LeaseKeeper(engine, Command, LEASE_SECONDS)
    alive.hold(command_id, lease.token)
    alive.start()
    try:
        # Instance B sweeps for several lease lengths while A's heartbeat renews: nothing.
        sweeps_until = time.monotonic() + 3 * LEASE_SECONDS
        while time.monotonic() < sweeps_until:
            settled = settle_expired_commands(engine)
            assert settled.crashed == [] and settled.requeued == []
            time.sleep(0.2)
        assert state_of(engine, command_id).run_state == "RUNNING"
    finally:
        alive.stop()  # A dies: its heartbeat stops

    def settled_by_b():
        return settle_expired_commands(engine).crashed

    assert wait_until(settled_by_b, 10 * LEASE_SECONDS, "B never settled A's run") == [
        (command_id, None)]
    command = state_of(engine, command_id)
    assert command.run_state == "CRASHED" and command.error == CRASH_MESSAGE
    # A, back from a long stall, cannot record its outcome any more.
    assert not record_outcome_under_lease(engine, command_id, lease.token, "COMPLETED")
    assert state_of(engine, command_id).run_state == "CRASHED"


def test_a_claimed_command_that_had_not_begun_is_queued_again_once_its_lease_runs_out(engine):
    command_id, lease = running_command(engine, "host-a:8000")
    with session_scope(engine) as session:
        session.exec(update(Command).where(Command.id == command_id)
                     .values(run_state="PENDING", lease_until=utcnow() - timedelta(seconds=1)))
    settled = settle_expired_commands(engine)
    assert settled.requeued == [(command_id, None)] and settled.crashed == []
    command = state_of(engine, command_id)
    assert (command.run_state, command.lease_token, command.executor_instance) == (
        "QUEUED", None, None)
    assert not record_outcome_under_lease(engine, command_id, lease.token, "COMPLETED")
    assert state_of(engine, command_id).run_state == "QUEUED"


def test_a_late_webhook_outcome_without_the_lease_is_dropped(engine, receiver_factory):
    receiver = receiver_factory()
    [event_id] = completed_commands_with_events(engine, 1, receiver.url)
    # Sender A claims the delivery, then stalls past its lease; sender B claims and delivers.
    [stalled] = claim_due_deliveries(engine, "host-a:8000", 1, lease_seconds=0.05)
    time.sleep(0.1)
    [fresh] = claim_due_deliveries(engine, "host-b:8000", 1, lease_seconds=30)
    assert fresh.id == stalled.id == event_id and fresh.lease_token != stalled.lease_token
    success = AttemptOutcome(status_code=200, latency_ms=5, error=None, started_at=utcnow())
    assert record_attempt(engine, fresh, success, retry_at=None) == "delivered"
    # A's failure arrives late: it must not set the delivered event back to pending.
    failure = AttemptOutcome(status_code=None, latency_ms=9000, error="ReadTimeout",
                             started_at=utcnow())
    assert record_attempt(engine, stalled, failure, retry_at=utcnow()) == DROPPED
    with Session(engine) as session:
        delivery = session.get(WebhookDelivery, event_id)
        attempts = session.exec(select(WebhookAttempt)).all()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert [a.succeeded for a in attempts] == [True]


def test_a_secret_that_cannot_be_opened_ends_failed_with_the_reason(engine, settings,
                                                                     receiver_factory):
    receiver = receiver_factory()
    [event_id] = completed_commands_with_events(engine, 1, receiver.url)
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, event_id)
        session.exec(update(Command).where(Command.id == delivery.command_id)
                     .values(webhook_secret_sealed="sealed-with-another-instance's-key"))
    dispatcher = WebhookDispatcher(settings, engine, "host-a:8000", senders=2)
    dispatcher.start()
    try:
        def ended():
            with Session(engine) as session:
                found = session.get(WebhookDelivery, event_id)
                return found if found.status != "pending" else None

        delivery = wait_until(ended, 60, "the delivery never ended")
    finally:
        dispatcher.stop()
    assert delivery.status == "failed"
    assert delivery.attempts == delivery.max_attempts == 6
    assert "could not be built" in delivery.last_error
    assert "does not match this instance's key" in delivery.last_error
    assert receiver.requests == []  # nothing was sent unsigned


def test_a_failed_attempt_is_due_again_on_the_schedule_and_the_delivery_log_shows_when(
        engine, settings, receiver_factory):
    from api.command.webhook_deliveries import public_delivery
    from storage.db.clock import iso_z

    receiver = receiver_factory(responses=[503])
    [event_id] = completed_commands_with_events(engine, 1, receiver.url)
    production = settings.model_copy(update={"webhook_retry_base_seconds": 60.0})
    dispatcher = WebhookDispatcher(production, engine, "host-a:8000")  # not started: one attempt
    [claimed] = claim_due_deliveries(engine, "host-a:8000", 1, lease_seconds=30)
    before = utcnow()
    assert dispatcher.deliver(claimed) == "pending"
    after = utcnow()
    with Session(engine) as session:
        delivery = session.get(WebhookDelivery, event_id)
    due = delivery.next_attempt_at.replace(tzinfo=before.tzinfo)
    # The first retry: 60 s ± 20 % after the attempt, as `retry_delay` computes it.
    assert before + timedelta(seconds=48) <= due <= after + timedelta(seconds=72)
    assert public_delivery(delivery)["next_attempt_at"] == iso_z(due)
    assert len(receiver.requests) == 1
