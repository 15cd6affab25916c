"""`/api/suppressions` over real HTTP, on SQLite and PostgreSQL: values are listed normalised,
counted when already listed and reported when invalid; pages newest first; a CSV upload;
who may delete what; erasure entries show no value and stay; another company sees and deletes
nothing; what the API lists is what the suppression check applies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from sqlmodel import select

from storage.db.engine import build_engine, session_scope
from storage.privacy.fingerprints import Fingerprinter
from storage.privacy.models import Suppression
from storage.privacy.suppressions import SuppressionCheck, suppress_fingerprints
from storage.tenancy.accounts import create_user, issue_api_key
from storage.tenancy.models import Company
from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("suppressions"),
                                    sample_prospect_dir, database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Quiet Co")


def member_of(app, tenant: Tenant, role: str = "member") -> Tenant:
    """Another user of the tenant's company, with an API key of their own."""
    with fresh_session(app) as session:
        company = session.get(Company, tenant.company_id)
        user = create_user(session, company, f"{role}-{uuid.uuid4().hex[:8]}@example.com",
                           role=role)
        return replace(tenant, user_id=user.id, api_key=issue_api_key(session, user, "tests"))


def fresh_session(app):
    """A session on a connection of its own: what the API committed, read back."""
    return session_scope(build_engine(app.settings.sqlalchemy_url))


def stored_entries(app, company_id: str) -> list[Suppression]:
    with fresh_session(app) as session:
        return list(session.exec(select(Suppression).where(
            Suppression.company_id == company_id)).all())


