"""Benchmark: `extract_page` on 1 MB pages, hostile and normal (issue 13, linear-time extraction).

    .venv/bin/python bench/bench_extraction.py --bytes 1000000 --runs 5

A fetched page is read up to 1 MB (`PageFetcher.max_bytes`), so that is the size an attacker
controls. Each kind of page below is built to `--bytes` characters and `extract_page` runs on
it `--runs` times in this process; the median wall time is printed per kind. The hostile kinds
are the inputs that made the e-mail and obfuscation patterns backtrack (long runs of address
characters, `a@a@a@`, dot runs, ` [at] ` runs), nested or unfinished tags, comments and
declarations (Python 3.11's HTMLParser.close() rescans an unfinished tail once per `<`),
digit and entity runs, a long name-like line and a deep JSON-LD array. The normal page is a
team page repeated: people, mailto links, obfuscated and plain addresses, phones. `--only KIND`
runs one kind (e.g. to time the old code on a smaller page).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.research.website_extract import extract_page  # noqa: E402

NORMAL_BLOCK = (
    "<section><h2>Our team</h2><div><p>Jane Smith</p><p>Chief Executive Officer</p>"
    "<a href='mailto:jane@acme.com'>Mail Jane</a></div><div><p>Bob Stone</p><p>CTO</p>"
    "<p>Write to bob [at] acme [dot] com or sales@acme.com, call +1 415 555 0100.</p></div>"
    "<a href='https://www.linkedin.com/in/janesmith'>Jane Smith</a></section>\n"
)


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def hostile_pages(size: int) -> dict[str, Callable[[], str]]:
    """Each kind: a function building a `size`-character page."""
    def in_body(text: str) -> str:
        return f"<html><body><p>{text}</p></body></html>"
    return {
        "run of a": lambda: in_body("a" * size),
        "a@a@a@": lambda: in_body(_repeat("a@", size)),
        "dot run": lambda: in_body("a@" + "." * size),
        "[at] run": lambda: in_body(_repeat("a [at] ", size)),
        "(at)(dot) run": lambda: in_body(_repeat("a(at)b(dot)", size)),
        " at  dot run": lambda: in_body(_repeat("a at b dot ", size)),
        "nested tags": lambda: "<div>" * (size // 10) + "x" + "</div>" * (size // 10),
        "unclosed comment": lambda: "<p>a</p><!--" + _repeat("<p>x", size),
        "unclosed tags": lambda: _repeat("<a href='x' ", size),
        "unclosed end tags": lambda: _repeat("</a x ", size),
        "unclosed declarations": lambda: "<p>a</p>" + _repeat("<!x ", size),
        "digit runs": lambda: in_body(_repeat("+1 (415) 555-01", size)),
        "entities": lambda: in_body(_repeat("&amp", size)),
        "long name line": lambda: in_body("Jane " + "Smith" * (size // 5)) + "<p>CEO</p>",
        "deep JSON-LD": lambda: ("<script type='application/ld+json'>" + "[" * (size // 2)
                                 + "]" * (size // 2) + "</script>"),
        "normal page": lambda: "<html><body>" + _repeat(NORMAL_BLOCK, size) + "</body></html>",
    }


def median_seconds(page: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        extract_page(page)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    print(f"page size {args.bytes:,} characters, median of {args.runs} runs")
    print("| page | median s |\n| --- | --- |")
    for kind, build in hostile_pages(args.bytes).items():
        if args.only and kind != args.only:
            continue
        print(f"| {kind} | {median_seconds(build(), args.runs):.3f} |", flush=True)


if __name__ == "__main__":
    main()
