"""``GET /docs``: the API reference (Swagger UI) over ``/openapi.json``, from assets shipped in the package.

Mock-only: RyzeAPI has no such route. The files under ``mockryze/docs_static/`` are Swagger UI's own
(npm ``swagger-ui-dist``), served from a fixed list so no other path of the package can be read.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

DOCS_PATH = "/docs"
STATIC = Path(__file__).parent / "docs_static"
SWAGGER_UI_VERSION = "5.32.4"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain; charset=utf-8",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>RyzeAPI (mockryze) — API reference</title>
  <link rel="stylesheet" href="{docs}/static/swagger-ui.css">
  <link rel="icon" type="image/png" href="{docs}/static/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{docs}/static/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{openapi}", dom_id: "#swagger-ui", deepLinking: true,
      docExpansion: "none", defaultModelsExpandDepth: 0, tryItOutEnabled: true
    }});
  </script>
</body>
</html>
"""


@cache
def _read(name: str) -> bytes:
    """An asset's bytes, read once (the in-process client has no worker thread for file responses)."""
    return (STATIC / name).read_bytes()


def routes(openapi_path: str) -> list[Route]:
    """The page and its assets (not operations of the API: left out of the document)."""

    async def page(request: Request) -> Response:
        return HTMLResponse(PAGE.format(docs=DOCS_PATH, openapi=openapi_path))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(_read(name), media_type=ASSETS[name], headers={"cache-control": "max-age=86400"})

    return [Route(DOCS_PATH, page, methods=["GET"], include_in_schema=False),
            Route(DOCS_PATH + "/static/{name}", asset, methods=["GET"], include_in_schema=False)]
