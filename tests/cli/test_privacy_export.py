"""`leadmill privacy export` as an operator runs it on the server: the same document the API
answers, for the company named; usage errors and an unknown company exit non-zero with a
message; `--output` writes a file only its owner may read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db.engine import engine_for
from storage.tenancy.demo import DEMO_COMPANY_ID, DEMO_SITE_ID
from tests.fixtures.privacy_records import add_command, add_person_lead, add_source_lead
from tests.fixtures.servers import process_environment

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "jane.cli@acme.com"


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "privacy", "export", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _comparable(document: dict) -> dict:
    return {name: value for name, value in document.items()
            if name not in ("success", "generatedAt")}


def test_the_cli_prints_what_the_api_answers(leadmill, tmp_path) -> None:
    engine = engine_for(leadmill.settings.sqlalchemy_url)
    command = add_command(engine, DEMO_COMPANY_ID, DEMO_SITE_ID)
    lead = add_person_lead(engine, DEMO_COMPANY_ID, DEMO_SITE_ID, command_id=command,
                           email=EMAIL, phone="+1 415 555 0142")
    add_source_lead(engine, DEMO_COMPANY_ID, DEMO_SITE_ID, email=EMAIL)

    env = process_environment(leadmill.settings)
    printed = _cli(env, "--company", DEMO_COMPANY_ID, "--phone", "+14155550142")
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert [row["id"] for row in document["leads"]] == [lead]
    assert len(document["sourceLeads"]) == 1 and document["commands"][0]["id"] == command
    with leadmill.client() as http:
        answered = http.get("/api/privacy/export", params={"phone": "+14155550142"}).json()
    assert _comparable(document) == _comparable(answered)

    output = tmp_path / "out" / "jane.json"
    written = _cli(env, "--company", DEMO_COMPANY_ID, "--email", EMAIL,
                   "--output", str(output))
    assert written.returncode == 0, written.stderr
    assert "wrote 1 leads and 1 source leads" in written.stdout
    assert json.loads(output.read_text())["leads"][0]["id"] == lead
    assert oct(output.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--company", DEMO_COMPANY_ID], 2, "exactly one is needed; none given"),
    (["--company", DEMO_COMPANY_ID, "--email", EMAIL, "--phone", "+14155550142"], 2,
     "several given: email, phone"),
    (["--company", DEMO_COMPANY_ID, "--email", "n/a"], 2, "email: not a valid email"),
    (["--company", "company-nobody", "--email", EMAIL], 3, "no company company-nobody"),
])
def test_bad_requests_exit_with_a_message(tmp_path, args, code, message) -> None:
    result = _cli({**os.environ, "LEADMILL_DATA_DIR": str(tmp_path / "data")}, *args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in result.stderr and result.stdout == ""
