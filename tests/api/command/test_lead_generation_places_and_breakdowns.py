"""Over real HTTP: places Leadmill cannot read are reported, breakdowns follow the request."""

from __future__ import annotations

import copy

import pytest

from tests.api.command.test_lead_generation_api import submit, wait_for_status
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, example


def with_locations(locations: list[str], **changes) -> dict:
    body = example(**changes)
    body["leadGenData"] = copy.deepcopy(body["leadGenData"])
    body["leadGenData"]["targetAudience"]["locations"] = locations
    return body


def test_documented_example_breakdowns_count_per_requested_role_and_industry(leadmill):
    with leadmill.client() as client:
        accepted = submit(client, DOCUMENTED_EXAMPLE)
        assert accepted["warnings"] == []  # every documented place is known
        data = wait_for_status(client, accepted["command_id"])
    assert data["status"] == "completed", data
    summary = data["summary"]
    audience = DOCUMENTED_EXAMPLE["leadGenData"]["targetAudience"]
    assert list(summary["roles_breakdown"]) == [*audience["roles"], "other"]
    assert list(summary["industries_breakdown"]) == [*audience["industries"], "other"]
    assert sum(summary["roles_breakdown"].values()) == 25
    assert sum(summary["industries_breakdown"].values()) == 25
    # The leads keep their own titles: "Chief Technology Officer" is counted as "CTO".
    positions = {lead["position"] for lead in data["leads_generated"]}
    assert positions - set(audience["roles"])


@pytest.mark.parametrize(("locations", "flagged"), [
    (["United States", "Xyzzyville"], {1: "unknown place"}),
    (["Cambridge", "Canada", "Nowhereburg, WA"], {0: "ambiguous place", 2: "unknown place"}),
    (["Colombia", "Korea", "Toronto, CA", "Perth, WA", "DACH"], {}),
])
def test_command_reply_warns_of_places_it_cannot_place(leadmill, locations, flagged):
    with leadmill.client() as client:
        accepted = submit(client, with_locations(locations, maxLeads=3))
        wait_for_status(client, accepted["command_id"])
    warnings = accepted["warnings"]
    assert [w["field"] for w in warnings] == [
        f"leadGenData.targetAudience.locations[{at}]" for at in flagged]
    for warning, (at, kind) in zip(warnings, flagged.items(), strict=True):
        assert warning["value"] == locations[at]
        assert warning["message"].startswith(kind)
    # The documented fields are all still there.
    assert {"command_id", "site_id", "status", "estimated_completion_time", "leads_requested",
            "job_priority", "process_info"} <= set(accepted)


def test_toronto_ca_finds_toronto_canada_not_california(leadmill):
    with leadmill.client() as client:
        accepted = submit(client, with_locations(["Toronto, CA"], maxLeads=5))
        data = wait_for_status(client, accepted["command_id"])
    assert data["status"] == "completed", data
    leads = data["leads_generated"]
    assert "Location match: Toronto, CA" in leads[0]["match_reasons"]
    assert not any("California" in (lead["location"] or "") or ", CA" in (lead["location"] or "")
                   and "Toronto" not in lead["location"] for lead in leads)
