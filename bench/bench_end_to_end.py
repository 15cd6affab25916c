"""End-to-end latency of the documented example on the embedded default, beside Prefect's
fixed cost (an empty flow run created and run the same way the executor runs commands).

    .venv/bin/python bench/bench_end_to_end.py [--runs 7] [--contacts 100000]

Starts its own Prefect server and API (loopback, free ports, a temporary data dir), so it
measures the real path: HTTP submit → executor → Prefect flow run → status poll says completed.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="leadmill-bench-"))
    os.environ.update({"LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(free_port()),
                       "LEADMILL_PREFECT_PORT": str(free_port()),
                       "LEADMILL_SAMPLE_CONTACTS": str(args.contacts),
                       "LEADMILL_SAMPLE_COMPANIES": str(args.companies)})
    from deployments.prefect_env import apply_prefect_environment
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings()
    apply_prefect_environment(settings)

    import httpx
    import uvicorn

    from deployments.api_server import build_local_app
    from deployments.prefect_server import start_prefect_server, wait_for_prefect
    from deployments.stack import prepare_data

    server = start_prefect_server(settings, data_dir / "prefect.log")
    try:
        wait_for_prefect(os.environ["PREFECT_API_URL"], 180, server)
        credentials = prepare_data(settings)
        app = build_local_app(settings)
        api = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port,
                                            log_level="warning"))
        threading.Thread(target=api.run, daemon=True).start()
        base = f"http://127.0.0.1:{settings.api_port}"
        while True:
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        empty = [empty_flow_run() for _ in range(args.runs + 1)][1:]  # first warms the client
        example_file = ROOT / "api" / "examples" / "lead_generation_request.json"
        example = json.loads(example_file.read_text())
        client = httpx.Client(base_url=base, headers={"x-api-key": credentials["api_key"]})
        end_to_end, leads = [], []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            command_id = client.post("/api/agents/sales/leadGeneration",
                                     json=example).json()["data"]["command_id"]
            while True:
                data = client.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()
                if data["data"]["status"] != "processing":
                    break
                time.sleep(0.01)
            end_to_end.append(time.perf_counter() - started)
            leads.append(len(data["data"].get("leads_generated", [])))
        end_to_end = end_to_end[1:]  # the first run pays one-off imports and caches

        fixed = statistics.median(empty)
        total = statistics.median(end_to_end)
        print(json.dumps({
            "prospects": args.contacts, "companies": args.companies, "runs": args.runs,
            "leads_per_command": sorted(set(leads)),
            "empty_flow_run_median_s": round(fixed, 3),
            "empty_flow_run_all_s": [round(x, 3) for x in empty],
            "documented_example_median_s": round(total, 3),
            "documented_example_all_s": [round(x, 3) for x in end_to_end],
            "pipeline_over_fixed_cost_s": round(total - fixed, 3),
        }, indent=2))
        api.should_exit = True
        from prefect.logging.handlers import APILogHandler

        APILogHandler().flush()  # before the server goes, or Prefect complains at exit
    finally:
        os.killpg(server.pid, signal.SIGTERM) if hasattr(os, "killpg") else server.terminate()
        server.wait(timeout=30)


def empty_flow_run() -> float:
    """Create and run an empty flow run exactly as the local executor runs a command."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    @flow(name="empty-flow", persist_result=False)
    def empty_flow() -> None:
        return None

    started = time.perf_counter()
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(empty_flow, name="empty")
    result: list = []
    thread = threading.Thread(target=lambda: result.append(
        run_flow(empty_flow, flow_run=flow_run, return_type="state")))
    thread.start()
    thread.join()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
