"""`leadmill schedules`: create, list, pause, resume and delete from the shell."""

from __future__ import annotations

import json

from cli.main import main
from deployments.stack import prepare_data
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings


def test_schedules_cli_round_trip(tmp_path, sample_prospect_dir, capsys):
    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)
    request = tmp_path / "request.json"
    request.write_text(json.dumps(example(maxLeads=2)))
    base = ["--data-dir", str(settings.data_dir)]

    assert main(["schedules", "create", *base, "--name", "weekly", "--request", str(request),
                 "--cron", "0 9 * * MON", "--timezone", "America/New_York"]) == 0
    created = json.loads(capsys.readouterr().out)
    sid = created["schedule_id"]
    assert (created["site_id"], created["status"]) == ("site_456abc", "active")

    assert main(["schedules", "pause", *base, sid]) == 0
    capsys.readouterr()
    assert main(["schedules", "list", *base]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "paused"
    assert main(["schedules", "resume", *base, sid]) == 0
    assert main(["schedules", "delete", *base, sid]) == 0
    capsys.readouterr()
    assert main(["schedules", "list", *base]) == 0
    assert capsys.readouterr().out == ""


def test_schedules_cli_refuses_bad_input(tmp_path, sample_prospect_dir, capsys):
    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)
    request = tmp_path / "request.json"
    request.write_text(json.dumps(example(siteId="nowhere")))
    base = ["--data-dir", str(settings.data_dir)]
    assert main(["schedules", "create", *base, "--name", "x", "--request", str(request),
                 "--interval", "3600"]) == 2
    assert "no site nowhere" in capsys.readouterr().err
    request.write_text(json.dumps(example()))
    assert main(["schedules", "create", *base, "--name", "x", "--request", str(request),
                 "--cron", "not a cron"]) == 2
    assert main(["schedules", "pause", *base, "sched_missing"]) == 2


def test_schedules_cli_asks_which_company_and_refuses_its_foreign_users(
    tmp_path, sample_prospect_dir, capsys
):
    from storage.db.engine import engine_for, session_scope
    from storage.tenancy.accounts import create_client, create_company, create_user

    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)
    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        other = create_company(session, "Other", company_id="company-other")
        owner = create_user(session, other, "owner@other.test", role="owner")
        create_client(session, other, owner, "Same id", client_id="site_456abc")
        other_user = owner.id
    request = tmp_path / "request.json"
    request.write_text(json.dumps(example(maxLeads=2)))  # siteId site_456abc, the demo's user
    base = ["--data-dir", str(settings.data_dir), "--name", "x", "--request", str(request),
            "--interval", "3600"]
    assert main(["schedules", "create", *base]) == 2
    assert "several companies" in capsys.readouterr().err
    # The demo's user is no user of the other company: the command API's USER_NOT_FOUND.
    assert main(["schedules", "create", *base, "--company", "company-other"]) == 2
    assert "The specified user does not exist" in capsys.readouterr().err
    request.write_text(json.dumps(example(maxLeads=2, userId=other_user)))
    assert main(["schedules", "create", *base, "--company", "company-other"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["site_id"] == "site_456abc"
    from storage.commands.recurring import get_schedule

    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        assert get_schedule(session, created["schedule_id"]).company_id == "company-other"


def test_schedules_cli_keeps_to_the_companys_cap_on_recurring_searches(
    tmp_path, sample_prospect_dir, capsys, monkeypatch
):
    # The CLI once skipped the cap the API applies; both now create through one operation.
    settings = make_settings(tmp_path / "data", sample_prospect_dir)
    prepare_data(settings)
    monkeypatch.setenv("LEADMILL_MAX_RECURRING_SEARCHES_PER_COMPANY", "1")
    request = tmp_path / "request.json"
    request.write_text(json.dumps(example(maxLeads=2)))
    create = ["schedules", "create", "--data-dir", str(settings.data_dir), "--name", "x",
              "--request", str(request), "--interval", "3600"]
    assert main(create) == 0
    capsys.readouterr()
    assert main(create) == 2
    assert "The limit of 1 recurring searches" in capsys.readouterr().err