def listed(http: httpx.Client, **params) -> list[dict]:
    reply = http.get("/api/suppressions", params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()["suppressions"]


def test_values_are_listed_normalised_once_and_invalid_ones_reported(app, tenant) -> None:
    body = {"emails": [" Jane.Doe@ACME.com ", "not an address", "jane.doe@acme.com"],
            "domains": ["WWW.Globex.co.uk"], "linkedinUrls": ["https://uk.linkedin.com/in/JRoe/"],
            "phones": ["+1 (415) 555-0132", "12"]}
    with tenant.client(app.base_url) as http:
        created = http.post("/api/suppressions", json=body)
        again = http.post("/api/suppressions", json={"emails": ["JANE.DOE@acme.com"],
                                                      "domains": ["globex.co.uk", "initech.io"]})
        entries = listed(http)
    assert created.status_code == 201, created.text
    reply = created.json()
    # A value repeated in one request is listed once.
    assert (reply["created"], reply["existing"]) == (4, 0)
    assert reply["invalid"] == [
        {"field": "emails", "index": 1, "issue": "not a valid email"},
        {"field": "phones", "index": 1, "issue": "not a valid phone"}]
    assert sorted((entry["kind"], entry["value"]) for entry in reply["suppressions"]) == [
        ("domain", "globex.co.uk"), ("email", "jane.doe@acme.com"),
        ("linkedin", "linkedin.com/in/jroe"), ("phone", "+14155550132")]
    assert all(entry["client_id"] is None and entry["reason"] == "list" and
               entry["createdBy"] == tenant.user_id for entry in reply["suppressions"])
    assert again.status_code == 201 and (again.json()["created"], again.json()["existing"]) == (
        1, 2)
    assert entries[0]["value"] == "initech.io"  # newest first
    assert len(entries) == 5


def test_values_are_sealed_in_the_database(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        http.post("/api/suppressions", json={"emails": ["secret.person@hidden.example"]})
    [row] = stored_entries(app, tenant.company_id)
    assert "secret.person" not in (row.sealed_value or "") + row.fingerprint
    assert app.app.state.secret_box.open(row.sealed_value) == "secret.person@hidden.example"


def test_client_entries_are_kept_apart_and_filtered(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        scoped = http.post("/api/suppressions", json={"client_id": tenant.client_id,
                                                       "domains": ["globex.com"]})
        # The same value company-wide is another entry (another scope), not an existing one.
        wide = http.post("/api/suppressions", json={"domains": ["globex.com"],
                                                     "emails": ["ann@initech.io"]})
        for_client = listed(http, client_id=tenant.client_id)
        domains = listed(http, kind="domain")
        lists = listed(http, reason="list")
    assert scoped.status_code == 201 and scoped.json()["suppressions"][0]["client_id"] == (
        tenant.client_id)
    assert (wide.json()["created"], wide.json()["existing"]) == (2, 0)
    assert [(e["value"], e["client_id"]) for e in for_client] == [
        ("globex.com", tenant.client_id)]
    assert sorted(e["client_id"] or "" for e in domains) == ["", tenant.client_id]
    assert len(lists) == 3


def test_pages_follow_next_token_without_repeats(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for number in range(3):
            http.post("/api/suppressions",
                      json={"emails": [f"p{number}a@x.io", f"p{number}b@x.io"]})
        values, token, pages = [], None, 0
        while True:
            page = http.get("/api/suppressions",
                            params={"limit": 4, **({"nextToken": token} if token else {})}).json()
            values += [entry["value"] for entry in page["suppressions"]]
            token, pages = page["nextToken"], pages + 1
            if token is None:
                break
    assert pages == 2 and len(values) == 6
    assert sorted(values) == sorted(f"p{n}{s}@x.io" for n in range(3) for s in "ab")
    assert set(values[:2]) == {"p2a@x.io", "p2b@x.io"}  # the newest request first


@pytest.mark.parametrize(("method", "path", "body", "params", "status", "error_type", "field"), [
    ("POST", "", {}, None, 400, "missing_required_field", "emails"),
    ("POST", "", {"emails": []}, None, 400, "missing_required_field", "emails"),
    ("POST", "", {"emails": "a@b.io"}, None, 400, "invalid_format", "emails"),
    ("POST", "", {"emails": [7]}, None, 400, "invalid_format", "emails.0"),
    ("POST", "", {"emails": ["a@b.io"], "names": ["x"]}, None, 400, "invalid_format", "names"),
    ("POST", "", {"emails": ["a@b.io"], "client_id": "site_nowhere"}, None, 404,
     "not_found", "client_id"),
    ("POST", "", {"domains": [f"d{n}.io" for n in range(10_001)]}, None, 413,
     "invalid_value", "body"),
    ("GET", "", None, {"limit": "0"}, 400, "invalid_value", "limit"),
    ("GET", "", None, {"limit": "many"}, 400, "invalid_format", "limit"),
    ("GET", "", None, {"kind": "name"}, 400, "invalid_value", "kind"),
    ("GET", "", None, {"reason": "whim"}, 400, "invalid_value", "reason"),
    ("GET", "", None, {"nextToken": "%%%"}, 400, "invalid_format", "nextToken"),
    ("GET", "", None, {"client_id": "site_nowhere"}, 404, "not_found", "client_id"),
    ("DELETE", "", {}, None, 400, "missing_required_field", "ids"),
    ("DELETE", "", {"ids": []}, None, 400, "invalid_value", "ids"),
    ("DELETE", "", {"ids": "sup_1"}, None, 400, "invalid_format", "ids"),
    ("POST", "/import", "email\na@b.io\n", {"client_id": "site_nowhere"}, 404, "not_found",
     "client_id"),
])
def test_bad_requests_are_refused(app, tenant, method, path, body, params, status, error_type,
                                  field) -> None:
    with tenant.client(app.base_url) as http:
        if isinstance(body, str):
            reply = http.request(method, f"/api/suppressions{path}", content=body,
                                 params=params, headers={"content-type": "text/csv"})
        else:
            reply = http.request(method, f"/api/suppressions{path}", json=body, params=params)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    assert reply.json()["details"]["field"] == field
    assert stored_entries(app, tenant.company_id) == []  # nothing half-written


def test_a_member_deletes_only_their_own_entries(app, tenant) -> None:
    member = member_of(app, tenant)
    with tenant.client(app.base_url) as http:
        owners = http.post("/api/suppressions", json={"emails": ["o@x.io"]}).json()
    with member.client(app.base_url) as http:
        mine = http.post("/api/suppressions", json={"emails": ["m1@x.io", "m2@x.io"]}).json()
        [owner_id] = [entry["id"] for entry in owners["suppressions"]]
        my_ids = [entry["id"] for entry in mine["suppressions"]]
        refused = http.request("DELETE", "/api/suppressions",
                               json={"ids": [my_ids[0], owner_id]})
        kept = len(stored_entries(app, tenant.company_id))
        deleted = http.request("DELETE", "/api/suppressions",
                               json={"ids": [my_ids[0], "sup_unknown", my_ids[0]]})
    with tenant.client(app.base_url) as http:
        by_owner = http.request("DELETE", "/api/suppressions", json={"ids": [my_ids[1]]})
    assert refused.status_code == 403, refused.text
    assert refused.json()["errorType"] == "owner_mismatch"
    assert refused.json()["details"]["ids"] == [owner_id]
    assert kept == 3  # the whole request was refused
    assert deleted.json() == {"success": True, "deleted": 1, "notFound": ["sup_unknown"]}
    assert by_owner.json()["deleted"] == 1
    assert [row.id for row in stored_entries(app, tenant.company_id)] == [owner_id]


def test_entries_without_a_creator_are_deleted_by_owners_and_admins_only(app, tenant) -> None:
    from storage.privacy.lists import add_to_list

    with fresh_session(app) as session:  # as `leadmill suppressions add` lists them
        [row] = add_to_list(session, app.app.state.secret_box, tenant.company_id, None,
                            {"emails": ["cli@x.io"]}, None).created
        entry_id = row.id
    with member_of(app, tenant).client(app.base_url) as http:
        refused = http.request("DELETE", "/api/suppressions", json={"ids": [entry_id]})
    with member_of(app, tenant, "admin").client(app.base_url) as http:
        deleted = http.request("DELETE", "/api/suppressions", json={"ids": [entry_id]})
    assert refused.status_code == 403 and refused.json()["errorType"] == "owner_mismatch"
    assert deleted.json()["deleted"] == 1


def test_erasure_entries_are_listed_without_a_value_and_cannot_be_deleted(app, tenant) -> None:
    fingerprint = Fingerprinter(app.app.state.secret_box)
    with fresh_session(app) as session:  # what an erasure leaves behind
        suppress_fingerprints(session, tenant.company_id, [
            ("email", fingerprint(tenant.company_id, "email", "gone@x.io"))], tenant.user_id)
    with tenant.client(app.base_url) as http:
        [entry] = listed(http, reason="erasure")
        deleted = http.request("DELETE", "/api/suppressions", json={"ids": [entry["id"]]})
    assert (entry["kind"], entry["value"], entry["reason"]) == ("email", None, "erasure")
    assert deleted.json() == {"success": True, "deleted": 0, "notFound": [entry["id"]]}
    assert len(stored_entries(app, tenant.company_id)) == 1


def test_another_company_neither_sees_nor_deletes_the_entries(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    with tenant.client(app.base_url) as http:
        entry_id = http.post("/api/suppressions", json={"emails": ["vip@x.io"]}
                             ).json()["suppressions"][0]["id"]
    with other.client(app.base_url) as http:
        seen = listed(http)
        deleted = http.request("DELETE", "/api/suppressions", json={"ids": [entry_id]})
        into_ours = http.post("/api/suppressions", json={"client_id": tenant.client_id,
                                                          "emails": ["x@x.io"]})
        again = http.post("/api/suppressions", json={"emails": ["vip@x.io"]})
    assert seen == []
    assert deleted.json() == {"success": True, "deleted": 0, "notFound": [entry_id]}
    assert into_ours.status_code == 404 and into_ours.json()["errorType"] == "not_found"
    # Its own list is its own: the same address is new there, not "existing".
    assert again.json()["created"] == 1
    assert [row.id for row in stored_entries(app, tenant.company_id)] == [entry_id]


def test_listed_entries_are_what_the_suppression_check_applies(app, tenant) -> None:
    other = create_tenant(app.settings, "Unrelated")
    with tenant.client(app.base_url) as http:
        http.post("/api/suppressions", json={"domains": ["globex.com"]})
        http.post("/api/suppressions", json={"client_id": tenant.client_id,
                                              "emails": ["ann@initech.io"]})
    people = [{"name": "Hank Scorpio", "email": "hank@globex.com", "company": "Globex"},
              {"name": "Ann Perkins", "email": "Ann@Initech.io", "company": "Initech"},
              {"name": "Free Person", "email": "free@elsewhere.io", "company": "Elsewhere"}]
    with fresh_session(app) as session:
        box = app.app.state.secret_box
        for_client = SuppressionCheck.for_site(session, box, tenant.company_id,
                                               tenant.client_id).suppressed(people)
        company_wide = SuppressionCheck.for_site(session, box, tenant.company_id,
                                                 None).suppressed(people)
        elsewhere = SuppressionCheck.for_site(session, box, other.company_id,
                                              other.client_id).suppressed(people)
    assert for_client == [True, True, False]
    assert company_wide == [True, False, False]
    assert elsewhere == [False, False, False]


# -- the CSV upload ------------------------------------------------------------------------
CSV = ("Email,Name,LinkedIn URL,domain\n"
       "Jane@Acme.com,Jane,,\n"
       ",Bob,https://linkedin.com/in/bob,\n"
       "nobody,Nobody,,globex.com\n")


def test_a_csv_file_is_listed_and_its_bad_cells_named_by_line(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/suppressions/import", content=CSV,
                          params={"client_id": tenant.client_id},
                          headers={"content-type": "text/csv"})
        entries = listed(http, client_id=tenant.client_id)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["created"], body["existing"]) == (3, 0)
    assert body["invalid"] == [{"line": 4, "column": "Email", "issue": "not a valid email"}]
    assert body["columns"] == {"emails": "Email", "linkedinUrls": "LinkedIn URL",
                               "domains": "domain"}
    assert body["ignoredColumns"] == ["Name"]
    assert sorted(entry["value"] for entry in entries) == [
        "globex.com", "jane@acme.com", "linkedin.com/in/bob"]


def test_a_csv_file_is_accepted_as_a_multipart_form(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/suppressions/import",
                          files={"file": ("dnc.csv", "phone\n+44 20 7946 0958\n", "text/csv")})
        again = http.post("/api/suppressions/import",
                          files={"file": ("dnc.csv", "phone\n+442079460958\n", "text/csv")})
        no_file = http.post("/api/suppressions/import", data={"note": "forgot the file"},
                            files={"other": ("x.txt", "x", "text/plain")})
    assert reply.status_code == 201, reply.text
    assert reply.json()["suppressions"][0]["value"] == "+442079460958"
    assert again.json()["existing"] == 1
    assert no_file.status_code == 400 and no_file.json()["details"]["field"] == "file"


@pytest.mark.parametrize(("content", "status", "error_type", "line"), [
    (b"", 400, "missing_required_field", None),
    (b"name,company\nJane,Acme\n", 400, "invalid_format", 1),
    (b"jane@acme.com\nbob@acme.com\n", 400, "invalid_format", 1),  # no header
    (b"email,E-mail\na@b.io,c@d.io\n", 400, "invalid_format", 1),
    (b"email\na@b.io,extra\n", 400, "invalid_format", 2),
    (b"email\n\"a@b.io\n", 400, "invalid_format", 2),
    (b"email\n\xff\xfe@b.io\n", 400, "invalid_format", None),
    (b"email\n", 400, "missing_required_field", None),
    (b"email\n" + b"someone@example.com\n" * 110_000, 413, "invalid_value", None),
    (b"domain\n" + b"".join(b"d%d.io\n" % n for n in range(10_001)), 413, "invalid_value",
     None),
])
def test_a_bad_csv_file_is_refused(app, tenant, content, status, error_type, line) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/suppressions/import", content=content,
                          headers={"content-type": "text/csv"})
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    if line is not None:
        assert reply.json()["details"]["line"] == line
    assert stored_entries(app, tenant.company_id) == []


def test_an_overlong_value_is_reported_unread(app, tenant) -> None:
    long_url = "https://linkedin.com/in/" + "a" * 2000
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/suppressions",
                          json={"linkedinUrls": [long_url, "linkedin.com/in/ok"]})
    assert reply.status_code == 201, reply.text
    assert reply.json()["invalid"] == [
        {"field": "linkedinUrls", "index": 0, "issue": "longer than 2000 characters"}]
    assert [row.kind for row in stored_entries(app, tenant.company_id)] == ["linkedin"]


def test_the_documented_example_is_accepted(app, tenant) -> None:
    from api.docs.request_examples import CLIENT_PLACEHOLDER, request_docs

    example = dict(request_docs()[("POST", "/api/suppressions")].example)
    assert example["client_id"] == CLIENT_PLACEHOLDER
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/suppressions", json={**example, "client_id": tenant.client_id})
        csv_file = http.post("/api/suppressions/import", headers={"content-type": "text/csv"},
                             content=request_docs()[("POST", "/api/suppressions/import")].example)
    assert reply.status_code == 201 and reply.json()["created"] == 4, reply.text
    assert csv_file.status_code == 201 and csv_file.json()["created"] == 2, csv_file.text
