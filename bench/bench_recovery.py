"""Recovery fault suite: kill -9 of the API during a burst of commands, restart under another
instance name (a container's new host name).

    .venv/bin/python bench/bench_recovery.py [--commands 50] [--max-leads 5] [--lease 5]

A client submits `--commands` commands (each with a webhook and its own `Idempotency-Key`)
0.1 s apart; once a third are accepted and some are running, the API is killed with SIGKILL
and started again under another `LEADMILL_INSTANCE_NAME` on the same port and data. The
client retries every POST that got no answer with the same key. Then it waits until every
command has ended, resubmits (new key) each one that failed because its process died, and
waits for those too.

Reported: commands accepted (one per key: ids are compared), how each ended (completed at once,
requeued by the successor and completed, crashed → failed and resubmitted → completed), time
from the restart until every dead instance's command was settled, leads stored twice (same
company, site and identity), webhook requests sent after their delivery was recorded, events
delivered. Own Prefect server (SQLite) and API on free loopback ports, a temporary data dir, a
20k-contact sample.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ROUTE = "/api/agents/sales/leadGeneration"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--max-leads", type=int, default=5)
    parser.add_argument("--lease", type=float, default=5.0)
    parser.add_argument("--pace", type=float, default=0.1, help="seconds between two POSTs")
    args = parser.parse_args()

    from tests.conftest import free_port

    data_dir = Path(tempfile.mkdtemp(prefix="leadmill-bench-recovery-"))
    prefect_port = free_port()
    os.environ.update({"PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
                       "LEADMILL_RATE_LIMIT_STANDARD": "1000000",
                       "LEADMILL_RATE_LIMIT_PREMIUM": "1000000",
                       "LEADMILL_SITE_LEAD_QUOTA": "1000000"})
    from deployments.prefect_env import apply_prefect_environment
    from deployments.prefect_server import start_prefect_server, wait_for_prefect
    from deployments.stack import prepare_data
    from storage.db.engine import build_engine
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings(
        data_dir=data_dir, api_port=free_port(), prefect_port=prefect_port,
        instance_name="bench-host-a:8000", lease_seconds=args.lease,
        webhook_retry_base_seconds=1.0, webhook_allowed_hosts="127.0.0.1",
        sample_contacts=20_000, sample_companies=4_000, retry_backoff_seconds=0.2)
    apply_prefect_environment(settings)
    prefect = start_prefect_server(settings, data_dir / "prefect.log")
    try:
        wait_for_prefect(os.environ["PREFECT_API_URL"], 180, prefect)
        credentials = prepare_data(settings)
        engine = build_engine(settings.sqlalchemy_url)
        run_fault(settings, credentials, engine, args)
    finally:
        os.killpg(prefect.pid, signal.SIGTERM)
        prefect.wait(timeout=30)


def run_fault(settings, credentials, engine, args) -> None:
    import httpx

    from tests.fixtures.examples import example
    from tests.fixtures.servers import start_api_process, start_receiver, wait_until

    receiver = start_receiver()
    base = f"http://127.0.0.1:{settings.api_port}"
    headers = {"x-api-key": credentials["api_key"]}
    log_file = settings.data_dir / "api.log"
    accepted: dict[str, str] = {}  # idempotency key -> command id
    retried_posts = Counter()

    def submit_all() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            for n in range(args.commands):
                key = f"burst-{n}"
                body = example(maxLeads=args.max_leads, webhook={"url": receiver.url})
                while True:
                    try:
                        reply = client.post(ROUTE, json=body, headers={"Idempotency-Key": key})
                        if reply.status_code == 200:
                            accepted[key] = reply.json()["data"]["command_id"]
                            time.sleep(args.pace)
                            break
                    except httpx.HTTPError:
                        pass
                    retried_posts[key] += 1  # no answer (the API is down): same key again
                    time.sleep(0.2)

    first = start_api_process(settings, log_file)
    submitter = threading.Thread(target=submit_all)
    submitter.start()
    # Mid-burst, with runs under way: a third accepted and some running.
    wait_until(lambda: len(accepted) >= args.commands // 3
               and "RUNNING" in states(engine).values(), 120, "no command running")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = time.perf_counter()
    at_kill = states(engine)
    successor = settings.model_copy(update={"instance_name": "bench-host-b:8000"})
    second = start_api_process(successor, log_file)
    restarted_at = time.perf_counter()
    try:
        submitter.join()
        ids = list(accepted.values())
        dead = {c for c, s in at_kill.items() if s not in FINAL}

        wait_until(lambda: all(executor_of(engine, c) != "bench-host-a:8000"
                               or states(engine)[c] in FINAL for c in dead), 300,
                   "the dead instance's commands were not settled")
        settled_in = time.perf_counter() - restarted_at
        wait_until(lambda: all(states(engine)[c] in FINAL for c in ids), 600,
                   "commands did not all end")
        ended = states(engine)
        crashed = [c for c in ids if ended[c] == "CRASHED"]
        resubmitted = {}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for n, command_id in enumerate(crashed):
                reply = client.post(ROUTE, json=example(maxLeads=args.max_leads,
                                                        webhook={"url": receiver.url}),
                                    headers={"Idempotency-Key": f"resubmit-{n}"})
                resubmitted[command_id] = reply.json()["data"]["command_id"]
        wait_until(lambda: all(states(engine)[c] in FINAL for c in resubmitted.values()),
                   600, "resubmitted commands did not end")
        wait_until(lambda: pending_deliveries(engine) == 0, 300, "webhooks still pending")
        time.sleep(2)  # would a delivered event be sent again?
    finally:
        second.terminate()
        second.wait(timeout=30)
    report(engine, receiver, args, accepted, retried_posts, at_kill, ended, resubmitted,
           settled_in, restarted_at - killed_at)


FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def states(engine) -> dict[str, str]:
    from sqlmodel import Session, select

    from storage.commands.models import Command

    with Session(engine) as session:
        return dict(session.exec(select(Command.id, Command.run_state)).all())


def executor_of(engine, command_id: str) -> str | None:
    from sqlmodel import Session

    from storage.commands.models import Command

    with Session(engine) as session:
        return session.get(Command, command_id).executor_instance


def pending_deliveries(engine) -> int:
    from sqlmodel import Session, func, select

    from storage.webhooks.models import WebhookDelivery

    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(WebhookDelivery)
                            .where(WebhookDelivery.status == "pending")).one()


def report(engine, receiver, args, accepted, retried_posts, at_kill, ended, resubmitted,
           settled_in, restart_seconds) -> None:
    from sqlmodel import Session, func, select

    from storage.commands.models import Command
    from storage.leads.models import Lead
    from storage.webhooks.models import WebhookDelivery

    with Session(engine) as session:
        commands = session.exec(select(func.count()).select_from(Command)).one()
        twice = session.exec(
            select(Lead.company_id, Lead.site_id, Lead.dedupe_key, func.count())
            .group_by(Lead.company_id, Lead.site_id, Lead.dedupe_key)
            .having(func.count() > 1)).all()
        deliveries = session.exec(select(WebhookDelivery)).all()
        requeued = session.exec(select(func.count()).select_from(Command).where(
            Command.id.in_(list(accepted.values())),
            Command.executor_instance == "bench-host-b:8000")).one()
    delivered_at = {d.id: (d.delivered_at if d.delivered_at.tzinfo else
                           d.delivered_at.replace(tzinfo=UTC)).timestamp()
                    for d in deliveries if d.delivered_at}
    after_success = sum(1 for r in receiver.requests
                        if r["headers"]["uncodie-event-id"] in delivered_at
                        and r["wall"] > delivered_at[r["headers"]["uncodie-event-id"]])
    ids = list(accepted.values())
    final = Counter(ended[c] for c in ids)
    resubmitted_final = Counter(states(engine)[c] for c in resubmitted.values())
    in_flight = Counter(at_kill.get(c, "not yet stored") for c in ids)
    print(f"commands: {args.commands} keys submitted, {len(set(ids))} distinct commands "
          f"accepted, {commands - len(resubmitted)} stored (one per key: "
          f"{commands - len(resubmitted) == len(set(ids)) == args.commands}); POSTs retried "
          f"with the same key after no answer: {sum(retried_posts.values())}")
    print(f"at the kill: {dict(in_flight)}")
    print(f"restart took {restart_seconds:.1f} s; the dead instance's unfinished commands "
          f"settled {settled_in:.1f} s after the restart (lease {args.lease:g} s)")
    print(f"ended: {dict(final)}; taken over and run by the successor: {requeued}; "
          f"crashed → resubmitted: {len(resubmitted)}, which ended {dict(resubmitted_final)}")
    print(f"leads stored twice: {len(twice)}; webhook deliveries {len(deliveries)} "
          f"({Counter(d.status for d in deliveries)}); requests received "
          f"{len(receiver.requests)}, sent after their delivery was recorded: {after_success}")


if __name__ == "__main__":
    main()
