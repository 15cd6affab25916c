"""Prospect imports: fuzzy column mapping, bad rows, idempotence, per-site visibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storage.prospects.columns import map_columns, parse_overrides
from storage.prospects.importer import ImportRefused, import_prospects
from storage.prospects.store import count_prospects, generate_sample, query_prospects
from tasks.research.prospect_search import search_prospects
from tasks.search.criteria import SearchSpec
from tasks.search.vocabulary import country_code_lookup

CRM_CSV = """First Name,Last Name,Job Title,E-mail,Organization,Website,Employees,HQ Country,\
Annual Revenue,Industry,Notes
Jane,Smith,CTO,jane@acme.test,Acme Inc,acme.test,"1,200",USA,$15M,Software,hi
Bob,Brown,VP Operations,bob@@bad,Beta LLC,https://beta.test,50,Germany,,Manufacturing,
,,Engineer,x@y.test,Gamma,,10,UK,,,
Ann,Lee,CEO,ann@delta.test,Delta,,many,France,,,
Ann,Lee,CEO,ANN@delta.test,Delta,,51-200,France,1.5B,,
Tom,Jones,Head of IT,,Omega Corp,omega.test,201-500,Canada,abc,,
"""


def _import(store: Path, path: Path, site: str = "site_a", company: str = "company-a", **kwargs):
    return import_prospects(store, path, site, company_id=company,
                            country_codes=country_code_lookup(), **kwargs)


@pytest.mark.parametrize(("headers", "expected"), [
    (["First Name", "Last Name", "Company"],
     {"first_name": "First Name", "last_name": "Last Name", "company": "Company"}),
    (["first_name", "last_name", "Organization"],
     {"first_name": "first_name", "last_name": "last_name", "company": "Organization"}),
    (["Given name", "Surname", "Organisation", "Job Title"],
     {"first_name": "Given name", "last_name": "Surname", "company": "Organisation",
      "title": "Job Title"}),
    (["Full Name", "Account Name", "Employees", "HQ Country", "# Employees"],
     {"name": "Full Name", "company": "Account Name", "employee_count": "Employees",
      "country": "HQ Country"}),
    (["Name", "Job-Title", "E-mail adress", "Compnay"],  # typos
     {"name": "Name", "title": "Job-Title", "email": "E-mail adress", "company": "Compnay"}),
    (["Company Phone", "Last Activity", "Lead Score"], {"phone": "Company Phone"}),
])
def test_columns_map_fuzzily(headers: list[str], expected: dict[str, str]) -> None:
    mapping = map_columns(headers)
    for field, column in expected.items():
        assert mapping.get(field) == column, mapping
    assert "last_name" not in mapping or mapping["last_name"] != "Last Activity"


def test_overrides_force_and_ignore_columns() -> None:
    overrides = parse_overrides(["Org Unit=company", "Name="])
    mapping = map_columns(["Name", "Org Unit", "Person"], overrides)
    assert mapping["company"] == "Org Unit"
    assert mapping["name"] == "Person"
    with pytest.raises(ValueError, match="not a prospect field"):
        map_columns(["Name"], {"Name": "shoe_size"})
    with pytest.raises(ValueError):
        parse_overrides(["no-equals-sign"])


def test_csv_import_reports_bad_rows_by_line_and_stores_the_good(tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(CRM_CSV)
    report = _import(tmp_path / "store", source)
    assert report.rows_read == 6
    assert [(b.row, b.reason.split(":")[0]) for b in report.bad_rows] == [
        (3, "email is not an address"), (4, "name is missing"),
        (5, "employees is not a number"), (7, "revenue is not an amount")]
    assert report.imported == 2 and report.duplicates == 0
    shared = query_prospects(tmp_path / "store", "SELECT count(*) AS n FROM prospects")
    assert shared == [{"n": 0}]  # a site's imports are not in the shared lists
    with duckdb.connect() as con:
        stored = {r[0]: r for r in con.execute(
            "SELECT name, email, employee_count, company_size, revenue_usd, country_code, "
            f"website, source, site_id FROM read_parquet('{report.output}')").fetchall()}
    assert stored["Jane Smith"] == ("Jane Smith", "jane@acme.test", 1200, "1001-5000",
                                    15_000_000, "US", "https://acme.test", "import:crm.csv",
                                    "site_a")
    assert stored["Ann Lee"][2:5] == (51, "51-200", 1_500_000_000)
    assert "Bob Brown" not in stored  # a bad row is skipped whole, never half-imported


def test_reimporting_the_same_file_adds_nothing(tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(CRM_CSV)
    store = tmp_path / "store"
    first = _import(store, source)
    again = _import(store, source)
    assert (first.imported, again.imported, again.duplicates) == (2, 0, 2)
    assert again.output is None
    assert count_prospects(store, "site_a", "company-a") == 2


def test_imports_are_visible_to_their_site_only(tmp_path: Path) -> None:
    store = tmp_path / "store"
    generate_sample(store, contacts=200, companies=40)
    source = tmp_path / "crm.csv"
    source.write_text(CRM_CSV)
    _import(store, source, site="site_a")
    assert count_prospects(store) == 200
    assert count_prospects(store, "site_a", "company-a") == 202
    assert count_prospects(store, "site_b", "company-a") == 200
    spec = SearchSpec(roles=["CTO"], locations=["United States"], count=5)
    found_a = search_prospects(store, spec.model_copy(update={"site_id": "site_a"}), 500,
                               "company-a")
    found_b = search_prospects(store, spec.model_copy(update={"site_id": "site_b"}), 500,
                               "company-a")
    assert "Jane Smith" in {p.name for p in found_a}
    assert "Jane Smith" not in {p.name for p in found_b}
    jane = next(p for p in found_a if p.name == "Jane Smith")
    assert jane.source == "import:crm.csv" and jane.employee_count == 1200


def test_jsonl_and_parquet_imports(tmp_path: Path) -> None:
    lines = [json.dumps({"fullName": "Lea Roux", "company_name": "Rouxtech", "title": "COO",
                         "email": "lea@rouxtech.test", "country": "France"}),
             "{not json",
             json.dumps({"fullName": "No Company"}),
             json.dumps(["an", "array"])]
    jsonl = tmp_path / "people.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    report = _import(tmp_path / "store", jsonl)
    assert report.imported == 1
    assert [(b.row, b.reason.split(":")[0]) for b in report.bad_rows] == [
        (2, "not a JSON object"), (3, "company is missing"), (4, "not a JSON object")]
    parquet = tmp_path / "people.parquet"
    pq.write_table(pa.table({"Name": ["Kai Berg", None], "Employer": ["Bergwerk", "X"],
                             "Headcount": [40, 3]}), parquet)
    report = _import(tmp_path / "store", parquet)
    assert report.imported == 1 and report.mapping["employee_count"] == "Headcount"
    assert [(b.row, b.reason) for b in report.bad_rows] == [(2, "name is missing")]


@pytest.mark.parametrize(("content", "name", "message"), [
    ("Foo,Bar\n1,2\n", "x.csv", "company"),
    ("First Name,Colour\nA,red\n", "x.csv", "company"),
    ("Company\nAcme\n", "x.csv", "name"),
    ("whatever", "x.xlsx", "format"),
])
def test_unimportable_files_are_refused(
    tmp_path: Path, content: str, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ImportRefused, match=message):
        _import(tmp_path / "store", path)
    assert not (tmp_path / "store").exists() or count_prospects(
        tmp_path / "store", "site_a", "company-a") == 0


def test_cli_import_shows_mapping_and_bad_rows(tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(CRM_CSV)
    data_dir = tmp_path / "data"
    command = [sys.executable, "-m", "cli.main", "prospects", "import", str(source),
               "--site", "site_a", "--company", "company-a", "--data-dir", str(data_dir),
               "--map", "Notes=description"]
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Organization" in done.stdout and "description" in done.stdout
    assert "6 rows read, 2 imported, 0 duplicates, 0 suppressed, 4 bad rows" in done.stdout
    assert "row 3: email is not an address: bob@@bad" in done.stdout
    again = subprocess.run([*command, "--json"], capture_output=True, text=True, cwd=root,
                           timeout=120)
    assert json.loads(again.stdout)["imported"] == 0
    refused = subprocess.run([*command[:-2], "--map", "Nope=company"], capture_output=True,
                             text=True, cwd=root, timeout=120)
    assert refused.returncode == 2 and "Nope" in refused.stderr


def _contact_lines(count: int, bad_line: int) -> bytes:
    rows = []
    for number in range(1, count + 1):
        if number == bad_line:
            rows.append(b"{not json")
            continue
        record = {"first_name": f"P{number}", "last_name": "Lee", "title": "CTO",
                  "email": f"p{number}@firm{number % 97}.test", "company": f"Firm {number % 97}",
                  "country": "France"}
        if number > count - 10:
            record["twitter"] = f"@p{number}"  # a key only the last batch has
        rows.append(json.dumps(record).encode())
    return b"\n".join(rows) + b"\n"


def test_json_lines_are_streamed_not_held_whole_in_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "contacts.jsonl"
    path.write_bytes(_contact_lines(100_000, bad_line=60_001))
    warm_up = tmp_path / "one.jsonl"  # modules DuckDB imports on first use are not the import's
    warm_up.write_bytes(_contact_lines(3, bad_line=0))
    _import(tmp_path / "store", warm_up, dry_run=True)
    tracemalloc.start()
    try:
        report = _import(tmp_path / "store", path, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Parsed whole, 100k records held as dicts cost several times the file; streamed, one
    # batch at a time, a fraction of it.
    assert peak < path.stat().st_size / 2, (peak, path.stat().st_size)
    assert report.rows_read == 100_000 and report.imported == 99_999
    assert [(bad.row, bad.reason.split(":")[0]) for bad in report.bad_rows] == [
        (60_001, "not a JSON object")]
    assert "twitter" in report.unmapped_columns


def test_an_import_runs_within_its_duckdb_limits(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CRM_CSV)
    spill = tmp_path / "spill"
    report = _import(tmp_path / "store", path, duckdb_config={
        "memory_limit": "64MB", "threads": 1, "temp_directory": str(spill)})
    assert report.imported == 2
    assert spill.is_dir() and list(spill.iterdir()) == []  # its private spill dir is gone


def test_the_sweep_removes_abandoned_spools_and_keeps_held_ones(tmp_path: Path) -> None:
    from storage.prospects.admission import import_spool, sweep_abandoned_spools

    spool_dir = tmp_path / "tmp"
    spool_dir.mkdir()
    (spool_dir / "import-left-by-a-killed-process.csv").write_text("a,b\n")
    (spool_dir / "unrelated.txt").write_text("kept")
    # A spool of a live import, held by another process.
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path;"
        "from storage.prospects.admission import import_spool\n"
        f"with import_spool(Path({str(spool_dir)!r}), '.csv') as (fd, path):\n"
        "    print(path, flush=True); sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[3])
    try:
        held = Path(holder.stdout.readline().strip())
        with import_spool(spool_dir, ".jsonl") as (_, own):
            assert sweep_abandoned_spools(spool_dir) == 1
            assert held.exists() and own.exists()
        assert not own.exists()
        assert sorted(p.name for p in spool_dir.iterdir()) == sorted([held.name, "unrelated.txt"])
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not held.exists()
