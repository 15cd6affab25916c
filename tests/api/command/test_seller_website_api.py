"""The tester's `websiteUrl` feeds the soft criteria: the seller's own site, read by the flow
over real HTTP (a loopback company site), gives needs the leads' reasons name."""

from __future__ import annotations

import copy

import pytest

from tests.api.command.test_lead_generation_api import submit, wait_for_status
from tests.fixtures.examples import DOCUMENTED_EXAMPLE


def _without_offering(**changes: object) -> dict:
    body = copy.deepcopy(DOCUMENTED_EXAMPLE)
    del body["leadGenData"]["productOffering"], body["leadGenData"]["businessInfo"]
    return {**body, **changes}


@pytest.mark.parametrize("with_site", [True, False], ids=["website", "no-website"])
def test_the_sellers_website_gives_ideal_customer_needs(leadmill_reading_loopback, company_site,
                                                       with_site: bool) -> None:
    body = _without_offering(**({"websiteUrl": company_site} if with_site else {}))
    with leadmill_reading_loopback.client() as client:
        data = wait_for_status(client, submit(client, body)["command_id"])
    assert data["status"] == "completed", data
    needs = [r for lead in data["leads_generated"] for r in lead["match_reasons"]
             if r.startswith("Ideal customer need: ")]
    # The site's h1 "Workflow Automation Platform" and description "Reduce manual processes".
    assert bool(needs) is with_site, needs
    assert all(set(r.removeprefix("Ideal customer need: ").split(", "))
               <= {"workflow", "automation", "manual", "processes"} for r in needs), needs
