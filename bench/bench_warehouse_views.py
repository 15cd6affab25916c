"""Benchmark of the analysts' views over a large lake: territory_breakdown (and friends) over
N leads.

Usage: `.venv/bin/python bench/bench_warehouse_views.py [--leads 10000000] [--runs 5]`

The lake is generated straight as Parquet with DuckDB (seeding an operational DB with 10M rows
first would only time the seeding) in the shape the sync task keeps it: one compacted base
file with one version per lead (10 sites, 2 tenants), plus a later file with new versions of
1% of the leads (edits and deletes since the last compaction). The views are the real ones
(`ensure_warehouse`) and every query runs through a fresh read-only connection, as an
analyst's would. Generation is setup and is not part of the figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from storage.warehouse.catalog import ensure_warehouse
from storage.warehouse.extract import LEAD_ARROW_SCHEMA
from storage.warehouse.territory import breakdown_path, ensure_base_breakdown

QUERIES = {
    "territory_breakdown, one site": "SELECT * FROM territory_breakdown WHERE company_id = "
                                     "'acme' AND site_id = 'site-3' ORDER BY leads DESC LIMIT 50",
    "territory_breakdown, all rows": "SELECT count(*), sum(leads) FROM territory_breakdown",
    "score_distribution, one site": "SELECT * FROM score_distribution WHERE site_id = 'site-3'",
    "count(*) FROM leads": "SELECT count(*) FROM leads",
}


def generate(leads_dir: Path, count: int, suffix: str = "-base", offset_ms: int = 0,
             step: int = 1) -> None:
    columns = {field.name: f"NULL::{_duck_type(field.type)}" for field in LEAD_ARROW_SCHEMA}
    columns.update({
        "id": "'lead-' || i", "company_id": "CASE WHEN i % 2 = 0 THEN 'acme' ELSE 'globex' END",
        "site_id": "'site-' || (i % 10)", "dedupe_key": "'email:p' || i || '@example.com'",
        "name": "'Person ' || i", "email": "'p' || i || '@example.com'",
        "company": "'Company ' || (i % 50000)",
        "position": "['CEO','CTO','VP Sales','Head of Engineering','COO'][1 + i % 5]",
        "industry": "['SaaS','Retail','Manufacturing','Finance'][1 + (i // 7) % 4]",
        "country": "['US','DE','FR','GB','CA','ES'][1 + (i // 3) % 6]",
        "company_size": "['1-10','11-50','51-200','201-500'][1 + (i // 11) % 4]",
        "status": "'new'", "score": "((i * 7919) % 1000) / 1000.0",
        "match_reasons": "['Role match']", "verified": "i % 3 = 0", "source": "'sample'",
        "created_at": "TIMESTAMP '2026-01-01' + to_milliseconds(i)",
        "updated_at": f"TIMESTAMP '2026-01-01' + to_milliseconds(i + {offset_ms})",
        "deleted": "false",
    })  # fmt: skip
    select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    target = leads_dir / f"leads-{1 if suffix else 2:012d}{suffix}.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT {select} FROM range(0, {count}, {step}) t(i)) TO '{target}' "
                    "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")


def _duck_type(arrow_type) -> str:
    text = str(arrow_type)
    return {"string": "VARCHAR", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN",
            "timestamp[us]": "TIMESTAMP", "list<item: string>": "VARCHAR[]"}[text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-views-") as scratch:
        warehouse_dir, warehouse_db = Path(scratch) / "warehouse", Path(scratch) / "w.duckdb"
        ensure_warehouse(warehouse_dir, warehouse_db)
        started = time.perf_counter()
        generate(warehouse_dir / "leads", args.leads)
        # 1% of the leads changed since: a day later, as ordinary (non-base) sync output.
        generate(warehouse_dir / "leads", args.leads, suffix="", offset_ms=86_400_000, step=100)
        print(f"generated {args.leads:,} leads in {time.perf_counter() - started:.1f} s (setup)")
        # What compaction does after writing the base: its pre-aggregated territory breakdown
        # (the empty base's breakdown that ensure_warehouse wrote is replaced).
        base = sorted((warehouse_dir / "leads").glob("*-base.parquet"))[-1]
        breakdown_path(base).unlink(missing_ok=True)
        started = time.perf_counter()
        ensure_base_breakdown(warehouse_dir / "leads")
        print(f"base breakdown written in {time.perf_counter() - started:.2f} s (compaction)")
        for label, sql in QUERIES.items():
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                with duckdb.connect(str(warehouse_db), read_only=True) as con:
                    con.sql(sql).fetchall()
                seconds.append(time.perf_counter() - started)
            runs = " ".join(f"{value:.2f}" for value in seconds)
            print(f"{label} over {args.leads:,} leads: median {statistics.median(seconds):.3f} s"
                  f" (runs: {runs})")


if __name__ == "__main__":
    main()
