"""Re-keying stored leads when the identity rule changes (an upgrade step of `create_schema`).

Every lead is stored under its identity (`lead.dedupe_key`, `storage.leads.identity`); lookups
by identity (API writes, inbound webhooks, the persist task) find a person only under the key
the current rule gives. `rekey_leads` recomputes the key of every stored lead once per rule
version, recorded in `identityrulestate`, so later starts only read that one row.

A lead keeps its old key when the new rule finds nothing to identify it by (a name with no
company), or when the new key is already another lead's of the same site (two leads an older
rule told apart, now one person: the older lead takes the key; merging them is a person's
decision, not an upgrade's). Keys are moved in two steps (first to a unique interim value) so
that a swap between two leads never trips the unique (company, site, key) constraint.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from storage.leads.identity import IDENTITY_RULE_VERSION, identity_keys

log = logging.getLogger(__name__)

_COLUMNS = ("id", "company_id", "site_id", "dedupe_key", "email", "linkedin", "phone", "name",
            "first_name", "last_name", "company", "website")


class IdentityRuleState(SQLModel, table=True):
    """Which identity rule the stored keys of a table follow."""

    table_name: str = Field(primary_key=True)
    version: int


def rekey_leads(engine: Engine) -> int:
    """Give every stored lead its key under the current rule; returns how many changed."""
    with engine.begin() as connection:
        done = connection.execute(text(
            "SELECT version FROM identityrulestate WHERE table_name = 'lead'")).scalar()
        if done is not None and done >= IDENTITY_RULE_VERSION:
            return 0
        changes, kept = _new_keys(connection)
        for step in ("interim", "final") if changes else ():
            connection.execute(text("UPDATE lead SET dedupe_key = :key WHERE id = :id"), [
                {"id": lead_id, "key": f"rekey:{lead_id}" if step == "interim" else key}
                for lead_id, key in changes.items()])
        if done is None:
            connection.execute(text("INSERT INTO identityrulestate (table_name, version) "
                                    "VALUES ('lead', :version)"),
                               {"version": IDENTITY_RULE_VERSION})
        else:
            connection.execute(text("UPDATE identityrulestate SET version = :version "
                                    "WHERE table_name = 'lead'"),
                               {"version": IDENTITY_RULE_VERSION})
    if changes or kept:
        log.info("identity rule %d: %d leads re-keyed, %d kept their key (another lead of "
                 "their site has the new one)", IDENTITY_RULE_VERSION, len(changes), kept)
    return len(changes)


def _new_keys(connection: Connection) -> tuple[dict[str, str], int]:
    """{lead id: new key} for the leads whose key changes, and how many keep theirs because
    another lead of the site holds the new key."""
    rows = [dict(zip(_COLUMNS, row, strict=True)) for row in connection.execute(text(
        f"SELECT {', '.join(_COLUMNS)} FROM lead ORDER BY company_id, site_id, created_at, id"))]
    wanted = identity_keys(rows)
    # Every key held now, as it stands after each decision: a lead moves only to a key no
    # other lead of its site holds at that point (oldest first), so the keys stay unique.
    taken: set[tuple[Any, Any, str]] = {
        (row["company_id"], row["site_id"], row["dedupe_key"]) for row in rows}
    changes: dict[str, str] = {}
    kept = 0
    for row, key in zip(rows, wanted, strict=True):
        if key is None or key == row["dedupe_key"]:
            continue
        place = (row["company_id"], row["site_id"], key)
        if place in taken:
            kept += 1
            continue
        taken.discard((row["company_id"], row["site_id"], row["dedupe_key"]))
        taken.add(place)
        changes[str(row["id"])] = key
    return changes, kept
