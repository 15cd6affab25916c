"""Who an erasure is about: the person's identity keys, found by the one "same person" rule.

An erasure names a person by one key (an e-mail address, a LinkedIn profile, a phone number)
or by one of their leads. `find_person` collects every lead of the company that is that
person (storage.leads.identity: any key matching; a shared name at the company domain only
when the e-mail addresses do not differ, `names_may_match`), and the keys of those leads in
turn, until nothing new turns up. `ErasedPerson.matches(table)` then tells which rows of any
store (source leads, prospect files, lake files, webhook payloads, artifacts) are the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import text
from sqlmodel import Session

from storage.leads.identity import IDENTITY_FIELDS, identity_table, rows_table
from storage.privacy.fingerprints import normalised

# Request field → (identity kind, normalisation kind).
SUBJECT_KINDS = {"email": "email", "linkedinUrl": "linkedin", "phone": "phone"}
KEY_KINDS = ("email", "linkedin", "phone", "person")
_LEAD_COLUMNS = ("id", "site_id", "command_id", *IDENTITY_FIELDS)
# Rounds of "the keys of the leads found find more leads": a person is rarely spread wider.
_MAX_ROUNDS = 8


@dataclass
class ErasedPerson:
    """Every key the person is known by in one company, and the leads that are them."""

    company_id: str
    keys: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KEY_KINDS})
    lead_ids: list[str] = field(default_factory=list)
    site_ids: set[str] = field(default_factory=set)
    command_ids: set[str] = field(default_factory=set)
    # The identity fields of each lead found (what artifacts and payloads may show of them).
    records: list[dict[str, Any]] = field(default_factory=list)
    # Their names at the company *name* too: documents that show a lead's name and company
    # but not its website (artifact tables) key them so.
    display_keys: set[str] = field(default_factory=set)

    def add_keys(self, table: pa.Table, mask: pa.Array | None = None) -> bool:
        """Add the keys of the (masked) rows of an `identity_table`; True if any was new."""
        grew = False
        for kind in KEY_KINDS:
            column = table.column(f"{kind}_key")
            if mask is not None:
                column = pc.filter(column, mask)
            found = {key for key in column.to_pylist() if key} - self.keys[kind]
            if found:
                self.keys[kind] |= found
                grew = True
        return grew

    def matches(self, raw: pa.Table, *, displayed: bool = False) -> pa.Array:
        """Per row of `raw` (IDENTITY_FIELDS columns, missing ones empty): is it the person?
        `displayed`: rows are how a document shows a lead (name at company name counts)."""
        if raw.num_rows == 0:
            return pa.array([], pa.bool_())
        return self.matches_keys(identity_table(raw), displayed=displayed)

    def matches_keys(self, table: pa.Table, *, displayed: bool = False) -> pa.Array:
        def among(kind: str) -> pa.Array:
            keys = self.keys[kind] | (self.display_keys if displayed and kind == "person"
                                      else set())
            return pc.is_in(table.column(f"{kind}_key"),
                            value_set=pa.array(sorted(keys), pa.string()))

        exact = pc.or_(pc.or_(among("email"), among("linkedin")), among("phone"))
        # A namesake at the same company with another mailbox is someone else.
        email = table.column("email_key")
        other_mailbox = pc.and_(pc.not_equal(email, ""), pc.invert(among("email")))
        by_name = pc.and_(among("person"), pc.invert(other_mailbox))
        return pc.fill_null(pc.or_(exact, by_name), False)

    def matches_rows(self, rows: Sequence[Mapping[str, Any]], *, displayed: bool = False
                     ) -> list[bool]:
        if not rows:
            return []
        return self.matches(rows_table(rows), displayed=displayed).to_pylist()

    @property
    def literals(self) -> set[str]:
        """Texts that name only this person wherever they appear (free text, payloads):
        the e-mail addresses, LinkedIn profiles and phone numbers, as keyed and as stored."""
        found = set(self.keys["email"]) | set(self.keys["linkedin"]) | set(self.keys["phone"])
        for record in self.records:
            for name in ("email", "linkedin", "phone"):
                value = record.get(name)
                if isinstance(value, str) and value.strip():
                    found.add(value.strip())
        return {value for value in found if len(value) >= 5}


def subject_key(kind: str, value: str) -> str | None:
    """The normalised key of an erasure subject (`email`, `linkedinUrl`, `phone`)."""
    return normalised(SUBJECT_KINDS[kind], value)


def _company_leads(session: Session, company_id: str) -> pa.Table:
    # Core SQL into columns: a company may hold a million leads, and the rule runs over Arrow.
    result = session.connection().execute(
        text(f"SELECT {', '.join(_LEAD_COLUMNS)} FROM lead WHERE company_id = :company_id"),
        {"company_id": company_id})
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(_LEAD_COLUMNS)
    return pa.table({name: pa.array([None if v is None else str(v) for v in values],
                                    pa.string())
                     for name, values in zip(_LEAD_COLUMNS, columns, strict=True)})


def find_person(session: Session, company_id: str, kind: str, value: str) -> ErasedPerson | None:
    """The person `kind`=`value` names in the company, with every lead that is them.

    `kind` is `email`, `linkedinUrl`, `phone` (the value must be a valid one: the caller
    checks with `subject_key`) or `leadId` (None when the company has no such lead)."""
    person = ErasedPerson(company_id)
    leads = _company_leads(session, company_id)
    keys = identity_table(leads)
    ids = leads.column("id")
    if kind == "leadId":
        seed = pc.equal(ids, value)
        if not pc.any(seed).as_py():
            return None
        person.add_keys(keys, seed)
        found = seed
    else:
        person.keys[SUBJECT_KINDS[kind]].add(subject_key(kind, value) or value)
        found = pa.array([False] * leads.num_rows, pa.bool_())
    for _ in range(_MAX_ROUNDS):
        found = pc.or_(found, person.matches_keys(keys)) if leads.num_rows else found
        if not person.add_keys(keys, found):
            break
    chosen = leads.filter(found) if leads.num_rows else leads
    person.lead_ids = chosen.column("id").to_pylist()
    person.site_ids = set(chosen.column("site_id").to_pylist())
    person.command_ids = {c for c in chosen.column("command_id").to_pylist() if c}
    person.records = chosen.select(list(IDENTITY_FIELDS)).to_pylist()
    if person.records:
        shown = identity_table(chosen.drop_columns(["website"]))
        person.display_keys = {key for key in shown.column("person_key").to_pylist() if key}
    return person
