"""Throughput: N commands submitted at once, until every one has completed.

    .venv/bin/python bench/bench_commands_throughput.py [--commands 50] [--mode embedded|workers]
        [--workers 2] [--worker-limit 2]

`embedded`: the default stack's path (local executor, 4 threads, in the API process).
`workers`: `LEADMILL_EXECUTOR=deployment`, `prefect deploy --all`, then `--workers` processes of
`prefect worker start --pool leadmill --limit <worker-limit>` (a new Python process per run).
Starts its own Prefect server (SQLite) and API on free loopback ports with a temporary data
dir; each command is the documented example (25 leads, 100k-contact sample). The figure is
wall time from the first POST to the last command reported completed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ROUTE = "/api/agents/sales/leadGeneration"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--mode", choices=("embedded", "workers"), default="embedded")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-limit", type=int, default=2)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="leadmill-bench-throughput-"))
    prefect_port = free_port()
    os.environ.update({"LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(free_port()),
                       "LEADMILL_PREFECT_PORT": str(prefect_port),
                       "PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
                       "LEADMILL_EXECUTOR": "deployment" if args.mode == "workers" else "local",
                       "LEADMILL_HOME": str(ROOT),
                       # the bench polls 50 statuses a second and asks for 1,250 leads at once
                       "LEADMILL_RATE_LIMIT_STANDARD": "1000000",
                       "LEADMILL_RATE_LIMIT_PREMIUM": "1000000",
                       "LEADMILL_COMPANY_LEAD_QUOTA": "1000000"})
    from deployments.prefect_env import apply_prefect_environment
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings()
    apply_prefect_environment(settings)

    import httpx
    import uvicorn

    from api.server import build_local_app
    from deployments.prefect_server import start_prefect_server, wait_for_prefect
    from deployments.stack import prepare_data

    children = [start_prefect_server(settings, data_dir / "prefect.log")]
    try:
        wait_for_prefect(os.environ["PREFECT_API_URL"], 180, children[0])
        credentials = prepare_data(settings)
        if args.mode == "workers":
            from deployments.deployment_executor import ensure_work_pool

            ensure_work_pool()
            prefect = str(Path(sys.executable).with_name("prefect"))
            subprocess.run([prefect, "--no-prompt", "deploy", "--all"], cwd=ROOT, check=True,
                           capture_output=True, timeout=300)
            for index in range(args.workers):
                log = open(data_dir / f"worker-{index}.log", "wb")  # noqa: SIM115
                children.append(subprocess.Popen(
                    [prefect, "worker", "start", "--pool", "leadmill", "--name",
                     f"bench-{index}", "--limit", str(args.worker_limit)],
                    cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        app = build_local_app(settings)
        api = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port,
                                            log_level="warning"))
        threading.Thread(target=api.run, daemon=True).start()
        base = f"http://127.0.0.1:{settings.api_port}"
        client = httpx.Client(base_url=base, headers={"x-api-key": credentials["api_key"]},
                              timeout=60)
        while True:
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        example = json.loads((ROOT / "api" / "examples" / "lead_generation_request.json")
                             .read_text())
        started = time.perf_counter()
        replies = [client.post(ROUTE, json=example).json() for _ in range(args.commands)]
        if not all(reply.get("success") for reply in replies):
            raise SystemExit(f"a submit failed: {[r for r in replies if not r.get('success')][0]}")
        ids = [reply["data"]["command_id"] for reply in replies]
        submitted = time.perf_counter() - started
        pending = set(ids)
        statuses: dict[str, str] = {}
        while pending:
            for command_id in list(pending):
                reply = client.get(f"{ROUTE}/status/{command_id}").json()
                if "data" not in reply:
                    raise SystemExit(f"status of {command_id}: {reply}")
                status = reply["data"]["status"]
                if status != "processing":
                    statuses[command_id] = status
                    pending.discard(command_id)
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        completed = sum(1 for status in statuses.values() if status == "completed")
        print(json.dumps({
            "mode": args.mode, "commands": args.commands, "completed": completed,
            "workers": args.workers if args.mode == "workers" else None,
            "worker_limit": args.worker_limit if args.mode == "workers" else None,
            "executor_threads": settings.executor_workers if args.mode == "embedded" else None,
            "submit_all_s": round(submitted, 2), "all_done_s": round(elapsed, 1),
            "commands_per_minute": round(60 * args.commands / elapsed, 1),
        }, indent=2))
        api.should_exit = True
    finally:
        for child in reversed(children):
            try:
                os.killpg(child.pid, signal.SIGTERM)
                child.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(child.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
