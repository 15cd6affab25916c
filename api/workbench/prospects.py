"""`POST /api/prospects/import`: import a site's prospect list (CSV, JSON Lines, Parquet).

The body is the file itself (streamed to a temporary file, up to `MAX_IMPORT_BYTES`). Query:
`siteId` (required; a client of the caller's company), `format` (csv | jsonl | parquet; default
from `filename` or the Content-Type), `filename` (names the source, `import:<filename>`),
`map` (repeatable `COLUMN=FIELD`, `COLUMN=` ignores a column) and `dryRun=true` (map and
validate only). The reply is the import report: the column mapping, rows read, imported,
duplicates, and every bad row with its row number and reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from sqlmodel import Session

from api.errors import Conflict, InvalidValue, MissingRequiredField, NotFound
from api.guards import authenticated
from api.security.auth import Caller
from storage.prospects.admission import ImportBusy, company_import_slot, import_spool
from storage.prospects.columns import parse_overrides
from storage.prospects.importer import ImportRefused, ImportReport, detect_format, import_prospects
from storage.tenancy.accounts import find_client
from tasks.search.vocabulary import country_code_lookup

MAX_IMPORT_BYTES = 512 * 1024 * 1024
CONTENT_TYPES = {"text/csv": "csv", "application/csv": "csv", "application/x-ndjson": "jsonl",
                 "application/jsonl": "jsonl", "application/json-lines": "jsonl",
                 "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet"}


def _declared_format(request: Request, filename: str | None) -> str:
    declared = request.query_params.get("format")
    if declared:
        return declared
    if filename and Path(filename).suffix:
        try:
            return detect_format(Path(filename))
        except ImportRefused:
            pass
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in CONTENT_TYPES:
        return CONTENT_TYPES[content_type]
    raise MissingRequiredField(
        "The file format is unknown", details={"field": "format", "issue":
                                               "give format=csv|jsonl|parquet, a filename with "
                                               "that extension, or a matching Content-Type"})


def _require_site(session: Session, caller: Caller, site_id: str) -> str:
    """The caller's company id, once `site_id` is known to be one of its clients (in a worker
    thread). Ends the request's transaction: no connection is held while the file streams in,
    nor any lock while the import (its own transactions) runs."""
    if find_client(session, caller.company_id, site_id) is None:
        raise NotFound(f"No client {site_id}",
                       details={"field": "siteId", "issue": "not a client of your company"})
    session.commit()
    return caller.company_id


def _import_in_slot(state: State, company_id: str, holder: str, spool: Path, site_id: str,
                    **options: Any) -> ImportReport:
    """The import itself, holding the company's import slot (one import at a time per company,
    across API processes): runs in a worker thread, it touches the database and the disk."""
    settings = state.settings
    with company_import_slot(state.engine, company_id, holder):
        return import_prospects(settings.prospect_dir, spool, site_id, company_id=company_id,
                                country_codes=country_code_lookup(),
                                duckdb_config=settings.import_duckdb_config, **options)


@post("/api/prospects/import", summary="Import a prospect list for a site",
      tags=["Prospects"], request_max_body_size=MAX_IMPORT_BYTES, status_code=200,
      guards=[authenticated],
      opt={"streams_body": True})  # read by the import, row by row: see api/security/text_guard.py
async def import_prospect_list(request: Request, state: State, session: Session,
                               caller: Caller) -> dict[str, Any]:
    """Imports a CSV, JSON Lines or Parquet prospect list for a site (columns mapped fuzzily; bad
    rows reported with row number and reason; re-imports add nothing new).
    """
    site_id = (request.query_params.get("siteId") or request.query_params.get("client_id")
               or "").strip()
    if not site_id:
        raise MissingRequiredField(details={"field": "siteId", "issue": "siteId is required"})
    company_id = await sync_to_thread(_require_site, session, caller, site_id)
    filename = request.query_params.get("filename")
    if filename:
        filename = Path(filename).name[:200]
    file_format = _declared_format(request, filename)
    try:
        overrides = parse_overrides(request.query_params.getall("map", []))
    except ValueError as exc:
        raise InvalidValue(str(exc), details={"field": "map", "issue": str(exc)}) from exc
    dry_run = (request.query_params.get("dryRun") or "").lower() in {"1", "true", "yes"}

    settings = state.settings
    with import_spool(settings.data_dir / "tmp", f".{file_format}") as (descriptor, spool):
        # Each write goes to a worker thread: a slow disk never holds the event loop.
        async with anyio.wrap_file(os.fdopen(descriptor, "wb", closefd=False)) as handle:
            async for chunk in request.stream():
                await handle.write(chunk)
        if (await anyio.Path(spool).stat()).st_size == 0:
            raise MissingRequiredField("The file is empty",
                                       details={"field": "body", "issue": "send the file"})
        holder = f"{settings.executor_instance}:{os.getpid()}:{spool.name}"
        try:
            report = await anyio.to_thread.run_sync(lambda: _import_in_slot(
                state, company_id, holder, spool, site_id, file_format=file_format,
                overrides=overrides, source_name=f"import:{filename}" if filename else None,
                dry_run=dry_run))
        except ImportBusy as exc:
            raise Conflict("Another prospect import of your company is running", details={
                "field": "body", "issue": "one import at a time per company"},
                recommendation="Retry when it has finished.") from exc
        except ImportRefused as exc:
            raise InvalidValue(str(exc), details={"field": "body", "issue": str(exc)}) from exc
    body = report.model_dump(mode="json")
    body["file"] = filename or body["file"]
    body.pop("output", None)  # a server path: none of the caller's business
    return {"success": True, "data": body}
