"""CORS for the emulated API: preflight answered per route, ``Access-Control-Allow-Origin`` on responses.

Starlette's CORSMiddleware answers every preflight 200 with one fixed method list and refuses an
unlisted origin with 400; here a preflight gets 204 with the methods of the route it asks about, and
an unlisted origin gets the same answer without ``Access-Control-Allow-Origin`` (the browser refuses).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mockryze.http.ratelimit import with_headers

API_PREFIX = "/api/"
ALLOWED_HEADERS = "Content-Type, Authorization, token"
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
ANY_ORIGIN = "*"


class Origins:
    """The ``--cors-origins`` setting: ``*``, or a comma-separated list whose members are echoed back."""

    def __init__(self, setting: str) -> None:
        listed = {origin.strip() for origin in setting.split(",") if origin.strip()}
        self.any = ANY_ORIGIN in listed
        self.listed = frozenset(listed - {ANY_ORIGIN})

    def headers_for(self, origin: str) -> list[tuple[bytes, bytes]]:
        if self.any:
            return [(b"access-control-allow-origin", ANY_ORIGIN.encode())]
        vary = (b"vary", b"Origin")  # the answer depends on the Origin: caches must not share it
        if origin in self.listed:
            return [(b"access-control-allow-origin", origin.encode()), vary]
        return [vary]


class CorsMiddleware:
    """Pure ASGI middleware over /api/: preflights end here (before the rate limit), other responses
    carrying an ``Origin`` get the allow-origin header."""

    def __init__(self, app: ASGIApp, origins: Origins, methods_for: Callable[[str], list[str]]) -> None:
        self.app = app
        self.origins = origins
        self.methods_for = methods_for  # the methods of the routes matching a path; none: not a route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _origin(scope) if scope["type"] == "http" else None
        if origin is None or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = self.origins.headers_for(origin)
        methods = self.methods_for(scope["path"])
        if _is_preflight(scope) and methods:
            await _preflight(send, headers, methods)
            return
        await self.app(scope, receive, with_headers(send, headers))


def _origin(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"origin":
            return str(value.decode("latin-1"))
    return None


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and "access-control-request-method" in Headers(scope=scope)


def ordered_methods(methods: set[str]) -> list[str]:
    return [method for method in METHOD_ORDER if method in methods]


async def _preflight(send: Send, headers: list[tuple[bytes, bytes]], methods: list[str]) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": [
        *headers,
        (b"access-control-allow-methods", ", ".join(methods).encode()),
        (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
    ]})
    await send({"type": "http.response.body", "body": b""})
