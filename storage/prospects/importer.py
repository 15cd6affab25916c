"""Importing a site's prospect list (CSV, JSON Lines, Parquet) into the prospect store.

Everything runs in bulk inside DuckDB: the file is read once with every column as text, columns
are mapped (`storage.prospects.columns`), each row is validated and normalised by one SQL
statement, and the good rows are written as one Parquet file under the site's directory
(temporary name, then rename: a reader never sees half an import). A bad row is skipped whole
and reported with its row number and reason; it is never stored in part.

Each prospect's id is a hash of the site and the person's identity (`storage.leads.identity`:
e-mail, else LinkedIn profile, else phone, else name at company domain), so importing the same
file again adds nothing, and a person already imported for the site (from any file) is not
added twice.

Rows of a suppressed person (the site's company's or the site's own do-not-contact entries and
erasures, `storage.privacy.suppressions`) are not imported: the report counts them as
`suppressed`, and a person is skipped whole when any of their rows is suppressed.

Row numbers: for CSV and JSON Lines, the line of the file (the header is line 1 of a CSV);
for Parquet, the 1-based row. A CSV record spanning several lines (quoted newlines) shifts the
line numbers of the rows after it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from storage.prospects.columns import PROSPECT_FIELDS, map_columns
from storage.prospects.identities import PARQUET_OPTIONS, register_identities, rekey_site_files
from storage.prospects.jsonl import load_jsonl
from storage.prospects.sites import site_dir
from storage.prospects.sql import bad_row_sql, identity_input_sql, normalised_sql, staged_sql
from storage.prospects.store import PROSPECT_COLUMNS, prospect_files

if TYPE_CHECKING:  # a type only: privacy's erasure imports this package
    from storage.privacy.suppressions import SuppressionCheck

log = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
MAX_REPORTED_BAD_ROWS = 1000

Progress = Callable[[str, int, int], None]  # (step, done, total)


class ImportRefused(ValueError):
    """The file cannot be imported at all (unknown format, unreadable, no name or company)."""


class BadRow(BaseModel):
    row: int
    reason: str


class ImportReport(BaseModel):
    """What an import did; `mapping` is {prospect field: column of the file}."""

    file: str
    format: str
    site_id: str
    mapping: dict[str, str]
    unmapped_columns: list[str]
    rows_read: int = 0
    imported: int = 0
    duplicates: int = Field(0, description="Rows of people already in the site's store or "
                            "earlier in the file.")
    suppressed: int = Field(0, description="Rows of people on a do-not-contact list (or "
                            "erased): not imported.")
    bad_row_count: int = 0
    bad_rows: list[BadRow] = Field(default_factory=list, description="The first 1000.")
    output: str | None = None
    dry_run: bool = False


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in {"csv", "jsonl", "parquet"}:
            raise ImportRefused(f"format must be csv, jsonl or parquet, not {declared!r}")
        return declared
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ImportRefused(f"cannot tell the format of {path.name}: name it .csv, .jsonl or "
                            ".parquet, or give the format")
    return found


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[BadRow], list[int]]:
    """Load a CSV as text columns into `raw`; rows DuckDB cannot parse come back as bad rows."""
    quoted = str(path).replace("'", "''")
    con.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_csv('{quoted}', all_varchar=true, header=true,"
        " store_rejects=true, auto_detect=true, sample_size=20480)"
    )
    rejects = con.execute(
        "SELECT line, error_message FROM reject_errors ORDER BY line"
    ).fetchall()
    bad = [BadRow(row=int(line), reason=f"unreadable row: {message.splitlines()[0]}")
           for line, message in rejects]
    return bad, sorted({int(line) for line, _ in rejects})


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[BadRow], list[int]]:
    bad, skipped = load_jsonl(con, path)
    return [BadRow(row=row, reason=reason) for row, reason in bad], skipped


def _load_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[BadRow], list[int]]:
    quoted = str(path).replace("'", "''")
    names = [row[0] for row in con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{quoted}')").fetchall()]
    casts = ", ".join(f'CAST("{n.replace(chr(34), chr(34) * 2)}" AS VARCHAR) AS '
                      f'"{n.replace(chr(34), chr(34) * 2)}"' for n in names)
    con.execute(f"CREATE TABLE raw AS SELECT {casts} FROM read_parquet('{quoted}')")
    return [], []


def _row_numbers(rowids: list[int], skipped: list[int], first: int) -> list[int]:
    """File line (or row) of each loaded row: counting from `first`, minus the skipped lines."""
    import bisect

    numbers = []
    for rowid in rowids:
        line = first + rowid
        # Every skipped line at or before the candidate pushes the row one line further down.
        while True:
            shifted = first + rowid + bisect.bisect_right(skipped, line)
            if shifted == line:
                break
            line = shifted
        numbers.append(line)
    return numbers


def import_prospects(
    prospect_dir: Path,
    path: Path,
    site_id: str,
    *,
    company_id: str,
    file_format: str | None = None,
    overrides: dict[str, str | None] | None = None,
    country_codes: dict[str, str] | None = None,
    source_name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    duckdb_config: dict[str, str | int] | None = None,
    suppression: SuppressionCheck | None = None,
) -> ImportReport:
    """Import one prospect list for `site_id`; see the module docstring for the rules.

    Args:
        prospect_dir: The prospect store.
        path: The file to import.
        site_id: The site (client id) the prospects belong to.
        company_id: The site's company (client ids are unique within a company only).
        file_format: "csv", "jsonl" or "parquet"; None: from the file name.
        overrides: Column mapping overrides (`storage.prospects.columns.map_columns`).
        country_codes: Lower-case country name or alias → ISO-2 code, to fill `country_code`.
        source_name: The provenance name (default `import:<file name>`).
        dry_run: Map and validate, write nothing.
        progress: Called with (step, done, total) as the import advances.
        duckdb_config: DuckDB settings of the import's connection (`memory_limit`, `threads`,
            `temp_directory`: `LeadmillSettings.import_duckdb_config`); None: DuckDB's own,
            which take most of the machine.
        suppression: The entries of the site's company and of the site
            (`SuppressionCheck.for_site`); their people's rows are skipped.

    Raises:
        ImportRefused: the file cannot be imported at all.
    """
    report_progress = progress or (lambda *_: None)
    fmt = detect_format(path, file_format)
    if not path.is_file():
        raise ImportRefused(f"{path} is not a file")
    report_progress("read", 0, 4)
    config = dict(duckdb_config or {})
    spill_root = config.pop("temp_directory", None)
    with _spill_directory(spill_root) as spill, duckdb.connect(config={
            **config, **({"temp_directory": spill} if spill else {})}) as con:
        loader = {"csv": _load_csv, "jsonl": _load_jsonl, "parquet": _load_parquet}[fmt]
        try:
            unreadable, skipped = loader(con, path)
        except (duckdb.Error, OSError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"cannot read {path.name} as {fmt}: {exc}") from exc
        headers = [row[0] for row in con.execute("DESCRIBE raw").fetchall()]
        try:
            mapping = map_columns(headers, overrides)
        except ValueError as exc:
            raise ImportRefused(str(exc)) from exc
        if "company" not in mapping:
            raise ImportRefused(f"no column holds the company (columns: {headers}); "
                                "map one with COLUMN=company")
        if "name" not in mapping and not {"first_name", "last_name"} & mapping.keys():
            raise ImportRefused(f"no column holds the person's name (columns: {headers}); "
                                "map one with COLUMN=name or COLUMN=first_name")
        report = ImportReport(
            file=path.name, format=fmt, site_id=site_id,
            mapping={f: mapping[f] for f in PROSPECT_FIELDS if f in mapping},
            unmapped_columns=[h for h in headers if h not in mapping.values()],
            dry_run=dry_run,
        )
        report_progress("validate", 1, 4)
        codes = sorted((country_codes or {}).items())
        con.execute("CREATE TABLE country_codes (k VARCHAR, code VARCHAR)")
        if codes:
            con.register("codes_arrow", pa.table({"k": [k for k, _ in codes],
                                                  "code": [c for _, c in codes]}))
            con.execute("INSERT INTO country_codes SELECT * FROM codes_arrow")
        con.execute(f"CREATE VIEW normalised AS {normalised_sql(mapping)}")
        register_identities(con, identity_input_sql(mapping), "identities")  # all at once
        con.execute(f"CREATE TABLE staged AS {staged_sql(site_id)}")
        bad_rows = con.execute(bad_row_sql(MAX_REPORTED_BAD_ROWS)).fetchall()
        report.bad_row_count = len(unreadable) + con.execute(
            "SELECT count(*) FROM staged WHERE _reason IS NOT NULL").fetchall()[0][0]
        first = 2 if fmt == "csv" else 1
        numbers = _row_numbers([int(r[0]) for r in bad_rows], skipped, first)
        report.bad_rows = sorted(
            unreadable + [BadRow(row=n, reason=r[1]) for n, r in zip(numbers, bad_rows,
                                                                       strict=True)],
            key=lambda b: b.row)[:MAX_REPORTED_BAD_ROWS]
        report.rows_read = len(unreadable) + con.execute(
            "SELECT count(*) FROM staged").fetchall()[0][0]

        report_progress("dedupe", 2, 4)
        existing = prospect_files(prospect_dir, site_id, company_id)
        own = site_dir(prospect_dir, company_id, site_id)
        site_files = [f for f in existing if f.parent == own]
        if not dry_run:  # ids of an older identity rule would not find the people they hold
            rekey_site_files(con, site_files)
        source = source_name or f"import:{path.name}"
        fresh = "SELECT * EXCLUDE (_rowid, _reason) FROM staged WHERE _reason IS NULL"
        if _register_suppressed(con, mapping, suppression):
            # Every row of a person any of whose rows is suppressed.
            con.execute("CREATE TABLE suppressed_people AS SELECT DISTINCT s.prospect_id "
                        "FROM staged s JOIN suppressed_rows r USING (_rowid) "
                        "WHERE s._reason IS NULL")
            report.suppressed = con.execute(
                "SELECT count(*) FROM staged WHERE _reason IS NULL AND prospect_id IN "
                "(SELECT prospect_id FROM suppressed_people)").fetchall()[0][0]
            fresh += " AND prospect_id NOT IN (SELECT prospect_id FROM suppressed_people)"
        if site_files:
            # People the site already has. Only then: the anti-join reorders rows, and rows in
            # file order keep a company's contacts together, which research reads faster.
            listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in site_files)
            fresh += f" AND prospect_id NOT IN (SELECT prospect_id FROM read_parquet([{listed}]))"
        # The same person twice in one file: keep the first row. Checked with a narrow count
        # first; a window over every column cost 6x the whole write at 1M rows.
        repeated = con.execute(
            "SELECT count(*) - count(DISTINCT prospect_id) FROM staged WHERE _reason IS NULL"
        ).fetchall()[0][0]
        if repeated:
            fresh += (" AND _rowid IN (SELECT min(_rowid) FROM staged WHERE _reason IS NULL "
                      "GROUP BY prospect_id)")
        report_progress("write", 3, 4)
        if dry_run:
            report.imported = con.execute(f"SELECT count(*) FROM ({fresh})").fetchall()[0][0]
        else:
            report.imported, output = _write(con, fresh, own, source)
            report.output = str(output) if output else None
        good = report.rows_read - report.bad_row_count
        report.duplicates = good - report.imported - report.suppressed
        report_progress("done", 4, 4)
    log.info("import of %s for %s: %d read, %d imported, %d duplicates, %d suppressed, %d bad",
             path.name, site_id, report.rows_read, report.imported, report.duplicates,
             report.suppressed, report.bad_row_count)
    return report


def _register_suppressed(con: duckdb.DuckDBPyConnection, mapping: dict[str, str],
                         suppression: SuppressionCheck | None) -> bool:
    """Register table `suppressed_rows (_rowid)`: the rows of `raw` whose person
    `suppression` names; False (nothing registered) when there are no entries."""
    if not suppression:
        return False
    rows = con.sql(identity_input_sql(mapping)).to_arrow_table()
    flags = suppression.suppressed_table(rows.drop_columns(["_rowid"]))
    hits = rows.column("_rowid").filter(pa.array(flags, pa.bool_()))
    con.register("suppressed_rows", pa.table({"_rowid": hits}))
    return True


@contextmanager
def _spill_directory(root: str | int | None) -> Iterator[str | None]:
    """A directory of this import's own under `root` for DuckDB to spill to: two DuckDB
    instances sharing one would overwrite each other's temporary files."""
    if root is None:
        yield None
        return
    Path(str(root)).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spill-", dir=str(root)) as directory:
        yield directory


