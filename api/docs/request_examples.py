"""Request examples for every route with a JSON body, keyed by (METHOD, path).

Taken from leadgenius-pro-api.md where the document gives a payload (clients, leads, search
history, webhooks); the rest follow each handler's pydantic model. `CLIENT_PLACEHOLDER` and
`LEAD_PLACEHOLDER` stand for ids the reader has; the docs test swaps in real ones and sends
every example to a running API. Response examples are captured from a real run and live in
api/examples/responses.json (see tests/api/capture_doc_examples.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
CLIENT_PLACEHOLDER = "5b9cb5db-..."
LEAD_PLACEHOLDER = "<lead-id>"


@dataclass(frozen=True)
class RequestDoc:
    example: Any
    model: type[BaseModel] | None = None
    summary: str = "Example"
    media_type: str = "application/json"


def request_docs() -> dict[tuple[str, str], RequestDoc]:
    """Imported lazily: the route modules import api.docs.schema' neighbours."""
    from api.agent.campaigns import CreateCampaignInput
    from api.command.schemas import LeadGenerationRequest, ScheduleFields
    from api.management.auth import (
        ApiKeyRequest,
        LoginRequest,
        LogoutRequest,
        PasswordChange,
        RefreshRequest,
    )
    from api.management.campaigns import CampaignCreate, CampaignUpdate
    from api.management.clients import ClientCreate, ClientUpdate
    from api.management.company import CompanyWrite, UserCreate
    from api.management.leads import LeadCreate
    from api.management.maintenance import ReportRequest
    from api.management.search_history import SearchHistoryCreate, SearchHistoryUpdate
    from api.management.territory import TerritoryCompanyBody
    from api.privacy.erasure import ErasureRequest
    from api.privacy.suppressions import SuppressionCreate, SuppressionDelete
    from api.workbench.chat import ChatRequest
    from api.workbench.outreach_accounts import UnipileSettingsBody
    from api.workbench.processing_plans import (
        CopyrightRequest,
        EnrichmentTriggerRequest,
        EnrichRequest,
        SdrRequest,
    )
    from api.workbench.research_runs import ScrapeRequest
    from api.workbench.settings import AgentSettingsBody, SdrSettingsBody, UrlSettingsBody
    from api.workbench.triggers import TriggerRequest
    from api.workbench.webhooks import WebhookCreate, WebhookUpdate

    command = json.loads((EXAMPLES_DIR / "lead_generation_request.json").read_text())
    client, lead = CLIENT_PLACEHOLDER, LEAD_PLACEHOLDER
    report = {"title": "CSV export drops accents",
              "description": "Exported leads lose é and ü in company names.",
              "severity": "medium"}
    url_settings = {"companyUrl": "https://enrich.example.com/company-url",
                    "companyUrl_Apikey": "sk-company-url-0123456789"}
    return {
        ("POST", "/api/auth"): RequestDoc({"username": "owner@acme.com",
                                           "password": "a-long-password"}, LoginRequest,
                                          "Log in"),
        ("POST", "/api/auth#refresh"): RequestDoc(
            {"refreshToken": "eyJhbGciOiJIUzI1NiIs...<JWT>"}, RefreshRequest, "Refresh tokens"),
        ("POST", "/api/auth/logout"): RequestDoc({"allSessions": False}, LogoutRequest,
                                                 "Log out of this session"),
        ("POST", "/api/auth/password"): RequestDoc(
            {"currentPassword": "a-long-password", "newPassword": "an-even-longer-password"},
            PasswordChange, "Change the password"),
        ("POST", "/api/agent-api-keys"): RequestDoc(
            {"name": "CRM sync", "description": "Nightly export", "tier": "standard"},
            ApiKeyRequest),
        ("POST", "/api/company"): RequestDoc({"name": "Acme Corp"}, CompanyWrite),
        ("PUT", "/api/company"): RequestDoc({"name": "Acme Corporation"}, CompanyWrite),
        ("POST", "/api/company/users"): RequestDoc(
            {"username": "jane@acme.com", "password": "a-long-password", "role": "member"},
            UserCreate),
        ("POST", "/api/clients"): RequestDoc(
            {"clientName": "Acme Corp", "companyURL": "https://acme.com",
             "description": "Enterprise client for B2B leads"}, ClientCreate,
            "Create Client Payload"),
        ("PUT", "/api/clients"): RequestDoc(
            {"id": "<dynamodb-id>", "clientName": "Updated Name",
             "description": "Updated description"}, ClientUpdate, "Update Client Payload"),
        ("POST", "/api/leads"): RequestDoc(
            {"client_id": client, "firstName": "John", "lastName": "Smith",
             "email": "john.smith@example.com", "companyName": "Acme Corp",
             "companyDomain": "acme.com", "title": "VP Engineering",
             "linkedinUrl": "https://linkedin.com/in/johnsmith"}, LeadCreate,
            "Create Single Lead Payload"),
        ("POST", "/api/leads#batch"): RequestDoc(
            {"leads": [
                {"client_id": client, "firstName": "Jane", "lastName": "Doe",
                 "email": "jane@example.com", "companyName": "BatchCorp", "title": "CTO"},
                {"client_id": client, "firstName": "Bob", "lastName": "Wilson",
                 "email": "bob@example.com", "companyName": "BatchCorp", "title": "VP Sales"},
            ]}, None, "Create Batch Leads Payload"),
        ("PUT", "/api/leads"): RequestDoc(
            {"id": lead, "title": "Senior VP Engineering", "notes": "Updated via API"}, None,
            "Update Single Lead Payload"),
        ("PUT", "/api/leads#batch"): RequestDoc(
            {"leads": [{"id": lead, "notes": "Updated lead 1"}]}, None, "Batch Update Payload"),
        ("DELETE", "/api/leads"): RequestDoc({"ids": [lead]}, None, "Batch Delete Payload"),
        ("POST", "/api/settings/url"): RequestDoc(url_settings, UrlSettingsBody),
        ("PUT", "/api/settings/url"): RequestDoc(url_settings, UrlSettingsBody),
        ("POST", "/api/settings/agent"): RequestDoc(
            {"projectId": "proj-42", "enrichment1AgentId": "agent-company-summary"},
            AgentSettingsBody),
        ("PUT", "/api/settings/agent"): RequestDoc({"enrichment2AgentId": "agent-pain-points"},
                                                   AgentSettingsBody),
        ("POST", "/api/settings/sdr-ai"): RequestDoc(
            {"projectId": "proj-42", "message1AgentId": "agent-opener",
             "aiLeadScoreAgentId": "agent-scorer"}, SdrSettingsBody),
        ("PUT", "/api/settings/sdr-ai"): RequestDoc({"projectId": "proj-43"}, SdrSettingsBody),
        ("POST", "/api/leads/process/enrich"): RequestDoc(
            {"leadId": lead, "services": ["companyUrl"], "overwrite": False}, EnrichRequest),
        ("POST", "/api/leads/process/copyright"): RequestDoc(
            {"leadId": lead, "processes": [1, 2], "overwrite": False}, CopyrightRequest),
        ("POST", "/api/leads/process/sdr"): RequestDoc(
            {"leadId": lead, "fields": ["message1", "aiLeadScore", "aiQualification"],
             "overwrite": False}, SdrRequest),
        ("POST", "/api/enrichment/trigger"): RequestDoc(
            {"leadIds": [lead], "enrichmentType": "technographic"}, EnrichmentTriggerRequest,
            "Enrich leads"),
        ("POST", "/api/epsimo-chat"): RequestDoc(
            {"message": "How should I open my first message to this lead?", "leadId": lead,
             "assistantId": "gpt-4o-mini"}, ChatRequest, "Ask about a lead"),
        ("POST", "/api/settings/unipile"): RequestDoc(
            {"dsn": "https://api1.unipile.com:13111", "apiKey": "unipile-key-0123456789",
             "accounts": [{"id": "li-sales-1", "provider": "LINKEDIN", "name": "Sales LinkedIn",
                           "identifier": "https://www.linkedin.com/in/sales-rep"}]},
            UnipileSettingsBody, "Connect outreach accounts"),
        ("PUT", "/api/settings/unipile"): RequestDoc(
            {"accounts": [{"id": "li-sales-1", "status": "CREDENTIALS"}]}, UnipileSettingsBody,
            "Update an account's status"),
        ("POST", "/api/trigger"): RequestDoc(
            {"task": "lead-enrichment",
             "payload": {"leadId": lead, "services": ["companyUrl"]}}, TriggerRequest),
        ("POST", "/api/search-history"): RequestDoc(
            {"searchName": "Tech Companies in SF",
             "searchDescription": "Looking for SaaS companies",
             "searchCriteria": {"industry": "Technology", "location": "San Francisco"},
             "searchFilters": {"companySize": "50-200"}, "client_id": client,
             "clientName": "Acme Corp", "icpId": "icp-456", "icpName": "Enterprise SaaS",
             "apifyActorId": "actor-789", "category": "prospecting",
             "tags": ["enterprise", "saas"]}, SearchHistoryCreate, "Create Payload"),
        ("PUT", "/api/search-history"): RequestDoc(
            {"id": "<search-id>", "status": "completed", "resultsCount": 42},
            SearchHistoryUpdate),
        ("POST", "/api/territory-workbench/companies"): RequestDoc(
            {"client_id": client, "companyName": "Northwind Logistics",
             "companyDomain": "northwind.example", "industry": "Logistics",
             "companySize": "51-200", "country": "US", "status": "researching",
             "notes": "Expanding to the EU"}, TerritoryCompanyBody),
        ("POST", "/api/campaigns"): RequestDoc(
            {"name": "Q3 CTO outreach", "description": "CTOs at SaaS companies",
             "client_id": client, "status": "draft", "campaignType": "abm"}, CampaignCreate),
        ("PUT", "/api/campaigns"): RequestDoc(
            {"id": "<campaign-id>", "status": "active", "campaignType": "demand_gen"},
            CampaignUpdate),
        ("POST", "/api/agent/campaigns"): RequestDoc(
            {"name": "Q3 Expansion", "campaignType": "abm", "status": "active",
             "client_id": client, "description": "Expansion accounts in EMEA"},
            CreateCampaignInput, "CreateCampaignInput"),
        ("POST", "/api/webhook-workbench"): RequestDoc(
            {"name": "My Webhook", "platform": "heyreach",
             "description": "Webhook for lead capture",
             "platformConfig": "{\"field_mapping\": {}}", "client_id": client}, WebhookCreate,
            "Create Webhook Payload"),
        ("PUT", "/api/webhook-workbench"): RequestDoc(
            {"id": "<webhook-id>", "name": "HeyReach replies",
             "platformConfig": "{\"field_mapping\": {\"lead.custom_title\": \"position\"}}"},
            WebhookUpdate),
        ("POST", "/api/webhook-workbench/hooks/{webhook_id}/{secret}"): RequestDoc(
            {"firstName": "Ana", "lastName": "Silva", "email": "ana@northwind.example",
             "companyName": "Northwind Logistics"}),
        ("POST", "/api/email-validate"): RequestDoc({"email": "john.smith@example.com"}),
        ("POST", "/api/email-verify"): RequestDoc({"email": "john.smith@example.com"}),
        ("POST", "/api/maintenance/bugs"): RequestDoc(report, ReportRequest),
        ("POST", "/api/maintenance/enhancements"): RequestDoc(
            {"title": "Export to HubSpot", "description": "Push qualified leads to HubSpot."},
            ReportRequest),
        ("POST", "/api/agents/sales/schedules"): RequestDoc(
            {"name": "Weekly CTO search", "command": command, "cron": "0 7 * * 1",
             "timezone": "Europe/Madrid", "active": True}, ScheduleFields),
        ("PUT", "/api/agents/sales/schedules/{schedule_id}"): RequestDoc(
            {"active": False}, ScheduleFields),
        ("POST", "/api/start-lead-scrape-complete"): RequestDoc(
            {"clientId": client,
             "targetAudience": {"industries": ["Software"], "roles": ["CTO"],
                                "locations": ["United States"]},
             "searchCriteria": {"keywords": ["SaaS"]}, "maxLeads": 25}, ScrapeRequest),
        ("POST", "/api/prospects/import"): RequestDoc(
            "name,email,company,title\nAna Silva,ana@northwind.example,Northwind,CTO\n",
            None, "A CSV prospect list (?siteId=<client_id>&format=csv)", "text/csv"),
        ("POST", "/api/suppressions"): RequestDoc(
            {"client_id": client, "emails": ["jane.doe@acme.com"], "domains": ["globex.com"],
             "linkedinUrls": ["https://www.linkedin.com/in/johnsmith/"],
             "phones": ["+1 415 555 0132"]}, SuppressionCreate,
            "Do not contact these people or anyone at globex.com"),
        ("DELETE", "/api/suppressions"): RequestDoc({"ids": ["<suppression-id>"]},
                                                    SuppressionDelete),
        ("POST", "/api/privacy/erase"): RequestDoc(
            {"email": "jane.doe@acme.com"}, ErasureRequest,
            "Erase one person (or linkedinUrl, phone, leadId: exactly one)"),
        ("POST", "/api/suppressions/import"): RequestDoc(
            "email,domain,linkedinUrl\nann@initech.io,,\n,hooli.com,\n",
            None, "A CSV do-not-contact list (?client_id= optional)", "text/csv"),
        ("POST", "/api/agents/sales/websiteAnalysis"): RequestDoc(
            {"url": "https://acme.com"}),
        ("POST", "/api/agents/sales/command/leadGeneration"): RequestDoc(
            command, LeadGenerationRequest, "The documented example"),
    }
