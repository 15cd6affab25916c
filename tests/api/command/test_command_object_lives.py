"""The command object lives: over real HTTP, the status reply carries `supervisor[]` as the
run moves it (market_researcher with research, lead_quality_analyst with verification and
scoring), and progress counts never go down. A failed stage's supervisor: tests/flows/
test_lead_generation_flow.py; every transition: tests/storage/commands/test_supervisors.py."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from storage.commands.models import Command
from storage.db.engine import engine_for
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, example
from tests.fixtures.servers import wait_until

ROUTE = "/api/agents/sales/leadGeneration"
ORDER = {"not_initialized": 0, "running": 1, "completed": 2, "failed": 2}


def statuses(reply: dict) -> dict[str, str]:
    return {entry["agent_role"]: entry["status"] for entry in reply["supervisor"]}


def watch(client, command_id: str) -> list[dict]:
    """Every status reply from submission to the end of the run."""
    seen: list[dict] = []

    def ended():
        reply = client.get(f"{ROUTE}/status/{command_id}").json()["data"]
        seen.append(reply)
        return reply if reply["status"] != "processing" else None

    wait_until(ended, 120, f"{command_id} did not finish", every=0.02)
    return seen


@pytest.mark.parametrize("body", [DOCUMENTED_EXAMPLE, example(maxLeads=3)],
                         ids=["documented-example", "three-leads"])
def test_supervisors_move_forward_and_counts_never_go_down(leadmill, body):
    with leadmill.client() as client:
        command_id = client.post(ROUTE, json=body).json()["data"]["command_id"]
        seen = watch(client, command_id)
    final = seen[-1]
    assert final["status"] == "completed"
    assert statuses(final) == {"lead_quality_analyst": "completed",
                               "market_researcher": "completed"}
    for role in ("lead_quality_analyst", "market_researcher"):
        ranks = [ORDER[statuses(reply)[role]] for reply in seen]
        assert ranks == sorted(ranks), (role, [statuses(reply) for reply in seen])
    running = [reply["progress"] for reply in seen if reply["status"] == "processing"]
    for count in ("percentage", "leads_found", "leads_verified"):
        values = [progress[count] for progress in running]
        assert values == sorted(values), (count, values)
    for reply in seen:  # while one role runs, the other is not running too
        assert list(statuses(reply).values()).count("running") <= 1
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        command = session.get(Command, command_id)
    # leads_found: the candidates that passed the hard filters, at most the research pool;
    # never lowered to the leads delivered.
    delivered = len(final["leads_generated"])
    assert delivered <= command.leads_found <= max(100, 8 * body["maxLeads"])
    assert command.leads_verified <= command.leads_found
    assert command.command_object["supervisor"] == final["supervisor"]

