"""Reading a do-not-contact list from a CSV file (`POST /api/suppressions/import`,
`leadmill suppressions import`).

The first row is the header and names the columns: `email`, `domain`, `linkedinUrl` and
`phone` (any case; `-`, `_` and spaces ignored; plurals and `linkedin` too). Other columns
are ignored and named in the reply, empty cells skipped. Lines are the file's (1 is the
header; a quoted cell spanning lines counts them all). A file is refused (`ListFileRefused`,
with the line when there is one) when it is not UTF-8 text, not readable as CSV, has no
header naming a known column, names one twice, or has a row longer than its header: a file
like that would otherwise be read wrong, silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.privacy.suppressions import LIST_FIELDS

MAX_LIST_FILE_BYTES = 2 * 1024 * 1024
# Header names (lower case, without "-", "_" and spaces) → request field.
_COLUMNS = {"email": "emails", "emails": "emails", "emailaddress": "emails",
            "domain": "domains", "domains": "domains",
            "linkedinurl": "linkedinUrls", "linkedinurls": "linkedinUrls",
            "linkedin": "linkedinUrls", "linkedinprofile": "linkedinUrls",
            "phone": "phones", "phones": "phones", "phonenumber": "phones"}
KNOWN_COLUMNS = "email, domain, linkedinUrl, phone"


class ListFileRefused(ValueError):
    def __init__(self, issue: str, line: int | None = None) -> None:
        self.issue = issue
        self.line = line
        super().__init__(issue if line is None else f"line {line}: {issue}")


@dataclass
class ListFile:
    """The values of a list file, per request field, and the line each came from."""

    values: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # request field → header as written
    ignored_columns: list[str] = field(default_factory=list)

    def invalid_cells(self, invalid: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """`add_suppressions`' invalid values ({field, index, issue}) as cells of the file:
        `{line, column, issue}`, in file order."""
        cells = [{"line": self.lines[item["field"]][item["index"]],
                  "column": self.columns[item["field"]], "issue": item["issue"]}
                 for item in invalid]
        return sorted(cells, key=lambda cell: (cell["line"], cell["column"]))


def _field_of(header: str) -> str | None:
    name = "".join(ch for ch in header.strip().lower() if ch not in "-_ ")
    return _COLUMNS.get(name)


def read_list_file(raw: bytes) -> ListFile:
    """The values of a CSV list; ListFileRefused when it cannot be read as one."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFileRefused(f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ListFileRefused(f"no header row: the first row names the columns "
                                  f"({KNOWN_COLUMNS})", line=1)
        listed = ListFile()
        positions: dict[int, str] = {}
        for at, name in enumerate(header):
            request_field = _field_of(name)
            if request_field is None:
                if name.strip():
                    listed.ignored_columns.append(name.strip())
                continue
            if request_field in listed.columns:
                raise ListFileRefused(f"columns {listed.columns[request_field]!r} and "
                                      f"{name.strip()!r} both hold {request_field}", line=1)
            listed.columns[request_field] = name.strip()
            positions[at] = request_field
        if not positions:
            raise ListFileRefused(f"the header names none of the columns {KNOWN_COLUMNS}",
                                  line=1)
        for request_field in LIST_FIELDS:
            if request_field in listed.columns:
                listed.values[request_field], listed.lines[request_field] = [], []
        for cells in reader:
            line = reader.line_num
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
                raise ListFileRefused(f"{len(cells)} cells, the header names {len(header)}",
                                      line=line)
            for at, request_field in positions.items():
                value = cells[at].strip() if at < len(cells) else ""
                if value:
                    listed.values[request_field].append(value)
                    listed.lines[request_field].append(line)
    except csv.Error as exc:
        raise ListFileRefused(f"not readable as CSV: {exc}", line=reader.line_num) from None
    return listed
