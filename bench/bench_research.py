"""Benchmark: sample generation, research and scoring on generated prospect stores.

Run: `.venv/bin/python bench/bench_research.py [--sizes 100000 1000000] [--runs 7] [--dir DIR]`.
Times are wall-clock `time.perf_counter()` around the call, median of `--runs` runs after one
warm-up, with the contract's example criteria and a pool of 250. Stores are cached under
`--dir` so a second run skips generation (generation time is reported when it happens).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.prospects.store import count_prospects, generate_sample  # noqa: E402
from tasks.research.prospect_search import search_prospects  # noqa: E402
from tasks.scoring.match import score_prospects  # noqa: E402
from tasks.search.analysis import build_command_object, search_spec_from_command  # noqa: E402

log = logging.getLogger("bench_research")

EXAMPLE_FILE = (
    Path(__file__).resolve().parents[1] / "api" / "examples" / "lead_generation_request.json"
)
# The documented example request's search, read off its command object as the flow reads it.
EXAMPLE = search_spec_from_command(build_command_object(json.loads(EXAMPLE_FILE.read_text())))


def _median_ms(call: object, runs: int) -> float:
    call()  # type: ignore[operator]  # warm-up: imports, page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Generate (or reuse) one store per size and report the median timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pool", type=int, default=250)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "leadmill-bench")
    args = parser.parse_args()
    # force: importing Prefect has already configured the root logger
    logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
    for size in args.sizes:
        store = args.dir / f"store-{size}"
        start = time.perf_counter()
        existed = (store / f"sample-{size}-{size // 5}-7.parquet").exists()
        generate_sample(store, contacts=size, companies=size // 5)
        generation = "cached" if existed else f"{time.perf_counter() - start:.2f} s"
        pool = search_prospects(store, EXAMPLE, args.pool)
        research = _median_ms(lambda s=store: search_prospects(s, EXAMPLE, args.pool), args.runs)
        scoring = _median_ms(lambda p=pool: score_prospects(p, EXAMPLE), args.runs)
        log.info(
            "RESULT prospects=%d pool=%d found=%d generate=%s research_median=%.1f ms "
            "score_pool_median=%.1f ms runs=%d",
            count_prospects(store), args.pool, len(pool), generation, research, scoring, args.runs,
        )


if __name__ == "__main__":
    main()
