"""The OpenAPI schema and a Swagger UI that works offline.

Litestar's UI pages load their JavaScript from a CDN by default; here the Swagger UI bundle
comes from the `swagger-ui-bundle` package and is served by Leadmill itself, so `/schema` works
on a machine with no internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Operation
from litestar.router import Router
from litestar.static_files import create_static_files_router
from pydantic import BaseModel

ASSETS_PATH = "/docs-assets"
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


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
        "management (leadgenius-pro-api.md). Authenticate with `x-api-key` or "
        "`Authorization: Bearer`.",
        path="/schema",
        render_plugins=[swagger],
        use_handler_docstrings=True,
    )


def docs_assets_router() -> Router:
    """The Swagger UI files, from the installed `swagger-ui-bundle` package."""
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(path=ASSETS_PATH, directories=[swagger_ui_path],
                                      include_in_schema=False)


def request_body_operation(model: type[BaseModel], example_file: str) -> type[Operation]:
    """An OpenAPI operation documenting a JSON body that the handler parses itself.

    The command API parses bodies by hand (to name the exact field of every error), so Litestar
    cannot see the model: this puts its JSON schema and a documented example in the schema.
    """
    example = json.loads((EXAMPLES_DIR / example_file).read_text())
    schema = model.model_json_schema()

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = {  # type: ignore[assignment]  # rendered as given
                "required": True,
                "content": {"application/json": {
                    "schema": schema,
                    "examples": {"documented": {"summary": "The documentation's example",
                                                "value": example}},
                }},
            }

    return DocumentedOperation
