"""Managing a company's do-not-contact lists: the operations the API (`/api/suppressions`) and
the CLI (`leadmill suppressions`) both call.

- `add_to_list`: lists values company-wide or for one of the company's clients, at most
  `MAX_LIST_VALUES` per call; values the identity rule cannot read are reported, not refused
  (as a batch of `POST /api/leads` reports its skipped rows);
- `import_list_file`: the same for a CSV file's values;
- `public_added`: what was listed, as the API answers and the CLI prints it;
- `page_of_entries`: the company's entries, newest first, in keyset pages;
- `list_entries`: the company's list entries among some ids (an erasure's entries are not
  list entries: they are never shown with a value nor deleted here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from storage.db.keyset import newest_first_after, page_of
from storage.privacy.list_files import read_list_file
from storage.privacy.models import Suppression
from storage.privacy.suppressions import AddedSuppressions, add_suppressions, public_suppression
from storage.tenancy.accounts import find_client
from storage.tenancy.secrets import SecretBox

# Values (e-mails, domains, profiles, phones together) per request or file: 10,000 fit well
# within one request body and one IN list on both databases.
MAX_LIST_VALUES = 10_000


class TooManyValues(ValueError):
    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"{count} values; at most {MAX_LIST_VALUES} per request")


class NothingToList(ValueError):
    pass


class UnknownClient(LookupError):
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        super().__init__(f"no client {client_id} in this company")


def count_values(values: Mapping[str, Sequence[str]]) -> int:
    return sum(len(items) for items in values.values())


def require_client(session: Session, company_id: str, client_id: str | None) -> None:
    """Raises UnknownClient unless `client_id` is None or a live client of the company."""
    if client_id is not None and find_client(session, company_id, client_id) is None:
        raise UnknownClient(client_id)


def add_to_list(session: Session, box: SecretBox, company_id: str, client_id: str | None,
                values: Mapping[str, Sequence[str]], created_by: str | None
                ) -> AddedSuppressions:
    """List `values` ({"emails"|"domains"|"linkedinUrls"|"phones": [...]}) for the company,
    or only for its client `client_id`.

    Raises:
        NothingToList: no values at all.
        TooManyValues: more than MAX_LIST_VALUES values.
        UnknownClient: `client_id` is not a live client of the company.
    """
    count = count_values(values)
    if not count:
        raise NothingToList("no values to list")
    if count > MAX_LIST_VALUES:
        raise TooManyValues(count)
    require_client(session, company_id, client_id)
    return add_suppressions(session, box, company_id, client_id, values, created_by)


def import_list_file(session: Session, box: SecretBox, company_id: str, client_id: str | None,
                     raw: bytes, created_by: str | None) -> dict[str, Any]:
    """List the values of a CSV file (storage.privacy.list_files): `public_added`, with the
    invalid values as cells `{line, column, issue}`, the columns read and those ignored.

    Raises:
        ListFileRefused: the file is not such a CSV list.
        NothingToList, TooManyValues, UnknownClient: as `add_to_list`.
    """
    listed = read_list_file(raw)
    if not count_values(listed.values):
        raise NothingToList(f"no values under {', '.join(listed.columns.values())}")
    added = add_to_list(session, box, company_id, client_id, listed.values, created_by)
    return {**public_added(added, box), "invalid": listed.invalid_cells(added.invalid),
            "columns": listed.columns, "ignoredColumns": listed.ignored_columns}


def public_added(added: AddedSuppressions, box: SecretBox) -> dict[str, Any]:
    """What adding listed, as the API answers and the CLI prints it."""
    return {"created": len(added.created), "existing": added.existing,
            "invalid": added.invalid,
            "suppressions": [public_suppression(row, box) for row in added.created]}


def page_of_entries(session: Session, company_id: str, *, client_id: str | None = None,
                    kind: str | None = None, reason: str | None = None,
                    cursor: str | None = None, limit: int = 100
                    ) -> tuple[list[Suppression], str | None]:
    """One page of the company's entries, newest first, and the next page's cursor (None at
    the end). `client_id` keeps that client's own entries (not the company-wide ones).

    Raises:
        ValueError: `cursor` is not one this function gave out.
    """
    statement = select(Suppression).where(Suppression.company_id == company_id)
    if client_id is not None:
        statement = statement.where(Suppression.scope == client_id)
    if kind is not None:
        statement = statement.where(Suppression.kind == kind)
    if reason is not None:
        statement = statement.where(Suppression.reason == reason)
    statement = newest_first_after(statement, Suppression, cursor)
    return page_of(list(session.exec(statement.limit(limit + 1)).all()), limit)


def list_entries(session: Session, company_id: str, ids: Sequence[str]) -> list[Suppression]:
    """The company's list entries (reason "list") among `ids`."""
    if not ids:
        return []
    return list(session.exec(select(Suppression).where(
        Suppression.company_id == company_id, Suppression.reason == "list",
        col(Suppression.id).in_(list(ids)))).all())
