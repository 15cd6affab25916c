"""`POST /api/agents/sales/websiteAnalysis`: suggestions for a command, read off a website."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from litestar import Request, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State

from api.errors import ApiError, InvalidRequest
from api.json_body import load_json
from api.security.auth import authenticate_alone
from tasks.research.website_analysis import analyze_website


class WebsiteUnreadable(ApiError):
    code, status_code = "WEBSITE_UNREADABLE", 422
    message = "The website could not be read"


@post("/api/agents/sales/websiteAnalysis", status_code=200,
      summary="Analyze a website to pre-fill a command", tags=["Lead generation"])
async def analyze_site(request: Request, state: State) -> dict[str, Any]:
    """Reads the site's home and about pages (robots.txt honoured, 5 s per page, 500 kB caps,
    no private addresses unless `LEADMILL_EGRESS_ALLOWED_HOSTS` admits them) and suggests
    `businessInfo`, `productOffering`, keywords and industries. Body: `{"url": "https://..."}`.
    """
    try:
        payload = load_json(await request.body() or b"null")
    except ValueError:
        raise InvalidRequest(field="body", issue="request body is not valid JSON") from None
    url = payload.get("url") if isinstance(payload, dict) else None
    if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
        raise InvalidRequest(field="url", issue="url must be an http:// or https:// URL")
    await sync_to_thread(authenticate_alone, request, state.engine)
    # Fetching takes seconds: keep it off the event loop.
    profile = await anyio.to_thread.run_sync(partial(analyze_website, url.strip(),
                                                     policy=state.egress_policy))
    if profile is None:
        raise WebsiteUnreadable(field="url", issue="unreachable, refused by robots.txt, or on a "
                                "private network")
    return {"success": True, "data": profile}
