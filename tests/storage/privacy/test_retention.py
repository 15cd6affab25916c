"""Retention on SQLite and PostgreSQL, read back through a fresh engine: raw source leads and
the payloads and attempt logs of settled webhook events older than the setting go, newer
ones and pending events stay; a second purge finds nothing; the setting is read from
LEADMILL_RETENTION_DAYS and refuses less than a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from storage.db.clock import utcnow
from storage.db.engine import build_engine
from storage.leads.models import SourceLead
from storage.privacy.retention import purge_expired
from storage.settings import LeadmillSettings
from storage.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.fixtures.privacy_records import add_command, add_delivery, add_source_lead


def test_only_settled_records_older_than_the_setting_are_purged(store) -> None:
    engine, (company, _) = store
    url = engine.url.render_as_string(hide_password=False)
    old, recent = utcnow() - timedelta(days=31), utcnow() - timedelta(days=29)
    old_raw = add_source_lead(engine, company, "site-a", created_at=old, email="a@old.io")
    recent_raw = add_source_lead(engine, company, "site-a", created_at=recent, email="b@new.io")
    command = add_command(engine, company, "site-a")
    old_delivered = add_delivery(engine, command, settled_at=old, attempts=2)
    old_failed = add_delivery(engine, command, status="failed", settled_at=old, attempts=3)
    old_pending = add_delivery(engine, command, status="pending", settled_at=old)
    recent_delivered = add_delivery(engine, command, settled_at=recent)

    purged = purge_expired(engine, 30)
    assert (purged.source_leads, purged.webhook_payloads, purged.webhook_attempts) == (1, 2, 5)
    assert purged.retention_days == 30 and purged.cutoff.endswith("Z")

    fresh = build_engine(url)
    with Session(fresh) as session:
        assert set(session.exec(select(SourceLead.id)).all()) == {recent_raw}
        assert old_raw != recent_raw
        deliveries = {row.id: row for row in session.exec(select(WebhookDelivery)).all()}
        for emptied in (old_delivered, old_failed):
            assert deliveries[emptied].payload == {}
            assert deliveries[emptied].payload_purged_at is not None
        for kept in (old_pending, recent_delivered):
            assert deliveries[kept].payload["command_id"] == command
            assert deliveries[kept].payload_purged_at is None
        logged = {row.delivery_id for row in session.exec(select(WebhookAttempt)).all()}
        assert logged == {old_pending, recent_delivered}
        # The rows themselves stay: the command's status still shows how its events went.
        assert deliveries[old_failed].status == "failed" and deliveries[old_failed].attempts == 3
    fresh.dispose()

    again = purge_expired(engine, 30)
    assert (again.source_leads, again.webhook_payloads, again.webhook_attempts) == (0, 0, 0)
    # A shorter setting reaches the recent ones too.
    shorter = purge_expired(engine, 28)
    assert (shorter.source_leads, shorter.webhook_payloads) == (1, 1)


def test_the_setting_defaults_to_90_days_reads_the_environment_and_needs_a_day(
        monkeypatch, tmp_path) -> None:
    assert LeadmillSettings(data_dir=tmp_path).retention_days == 90
    monkeypatch.setenv("LEADMILL_RETENTION_DAYS", "7")
    assert LeadmillSettings(data_dir=tmp_path).retention_days == 7
    for bad in ("0", "-3", "soon"):
        monkeypatch.setenv("LEADMILL_RETENTION_DAYS", bad)
        with pytest.raises(ValidationError) as raised:
            LeadmillSettings(data_dir=tmp_path)
        assert "retention_days" in str(raised.value)
    with pytest.raises(ValueError, match="at least 1"):
        purge_expired(build_engine(f"sqlite:///{tmp_path / 'x.db'}"), 0)
