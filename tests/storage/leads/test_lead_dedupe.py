"""Dedupe against a site's earlier leads, through a real SQLite lead store."""

from __future__ import annotations

from sqlmodel import Session, func, select

from storage.db.clock import utcnow
from storage.db.engine import session_scope
from storage.leads.matching import site_lead_identities
from storage.leads.models import CommandLead, Lead, LeadSource
from storage.leads.persist import upsert_command_leads
from storage.leads.records import new_or_revived_lead
from tasks.dedupe.candidates import choose_leads, select_best
from tasks.lifecycle.persistence import lead_rows
from tasks.search.criteria import Prospect, ScoredLead, Verification
from tests.storage.leads.test_leads import setup_store


def lead(prospect_id: str, score: float, source: str, **changes: object) -> ScoredLead:
    values = {"prospect_id": prospect_id, "first_name": "Jane", "last_name": "Smith",
              "name": "Jane Smith", "title": "CTO", "company": "Acme Inc", "source": source}
    prospect = Prospect(**(values | changes))
    return ScoredLead(prospect=prospect, match_score=score, match_reasons=["Role match: CTO"],
                      verification=Verification(email=prospect.email,
                                                verified=bool(prospect.email)))


def run_command(engine, command_id: str, leads: list[ScoredLead], count: int,
                new_only: bool = False) -> list[str]:
    """What the flow's dedupe and persist tasks do, on this store."""
    with session_scope(engine) as session:
        known = site_lead_identities(session, "company-acme", "site_a")
    chosen = select_best(leads, count, known, new_only)
    with session_scope(engine) as session:
        return upsert_command_leads(session, company_id="company-acme", site_id="site_a",
                                    command_id=command_id,
                                    rows=lead_rows(chosen))


def test_a_fuzzy_duplicate_of_an_earlier_lead_merges_into_it_with_both_provenances(tmp_path):
    engine = setup_store(tmp_path)
    [jane] = run_command(engine, "cmd_1", [lead("apollo-1", 0.6, "apollo", city="Chicago")], 5)
    # Found again by another source: no e-mail, a typo in the surname, the company spelt
    # otherwise, but a phone and a LinkedIn profile the first find lacked.
    again = lead("pdl-9", 0.9, "pdl", last_name="Smiht", name="Jane Smiht",
                 company="ACME, LLC", phone="+13125550101",
                 linkedin="https://www.linkedin.com/in/jane-smith")
    assert run_command(engine, "cmd_2", [again], 5) == [jane]
    with Session(engine) as session:  # a fresh connection: what was committed
        assert session.exec(select(func.count()).select_from(Lead)).one() == 1
        stored = session.get(Lead, jane)
        assert stored.last_name == "Smith" and stored.city == "Chicago"  # kept
        assert stored.phone == "+13125550101"                           # gap filled
        assert stored.linkedin == "linkedin.com/in/jane-smith"
        assert stored.score == 0.9 and stored.command_id == "cmd_1"
        sources = session.exec(select(LeadSource.source, LeadSource.source_record_id,
                                      LeadSource.command_id).where(LeadSource.lead_id == jane)
                               .order_by(LeadSource.source)).all()
        assert [tuple(row) for row in sources] == [("apollo", "apollo-1", "cmd_1"),
                                                   ("pdl", "pdl-9", "cmd_2")]
        links = session.exec(select(CommandLead.command_id).where(CommandLead.lead_id == jane)
                             .order_by(CommandLead.command_id)).all()
        assert links == ["cmd_1", "cmd_2"]


def test_persisting_a_merged_lead_twice_changes_nothing(tmp_path):
    engine = setup_store(tmp_path)
    run_command(engine, "cmd_1", [lead("a", 0.6, "apollo", email="jane@acme.example.com")], 5)
    again = [lead("b", 0.9, "pdl", first_name="Jnae", name="Jnae Smith")]
    first = run_command(engine, "cmd_2", again, 5)
    assert run_command(engine, "cmd_2", again, 5) == first
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Lead)).one() == 1
        assert session.exec(select(func.count()).select_from(CommandLead)).one() == 2


def test_a_recurring_search_reports_only_new_people_and_fills_up_with_the_next_best(tmp_path):
    engine = setup_store(tmp_path)
    run_command(engine, "cmd_1", [lead("a", 0.9, "sample", email="jane@acme.example.com")], 5)
    pool = [lead("a2", 0.95, "sample", email="JANE@acme.example.com"),
            lead("b", 0.8, "sample", first_name="Bo", last_name="Chen", name="Bo Chen"),
            lead("c", 0.7, "sample", first_name="Al", last_name="Diaz", name="Al Diaz")]
    ids = run_command(engine, "cmd_2", pool, 2, new_only=True)
    with Session(engine) as session:
        names = [session.get(Lead, lead_id).name for lead_id in ids]
    assert names == ["Bo Chen", "Al Diaz"]


def test_a_deleted_person_is_never_revived_and_a_recreated_one_takes_the_finding(tmp_path):
    engine = setup_store(tmp_path)
    [jane] = run_command(engine, "cmd_1", [lead("a-1", 0.9, "apollo",
                                                email="jane@acme.example.com")], 5)
    with session_scope(engine) as session:
        session.get(Lead, jane).deleted_at = utcnow()
    bo = lead("b-1", 0.5, "apollo", first_name="Bo", last_name="Chen", name="Bo Chen")
    again = lead("a-2", 0.95, "pdl", last_name="Smiht", name="Jane Smiht")  # fuzzy, no e-mail
    with session_scope(engine) as session:
        known = site_lead_identities(session, "company-acme", "site_a")
    selection = choose_leads([again, bo], 5, known)
    assert [x.prospect.prospect_id for x in selection.leads] == ["b-1"]
    assert selection.deleted == 1
    # The persist step on its own refuses too: a row of the deleted key, or matched to it.
    rows = lead_rows([lead("a-3", 0.9, "x", email="jane@acme.example.com"),
                      again.model_copy(update={"known_lead_id": jane})])
    with session_scope(engine) as session:
        assert upsert_command_leads(session, company_id="company-acme", site_id="site_a",
                                    command_id="cmd_2", rows=rows) == []
    with Session(engine) as session:
        assert session.get(Lead, jane).deleted_at is not None
    # Re-created with POST /api/leads under another key: that live lead takes the finding.
    with session_scope(engine) as session:
        back = new_or_revived_lead(None, "company-acme", "site_a",
                                   "linkedin:linkedin.com/in/jane-smith",
                                   {"first_name": "Jane", "last_name": "Smith",
                                    "company": "Acme Inc",
                                    "linkedin": "linkedin.com/in/jane-smith"}, utcnow(), None)
        session.add(back)
        back_id = back.id
    assert run_command(engine, "cmd_2", [lead("a-4", 0.9, "x",
                                              email="jane@acme.example.com")], 5) == [back_id]
