"""`leadmill report --site SITE [--start --end] --output report.html`: a site's leads over a
period as a self-contained HTML page (inline SVG charts, no CDN), from the warehouse."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

_EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `leadmill report` to the `leadmill` parser."""
    text = "write an HTML report (charts, breakdowns, commands) of a site's leads"
    parser = subparsers.add_parser("report", help=text, description=text)
    parser.add_argument("--site", required=True, help="the siteId")
    parser.add_argument("--company", default=None,
                        help="the site's company id (needed when several companies use the siteId)")
    parser.add_argument("--start", default=None, help="ISO date, inclusive (default: 30 days ago)")
    parser.add_argument("--end", default=None, help="ISO date, exclusive (default: tomorrow)")
    parser.add_argument("--output", type=Path, default=Path("report.html"))
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    parser.set_defaults(handler=run_report)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill report: {message}\n")
    return _EXIT_USAGE


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run_report(args: argparse.Namespace) -> int:
    import duckdb

    from storage.settings import LeadmillSettings
    from storage.warehouse.catalog import open_warehouse
    from storage.warehouse.report import site_report_data, warehouse_site_company
    from tasks.reports.site_report import render_site_report

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    today = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    try:
        start = _moment(args.start) if args.start else today - timedelta(days=30)
        end = _moment(args.end) if args.end else today + timedelta(days=1)
    except ValueError as error:
        return _fail(f"--start/--end must be ISO dates: {error}")
    if end <= start:
        return _fail("--end must be after --start")
    try:
        con = open_warehouse(settings.warehouse_db)
    except (FileNotFoundError, duckdb.Error) as error:
        return _fail(str(error))
    try:
        company = warehouse_site_company(con, args.site, args.company)
        data = site_report_data(con, args.site, start, end, company)
    except duckdb.Error as error:
        return _fail(str(error).strip())
    except LookupError as error:
        return _fail(str(error))
    finally:
        con.close()
    args.output.write_text(render_site_report(data), encoding="utf-8")
    sys.stderr.write(f"wrote {args.output}: {data['leads']} leads of {args.site}\n")
    return 0
