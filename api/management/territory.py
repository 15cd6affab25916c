"""Territory workbench: `GET /api/territory-workbench/companies` (company-level analytics from
the DuckDB warehouse) and `POST` (create or update a tracked company in the operational DB).

GET: `client_id` (required), `sortBy` (companyName, leads, leadCount, industry, companySize,
country, avgScore, verifiedShare, firstSeen, lastSeen; default leads), `sortDirection`
(asc|desc, default desc), `industry`, `minLeads`, `maxLeads`, `search` (name or domain
contains), `startDate`/`endDate` (ISO dates: companies with lead activity in the range),
`limit` 1-1000 (default 100). Lead counts follow the warehouse, which syncs every 60 s.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.errors import InvalidFormat, InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import query_int, query_text
from api.security.auth import Caller, require_record_owner
from storage.db.clock import iso_z, utcnow
from storage.tenancy.accounts import find_client
from storage.warehouse.catalog import ensure_warehouse, open_warehouse
from storage.warehouse.territory_workbench import SORT_COLUMNS, TerritoryQuery, territory_companies
from storage.workspace.models import TerritoryCompany


class TerritoryCompanyBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    client_id: str = Field(min_length=1)
    companyName: str = Field(min_length=1, max_length=300)
    companyDomain: str | None = None
    industry: str | None = None
    companySize: str | None = None
    country: str | None = None
    status: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=5000)


def _client(session: Session, company_id: str, client_id: str) -> None:
    if find_client(session, company_id, client_id) is None:
        raise NotFound(f"No client {client_id}",
                       details={"field": "client_id", "issue": "not found"})


def _moment(request: Request, name: str, end_of_day: bool) -> datetime | None:
    raw = query_text(request, name)
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime(day.year, day.month, day.day)
            return moment + timedelta(days=1) if end_of_day else moment
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidFormat(f"{name} must be an ISO date", details={
            "field": name, "issue": "expected YYYY-MM-DD or an ISO timestamp"}) from None
    # The warehouse holds naive UTC timestamps.
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if isinstance(value, datetime) else None


def public_row(row: dict[str, Any], client_id: str) -> dict[str, Any]:
    return {"companyName": row["company_name"], "companyDomain": row["company_domain"],
            "industry": row["industry"], "companySize": row["company_size"],
            "country": row["country"], "leadCount": row["leads"],
            "avgScore": round(row["avg_score"], 4) if row["avg_score"] is not None else None,
            "verifiedShare": (round(row["verified_share"], 4)
                              if row["verified_share"] is not None else None),
            "firstSeen": _iso(row["first_seen"]), "lastSeen": _iso(row["last_seen"]),
            "id": row["record_id"], "status": row["status"], "notes": row["notes"],
            "client_id": client_id}


def public_record(record: TerritoryCompany) -> dict[str, Any]:
    return {"id": record.id, "client_id": record.client_id, "companyName": record.company_name,
            "companyDomain": record.company_domain, "industry": record.industry,
            "companySize": record.company_size, "country": record.country,
            "status": record.status, "notes": record.notes, "owner": record.owner,
            "company_id": record.company_id, "createdAt": iso_z(record.created_at),
            "updatedAt": iso_z(record.updated_at)}


class TerritoryController(Controller):
    path = "/api/territory-workbench/companies"
    tags = ["Territory workbench"]
    guards = [authenticated]

    @get("/", summary="Companies of a client's territory", sync_to_thread=True)
    def list_companies(self, request: Request, state: State, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """Companies of `client_id` from the DuckDB warehouse: `sortBy`, `sortDirection`,
        `industry`, `minLeads`, `maxLeads`, `search`, `startDate`, `endDate`, `limit`.
        """
        client_id = query_text(request, "client_id", required=True)
        sort_by = query_text(request, "sortBy") or "leads"
        if sort_by not in SORT_COLUMNS:
            raise InvalidValue("sortBy is not a sortable column", details={
                "field": "sortBy", "issue": f"one of {', '.join(SORT_COLUMNS)}"})
        direction = (query_text(request, "sortDirection") or "desc").lower()
        if direction not in ("asc", "desc"):
            raise InvalidValue("sortDirection must be asc or desc",
                               details={"field": "sortDirection", "issue": direction})
        query = TerritoryQuery(
            company_id="", client_id=client_id, sort_by=sort_by,
            descending=direction == "desc", industry=query_text(request, "industry"),
            min_leads=query_int(request, "minLeads", None, 0, 10**9),  # type: ignore[arg-type]
            max_leads=query_int(request, "maxLeads", None, 0, 10**9),  # type: ignore[arg-type]
            search=query_text(request, "search"),
            start=_moment(request, "startDate", end_of_day=False),
            end=_moment(request, "endDate", end_of_day=True),
            limit=query_int(request, "limit", 100, 1, 1000))
        _client(session, caller.company_id, client_id)
        records = list(session.exec(select(TerritoryCompany).where(
            TerritoryCompany.company_id == caller.company_id,
            TerritoryCompany.client_id == client_id)).all())
        # The operational reads are done: end the transaction (its connection goes back to
        # the pool) before the warehouse query, which can take a while.
        session.commit()
        query = replace(query, company_id=caller.company_id)
        settings = state.settings
        if not settings.warehouse_db.exists():
            ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
        with open_warehouse(settings.warehouse_db) as con:
            rows, total = territory_companies(con, query, records)
        return {"success": True, "companies": [public_row(row, client_id) for row in rows],
                "count": len(rows), "total": total}

    @post("/", summary="Create or update a tracked company", sync_to_thread=True)
    def save_company(self, session: Session, caller: Caller,
                     data: TerritoryCompanyBody) -> Response:
        """Creates or updates a tracked company of a client's territory."""
        _client(session, caller.company_id, data.client_id)
        name_key = data.companyName.strip().lower()
        record = session.exec(select(TerritoryCompany).where(
            TerritoryCompany.company_id == caller.company_id,
            TerritoryCompany.client_id == data.client_id,
            TerritoryCompany.name_key == name_key)).first()
        created = record is None
        if record is not None:
            require_record_owner(caller, record.owner, "tracked company", record.id)
        else:
            record = TerritoryCompany(id=str(uuid.uuid4()), company_id=caller.company_id,
                                      client_id=data.client_id, name_key=name_key,
                                      company_name=data.companyName, owner=caller.user_id)
        given = data.model_dump(exclude_unset=True, exclude={"client_id"})
        for field, column in (("companyName", "company_name"),
                              ("companyDomain", "company_domain"), ("industry", "industry"),
                              ("companySize", "company_size"), ("country", "country"),
                              ("status", "status"), ("notes", "notes")):
            if field in given:
                setattr(record, column, given[field])
        record.updated_at = utcnow()
        session.add(record)
        session.flush()
        reply = {"success": True, "created": created, "company": public_record(record)}
        return Response(reply, status_code=201 if created else 200)
