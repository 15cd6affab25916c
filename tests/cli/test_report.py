"""`leadmill report`: a self-contained HTML page of a site's leads, from the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from storage.warehouse.catalog import sync_tables
from tests.storage.warehouse.test_warehouse import T0, Store
from tests.storage.warehouse.test_warehouse_views import add_command

ROOT = Path(__file__).resolve().parents[2]


def report(store: Store, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "report", "--data-dir", str(store.settings.data_dir),
         *args], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60)


def test_report_has_inline_svg_charts_and_no_external_resources(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.put("ann", T0, score=0.95, verified=True, country="DE", industry="SaaS", source="s")
    store.put("bob", T0 + timedelta(hours=1), score=0.4, country="<FR>", source="s")
    store.put("late", T0 + timedelta(days=40), score=0.1, country="US")
    add_command(store, "cmd_done", ["ann", "bob"], "COMPLETED")
    store.sync()
    sync_tables(store.url, store.settings.warehouse_dir)
    out = tmp_path / "report.html"

    done = report(store, "--site", "site_a", "--start", "2026-01-01", "--end", "2026-02-01",
                  "--output", str(out))

    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 7
    assert "Match score histogram" in page and "Leads by country" in page
    assert "&lt;FR&gt;" in page and "<FR>" not in page  # values are escaped
    assert "US" not in page  # outside the period
    assert "cmd_done" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in page


def test_report_refuses_a_bad_period(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.sync()
    assert report(store, "--site", "x", "--start", "soon").returncode == 2
    assert report(store, "--site", "x", "--start", "2026-02-01", "--end", "2026-01-01",
                  "--output", str(tmp_path / "r.html")).returncode == 2
