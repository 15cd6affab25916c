"""Text cells of a CSV export that a spreadsheet would run as a formula, neutralised.

A lead's fields come from tenants, prospect files and other people's web pages; Excel, LibreOffice
and Google Sheets treat a cell starting with `=`, `+`, `-` or `@` (and, after a tab or carriage
return they strip, the same) as a formula: `=HYPERLINK(...)` leaks data, `=cmd|...` runs DDE.
OWASP's rule (CSV Injection): prefix such a cell with a single quote, which spreadsheets show as
text. A plain number or phone number (`-12.5`, `+1 (415) 555-0100`) holds no function, name or
reference and stays as it is, so E.164 phones and negative figures still import into a CRM.

The tester page's CSV download (api/static/tester/tester.js, `spreadsheetSafe`) mirrors this
rule; tests/api/docs/test_tester_page.py runs both on the same cells.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# Both patterns are RE2- and `re`-compatible: Arrow's compute functions run them on columns.
# The number is matched whole (`fullmatch`; RE2's `$` is the end of the text, Python's would
# also match before a final newline, letting "-5\n..." through).
FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = r"[+-]?[0-9][0-9 ().\-]*"
PLAIN_NUMBER = f"^{_NUMBER}$"
_FORMULA_START = re.compile(FORMULA_START)
_PLAIN_NUMBER = re.compile(_NUMBER)


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it."""
    if _FORMULA_START.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_safe_table(table: pa.Table) -> pa.Table:
    """Every string column of `table` through `spreadsheet_safe`, computed by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, column in enumerate(table.columns):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        risky = pc.and_(pc.match_substring_regex(column, FORMULA_START),
                        pc.invert(pc.match_substring_regex(column, PLAIN_NUMBER)))
        quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, "")
        table = table.set_column(index, table.field(index), pc.if_else(risky, quoted, column))
    return table
