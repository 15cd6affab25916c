"""Webhook deliveries survive a kill -9 of the API process: the next start delivers the rest."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime

from sqlmodel import Session, select

from storage.db.engine import build_engine
from storage.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.fixtures.servers import make_settings, start_api_process, wait_until
from tests.fixtures.webhooks import completed_commands_with_events

EVENTS = 40


def delivered_ids(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(
            select(WebhookDelivery.id).where(WebhookDelivery.status == "delivered")).all())


def test_pending_deliveries_resume_after_kill_9_and_delivered_ones_are_never_resent(
    tmp_path, prefect_server, sample_prospect_dir, receiver_factory
):
    from deployments.stack import prepare_data

    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)
    engine = build_engine(settings.sqlalchemy_url)
    receiver = receiver_factory(hang_seconds=0.5)  # slow: many attempts are in flight at once
    event_ids = completed_commands_with_events(engine, EVENTS, receiver.url)
    log_file = tmp_path / "api.log"

    process = start_api_process(settings, log_file)
    try:
        before_kill = wait_until(lambda: (found := delivered_ids(engine)) and
                                 len(found) >= 10 and found, 60, "nothing was delivered")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert len(before_kill) < EVENTS, "everything was delivered before the kill"
    received_before_restart = len(receiver.requests)
    restarted_at = time.time()  # a request the dying process sent may be read a bit later

    restarted = start_api_process(settings, log_file)
    try:
        wait_until(lambda: len(delivered_ids(engine)) == EVENTS, 90,
                   "the deliveries left by the killed process were not resumed")
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)

    receipts = Counter(r["headers"]["uncodie-event-id"] for r in receiver.requests)
    assert set(receipts) == set(event_ids)  # every event arrived
    # An event recorded as delivered is never sent again; only those in flight at the kill
    # (sent, reply not yet recorded) may arrive twice — with the same event id.
    assert all(receipts[event_id] == 1 for event_id in before_kill)
    assert all(count <= 2 for count in receipts.values())
    assert len(receiver.requests) >= received_before_restart
    with Session(engine) as session:
        successes = Counter(a.delivery_id for a in session.exec(
            select(WebhookAttempt).where(WebhookAttempt.succeeded)).all())
        delivered_at = {d.id: as_epoch(d.delivered_at)
                        for d in session.exec(select(WebhookDelivery)).all()}
    assert successes == Counter({event_id: 1 for event_id in event_ids})
    # Nothing is sent after its success was recorded, and every repeat is of a request the
    # killed process had sent without living to record the reply.
    assert all(r["wall"] <= delivered_at[r["headers"]["uncodie-event-id"]]
               for r in receiver.requests)
    for event_id in (e for e, count in receipts.items() if count > 1):
        first = min(r["wall"] for r in receiver.requests
                    if r["headers"]["uncodie-event-id"] == event_id)
        assert first < restarted_at, event_id


def as_epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
