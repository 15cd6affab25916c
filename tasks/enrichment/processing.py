"""Prefect tasks of lead processing: read the lead, call an enrichment service or a
chat-completions endpoint, write the fields back.

API keys are opened inside the task that uses them (from the sealed service settings), so they
never travel as task or flow parameters, which Prefect stores in clear.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from prefect import task

from storage.db.engine import session_scope
from storage.leads.fields import (
    LEAD_COLUMNS_FROM_SERVICES,
    find_company_lead,
    save_generated_fields,
)
from storage.leads.models import Lead
from storage.runtime import Runtime
from storage.workspace.service_settings import CHAT_SERVICE, ServiceEndpoint, resolve_services
from tasks.egress import EgressPolicy, EgressRefused, egress_client
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME

SERVICE_TIMEOUT_SECONDS = 30.0


def lead_profile(lead: Lead) -> dict[str, Any]:
    """The lead in the lead-management API's field names, as services and prompts see it."""
    return {"id": lead.id, "client_id": lead.site_id, "name": lead.name,
            "firstName": lead.first_name, "lastName": lead.last_name, "email": lead.email,
            "phone": lead.phone, "companyName": lead.company, "companyDomain": lead.company_domain,
            "title": lead.position, "industry": lead.industry, "website": lead.website,
            "location": lead.location, "country": lead.country, "companySize": lead.company_size,
            "linkedinUrl": lead.linkedin, "score": lead.score}


def _endpoint(runtime: Runtime, company_id: str, client_id: str | None,
              service: str) -> tuple[ServiceEndpoint | None, EgressPolicy]:
    with session_scope(runtime.engine) as session:
        endpoint = resolve_services(session, runtime.secret_box, company_id,
                                    client_id).get(service)
    return endpoint, EgressPolicy.from_settings(runtime.settings).with_deadline(
        SERVICE_TIMEOUT_SECONDS)


