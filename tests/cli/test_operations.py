"""`leadmill maintenance`, `pipeline` and `admin` against a running Leadmill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def leadmill_cli(leadmill, tmp_path, *args: str, api_key: str | None = None):
    env = {**os.environ, "LEADMILL_API_KEY": api_key or leadmill.credentials["api_key"],
           "LEADMILL_AUTH_FILE": str(tmp_path / "auth.json"),
           "LEADMILL_DATA_DIR": str(leadmill.settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_bug_report_and_listing_round_trip(leadmill, tmp_path):
    url = ["--base-url", leadmill.base_url]
    filed = leadmill_cli(leadmill, tmp_path, "maintenance", "bugs", "report",
                         "--desc", "Enrichment fails on LinkedIn URLs", *url)
    assert filed.returncode == 0, filed.stderr
    bug = json.loads(filed.stdout)
    listed = leadmill_cli(leadmill, tmp_path, "maintenance", "bugs", "list", *url)
    assert [item["id"] for item in json.loads(listed.stdout)] == [bug["id"]]
    requested = leadmill_cli(leadmill, tmp_path, "maintenance", "enhancements", "request",
                             "--desc", "Add support for Google Maps leads", *url)
    assert json.loads(requested.stdout)["id"].startswith("enh_")


def test_pipeline_prints_one_entry_per_day(leadmill, tmp_path):
    result = leadmill_cli(leadmill, tmp_path, "pipeline", "--start", "2026-01-01",
                          "--end", "2026-01-07", "--base-url", leadmill.base_url)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["days"]) == 7
    bad = leadmill_cli(leadmill, tmp_path, "pipeline", "--start", "January",
                       "--base-url", leadmill.base_url)
    assert bad.returncode == 1 and "startDate" in bad.stderr


def test_admin_commands_need_a_platform_admin(leadmill, tmp_path):
    url = ["--base-url", leadmill.base_url]
    refused = leadmill_cli(leadmill, tmp_path, "admin", "companies", *url)
    assert refused.returncode == 1 and "admin" in refused.stderr.lower()
    granted = leadmill_cli(leadmill, tmp_path, "admin", "grant", "demo@leadmill.local")
    assert granted.returncode == 0, granted.stderr
    companies = leadmill_cli(leadmill, tmp_path, "admin", "companies", *url)
    assert companies.returncode == 0, companies.stderr
    assert "company-demo" in {company["id"] for company in json.loads(companies.stdout)}
    unknown = leadmill_cli(leadmill, tmp_path, "admin", "grant", "nobody@example.com")
    assert unknown.returncode == 1
