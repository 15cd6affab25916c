"""Benchmark: research over the generated sample against research over imported prospects.

Run: `.venv/bin/python bench/bench_research_layouts.py --sample DIR --imported DIR [--runs 9]`.
`--sample` is a store holding a generated sample (e.g. `bench_research.py`'s store-1000000),
`--imported` a store whose site `site_bench` holds an import (e.g. `bench_import.py`'s
store-4). The two searches (the documented example, pool 250) alternate in one process, so
both see the same load: comparing figures from separate sessions on a shared machine measured
the load, not the Parquet layout. Reports the median wall clock and the median CPU time of
the process (all DuckDB threads) per search, after one warm-up each.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.prospects.store import count_prospects  # noqa: E402
from tasks.research.prospect_search import search_prospects  # noqa: E402
from tests.fixtures.examples import documented_search_spec  # noqa: E402

log = logging.getLogger("bench_research_layouts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--imported", type=Path, required=True)
    parser.add_argument("--site", default="site_bench")
    parser.add_argument("--company", default="company-bench",
                        help="the site's company (bench_import.py imports for company-bench)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--pool", type=int, default=250)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
    spec = documented_search_spec()
    cases = {
        "sample": (args.sample, spec),
        "imported": (args.imported, spec.model_copy(update={"site_id": args.site})),
    }
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for store, search in cases.values():
        search_prospects(store, search, args.pool, args.company)  # warm-up: page cache
    for _ in range(args.runs):
        for name, (store, search) in cases.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            search_prospects(store, search, args.pool, args.company)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    for name, (store, search) in cases.items():
        log.info(
            "RESULT %s prospects=%d research_median=%.0f ms cpu_median=%.0f ms runs=%d (%s)",
            name, count_prospects(store, search.site_id, args.company),
            statistics.median(wall[name]) * 1000,
            statistics.median(cpu[name]) * 1000, args.runs,
            ", ".join(f"{t * 1000:.0f}" for t in wall[name]),
        )


if __name__ == "__main__":
    main()
