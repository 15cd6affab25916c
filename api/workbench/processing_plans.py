"""Which lead-processing items a request triggers and which it skips, and why.

Shared by `/api/leads/process/*`, `/api/trigger` and `/api/enrichment/trigger`. The selector
(`services`, `processes`, `fields`) is optional: omitted, the request runs everything its
settings section configures (api_reference.md, "omit to run all configured") — the enrichment
services with a URL in `/api/settings/url`, the copy processes with an `enrichment<N>AgentId` in
`/api/settings/agent`, the SDR fields with a `<field>AgentId` in `/api/settings/sdr-ai`.

An item is skipped when its field is filled and `overwrite` is false, or when what it needs is
not configured (the enrichment service's URL; with an `aiChat` endpoint configured, the
process's or field's agent id). With no `aiChat` endpoint at all, copy and SDR fields come from
the documented templates (agent None).
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlmodel import Session

from api.errors import InvalidValue, NotFound
from api.management.requests import ContractBody
from storage.leads.fields import filled_fields, find_company_lead
from storage.leads.models import Lead
from storage.tenancy.secrets import SecretBox
from storage.workspace.agent_settings import (
    COPYRIGHT_PROCESSES,
    SDR_FIELDS,
    agent_key,
    effective_agent_values,
)
from storage.workspace.service_settings import (
    CHAT_SERVICE,
    ENRICHMENT_SERVICES,
    resolve_services,
)
from tasks.enrichment.copywriting import output_field

EnrichmentService = Literal[ENRICHMENT_SERVICES]  # type: ignore[valid-type]
SdrField = Literal[SDR_FIELDS]  # type: ignore[valid-type]


class EnrichRequest(ContractBody):
    leadId: str = Field(min_length=1)
    services: list[EnrichmentService] | None = Field(default=None, min_length=1)
    overwrite: bool = False


class CopyrightRequest(ContractBody):
    leadId: str = Field(min_length=1)
    processes: list[Annotated[int, Field(ge=1, le=10)]] | None = Field(default=None,
                                                                       min_length=1)
    overwrite: bool = False


class SdrRequest(ContractBody):
    leadId: str = Field(min_length=1)
    fields: list[SdrField] | None = Field(default=None, min_length=1)
    overwrite: bool = False


@dataclass
class Plan:
    """The flow to run and its parameters, or nothing when every item was skipped."""

    task: str
    batch_prefix: str
    lead: Lead
    triggered: list[Any] = field(default_factory=list)
    skipped: list[Any] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def skip(self, item: Any, reason: str) -> None:
        self.skipped.append(item)
        self.reasons[str(item)] = reason


def batch_tag(prefix: str) -> str:
    """`<prefix>-process-<unix seconds>-<6 random [0-9a-z]>`, as the document shows."""
    alphabet = string.digits + string.ascii_lowercase
    return f"{prefix}-process-{int(time.time())}-" + "".join(
        secrets.choice(alphabet) for _ in range(6))


def _lead(session: Session, company_id: str, lead_id: str) -> Lead:
    lead = find_company_lead(session, company_id, lead_id)
    if lead is None:
        raise NotFound(f"No lead {lead_id}", details={"field": "leadId", "issue": "not found"})
    return lead


def plan_enrichment(session: Session, box: SecretBox, company_id: str,
                    request: EnrichRequest) -> Plan:
    lead = _lead(session, company_id, request.leadId)
    return plan_lead_enrichment(session, box, company_id, lead, request.services,
                                request.overwrite)


def plan_lead_enrichment(session: Session, box: SecretBox, company_id: str, lead: Lead,
                         services: list[str] | None, overwrite: bool,
                         among: tuple[str, ...] = ENRICHMENT_SERVICES) -> Plan:
    """The enrichment of one lead: `services`, or (None) every configured one `among`."""
    plan = Plan("lead-enrichment", "enrich", lead)
    configured = resolve_services(session, box, company_id, lead.site_id)
    if services is None:
        services = [service for service in among if service in configured]
    filled = filled_fields(session, lead)
    for service in dict.fromkeys(services):
        if service not in configured:
            plan.skip(service, "not configured in /api/settings/url")
        elif service in filled and not overwrite:
            plan.skip(service, "already filled (overwrite is false)")
        else:
            plan.triggered.append(service)
    plan.parameters = {"company_id": company_id, "lead_id": lead.id,
                       "services": plan.triggered, "overwrite": overwrite}
    return plan


def _plan_drafts(session: Session, box: SecretBox, company_id: str, lead: Lead, plan: Plan,
                 kind: str, items: list[Any] | None, every_item: tuple[Any, ...],
                 overwrite: bool) -> Plan:
    chat_configured = CHAT_SERVICE in resolve_services(session, box, company_id, lead.site_id)
    settings_kind = "agent" if kind == "copyright" else "sdr-ai"
    agents = effective_agent_values(session, company_id, settings_kind, lead.site_id)
    if items is None:  # every item with an agent id in its settings section
        items = [item for item in every_item if agents.get(agent_key(settings_kind, item))]
    filled = filled_fields(session, lead)
    chosen: dict[str, str | None] = {}
    for item in dict.fromkeys(items):
        setting = agent_key(settings_kind, item)
        agent = agents.get(setting) if chat_configured else None
        if output_field(kind, str(item)) in filled and not overwrite:
            plan.skip(item, "already filled (overwrite is false)")
        elif chat_configured and not agent:
            plan.skip(item, f"no {setting} in /api/settings/{settings_kind}")
        else:
            plan.triggered.append(item)
            chosen[str(item)] = agent
    plan.parameters = {"company_id": company_id, "lead_id": lead.id, "agents": chosen,
                       "overwrite": overwrite}
    return plan


def plan_copyright(session: Session, box: SecretBox, company_id: str,
                   request: CopyrightRequest) -> Plan:
    lead = _lead(session, company_id, request.leadId)
    plan = Plan("lead-copywriting", "copyright", lead)
    return _plan_drafts(session, box, company_id, lead, plan, "copyright", request.processes,
                        COPYRIGHT_PROCESSES, request.overwrite)


def plan_sdr(session: Session, box: SecretBox, company_id: str, request: SdrRequest) -> Plan:
    lead = _lead(session, company_id, request.leadId)
    plan = Plan("lead-sdr", "sdr", lead)
    return _plan_drafts(session, box, company_id, lead, plan, "sdr", request.fields,
                        SDR_FIELDS, request.overwrite)


# -- POST /api/enrichment/trigger: many leads, services chosen by an enrichment type ---------
_COMPANY_SERVICES = ("companyUrl", *(f"enrichment{n}" for n in range(1, 11)))
# Leadmill cannot know what kind of data a custom `enrichment<N>` service returns, so the
# company-level types all run every configured company-level service.
ENRICHMENT_TYPES: dict[str, tuple[str, ...]] = {
    "all": ENRICHMENT_SERVICES,
    "technographic": _COMPANY_SERVICES,
    "firmographic": _COMPANY_SERVICES,
    "company": _COMPANY_SERVICES,
    "contact": ("emailFinder",),
    "email": ("emailFinder",),
    **{service: (service,) for service in ENRICHMENT_SERVICES},
}


class EnrichmentTriggerRequest(ContractBody):
    leadIds: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1, max_length=100)
    enrichmentType: str = "all"
    overwrite: bool = False


@dataclass
class BatchPlan:
    """The `lead-enrichment-batch` run of many leads: what each lead triggers and skips."""

    enrichment_type: str
    services: tuple[str, ...]
    leads: list[Lead]
    triggered: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    task: str = "lead-enrichment-batch"
    batch_prefix: str = "enrich"


def plan_enrichment_job(session: Session, box: SecretBox, company_id: str,
                        request: EnrichmentTriggerRequest) -> BatchPlan:
    """Plan the enrichment of every lead of the request (each as `plan_lead_enrichment`).

    Raises:
        InvalidValue: `enrichmentType` is not one of ENRICHMENT_TYPES.
        NotFound: some lead ids are not live leads of the company (all of them named).
    """
    kind = request.enrichmentType.strip()
    if kind not in ENRICHMENT_TYPES:
        raise InvalidValue(f"Unknown enrichmentType {kind}", details={
            "field": "enrichmentType", "issue": f"one of {', '.join(ENRICHMENT_TYPES)}"})
    lead_ids = list(dict.fromkeys(request.leadIds))
    found = {lead_id: find_company_lead(session, company_id, lead_id) for lead_id in lead_ids}
    missing = [lead_id for lead_id, lead in found.items() if lead is None]
    if missing:
        raise NotFound(f"No lead {', '.join(missing)}",
                       details={"field": "leadIds", "ids": missing, "issue": "not found"})
    plan = BatchPlan(kind, ENRICHMENT_TYPES[kind], [lead for lead in found.values() if lead])
    for lead in plan.leads:
        one = plan_lead_enrichment(session, box, company_id, lead, None, request.overwrite,
                                   among=plan.services)
        if one.triggered:
            plan.triggered[lead.id] = one.triggered
        if one.skipped:
            plan.skipped[lead.id] = one.skipped
    plan.parameters = {"company_id": company_id, "leads": plan.triggered,
                       "overwrite": request.overwrite}
    return plan
