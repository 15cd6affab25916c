"""Benchmark: importing a vendor-style CSV export into the prospect store.

Run: `.venv/bin/python bench/bench_import.py [--rows 1000000] [--runs 5] [--dir DIR]`.
The CSV is made from the generated sample with a CRM's headers ("First Name", "Job Title",
"Organization", "Employees", "HQ Country", ...) and 1 row in 1000 broken (bad e-mail), so the
import maps columns fuzzily, validates, dedupes and reports. Each run imports into an empty
store (wall clock of `import_prospects`), median of `--runs`; a re-import of the same file into
the filled store (nothing new) is timed too, and so is research (the documented example's
search, pool 250, median of `--runs`) over that store as the importing site sees it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.prospects.importer import import_prospects  # noqa: E402
from storage.prospects.store import generate_sample  # noqa: E402
from tasks.research.prospect_search import search_prospects  # noqa: E402
from tasks.search.vocabulary import country_code_lookup  # noqa: E402
from tests.fixtures.examples import documented_search_spec  # noqa: E402

log = logging.getLogger("bench_import")

CRM_HEADERS = {
    "first_name": "First Name", "last_name": "Last Name", "title": "Job Title",
    "email": "Email Address", "phone": "Direct Phone", "linkedin": "LinkedIn URL",
    "company": "Organization", "website": "Company Website", "industry": "Industry",
    "employee_count": "Employees", "revenue_usd": "Annual Revenue", "city": "HQ City",
    "region": "HQ State", "country": "HQ Country", "description": "Company Description",
}


BENCH_COMPANY = "company-bench"  # a site is a client of a company


def make_csv(directory: Path, rows: int) -> Path:
    target = directory / f"crm-export-{rows}.csv"
    if target.exists():
        return target
    sample = generate_sample(directory / "source", contacts=rows, companies=max(1, rows // 5))
    columns = ", ".join(
        (f"CASE WHEN row_number() OVER () % 1000 = 0 THEN 'broken@@' ELSE {field} END"
         if field == "email" else field) + f' AS "{header}"'
        for field, header in CRM_HEADERS.items())
    duckdb.sql(f"COPY (SELECT {columns} FROM read_parquet('{sample}')) TO '{target}' "
               "(HEADER, DELIMITER ',')")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "leadmill-bench-import")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", force=True)
    args.dir.mkdir(parents=True, exist_ok=True)
    csv_file = make_csv(args.dir, args.rows)
    codes = country_code_lookup()
    times, report = [], None
    for run in range(args.runs):
        store = args.dir / f"store-{run}"
        shutil.rmtree(store, ignore_errors=True)
        start = time.perf_counter()
        report = import_prospects(store, csv_file, "site_bench", company_id=BENCH_COMPANY,
                                  country_codes=codes)
        times.append(time.perf_counter() - start)
    assert report is not None
    start = time.perf_counter()
    again = import_prospects(args.dir / f"store-{args.runs - 1}", csv_file, "site_bench",
                             company_id=BENCH_COMPANY, country_codes=codes)
    reimport = time.perf_counter() - start
    spec = documented_search_spec().model_copy(update={"site_id": "site_bench"})
    store = args.dir / f"store-{args.runs - 1}"
    search_prospects(store, spec, 250, BENCH_COMPANY)  # warm-up
    research = []
    for _ in range(args.runs):
        start = time.perf_counter()
        pool = search_prospects(store, spec, 250, BENCH_COMPANY)
        research.append(time.perf_counter() - start)
    log.info("RESULT research over the %d imported prospects (site view): median %.0f ms, "
             "pool %d", report.imported, statistics.median(research) * 1000, len(pool))
    log.info(
        "RESULT rows=%d file=%.0f MB imported=%d bad=%d import_median=%.2f s (runs: %s) "
        "reimport=%.2f s (imported %d, duplicates %d)",
        report.rows_read, csv_file.stat().st_size / 1e6, report.imported, report.bad_row_count,
        statistics.median(times), ", ".join(f"{t:.2f}" for t in times), reimport,
        again.imported, again.duplicates,
    )


if __name__ == "__main__":
    main()
