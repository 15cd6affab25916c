"""Benchmark of the warehouse sync: N changed leads from SQLite into the lake, and a no-op sync.

Usage: `.venv/bin/python bench/bench_warehouse_sync.py [--leads 1000000] [--runs 5]`

Each run gets a fresh warehouse and a reset watermark over the same seeded SQLite database,
so every run syncs all N leads. Seeding (sqlite3 executemany in one transaction) is setup and
is not part of the figure. Timings are `time.perf_counter()` around `sync_leads` in this
process; process start-up and imports are excluded and reported separately.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db.engine import build_engine
from storage.schema import create_schema
from storage.warehouse.catalog import ensure_warehouse, sync_leads
from storage.warehouse.extract import LEAD_COLUMNS

logger = logging.getLogger("bench.warehouse_sync")
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite


def _lead_rows(count: int) -> Iterator[tuple[object, ...]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(count):
        stamp = (start + timedelta(milliseconds=i)).strftime(_STAMP)
        values = {
            "id": f"lead-{i}", "company_id": "acme", "site_id": f"site-{i % 10}",
            "dedupe_key": f"email:p{i}@example.com", "name": f"Person {i}",
            "first_name": "Person", "last_name": str(i), "email": f"p{i}@example.com",
            "phone": "+15550100", "company": f"Company {i % 5000}",
            "company_domain": f"company{i % 5000}.example.com",
            "position": ("CEO", "CTO", "VP Sales")[i % 3], "industry": ("SaaS", "Retail")[i % 2],
            "website": "https://example.com", "location": "Berlin, DE", "city": "Berlin",
            "region": "BE", "country": ("DE", "US", "FR")[i % 3],
            "company_size": ("1-10", "11-50")[i % 2], "revenue": "1M", "revenue_usd": 1_000_000,
            "linkedin": f"https://linkedin.com/in/p{i}", "notes": None, "status": "new",
            "score": (i % 100) / 100, "match_reasons": '["Role match: CTO", "Industry: SaaS"]',
            "verified": i % 2, "source": "sample", "source_record_id": f"r{i}",
            "command_id": None, "created_at": stamp, "updated_at": stamp, "deleted_at": None,
        }  # fmt: skip
        yield tuple(values[name] for name in LEAD_COLUMNS)


def seed(database: Path, count: int) -> None:
    """Create the schema and insert `count` leads in one transaction."""
    engine = build_engine(f"sqlite:///{database}")
    create_schema(engine)
    engine.dispose()
    with sqlite3.connect(database) as con:
        now = datetime.now(UTC).strftime(_STAMP)
        con.execute("INSERT INTO company (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    ("acme", "Acme", now, now))  # fmt: skip
        placeholders = ", ".join("?" * len(LEAD_COLUMNS))
        con.executemany(
            f"INSERT INTO lead ({', '.join(LEAD_COLUMNS)}) VALUES ({placeholders})",
            _lead_rows(count),
        )


def _reset(database: Path, warehouse_dir: Path, warehouse_db: Path) -> None:
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    warehouse_db.unlink(missing_ok=True)
    with sqlite3.connect(database) as con:
        con.execute("DELETE FROM warehousewatermark")
    ensure_warehouse(warehouse_dir, warehouse_db)


def _summary(label: str, seconds: list[float]) -> str:
    runs = ", ".join(f"{value:.3f}" for value in seconds)
    return f"{label}: median {statistics.median(seconds):.3f} s (runs: {runs})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--in-process", action="store_true",
                        help="read SQLite in this process (fetchmany), not the ADBC child")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as scratch:
        root = Path(scratch)
        database, warehouse_dir, warehouse_db = (
            root / "leadmill.db", root / "warehouse", root / "warehouse.duckdb",
        )  # fmt: skip
        url = f"sqlite:///{database}"
        started = time.perf_counter()
        seed(database, args.leads)
        print(f"seeded {args.leads:,} leads in {time.perf_counter() - started:.1f} s (setup)")

        full: list[float] = []
        for _ in range(args.runs):
            _reset(database, warehouse_dir, warehouse_db)
            started = time.perf_counter()
            result = sync_leads(url, warehouse_dir,
                                child_min_rows=None if args.in_process else 50_000)
            full.append(time.perf_counter() - started)
            assert result.rows_written == args.leads, result
        noop: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = sync_leads(url, warehouse_dir)
            noop.append(time.perf_counter() - started)
            assert result.rows_written == 0, result
        probe = (
            "import time; t = time.perf_counter(); "
            "from storage.warehouse.catalog import sync_leads; "
            f"sync_leads({url!r}, __import__('pathlib').Path({str(warehouse_dir)!r})); "
            "print(time.perf_counter() - t)"
        )
        process: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True)
            process.append(time.perf_counter() - started)

    print(_summary(f"sync of {args.leads:,} changed leads (SQLite -> Parquet)", full))
    print(f"  = {args.leads / statistics.median(full):,.0f} leads/s")
    print(_summary(f"no-op sync over a {args.leads:,}-lead table, in process", noop))
    print(_summary("no-op sync as a whole `python -c` process incl. start-up and imports", process))


if __name__ == "__main__":
    main()
