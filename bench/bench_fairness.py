"""Fairness: tenant A floods N high-priority commands, then tenant B submits one medium command.

    .venv/bin/python bench/bench_fairness.py [--flood 40] [--rounds 3] [--max-leads 5]

Starts its own Prefect server (SQLite) and API (the embedded default: local executor, 4
threads) on free loopback ports with a temporary data dir. Each round: A (the demo company)
POSTs `--flood` commands with priority `high`, back to back; B (a second company made in the
same operational DB) then POSTs one with priority `medium`. Every command is the documented
example with `maxLeads` lowered to `--max-leads`. Waits are read off the commands' own records
(`created_at` → `started_at` → `completed_at`), once every command of the round has finished;
and how many of A's commands the executor took before B's (polled every 50 ms: the order it
claims them in, which Prefect's own start-up delays cannot blur). The figure: B's wait against
A's, median over the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embedded_stack import EXAMPLE_FILE, ROUTE, embedded_stack  # noqa: E402


def second_tenant(settings) -> tuple[str, str, str]:
    """(api key, site id, user id) of a new company with one client."""
    from storage.db.engine import engine_for, session_scope
    from storage.tenancy.accounts import create_client, create_company, create_user, issue_api_key

    suffix = uuid.uuid4().hex[:8]
    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        company = create_company(session, "Tenant B")
        user = create_user(session, company, f"b-{suffix}@example.com", role="owner")
        client = create_client(session, company, user, "B site", client_id=f"site-b-{suffix}")
        return issue_api_key(session, user, "bench", tier="premium"), client.client_id, user.id


def waits(settings, command_ids: list[str]) -> list[tuple[float, float]]:
    """(submit → running, submit → completed) in seconds of each command."""
    from sqlmodel import Session

    from storage.commands.models import Command
    from storage.db.engine import engine_for

    with Session(engine_for(settings.sqlalchemy_url)) as session:
        rows = [session.get(Command, command_id) for command_id in command_ids]
        return [((row.started_at - row.created_at).total_seconds(),
                 (row.completed_at - row.created_at).total_seconds()) for row in rows]


def claimed(settings, command_ids: list[str]) -> set[str]:
    """The commands the executor has taken (no longer QUEUED): its claim order, polled."""
    from sqlmodel import Session, col, select

    from storage.commands.models import Command
    from storage.db.engine import engine_for

    with Session(engine_for(settings.sqlalchemy_url)) as session:
        return set(session.exec(select(Command.id).where(
            col(Command.id).in_(command_ids), Command.run_state != "QUEUED")).all())


def run_round(client_a, client_b, example, site_b, user_b, args, settings) -> dict:
    flood_body = {**example, "maxLeads": args.max_leads, "priority": "high"}
    single_body = {**example, "maxLeads": args.max_leads, "priority": "medium",
                   "siteId": site_b, "userId": user_b}
    flood = [client_a.post(ROUTE, json=flood_body).json()["data"]["command_id"]
             for _ in range(args.flood)]
    single = client_b.post(ROUTE, json=single_body).json()["data"]["command_id"]
    out_at_submit = len(claimed(settings, flood))
    while single not in (taken := claimed(settings, [single, *flood])):
        time.sleep(0.05)
    pending = {single, *flood}
    while pending:
        for command_id in list(pending):
            owner = client_b if command_id == single else client_a
            if owner.get(f"{ROUTE}/status/{command_id}").json()["data"]["status"] != "processing":
                pending.discard(command_id)
        time.sleep(0.3)
    (b_start, b_done), = waits(settings, [single])
    a = waits(settings, flood)
    return {"b_to_running_s": b_start, "b_to_completed_s": b_done,
            "a_median_to_running_s": statistics.median(s for s, _ in a),
            "a_median_to_completed_s": statistics.median(d for _, d in a),
            "a_max_to_completed_s": max(d for _, d in a),
            "a_out_when_b_submitted": out_at_submit,
            "a_taken_before_b": len(taken) - 1,
            "a_started_before_b": sum(1 for start, _ in a if start < b_start)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-leads", type=int, default=5)
    args = parser.parse_args()

    env = {"LEADMILL_RATE_LIMIT_STANDARD": "1000000", "LEADMILL_RATE_LIMIT_PREMIUM": "1000000"}
    with embedded_stack(env, prefix="leadmill-bench-fairness-") as stack:
        import httpx

        settings = stack.settings
        client_a = httpx.Client(base_url=stack.base_url,
                                headers={"x-api-key": stack.credentials["api_key"]}, timeout=60)
        key_b, site_b, user_b = second_tenant(settings)
        client_b = httpx.Client(base_url=stack.base_url, headers={"x-api-key": key_b},
                                timeout=60)
        example = json.loads(EXAMPLE_FILE.read_text())
        rounds = [run_round(client_a, client_b, example, site_b, user_b, args, settings)
                  for _ in range(args.rounds)]
        summary = {name: round(statistics.median(r[name] for r in rounds), 2)
                   for name in rounds[0]}
        print(json.dumps({"flood": args.flood, "rounds": args.rounds,
                          "max_leads": args.max_leads,
                          "executor_threads": settings.executor_workers,
                          "median": summary, "each_round": rounds}, indent=2))


if __name__ == "__main__":
    main()