def _write(
    con: duckdb.DuckDBPyConnection, fresh: str, own: Path, source: str
) -> tuple[int, Path | None]:
    """Write the rows of `fresh` as one immutable Parquet list of the site (temporary name,
    then rename); nothing when there are none. Returns (rows written, file)."""
    own.mkdir(parents=True, exist_ok=True)
    name = f"import-{uuid.uuid4().hex[:16]}.parquet"
    temporary = own / f".{name}.{os.getpid()}.tmp"
    columns = ", ".join(
        "$source AS source" if c == "source" else c for c in (*PROSPECT_COLUMNS, "site_id"))
    quoted = str(temporary).replace("'", "''")
    written = con.execute(
        f"COPY (SELECT {columns} FROM ({fresh})) TO '{quoted}' ({PARQUET_OPTIONS})",
        {"source": source}).fetchall()[0][0]
    if not written:
        temporary.unlink(missing_ok=True)
        return 0, None
    os.replace(temporary, own / name)
    return int(written), own / name


def describe_mapping(report: ImportReport) -> list[tuple[str, str]]:
    """(column of the file, prospect field) pairs for display, in field order."""
    return [(column, field) for field, column in report.mapping.items()]


def report_json(report: ImportReport) -> dict[str, Any]:
    return report.model_dump(mode="json")
