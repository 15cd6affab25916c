"""A database made before owner-based isolation (no `lead.owner`, `user.company_id` NOT NULL)
is brought up to date by `create_schema`, on SQLite and on a real PostgreSQL server, keeping
its rows and its foreign keys."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from storage.db.engine import build_engine, session_scope
from storage.leads.models import Lead
from storage.schema import create_schema
from storage.tenancy.accounts import create_user
from storage.tenancy.models import ApiKey, Company, User
from tests.fixtures.postgres import database_url, postgres_server  # noqa: F401 - fixtures


def make_old_database(url: str) -> None:
    """The tables as an older Leadmill made them, with a company, a user, a key and a lead."""
    import storage.schema  # noqa: F401 - registers every table

    old = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(old)
    old.tables["user"].c.company_id.nullable = False
    engine = build_engine(url)
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE lead DROP COLUMN owner"))
    with session_scope(engine) as session:
        session.add(Company(id="c1", name="Old Co"))
        session.flush()
        session.add(User(id="u1", company_id="c1", username="old@example.com", role="owner"))
        session.flush()
        session.add(ApiKey(id="k1", company_id="c1", user_id="u1", name="k", key_hash="h",
                           key_prefix="lm_"))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO lead (id, company_id, site_id, dedupe_key, name, status, match_reasons,"
            " verified, created_at, updated_at) VALUES ('l1', 'c1', 's1', 'k', 'Old Lead', "
            "'new', '[]', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()


def test_old_database_gets_lead_owner_and_users_without_company(
    tmp_path, database_url  # noqa: F811
) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'old.db'}"
    make_old_database(url)
    engine = build_engine(url)
    create_schema(engine)
    create_schema(engine)  # idempotent: a second start changes nothing
    inspector = inspect(engine)
    assert "owner" in {column["name"] for column in inspector.get_columns("lead")}
    company = next(c for c in inspector.get_columns("user") if c["name"] == "company_id")
    assert company["nullable"]
    assert {index["name"] for index in inspector.get_indexes("user")} >= {
        "ix_user_username", "ix_user_company_id"}
    with session_scope(engine) as session:
        assert session.get(User, "u1").username == "old@example.com"
        assert session.get(ApiKey, "k1").user_id == "u1"
        assert session.get(Lead, "l1").owner is None
        create_user(session, None, "founder@example.com", user_id="u2")
    with Session(engine) as session:
        assert session.get(User, "u2").company_id is None
        # The rebuilt table still enforces its keys: a duplicate username, a key of no user.
        session.add(User(id="u3", username="old@example.com"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        session.add(ApiKey(id="k2", company_id="c1", user_id="nobody", name="k",
                           key_hash="h2", key_prefix="lm_"))
        with pytest.raises(IntegrityError):
            session.flush()
    engine.dispose()


@pytest.mark.parametrize("database_backend", ["sqlite", "postgresql"], indirect=True)
def test_old_database_gets_client_ids_unique_per_company_only(
    tmp_path, database_url  # noqa: F811
) -> None:
    """Before issue 12 `client.client_id` was unique across companies (which told one company
    the ids another uses); an older database is brought to per-company uniqueness."""
    from storage.tenancy.models import CLIENT_ID_PER_COMPANY, Client

    url = database_url or f"sqlite:///{tmp_path / 'old.db'}"
    make_old_database(url)
    engine = build_engine(url)
    with engine.begin() as connection:  # the old shape: one global unique index, no pair
        connection.execute(text(f"DROP INDEX {CLIENT_ID_PER_COMPANY}"))
        connection.execute(text("DROP INDEX ix_client_client_id"))
        connection.execute(text("CREATE UNIQUE INDEX ix_client_client_id ON client (client_id)"))
    create_schema(engine)
    create_schema(engine)
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("client")}
    assert not indexes["ix_client_client_id"]["unique"]
    assert indexes[CLIENT_ID_PER_COMPANY]["unique"]
    with session_scope(engine) as session:
        session.add(Company(id="c2", name="Second Co"))
        session.flush()
        for record, company in (("r1", "c1"), ("r2", "c2")):
            session.add(Client(id=record, client_id="site-1", company_id=company, owner="u1",
                               client_name="Site"))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Client(id="r3", client_id="site-1", company_id="c1", owner="u1",
                           client_name="Twice"))
    engine.dispose()


@pytest.mark.parametrize("database_backend", ["sqlite", "postgresql"], indirect=True)
def test_old_database_gets_campaign_types_and_key_descriptions(
    tmp_path, database_url  # noqa: F811
) -> None:
    """Before issue 16 campaigns had no type and keys no description: older campaigns become
    ABM (the type's default), older keys have none."""
    from storage.workspace.models import Campaign

    url = database_url or f"sqlite:///{tmp_path / 'old.db'}"
    make_old_database(url)
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE campaign DROP COLUMN campaign_type"))
        connection.execute(text("ALTER TABLE apikey DROP COLUMN description"))
        connection.execute(text(
            "INSERT INTO campaign (id, company_id, name, status, owner, created_at, updated_at)"
            " VALUES ('old', 'c1', 'Old push', 'active', 'u1', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP)"))
    create_schema(engine)
    create_schema(engine)  # idempotent
    with session_scope(engine) as session:
        assert session.get(Campaign, "old").campaign_type == "abm"
        assert session.get(ApiKey, "k1").description is None
        session.add(Campaign(id="new", company_id="c1", name="New", owner="u1",
                             campaign_type="nurture", status="archived"))
    with Session(engine) as session:
        assert session.get(Campaign, "new").campaign_type == "nurture"
    engine.dispose()
