"""The webhook workbench of leadgenius-pro-api.md: inbound webhooks that add leads to a client.

`POST /api/webhook-workbench` creates one (name, platform, description, platformConfig — a JSON
string with `field_mapping` — and client_id) and returns its `webhookUrl` with the secret in it,
this once. `GET /api/webhook-workbench` lists them, never with the secret. The outreach tool
calls `POST /api/webhook-workbench/hooks/{id}/{secret}` with no API key: the secret in the URL
authenticates it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field

from api.auth import authenticate
from api.errors import InvalidFormat, InvalidValue, NotFound, NoValidCredentials
from api.management_requests import query_text, read_body
from storage.clock import iso_z
from storage.database import session_scope
from storage.inbound_webhooks import (
    authenticated_webhook,
    create_inbound_webhook,
    list_inbound_webhooks,
    record_call,
    seen_call,
    upsert_inbound_leads,
)
from storage.models import InboundWebhook
from storage.tenancy import find_client
from tasks.inbound_mapping import field_mapping_problem, map_payload

HOOK_PATH = "/api/webhook-workbench/hooks"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)
    platform: Literal["heyreach", "woodpecker", "lemlist", "generic"]
    description: str | None = Field(default=None, max_length=2000)
    platformConfig: str | None = Field(default=None, max_length=100_000)  # noqa: N815
    client_id: str = Field(min_length=1, max_length=120)


def _platform_config(raw: str | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {"field_mapping": {}}
    try:
        config = json.loads(raw)
    except ValueError:
        raise InvalidFormat("platformConfig must be a JSON string",
                            details={"field": "platformConfig", "issue": "not JSON"}) from None
    if not isinstance(config, dict):
        raise InvalidValue("platformConfig must hold a JSON object",
                           details={"field": "platformConfig", "issue": "not an object"})
    config.setdefault("field_mapping", {})
    problem = field_mapping_problem(config["field_mapping"])
    if problem:
        raise InvalidValue("platformConfig.field_mapping is not usable",
                           details={"field": "platformConfig.field_mapping", "issue": problem})
    return config


def public_webhook(webhook: InboundWebhook, base_url: str) -> dict[str, Any]:
    return {"id": webhook.id, "name": webhook.name, "platform": webhook.platform,
            "description": webhook.description, "client_id": webhook.client_id,
            "platformConfig": json.dumps(webhook.platform_config),
            "endpoint": f"{base_url}{HOOK_PATH}/{webhook.id}/<secret>",
            "createdAt": iso_z(webhook.created_at)}


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class WebhookWorkbenchController(Controller):
    path = "/api/webhook-workbench"
    tags = ["Webhook workbench"]

    @post("/", status_code=201, summary="Create an inbound webhook for a client")
    async def create_webhook(self, request: Request, state: State) -> dict[str, Any]:
        """Returns `webhookUrl` with its secret embedded; it is never shown again."""
        body = await read_body(request, WebhookCreate)
        config = _platform_config(body.platformConfig)
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            if find_client(session, caller.company_id, body.client_id) is None:
                raise NotFound(f"No client {body.client_id}",
                               details={"field": "client_id", "issue": body.client_id})
            webhook, secret = create_inbound_webhook(
                session, company_id=caller.company_id, client_id=body.client_id,
                name=body.name, platform=body.platform, description=body.description,
                platform_config=config, created_by=caller.user_id)
            reply = public_webhook(webhook, _base_url(request))
        reply["webhookUrl"] = f"{_base_url(request)}{HOOK_PATH}/{webhook.id}/{secret}"
        return {"success": True, "webhook": reply, "webhookUrl": reply["webhookUrl"]}

    @get("/", summary="List the company's inbound webhooks (without secrets)")
    async def list_webhooks(self, request: Request, state: State) -> dict[str, Any]:
        """Your company's inbound webhooks (`?client_id=` for one client); secrets are never
        returned.
        """
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            rows = list_inbound_webhooks(session, caller.company_id,
                                         query_text(request, "client_id"))
            webhooks = [public_webhook(row, _base_url(request)) for row in rows]
        return {"success": True, "webhooks": webhooks, "total": len(webhooks)}

    @post("/hooks/{webhook_id:str}/{secret:str}", status_code=200,
          summary="Receive leads from an outreach tool (the secret in the URL authenticates)")
    async def receive(self, request: Request, state: State, webhook_id: str,
                      secret: str) -> dict[str, Any]:
        """Where heyreach, woodpecker, lemlist or a generic tool posts leads; the secret in the URL
        authenticates; a replayed body adds nothing.
        """
        raw = await request.body()
        digest = hashlib.sha256(raw).hexdigest()
        with session_scope(state.engine) as session:
            webhook = authenticated_webhook(session, webhook_id, secret)
            if webhook is None:  # the same answer for an unknown id and a wrong secret
                raise NoValidCredentials("The webhook URL is not valid",
                                         recommendation="Copy the webhookUrl shown at creation.")
            try:
                payload = json.loads(raw)
            except ValueError:
                raise InvalidFormat("The body must be JSON",
                                    details={"field": "body", "issue": "not JSON"}) from None
            if seen_call(session, webhook.id, digest) is not None:
                return {"success": True, "duplicate": True, "leadsAdded": 0, "leadsUpdated": 0}
            rows = map_payload(payload, webhook.platform,
                               webhook.platform_config.get("field_mapping") or {})
            added, updated = upsert_inbound_leads(session, webhook, rows)
            record_call(session, webhook.id, digest, added, updated)
        return {"success": True, "duplicate": False, "leadsAdded": added,
                "leadsUpdated": updated, "leadsReceived": len(rows)}
