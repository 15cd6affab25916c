"""`leadmill suppressions`: add, import, list and delete do-not-contact entries on the data
dir's database, through the same operations as the API (read back through fresh
connections), with the company chosen as an operator names it."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from cli.main import main
from deployments.stack import prepare_data
from storage.db.engine import build_engine, session_scope
from storage.privacy.fingerprints import Fingerprinter
from storage.privacy.models import Suppression
from storage.privacy.suppressions import SuppressionCheck, suppress_fingerprints
from storage.runtime import open_runtime
from storage.tenancy.accounts import create_client, create_company, create_user
from storage.tenancy.demo import DEMO_COMPANY_ID, DEMO_SITE_ID
from tests.fixtures.servers import make_settings


@pytest.fixture
def settings(tmp_path, sample_prospect_dir):
    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)  # the demo company and its client site_456abc
    return settings


def run(capsys, settings, *args: str) -> tuple[int, str, str]:
    code = main(["suppressions", *args, "--data-dir", str(settings.data_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def stored(settings) -> list[Suppression]:
    engine = build_engine(settings.sqlalchemy_url)
    with session_scope(engine) as session:
        rows = list(session.exec(select(Suppression)).all())
    engine.dispose()
    return rows


def test_suppressions_cli_round_trip(settings, capsys, tmp_path) -> None:
    code, out, _ = run(capsys, settings, "add", "--email", "Jane@Acme.com", "--email", "nobody",
                       "--domain", "globex.com")
    assert code == 0
    added = json.loads(out)
    assert (added["created"], added["existing"]) == (2, 0)
    assert added["invalid"] == [{"field": "emails", "index": 1, "issue": "not a valid email"}]

    listing = tmp_path / "dnc.csv"
    listing.write_text("email,linkedinUrl\njane@acme.com,\n,https://linkedin.com/in/bob\n")
    code, out, _ = run(capsys, settings, "import", str(listing), "--client-id", DEMO_SITE_ID)
    imported = json.loads(out)
    assert code == 0 and (imported["created"], imported["existing"]) == (2, 0)
    assert imported["columns"] == {"emails": "email", "linkedinUrls": "linkedinUrl"}

    code, out, _ = run(capsys, settings, "list")
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(entries) == 4
    assert {(e["value"], e["client_id"]) for e in entries} == {
        ("jane@acme.com", None), ("globex.com", None), ("jane@acme.com", DEMO_SITE_ID),
        ("linkedin.com/in/bob", DEMO_SITE_ID)}
    assert all(e["createdBy"] is None for e in entries)  # an operator's: owners/admins delete
    code, out, _ = run(capsys, settings, "list", "--client-id", DEMO_SITE_ID, "--kind",
                       "linkedin")
    assert [json.loads(line)["value"] for line in out.splitlines()] == ["linkedin.com/in/bob"]
    code, out, _ = run(capsys, settings, "list", "--limit", "3")
    assert len(out.splitlines()) == 3

    # What the CLI listed is what commands, imports and webhooks check.
    runtime = open_runtime(settings)
    with session_scope(runtime.engine) as session:
        check = SuppressionCheck.for_site(session, runtime.secret_box, DEMO_COMPANY_ID,
                                          DEMO_SITE_ID)
        assert check.suppressed([{"name": "Hank", "email": "hank@globex.com"},
                                 {"name": "Bob", "linkedin": "linkedin.com/in/bob/"},
                                 {"name": "Ann", "email": "ann@initech.io"}]) == [
            True, True, False]

    domain_id = next(e["id"] for e in entries if e["value"] == "globex.com")
    code, out, _ = run(capsys, settings, "delete", domain_id, "sup_unknown")
    assert code == 0 and json.loads(out) == {"deleted": 1, "notFound": ["sup_unknown"]}
    assert domain_id not in {row.id for row in stored(settings)}


def test_an_erasure_entry_is_listed_without_a_value_and_stays(settings, capsys) -> None:
    runtime = open_runtime(settings)
    fingerprint = Fingerprinter(runtime.secret_box)
    with session_scope(runtime.engine) as session:
        suppress_fingerprints(session, DEMO_COMPANY_ID, [
            ("email", fingerprint(DEMO_COMPANY_ID, "email", "gone@x.io"))], None)
    code, out, _ = run(capsys, settings, "list", "--reason", "erasure")
    [entry] = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and (entry["value"], entry["reason"]) == (None, "erasure")
    code, out, _ = run(capsys, settings, "delete", entry["id"])
    assert json.loads(out) == {"deleted": 0, "notFound": [entry["id"]]}
    assert len(stored(settings)) == 1


def test_the_company_is_named_when_the_instance_has_several(settings, capsys) -> None:
    with session_scope(build_engine(settings.sqlalchemy_url)) as session:
        other = create_company(session, "Other", company_id="company-other")
        owner = create_user(session, other, "owner@other.test", role="owner")
        create_client(session, other, owner, "Other site", client_id="site-other")
    code, _, err = run(capsys, settings, "add", "--domain", "globex.com")
    assert code == 2 and "several companies" in err
    code, _, err = run(capsys, settings, "add", "--domain", "globex.com", "--company", "nope")
    assert code == 2 and "no company nope" in err
    # A client names its company; a client of another company is not found in this one.
    assert run(capsys, settings, "add", "--domain", "globex.com",
               "--client-id", "site-other")[0] == 0
    code, _, err = run(capsys, settings, "add", "--domain", "globex.com",
                       "--company", DEMO_COMPANY_ID, "--client-id", "site-other")
    assert code == 2 and "no client site-other" in err
    assert run(capsys, settings, "add", "--domain", "initech.io", "--company",
               DEMO_COMPANY_ID)[0] == 0
    assert sorted((row.company_id, row.scope) for row in stored(settings)) == [
        ("company-demo", ""), ("company-other", "site-other")]
    # Deleting by id from the wrong company finds nothing.
    other_entry = next(row.id for row in stored(settings) if row.company_id == "company-other")
    code, out, _ = run(capsys, settings, "delete", other_entry, "--company", DEMO_COMPANY_ID)
    assert json.loads(out)["deleted"] == 0 and len(stored(settings)) == 2


@pytest.mark.parametrize(("args", "file_text", "message"), [
    (["add"], None, "no values to list"),
    (["add", "--domain", "x.io", "--client-id", "site-nowhere"], None, "no site site-nowhere"),
    (["import"], "name\nJane\n", "line 1: the header names none of the columns"),
    (["import"], "email\na@b.io,extra\n", "line 2:"),
    (["import"], "domain\n" + "".join(f"d{n}.io\n" for n in range(10_001)),
     "at most 10000 per request"),
    (["import"], "email\n", "no values under email"),
])
def test_bad_input_exits_2_and_lists_nothing(settings, capsys, tmp_path, args, file_text,
                                             message) -> None:
    if file_text is not None:
        path = tmp_path / "list.csv"
        path.write_text(file_text)
        args = [*args, str(path)]
    code, out, err = run(capsys, settings, *args)
    assert code == 2 and out == ""
    assert message in err, err
    assert stored(settings) == []


def test_an_unreadable_file_exits_2(settings, capsys, tmp_path) -> None:
    code, _, err = run(capsys, settings, "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in err


def test_cli_prospect_import_skips_listed_people(settings, capsys, tmp_path) -> None:
    """`leadmill prospects import` applies the site's do-not-contact entries: a listed address
    and anyone at a listed domain are skipped and counted, the others imported."""
    code, _, _ = run(capsys, settings, "add", "--email", "Jane@Acme.com", "--domain",
                     "globex.com", "--client-id", DEMO_SITE_ID)
    assert code == 0
    prospects = tmp_path / "list.csv"
    prospects.write_text(
        "name,email,company,website,title\n"
        "Jane Roe,jane@acme.com,Acme,acme.com,CTO\n"
        "Hank Scorpio,hank@globex.com,Globex,globex.com,CEO\n"
        "Ann Perkins,ann@initech.io,Initech,initech.io,VP Operations\n")
    code = main(["prospects", "import", str(prospects), "--site", DEMO_SITE_ID, "--json",
                 "--data-dir", str(settings.data_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["suppressed"] == 2 and report["imported"] == 1
