"""Lead processing over HTTP: how fast `/api/leads/process/copyright` answers, and how long a
template copy run takes from submit to COMPLETED (polling `/api/trigger-task-status`).

    .venv/bin/python bench/bench_lead_processing.py [--runs 7] [--burst 20] [--prefect-url URL]

Starts its own API (loopback, free port, temporary data dir) and, unless `--prefect-url` names
a running Prefect server, its own Prefect server. Copy comes from the deterministic templates
(no aiChat endpoint), so the figures are Leadmill + Prefect, not a language model.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_leads(settings, count: int) -> list[str]:
    from storage.db.engine import build_engine, session_scope
    from storage.leads.models import Lead
    from storage.tenancy.demo import DEMO_COMPANY_ID, DEMO_SITE_ID

    ids = [str(uuid.uuid4()) for _ in range(count)]
    with session_scope(build_engine(settings.sqlalchemy_url)) as session:
        for number, lead_id in enumerate(ids):
            session.add(Lead(id=lead_id, company_id=DEMO_COMPANY_ID, site_id=DEMO_SITE_ID,
                             dedupe_key=f"bench:{lead_id}", name=f"Person {number}",
                             first_name="Person", company=f"Company {number % 50}",
                             position="CTO", industry="Technology", score=0.8))
    return ids


def wait_completed(client, run_id: str) -> str:
    while True:
        status = client.get("/api/trigger-task-status", params={"runId": run_id}).json()
        if status["status"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELED"):
            return status["status"]
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--prefect-url", default=None)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="leadmill-bench-"))
    prefect_port = free_port()
    os.environ.update({"LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(free_port()),
                       "LEADMILL_PREFECT_PORT": str(prefect_port), "LEADMILL_LOAD_SAMPLE": "false",
                       # The enrichment and chat services it calls listen on loopback.
                       "LEADMILL_EGRESS_ALLOWED_HOSTS": "127.0.0.1"})
    from deployments.prefect_env import apply_prefect_environment
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings()
    apply_prefect_environment(settings)
    if args.prefect_url:
        os.environ["PREFECT_API_URL"] = args.prefect_url

    import httpx
    import uvicorn

    from api.server import build_local_app
    from deployments.prefect_server import start_prefect_server, wait_for_prefect
    from deployments.stack import prepare_data

    server = None if args.prefect_url else start_prefect_server(settings,
                                                                data_dir / "prefect.log")
    try:
        wait_for_prefect(os.environ["PREFECT_API_URL"], 180, server)
        credentials = prepare_data(settings)
        app = build_local_app(settings)
        api = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port,
                                            log_level="warning"))
        api_thread = threading.Thread(target=api.run, daemon=True)
        api_thread.start()
        base = f"http://127.0.0.1:{settings.api_port}"
        while True:
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(base_url=base, headers={"x-api-key": credentials["api_key"]},
                              timeout=60)
        leads = add_leads(settings, args.runs + 1 + args.burst)

        replies, completions = [], []
        for lead_id in leads[:args.runs + 1]:  # one at a time; the first warms up
            started = time.perf_counter()
            body = client.post("/api/leads/process/copyright",
                               json={"leadId": lead_id, "processes": [1, 2, 3]}).json()
            replies.append(time.perf_counter() - started)
            assert wait_completed(client, body["runIds"][0]) == "COMPLETED"
            completions.append(time.perf_counter() - started)
        replies, completions = replies[1:], completions[1:]

        started = time.perf_counter()
        burst_replies, run_ids = [], []
        for lead_id in leads[args.runs + 1:]:
            sent = time.perf_counter()
            run_ids.append(client.post("/api/leads/process/sdr", json={
                "leadId": lead_id, "fields": ["message1", "aiLeadScore"]}).json()["runIds"][0])
            burst_replies.append(time.perf_counter() - sent)
        outcomes = [wait_completed(client, run_id) for run_id in run_ids]
        burst_total = time.perf_counter() - started

        print(json.dumps({
            "runs": args.runs, "launcher_workers": 2,
            "reply_median_ms": round(statistics.median(replies) * 1000, 1),
            "reply_all_ms": [round(x * 1000, 1) for x in replies],
            "submit_to_completed_median_s": round(statistics.median(completions), 3),
            "submit_to_completed_all_s": [round(x, 3) for x in completions],
            "burst": args.burst, "burst_completed": outcomes.count("COMPLETED"),
            "burst_reply_median_ms": round(statistics.median(burst_replies) * 1000, 1),
            "burst_reply_max_ms": round(max(burst_replies) * 1000, 1),
            "burst_all_completed_s": round(burst_total, 2),
        }, indent=2))
        api.should_exit = True
        api_thread.join(timeout=30)  # let the launcher finish before the interpreter exits
        from prefect.logging.handlers import APILogHandler

        APILogHandler().flush()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
