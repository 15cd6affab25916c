"""Refuse NUL characters at the request boundary, the same way on both operational databases.

PostgreSQL cannot hold or compare text with a NUL in it (psycopg: "PostgreSQL text fields cannot
contain NUL (0x00) bytes"), so an insert or a look-up with one failed as a 500 there, while
SQLite stored it — and the row then broke a later move to PostgreSQL. Every route answers 400
instead, in its document's envelope, naming where the NUL was: `path`, `query`, `headers` or
`body`.

Every body is checked whatever its Content-Type (routes read JSON whatever the client
declares): a raw NUL byte, a JSON `\\u0000` escape, or a form-encoded `%00`. Routes that stream
a file instead of reading it (`opt={"streams_body": True}`: the prospect import, up to 512 MB)
are skipped here; the import refuses a row holding a NUL as a bad row (storage/prospects/sql.py).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from litestar import Request

from api.errors import InvalidRequest, InvalidValue, uses_command_envelope

# A JSON `\u0000` escape: an odd run of backslashes before `u0000` (an even run is a literal
# backslash followed by the text "u0000"). A raw NUL byte is not valid JSON and fails parsing.
_JSON_NUL = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\u0000")
_FORM = "application/x-www-form-urlencoded"
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _body_holds_nul(body: bytes, content_type: str) -> bool:
    # The substring test first: it runs at memory speed, the pattern only when it may match.
    if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body)):
        return True
    return content_type == _FORM and "\x00" in unquote_plus(body.decode("latin-1"))


async def refuse_nul_characters(request: Request) -> None:
    """`before_request` hook of the app: raises the documented 400 when a NUL was sent."""
    where = None
    if "\x00" in request.url.path:
        where = "path"
    elif "\x00" in unquote_plus(request.url.query or ""):
        where = "query"
    elif any("\x00" in value for value in request.headers.values()):
        where = "headers"
    elif request.method in _BODY_METHODS and not request.route_handler.opt.get("streams_body") \
            and _body_holds_nul(await request.body(), request.content_type[0]):
        where = "body"
    if where is None:
        return
    issue = "text must not contain NUL characters"
    if uses_command_envelope(request):
        raise InvalidRequest(field=where, issue=issue)
    raise InvalidValue(f"The {where} holds a NUL character", details={"field": where,
                                                                       "issue": issue})
