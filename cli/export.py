"""`leadmill export`: a site's leads from the warehouse to CSV or Parquet, optionally in
HubSpot's or Salesforce's import layout. Read-only, no Prefect: safe while the stack runs."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

_EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `leadmill export` to the `leadmill` parser."""
    text = "write leads from the warehouse to CSV or Parquet (Leadmill, HubSpot or Salesforce)"
    parser = subparsers.add_parser("export", help=text, description=text)
    parser.add_argument("--output", type=Path, required=True, help="the file to write")
    parser.add_argument("--site", default=None, help="only this siteId (default: every site)")
    parser.add_argument("--company", default=None,
                        help="only this company's leads (needed with --site when several "
                        "companies use the siteId)")
    parser.add_argument("--layout", choices=("leadmill", "hubspot", "salesforce"),
                        default="leadmill", help="column names and values (default: leadmill)")
    parser.add_argument("--format", choices=("csv", "parquet"), default=None,
                        help="default: from the output's suffix, else csv")
    parser.add_argument("--since", default=None, help="only leads created on/after (ISO date)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    parser.set_defaults(handler=run_export)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill export: {message}\n")
    return _EXIT_USAGE


def run_export(args: argparse.Namespace) -> int:
    import duckdb

    from storage.settings import LeadmillSettings
    from storage.warehouse.catalog import open_warehouse
    from storage.warehouse.export import export_leads
    from storage.warehouse.report import warehouse_site_company

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    output_format = args.format or ("parquet" if args.output.suffix == ".parquet" else "csv")
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            return _fail(f"--since {args.since!r} is not an ISO date")
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    try:
        con = open_warehouse(settings.warehouse_db)
    except (FileNotFoundError, duckdb.Error) as error:
        return _fail(str(error))
    try:
        company = (warehouse_site_company(con, args.site, args.company) if args.site
                   else args.company)
        rows = export_leads(con, args.output, layout=args.layout, output_format=output_format,
                            site_id=args.site, since=since, company_id=company)
    except (duckdb.Error, OSError, ValueError, LookupError) as error:
        return _fail(str(error).strip())
    finally:
        con.close()
    sys.stderr.write(f"wrote {rows} leads to {args.output} ({args.layout}, {output_format})\n")
    return 0
