"""Reliability and throughput of outbound webhooks (the durable outbox + dispatcher).

    .venv/bin/python bench/bench_webhooks.py [--runs 5] [--throughput 1000] [--killed 100]

1. retries: a receiver that fails 4 times then accepts, default backoff base (1 s): the gaps
   between attempts and how many times it accepted;
2. kill -9: `--killed` deliveries pending against a slow receiver (0.5 s per request), the API
   process killed -9 mid-way, restarted: distinct event ids received, total receipts,
   duplicates (only ones in flight at the kill can repeat, with the same event id);
3. throughput: `--throughput` deliveries to a local receiver, median of `--runs` runs, measured
   from the dispatcher's start to the last one recorded as delivered.
Everything runs on loopback with a temporary data dir; no Prefect server is needed (the events
are recorded through Leadmill's storage functions, as flows record them).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, func, select  # noqa: E402

from tests.fixtures.servers import start_api_process, start_receiver, wait_until  # noqa: E402
from tests.fixtures.webhooks import completed_commands_with_events  # noqa: E402


def fresh_instance(base: Path, name: str, **overrides):
    from deployments.stack import prepare_data
    from storage.db.engine import build_engine
    from storage.settings import LeadmillSettings
    from tests.conftest import free_port

    values = {"data_dir": base / name, "api_port": free_port(), "load_sample": False,
              "webhook_allowed_hosts": "127.0.0.1", "instance_name": f"bench-{name}"}
    values.update(overrides)
    settings = LeadmillSettings(**values)
    prepare_data(settings)
    return settings, build_engine(settings.sqlalchemy_url)


def delivered_count(engine) -> int:
    from storage.webhooks.models import WebhookDelivery

    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(WebhookDelivery)
                            .where(WebhookDelivery.status == "delivered")).one()


def bench_retries(base: Path) -> None:
    from deployments.webhook_dispatcher import WebhookDispatcher

    settings, engine = fresh_instance(base, "retries")
    receiver = start_receiver(responses=[503, 500, 502, 504])
    completed_commands_with_events(engine, 1, receiver.url)
    dispatcher = WebhookDispatcher(settings, engine, settings.executor_instance)
    dispatcher.start()
    wait_until(lambda: delivered_count(engine) == 1, 120, "retry bench did not deliver")
    time.sleep(2)  # would anything else arrive after the success?
    dispatcher.stop()
    times = [r["at"] for r in receiver.requests]
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:], strict=False)]
    accepted = sum(1 for _ in receiver.requests[4:])
    print(f"retries: {len(receiver.requests)} requests, accepted {accepted} time(s), "
          f"gaps {gaps} s (backoff 1, 2, 4, 8 s × 1–1.5 jitter), "
          f"event ids {len({r['headers']['uncodie-event-id'] for r in receiver.requests})}")


def bench_kill(base: Path, count: int) -> None:
    settings, engine = fresh_instance(base, "killed")
    receiver = start_receiver(hang_seconds=0.5)
    event_ids = completed_commands_with_events(engine, count, receiver.url)
    log_file = base / "killed-api.log"
    process = start_api_process(settings, log_file)
    wait_until(lambda: delivered_count(engine) >= count // 3, 120, "nothing delivered")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    at_kill = delivered_count(engine)
    received_at_kill = len(receiver.requests)
    restarted_at = time.time()  # (a request the dying process sent may be read a bit later)
    restarted = start_api_process(settings, log_file)
    started = time.perf_counter()
    wait_until(lambda: delivered_count(engine) == count, 300, "not all delivered after restart")
    resumed_in = time.perf_counter() - started
    time.sleep(2)
    restarted.terminate()
    restarted.wait(timeout=30)
    receipts = Counter(r["headers"]["uncodie-event-id"] for r in receiver.requests)
    delivered_at = delivered_times(engine)
    sent_after_success = sum(r["wall"] > delivered_at[r["headers"]["uncodie-event-id"]]
                             for r in receiver.requests)
    repeated = [event for event, n in receipts.items() if n > 1]
    repeats_in_flight = all(
        min(r["wall"] for r in receiver.requests if r["headers"]["uncodie-event-id"] == event)
        < restarted_at for event in repeated)
    print(f"kill -9: {count} pending, {at_kill} recorded delivered and {received_at_kill} "
          f"received at the kill; after restart all {delivered_count(engine)} delivered in "
          f"{resumed_in:.1f} s; distinct event ids received {len(receipts)} "
          f"(all ours: {set(receipts) == set(event_ids)}); requests sent after their success "
          f"was recorded: {sent_after_success}; total requests {sum(receipts.values())}, "
          f"events whose request was repeated {len(repeated)} (all first sent by the killed "
          f"process, reply never recorded: {repeats_in_flight}), more than twice "
          f"{sum(c > 2 for c in receipts.values())}; processed by a receiver dropping repeated "
          f"Uncodie-Event-Id: {len(receipts)} events, each once")


def delivered_times(engine) -> dict[str, float]:
    from datetime import UTC

    from storage.webhooks.models import WebhookDelivery

    with Session(engine) as session:
        rows = session.exec(select(WebhookDelivery.id, WebhookDelivery.delivered_at)).all()
    return {event: (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
            for event, at in rows}


def bench_throughput(base: Path, count: int, runs: int) -> None:
    from deployments.webhook_dispatcher import WebhookDispatcher

    receiver = start_receiver()
    seconds = []
    for run in range(runs):
        settings, engine = fresh_instance(base, f"throughput-{run}")
        completed_commands_with_events(engine, count, receiver.url)
        dispatcher = WebhookDispatcher(settings, engine, settings.executor_instance)
        started = time.perf_counter()
        dispatcher.start()
        wait_until(lambda e=engine: delivered_count(e) == count, 120, "throughput run stalled",
                   every=0.02)
        seconds.append(time.perf_counter() - started)
        dispatcher.stop()
    print(f"throughput: {count} deliveries, runs {[round(s, 2) for s in seconds]} s, "
          f"median {statistics.median(seconds):.2f} s "
          f"({count / statistics.median(seconds):.0f} deliveries/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throughput", type=int, default=1000)
    parser.add_argument("--killed", type=int, default=100)
    parser.add_argument("--only", choices=["retries", "kill", "throughput"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadmill-bench-webhooks-") as tmp:
        base = Path(tmp)
        if args.only in (None, "retries"):
            bench_retries(base)
        if args.only in (None, "kill"):
            bench_kill(base, args.killed)
        if args.only in (None, "throughput"):
            bench_throughput(base, args.throughput, args.runs)


if __name__ == "__main__":
    main()
