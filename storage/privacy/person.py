"""Who an erasure or a subject-access request is about: the person's identity keys, found by
the one "same person" rule. Erasure (storage.privacy.erasure) and subject access
(storage.privacy.subject_access) both find the person here.

A request names a person by one key (an e-mail address, a LinkedIn profile, a phone number)
or by one of their leads: a `Subject` (`one_subject` reads it from the request's fields, the
key normalised by storage.privacy.fingerprints.normalised). `find_person` collects every
lead of the company that is that person (storage.leads.identity: any key matching; a shared
name at the company domain only when the e-mail addresses do not differ, `names_may_match`),
and the keys of those leads in turn, until nothing new turns up. `ErasedPerson.matches(table)`
then tells which rows of any store (source leads, prospect files, lake files, webhook
payloads, artifacts) are the person.

A company's leads (and raw source leads) are read once, in batches, keeping only their keys
(`key_table`): a million leads never sit in memory as rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import bindparam, text
from sqlmodel import Session

from storage.leads.identity import IDENTITY_FIELDS, identity_table, rows_table
from storage.privacy.fingerprints import KEY_KINDS, normalised

# Request field → the identity rule's kind of key (storage.privacy.fingerprints.normalised).
SUBJECT_KINDS = {"email": "email", "linkedinUrl": "linkedin", "phone": "phone"}
# The request field that names the person by one of their leads (erasure only).
LEAD_ID = "leadId"
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


class InvalidSubject(ValueError):
    """The request does not name one person: `field` and `issue` say why."""

    def __init__(self, field: str, issue: str) -> None:
        super().__init__(f"{field}: {issue}")
        self.field = field
        self.issue = issue


@dataclass(frozen=True)
class Subject:
    """Whom a privacy request names: the request's `field` (a SUBJECT_KINDS field, or
    `leadId`), its `value` as given, the `kind` of key (the identity rule's, or `lead`) and
    the `key`: the value as storage.privacy.fingerprints.normalised keys it (a lead id,
    stripped). Erasure and subject access name their subject so, and only so."""

    field: str
    value: str
    kind: str
    key: str

    @classmethod
    def named(cls, field: str, value: str) -> Subject:
        """The subject `field`=`value`.

        Raises:
            InvalidSubject: a value that is not a valid key of its kind.
        """
        kind = "lead" if field == LEAD_ID else SUBJECT_KINDS[field]
        key = value.strip() if field == LEAD_ID else normalised(kind, value.strip())
        if not key:
            raise InvalidSubject(field, f"not a valid {kind}")
        return cls(field, value, kind, key)


def one_subject(values: Mapping[str, Any], fields: Sequence[str]) -> Subject:
    """The one subject among `fields` (SUBJECT_KINDS' fields, and `leadId` where a lead may
    name the person) that `values` gives, its value as given; blank values count as not
    given.

    Raises:
        InvalidSubject: none or several given, or a value that is not a valid key of its kind.
    """
    given: dict[str, str] = {}
    for name in fields:
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidSubject(name, "must be a string")
        if value.strip():
            given[name] = value
    if len(given) != 1:
        issue = "none given" if not given else f"several given: {', '.join(sorted(given))}"
        raise InvalidSubject(" | ".join(fields), f"exactly one is needed; {issue}")
    (name, value), = given.items()
    return Subject.named(name, value)


# The identity fields (storage.leads.identity.IDENTITY_FIELDS) of each table, by column.
LEAD_COLUMNS = {"email": "email", "linkedin": "linkedin", "phone": "phone", "name": "name",
                "first_name": "first_name", "last_name": "last_name", "company": "company",
                "website": "website"}
SOURCE_LEAD_COLUMNS = {"email": "email", "linkedin": "linkedin_url", "phone": "phone",
                       "name": "full_name", "first_name": "first_name",
                       "last_name": "last_name", "company": "company_name",
                       "website": "company_domain"}
_BATCH = 20_000


def key_table(session: Session, table: str, columns: Mapping[str, str], company_id: str,
              carry: Sequence[str] = ()) -> pa.Table:
    """`id`, the `carry` columns and the identity rule's keys (`<kind>_key`) of every row of
    the company in `table` (`columns`: identity field -> column), read in batches."""
    names = ["id", *carry, *columns]
    select_list = ", ".join(["id", *carry, *(f"{column} AS {name}"
                                             for name, column in columns.items())])
    # The options on this statement only: set on the connection they would stay for the
    # rest of the transaction (PostgreSQL would then declare a cursor for every DELETE).
    result = session.connection().execute(
        text(f"SELECT {select_list} FROM {table} WHERE company_id = :company_id"),
        {"company_id": company_id},
        execution_options={"stream_results": True, "yield_per": _BATCH})
    kept = ["id", *carry]
    parts = []
    for partition in result.partitions(_BATCH):
        rows = [dict(zip(names, row, strict=True)) for row in partition]
        keys = identity_table(rows_table(rows)).select([f"{kind}_key" for kind in KEY_KINDS])
        for name in kept:
            keys = keys.append_column(name, pa.array(
                [None if row[name] is None else str(row[name]) for row in rows], pa.string()))
        parts.append(keys)
    if not parts:
        return pa.table({name: pa.array([], pa.string())
                         for name in [*(f"{kind}_key" for kind in KEY_KINDS), *kept]})
    return pa.concat_tables(parts)


IN_LIST_SIZE = 500  # ids per IN list


def id_chunks(ids: Sequence[str]) -> list[list[str]]:
    """`ids` in slices an IN list can hold on every database."""
    return [list(ids[at:at + IN_LIST_SIZE]) for at in range(0, len(ids), IN_LIST_SIZE)]


def _lead_records(session: Session, company_id: str, ids: Sequence[str]) -> pa.Table:
    """The identity fields of the leads `ids` (what documents may show of them)."""
    fields = list(IDENTITY_FIELDS)
    rows: list[Any] = []
    for chunk in id_chunks(ids):
        rows += session.connection().execute(
            text(f"SELECT {', '.join(fields)} FROM lead WHERE company_id = :company_id "
                 "AND id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"company_id": company_id, "ids": chunk}).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
    return pa.table({name: pa.array([None if v is None else str(v) for v in values],
                                    pa.string())
                     for name, values in zip(fields, columns, strict=True)})


def find_person(session: Session, company_id: str, subject: Subject) -> ErasedPerson | None:
    """The person `subject` names in the company, with every lead that is them (None when
    the subject is a `leadId` the company has no lead of)."""
    person = ErasedPerson(company_id)
    keys = key_table(session, "lead", LEAD_COLUMNS, company_id, carry=("site_id", "command_id"))
    ids = keys.column("id")
    if subject.field == LEAD_ID:
        seed = pc.equal(ids, subject.key)
        if not pc.any(seed).as_py():
            return None
        person.add_keys(keys, seed)
        found = seed
    else:
        person.keys[subject.kind].add(subject.key)
        found = pa.array([False] * keys.num_rows, pa.bool_())
    for _ in range(_MAX_ROUNDS):
        found = pc.or_(found, person.matches_keys(keys)) if keys.num_rows else found
        if not person.add_keys(keys, found):
            break
    chosen = keys.filter(found) if keys.num_rows else keys
    person.lead_ids = chosen.column("id").to_pylist()
    person.site_ids = set(chosen.column("site_id").to_pylist())
    person.command_ids = {c for c in chosen.column("command_id").to_pylist() if c}
    records = _lead_records(session, company_id, person.lead_ids)
    person.records = records.to_pylist()
    if person.records:
        shown = identity_table(records.drop_columns(["website"]))
        person.display_keys = {key for key in shown.column("person_key").to_pylist() if key}
    return person
