"""A process's runtime: built once per data dir from the settings it was started with, one
engine per database, and its two secrets checked when it is built — a bad or missing one
stops the process at start, naming what to fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from storage.db.engine import engine_for
from storage.runtime import open_runtime, runtime_for
from storage.settings import LeadmillSettings, SecretError

ROOT = Path(__file__).resolve().parents[2]
GOOD_JWT_SECRET = "a-random-enough-signing-secret-0123456789"


def test_a_runtime_is_built_once_per_data_dir_with_the_settings_given(tmp_path: Path) -> None:
    settings = LeadmillSettings(data_dir=tmp_path / "data", retry_backoff_seconds=0.123)
    runtime = open_runtime(settings)

    assert open_runtime(settings) is runtime
    # What a flow finds from its plain `data_dir` parameter: these explicit settings, not a
    # fresh read of the environment.
    assert runtime_for(str(tmp_path / "data")) is runtime
    assert runtime_for(str(tmp_path / "data")).settings.retry_backoff_seconds == 0.123
    assert runtime.engine is engine_for(settings.sqlalchemy_url)


def test_reopening_a_data_dir_with_other_settings_keeps_its_one_engine(tmp_path: Path) -> None:
    first = open_runtime(LeadmillSettings(data_dir=tmp_path / "data"))
    second = open_runtime(LeadmillSettings(data_dir=tmp_path / "data", lease_seconds=5))

    assert second is not first and runtime_for(tmp_path / "data") is second
    assert second.engine is first.engine


def test_secret_files_are_created_once_and_kept(tmp_path: Path) -> None:
    settings = LeadmillSettings(data_dir=tmp_path / "data")
    runtime = open_runtime(settings)
    sealed = runtime.secret_box.seal("webhook-secret")

    key, jwt_secret = settings.secret_key_file.read_bytes(), settings.jwt_secret_file.read_text()
    again = open_runtime(settings.model_copy(update={"lease_seconds": 7.0}))
    assert again.secret_box.open(sealed) == "webhook-secret"
    assert again.jwt_secret == runtime.jwt_secret == jwt_secret.strip()
    assert settings.secret_key_file.read_bytes() == key
    assert oct(settings.secret_key_file.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("variable", "value"), [
    ("jwt_secret", "short"),
    ("jwt_secret", "changethis"),
    ("secret_key", "not-a-fernet-key"),
])
def test_a_bad_secret_setting_is_refused_by_name_without_its_value(
        tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        LeadmillSettings(data_dir=tmp_path, **{variable: value})
    message = str(refused.value)
    assert f"LEADMILL_{variable.upper()}" in message
    assert value not in message  # a secret is never echoed into a log


@pytest.mark.parametrize(("file_name", "content", "names"), [
    ("secret.key", "garbage", "LEADMILL_SECRET_KEY"),
    ("secret.key", "", "LEADMILL_SECRET_KEY"),
    ("jwt.secret", "too-short", "LEADMILL_JWT_SECRET"),
])
def test_a_malformed_secret_file_fails_the_runtime_naming_the_file(
        tmp_path: Path, file_name: str, content: str, names: str) -> None:
    settings = LeadmillSettings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    (settings.data_dir / file_name).write_text(content)

    with pytest.raises(SecretError) as refused:
        open_runtime(settings)
    assert str(settings.data_dir / file_name) in str(refused.value)
    assert names in str(refused.value)
    assert (settings.data_dir / file_name).read_text() == content  # never replaced


def test_secrets_given_as_settings_win_over_the_files(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = LeadmillSettings(data_dir=tmp_path / "data", secret_key=key,
                                jwt_secret=GOOD_JWT_SECRET)
    runtime = open_runtime(settings)

    assert runtime.jwt_secret == GOOD_JWT_SECRET
    assert Fernet(key.encode()).decrypt(runtime.secret_box.seal("x").encode()) == b"x"
    assert not settings.secret_key_file.exists() and not settings.jwt_secret_file.exists()
    assert GOOD_JWT_SECRET not in repr(runtime) and key not in repr(settings)


def test_a_process_without_a_runtime_builds_one_from_its_environment_once(
        tmp_path: Path) -> None:
    """A `prefect worker`'s flow-run process: nobody opened a runtime, so the first flow
    builds it from the environment, and every later one gets the same."""
    probe = ("import json, sys; from storage.runtime import runtime_for; "
             "first = runtime_for(sys.argv[1]); "
             "again = runtime_for(sys.argv[1]); "
             "print(json.dumps([first.settings.retry_backoff_seconds, first is again, "
             "first.engine is again.engine]))")
    env = {**os.environ, "LEADMILL_RETRY_BACKOFF_SECONDS": "0.25"}
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "data")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [0.25, True, True]
