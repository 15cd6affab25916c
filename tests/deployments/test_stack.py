"""`leadmill up` (what `make run` runs): starts everything, answers the documented example,
stops every process on SIGTERM, and reuses its data the next time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.fixtures.examples import example
from tests.fixtures.servers import wait_until


def start_stack(data_dir: Path, api_port: int, prefect_port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LEADMILL_"))}
    env.update({"LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(api_port),
                "LEADMILL_PREFECT_PORT": str(prefect_port),
                # A smaller sample keeps this test quick; `make run` generates 100,000.
                "LEADMILL_SAMPLE_CONTACTS": "5000", "LEADMILL_SAMPLE_COMPANIES": "1000"})
    handle = open(log, "ab")  # noqa: SIM115 - handed to the child process
    return subprocess.Popen([sys.executable, "-m", "cli.main", "up"], env=env, stdout=handle,
                            stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
                            start_new_session=True)


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def test_stack_serves_stops_cleanly_and_reuses_its_data(tmp_path):
    data_dir, log = tmp_path / "data", tmp_path / "stack.log"
    api_port, prefect_port = free_port(), free_port()
    base = f"http://127.0.0.1:{api_port}"
    stack = start_stack(data_dir, api_port, prefect_port, log)
    try:
        wait_until(lambda: "Leadmill is running" in log.read_text() or stack.poll() is not None,
                   240, "the stack did not start")
        assert stack.poll() is None, log.read_text()[-3000:]
        text = log.read_text()
        credentials = json.loads((data_dir / "demo-credentials.json").read_text())
        assert credentials["api_key"] in text and f"127.0.0.1:{prefect_port}" in text
        assert oct((data_dir / "demo-credentials.json").stat().st_mode & 0o777) == "0o600"
        headers = {"x-api-key": credentials["api_key"]}
        command_id = httpx.post(f"{base}/api/agents/sales/leadGeneration",
                                json=example(maxLeads=3), headers=headers,
                                timeout=30).json()["data"]["command_id"]

        def completed():
            data = httpx.get(f"{base}/api/agents/sales/leadGeneration/status/{command_id}",
                             headers=headers, timeout=10).json()["data"]
            return data if data["status"] != "processing" else None

        assert wait_until(completed, 90, "command did not finish")["status"] == "completed"
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/api/health").status_code == 200
        # The back office is locked with a string generated into the data dir (0600), which
        # the API, scheduler and executor present; nobody else gets in.
        auth_file = data_dir / "prefect-auth.secret"
        assert oct(auth_file.stat().st_mode & 0o777) == "0o600"
        auth_string = auth_file.read_text().strip()
        assert auth_string not in text
        prefect_api = f"http://127.0.0.1:{prefect_port}/api"
        for path in ("/flow_runs/filter", "/artifacts/filter", "/logs/filter"):
            assert httpx.post(f"{prefect_api}{path}", json={}).status_code == 401
        allowed = httpx.post(f"{prefect_api}/flow_runs/filter", json={},
                             auth=tuple(auth_string.split(":", 1)))
        assert command_id in allowed.text

        def warehouse_count() -> str | None:
            # What an analyst runs while the stack runs; a sync follows every finished command.
            result = subprocess.run(
                [sys.executable, "-m", "cli.main", "sql", "--data-dir", str(data_dir),
                 "--format", "csv",
                 f"select count(*) as n from leads where command_id = '{command_id}'"],
                capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
            return result.stdout if result.returncode == 0 and "\n3" in result.stdout else None

        assert wait_until(warehouse_count, 30, "leads never reached the warehouse") == "n\n3\n"
        children = children_of(stack.pid)
        assert len(children) == 3  # Prefect server, API, scheduler
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
    assert stack.returncode == 0
    wait_until(lambda: not any(alive(pid) for pid in children), 30, "a child outlived the stack")
    sample = next((data_dir / "prospects").glob("*.parquet"))
    generated_at = sample.stat().st_mtime

    again = start_stack(data_dir, api_port, prefect_port, log)
    try:
        wait_until(lambda: log.read_text().count("Leadmill is running") == 2
                   or again.poll() is not None, 240, "the stack did not start again")
        assert again.poll() is None
        reused = json.loads((data_dir / "demo-credentials.json").read_text())
        assert reused["api_key"] == credentials["api_key"]
        assert auth_file.read_text().strip() == auth_string
        assert sample.stat().st_mtime == generated_at
        status = httpx.get(f"{base}/api/agents/sales/leadGeneration/status/{command_id}",
                           headers=headers, timeout=10).json()["data"]
        assert status["status"] == "completed"
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=60)
