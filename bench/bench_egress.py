"""What the outbound-call policy costs per call, besides the name lookup.

    .venv/bin/python bench/bench_egress.py [--calls 20000] [--requests 300] [--runs 5]

1. `literal_problem(url)` (the save-time check) and `destination(host, port)` (the call-time
   check) with a resolver that answers at once from memory, so only the policy's own work is
   timed: parsing the host (every IPv4 spelling), the allow-list, the refusal rules;
2. one GET to a loopback server through `egress_client` versus a plain `httpx.Client`, both
   without keep-alive (the egress client opens a fresh connection per request, so the plain
   one is held to the same): the difference is what the policy adds to a real request
   (the check, the deadline-bounded socket wrapper, the size count).
Median of `--runs` runs; µs per call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tasks.egress import AllowList, EgressPolicy, egress_client  # noqa: E402


class MemoryResolver:
    """An instant answer: the lookup is not what is measured here."""

    def addresses(self, host: str, timeout: float | None = None) -> list[str]:
        return ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]


def per_call_us(function, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls * 1e6


def start_server() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    allow = AllowList.parse("10.1.0.0/16,intranet.example:8443,127.0.0.1")
    policy = EgressPolicy(allow, MemoryResolver())
    checks = {
        "literal_problem (DNS name)": lambda: policy.literal_problem(
            "https://api.enrich.example.com/v1/lead"),
        "literal_problem (2130706433, refused)": lambda: policy.literal_problem(
            "http://2130706433:4200/api/artifacts/filter"),
        "destination (name, 2 answers)": lambda: policy.destination("api.enrich.example.com",
                                                                    443),
        "destination (allowed CIDR literal)": lambda: policy.destination("10.1.2.3", 80),
    }
    print(f"{'check':42} median µs/call over {args.runs} runs of {args.calls} calls")
    for name, check in checks.items():
        runs = [per_call_us(check, args.calls) for _ in range(args.runs)]
        print(f"{name:42} {statistics.median(runs):8.2f}")

    server = start_server()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    plain = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), trust_env=False)
    guarded = egress_client(EgressPolicy(AllowList.parse("127.0.0.1")))
    results: dict[str, list[float]] = {"plain httpx": [], "egress client": []}
    for _ in range(args.runs):
        for name, client in (("plain httpx", plain), ("egress client", guarded)):
            results[name].append(per_call_us(lambda c=client: c.get(url).raise_for_status(),
                                             args.requests))
    for name, runs in results.items():
        print(f"GET on loopback, {name:28} {statistics.median(runs):8.1f} µs/request")
    added = statistics.median(results["egress client"]) - statistics.median(results["plain httpx"])
    print(f"added by the policy per request: {added:.1f} µs")
    plain.close()
    guarded.close()
    server.shutdown()


if __name__ == "__main__":
    main()
