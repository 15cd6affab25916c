"""The SQL that turns an export's text columns into validated prospect rows.

`normalised_sql` reads table `raw` (every column VARCHAR, `rowid` = position in the file) and
`country_codes (k, code)` and yields the trimmed, parsed fields; `identity_input_sql` selects
from `raw` the fields the identity rule reads, and the importer computes each row's identity
and company domain with it (`storage.leads.identity`, the one "same person" rule)
into table `identities (_rowid, identity, domain)`. `staged_sql` joins the two and yields
every prospect column plus `site_id`, `_rowid` and `_reason` (NULL for a good row, else why
the row is refused).
"""

from __future__ import annotations

from storage.leads.emails import email_syntax_sql
from storage.leads.identity import IDENTITY_FIELDS
from storage.prospects.identities import id_columns

SIZE_BUCKETS = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (500, "201-500"),
                (1000, "501-1000"), (5000, "1001-5000"), (10000, "5001-10000"))


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bucket(expression: str) -> str:
    cases = " ".join(f"WHEN {expression} <= {high} THEN '{label}'" for high, label in SIZE_BUCKETS)
    return f"CASE WHEN {expression} IS NULL THEN NULL {cases} ELSE '10001+' END"


TEXT_FIELDS = ("first_name", "last_name", "name", "title", "email", "phone", "linkedin",
               "company", "website", "industry", "employee_count", "company_size",
               "revenue_usd", "city", "region", "country", "country_code", "description")
# PostgreSQL cannot hold a NUL in text; the API refuses one in every request
# (api/security/text_guard.py)
# and an imported row holding one is a bad row, before it can reach a lead.
_HOLDS_NUL = f"contains(concat_ws('', {', '.join(TEXT_FIELDS)}), chr(0))"


def _text(mapping: dict[str, str], field: str) -> str:
    header = mapping.get(field)
    if header is None:
        return "NULL::VARCHAR"
    # Trimmed; empty means absent. (Collapsing inner whitespace with a regex on every cell
    # doubled the import time: only names, which form identities, get it below.)
    return f"nullif(trim({_quote_identifier(header)}), '')"


def identity_input_sql(mapping: dict[str, str]) -> str:
    """SELECT statement over `raw`: `_rowid` and the fields the identity rule reads, trimmed
    (the rule normalises them itself)."""
    fields = ", ".join(f"{_text(mapping, f)} AS {f}" for f in IDENTITY_FIELDS)
    return f"SELECT rowid AS _rowid, {fields} FROM raw"


def normalised_sql(mapping: dict[str, str]) -> str:
    """SELECT statement over `raw`: each field trimmed and parsed, the name whole."""
    fields = ", ".join(f"{_text(mapping, f)} AS {f}" for f in TEXT_FIELDS)
    revenue_clean = "upper(regexp_replace(revenue_usd, '[$,\\s]|USD', '', 'gi'))"
    revenue_number = f"TRY_CAST(regexp_extract({revenue_clean}, '^([0-9]*\\.?[0-9]+)[KMB]?$', 1)" \
                     " AS DOUBLE)"
    revenue_unit = f"regexp_extract({revenue_clean}, '([KMB])$', 1)"
    employees_number = ("TRY_CAST(TRY_CAST(regexp_replace(employee_count, '[,\\s+]', '', 'g') "
                        "AS DOUBLE) AS BIGINT)")
    range_low = ("TRY_CAST(regexp_extract(replace(coalesce(company_size, employee_count),"
                 " ',', ''), '^\\s*(\\d+)\\s*(?:-|–|to|\\+)', 1) AS BIGINT)")
    return f"""
WITH v AS (SELECT rowid AS _rowid, {fields} FROM raw),
n AS (
  SELECT v.*,
    coalesce(v.name, nullif(trim(concat_ws(' ', v.first_name, v.last_name)), '')) AS raw_name,
    lower(v.email) AS email_norm,
    CASE WHEN v.employee_count IS NOT NULL THEN {employees_number} END AS employees_num,
    CASE WHEN v.company_size IS NOT NULL OR v.employee_count IS NOT NULL THEN {range_low} END
      AS employees_low,
    CASE WHEN v.revenue_usd IS NULL THEN NULL ELSE CAST(round({revenue_number} * CASE
      {revenue_unit} WHEN 'K' THEN 1e3 WHEN 'M' THEN 1e6 WHEN 'B' THEN 1e9 ELSE 1 END)
      AS BIGINT) END AS revenue_num,
    coalesce(CASE WHEN length(v.country_code) = 2 THEN upper(v.country_code) END, cc.code,
             CASE WHEN length(v.country) = 2 THEN upper(v.country) END) AS cc
  FROM v LEFT JOIN country_codes cc ON cc.k = lower(v.country)
),
m AS (
  SELECT n.*,
    -- Runs of spaces inside a name would split one person into two identities.
    CASE WHEN contains(raw_name, '  ') THEN regexp_replace(raw_name, '\s+', ' ', 'g')
         ELSE raw_name END AS full_name,
    coalesce(employees_num, employees_low) AS employees
  FROM n
)
SELECT * FROM m
"""


def staged_sql(site_id: str) -> str:
    """SELECT statement over `normalised` and `identities`: validated prospect rows."""
    site = _literal(site_id)
    return f"""
WITH k AS (SELECT m.*, i.identity, i.domain FROM normalised m JOIN identities i USING (_rowid))
SELECT
  _rowid,
  CASE
    WHEN {_HOLDS_NUL} THEN 'text holds a NUL character'
    WHEN full_name IS NULL THEN 'name is missing'
    WHEN company IS NULL THEN 'company is missing'
    WHEN email IS NOT NULL AND NOT {email_syntax_sql('email')}
      THEN 'email is not an address: ' || left(email, 80)
    WHEN employee_count IS NOT NULL AND employees_num IS NULL AND employees_low IS NULL
      THEN 'employees is not a number: ' || left(employee_count, 40)
    WHEN revenue_usd IS NOT NULL AND revenue_num IS NULL
      THEN 'revenue is not an amount: ' || left(revenue_usd, 40)
  END AS _reason,
  {id_columns(site, "identity", "domain", "company")},
  coalesce(first_name, split_part(full_name, ' ', 1)) AS first_name,
  coalesce(last_name, nullif(trim(substr(full_name, length(split_part(full_name, ' ', 1)) + 1)),
           ''), '') AS last_name,
  full_name AS name,
  coalesce(title, '') AS title,
  email_norm AS email,
  phone,
  linkedin,
  company,
  CASE WHEN website IS NULL THEN NULL WHEN contains(website, '://')
       THEN website ELSE 'https://' || website END AS website,
  coalesce(lower(industry), '') AS industry,
  employees AS employee_count,
  coalesce(CASE WHEN company_size IS NOT NULL AND employees_low IS NOT NULL THEN company_size
           END, {_bucket('employees')}, '') AS company_size,
  revenue_num AS revenue_usd,
  city,
  region,
  coalesce(country, '') AS country,
  coalesce(cc, '') AS country_code,
  coalesce(description, '') AS description,
  'import' AS source,
  {site} AS site_id
FROM k
"""


def bad_row_sql(limit: int) -> str:
    return ("SELECT _rowid, _reason FROM staged WHERE _reason IS NOT NULL "
            f"ORDER BY _rowid LIMIT {int(limit)}")
