"""Request bodies decoded by Litestar into the routes' pydantic models, refusing bad input the
same way on every route.

A handler declares `data: SomeModel`; Litestar reads the body with `LeadmillRequest.json`
(`api.json_body.load_json`: no NaN or infinity, no nesting past 64 levels) and converts it
with the type decoder of `RequestModelPlugin`, which validates the model and raises the
documented lead-management error for its first problem (`api.management.requests.validate`).
A body that is not a JSON object is invalid_format; an empty one too (api/errors.py).

Litestar's own conversion would answer a generic 400 naming only "data"; the decoder raises a
`ManagementError` instead, which msgspec and Litestar's signature model let through unchanged
(they only wrap TypeError and ValueError), so the app's exception handler writes the error.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.config.app import AppConfig
from litestar.plugins.pydantic import PydanticInitPlugin
from litestar.types import Empty
from pydantic import BaseModel

from api.management.requests import json_object, read_json, validate


class LeadmillRequest(Request):
    """Litestar's request, with JSON read by the hardened decoder."""

    async def json(self) -> Any:
        if self._json is not Empty:
            return self._json
        if self._connection_state.json is not Empty:
            self._json = self._connection_state.json
            return self._json
        # An empty body never gets here: Litestar reports it missing first (api/errors.py).
        value = read_json(await self.body())
        self._json = self._connection_state.json = value
        return value


def _is_request_model(target: Any) -> bool:
    return isinstance(target, type) and issubclass(target, BaseModel)


def _decode_request_model(model: type[BaseModel], value: Any) -> BaseModel:
    if isinstance(value, model):
        return value
    return validate(model, json_object(value))


class RequestModelPlugin(PydanticInitPlugin):
    """Litestar's pydantic plugin, with the decoder above tried before its own (the plugin
    puts its decoders ahead of the app's, so an app-level decoder alone is never reached)."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config = super().on_app_init(app_config)
        app_config.type_decoders = [(_is_request_model, _decode_request_model),
                                    *(app_config.type_decoders or [])]
        return app_config

