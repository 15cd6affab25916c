"""The OpenAPI schema and a Swagger UI that works offline.

Litestar's UI pages load their JavaScript from a CDN by default; here the Swagger UI bundle
comes from the `swagger-ui-bundle` package and is served by Leadmill itself, so `/schema` works
on a machine with no internet.
"""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

ASSETS_PATH = "/docs-assets"


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
    )


def docs_assets_router() -> Router:
    """The Swagger UI files, from the installed `swagger-ui-bundle` package."""
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(path=ASSETS_PATH, directories=[swagger_ui_path],
                                      include_in_schema=False)
