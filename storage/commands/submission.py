"""Creating a command: the one operation behind `POST leadGeneration` and every scheduled run.

Both faces hand over a validated request and the client it names; `create_command` takes the
company's lock, checks the monthly lead quota and stores the command row, or raises
`QuotaRefused` for the caller to answer in its own way (the API: QUOTA_EXCEEDED; a recurring
run: a failed search-history entry). The command object is passed in, not built here: it is a
pure transform of the request that lives with the search it describes (`tasks.search`), which
storage may not import, and both callers already hold it.

`seal_request` is the one rule for what of a request is stored: the webhook secret is sealed
with the instance key and never kept in clear, for commands and for recurring searches alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from storage.commands.limits import QuotaShortfall, hold_company, lead_quota_shortfall
from storage.commands.models import Command
from storage.commands.records import PRIORITY_RANK, new_command_id
from storage.tenancy.models import Client
from storage.tenancy.secrets import SecretBox


@dataclass(frozen=True)
class StoredRequest:
    """A lead-generation request as it is stored: `request` never holds the webhook secret,
    `webhook_secret_sealed` holds it sealed (None when the request has none)."""

    request: dict[str, Any]
    webhook_secret_sealed: str | None = None


def seal_request(payload: dict[str, Any], secret_box: SecretBox) -> StoredRequest:
    """`payload` (a validated request's JSON dump) with its webhook secret taken out and sealed."""
    request = dict(payload)
    webhook = request.get("webhook")
    if not webhook:
        return StoredRequest(request)
    secret = webhook.get("secret")
    request["webhook"] = {key: value for key, value in webhook.items() if key != "secret"}
    return StoredRequest(request, secret_box.seal(secret) if secret else None)


class QuotaRefused(Exception):
    """The command does not fit the company's or the site's monthly lead quota."""

    def __init__(self, shortfall: QuotaShortfall) -> None:
        self.shortfall = shortfall
        super().__init__(shortfall.describe())


def create_command(
    session: Session,
    client: Client,
    stored: StoredRequest,
    command_object: dict[str, Any],
    company_lead_quota: int,
) -> Command:
    """Store a new command for `client` from `stored`, once its leads fit the quota.

    Args:
        client: The live client the request's `siteId` names, in the caller's company.
        stored: The request without its secret (`seal_request`, or a schedule's saved one).
        command_object: `build_command_object(stored.request)`.
        company_lead_quota: Leads a company may request per calendar month.

    Raises:
        QuotaRefused: the requested leads exceed the company's or the site's quota; nothing
            is stored.
    """
    request = stored.request
    # The lock first, so two commands of one company cannot both pass the count.
    hold_company(session, client.company_id)
    shortfall = lead_quota_shortfall(session, client, request["maxLeads"], company_lead_quota)
    if shortfall is not None:
        raise QuotaRefused(shortfall)
    priority = request.get("priority") or "medium"
    command = Command(
        id=new_command_id(),
        company_id=client.company_id,
        site_id=client.client_id,
        user_id=request.get("userId"),
        agent_id=request.get("agent_id"),
        leads_requested=request["maxLeads"],
        priority=priority,
        priority_rank=PRIORITY_RANK[priority],
        request=request,
        command_object=command_object,
    )
    webhook = request.get("webhook") or {}
    if webhook.get("url"):
        command.webhook_url = webhook["url"]
        command.webhook_metadata = webhook.get("metadata")
        command.webhook_secret_sealed = stored.webhook_secret_sealed
    session.add(command)
    return command
