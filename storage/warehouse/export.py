"""Leads out of the warehouse as files: Leadmill's own columns or a CRM's import layout.

The layouts name columns the way the CRMs' import tools match them without manual mapping:
HubSpot's contact import matches its default property labels ("First Name", "Email", ...);
Salesforce's Data Import Wizard and Data Loader match Lead field API names (`FirstName`,
`Company`, ...), and a Lead needs `LastName` and `Company`, so both fall back to something
rather than stay empty.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from storage.warehouse.csv_cells import spreadsheet_safe_table

LEADMILL_COLUMNS = (
    "id", "company_id", "site_id", "name", "first_name", "last_name", "email", "phone",
    "company", "company_domain", "position", "industry", "website", "location", "city",
    "region", "country", "company_size", "revenue", "revenue_usd", "linkedin", "status",
    "score", "verified", "source", "command_id", "created_at", "updated_at",
)  # fmt: skip

# (output column, SQL over the `leads` view)
LAYOUTS: dict[str, list[tuple[str, str]]] = {
    "leadmill": [(name, name) for name in LEADMILL_COLUMNS],
    "hubspot": [
        ("First Name", "first_name"),
        ("Last Name", "coalesce(last_name, name)"),
        ("Email", "email"),
        ("Phone Number", "phone"),
        ("Company Name", "company"),
        ("Company Domain Name", "company_domain"),
        ("Job Title", "position"),
        ("Industry", "industry"),
        ("Website URL", "website"),
        ("City", "city"),
        ("State/Region", "region"),
        ("Country/Region", "country"),
        ("LinkedIn URL", "linkedin"),
        ("Lead Status", "upper(status)"),
        ("Annual Revenue", "revenue_usd"),
        ("Number of Employees", "company_size"),
        ("Leadmill Score", "round(score, 3)"),
        ("Leadmill Lead ID", "id"),
    ],
    "salesforce": [
        ("FirstName", "first_name"),
        ("LastName", "coalesce(last_name, name)"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Company", "coalesce(company, company_domain, '[not provided]')"),
        ("Title", "position"),
        ("Industry", "industry"),
        ("Website", "website"),
        ("City", "city"),
        ("State", "region"),
        ("Country", "country"),
        ("AnnualRevenue", "revenue_usd"),
        ("LeadSource", "'Leadmill'"),
        ("Rating", "CASE WHEN score >= 0.8 THEN 'Hot' WHEN score >= 0.5 THEN 'Warm' "
                   "ELSE 'Cold' END"),
        ("Status", "'Open - Not Contacted'"),
        ("Description", "'Leadmill lead ' || id || ', score ' || round(score, 3)"),
    ],
}
FORMATS = ("csv", "parquet")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_query(layout: str, site_id: str | None, since: datetime | None,
                 company_id: str | None = None) -> tuple[str, dict]:
    """The SELECT over `leads` for `layout`, with its parameters; newest leads last."""
    columns = ", ".join(f"{expression} AS {_identifier(name)}"
                        for name, expression in LAYOUTS[layout])
    where, params = [], {}
    if site_id is not None:
        where.append("site_id = $site")
        params["site"] = site_id
    if company_id is not None:
        where.append("company_id = $company")
        params["company"] = company_id
    if since is not None:
        where.append("created_at >= $since")
        params["since"] = since.replace(tzinfo=None)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {columns} FROM leads{clause} ORDER BY created_at, id", params


def export_leads(
    con: duckdb.DuckDBPyConnection,
    output: Path,
    *,
    layout: str = "leadmill",
    output_format: str = "csv",
    site_id: str | None = None,
    since: datetime | None = None,
    company_id: str | None = None,
) -> int:
    """Write the leads to `output`; returns how many rows were written."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; one of {', '.join(LAYOUTS)}")
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}; one of {', '.join(FORMATS)}")
    query, params = export_query(layout, site_id, since, company_id)
    table = con.sql(query, params=params).to_arrow_table()
    if output_format == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, output, compression="zstd")
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(spreadsheet_safe_table(table), output)
    return table.num_rows
