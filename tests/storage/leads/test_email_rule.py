"""The one e-mail rule (storage.leads.emails): RFC 5321's limits, provider folding of the
mailbox, the identity keys made from it, and stores keyed by the rule before it folded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import text
from sqlmodel import select

from storage.db.clock import utcnow
from storage.db.engine import build_engine, session_scope
from storage.leads.emails import is_email_address, normalized_email
from storage.leads.identity import identity_key, person_keys
from storage.leads.models import Lead
from storage.prospects.importer import import_prospects
from storage.prospects.sites import site_dir
from storage.schema import create_schema
from storage.tenancy.accounts import create_company

LOCAL_64, LABEL_63 = "a" * 64, "b" * 63


@pytest.mark.parametrize(("address", "valid"), [
    ("jane@acme.com", True),
    (f"{LOCAL_64}@acme.com", True),                        # local part of 64: the limit
    (f"a{LOCAL_64}@acme.com", False),                      # 65
    (f"jane@{LABEL_63}.com", True),                        # label of 63: the limit
    (f"jane@b{LABEL_63}.com", False),                      # 64
    (f"{LOCAL_64}@{LABEL_63}.{LABEL_63}.{'c' * 58}.io", True),   # 254 characters
    (f"{LOCAL_64}@{LABEL_63}.{LABEL_63}.{'c' * 59}.io", False),  # 255
    ("jane@acme..com", False),                             # an empty label
    ("jane@.acme.com", False),
    ("jane@acme", False),                                  # no dot in the domain
    ("jane smith@acme.com", False),
    ("jane@@acme.com", False),
    ("n/a", False),
    ("", False),
])
def test_addresses_keep_rfc_5321_limits(address: str, valid: bool) -> None:
    assert is_email_address(address) is valid
    assert (identity_key(email=address, name="Jane Doe", company="Acme") ==
            f"email:{address.lower()}") is valid


@pytest.mark.parametrize(("address", "mailbox"), [
    ("jane.doe+news@gmail.com", "janedoe@gmail.com"),
    ("Jane.Doe@GoogleMail.com", "janedoe@gmail.com"),
    (" j.a.n.e.doe@gmail.com ", "janedoe@gmail.com"),
    ("jane.doe+crm+2024@outlook.com", "jane.doe@outlook.com"),  # dots count at Outlook
    ("jane+x@hotmail.co.uk", "jane@hotmail.co.uk"),
    ("jane+x@live.com", "jane@live.com"),
    ("jane.doe+shop@icloud.com", "jane.doe@icloud.com"),
    ("jane+lists@fastmail.com", "jane@fastmail.com"),
    ("jane+news@proton.me", "jane@proton.me"),
    ("jane+news@pm.me", "jane@pm.me"),
    ("jane-news@yahoo.com", "jane-news@yahoo.com"),  # a Yahoo base name is its own mailbox
    ("jane+news@acme.com", "jane+news@acme.com"),    # company servers: not ours to fold
    ("jane.doe@acme.com", "jane.doe@acme.com"),
    ("+news@gmail.com", "+news@gmail.com"),          # nothing before the tag: kept whole
    ("...@gmail.com", "...@gmail.com"),              # no empty mailbox
    ("not an address", None),
])
def test_the_mailbox_folds_provider_rules(address: str, mailbox: str | None) -> None:
    assert normalized_email(address) == mailbox


@pytest.mark.parametrize(("first", "second"), [
    ("jane.doe@gmail.com", "JaneDoe+leadmill@googlemail.com"),
    ("jane@outlook.com", "jane+crm@outlook.com"),
    ("jane@icloud.com", "Jane+shop@iCloud.com"),
])
def test_spellings_of_one_mailbox_are_one_person(first: str, second: str) -> None:
    one, other = person_keys([{"email": first, "name": "Jane Doe", "company": "Acme"},
                              {"email": second, "name": "J. Doe", "company": "Other"}])
    assert one.email == other.email and one.identity == other.identity


# (id, key identity rule 2 gave, email) in order of age.
RULE_2_LEADS = [
    ("l1", "email:jane.doe+news@gmail.com", "Jane.Doe+news@gmail.com"),
    ("l2", "email:janedoe@gmail.com", "janedoe@gmail.com"),  # the same mailbox, a younger lead
    ("l3", "email:bob+crm@outlook.com", "bob+crm@outlook.com"),
    ("l4", "email:kim@acme.com", "kim@acme.com"),
    ("l5", f"email:a{LOCAL_64}@acme.com", f"a{LOCAL_64}@acme.com"),  # past the limit now
]


def test_leads_keyed_by_rule_2_are_re_keyed_to_their_mailbox_and_keep_their_address(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leadmill.db'}"
    engine = build_engine(url)
    create_schema(engine)
    with session_scope(engine) as session:
        create_company(session, "Acme", company_id="c1")
        start = utcnow()
        for age, (lead_id, key, email) in enumerate(RULE_2_LEADS):
            session.add(Lead(id=lead_id, company_id="c1", site_id="s1", dedupe_key=key,
                             email=email, name=f"Person {age}", company="Acme",
                             created_at=start + timedelta(seconds=age),
                             updated_at=start + timedelta(seconds=age)))
    with engine.begin() as connection:
        connection.execute(text("UPDATE identityrulestate SET version = 2"))
    create_schema(engine)
    with session_scope(engine) as session:
        leads = {lead.id: (lead.dedupe_key, lead.email) for lead in session.exec(select(Lead))}
    engine.dispose()
    assert leads == {
        # The older of two leads one mailbox now names keeps its key: merging them is a
        # person's decision, not an upgrade's (storage/leads/rekey.py).
        "l1": ("email:jane.doe+news@gmail.com", "Jane.Doe+news@gmail.com"),
        "l2": ("email:janedoe@gmail.com", "janedoe@gmail.com"),
        "l3": ("email:bob@outlook.com", "bob+crm@outlook.com"),  # the address stays as given
        "l4": ("email:kim@acme.com", "kim@acme.com"),
        "l5": ("person:person 4@acme", f"a{LOCAL_64}@acme.com"),  # no address by the rule now
    }
    # A later find of the same mailbox, however spelt, is the stored lead.
    assert identity_key(email="Bob+other@Outlook.com") == leads["l3"][0]
    assert identity_key(email="jane.doe@googlemail.com") == leads["l2"][0]


CSV = """First Name,Last Name,E-mail,Organization
Jane,Doe,Jane.Doe+crm@gmail.com,Acme
Jane,Doe,janedoe@googlemail.com,Acme
Long,Local,{long}@acme.com,Acme
Kim,Lee,kim@acme.com,Acme
""".format(long="a" * 65)


def test_imports_refuse_addresses_past_the_limits_and_take_one_mailbox_once(
        tmp_path: Path) -> None:
    store, path = tmp_path / "prospects", tmp_path / "crm.csv"
    path.write_text(CSV)
    result = import_prospects(store, path, "s1", company_id="c1")
    assert (result.imported, result.duplicates) == (2, 1)
    assert result.bad_row_count == 1
    assert result.bad_rows[0].reason.startswith("email is not an address: aaaa")
    [stored] = list(site_dir(store, "c1", "s1").glob("*.parquet"))
    emails = sorted(row[0] for row in duckdb.sql(
        f"SELECT email FROM read_parquet('{stored}')").fetchall())
    assert emails == ["jane.doe+crm@gmail.com", "kim@acme.com"]  # shown as given (lower case)
