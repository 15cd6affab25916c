"""`leadmill prospects import FILE --site SITE`: import a CRM or vendor export for a site.

Shows how the file's columns map onto prospect fields (override with `--map COLUMN=FIELD`,
ignore a column with `--map COLUMN=`), a progress bar while it runs, then what it did: rows
read, imported, duplicates, suppressed (rows of people on the company's or the site's
do-not-contact entries, never imported), and every bad row with its row number and reason.
`--dry-run` maps and validates without writing. Exit code 2 when the file cannot be imported at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.privacy.suppressions import SuppressionCheck


def register(subparsers: argparse._SubParsersAction) -> None:
    text = "Manage the prospect store (the research corpus)"
    parser = subparsers.add_parser("prospects", help=text, description=text)
    actions = parser.add_subparsers(dest="prospects_command", required=True)
    importing = actions.add_parser(
        "import", help="Import a CSV, JSON Lines or Parquet prospect list for a site",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    importing.add_argument("file", type=Path)
    importing.add_argument("--site", required=True, help="The site (client id) it belongs to")
    importing.add_argument("--company", default=None,
                           help="The site's company id (needed when several companies use the "
                           "site id, or when there is no operational DB yet)")
    importing.add_argument("--format", choices=["csv", "jsonl", "parquet"], default=None,
                           help="Default: from the file name")
    importing.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                           help="Force a column's field (repeatable); COLUMN= ignores it")
    importing.add_argument("--dry-run", action="store_true", help="Map and validate only")
    importing.add_argument("--json", action="store_true", help="Print the report as JSON")
    importing.add_argument("--data-dir", type=Path, default=None,
                           help="Leadmill data directory (default: LEADMILL_DATA_DIR)")
    importing.set_defaults(handler=run_import)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill prospects: {message}\n")
    return 2


def _site_company(settings: object, site_id: str, company_id: str | None
                  ) -> tuple[str, SuppressionCheck | None]:
    """The company of site `site_id` (from the operational DB when it exists, else
    `--company`) and the suppression entries that apply to the site (None without a DB).

    Raises:
        LookupError: the site is unknown, ambiguous, or its company cannot be told.
    """
    from storage.db.engine import build_engine, session_scope
    from storage.privacy.suppressions import SuppressionCheck
    from storage.tenancy.accounts import operator_client
    from storage.tenancy.secrets import load_secret_box

    url = settings.sqlalchemy_url  # type: ignore[attr-defined]
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        if company_id:
            return company_id, None
        raise LookupError("there is no operational DB yet: name the site's company with --company")
    engine = build_engine(url)
    try:
        with session_scope(engine) as session:
            company = operator_client(session, site_id, company_id).company_id
            return company, SuppressionCheck.for_site(
                session, load_secret_box(settings), company, site_id)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def run_import(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from storage.prospects.columns import parse_overrides
    from storage.prospects.importer import ImportRefused, import_prospects
    from storage.settings import LeadmillSettings
    from tasks.search.vocabulary import country_code_lookup

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    try:
        overrides = parse_overrides(args.map)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        company_id, suppression = _site_company(settings, args.site, args.company)
    except LookupError as exc:
        return _fail(f"site {args.site!r}: {exc}")
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description:<9}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console,
                  transient=False,
                  disable=args.json or not console.is_terminal) as bar:
        task = bar.add_task("read", total=4)

        def advance(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        try:
            report = import_prospects(
                settings.prospect_dir, args.file, args.site, company_id=company_id,
                file_format=args.format,
                overrides=overrides, country_codes=country_code_lookup(), dry_run=args.dry_run,
                progress=advance, duckdb_config=settings.import_duckdb_config,
                suppression=suppression)
        except ImportRefused as exc:
            return _fail(str(exc))
    if args.json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), indent=1) + "\n")
        return 0
    out = Console()
    mapping = Table("column", "field", title=f"Column mapping of {report.file}")
    for field, column in report.mapping.items():
        mapping.add_row(column, field)
    for column in report.unmapped_columns:
        mapping.add_row(column, "[dim](ignored)[/dim]")
    out.print(mapping)
    verb = "would import" if report.dry_run else "imported"
    out.print(f"{report.rows_read} rows read, {report.imported} {verb}, "
              f"{report.duplicates} duplicates, {report.suppressed} suppressed, "
              f"{report.bad_row_count} bad rows"
              + (f" → {report.output}" if report.output else ""))
    for bad in report.bad_rows:
        out.print(f"  row {bad.row}: {bad.reason}", highlight=False, markup=False)
    if report.bad_row_count > len(report.bad_rows):
        out.print(f"  ... and {report.bad_row_count - len(report.bad_rows)} more")
    return 0
