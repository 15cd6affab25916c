"""Campaigns of a company: their vocabulary, creation, look-up, change and listing — the one
model under `/api/campaigns` and the agent API's `/api/agent/campaigns`.

A campaign may name one of the company's clients (`client_id`, the business id); another
company's campaign is never found, so changing it is "not found", never "forbidden".
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, get_args

from sqlmodel import Session, select

from storage.db.clock import utcnow
from storage.workspace.models import Campaign

CampaignStatus = Literal["draft", "active", "paused", "completed", "archived"]
CampaignType = Literal["abm", "demand_gen", "nurture"]
CAMPAIGN_STATUSES: tuple[str, ...] = get_args(CampaignStatus)
CAMPAIGN_TYPES: tuple[str, ...] = get_args(CampaignType)
DEFAULT_CAMPAIGN_TYPE = "abm"
# What a campaign's fields are called in the API (and their column here).
CHANGEABLE_FIELDS = {"name": "name", "description": "description", "status": "status",
                     "campaignType": "campaign_type", "client_id": "client_id"}


def create_campaign(session: Session, company_id: str, owner: str, *, name: str,
                    description: str | None = None, client_id: str | None = None,
                    status: str = "draft", campaign_type: str = DEFAULT_CAMPAIGN_TYPE
                    ) -> Campaign:
    row = Campaign(id=str(uuid.uuid4()), company_id=company_id, client_id=client_id,
                   name=name, description=description, status=status,
                   campaign_type=campaign_type, owner=owner)
    session.add(row)
    session.flush()
    return row


def find_campaign(session: Session, company_id: str, campaign_id: str) -> Campaign | None:
    """The company's campaign `campaign_id`; another company's is None."""
    row = session.get(Campaign, campaign_id)
    return row if row is not None and row.company_id == company_id else None


def change_campaign(session: Session, row: Campaign, changes: dict[str, Any]) -> Campaign:
    """Apply `changes` (API names of CHANGEABLE_FIELDS → new values) to `row`."""
    for field, value in changes.items():
        setattr(row, CHANGEABLE_FIELDS[field], value)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def campaigns_of(company_id: str, *, status: str | None = None,
                 campaign_type: str | None = None, client_id: str | None = None) -> Any:
    """The company's campaigns (a statement to page), optionally filtered."""
    statement = select(Campaign).where(Campaign.company_id == company_id)
    for column, wanted in ((Campaign.status, status), (Campaign.campaign_type, campaign_type),
                           (Campaign.client_id, client_id)):
        if wanted is not None:
            statement = statement.where(column == wanted)
    return statement
