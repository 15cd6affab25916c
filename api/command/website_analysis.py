"""`POST /api/agents/sales/websiteAnalysis`: suggestions for a command, read off a website."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from litestar import post
from litestar.datastructures import State

from api.errors import ApiError, InvalidRequest
from api.guards import authenticated
from api.json_body import load_json
from tasks.research.website_analysis import analyze_website


class WebsiteUnreadable(ApiError):
    code, status_code = "WEBSITE_UNREADABLE", 422
    message = "The website could not be read"


@post("/api/agents/sales/websiteAnalysis", status_code=200,
      summary="Analyze a website to pre-fill a command", tags=["Lead generation"],
      guards=[authenticated])
async def analyze_site(state: State, body: bytes) -> dict[str, Any]:
    """Reads the site's home and about pages (robots.txt honoured, 5 s per page, 500 kB caps,
    no private addresses unless `LEADMILL_EGRESS_ALLOWED_HOSTS` admits them) and suggests
    `businessInfo`, `productOffering`, keywords and industries. Body: `{"url": "https://..."}`.
    """
    # The raw body, not a request model: its refusals are the command API's INVALID_REQUEST
    # (field "body" or "url"), not the lead-management errors of api/request_body.py.
    try:
        payload = load_json(body or b"null")
    except ValueError:
        raise InvalidRequest(field="body", issue="request body is not valid JSON") from None
    url = payload.get("url") if isinstance(payload, dict) else None
    if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
        raise InvalidRequest(field="url", issue="url must be an http:// or https:// URL")
    # Fetching takes seconds: keep it off the event loop.
    profile = await anyio.to_thread.run_sync(partial(analyze_website, url.strip(),
                                                     policy=state.egress_policy))
    if profile is None:
        raise WebsiteUnreadable(field="url", issue="unreachable, refused by robots.txt, or on a "
                                "private network")
    return {"success": True, "data": profile}
