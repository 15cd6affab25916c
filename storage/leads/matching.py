"""What the lead store knows of a site's people, for dedupe against earlier leads.

`site_lead_identities` reads the identity columns of every lead of a site — soft-deleted ones
too, marked `deleted`: a person someone removed is still known, and no command (recurring or
not) may bring them back. `tasks/dedupe/candidates.py` matches a command's candidates against
these rows (exact keys and fuzzy person + company), leaves out the people known only as
deleted leads, and the persist task merges a match into the live lead it found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

IDENTITY_COLUMNS = ("id", "email", "linkedin", "phone", "first_name", "last_name", "name",
                    "company", "website", "deleted")


def site_lead_identities(session: Session, company_id: str, site_id: str) -> list[dict[str, Any]]:
    """Every lead of the site as {id, email, linkedin, phone, first_name, last_name, name,
    company, website, deleted}, oldest first (so a person found twice long ago resolves to the
    first lead); `deleted` is True for a lead someone deleted."""
    # Core SQL, not ORM objects: a site may hold a few hundred thousand leads.
    result = session.connection().execute(
        text(f"SELECT {', '.join(IDENTITY_COLUMNS[:-1])}, deleted_at IS NOT NULL FROM lead "
             "WHERE company_id = :company_id AND site_id = :site_id ORDER BY created_at, id"),
        {"company_id": company_id, "site_id": site_id},
    )
    return [{**dict(zip(IDENTITY_COLUMNS, row, strict=True)), "deleted": bool(row[-1])}
            for row in result]
