"""A process checks its settings and secrets where it starts: `leadmill api` (and every other
subcommand) with a bad or unreadable secret exits at once with the reason, serving nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_api(data_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(free_port()),
           "LEADMILL_LOAD_SAMPLE": "false", **variables}
    return subprocess.run([sys.executable, "-m", "cli.main", "api"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("variables", "reason"), [
    ({"LEADMILL_JWT_SECRET": "changeme"}, "LEADMILL_JWT_SECRET must be a random string"),
    ({"LEADMILL_SECRET_KEY": "0123"}, "LEADMILL_SECRET_KEY must be a Fernet key"),
])
def test_api_refuses_to_start_with_a_bad_secret_setting(
        tmp_path: Path, variables: dict[str, str], reason: str) -> None:
    done = start_api(tmp_path / "data", **variables)

    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("leadmill api: cannot start:")
    assert reason in done.stderr and "Traceback" not in done.stderr
    assert next(iter(variables.values())) not in done.stderr.split("cannot start:", 1)[1]


def test_api_refuses_to_start_with_a_malformed_key_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secret.key").write_text("truncated-in-a-restore")

    done = start_api(data_dir)

    assert done.returncode == 2, done.stderr
    assert f"{data_dir / 'secret.key'} (the sealing key; or set LEADMILL_SECRET_KEY)" in (
        done.stderr)
    assert not (data_dir / "leadmill.db").exists()  # stopped before opening anything
