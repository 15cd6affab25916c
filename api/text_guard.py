"""Refuse NUL characters at the request boundary, the same way on both operational databases.

PostgreSQL cannot hold or compare text with a NUL in it (psycopg: "PostgreSQL text fields cannot
contain NUL (0x00) bytes"), so an insert or a look-up with one failed as a 500 there, while
SQLite stored it — and the row then broke a later move to PostgreSQL. Every route answers 400
instead, in its document's envelope, naming where the NUL was: `path`, `query` or `body`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from litestar import Request

from api.errors import InvalidRequest, InvalidValue, uses_command_envelope

# A JSON `\u0000` escape: an odd run of backslashes before `u0000` (an even run is a literal
# backslash followed by the text "u0000"). A raw NUL byte is not valid JSON and fails parsing.
_JSON_NUL = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\u0000")
# Bodies read as JSON or text; uploads (CSV, Parquet) go to files, never to the database.
_TEXT_BODIES = {"", "application/json", "text/plain"}


async def refuse_nul_characters(request: Request) -> None:
    """`before_request` hook of the app: raises the documented 400 when a NUL was sent."""
    where = None
    if "\x00" in request.url.path:
        where = "path"
    elif "\x00" in unquote_plus(request.url.query or ""):
        where = "query"
    elif request.method in {"POST", "PUT", "PATCH", "DELETE"} and \
            request.content_type[0] in _TEXT_BODIES and _JSON_NUL.search(await request.body()):
        where = "body"
    if where is None:
        return
    issue = "text must not contain NUL characters"
    if uses_command_envelope(request):
        raise InvalidRequest(field=where, issue=issue)
    raise InvalidValue(f"The {where} holds a NUL character", details={"field": where,
                                                                       "issue": issue})
