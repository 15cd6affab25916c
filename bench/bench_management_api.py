"""Benchmark of the lead-management API's read paths at 1,000,000 stored leads.

Usage: `.venv/bin/python bench/bench_management_api.py [--leads 1000000] [--clients 10] [--runs 7]`

Seeds a temporary SQLite operational DB (sqlite3 executemany in one transaction: setup, not
timed) with `--leads` live leads of one company spread evenly over `--clients` clients, serves
the API (create_app, no executor work) with uvicorn on a loopback port in this process, and
times whole HTTP requests from an httpx client with keep-alive: `GET /api/leads` pages of
1,000 (with `total`) and bulk `GET /api/enrich-leads/list` pages of 5,000, first and deep
pages. Median of `--runs` runs after one warm-up request each.

Then the cost of rate limiting (`--overhead-requests` per run): one counter upsert alone
(`DatabaseCounters.hit` against the same database), and a cheap authenticated request
(`GET /api/clients`, 10 clients) served with `rate_limit_backend=database` and with `memory`.
The premium limit is raised so that no benchmark request is refused.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn

from api.app import create_app
from storage.db.engine import build_engine, session_scope
from storage.leads.records import ensure_lead_page_indexes
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.accounts import create_client, create_company, create_user, issue_api_key
from storage.tenancy.rate_counters import DatabaseCounters

_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite
COLUMNS = ("id", "company_id", "site_id", "dedupe_key", "name", "first_name", "last_name",
           "email", "company", "company_domain", "position", "industry", "country",
           "linkedin", "status", "score", "match_reasons", "verified", "source", "created_at",
           "updated_at")


class IdleExecutor:
    def start(self) -> None: ...
    def stop(self, wait: bool = True) -> None: ...
    def submit(self, command_id: str) -> None: ...


def seed(settings: LeadmillSettings, leads: int, clients: int) -> str:
    """The company, its clients and a premium API key; then the leads. Returns the key."""
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    ensure_lead_page_indexes(engine)
    with session_scope(engine) as session:
        company = create_company(session, "Bench Co", company_id="company-bench")
        user = create_user(session, company, "bench@example.com", role="owner")
        for n in range(clients):
            create_client(session, company, user, f"Client {n}", client_id=f"client-{n}")
        key = issue_api_key(session, user, "bench", tier="premium")
    engine.dispose()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def rows():
        for i in range(leads):
            stamp = (start + timedelta(milliseconds=i)).strftime(_STAMP)
            yield (f"lead-{i:08d}", "company-bench", f"client-{i % clients}",
                   f"email:p{i}@example.com", f"Person {i}", "Person", str(i),
                   f"p{i}@example.com", f"Company {i % 5000}", f"company{i % 5000}.example.com",
                   ("CEO", "CTO", "VP Sales")[i % 3], ("SaaS", "Retail")[i % 2],
                   ("DE", "US", "FR")[i % 3], f"https://linkedin.com/in/p{i}", "new",
                   (i % 100) / 100, '["Role match: CTO"]', i % 2, "sample", stamp, stamp)

    with sqlite3.connect(settings.data_dir / "leadmill.db") as con:
        con.executemany(f"INSERT INTO lead ({', '.join(COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(COLUMNS))})", rows())
        con.execute("ANALYZE")
    return key


def serve(settings: LeadmillSettings) -> uvicorn.Server:
    app = create_app(settings, IdleExecutor())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    server.thread = thread  # type: ignore[attr-defined]
    return server


def stop(server: uvicorn.Server) -> None:
    """Let the app run its shutdown hooks (they unfreeze what start-up froze)."""
    server.should_exit = True
    server.thread.join(timeout=30)  # type: ignore[attr-defined]


def timed(http: httpx.Client, path: str, params: dict, runs: int,
          expect: int) -> tuple[list[float], list[float]]:
    """Wall seconds and this process's CPU seconds (server and client threads) per request."""
    http.get(path, params=params).raise_for_status()  # warm-up
    seconds, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        reply = http.get(path, params=params)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        reply.raise_for_status()
        body = reply.json()
        assert len(body.get("leads", body.get("items", []))) == expect, body.keys()
    return seconds, cpu


def request_overhead(base_urls: dict[str, str], key: str, requests: int, runs: int
                     ) -> dict[str, list[float]]:
    """Per backend and run, the median seconds of `requests` sequential `GET /api/clients`;
    the backends take turns within each run, so load changes hit both alike."""
    medians: dict[str, list[float]] = {backend: [] for backend in base_urls}
    clients = {backend: httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=60)
               for backend, url in base_urls.items()}
    for http in clients.values():
        http.get("/clients").raise_for_status()
    for _ in range(runs):
        for backend, http in clients.items():
            seconds = []
            for _ in range(requests):
                started = time.perf_counter()
                http.get("/clients").raise_for_status()
                seconds.append(time.perf_counter() - started)
            medians[backend].append(statistics.median(seconds))
    for http in clients.values():
        http.close()
    return medians


