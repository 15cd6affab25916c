"""Reading live leads the way the lead-management and agent APIs list and find them: one
filter (`LeadQuery`), keyset or numbered pages, counts, and the find-lead look-up.

Pages are newest first over the partial page indexes of `Lead` (company, client or campaign);
an email compares case-insensitively through `ix_lead_company_email_lower`; names and company
names match as case-insensitive substrings, what someone "finding" a lead expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.db.page_reader import read_page
from storage.leads.fields import GENERATED_FIELDS, generated_fields
from storage.leads.identity import normalise_linkedin
from storage.leads.models import Lead
from storage.leads.records import READ_FIELDS


@dataclass(frozen=True)
class LeadQuery:
    """Which live leads of a company to read; None means "any"."""

    client_id: str | None = None
    status: str | None = None
    campaign_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    company_name: str | None = None

    def conditions(self, company_id: str) -> list[Any]:
        found = [Lead.company_id == company_id, col(Lead.deleted_at).is_(None)]
        exact = ((Lead.site_id, self.client_id), (Lead.status, self.status),
                 (Lead.campaign_id, self.campaign_id))
        found += [col(column) == value for column, value in exact if value is not None]
        if self.email is not None:
            found.append(func.lower(Lead.email) == normalise_email(self.email))
        for column, value in ((Lead.first_name, self.first_name),
                              (Lead.last_name, self.last_name)):
            if value is not None:
                found.append(func.lower(column) == value.strip().lower())
        for column, value in ((Lead.name, self.full_name), (Lead.company, self.company_name)):
            if value is not None:
                found.append(col(column).icontains(" ".join(value.split()), autoescape=True))
        return found


def normalise_email(email: str) -> str:
    """An email as leads are compared by it (storage.leads.identity lower-cases keys too)."""
    return email.strip().lower()


def count_live(session: Session, company_id: str, query: LeadQuery) -> int:
    statement = select(func.count()).select_from(Lead).where(*query.conditions(company_id))
    return session.exec(statement).one()


def page_live(session: Session, company_id: str, query: LeadQuery, limit: int,
              cursor: str | None, fields: list[str], *, offset: int = 0,
              ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of live leads, newest first, under the API's names (`READ_FIELDS` and
    `GENERATED_FIELDS`, a generated field None where the lead has none), and the next cursor.
    """
    columns = {name: READ_FIELDS[name] for name in fields if name in READ_FIELDS}
    generated = [name for name in fields if name in GENERATED_FIELDS]
    if generated and "id" not in columns:
        columns["id"] = "id"
    page, next_token = read_page(session, Lead, columns, query.conditions(company_id),
                                 cursor, limit, offset=offset)
    if generated:
        values = generated_fields(session, [item["id"] for item in page], generated)
        for item in page:
            own = values.get(item["id"], {})
            item.update({name: own.get(name) for name in generated})
        if "id" not in fields:
            for item in page:
                del item["id"]
    return page, next_token


def find_live(session: Session, company_id: str, *, email: str | None = None,
              linkedin: str | None = None, full_name: str | None = None,
              client_id: str | None = None, limit: int = 100) -> list[Lead]:
    """find-lead: live leads by exact email, LinkedIn profile or full name (any case)."""
    statement = select(Lead).where(*LeadQuery(client_id=client_id, email=email)
                                   .conditions(company_id))
    if linkedin:
        profile = normalise_linkedin(linkedin)
        variants = {linkedin.strip()}
        if profile:
            variants |= {profile, f"https://{profile}", f"https://www.{profile}",
                         f"https://www.{profile}/", f"https://{profile}/"}
        statement = statement.where(col(Lead.linkedin).in_(sorted(variants)))
    if full_name:
        statement = statement.where(
            func.lower(Lead.name) == " ".join(full_name.lower().split()))
    return list(session.exec(
        statement.order_by(col(Lead.created_at).desc()).limit(limit)).all())
