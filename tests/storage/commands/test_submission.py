"""`create_command`, the one way a command is stored, called directly against a real SQLite
file: the quota refusal, the sealed webhook secret, and the same command object whether the
command was posted or made by a recurring search."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from storage.commands.models import Command
from storage.commands.submission import (
    QuotaRefused,
    StoredRequest,
    create_command,
    seal_request,
)
from storage.db.engine import build_engine, session_scope
from storage.schema import create_schema
from storage.tenancy.models import Client
from storage.tenancy.secrets import SecretBox
from tasks.search.analysis import build_command_object
from tests.fixtures.tenants import store_company_with_site, validated_example

SECRET = "whsec-never-in-clear-7f3a"
WEBHOOK = {"url": "https://hooks.example.com/leads", "secret": SECRET, "metadata": {"crm": "x"}}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "leadmill.db"


@pytest.fixture
def engine(database: Path):
    engine = build_engine(f"sqlite:///{database}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine) -> Client:
    return store_company_with_site(engine)


@pytest.fixture
def box(tmp_path: Path) -> SecretBox:
    return SecretBox.for_data_dir(tmp_path / "secret.key")


def _commands(database: Path) -> list[tuple[str, str]]:
    # A second connection: what was committed, not what the session still holds.
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT id, request FROM command").fetchall()


@pytest.mark.parametrize(("quota", "lead_quota", "scope"), [(5, None, "company"), (50, 3, "site")])
def test_a_command_over_the_quota_is_refused_and_nothing_is_stored(
    engine, database, client, box, quota, lead_quota, scope
) -> None:
    if lead_quota is not None:
        with session_scope(engine) as session:
            row = session.get(Client, client.id)
            row.lead_quota = lead_quota
            session.add(row)
            client.lead_quota = lead_quota
    stored = seal_request(validated_example(maxLeads=10), box)

    with pytest.raises(QuotaRefused) as refused, session_scope(engine) as session:
        create_command(session, client, stored, build_command_object(stored.request), quota)

    assert refused.value.shortfall.details() == {
        "scope": scope, "quota": lead_quota or quota, "used": 0, "requested": 10}
    assert _commands(database) == []


def test_a_command_within_the_quota_counts_against_the_next(engine, database, client, box):
    stored = seal_request(validated_example(maxLeads=6), box)
    with session_scope(engine) as session:
        create_command(session, client, stored, build_command_object(stored.request), 10)
    with pytest.raises(QuotaRefused) as refused, session_scope(engine) as session:
        create_command(session, client, stored, build_command_object(stored.request), 10)
    assert refused.value.shortfall.used == 6
    assert len(_commands(database)) == 1


def test_the_webhook_secret_is_sealed_and_never_stored_in_clear(engine, database, client, box):
    stored = seal_request(validated_example(webhook=WEBHOOK), box)
    with session_scope(engine) as session:
        command_id = create_command(session, client, stored,
                                    build_command_object(stored.request), 100).id

    # The file and its write-ahead log: nothing on disk holds the secret in clear.
    for path in database.parent.glob(f"{database.name}*"):
        assert SECRET.encode() not in path.read_bytes(), path
    [(_, request)] = _commands(database)
    assert json.loads(request)["webhook"] == {"url": WEBHOOK["url"], "metadata": {"crm": "x"}}
    with session_scope(engine) as session:
        command = session.get(Command, command_id)
        assert (command.webhook_url, command.webhook_metadata) == (WEBHOOK["url"], {"crm": "x"})
        assert box.open(command.webhook_secret_sealed) == SECRET


def test_a_request_without_a_webhook_stores_no_webhook(engine, client, box) -> None:
    stored = seal_request(validated_example(priority="low"), box)
    assert stored.webhook_secret_sealed is None
    with session_scope(engine) as session:
        command = create_command(session, client, stored, build_command_object(stored.request),
                                 100)
        assert (command.webhook_url, command.webhook_secret_sealed) == (None, None)
        assert (command.priority, command.priority_rank) == ("low", 2)


def test_a_stored_request_makes_the_same_command_as_the_request_it_was_sealed_from(
    engine, client, box
) -> None:
    # A recurring search stores the sealed request and later submits it as it is.
    posted = seal_request(validated_example(webhook=WEBHOOK, priority="high"), box)
    saved = StoredRequest(json.loads(json.dumps(posted.request)), posted.webhook_secret_sealed)
    with session_scope(engine) as session:
        for stored in (posted, saved):
            create_command(session, client, stored, build_command_object(stored.request), 100)
    with session_scope(engine) as session:
        first, second = session.exec(select(Command)).all()
        assert first.command_object == second.command_object
        assert first.request == second.request
        for name in ("priority", "leads_requested", "webhook_url", "webhook_secret_sealed"):
            assert getattr(first, name) == getattr(second, name)
