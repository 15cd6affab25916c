"""The Lead Generation API tester page (`/tester/`): static files served by Leadmill itself."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "tester"
EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "lead_generation_request.json"


@get("/tester/example.json", include_in_schema=False, sync_to_thread=True)
def tester_example() -> Response:
    """The documented example request, which the page's "Load the documented example" uses."""
    return Response(EXAMPLE_FILE.read_bytes(), media_type="application/json")


def tester_routes() -> list:
    static = create_static_files_router(path="/tester", directories=[STATIC_DIR], html_mode=True,
                                        include_in_schema=False, name="tester")
    return [tester_example, static]


