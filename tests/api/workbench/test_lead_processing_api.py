"""`/api/leads/process/*` and the background-task routes over real HTTP: enrichment against a
loopback service, copy from the documented templates, SDR fields from a loopback
chat-completions server, skips, errors, and another company seeing nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import select

from storage.db.engine import engine_for, session_scope
from storage.leads.models import Lead, LeadGeneratedField
from tasks.enrichment.copywriting import template_value
from tasks.enrichment.processing import lead_profile
from tests.api.protocol_servers import start_chat_completions, start_enrichment_service
from tests.api.tenant_helpers import Tenant, add_lead, create_tenant, start_module_instance
from tests.fixtures.servers import wait_until

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELED"}
SERVICE_KEY = "svc-key-abcdef123456"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("processing"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Processing Co")


def finished(http, run_id: str) -> dict:
    def status() -> dict | None:
        reply = http.get("/api/trigger-task-status", params={"runId": run_id}).json()
        return reply if reply["status"] in FINAL else None
    return wait_until(status, 90, f"run {run_id} did not finish", every=0.3)


def fields_of(app, lead_id: str) -> dict:
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        rows = session.exec(select(LeadGeneratedField).where(
            LeadGeneratedField.lead_id == lead_id)).all()
        return {row.field: row.value for row in rows}


def read_lead(app, lead_id: str) -> Lead:
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        return session.get(Lead, lead_id)


def test_enrichment_calls_configured_services_and_skips_the_rest(app, tenant) -> None:
    service = start_enrichment_service({
        "/company": (200, {"companyUrl": "https://acme-robotics.example.com"}),
        "/firmographics": (200, {"employees": 120, "founded": 2011})})
    lead_id = add_lead(app.settings, tenant)
    before = read_lead(app, lead_id).updated_at
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={
                "companyUrl": f"{service.url}/company", "companyUrl_Apikey": SERVICE_KEY,
                "enrichment1": f"{service.url}/firmographics"}).raise_for_status()
            reply = http.post("/api/leads/process/enrich", json={
                "leadId": lead_id, "services": ["companyUrl", "enrichment1", "enrichment3"]})
            assert reply.status_code == 200, reply.text
            body = reply.json()
            assert body["success"] is True and body["leadId"] == lead_id
            assert body["triggered"] == ["companyUrl", "enrichment1"]
            assert body["skipped"] == ["enrichment3"]
            assert re.fullmatch(r"enrich-process-\d+-[0-9a-z]{6}", body["batchTag"])
            assert len(body["runIds"]) == 1
            status = finished(http, body["runIds"][0])
            assert status["status"] == "COMPLETED", status
            assert status["flowRunId"] and status["batchTag"] == body["batchTag"]

            again = http.post("/api/leads/process/enrich", json={
                "leadId": lead_id, "services": ["companyUrl", "enrichment1"]}).json()
            assert again["runIds"] == [] and again["triggered"] == []
            assert again["skipped"] == ["companyUrl", "enrichment1"]
    finally:
        service.stop()
    stored = fields_of(app, lead_id)
    assert stored["enrichment1"] == {"employees": 120, "founded": 2011}
    lead = read_lead(app, lead_id)
    assert lead.website == "https://acme-robotics.example.com"
    assert lead.updated_at > before
    calls = {call["path"]: call for call in service.requests}
    assert calls["/company"]["headers"]["authorization"] == f"Bearer {SERVICE_KEY}"
    assert calls["/company"]["body"]["lead"]["companyName"] == "Acme Robotics"
    assert "authorization" not in calls["/firmographics"]["headers"]


def test_a_failing_service_fails_the_run_keeps_the_others_and_is_not_called_again(
        app, tenant) -> None:
    service = start_enrichment_service({"/ok": (200, {"value": 1}),
                                        "/broken": (500, {"error": "down"})})
    lead_id = add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={"enrichment1": f"{service.url}/ok",
                                                 "enrichment2": f"{service.url}/broken"})
            body = http.post("/api/leads/process/enrich", json={
                "leadId": lead_id, "services": ["enrichment1", "enrichment2"]}).json()
            status = finished(http, body["runIds"][0])
    finally:
        service.stop()
    assert status["status"] == "FAILED" and "enrichment2" in status["error"]
    assert fields_of(app, lead_id) == {"enrichment1": {"value": 1}}
    # The POST is not idempotent (a service may bill or act per call): never retried by itself.
    assert [call["path"] for call in service.requests].count("/broken") == 1


def test_copy_comes_from_the_documented_template_without_a_chat_endpoint(app, tenant) -> None:
    lead_id = add_lead(app.settings, tenant)
    with tenant.client(app.base_url) as http:
        body = http.post("/api/leads/process/copyright", json={
            "leadId": lead_id, "processes": [1, 3, 5]}).json()
        assert body["triggered"] == [1, 3, 5] and body["skipped"] == []
        assert body["batchTag"].startswith("copyright-process-")
        assert finished(http, body["runIds"][0])["status"] == "COMPLETED"
        overwrite = http.post("/api/leads/process/copyright", json={
            "leadId": lead_id, "processes": [1, 2], "overwrite": False}).json()
        through_api = http.get("/api/leads", params={"id": lead_id}).json()["lead"]
    assert overwrite["triggered"] == [2] and overwrite["skipped"] == [1]
    profile = lead_profile(read_lead(app, lead_id))
    stored = fields_of(app, lead_id)
    for number in (1, 3, 5):
        assert stored[f"copyright{number}"] == template_value("copyright", str(number), profile)
    assert stored["copyright1"].startswith("Hi Ada, I noticed Acme Robotics's work in Technology")
    for number in (1, 3, 5):  # copyright2 of the second request may still be running
        assert through_api["generatedFields"][f"copyright{number}"] == stored[f"copyright{number}"]


def test_sdr_fields_come_from_the_configured_chat_agents(app, tenant) -> None:
    chat = start_chat_completions()
    lead_id = add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={"aiChat": f"{chat.url}/v1",
                                                 "aiChat_Apikey": "chat-key-0987654321"})
            http.post("/api/settings/sdr-ai", json={"message1AgentId": "sdr-writer",
                                                    "aiLeadScoreAgentId": "sdr-scorer"})
            body = http.post("/api/leads/process/sdr", json={
                "leadId": lead_id, "fields": ["message1", "aiLeadScore", "aiQualification"]}
            ).json()
            assert body["triggered"] == ["message1", "aiLeadScore"]
            assert body["skipped"] == ["aiQualification"]
            assert "aiQualificationAgentId" in body["skippedReasons"]["aiQualification"]
            assert finished(http, body["runIds"][0])["status"] == "COMPLETED"
    finally:
        chat.stop()
    stored = fields_of(app, lead_id)
    assert stored["aiLeadScore"] == 87
    assert stored["message1"].startswith("[sdr-writer] Write the SDR outreach message")
    models = sorted(call["body"]["model"] for call in chat.requests)
    assert models == ["sdr-scorer", "sdr-writer"]
    assert all(call["headers"]["authorization"] == "Bearer chat-key-0987654321"
               for call in chat.requests)


def test_trigger_runs_a_named_task_and_lists_it(app, tenant) -> None:
    lead_id = add_lead(app.settings, tenant)
    with tenant.client(app.base_url) as http:
        sdr = http.post("/api/trigger", json={"taskId": "lead-sdr", "payload": {
            "leadId": lead_id, "fields": ["aiQualification"]}}).json()
        sync = http.post("/api/trigger", json={"task": "warehouse-sync"}).json()
        assert sdr["status"] == "QUEUED" and sdr["triggered"] == ["aiQualification"]
        for run_id in (sdr["runId"], sync["runId"]):
            assert finished(http, run_id)["status"] == "COMPLETED"
        recent = http.get("/api/trigger-recent-runs", params={"limit": 20}).json()
        by_flow_id = http.get("/api/trigger-task-status", params={
            "runId": finished(http, sync["runId"])["flowRunId"]}).json()
    assert {run["runId"] for run in recent["runs"]} == {sdr["runId"], sync["runId"]}
    assert {run["taskId"] for run in recent["runs"]} == {"lead-sdr", "warehouse-sync"}
    assert by_flow_id["runId"] == sync["runId"]
    assert fields_of(app, lead_id)["aiQualification"] == "qualified"


@pytest.mark.parametrize(("path", "body", "status", "error_type", "field"), [
    ("/api/leads/process/enrich", {"services": ["companyUrl"]}, 400, "missing_required_field",
     "leadId"),
    ("/api/leads/process/enrich", {"leadId": "x", "services": ["bogus"]}, 400,
     "invalid_value", "services.0"),
    ("/api/leads/process/enrich", {"leadId": "x", "services": []}, 400, "invalid_value",
     "services"),
    ("/api/leads/process/copyright", {"leadId": "x", "processes": [11]}, 400, "invalid_value",
     "processes.0"),
    ("/api/leads/process/copyright", {"leadId": "x", "processes": "1"}, 400, "invalid_format",
     "processes"),
    ("/api/leads/process/sdr", {"leadId": "x", "fields": ["aiLeadScore"]}, 404, "not_found",
     "leadId"),
    ("/api/trigger", {"task": "rm-rf"}, 400, "invalid_value", "task"),
    ("/api/trigger", {"payload": {}}, 400, "missing_required_field", "task"),
    ("/api/trigger", {"task": "lead-enrichment", "payload": {"services": ["companyUrl"]}}, 400,
     "missing_required_field", "payload.leadId"),
    ("/api/leads/process/sdr", {"leadId": "x", "fields": ["aiMood"]}, 400, "invalid_value",
     "fields.0"),
    ("/api/leads/process/sdr", {"leadId": "x", "field": ["aiLeadScore"]}, 400,
     "invalid_format", "field"),
])
def test_bad_processing_requests_are_refused(app, tenant, path, body, status, error_type,
                                             field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post(path, json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    assert reply.json()["details"]["field"] == field


@pytest.mark.parametrize(("params", "status", "error_type"), [
    ({}, 400, "missing_required_field"), ({"runId": "run_nope"}, 404, "not_found")])
def test_task_status_errors(app, tenant, params, status, error_type) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.get("/api/trigger-task-status", params=params)
        bad_limit = http.get("/api/trigger-recent-runs", params={"limit": 0})
    assert reply.status_code == status and reply.json()["errorType"] == error_type
    assert bad_limit.status_code == 400 and bad_limit.json()["errorType"] == "invalid_value"


def test_another_company_sees_nothing_of_the_runs_or_leads(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    lead_id = add_lead(app.settings, tenant)
    with tenant.client(app.base_url) as http:
        run_id = http.post("/api/leads/process/sdr", json={
            "leadId": lead_id, "fields": ["aiSummary"]}).json()["runIds"][0]
        flow_run_id = finished(http, run_id)["flowRunId"]
    with other.client(app.base_url) as http:
        for path, body in (("/api/leads/process/enrich", {"services": ["companyUrl"]}),
                           ("/api/leads/process/copyright", {"processes": [1]}),
                           ("/api/leads/process/sdr", {"fields": ["aiSummary"]})):
            reply = http.post(path, json={"leadId": lead_id, **body})
            assert reply.status_code == 404 and reply.json()["errorType"] == "not_found"
        for candidate in (run_id, flow_run_id):
            assert http.get("/api/trigger-task-status",
                            params={"runId": candidate}).status_code == 404
        assert http.get("/api/trigger-recent-runs").json()["runs"] == []
        sneaky = http.post("/api/trigger", json={"task": "lead-sdr", "payload": {
            "leadId": lead_id, "fields": ["message1"]}})
        assert sneaky.status_code == 404


def test_omitted_selectors_run_everything_configured_and_only_that(app, tenant) -> None:
    service = start_enrichment_service({"/company": (200, {"companyUrl": "https://a.example"}),
                                        "/e4": (200, {"tech": ["python"]})})
    lead_id = add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={"companyUrl": f"{service.url}/company",
                                                 "enrichment4": f"{service.url}/e4"})
            http.post("/api/settings/agent", json={"enrichment2AgentId": "copy-2",
                                                   "enrichment7AgentId": "copy-7"})
            http.post("/api/settings/sdr-ai", json={"message9AgentId": "m9",
                                                    "aiRiskScoreAgentId": "risk"})
            enrich = http.post("/api/leads/process/enrich", json={"leadId": lead_id}).json()
            copy = http.post("/api/leads/process/copyright", json={"leadId": lead_id}).json()
            sdr = http.post("/api/leads/process/sdr", json={"leadId": lead_id}).json()
            for body in (enrich, copy, sdr):
                assert finished(http, body["runIds"][0])["status"] == "COMPLETED"
    finally:
        service.stop()
    assert (enrich["triggered"], enrich["skipped"]) == (["companyUrl", "enrichment4"], [])
    assert (copy["triggered"], copy["skipped"]) == ([2, 7], [])
    assert (sdr["triggered"], sdr["skipped"]) == (["message9", "aiRiskScore"], [])
    stored = fields_of(app, lead_id)
    assert set(stored) == {"companyUrl", "enrichment4", "copyright2", "copyright7", "message9",
                           "aiRiskScore"}
    assert stored["aiRiskScore"] == 18  # no chat endpoint: the template, 100 - score 82


def test_nothing_configured_and_selector_omitted_runs_nothing(app, tenant) -> None:
    lead_id = add_lead(app.settings, tenant)
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/leads/process/sdr", json={"leadId": lead_id})
    assert reply.status_code == 200, reply.text
    assert reply.json() | {"batchTag": None} == {
        "success": True, "runIds": [], "batchTag": None, "triggered": [], "skipped": [],
        "skippedReasons": {}, "leadId": lead_id}


def test_every_sdr_field_of_the_reference_is_accepted_and_written(app, tenant) -> None:
    from storage.workspace.agent_settings import SDR_FIELDS

    reference = [f"message{n}" for n in range(1, 11)] + [
        "aiLeadScore", "aiQualification", "aiNextAction", "aiColdEmail", "aiInterest",
        "aiLinkedinConnect", "aiCompetitorAnalysis", "aiEngagementLevel", "aiPurchaseWindow",
        "aiDecisionMakerRole", "aiSentiment", "aiSocialEngagement", "aiNurturingStage",
        "aiBudgetEstimation", "aiRiskScore", "aiProductFitScore"]
    assert set(reference) <= set(SDR_FIELDS)
    lead_id = add_lead(app.settings, tenant, company_size="51-200",
                       linkedin="https://www.linkedin.com/in/ada")
    with tenant.client(app.base_url) as http:
        settings = http.post("/api/settings/sdr-ai", json={
            "projectId": "p", **{f"{name}AgentId": f"agent-{name}" for name in reference}})
        assert settings.status_code == 201, settings.text
        body = http.post("/api/leads/process/sdr", json={"leadId": lead_id,
                                                         "fields": reference}).json()
        assert body["triggered"] == reference
        assert finished(http, body["runIds"][0])["status"] == "COMPLETED"
    profile = lead_profile(read_lead(app, lead_id))
    stored = fields_of(app, lead_id)
    assert stored == {name: template_value("sdr", name, profile) for name in reference}
    assert stored["message10"].startswith("Hi Ada, closing your file")
    assert (stored["aiDecisionMakerRole"], stored["aiBudgetEstimation"]) == (
        "decision maker", "medium")
    assert (stored["aiProductFitScore"], stored["aiPurchaseWindow"]) == (82, "0-3 months")


def test_new_sdr_fields_come_from_the_chat_agent_when_one_is_configured(app, tenant) -> None:
    chat = start_chat_completions()
    lead_id = add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={"aiChat": chat.url})
            http.post("/api/settings/sdr-ai", json={"aiSentimentAgentId": "feel",
                                                    "message7AgentId": "writer"})
            body = http.post("/api/leads/process/sdr", json={"leadId": lead_id}).json()
            assert body["triggered"] == ["message7", "aiSentiment"]
            assert finished(http, body["runIds"][0])["status"] == "COMPLETED"
    finally:
        chat.stop()
    stored = fields_of(app, lead_id)
    assert stored["aiSentiment"].startswith("[feel] Rate this lead's likely sentiment")
    assert stored["message7"].startswith("[writer] Write the SDR outreach message 'message7'")


def test_enrichment_trigger_answers_a_job_id_tracked_by_task_status(app, tenant) -> None:
    service = start_enrichment_service({"/company": (200, {"companyUrl": "https://b.example"}),
                                        "/e2": (200, {"stack": ["postgres"]}),
                                        "/email": (200, {"email": "ada@b.example"})})
    first, second = add_lead(app.settings, tenant), add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url", json={"companyUrl": f"{service.url}/company",
                                                 "enrichment2": f"{service.url}/e2",
                                                 "emailFinder": f"{service.url}/email"})
            reply = http.post("/api/enrichment/trigger", json={
                "leadIds": [first, second], "enrichmentType": "technographic"})
            assert reply.status_code == 200, reply.text
            body = reply.json()
            status = finished(http, body["jobId"])
    finally:
        service.stop()
    assert body["success"] is True and body["jobId"] == body["runId"]
    assert body["status"] == "QUEUED" and body["leadIds"] == [first, second]
    assert body["triggered"] == {first: ["companyUrl", "enrichment2"],
                                 second: ["companyUrl", "enrichment2"]}
    assert status["status"] == "COMPLETED", status
    assert status["taskId"] == "lead-enrichment-batch"
    for lead_id in (first, second):
        assert fields_of(app, lead_id) == {"companyUrl": {"companyUrl": "https://b.example"},
                                           "enrichment2": {"stack": ["postgres"]}}
        assert read_lead(app, lead_id).email is None  # emailFinder is not technographic
    assert [call["path"] for call in service.requests].count("/email") == 0


@pytest.mark.parametrize(("body", "status", "error_type", "field"), [
    ({"leadIds": [], "enrichmentType": "all"}, 400, "invalid_value", "leadIds"),
    ({"leadIds": [f"id-{n}" for n in range(101)]}, 400, "invalid_value", "leadIds"),
    ({"enrichmentType": "all"}, 400, "missing_required_field", "leadIds"),
    ({"leadIds": "abc"}, 400, "invalid_format", "leadIds"),
    ({"leadIds": ["x"], "enrichmentTyp": "all"}, 400, "invalid_format", "enrichmentTyp"),
])
def test_bad_enrichment_triggers_are_refused(app, tenant, body, status, error_type,
                                             field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/enrichment/trigger", json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    assert reply.json()["details"]["field"] == field


def test_enrichment_trigger_names_unknown_types_and_foreign_leads(app, tenant) -> None:
    other = create_tenant(app.settings, "Foreign Co")
    mine, theirs = add_lead(app.settings, tenant), add_lead(app.settings, other)
    with tenant.client(app.base_url) as http:
        bad_type = http.post("/api/enrichment/trigger", json={
            "leadIds": [mine], "enrichmentType": "astrological"})
        foreign = http.post("/api/enrichment/trigger", json={
            "leadIds": [mine, theirs, "no-such-lead"], "enrichmentType": "all"})
        nothing = http.post("/api/enrichment/trigger", json={"leadIds": [mine],
                                                             "enrichmentType": "contact"})
    assert bad_type.status_code == 400 and bad_type.json()["errorType"] == "invalid_value"
    assert "technographic" in bad_type.json()["details"]["issue"]
    assert foreign.status_code == 404 and foreign.json()["errorType"] == "not_found"
    assert foreign.json()["details"]["ids"] == [theirs, "no-such-lead"]
    assert nothing.status_code == 200  # no emailFinder configured for this company
    assert nothing.json()["jobId"] is None and nothing.json()["status"] == "SKIPPED"
