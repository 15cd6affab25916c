"""GET /api/leads as the LeadGenius clients use it (no client_id, pageSize/page, find filters,
`data` and `pagination`), contactName/campaignId, generated fields written through PUT and read
back, /api/enrich-leads/{id}, find-lead by client and bulk projection of generated fields; over
real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.api.management.test_management_leads import api, bearer, new_client  # noqa: F401
from tests.api.tenant_helpers import create_tenant

PEOPLE = [
    {"firstName": "Hugo", "lastName": "Sanchez", "email": "hugo@northwind.example",
     "companyName": "Northwind Traders", "city": "Madrid", "country": "Spain",
     "linkedinUrl": "https://linkedin.com/in/hugosanchez", "status": "qualified"},
    {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@analytical.example",
     "companyName": "Analytical Engines", "city": "London", "country": "United Kingdom"},
    {"firstName": "Hugo", "lastName": "Boss", "email": "hugo.boss@fashion.example",
     "companyName": "Fashion House"},
]


def new_campaign(http: httpx.Client, name: str = "Q3 Expansion") -> str:
    reply = http.post("/campaigns", json={"name": name})
    assert reply.status_code == 201, reply.text
    return reply.json()["campaign"]["id"]


def test_leads_list_without_client_id_pages_filters_and_answers_data(api) -> None:  # noqa: F811
    first, second = new_client(api, "One"), new_client(api, "Two")
    campaign = new_campaign(api)
    created = api.post("/leads", json={"leads": [
        {**PEOPLE[0], "client_id": first, "contactName": "Hugo S.", "campaignId": campaign},
        {**PEOPLE[1], "client_id": first},
        {**PEOPLE[2], "client_id": second}]})
    assert created.status_code == 201 and created.json()["created"] == 3, created.text
    hugo_id = created.json()["ids"][0]

    # What `lgp leads list` sends: pageSize only, no client_id.
    listed = api.get("/leads", params={"pageSize": 2}).json()
    assert listed["success"] and listed["leads"] == listed["data"] and len(listed["data"]) == 2
    assert listed["total"] == 3 and listed["nextToken"]
    assert listed["pagination"] == {"page": 1, "pageSize": 2, "totalItems": 3,
                                    "totalPages": 2, "nextToken": listed["nextToken"]}
    second_page = api.get("/leads", params={"pageSize": 2, "page": 2}).json()
    assert second_page["pagination"] == {"page": 2, "pageSize": 2, "totalItems": 3,
                                         "totalPages": 2}
    assert {lead["id"] for lead in listed["data"] + second_page["data"]} == set(
        created.json()["ids"])
    by_cursor = api.get("/leads", params={"limit": 2, "nextToken": listed["nextToken"]}).json()
    assert [lead["id"] for lead in by_cursor["leads"]] == [
        lead["id"] for lead in second_page["data"]]
    assert by_cursor["pagination"]["page"] is None and by_cursor["nextToken"] is None

    hugo = next(lead for lead in listed["data"] + second_page["data"] if lead["id"] == hugo_id)
    for field, value in {"fullName": "Hugo Sanchez", "contactName": "Hugo S.",
                         "campaignId": campaign, "client_id": first, "status": "qualified",
                         "city": "Madrid", "country": "Spain", "title": None,
                         "linkedinUrl": "https://linkedin.com/in/hugosanchez",
                         "companyName": "Northwind Traders"}.items():
        assert hugo[field] == value, field

    def found(**params: str) -> set[str]:
        reply = api.get("/leads", params={"pageSize": 100, **params})
        assert reply.status_code == 200, reply.text
        return {lead["lastName"] for lead in reply.json()["data"]}

    assert found(fullName="hugo") == {"Sanchez", "Boss"}
    assert found(fullName="HUGO  sanchez") == {"Sanchez"}
    assert found(firstName="hugo") == {"Sanchez", "Boss"}
    assert found(firstName="hug") == set()  # first and last names match whole
    assert found(lastName="LOVELACE") == {"Lovelace"}
    assert found(email=" Ada@Analytical.EXAMPLE ") == {"Lovelace"}
    assert found(email="ada@analytical") == set()  # emails match exactly
    assert found(companyName="engines") == {"Lovelace"}
    assert found(companyName="100%") == set()  # a LIKE wildcard is a plain character
    assert found(status="qualified") == {"Sanchez"}
    assert found(campaignId=campaign) == {"Sanchez"}
    assert found(client_id=second) == {"Boss"}
    assert found(client_id=first, firstName="Hugo") == {"Sanchez"}
    assert api.get("/leads", params={"campaignId": campaign}).json()["total"] == 1


def test_contact_name_campaign_and_generated_fields_are_stored_and_returned(
        leadmill, api) -> None:  # noqa: F811
    client_id = new_client(api)
    campaign = new_campaign(api)
    other = create_tenant(leadmill.settings)
    with other.client(f"{leadmill.base_url}/api") as other_api:
        foreign_campaign = new_campaign(other_api, "Theirs")
        foreign_lead = other_api.post("/leads", json={"client_id": other.client_id,
                                                      "email": "theirs@example.com"})
        assert foreign_lead.status_code == 201, foreign_lead.text
        foreign_id = foreign_lead.json()["lead"]["id"]

    lead = api.post("/leads", json={"client_id": client_id, "firstName": "John",
                                    "lastName": "Smith", "email": "john@acme.example",
                                    "contactName": "Johnny", "campaignId": campaign}).json()
    lead_id = lead["lead"]["id"]
    assert lead["lead"]["contactName"] == "Johnny" and lead["lead"]["campaignId"] == campaign

    # Another company's campaign is not found, naming the field; nothing is written.
    for method, body in (("POST", {"client_id": client_id, "email": "x@acme.example",
                                   "campaignId": foreign_campaign}),
                         ("PUT", {"id": lead_id, "campaignId": foreign_campaign})):
        refused = api.request(method, "/leads", json=body)
        assert refused.status_code == 404, refused.text
        assert refused.json()["errorType"] == "not_found"
        assert refused.json()["details"]["field"] == "campaignId"

    # Generated fields through PUT (single and batch) come back everywhere a lead is read.
    updated = api.put("/leads", json={"id": lead_id, "aiLeadScore": 87, "title": "CTO",
                                      "message1": "Hi John", "enrichment1": {"stack": ["dbt"]}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["lead"]["aiLeadScore"] == 87
    assert updated.json()["lead"]["title"] == "CTO"
    batch = api.put("/leads", json={"leads": [{"id": lead_id, "aiQualification": "qualified"}]})
    assert batch.status_code == 200 and batch.json()["updated"] == 1, batch.text
    one = api.get("/leads", params={"id": lead_id}).json()["lead"]
    assert one["campaignId"] == campaign and one["contactName"] == "Johnny"
    assert one["generatedFields"] == {"aiLeadScore": 87, "message1": "Hi John",
                                      "enrichment1": {"stack": ["dbt"]},
                                      "aiQualification": "qualified"}
    assert one["aiLeadScore"] == 87 and one["aiQualification"] == "qualified"

    # A field nobody names is refused, naming it, on every lead body.
    for method, path, body in (("PUT", "/leads", {"id": lead_id, "titel": "CTO"}),
                               ("PUT", "/leads", {"leads": [{"id": lead_id, "titel": "CTO"}]}),
                               ("POST", "/leads", {"client_id": client_id, "titel": "CTO",
                                                   "email": "y@acme.example"}),
                               ("PUT", f"/enrich-leads/{lead_id}", {"aiLeadScroe": 1})):
        refused = api.request(method, path, json=body)
        assert refused.status_code == 400, (path, refused.text)
        assert refused.json()["errorType"] == "invalid_format"
        assert refused.json()["details"]["field"].endswith(("titel", "aiLeadScroe"))

    # /api/enrich-leads/{id}: read and write one lead; another company's is not found.
    enriched = api.get(f"/enrich-leads/{lead_id}").json()
    assert enriched["success"] and enriched["lead"]["aiLeadScore"] == 87
    assert enriched["lead"]["sources"] == [] or isinstance(enriched["lead"]["sources"], list)
    changed = api.put(f"/enrich-leads/{lead_id}", json={"aiLeadScore": 91, "city": "Austin",
                                                        "aiRiskScore": "low"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["lead"]["aiLeadScore"] == 91
    assert changed.json()["lead"]["city"] == "Austin"
    assert changed.json()["lead"]["generatedFields"]["aiRiskScore"] == "low"
    mismatch = api.put(f"/enrich-leads/{lead_id}", json={"id": "another", "city": "x"})
    assert mismatch.status_code == 400 and mismatch.json()["errorType"] == "invalid_value"
    for method in ("GET", "PUT"):
        hidden = api.request(method, f"/enrich-leads/{foreign_id}",
                             **({"json": {"aiLeadScore": 1}} if method == "PUT" else {}))
        assert hidden.status_code == 404, hidden.text
        assert hidden.json()["errorType"] == "not_found"

    # find-lead honours client_id.
    elsewhere = new_client(api, "Elsewhere")
    assert api.get("/find-lead", params={"email": "john@acme.example",
                                         "client_id": client_id}).json()["found"]
    assert not api.get("/find-lead", params={"email": "john@acme.example",
                                             "client_id": elsewhere}).json()["found"]

    # The bulk list projects generated fields by name; the route beside {id} still answers.
    company_id = api.get("/company").json()["company"]["id"]
    bulk = api.get("/enrich-leads/list", params={"companyId": company_id,
                                                 "fields": "email,aiLeadScore"})
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["items"] == [{"email": "john@acme.example", "aiLeadScore": 91}]
    unknown = api.get("/enrich-leads/list", params={"companyId": company_id,
                                                    "fields": "id,aiLeadScor,nope"})
    assert unknown.status_code == 400
    assert unknown.json()["details"]["unknown"] == ["aiLeadScor", "nope"]


@pytest.mark.parametrize("header", ["bearer", "api-key"])
def test_agent_style_clients_list_leads_with_either_credential(leadmill, header) -> None:
    headers = bearer(leadmill) if header == "bearer" else {
        "x-api-key": leadmill.credentials["api_key"]}
    reply = httpx.get(f"{leadmill.base_url}/api/leads", params={"pageSize": 5},
                      headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["pagination"]["pageSize"] == 5
