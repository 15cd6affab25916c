"""`POST /api/epsimo-chat`: chat with the company's configured LLM about a lead or a campaign.

The LLM is the OpenAI-compatible chat-completions endpoint of the URL settings (`aiChat`,
`aiChat_Apikey`; a client's own over the company's), called through the outbound-call policy
like every tenant-configured URL. With none configured the answer comes from the records
(`source: "template"`). Each turn is stored in its thread, so a follow-up sent with the
`threadId` of the reply carries the conversation.
"""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Controller, post
from litestar.datastructures import State
from pydantic import Field
from sqlmodel import Session

from api.errors import InvalidValue, NotFound, ServiceUnavailable
from api.guards import authenticated
from api.management.requests import StrippedContractBody
from api.security.auth import Caller
from storage.leads.fields import find_company_lead, generated_fields
from storage.workspace.campaigns import find_campaign
from storage.workspace.chat_threads import add_turns, new_thread_id, thread_history
from storage.workspace.service_settings import CHAT_SERVICE, resolve_services
from tasks.egress import EgressRefused
from tasks.enrichment.assistant import chat_prompt, template_reply
from tasks.enrichment.processing import (
    SERVICE_TIMEOUT_SECONDS,
    chat_completion,
    lead_profile,
    service_host,
)

DEFAULT_CHAT_MODEL = "gpt-4o-mini"  # the model asked for when no assistantId/agentId is sent


class ChatRequest(StrippedContractBody):
    message: str = Field(min_length=1, max_length=8000)
    leadId: str | None = None
    campaignId: str | None = None
    assistantId: str | None = Field(default=None, description="The model (agent) to ask.")
    agentId: str | None = Field(default=None, description="Alias of assistantId.")
    threadId: str | None = None


def _campaign(session: Session, company_id: str, campaign_id: str) -> dict[str, Any]:
    row = find_campaign(session, company_id, campaign_id)
    if row is None:
        raise NotFound(f"No campaign {campaign_id}",
                       details={"field": "campaignId", "issue": "not found"})
    return {"id": row.id, "name": row.name, "description": row.description,
            "status": row.status, "campaignType": row.campaign_type,
            "client_id": row.client_id}


def _lead(session: Session, company_id: str, lead_id: str) -> dict[str, Any]:
    lead = find_company_lead(session, company_id, lead_id)
    if lead is None:
        raise NotFound(f"No lead {lead_id}", details={"field": "leadId", "issue": "not found"})
    return {**lead_profile(lead), **generated_fields(session, [lead.id]).get(lead.id, {})}


def _ask(state: State, endpoint: Any, model: str, messages: list[dict[str, str]]) -> str:
    policy = state.egress_policy.with_deadline(SERVICE_TIMEOUT_SECONDS)
    try:
        return chat_completion(policy, endpoint, model, messages, temperature=0.3)
    except EgressRefused as exc:  # Leadmill's own words: safe to answer
        raise InvalidValue("The configured chat endpoint is refused", details={
            "field": CHAT_SERVICE, "issue": str(exc)},
            recommendation="Point aiChat in /api/settings/url at a public address.") from None
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError):
        # The endpoint's own reply is never copied (it could be an internal host's page).
        raise ServiceUnavailable("The configured chat endpoint did not answer", details={
            "field": CHAT_SERVICE, "issue": f"no chat completion from "
                                           f"{service_host(endpoint.url)}"}) from None


class ChatController(Controller):
    path = "/api/epsimo-chat"
    tags = ["Integrations"]
    guards = [authenticated]

    @post("/", status_code=200, summary="Chat with your configured LLM about a lead or campaign",
          sync_to_thread=True)
    def chat(self, state: State, session: Session, caller: Caller,
             data: ChatRequest) -> dict[str, Any]:
        """Body `{message, leadId?, campaignId?, assistantId?|agentId?, threadId?}` →
        `{success, reply, message, threadId, model, source: "llm"|"template", leadId,
        campaignId}`. `assistantId`/`agentId` is the model asked (default gpt-4o-mini); an
        unknown lead, campaign or thread is 404; a chat endpoint the outbound-call policy
        refuses is 400 naming `aiChat`; one that fails is 503.
        """
        company_id = caller.company_id
        lead = _lead(session, company_id, data.leadId) if data.leadId else None
        campaign = _campaign(session, company_id, data.campaignId) if data.campaignId else None
        history = thread_history(session, company_id, data.threadId) if data.threadId else []
        if history is None:
            raise NotFound(f"No thread {data.threadId}",
                           details={"field": "threadId", "issue": "not found"})
        client_id = (lead or {}).get("client_id") or (campaign or {}).get("client_id")
        endpoint = resolve_services(session, state.secret_box, company_id,
                                    client_id).get(CHAT_SERVICE)
        model: str | None = data.agentId or data.assistantId or DEFAULT_CHAT_MODEL
        if endpoint is not None:
            session.commit()  # no database connection held across the LLM call
            messages = chat_prompt(data.message, lead, campaign,
                                   [(turn.role, turn.content) for turn in history])
            reply, source = _ask(state, endpoint, model or DEFAULT_CHAT_MODEL, messages), "llm"
        else:
            reply, source, model = template_reply(lead, campaign), "template", None
        thread_id = data.threadId or new_thread_id()
        add_turns(session, company_id, thread_id, history[-1].turn + 1 if history else 0,
                  [("user", data.message), ("assistant", reply)], lead_id=data.leadId,
                  campaign_id=data.campaignId)
        return {"success": True, "reply": reply, "message": reply, "threadId": thread_id,
                "model": model, "source": source, "leadId": data.leadId,
                "campaignId": data.campaignId}
