"""Benchmark: scoring a full target audience with `tasks.scoring.table.score_table`.

Run: `.venv/bin/python bench/bench_scoring.py [--contacts 1000000] [--runs 5] [--dir DIR]`.
The generated sample (1,000,000 contacts at 200,000 companies by default, cached under
`--dir`) is read once with its text columns dictionary-encoded (`read_audience`); each run
scores every row against the documented example's search (with an excluded term and a company
size range added; its ideal customer profile and offering as soft criteria), wall-clock median
of `--runs` after one warm-up. Also timed: the same search without the ideal customer, without
interests/keywords (the description regexes are most of the cost), the same with cities,
subdivisions and regions as locations, and the row scorer on 20,000 rows for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_research import EXAMPLE  # noqa: E402
from storage.prospects.store import generate_sample  # noqa: E402
from tasks.scoring.match import score_prospects  # noqa: E402
from tasks.scoring.table import read_audience, score_table  # noqa: E402
from tasks.search.criteria import Prospect  # noqa: E402
from tasks.search.ideal_customer import IdealCustomer  # noqa: E402


def _median(call, runs: int) -> tuple[float, list[float]]:  # noqa: ANN001
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/benchprospects"))
    args = parser.parse_args()
    store = args.dir / f"store-{args.contacts}"
    path = generate_sample(store, args.contacts, max(10, args.contacts // 5))
    table = read_audience(str(path))
    spec = EXAMPLE.model_copy(update={"excluded_terms": ["staffing"],
                                      "company_sizes": ["51-200", "100-250"]})
    plain = spec.model_copy(update={"interests": [], "keywords": []})
    # The documented example's ideal customer profile and offering are soft criteria (issue
    # 17); the same search without them shows what they cost.
    explicit = spec.model_copy(update={"ideal_customer": IdealCustomer()})
    # Cities, subdivisions and regions (tasks/search/geography.py) instead of three countries.
    places = spec.model_copy(update={"locations": ["Toronto, CA", "Perth, WA", "Illinois",
                                                   "EMEA", "Cambridge"]})
    for label, search in (("example search", spec), ("without the ideal customer", explicit),
                          ("without interests/keywords", plain),
                          ("cities, subdivisions and regions", places)):
        median, times = _median(lambda s=search: score_table(table, s), args.runs)
        print(f"{label}: {table.num_rows:,} rows, median {median:.3f} s "
              f"= {table.num_rows / median:,.0f} candidates/s; runs "
              + " ".join(f"{t:.3f}" for t in times))
    rows = [Prospect(**row) for row in table.slice(0, 20_000).to_pylist()]
    median, _ = _median(lambda: score_prospects(rows, spec), args.runs)
    print(f"row scorer: 20,000 rows, median {median:.3f} s = {20_000 / median:,.0f} candidates/s")


if __name__ == "__main__":
    main()
