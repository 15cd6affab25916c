"""Lead upserts are idempotent: a retried persist task never duplicates a lead."""

from __future__ import annotations

from sqlmodel import Session, func, select

from storage.commands.models import Command
from storage.db.engine import build_engine, session_scope
from storage.leads.models import CommandLead, Lead
from storage.schema import create_schema
from storage.tenancy.accounts import create_client, create_company, create_user


def setup_store(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'leadmill.db'}")
    create_schema(engine)
    with session_scope(engine) as session:
        company = create_company(session, "Acme", company_id="company-acme")
        user = create_user(session, company, "owner@acme.example.com", role="owner")
        create_client(session, company, user, "Site", client_id="site_a")
        for command_id in ("cmd_1", "cmd_2"):
            session.add(Command(id=command_id, company_id=company.id, site_id="site_a",
                                leads_requested=2, request={}, command_object={}))
    return engine


def row(email: str, score: float, name: str = "Jane Smith") -> dict:
    return {"dedupe_key": f"email:{email}", "name": name, "email": email, "score": score,
            "match_score": score, "match_reasons": ["Role match: CTO"], "verified": True}


def write(engine, command_id: str, rows: list[dict]) -> list[str]:
    from storage.leads.persist import upsert_command_leads

    with session_scope(engine) as session:
        return upsert_command_leads(session, company_id="company-acme", site_id="site_a",
                                    command_id=command_id, rows=rows)


def counts(engine) -> tuple[int, int]:
    # A fresh connection: what was committed, not what a session remembers.
    with Session(engine) as session:
        return (session.exec(select(func.count()).select_from(Lead)).one(),
                session.exec(select(func.count()).select_from(CommandLead)).one())


def test_writing_the_same_command_twice_changes_nothing(tmp_path):
    engine = setup_store(tmp_path)
    rows = [row("jane@acme.example.com", 0.9), row("bob@acme.example.com", 0.7, "Bob Lee")]
    first = write(engine, "cmd_1", rows)
    second = write(engine, "cmd_1", rows)
    assert first == second
    assert counts(engine) == (2, 2)


def test_a_person_found_again_is_updated_and_linked_not_duplicated(tmp_path):
    engine = setup_store(tmp_path)
    [jane] = write(engine, "cmd_1", [row("jane@acme.example.com", 0.6)])
    ids = write(engine, "cmd_2", [row("jane@acme.example.com", 0.95),
                                  row("ann@acme.example.com", 0.8, "Ann Lee")])
    assert ids[0] == jane
    assert counts(engine) == (2, 3)
    with Session(engine) as session:
        lead = session.get(Lead, jane)
        assert lead.score == 0.95 and lead.command_id == "cmd_1"
        ranks = session.exec(select(CommandLead.rank).where(CommandLead.command_id == "cmd_2")
                             .order_by(CommandLead.rank)).all()
    assert ranks == [1, 2]


def test_a_postgresql_lead_store_made_with_an_integer_revenue_is_widened_to_bigint():
    """Databases created before revenue_usd was BIGINT take revenues above 2^31 - 1 after the
    next start (create_schema), keeping their rows."""
    from sqlalchemy import text

    from tests.fixtures.postgres import create_database, drop_database, pg_server_or_skip

    url = create_database(pg_server_or_skip())
    engine = build_engine(url)
    try:
        create_schema(engine)
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE lead ALTER COLUMN revenue_usd TYPE INTEGER"))
        create_schema(engine)
        with engine.begin() as connection:
            kind = connection.execute(text(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'lead' "
                "AND column_name = 'revenue_usd'")).scalar()
        assert kind == "bigint"
    finally:
        engine.dispose()
        drop_database(url)
