"""Stores made under the identity rule before issue 14 are re-keyed once: leads in the
operational database (create_schema), imported prospect files when their site imports again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
from sqlalchemy import text
from sqlmodel import select

from storage.db.clock import utcnow
from storage.db.engine import build_engine, session_scope
from storage.leads.identity import IDENTITY_RULE_VERSION
from storage.leads.models import Lead
from storage.prospects.importer import import_prospects
from storage.prospects.sites import site_dir
from storage.schema import create_schema
from storage.tenancy.accounts import create_company

# (id, key the old rule gave, email, name, company, website) in order of age.
OLD_LEADS = [
    ("l1", "email:n/a", "n/a", "Jane Doe", "Acme", None),
    ("l2", "person:bob roe@acme ltd", None, "Bob Roe", "Acme Ltd", "https://www.acme.co.uk"),
    ("l3", "person:ann lee@acme ltd", None, "Ann Lee", "Acme Ltd", "https://acme.co.uk"),
    ("l4", "person:ann lee@acme limited", None, "Ann Lee", "Acme Limited", "www.acme.co.uk"),
    ("l5", "person:solo@", None, "Solo", None, None),
    ("l6", "email:kim@acme.com", "kim@acme.com", "Kim", "Acme", None),
]


def make_database_of_the_old_rule(url: str) -> None:
    engine = build_engine(url)
    create_schema(engine)
    with session_scope(engine) as session:
        create_company(session, "Acme", company_id="c1")
        start = utcnow()
        for age, (lead_id, key, email, name, company, website) in enumerate(OLD_LEADS):
            session.add(Lead(id=lead_id, company_id="c1", site_id="s1", dedupe_key=key,
                             email=email, name=name, company=company, website=website,
                             created_at=start + timedelta(seconds=age),
                             updated_at=start + timedelta(seconds=age)))
    with engine.begin() as connection:  # an older Leadmill had no record of the rule
        connection.execute(text("DROP TABLE identityrulestate"))
    engine.dispose()


def keys(url: str) -> dict[str, str]:
    engine = build_engine(url)
    with session_scope(engine) as session:
        found = {lead.id: lead.dedupe_key for lead in session.exec(select(Lead)).all()}
    engine.dispose()
    return found


def test_leads_of_an_older_database_get_the_current_rules_keys_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leadmill.db'}"
    make_database_of_the_old_rule(url)
    engine = build_engine(url)
    create_schema(engine)
    expected = {
        "l1": "person:jane doe@acme",  # "n/a" is no address
        "l2": "person:bob roe@acme.co.uk",  # the name at the website's registrable domain
        "l3": "person:ann lee@acme.co.uk",  # the older of two now-equal leads takes the key
        "l4": "person:ann lee@acme limited",  # ... the other keeps its own: no silent merge
        "l5": "person:solo@",  # nothing identifies it under the new rule: unchanged
        "l6": "email:kim@acme.com",
    }
    assert keys(url) == expected
    with engine.begin() as connection:
        assert connection.execute(text("SELECT version FROM identityrulestate")).scalar() == (
            IDENTITY_RULE_VERSION)
        connection.execute(text("UPDATE lead SET dedupe_key = 'email:n/a' WHERE id = 'l1'"))
    create_schema(engine)  # the rule's version is recorded: a second start re-keys nothing
    assert keys(url)["l1"] == "email:n/a"
    engine.dispose()


CSV = """First Name,Last Name,E-mail,Organization,Website,Phone
Jane,Smith,,Acme Inc,https://www.shop.acme.co.uk,
Bob,Brown,bob@beta.test,Beta LLC,beta.test,
Cy,Tran,,Gamma,,+1 (415) 555-0100
"""


def test_a_site_file_keyed_by_the_older_rule_is_re_keyed_on_the_next_import(
        tmp_path: Path) -> None:
    store, path = tmp_path / "prospects", tmp_path / "crm.csv"
    path.write_text(CSV)
    first = import_prospects(store, path, "s1", company_id="c1")
    assert first.imported == 3
    [stored] = list(site_dir(store, "c1", "s1").glob("*.parquet"))
    current = {row[0] for row in duckdb.sql(
        f"SELECT prospect_id FROM read_parquet('{stored}')").fetchall()}
    # The file as the import before issue 14 wrote it: no rule version, the old rule's ids
    # (name at the company name, the host minus www. for the company; no phone key).
    old_ids = ("'imp_' || left(md5('s1|' || CASE WHEN email IS NOT NULL THEN 'email:' || email "
               "ELSE 'person:' || lower(name) || '@' || lower(company) END), 20)")
    old_company = ("'imc_' || left(md5('s1|' || coalesce(regexp_replace(regexp_replace("
                   "website, '^https?://(www\\.)?', ''), '/.*$', ''), lower(company))), 16)")
    duckdb.sql(f"COPY (SELECT * REPLACE ({old_ids} AS prospect_id, {old_company} AS "
               f"company_id) FROM read_parquet('{stored}')) TO '{stored}.old' (FORMAT parquet)")
    Path(f"{stored}.old").replace(stored)
    assert {row[0] for row in duckdb.sql(
        f"SELECT prospect_id FROM read_parquet('{stored}')").fetchall()} != current

    again = import_prospects(store, path, "s1", company_id="c1")
    assert (again.imported, again.duplicates) == (0, 3)  # nobody comes back twice
    rows = duckdb.sql(f"SELECT prospect_id, company_id, company FROM read_parquet('{stored}')"
                      " ORDER BY name").fetchall()
    assert {row[0] for row in rows} == current
    metadata = duckdb.sql(f"SELECT value FROM parquet_kv_metadata('{stored}') "
                          "WHERE key = 'leadmill_identity_rule'").fetchall()
    assert [bytes(value).decode() for (value,) in metadata] == [str(IDENTITY_RULE_VERSION)]
