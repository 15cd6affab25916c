"""Erasing one person from a store of N leads and an N-row warehouse lake.

Seeds a temporary SQLite operational DB (sqlite3 executemany in one transaction: setup, not
measured), a company-site prospect list (pyarrow, `--prospects` rows) and the lake through the
real sync and compaction (one N-row base file plus one later file of 1,000 updated leads), then
erases `--runs` different people by e-mail through the service the API and CLI call
(tasks/privacy/erasure.erase_person) and reports the median time and the files rewritten.
The people have no command, so the Prefect API is not called (the artifacts step costs one
filter request per erasure when they do).

    .venv/bin/python bench/bench_erasure.py --leads 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from storage.db.engine import build_engine, session_scope
from storage.privacy.person import Subject
from storage.prospects.sites import site_dir
from storage.prospects.store import IMPORT_SCHEMA
from storage.runtime import open_runtime
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.accounts import create_client, create_company, create_user
from storage.warehouse.catalog import ensure_warehouse
from storage.warehouse.lake import compact, sync_leads
from tasks.privacy.erasure import erase_person

_STAMP = "%Y-%m-%d %H:%M:%S.%f"
COLUMNS = ("id", "company_id", "site_id", "dedupe_key", "name", "first_name", "last_name",
           "email", "phone", "company", "website", "position", "linkedin", "status",
           "match_reasons", "verified", "created_at", "updated_at")
COMPANY, CLIENTS = "company-bench", 4


def seed(settings: LeadmillSettings, leads: int, prospects: int) -> None:
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    with session_scope(engine) as session:
        company = create_company(session, "Bench Co", company_id=COMPANY)
        user = create_user(session, company, "bench@example.com", role="owner")
        for n in range(CLIENTS):
            create_client(session, company, user, f"Client {n}", client_id=f"client-{n}")
    engine.dispose()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def rows():
        for i in range(leads):
            stamp = (start + timedelta(milliseconds=i)).strftime(_STAMP)
            yield (f"lead-{i:08d}", COMPANY, f"client-{i % CLIENTS}", f"email:p{i}@example.com",
                   f"Person {i}", "Person", str(i), f"p{i}@example.com",
                   f"+1415{i % 10_000_000:07d}", f"Company {i % 5000}",
                   f"https://company{i % 5000}.example.com", ("CEO", "CTO")[i % 2],
                   f"https://linkedin.com/in/p{i}", "new", "[]", i % 2, stamp, stamp)

    with sqlite3.connect(settings.data_dir / "leadmill.db") as con:
        con.executemany(f"INSERT INTO lead ({', '.join(COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(COLUMNS))})", rows())
        con.execute("ANALYZE")
    folder = site_dir(settings.prospect_dir, COMPANY, "client-0")
    folder.mkdir(parents=True)
    columns = {name: pa.nulls(prospects, field.type) for name, field in
               zip(IMPORT_SCHEMA.names, IMPORT_SCHEMA, strict=True)}
    columns.update({"prospect_id": pa.array([f"imp_{i}" for i in range(prospects)]),
                    "name": pa.array([f"Person {i}" for i in range(prospects)]),
                    "email": pa.array([f"p{i}@example.com" for i in range(prospects)]),
                    "company": pa.array([f"Company {i % 5000}" for i in range(prospects)]),
                    "site_id": pa.array(["client-0"] * prospects)})
    pq.write_table(pa.table(columns, schema=IMPORT_SCHEMA), folder / "list.parquet",
                   compression="lz4", row_group_size=131072)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-erasure-") as tmp:
        settings = LeadmillSettings(data_dir=Path(tmp) / "data", load_sample=False)
        settings.data_dir.mkdir(parents=True)
        started = time.perf_counter()
        seed(settings, args.leads, args.prospects)
        ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
        sync_leads(settings.sqlalchemy_url, settings.warehouse_dir)
        compact(settings.warehouse_dir)
        with sqlite3.connect(settings.data_dir / "leadmill.db") as con:  # 1,000 later versions
            con.execute("UPDATE lead SET status = 'contacted', updated_at = "
                        "strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE rowid % ? = 0",
                        (max(1, args.leads // 1000),))
        sync_leads(settings.sqlalchemy_url, settings.warehouse_dir)
        print(f"seeded {args.leads:,} leads, a {args.leads:,}-row lake and {args.prospects:,} "
              f"imported prospects in {time.perf_counter() - started:.1f} s")
        runtime = open_runtime(settings)
        times, rewritten = [], []
        for run in range(args.runs):
            person = (run * 7919 + args.leads // 3) % args.prospects  # also in the prospect list
            began = time.perf_counter()
            report = erase_person(runtime, COMPANY, "bench",
                                  Subject.named("email", f"p{person}@example.com"))
            times.append(time.perf_counter() - began)
            removed = report.removed
            assert removed["operational_db"]["leads"] == 1, removed
            files = (removed["warehouse"]["files_rewritten"],
                     removed["prospect_store"]["files_rewritten"])
            rewritten.append(files)
            print(f"run {run + 1}: {times[-1]:.2f} s, lake rows {removed['warehouse']['rows']}, "
                  f"files rewritten: lake {files[0]}, prospects {files[1]}")
        print(f"erase one person of {args.leads:,} leads / {args.leads:,}-row lake: median "
              f"{statistics.median(times):.2f} s over {args.runs} runs "
              f"(min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
