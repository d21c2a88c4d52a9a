"""The sync httpx transport that calls the ASGI app in this process: no sockets, no thread hop.

It runs the app's coroutine on the caller's own thread, without an event loop (httpx has no sync
ASGI transport). It can, because nothing an HTTP route does waits on an event loop: the body is
already in memory, and a send with ``delay`` sees the :data:`BLOCKING` scope extension and waits on
the mock's clock by blocking the thread instead. It builds the ASGI scope as ``httpx.ASGITransport``
does, which is what the async client uses.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Scope

from mockryze.http.routing import BLOCKING
from mockryze.scenarios.faults import FAULT_HEADER

CLIENT_ADDRESS = ("127.0.0.1", 123)


class _Exchange:
    """One request through the app: what it receives, and the response it sends back."""

    def __init__(self, request: httpx.Request, body: bytes) -> None:
        url = request.url
        self.scope: Scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "scheme": url.scheme, "path": url.path, "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query, "server": (url.host, url.port), "client": CLIENT_ADDRESS, "root_path": "",
            "extensions": {BLOCKING: {}},
        }
        self._body: bytes | None = body
        self._head_only = request.method == "HEAD"
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.parts: list[bytes] = []

    async def receive(self) -> Message:
        if self._body is None:  # the app reads past the body: the client has gone
            return {"type": "http.disconnect"}
        body, self._body = self._body, None
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body" and not self._head_only:
            self.parts.append(message.get("body", b""))

    async def run(self, app: ASGIApp) -> None:
        """A crash answers what the app sent (the documented 500), as over a socket; the app logs it."""
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            if self.status is None:  # as httpx.ASGITransport: a crash before any response is a bare 500
                self.status = 500

    def response(self, request: httpx.Request) -> httpx.Response:
        assert self.status is not None, "the app returned without sending a response"
        return httpx.Response(self.status, headers=self.headers, content=b"".join(self.parts), request=request)


def _run_here(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end on this thread, without an event loop."""
    try:
        while True:
            if coro.send(None) is not None:  # a bare ``yield`` (sleep(0)) just resumes; a future cannot
                coro.close()
                raise RuntimeError("the in-process app awaited an event loop; use async_client() for this request")
    except StopIteration:
        return


class SyncTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(request, request.read())
        _run_here(exchange.run(self.app))
        dropped = dict(exchange.headers).get(FAULT_HEADER.lower().encode())
        if dropped in DROPPED:  # a `timeout` / `connection_reset` fault: what a socket would raise
            raise DROPPED[dropped](f"injected fault: {dropped.decode()}", request=request)
        return exchange.response(request)


# The faults that cut the connection, and what httpx raises for them over a real socket.
DROPPED: dict[bytes, type[httpx.TransportError]] = {
    b"timeout": httpx.ReadTimeout, b"connection_reset": httpx.RemoteProtocolError,
}

