"""The data dir is 0700 and everything in it 0600 (issue 12): checked by stat after the real
pieces of a start ran (schema, demo tenant and credentials, sample prospects, warehouse,
secrets key), a prospect import and a warehouse sync, on a data dir left from before with
world-readable files. The process starts with the usual umask 022."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deployments.stack import prepare_data
from storage.prospects.importer import import_prospects
from storage.settings import LeadmillSettings
from storage.tenancy.secrets import load_secret_box
from tests.storage.warehouse.test_warehouse import T0, Store


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(data_dir: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    for root, dirs, files in os.walk(data_dir):
        for name in (*dirs, *files):
            path = Path(root) / name
            found[str(path.relative_to(data_dir))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_everything_in_the_data_dir_is_owner_only(tmp_path: Path, usual_umask: None) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "logs").mkdir(parents=True)
    data_dir.chmod(0o755)
    (data_dir / "logs").chmod(0o755)
    (data_dir / "logs" / "api.log").write_text("left from before\n")
    (data_dir / "logs" / "api.log").chmod(0o644)

    settings = LeadmillSettings(data_dir=data_dir, database_url=None, sample_contacts=200,
                                sample_companies=20)
    prepare_data(settings)
    load_secret_box(settings)
    with open(data_dir / "logs" / "scheduler.log", "a") as log:  # as the stack's children do
        log.write("started\n")
    prospects = tmp_path / "list.csv"
    prospects.write_text("name,company,email\nAda Lovelace,Acme,ada@acme.test\n")
    report = import_prospects(settings.prospect_dir, prospects, "site_a", company_id="company_a")
    assert report.imported == 1
    store = Store(data_dir)
    store.put("ann", T0, country="DE", score=0.9)
    store.put("bob", T0 + timedelta(seconds=1), country="FR", score=0.2)
    store.sync()

    found = modes(data_dir)
    expected = {"leadmill.db", "warehouse.duckdb", "secret.key", "demo-credentials.json",
                "logs/api.log", "logs/scheduler.log", "prospects", "warehouse", "warehouse/leads"}
    assert expected <= found.keys(), sorted(found)
    loose = {path: oct(mode) for path, mode in found.items() if mode & 0o077}
    assert loose == {}
    dirs = {path for path in found if (data_dir / path).is_dir()}
    assert all(found[path] == 0o700 for path in dirs)
    assert all(found[path] == 0o600 for path in found.keys() - dirs)
