"""Settings that drive lead processing: `/api/settings/url`, `/agent`, `/sdr-ai`.

Company-wide by default; with `client_id` (query for GET, body for POST/PUT) one client's own
settings, which override the company's key by key. POST creates or merges (201), PUT merges into
settings that exist (404 when there are none). Service API keys are sealed at rest and only
ever answered masked (`"****abcd"`); a null or "" value clears a key.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from pydantic import BaseModel, create_model
from sqlmodel import Session

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import StrippedContractBody, query_text
from api.security.auth import Caller
from storage.tenancy.accounts import find_client
from storage.tenancy.secrets import SecretBox
from storage.workspace.agent_settings import (
    AGENT_KEYS,
    SDR_KEYS,
    effective_agent_values,
    find_agent_setting,
    merge_agent_values,
)
from storage.workspace.service_settings import URL_SERVICES, list_services, set_service

KEY_SUFFIX = "_Apikey"

UrlSettingsBody = create_model(  # type: ignore[call-overload]
    "UrlSettingsBody", __base__=StrippedContractBody, client_id=(str | None, None),
    **{name: (str | None, None) for service in URL_SERVICES
       for name in (service, service + KEY_SUFFIX)})
AgentSettingsBody = create_model(  # type: ignore[call-overload]
    "AgentSettingsBody", __base__=StrippedContractBody, client_id=(str | None, None),
    **{name: (str | None, None) for name in AGENT_KEYS})
SdrSettingsBody = create_model(  # type: ignore[call-overload]
    "SdrSettingsBody", __base__=StrippedContractBody, client_id=(str | None, None),
    **{name: (str | None, None) for name in SDR_KEYS})


def mask_key(key: str) -> str:
    """Enough to recognise a key, never enough to use it."""
    return "****" + key[-4:] if len(key) >= 12 else "****"


def client_scope(session: Session, caller: Caller, client_id: str | None) -> str | None:
    if client_id and find_client(session, caller.company_id, client_id) is None:
        raise NotFound(f"No client {client_id}", details={"field": "client_id", "issue":
                                                          "not a client of your company"})
    return client_id


def url_settings_view(session: Session, box: SecretBox, company_id: str,
                      client_id: str | None) -> dict[str, Any]:
    """Every documented key, the client's own values over the company's, keys masked."""
    view: dict[str, Any] = {}
    for service in URL_SERVICES:
        view[service] = None
        view[service + KEY_SUFFIX] = None
    scopes = [None] + ([client_id] if client_id else [])
    for scope in scopes:
        for row in list_services(session, company_id, scope):
            if row.service not in URL_SERVICES:
                continue
            view[row.service] = row.url
            view[row.service + KEY_SUFFIX] = (mask_key(box.open(row.api_key_sealed))
                                              if row.api_key_sealed else None)
    return view


def agent_view(session: Session, company_id: str, kind: str, client_id: str | None,
               keys: tuple[str, ...]) -> dict[str, Any]:
    values = effective_agent_values(session, company_id, kind, client_id)
    return {key: values.get(key) for key in keys}


class SettingsController(Controller):
    path = "/api/settings"
    tags = ["Settings"]
    guards = [authenticated]

    # -- URL settings ----------------------------------------------------------------------
    @get("/url", summary="Enrichment service URLs and keys (keys masked)", sync_to_thread=True)
    def get_url_settings(self, request: Request, state: State, session: Session,
                         caller: Caller) -> dict[str, Any]:
        """URL settings (`companyUrl`, `emailFinder`, `enrichment1`..`10`, providers) with keys
        masked; `?client_id=` for a client's own.
        """
        client_id = client_scope(session, caller, query_text(request, "client_id"))
        view = url_settings_view(session, state.secret_box, caller.company_id, client_id)
        return {"success": True, "client_id": client_id, "settings": view}

    @post("/url", status_code=201, summary="Create or merge URL settings", sync_to_thread=True)
    def create_url_settings(self, state: State, session: Session, caller: Caller,
                            data: UrlSettingsBody) -> dict[str, Any]:
        """Creates or merges URL settings (`<name>` and `<name>_Apikey`); keys are stored sealed
        and never returned in clear.
        """
        return self._write_url_settings(state, session, caller, data, must_exist=False)

    @put("/url", summary="Update URL settings", sync_to_thread=True)
    def update_url_settings(self, state: State, session: Session, caller: Caller,
                            data: UrlSettingsBody) -> dict[str, Any]:
        """Merges into existing URL settings (404 when there are none yet)."""
        return self._write_url_settings(state, session, caller, data, must_exist=True)

    def _write_url_settings(self, state: State, session: Session, caller: Caller,
                            body: BaseModel, must_exist: bool) -> dict[str, Any]:
        client_id = client_scope(session, caller, getattr(body, "client_id", None))
        given = body.model_dump(exclude_unset=True, exclude={"client_id"})
        if not given:
            raise InvalidValue("No settings given", details={
                "field": "body", "issue": f"expected some of {', '.join(URL_SERVICES)}"})
        stored = {row.service: row for row in
                  list_services(session, caller.company_id, client_id)}
        if must_exist and not any(service in stored for service in URL_SERVICES):
            raise NotFound("No URL settings to update yet",
                           recommendation="Create them with POST /api/settings/url.")
        for service in URL_SERVICES:
            if service not in given and service + KEY_SUFFIX not in given:
                continue
            url = given[service] if service in given else (
                stored[service].url if service in stored else None)
            if url:
                problem = state.egress_policy.literal_problem(url)
                if problem:
                    raise InvalidValue(f"Invalid URL for {service}",
                                       details={"field": service, "issue": problem})
            key = given.get(service + KEY_SUFFIX) if service + KEY_SUFFIX in given else None
            set_service(session, state.secret_box, company_id=caller.company_id,
                        service=service, url=url or None,
                        api_key="" if key is None and service + KEY_SUFFIX in given else key,
                        client_id=client_id)
        view = url_settings_view(session, state.secret_box, caller.company_id, client_id)
        return {"success": True, "client_id": client_id, "settings": view}

    # -- agent settings (copywriting) and SDR AI settings --------------------------------
    @get("/agent", summary="Copywriting agent ids", sync_to_thread=True)
    def get_agent_settings(self, request: Request, session: Session,
                           caller: Caller) -> dict[str, Any]:
        """Copywriting agent settings (`projectId`, `enrichment1AgentId`..`enrichment10AgentId`)."""
        return self._read_agents(request, session, caller, "agent", AGENT_KEYS)

    @post("/agent", status_code=201, summary="Create or merge copywriting agent ids",
          sync_to_thread=True)
    def create_agent_settings(self, session: Session, caller: Caller,
                              data: AgentSettingsBody) -> dict[str, Any]:
        """Creates or merges copywriting agent settings."""
        return self._write_agents(session, caller, data, "agent", AGENT_KEYS, must_exist=False)

    @put("/agent", summary="Update copywriting agent ids", sync_to_thread=True)
    def update_agent_settings(self, session: Session, caller: Caller,
                              data: AgentSettingsBody) -> dict[str, Any]:
        """Merges into existing copywriting agent settings."""
        return self._write_agents(session, caller, data, "agent", AGENT_KEYS, must_exist=True)

    @get("/sdr-ai", summary="SDR AI agent ids", sync_to_thread=True)
    def get_sdr_settings(self, request: Request, session: Session,
                         caller: Caller) -> dict[str, Any]:
        """SDR AI settings (`projectId`, `<fieldName>AgentId`)."""
        return self._read_agents(request, session, caller, "sdr-ai", SDR_KEYS)

    @post("/sdr-ai", status_code=201, summary="Create or merge SDR AI agent ids",
          sync_to_thread=True)
    def create_sdr_settings(self, session: Session, caller: Caller,
                            data: SdrSettingsBody) -> dict[str, Any]:
        """Creates or merges SDR AI settings."""
        return self._write_agents(session, caller, data, "sdr-ai", SDR_KEYS, must_exist=False)

    @put("/sdr-ai", summary="Update SDR AI agent ids", sync_to_thread=True)
    def update_sdr_settings(self, session: Session, caller: Caller,
                            data: SdrSettingsBody) -> dict[str, Any]:
        """Merges into existing SDR AI settings."""
        return self._write_agents(session, caller, data, "sdr-ai", SDR_KEYS, must_exist=True)

    def _read_agents(self, request: Request, session: Session, caller: Caller, kind: str,
                     keys: tuple[str, ...]) -> dict[str, Any]:
        client_id = client_scope(session, caller, query_text(request, "client_id"))
        return {"success": True, "client_id": client_id,
                "settings": agent_view(session, caller.company_id, kind, client_id, keys)}

    def _write_agents(self, session: Session, caller: Caller, body: BaseModel, kind: str,
                      keys: tuple[str, ...], must_exist: bool) -> dict[str, Any]:
        client_id = client_scope(session, caller, getattr(body, "client_id", None))
        given = body.model_dump(exclude_unset=True, exclude={"client_id"})
        if not given:
            raise InvalidValue("No settings given", details={
                "field": "body", "issue": f"expected some of {', '.join(keys)}"})
        if must_exist and find_agent_setting(session, caller.company_id, kind,
                                             client_id) is None:
            raise NotFound(f"No {kind} settings to update yet",
                           recommendation=f"Create them with POST /api/settings/{kind}.")
        merge_agent_values(session, company_id=caller.company_id, kind=kind, values=given,
                           client_id=client_id)
        return {"success": True, "client_id": client_id,
                "settings": agent_view(session, caller.company_id, kind, client_id, keys)}
