"""Whose site and user a lead-generation request names: the one rule that commands and
recurring searches (API and CLI) apply before storing anything.

Both ids must belong to the caller's company. Another company's site or user is "not found",
exactly as an id nobody has, so a tenant learns nothing about other tenants' ids.
"""

from __future__ import annotations

from sqlmodel import Session

from api.command.schemas import LeadGenerationRequest
from api.errors import SiteNotFound, UserNotFound
from storage.tenancy.accounts import find_client, find_user
from storage.tenancy.models import Client


def command_site(session: Session, company_id: str, request: LeadGenerationRequest,
                 field_prefix: str = "") -> Client:
    """The live client `request.siteId` of `company_id`, once `request.userId` (if given) is a
    user of that company too.

    Args:
        field_prefix: Where the request sits in the body, for the error's field
            (`"command."` in a schedule).

    Raises:
        SiteNotFound: no such live client in the company.
        UserNotFound: no such user in the company.
    """
    client = find_client(session, company_id, request.siteId)
    if client is None:
        raise SiteNotFound(field=f"{field_prefix}siteId", issue=f"no site {request.siteId}")
    if request.userId and find_user(session, company_id, request.userId) is None:
        raise UserNotFound(field=f"{field_prefix}userId", issue=f"no user {request.userId}")
    return client