def counter_overhead(settings: LeadmillSettings, requests: int, runs: int) -> list[float]:
    """Per run, the mean seconds of one `DatabaseCounters.hit` (a new bucket per run)."""
    engine = build_engine(settings.sqlalchemy_url)
    counters = DatabaseCounters(engine)
    means = []
    for run in range(runs):
        started = time.perf_counter()
        for _ in range(requests):
            counters.hit(f"bench:{run}:{time.time_ns()}", 60)
        means.append((time.perf_counter() - started) / requests)
    engine.dispose()
    return means


def report_overhead(settings: LeadmillSettings, key: str, requests: int, runs: int) -> None:
    def line(label: str, values: list[float]) -> None:
        runs_text = ", ".join(f"{value * 1e6:.0f}" for value in values)
        print(f"{label}: median {statistics.median(values) * 1e6:.0f} us "
              f"(runs: {runs_text}); load average {os.getloadavg()[0]:.1f}")

    line(f"one rate-counter upsert (DatabaseCounters.hit), mean of {requests}",
         counter_overhead(settings, requests, runs))
    servers, urls = [], {}
    for backend in ("database", "memory"):
        served = settings.model_copy(update={"api_port": free_port(),
                                             "rate_limit_backend": backend})
        servers.append(serve(served))
        urls[backend] = f"http://127.0.0.1:{served.api_port}/api"
    for backend, medians in request_overhead(urls, key, requests, runs).items():
        line(f"GET /api/clients with rate_limit_backend={backend}, median of {requests}",
             medians)
    for server in servers:
        stop(server)


def token_at(http: httpx.Client, path: str, params: dict, pages: int) -> str:
    token = None
    for _ in range(pages):
        reply = http.get(path, params={**params, **({"nextToken": token} if token else {})})
        token = reply.json()["nextToken"]
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--overhead-requests", type=int, default=300)
    parser.add_argument("--overhead-only", action="store_true",
                        help="only the rate-limit overhead part")
    parser.add_argument("--keep", type=Path, default=None,
                        help="seed into this directory once and reuse it on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-management-") as scratch:
        data_dir = args.keep or Path(scratch)
        # Charged but never refused: the counters are shared and outlive a run with --keep.
        settings = LeadmillSettings(data_dir=data_dir, api_port=free_port(), load_sample=False,
                                    rate_limit_premium=1_000_000_000)
        key_file = data_dir / "bench-key.txt"
        if key_file.exists():
            key = key_file.read_text()
        else:
            started = time.perf_counter()
            key = seed(settings, args.leads, args.clients)
            key_file.write_text(key)
            print(f"seeded {args.leads:,} leads over {args.clients} clients in "
                  f"{time.perf_counter() - started:.1f} s (setup)")
        server = serve(settings)
        http = httpx.Client(base_url=f"http://127.0.0.1:{settings.api_port}/api",
                            headers={"x-api-key": key}, timeout=60)
        per_client = args.leads // args.clients
        page = {"client_id": "client-0", "limit": 1000}
        bulk = {"companyId": "company-bench", "limit": 5000}
        cases = [
            (f"GET /api/leads, 1,000 of a {per_client:,}-lead client, first page (+ total)",
             "/leads", page, 1000),
            ("GET /api/leads, 1,000, 50th page (nextToken)", "/leads",
             {**page, "nextToken": token_at(http, "/leads", page, 49)}, 1000),
            (f"GET /api/enrich-leads/list, 5,000 of {args.leads:,} (all clients), first page",
             "/enrich-leads/list", bulk, 5000),
            ("GET /api/enrich-leads/list, 5,000, 100th page (nextToken)", "/enrich-leads/list",
             {**bulk, "nextToken": token_at(http, "/enrich-leads/list", bulk, 99)}, 5000),
            ("GET /api/enrich-leads/list, 5,000, fields=id,email,firstName,companyName",
             "/enrich-leads/list", {**bulk, "fields": "id,email,firstName,companyName"}, 5000),
            ("GET /api/enrich-leads/list, 5,000 of one client", "/enrich-leads/list",
             {**bulk, "clientId": "client-3"}, 5000),
        ]
        for label, path, params, expect in [] if args.overhead_only else cases:
            seconds, cpu = timed(http, path, params, args.runs, expect)
            runs = ", ".join(f"{value * 1000:.0f}" for value in seconds)
            print(f"{label}: median {statistics.median(seconds) * 1000:.0f} ms (runs: {runs}); "
                  f"CPU median {statistics.median(cpu) * 1000:.0f} ms; "
                  f"load average {os.getloadavg()[0]:.1f}")
        http.close()
        stop(server)
        report_overhead(settings, key, args.overhead_requests, args.runs)


if __name__ == "__main__":
    main()
