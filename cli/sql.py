"""`leadmill sql QUERY`: query the warehouse views read-only, from the command line.

Imports only the warehouse (DuckDB, no Prefect) so that a query answers in well under a second.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("table", "csv", "json", "parquet")
_EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `leadmill sql` to the `leadmill` parser."""
    text = "run a read-only SQL query on the warehouse views (leads, companies, ...)"
    parser = subparsers.add_parser("sql", help=text, description=text)
    parser.add_argument("query", help='SQL, e.g. "SELECT country, count(*) FROM leads GROUP BY 1"')
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="default: $LEADMILL_DATA_DIR or ./.leadmill"
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    parser.add_argument(
        "--unsafe", action="store_true",
        help="lift the sandbox: read files outside the warehouse lake, COPY, ATTACH, LOAD "
             "(default: only reading statements, only the lake's files)")
    parser.set_defaults(handler=run_sql)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill sql: {message}\n")
    return _EXIT_USAGE


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_table(columns: list[str], rows: list[tuple], out: TextIO) -> None:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    numeric = [
        bool(rows)
        and all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        padded = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    out.write(line(columns) + "\n")
    out.write("  ".join("-" * width for width in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def _write_text(columns: list[str], rows: list[tuple], output_format: str, out: TextIO) -> None:
    if output_format == "csv":
        from storage.warehouse.csv_cells import spreadsheet_safe

        # RFC 4180's CRLF: Python 3.11's writer quotes a cell holding a CR only when the line
        # terminator holds one, and an unquoted CR splits the row for every reader.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(name) for name in columns])
        writer.writerows([spreadsheet_safe(_cell(value)) for value in row] for row in rows)
    elif output_format == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), default=_json_value) + "\n")
    else:
        write_table(columns, rows, out)


def run_sql(args: argparse.Namespace) -> int:
    """Run `args.query` on the warehouse; exit code 2 with a one-line error when it fails."""
    import duckdb  # here, not at import: `leadmill --help` need not load DuckDB

    from storage.settings import LeadmillSettings
    from storage.warehouse.catalog import open_warehouse
    from storage.warehouse.sandbox import RefusedStatement, refuse_unless_reading

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    if args.format == "parquet" and args.output is None:
        return _fail("--format parquet needs --output FILE")
    try:
        con = open_warehouse(settings.warehouse_db, unsafe=args.unsafe)
    except (FileNotFoundError, duckdb.Error) as error:
        return _fail(str(error))
    try:
        if not args.unsafe:
            refuse_unless_reading(con, args.query)
        relation = con.sql(args.query)
        if relation is None:
            return _fail("the query returned no rows to show (the warehouse is read-only)")
        if args.format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(relation.to_arrow_table(), args.output)
            return 0
        columns, rows = list(relation.columns), relation.fetchall()
    except (duckdb.Error, RefusedStatement) as error:
        return _fail(str(error).strip())
    finally:
        con.close()
    if args.output is None:
        _write_text(columns, rows, args.format, sys.stdout)
    else:
        with open(args.output, "w", newline="") as out:
            _write_text(columns, rows, args.format, out)
    return 0
