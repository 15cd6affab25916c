"""Do-not-contact lists and the check every path that returns or stores a person runs.

A company (or one of its clients) lists e-mail addresses, whole domains, LinkedIn profiles
and phone numbers; an erasure adds the erased person's keys (storage.privacy.fingerprints).
`SuppressionCheck.for_site(session, fingerprinter, company_id, site_id)` loads the entries
that apply to one client (the company's and that client's) once; `suppressed(rows)` tells,
per row, whether the person is on them. Commands and recurring searches drop suppressed
candidates before choosing their leads (so the next best take their places), imports skip
their rows, inbound webhooks refuse them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.leads.identity import rows_table
from storage.privacy.fingerprints import Fingerprinter, normalised, person_key_columns
from storage.privacy.models import Suppression
from storage.tenancy.secrets import SecretBox

# Request field → kind. Phones are accepted too (the identity rule keys them).
LIST_FIELDS = {"emails": "email", "domains": "domain", "linkedinUrls": "linkedin",
               "phones": "phone"}
# Longer values are reported invalid unread: no identity key is this long (a LinkedIn URL
# with tracking parameters is the longest real one), and each is normalised and sealed.
MAX_VALUE_CHARS = 2000


@dataclass
class AddedSuppressions:
    created: list[Suppression] = field(default_factory=list)
    existing: int = 0  # already listed (in the same scope)
    invalid: list[dict[str, Any]] = field(default_factory=list)  # {field, index, issue}


def _listed(session: Session, company_id: str, scope: str,
            prints: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, fingerprint) pairs among `prints` the scope already has an entry for."""
    return set(session.exec(select(Suppression.kind, Suppression.fingerprint).where(
        Suppression.company_id == company_id, Suppression.scope == scope,
        col(Suppression.fingerprint).in_([print_ for _, print_ in prints]))).all())


def add_suppressions(session: Session, box: SecretBox, company_id: str, client_id: str | None,
                     values: Mapping[str, Sequence[str]],
                     created_by: str | None) -> AddedSuppressions:
    """List every value of `values` ({request field: [values]}, LIST_FIELDS) for the company,
    or only for `client_id`; values the identity rule does not read are reported invalid, and
    values already listed in that scope are counted, not listed twice."""
    fingerprint = Fingerprinter(box)
    scope = client_id or ""
    result = AddedSuppressions()
    wanted: dict[tuple[str, str], str] = {}  # (kind, fingerprint) -> normalised value
    for request_field, kind in LIST_FIELDS.items():
        for index, value in enumerate(values.get(request_field) or ()):
            if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
                result.invalid.append({"field": request_field, "index": index,
                                       "issue": f"longer than {MAX_VALUE_CHARS} characters"})
                continue
            key = normalised(kind, value) if isinstance(value, str) else None
            if key is None:
                result.invalid.append({"field": request_field, "index": index,
                                       "issue": f"not a valid {kind}"})
                continue
            wanted.setdefault((kind, fingerprint(company_id, kind, key)), key)
    if not wanted:
        return result
    present = _listed(session, company_id, scope, wanted)
    for (kind, print_), key in wanted.items():
        if (kind, print_) in present:
            result.existing += 1
            continue
        row = Suppression(id=f"sup_{uuid.uuid4().hex}", company_id=company_id, scope=scope,
                          kind=kind, fingerprint=print_, reason="list",
                          sealed_value=box.seal(key), created_by=created_by)
        session.add(row)
        result.created.append(row)
    session.flush()
    return result


def suppress_fingerprints(session: Session, company_id: str, prints: Iterable[tuple[str, str]],
                          created_by: str | None) -> int:
    """Company-wide erasure entries for (kind, fingerprint) pairs not listed yet; how many
    were added. Nothing readable is kept."""
    prints = set(prints)
    if not prints:
        return 0
    present = _listed(session, company_id, "", prints)
    added = 0
    for kind, print_ in sorted(prints - present):
        session.add(Suppression(id=f"sup_{uuid.uuid4().hex}", company_id=company_id, scope="",
                                kind=kind, fingerprint=print_, reason="erasure",
                                created_by=created_by))
        added += 1
    session.flush()
    return added


def public_suppression(row: Suppression, box: SecretBox) -> dict[str, Any]:
    """A list entry as the API shows it: the value for list entries, none for an erasure's."""
    from storage.db.clock import iso_z

    value = None
    if row.sealed_value is not None:
        try:
            value = box.open(row.sealed_value)
        except ValueError:  # sealed under a key this instance no longer has
            value = None
    return {"id": row.id, "kind": row.kind, "value": value, "client_id": row.client_id,
            "reason": row.reason, "createdBy": row.created_by,
            "createdAt": iso_z(row.created_at)}


def delete_suppressions(session: Session, company_id: str, ids: Sequence[str]
                        ) -> tuple[list[str], list[str]]:
    """Remove the company's list entries among `ids`: (deleted, not found). An erasure's
    entries are not list entries and stay (the person was erased, not listed)."""
    ids = list(dict.fromkeys(ids))
    found = set(session.exec(select(Suppression.id).where(
        Suppression.company_id == company_id, Suppression.reason == "list",
        col(Suppression.id).in_(ids))).all())
    if found:
        session.exec(delete(Suppression).where(col(Suppression.id).in_(found)))  # type: ignore[call-overload]
    return [i for i in ids if i in found], [i for i in ids if i not in found]


class SuppressionCheck:
    """The entries that apply to one client of one company, loaded once."""

    __slots__ = ("_company_id", "_fingerprint", "_prints")

    def __init__(self, fingerprint: Fingerprinter, company_id: str, prints: set[str]) -> None:
        self._fingerprint = fingerprint
        self._company_id = company_id
        self._prints = prints

    @classmethod
    def for_site(cls, session: Session, box: SecretBox, company_id: str,
                 site_id: str | None) -> SuppressionCheck:
        scopes = ["", site_id] if site_id else [""]
        # One column over the connection, not ORM rows: a company may list 100,000 entries
        # and every command loads them (bench/bench_suppression_check.py).
        query = select(Suppression.fingerprint).where(
            Suppression.company_id == company_id, col(Suppression.scope).in_(scopes))
        prints = set(session.connection().execute(query).scalars())
        return cls(Fingerprinter(box), company_id, prints)

    def __bool__(self) -> bool:
        return bool(self._prints)

    def suppressed(self, rows: Sequence[Mapping[str, Any]]) -> list[bool]:
        """Per row (IDENTITY_FIELDS): whether the person is suppressed."""
        if not self._prints or not rows:
            return [False] * len(rows)
        return self.suppressed_table(rows_table(rows))

    def suppressed_table(self, table: pa.Table) -> list[bool]:
        """Per row of a table of IDENTITY_FIELDS text columns (an import's rows): whether the
        person is suppressed. Each distinct key is fingerprinted once."""
        flags = [False] * table.num_rows
        if not self._prints or not table.num_rows:
            return flags
        seen: dict[tuple[str, str], bool] = {}
        for kind, keys in person_key_columns(table):
            for at, key in enumerate(keys):
                if not key or flags[at]:
                    continue
                hit = seen.get((kind, key))
                if hit is None:
                    hit = seen[(kind, key)] = (
                        self._fingerprint(self._company_id, kind, key) in self._prints)
                flags[at] = hit
        return flags
