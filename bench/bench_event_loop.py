"""Benchmark of the API's responsiveness under hostile load (issue 13).

Usage: `.venv/bin/python bench/bench_event_loop.py [--leads 20000] [--part health|mix|both]
[--seconds 20] [--runs 3] [--mix-clients 200] [--mix-seconds 30]`

Seeds a temporary SQLite operational DB (`--leads` leads of one company over 10 clients, as
bench_management_api.py does; the owner gets a password) and serves the API in its own
process (uvicorn, one worker, `create_app` with an idle executor: commands are stored and
answered, never run, so the figures are the API's alone). Rate limits, the login throttle
and the site quota are raised so that nothing is refused. Then:

1. `health`: `/api/health` probed every 20 ms, one request at a time, for `--seconds` while
   20 clients send wrong-password logins back to back (each an Argon2 verification) and one
   client pages 5,000 leads at a time (`GET /api/enrich-leads/list?limit=5000`): p50/p99/max
   of each of `--runs` runs, and their medians.
2. `mix`: `--mix-clients` concurrent clients (asyncio + httpx, one connection each) for
   `--mix-seconds`, each looping over status polls (50 %), lead pages of 100 (35 %) and
   command submissions (15 %): requests, errors (any non-2xx or transport error), p50/p99.

Run it against another checkout with `PYTHONPATH=<checkout>` (the server process inherits it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD = "correct horse battery"
NOTHING_REFUSED = {"rate_limit_premium": 10**9, "rate_limit_standard": 10**9,
                   "login_failures_per_username": 10**9, "login_failures_per_ip": 10**9,
                   "company_lead_quota": 10**12, "load_sample": False}


def serve(data_dir: Path, port: int) -> None:
    """The server process: the API over `data_dir` on 127.0.0.1:`port`."""
    import uvicorn

    from api.app import create_app
    from api.server import KEEP_ALIVE_SECONDS
    from storage.settings import LeadmillSettings

    sys.path.insert(0, str(BENCH_DIR))
    from bench_management_api import IdleExecutor

    settings = LeadmillSettings(data_dir=data_dir, api_port=port, **NOTHING_REFUSED)
    uvicorn.run(create_app(settings, IdleExecutor()), host="127.0.0.1", port=port,
                log_level="warning", access_log=False, proxy_headers=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS)  # as the API server runs


def seed(data_dir: Path, leads: int) -> str:
    """The bench company with `leads` leads and a premium key; the owner gets a password."""
    sys.path.insert(0, str(BENCH_DIR))
    from bench_management_api import free_port
    from bench_management_api import seed as seed_leads
    from sqlmodel import select

    from storage.db.engine import build_engine, session_scope
    from storage.settings import LeadmillSettings
    from storage.tenancy.models import User
    from storage.tenancy.passwords import hash_password

    settings = LeadmillSettings(data_dir=data_dir, api_port=free_port(), **NOTHING_REFUSED)
    key = seed_leads(settings, leads, 10)
    engine = build_engine(settings.sqlalchemy_url)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == "bench@example.com")).one()
        user.password_hash = hash_password(PASSWORD)
        session.add(user)
    engine.dispose()
    return key


def start_server(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(data_dir),
                                    "--port", str(port)], stdout=handle,
                                   stderr=subprocess.STDOUT, cwd=BENCH_DIR.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(log.read_text()[-3000:])


def percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms ({len(ordered)} requests)")


def health_under_load(base: str, key: str, seconds: float) -> tuple[float, float]:
    stop = threading.Event()
    done = {"logins": 0, "bulk pages": 0}
    lock = threading.Lock()

    def wrong_logins(number: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            while not stop.is_set():
                reply = http.post("/api/auth", json={"username": "bench@example.com",
                                                     "password": f"wrong {number}"})
                assert reply.status_code == 401, reply.text
                with lock:
                    done["logins"] += 1

    def bulk_pages() -> None:
        with httpx.Client(base_url=base, headers={"x-api-key": key}, timeout=120) as http:
            while not stop.is_set():
                reply = http.get("/api/enrich-leads/list",
                                 params={"companyId": "company-bench", "limit": 5000})
                assert reply.status_code == 200 and len(reply.content) > 1_000_000
                with lock:
                    done["bulk pages"] += 1

    threads = [threading.Thread(target=wrong_logins, args=(n,)) for n in range(20)]
    threads.append(threading.Thread(target=bulk_pages))
    for thread in threads:
        thread.start()
    time.sleep(1)  # let the load build up
    latencies = []
    with httpx.Client(base_url=base, timeout=120) as http:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            http.get("/api/health").raise_for_status()
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join()
    print(f"/api/health under 20 wrong-password logins + 5,000-lead bulk pages, {seconds:.0f} s: "
          f"{percentiles(latencies)}; meanwhile {done['logins']} logins and "
          f"{done['bulk pages']} bulk pages; load average {os.getloadavg()[0]:.1f}")
    ordered = sorted(latencies)
    return (statistics.median(ordered),
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


async def mixed_clients(base: str, key: str, clients: int, seconds: float) -> None:
    example = json.loads((BENCH_DIR.parent / "api/examples/lead_generation_request.json")
                         .read_text())
    command = {**example, "siteId": "client-0", "maxLeads": 1}
    for name in ("userId", "webhook"):
        command.pop(name, None)
    latencies: dict[str, list[float]] = {"status": [], "leads": [], "submit": []}
    errors: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, headers={"x-api-key": key}, timeout=120,
                                 limits=httpx.Limits(max_connections=clients + 10)) as http:
        first = await http.post("/api/agents/sales/leadGeneration", json=command)
        first.raise_for_status()
        command_ids = [first.json()["data"]["command_id"]]
        deadline = time.monotonic() + seconds

        async def client(number: int) -> None:
            chooser = random.Random(number)
            while time.monotonic() < deadline:
                kind = chooser.choices(["status", "leads", "submit"], [50, 35, 15])[0]
                started = time.perf_counter()
                try:
                    if kind == "status":
                        reply = await http.get("/api/agents/sales/leadGeneration/status/"
                                               + chooser.choice(command_ids))
                    elif kind == "leads":
                        reply = await http.get("/api/leads", params={
                            "client_id": f"client-{chooser.randrange(10)}", "limit": 100})
                    else:
                        reply = await http.post("/api/agents/sales/leadGeneration",
                                                json=command)
                        if reply.status_code == 200:
                            command_ids.append(reply.json()["data"]["command_id"])
                    failed = f"HTTP {reply.status_code}" if reply.status_code >= 300 else None
                except httpx.HTTPError as exc:
                    failed = type(exc).__name__
                if failed:
                    errors[f"{kind}: {failed}"] = errors.get(f"{kind}: {failed}", 0) + 1
                else:
                    latencies[kind].append(time.perf_counter() - started)

        await asyncio.gather(*(client(number) for number in range(clients)))
    every = [value for values in latencies.values() for value in values]
    print(f"{clients} concurrent clients for {seconds:.0f} s: {len(every)} answered "
          f"({len(every) / seconds:.0f}/s), errors {sum(errors.values())} {errors or ''}; "
          f"all: {percentiles(every)}; load average {os.getloadavg()[0]:.1f}")
    for kind, values in latencies.items():
        if values:
            print(f"  {kind}: {percentiles(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--part", choices=["health", "mix", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3, help="runs of the health part")
    parser.add_argument("--mix-clients", type=int, default=200)
    parser.add_argument("--mix-seconds", type=float, default=30)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    sys.path.insert(0, str(BENCH_DIR))
    from bench_management_api import free_port

    with tempfile.TemporaryDirectory(prefix="bench-event-loop-") as scratch:
        data_dir = Path(scratch)
        key = seed(data_dir, args.leads)
        port = free_port()
        server = start_server(data_dir, port, data_dir / "server.log")
        base = f"http://127.0.0.1:{port}"
        try:
            if args.part in ("health", "both"):
                runs = [health_under_load(base, key, args.seconds) for _ in range(args.runs)]
                print(f"median of {args.runs} runs: p50 "
                      f"{statistics.median(run[0] for run in runs) * 1000:.1f} ms, p99 "
                      f"{statistics.median(run[1] for run in runs) * 1000:.1f} ms")
            if args.part in ("mix", "both"):
                asyncio.run(mixed_clients(base, key, args.mix_clients, args.mix_seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
            errors = [line for line in (data_dir / "server.log").read_text().splitlines()
                      if "Error" in line or "Traceback" in line]
            if errors:
                print("server log:", *errors[-20:], sep="\n  ")


if __name__ == "__main__":
    main()
