"""The webhook workbench of leadgenius-pro-api.md: inbound webhooks that add leads to a client.

`POST /api/webhook-workbench` creates one (name, platform, description, platformConfig — a JSON
string with `field_mapping` — and client_id) and returns its `webhookUrl` with the secret in it,
this once. `GET /api/webhook-workbench` lists them, never with the secret. The outreach tool
calls `POST /api/webhook-workbench/hooks/{id}/{secret}` with no API key: the secret in the URL
authenticates it. Beyond the document (what anyone with a leaked URL or a retired tool needs):
`PUT` edits one by `id`, `DELETE ?id=` removes it, `POST /rotate?id=` replaces its secret.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from litestar import Controller, Request, delete, get, post, put
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.errors import InvalidFormat, InvalidValue, NotFound, NoValidCredentials
from api.guards import authenticated
from api.json_body import load_json
from api.management.requests import query_text
from api.security.auth import Caller
from storage.db.clock import iso_z, utcnow
from storage.tenancy.accounts import find_client
from storage.webhooks.inbound import (
    authenticated_webhook,
    company_webhook,
    create_inbound_webhook,
    delete_inbound_webhook,
    list_inbound_webhooks,
    record_call,
    rotate_secret,
    seen_call,
    upsert_inbound_leads,
)
from storage.webhooks.models import InboundWebhook
from tasks.delivery.inbound_mapping import field_mapping_problem, map_payload

HOOK_PATH = "/api/webhook-workbench/hooks"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)
    platform: Literal["heyreach", "woodpecker", "lemlist", "generic"]
    description: str | None = Field(default=None, max_length=2000)
    platformConfig: str | None = Field(default=None, max_length=100_000)  # noqa: N815
    client_id: str = Field(min_length=1, max_length=120)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=120)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    platformConfig: str | None = Field(default=None, max_length=100_000)  # noqa: N815
    client_id: str | None = Field(default=None, min_length=1, max_length=120)


def _platform_config(raw: str | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {"field_mapping": {}}
    try:
        config = load_json(raw)
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
    # The configured public address: a request's Host header is the caller's to choose.
    return request.app.state.settings.public_base_url


def _hook_url(request: Request, webhook: InboundWebhook, secret: str) -> str:
    return f"{_base_url(request)}{HOOK_PATH}/{webhook.id}/{secret}"


def _owned_webhook(session: Any, company_id: str, webhook_id: str) -> InboundWebhook:
    webhook = company_webhook(session, company_id, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook {webhook_id}", details={"field": "id", "issue": webhook_id})
    return webhook


def _known_client(session: Any, company_id: str, client_id: str) -> None:
    if find_client(session, company_id, client_id) is None:
        raise NotFound(f"No client {client_id}",
                       details={"field": "client_id", "issue": client_id})


class WebhookWorkbenchController(Controller):
    """The management routes are `authenticated` one by one: the inbound hook is not (the
    secret in its URL authenticates it), and a controller's guards would cover it too."""

    path = "/api/webhook-workbench"
    tags = ["Webhook workbench"]

    @post("/", status_code=201, summary="Create an inbound webhook for a client",
          guards=[authenticated], sync_to_thread=True)
    def create_webhook(self, request: Request, session: Session, caller: Caller,
                       data: WebhookCreate) -> dict[str, Any]:
        """Returns `webhookUrl` with its secret embedded; it is never shown again."""
        config = _platform_config(data.platformConfig)
        _known_client(session, caller.company_id, data.client_id)
        webhook, secret = create_inbound_webhook(
            session, company_id=caller.company_id, client_id=data.client_id,
            name=data.name, platform=data.platform, description=data.description,
            platform_config=config, created_by=caller.user_id)
        reply = public_webhook(webhook, _base_url(request))
        reply["webhookUrl"] = _hook_url(request, webhook, secret)
        return {"success": True, "webhook": reply, "webhookUrl": reply["webhookUrl"]}

    @put("/", summary="Update an inbound webhook (by id): name, description, mapping, client",
         guards=[authenticated], sync_to_thread=True)
    def update_webhook(self, request: Request, session: Session, caller: Caller,
                       data: WebhookUpdate) -> dict[str, Any]:
        """Changes only the fields given; the secret and URL stay the same."""
        config = (_platform_config(data.platformConfig) if data.platformConfig is not None
                  else None)
        webhook = _owned_webhook(session, caller.company_id, data.id)
        if data.client_id is not None:
            _known_client(session, caller.company_id, data.client_id)
            webhook.client_id = data.client_id
        if data.name is not None:
            webhook.name = data.name
        if "description" in data.model_fields_set:
            webhook.description = data.description
        if config is not None:
            webhook.platform_config = config
        webhook.updated_at = utcnow()
        session.add(webhook)
        return {"success": True, "webhook": public_webhook(webhook, _base_url(request))}

    @delete("/", status_code=200, summary="Delete an inbound webhook (?id=); its URL stops working",
            guards=[authenticated], sync_to_thread=True)
    def delete_webhook(self, request: Request, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """The leads it brought in stay with their client."""
        webhook_id = query_text(request, "id", required=True)
        delete_inbound_webhook(session, _owned_webhook(session, caller.company_id, webhook_id))
        return {"success": True, "deleted": webhook_id}

    @post("/rotate", status_code=200,
          summary="Give an inbound webhook (?id=) a new secret; the old URL stops working",
          guards=[authenticated], sync_to_thread=True)
    def rotate_webhook(self, request: Request, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """Returns the new `webhookUrl`, this once."""
        webhook_id = query_text(request, "id", required=True)
        webhook = _owned_webhook(session, caller.company_id, webhook_id)
        secret = rotate_secret(session, webhook)
        reply = public_webhook(webhook, _base_url(request))
        reply["webhookUrl"] = _hook_url(request, webhook, secret)
        return {"success": True, "webhook": reply, "webhookUrl": reply["webhookUrl"]}

    @get("/", summary="List the company's inbound webhooks (without secrets)",
         guards=[authenticated], sync_to_thread=True)
    def list_webhooks(self, request: Request, session: Session,
                      caller: Caller) -> dict[str, Any]:
        """Your company's inbound webhooks (`?client_id=` for one client); secrets are never
        returned.
        """
        rows = list_inbound_webhooks(session, caller.company_id, query_text(request, "client_id"))
        webhooks = [public_webhook(row, _base_url(request)) for row in rows]
        return {"success": True, "webhooks": webhooks, "total": len(webhooks)}

    @post("/hooks/{webhook_id:str}/{secret:str}", status_code=200,
          summary="Receive leads from an outreach tool (the secret in the URL authenticates)",
          sync_to_thread=True)
    def receive(self, session: Session, webhook_id: str, secret: str,
                body: bytes) -> dict[str, Any]:
        """Where heyreach, woodpecker, lemlist or a generic tool posts leads; the secret in the URL
        authenticates; a replayed body adds nothing.
        """
        # The raw body: its digest recognises a replay, and it is parsed only once the URL's
        # secret has been checked (an unknown hook answers the same whatever was sent). The
        # leads and the call's record share the request's transaction: stored together or not
        # at all.
        digest = hashlib.sha256(body).hexdigest()
        webhook = authenticated_webhook(session, webhook_id, secret)
        if webhook is None:  # the same answer for an unknown id and a wrong secret
            raise NoValidCredentials("The webhook URL is not valid",
                                     recommendation="Copy the webhookUrl shown at creation.")
        if find_client(session, webhook.company_id, webhook.client_id) is None:
            # Its client was deleted: the hook takes no more leads for it.
            raise NotFound("This webhook's client no longer exists",
                           details={"field": "client_id", "issue": "client deleted"},
                           recommendation="Create a webhook for a live client.")
        try:
            payload = load_json(body)
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
