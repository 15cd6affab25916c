"""`leadmill sql` run as a real process against a real warehouse; and the sync task and flow."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.storage.warehouse.test_warehouse import T0, Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def synced(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.put("ann", T0, country="DE", score=0.9, match_reasons=["Role match: CTO"])
    store.put("bob", T0 + timedelta(seconds=1), country="FR", score=0.25)
    store.sync()
    return store


def leadmill_sql(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "sql", *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


QUERY = "SELECT id, country, score FROM leads ORDER BY id"


def test_sql_prints_an_aligned_table(synced: Store) -> None:
    done = leadmill_sql(QUERY, "--data-dir", str(synced.settings.data_dir))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "id   country  score",
        "---  -------  -----",
        "ann  DE         0.9",
        "bob  FR        0.25",
        "(2 rows)",
    ]


def test_sql_prints_csv_and_json_lines(synced: Store) -> None:
    data_dir = str(synced.settings.data_dir)

    as_csv = leadmill_sql(QUERY, "--data-dir", data_dir, "--format", "csv")
    as_json = leadmill_sql(
        "SELECT id, match_reasons, updated_at FROM leads ORDER BY id LIMIT 1",
        "--data-dir", data_dir, "--format", "json",
    )  # fmt: skip

    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["id", "country", "score"], ["ann", "DE", "0.9"], ["bob", "FR", "0.25"],
    ]  # fmt: skip
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        {"id": "ann", "match_reasons": ["Role match: CTO"], "updated_at": "2026-01-05T09:00:00"}
    ]


def test_sql_reads_the_data_dir_from_the_environment_and_writes_parquet(
    synced: Store, tmp_path: Path
) -> None:
    output = tmp_path / "leads.parquet"

    done = leadmill_sql(
        QUERY, "--format", "parquet", "--output", str(output),
        env={"LEADMILL_DATA_DIR": str(synced.settings.data_dir)},
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert pq.read_table(output).column("id").to_pylist() == ["ann", "bob"]


@pytest.mark.parametrize(
    ("query", "extra", "message"),
    [
        ("SELECT nope FROM leads", [], "nope"),
        ("CREATE TABLE notes (body VARCHAR)", [], "read-only"),
        (QUERY, ["--format", "parquet"], "--output"),
    ],
    ids=["unknown-column", "write-attempt", "parquet-without-output"],
)
def test_sql_fails_cleanly_on_a_bad_query(
    synced: Store, query: str, extra: list[str], message: str
) -> None:
    done = leadmill_sql(query, "--data-dir", str(synced.settings.data_dir), *extra)

    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_sql_fails_cleanly_when_there_is_no_warehouse(tmp_path: Path) -> None:
    done = leadmill_sql("SELECT 1", "--data-dir", str(tmp_path / "empty"))

    assert done.returncode == 2
    assert "no warehouse" in done.stderr
    assert "Traceback" not in done.stderr


def test_sql_does_not_import_prefect(synced: Store) -> None:
    probe = (
        "import sys; from cli.main import main; "
        f"main(['sql', 'SELECT 1', '--data-dir', {str(synced.settings.data_dir)!r}]); "
        "print('prefect' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)

    assert done.stdout.splitlines()[-1] == "False", done.stderr


def test_sync_warehouse_task_syncs_the_data_dir_leads(tmp_path: Path) -> None:
    from flows.warehouse_sync import warehouse_sync
    from storage.runtime import open_runtime
    from tasks.lifecycle.warehouse import sync_warehouse

    store = Store(tmp_path / "data")
    store.put("ann", T0)

    summary = sync_warehouse.fn(open_runtime(store.settings))

    assert warehouse_sync.name == "warehouse-sync"
    assert summary["rows_written"] == 1
    assert summary["synced_until"] == T0.isoformat()
    assert store.query("SELECT id FROM leads") == [("ann",)]
