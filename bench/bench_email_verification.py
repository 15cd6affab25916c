"""Benchmark: deep e-mail verification of 1,000 addresses over 100 domains.

Run: `.venv/bin/python bench/bench_email_verification.py [--addresses 1000] [--domains 100]
[--runs 5]`. A real aiosmtpd server on 127.0.0.1 (a free port) answers for every domain
(a fifth of the mailboxes unknown, every tenth domain catch-all), a static resolver gives each
domain that server as its MX. Per-domain concurrency 2 (the default), a fresh verifier (empty
caches) per run; wall-clock median of `--runs`.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from tasks.verification.email import EmailVerifier, StaticMxResolver, VerifierOptions  # noqa: E402


class BenchMailbox:
    def __init__(self, catch_all: set[str]) -> None:
        self.catch_all = catch_all

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: ANN001
        user, _, domain = address.partition("@")
        if domain in self.catch_all or user.startswith("person"):
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"
        return "550 5.1.1 User unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", type=int, default=1000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    domains = [f"company{i}.example.com" for i in range(args.domains)]
    addresses = [f"{'ghost' if i % 5 == 4 else 'person'}{i}@{domains[i % args.domains]}"
                 for i in range(args.addresses)]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(BenchMailbox(set(domains[::10])), hostname="127.0.0.1", port=port)
    controller.start()
    resolver = StaticMxResolver({d: [(10, "127.0.0.1")] for d in domains})
    times, outcome = [], {}
    try:
        for _ in range(args.runs):
            verifier = EmailVerifier(resolver, VerifierOptions(smtp_port=port,
                                                                allowed_hosts=["127.0.0.1"]))
            start = time.perf_counter()
            results = asyncio.run(verifier.verify_many(addresses))
            times.append(time.perf_counter() - start)
            outcome = {r: sum(x.is_reachable == r for x in results)
                       for r in ("safe", "risky", "invalid", "unknown")}
    finally:
        controller.stop()
    print(f"{args.addresses} addresses over {args.domains} domains, per-domain limit 2")
    print("runs (s):", " ".join(f"{t:.2f}" for t in times))
    print(f"median {statistics.median(times):.2f} s; outcome of the last run: {outcome}")


if __name__ == "__main__":
    main()
