"""The OpenAPI schema and a Swagger UI that works offline.

Litestar's UI pages load their JavaScript from a CDN by default; here the Swagger UI bundle
comes from the `swagger-ui-bundle` package and is served by Leadmill itself, so `/schema` works
on a machine with no internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Example, OpenAPI, OpenAPIMediaType, OpenAPIResponse, Operation
from litestar.router import Router
from litestar.static_files import create_static_files_router
from pydantic import BaseModel

ASSETS_PATH = "/docs-assets"
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


def openapi_config(version: str) -> OpenAPIConfig:
    """`/schema` (Swagger UI) and `/schema/openapi.json`."""
    swagger = SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        path="/",
    )
    return OpenAPIConfig(
        title="Leadmill API",
        version=version,
        description="Lead-generation commands (uncodie-lead-generation-command.md) and lead "
        "management (leadgenius-pro-api.md), with its agent API (openapi.json) under "
        "/api/agent. Authenticate with `Authorization: Bearer` (an access token or an API "
        "key; tried first) or `x-api-key` (with `x-user-id`).",
        path="/schema",
        render_plugins=[swagger],
        use_handler_docstrings=True,
    )


def docs_assets_router() -> Router:
    """The Swagger UI files, from the installed `swagger-ui-bundle` package."""
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(path=ASSETS_PATH, directories=[swagger_ui_path],
                                      include_in_schema=False)


def request_body_operation(model: type[BaseModel], example_file: str,
                           response_file: str | None = None) -> type[Operation]:
    """An OpenAPI operation documenting a JSON body that the handler parses itself.

    The command API parses bodies by hand (to name the exact field of every error), so Litestar
    cannot see the model: this puts its JSON schema and a documented example in the schema,
    and the reply from `response_file` (under api/examples/) as the success example.
    """
    example = json.loads((EXAMPLES_DIR / example_file).read_text())
    reply = json.loads((EXAMPLES_DIR / response_file).read_text()) if response_file else None
    return documented(request_model=model, request_example=example,
                      request_summary="The documentation's example", example_name="documented",
                      response_example=reply)


def documented(*, request_model: type[BaseModel] | None = None,
               request_example: dict[str, Any] | None = None,
               request_summary: str = "Example", example_name: str = "example",
               response_example: Any = None, response_status: str = "200") -> type[Operation]:
    """An Operation class carrying a request body schema/example and/or a response example."""

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            if request_example is not None or request_model is not None:
                add_request_example(self, example_name, request_summary, request_example,
                                    request_model)
            if response_example is not None:
                add_response_example(self, response_status, response_example)

    return DocumentedOperation


def add_request_example(operation: Operation, name: str, summary: str, example: Any,
                        model: type[BaseModel] | None,
                        media_type: str = "application/json") -> None:
    """Adds a named example (and the model's schema, if none yet) to the request body."""
    body = operation.request_body if isinstance(operation.request_body, dict) else None
    if body is None:
        body = {"required": True, "content": {}}
        operation.request_body = body  # type: ignore[assignment]  # rendered as given
    media = body["content"].setdefault(media_type, {})
    if model is not None and "schema" not in media:
        media["schema"] = model.model_json_schema()
    if example is not None:
        media.setdefault("examples", {})[name] = {"summary": summary, "value": example}


def add_response_example(operation: Operation, status: str, example: Any,
                         name: str = "example") -> None:
    """Adds a JSON example to the `status` response, creating the response if undocumented."""
    responses = operation.responses if operation.responses is not None else {}
    operation.responses = responses
    response = responses.get(status)
    if response is None:
        response = OpenAPIResponse(description="Success")
        responses[status] = response
    content = response.content if response.content is not None else {}
    response.content = content
    media = content.get("application/json")
    if media is None:
        media = OpenAPIMediaType()
        content["application/json"] = media
    media.examples = {**(media.examples or {}),
                      name: Example(summary="A real reply", value=example)}


def add_catalogued_examples(openapi: OpenAPI) -> None:
    """Puts every catalogued request and response example into the built schema.

    Most handlers read their body themselves (to word each error as the documents do), so the
    examples are kept in one catalogue (api/docs/request_examples.py, api/examples/responses.json)
    rather
    than on each decorator.
    """
    from api.docs.request_examples import request_docs

    paths = openapi.paths or {}
    for (method, key), doc in request_docs().items():
        path, _, variant = key.partition("#")
        operation = _operation(paths, method, path)
        if operation is not None:
            add_request_example(operation, variant or "example", doc.summary, doc.example,
                                doc.model, doc.media_type)
    responses = json.loads((EXAMPLES_DIR / "responses.json").read_text())
    for route, reply in responses.items():
        method, key = route.split(" ", 1)
        path, _, variant = key.partition("#")
        operation = _operation(paths, method, path)
        if operation is not None:
            add_response_example(operation, reply["status"], reply["body"], variant or "example")


def _operation(paths: dict[str, Any], method: str, path: str) -> Operation | None:
    item = paths.get(path)
    return getattr(item, method.lower(), None) if item is not None else None
