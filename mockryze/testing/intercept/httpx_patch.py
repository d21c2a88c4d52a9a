"""httpx: the stock transports' ``handle_request`` / ``handle_async_request``.

Every client uses them, whenever it was created and whatever options its own ``HTTPTransport(...)``
has; a request to an intercepted host runs the world's app in-process instead of opening a socket.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from mockryze.testing.intercept.registry import Patch, route

SyncSend = Callable[[httpx.HTTPTransport, httpx.Request], httpx.Response]
AsyncSend = Callable[[httpx.AsyncHTTPTransport, httpx.Request], Coroutine[Any, Any, httpx.Response]]


def _wrap_sync(original: SyncSend) -> SyncSend:
    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        gateway = route(request.url.host, request.url.port)
        if gateway is None:
            return original(self, request)
        return gateway.sync_transport.handle_request(request)

    return handle_request


def _wrap_async(original: AsyncSend) -> AsyncSend:
    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        gateway = route(request.url.host, request.url.port)
        if gateway is None:
            return await original(self, request)
        return await gateway.async_transport.handle_async_request(request)

    return handle_async_request


def patches() -> list[Patch]:
    return [Patch(httpx.HTTPTransport, "handle_request", _wrap_sync),
            Patch(httpx.AsyncHTTPTransport, "handle_async_request", _wrap_async)]
