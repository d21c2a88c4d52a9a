"""The demo sandbox: a page (plain HTML, CSS and JavaScript shipped in ``static/``) served at ``/`` to
browsers and at ``/sandbox/``. It is a client like any other: it talks to the public API, the control
plane and the WebSocket; the only thing it asks this module for is ``config.json`` (what a newcomer
needs to start: the default account, unless a control token guards the server, and the QR timers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mockryze import __version__
from mockryze.core import literals
from mockryze.core.world import World
from mockryze.http.envelope import error_response

SANDBOX_PATH = "/sandbox/"
STATIC_PATH = "/sandbox/static/"
CONFIG_PATH = "/sandbox/config.json"
PAGE = "index.html"
VERSION_MARK = "__ASSET_VERSION__"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}
# The page is revalidated on every load; assets carry the content hash in their URL (``?v=``), so a
# browser keeps them until the package changes.
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; "
                               "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _read(name: str) -> bytes:
    return (resources.files("mockryze.sandbox") / "static" / name).read_bytes()


@cache
def assets() -> dict[str, Asset]:
    """Every shipped file but the page, by name."""
    folder = resources.files("mockryze.sandbox") / "static"
    found: dict[str, Asset] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.name != PAGE and suffix in TYPES:
            body = entry.read_bytes()
            found[entry.name] = Asset(body, TYPES[suffix], _etag(body))
    return found


def asset_version() -> str:
    digest = hashlib.sha256()
    for name, asset in sorted(assets().items()):
        digest.update(name.encode() + asset.body)
    return digest.hexdigest()[:12]


@cache
def page() -> Asset:
    body = _read(PAGE).replace(VERSION_MARK.encode(), asset_version().encode())
    return Asset(body, TYPES[".html"], _etag(body))


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _answer(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {"Cache-Control": cache_control, "ETag": asset.etag, **SECURITY_HEADERS}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def wants_page(request: Request) -> bool:
    """A browser navigating to ``/`` (it asks for HTML); API clients and curl keep the JSON index."""
    return "text/html" in request.headers.get("accept", "")


async def serve_page(request: Request) -> Response:
    return _answer(request, page(), PAGE_CACHE)


async def serve_asset(request: Request) -> Response:
    asset = assets().get(request.path_params["file"])
    if asset is None:
        return error_response(literals.ROUTE_NOT_FOUND)
    return _answer(request, asset, ASSET_CACHE)


async def serve_config(request: Request) -> Response:
    world: World = request.app.state.world
    settings = world.settings
    guarded = settings.control_token is not None
    return JSONResponse({
        "version": __version__,
        "defaultAccountToken": None if guarded else world.default_account.token,
        "controlTokenRequired": guarded,
        "qrRotateSeconds": settings.qr_rotate_seconds,
        "qrTimeoutSeconds": settings.qr_timeout_seconds,
    }, headers={"Cache-Control": "no-store", **SECURITY_HEADERS})


def routes() -> list[BaseRoute]:
    return [
        Route(SANDBOX_PATH, serve_page, methods=["GET"], include_in_schema=False),
        Route(SANDBOX_PATH.rstrip("/"), serve_page, methods=["GET"], include_in_schema=False),
        Route(CONFIG_PATH, serve_config, methods=["GET"], include_in_schema=False),
        Route(STATIC_PATH + "{file}", serve_asset, methods=["GET"], include_in_schema=False),
    ]
