"""The API docs (Swagger UI at /schema/swagger) from our own static files: no CDN, no inline script."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

__all__ = ["SelfHostedSwagger", "SWAGGER_STATIC"]

SWAGGER_STATIC = "/static/vendor/swagger-ui"
"""swagger-ui-dist's bundle, style sheet and licence, committed (a city may run offline; pip cannot run npm)."""


class SelfHostedSwagger(OpenAPIRenderPlugin):
    """Litestar's ``SwaggerRenderPlugin`` loads Swagger UI from a CDN and starts it with an inline script, which
    the Content-Security-Policy refuses; this page loads both from /static and reads the schema from its JSON URL."""

    def __init__(self, path: str = "/swagger", **kwargs: Any) -> None:
        kwargs.setdefault("favicon", "")
        kwargs.setdefault("style", "")
        super().__init__(path=path, **kwargs)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        schema_path = (request.app.openapi_config.path if request.app.openapi_config else None) or "/schema"
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec_url = escape(f"{schema_path.rstrip('/')}/openapi.json")
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{SWAGGER_STATIC}/swagger-ui.css">
  <script src="{SWAGGER_STATIC}/swagger-ui-bundle.js" defer></script>
  <script src="/static/js/swagger-init.js" defer></script>
</head>
<body>
  <main id="swagger-container" data-spec-url="{spec_url}"></main>
</body>
</html>
""".encode()