def post_json(policy: EgressPolicy, url: str, headers: dict[str, str],
              payload: dict[str, Any]) -> Any:
    """POST `payload` to a tenant-configured service through the outbound-call policy; its JSON.

    Raises:
        EgressRefused: the service's host is not a public address (the run records why).
        httpx.HTTPError: the service failed, timed out or answered an error status.
    """
    with egress_client(policy, follow_redirects=False) as client:
        response = client.post(url, headers=headers, json=payload,
                               timeout=SERVICE_TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()


def _headers(endpoint: ServiceEndpoint) -> dict[str, str]:
    if not endpoint.api_key:
        return {}
    return {"Authorization": f"Bearer {endpoint.api_key}", "x-api-key": endpoint.api_key}


def chat_completions_url(url: str) -> str:
    """The configured `aiChat` URL as a chat-completions endpoint (a base URL gets the path)."""
    trimmed = url.rstrip("/")
    if trimmed.endswith("/chat/completions"):
        return trimmed
    if trimmed.endswith("/v1"):
        return trimmed + "/chat/completions"
    return trimmed + "/v1/chat/completions"


def chat_completion(policy: EgressPolicy, endpoint: ServiceEndpoint, model: str,
                    messages: list[dict[str, str]], temperature: float = 0) -> str:
    """One OpenAI-compatible chat completion at the configured `aiChat` endpoint (through the
    outbound-call policy); the first choice's content.

    Raises:
        EgressRefused: the endpoint's host is not a public address.
        httpx.HTTPError: the endpoint failed, timed out or answered an error status.
        KeyError, IndexError, TypeError: the answer is not a chat completion.
    """
    answer = post_json(policy, chat_completions_url(endpoint.url or ""), _headers(endpoint),
                       {"model": model, "messages": messages, "temperature": temperature})
    return str(answer["choices"][0]["message"]["content"])


def describe_failures(states: dict[str, Any]) -> str:
    """The failed names of a run, each with the policy's refusal when that was the cause.

    Only refusals are spelt out: they are Leadmill's own words. A service's reply is never
    copied into the run (it could be an internal host's page).
    """
    described = []
    for name, state in sorted(states.items()):
        if state.is_completed():
            continue
        error = state.result(raise_on_failure=False)
        described.append(f"{name} ({error})" if isinstance(error, EgressRefused) else name)
    return ", ".join(described)


def service_host(url: str) -> str:
    return urlsplit(url).netloc or url


@task(name="load-lead-profile", cache_policy=CACHE_WITHOUT_RUNTIME)
def load_lead_profile(runtime: Runtime, company_id: str, lead_id: str) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        lead = find_company_lead(session, company_id, lead_id)
        if lead is None:
            raise LookupError(f"lead {lead_id} no longer exists")
        return lead_profile(lead)


# No automatic retries on the two third-party POSTs below: neither is idempotent (an enrichment
# call or a chat completion may be billed, or act, each time it arrives), and a timeout does not
# say it did not arrive. A failed call fails its service in the run; the caller asks again.
@task(name="call-enrichment-service", cache_policy=CACHE_WITHOUT_RUNTIME)
def call_enrichment_service(runtime: Runtime, company_id: str, service: str,
                            profile: dict[str, Any]) -> dict[str, Any]:
    """POST the lead to the service configured as `service`; its JSON answer is the value."""
    endpoint, policy = _endpoint(runtime, company_id, profile.get("client_id"), service)
    if endpoint is None or not endpoint.url:
        raise LookupError(f"service {service} is no longer configured")
    task_logger(__name__).info("calling %s at %s", service, service_host(endpoint.url))
    value = post_json(policy, endpoint.url, _headers(endpoint),
                      {"leadId": profile["id"], "service": service, "lead": profile})
    return {"value": value, "source": service_host(endpoint.url)}


@task(name="complete-chat", cache_policy=CACHE_WITHOUT_RUNTIME)
def complete_chat(runtime: Runtime, company_id: str, client_id: str | None, model: str,
                  messages: list[dict[str, str]]) -> dict[str, Any]:
    """One OpenAI-compatible chat completion; the first choice's content."""
    endpoint, policy = _endpoint(runtime, company_id, client_id, CHAT_SERVICE)
    if endpoint is None or not endpoint.url:
        raise LookupError("the aiChat endpoint is no longer configured")
    content = chat_completion(policy, endpoint, model, messages)
    return {"content": content, "source": f"{service_host(endpoint.url)}:{model}"}


@task(name="save-lead-fields", retries=2, cache_policy=CACHE_WITHOUT_RUNTIME)
def save_lead_fields(runtime: Runtime, company_id: str, lead_id: str, kind: str,
                     values: dict[str, Any], source: str, run_id: str | None,
                     overwrite: bool = False) -> int:
    """Write the fields (and the lead columns an enrichment answer fills); bump updated_at."""
    with session_scope(runtime.engine) as session:
        lead = find_company_lead(session, company_id, lead_id)
        if lead is None:
            raise LookupError(f"lead {lead_id} no longer exists")
        if kind == "enrichment":
            for service, (answer_key, column) in LEAD_COLUMNS_FROM_SERVICES.items():
                answer = values.get(service)
                if (isinstance(answer, dict) and isinstance(answer.get(answer_key), str)
                        and (overwrite or not getattr(lead, column))):
                    setattr(lead, column, answer[answer_key])
        save_generated_fields(session, lead, kind, values, source, run_id)
    return len(values)


@task(name="draft-lead-field", cache_policy=CACHE_WITHOUT_RUNTIME)
def draft_lead_field(runtime: Runtime, company_id: str, kind: str, name: str,
                     agent: str | None, profile: dict[str, Any]) -> dict[str, Any]:
    """One copy process or SDR field: from the configured agent, else the documented template."""
    from tasks.enrichment.copywriting import chat_messages, parse_answer, template_value

    if agent is None:
        return {"value": template_value(kind, name, profile), "source": "template"}
    answer = complete_chat.fn(runtime, company_id, profile.get("client_id"), agent,
                              chat_messages(kind, name, profile))
    return {"value": parse_answer(name, answer["content"]), "source": answer["source"]}
