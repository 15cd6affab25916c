"""Which campaigns a lead may name: its `campaignId` is a campaign of the lead's own company
(another company's campaign is as unknown as one that never existed)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.workspace.models import Campaign


def company_campaigns(session: Session, company_id: str,
                      campaign_ids: Iterable[str]) -> dict[str, Campaign]:
    """The campaigns of `company_id` among `campaign_ids`, by id."""
    wanted = sorted(set(campaign_ids))
    if not wanted:
        return {}
    rows = session.exec(select(Campaign).where(Campaign.company_id == company_id,
                                               col(Campaign.id).in_(wanted))).all()
    return {row.id: row for row in rows}
