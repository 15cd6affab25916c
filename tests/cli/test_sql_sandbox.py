"""`leadmill sql` reads the warehouse and nothing else (issue 12): run as a real process on a
real warehouse, each attempt to reach another file, write one, attach a database, load an
extension or undo the sandbox is refused with a one-line error; `--unsafe` lifts it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.test_sql import leadmill_sql, synced  # noqa: F401 - the fixture

SECRET = "not-for-analysts"


@pytest.fixture
def data_dir(synced) -> Path:  # noqa: F811 - the imported fixture
    data_dir = synced.settings.data_dir
    (data_dir / "secret.csv").write_text(f"token\n{SECRET}\n")
    pq.write_table(pa.table({"token": [SECRET]}), data_dir / "outside.parquet")
    return data_dir


def refused(data_dir: Path, query: str) -> str:
    done = leadmill_sql(query, "--data-dir", str(data_dir))
    assert done.returncode == 2, done.stdout
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * FROM read_csv('/etc/passwd', sep = ':')", "disabled by configuration"),
    ("SELECT * FROM read_csv('{data}/secret.csv')", "disabled by configuration"),
    ("SELECT * FROM read_text('{data}/warehouse/../secret.csv')", "disabled by configuration"),
    ("SELECT * FROM read_blob('{data}/leadmill.db')", "disabled by configuration"),
    ("SELECT * FROM read_parquet('{data}/outside.parquet')", "disabled by configuration"),
    ("SELECT * FROM glob('{data}/*')", "disabled by configuration"),
    ("ATTACH '{data}/leadmill.db' AS ops (TYPE sqlite)", "ATTACH statements are refused"),
    ("COPY (SELECT 1) TO '{data}/warehouse/leads/evil.parquet'", "COPY statements are refused"),
    ("COPY (SELECT 1) TO '{data}/out.csv'", "COPY statements are refused"),
    ("EXPORT DATABASE '{data}/dump'", "EXPORT statements are refused"),
    ("INSTALL httpfs", "refused"),
    ("LOAD httpfs", "refused"),
    ("SET enable_external_access = true", "SET statements are refused"),
    ("SELECT 1; SET enable_external_access = true", "SET statements are refused"),
], ids=["etc-passwd", "data-dir-file", "dot-dot", "operational-db", "parquet-outside",
        "glob", "attach", "copy-into-lake", "copy-out", "export", "install", "load", "set",
        "set-after-select"])
def test_sql_refuses_what_reaches_beyond_the_lake(data_dir: Path, query: str,
                                                   message: str) -> None:
    assert message in refused(data_dir, query.format(data=data_dir))
    assert not (data_dir / "warehouse" / "leads" / "evil.parquet").exists()
    assert not (data_dir / "out.csv").exists() and not (data_dir / "dump").exists()


def test_the_views_and_the_lake_files_still_answer(data_dir: Path) -> None:
    done = leadmill_sql("SELECT (SELECT count(*) FROM leads) AS views, count(*) AS files "
                        f"FROM read_parquet('{data_dir}/warehouse/leads/*.parquet')",
                        "--data-dir", str(data_dir), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split(",")[0] == "2"
    described = leadmill_sql("DESCRIBE leads", "--data-dir", str(data_dir))
    assert described.returncode == 0 and "email" in described.stdout


def test_unsafe_lifts_the_sandbox_for_an_operator(data_dir: Path) -> None:
    done = leadmill_sql(f"SELECT token FROM read_csv('{data_dir}/secret.csv')", "--unsafe",
                        "--data-dir", str(data_dir), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["token", SECRET]
