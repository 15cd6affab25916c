"""The privacy stores' tests run on SQLite and PostgreSQL, each on a fresh database holding
Leadmill's schema and two companies."""

from __future__ import annotations

import pytest

from storage.db.engine import build_engine, session_scope
from storage.schema import create_schema
from storage.tenancy.accounts import create_company
from tests.fixtures.postgres import database_url, postgres_server  # noqa: F401 - fixtures
from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401


@pytest.fixture
def store(tmp_path, database_url):  # noqa: F811
    """(engine, (first company id, second company id))."""
    engine = build_engine(database_url or f"sqlite:///{tmp_path / 'privacy.db'}")
    create_schema(engine)
    with session_scope(engine) as session:
        first, second = create_company(session, "First"), create_company(session, "Second")
        ids = first.id, second.id
    yield engine, ids
    engine.dispose()
