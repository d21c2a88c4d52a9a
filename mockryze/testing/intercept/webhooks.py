"""``ryze.deliver_to(app)``: webhook deliveries POSTed into the code under test's own web app, in-process.

The app is an ASGI app (Starlette, FastAPI, …) or a WSGI app (Flask, Django, …); a WSGI app runs
in a worker thread, as a WSGI server would run it. Deliveries to the returned URL go through the
same dispatcher as those to a real URL: same envelopes, headers, retries and journal.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from typing import TYPE_CHECKING, Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from mockryze.testing.api import MockRyze

APP_HOST = "http://app-{n}.webhook.mockryze.test"
_numbers = itertools.count(1)


def is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", None)  # noqa: B004
    return inspect.iscoroutinefunction(call)


class WsgiApp:
    """A WSGI app as an ASGI app: the body is read whole, the app runs in a thread."""

    def __init__(self, app: Any) -> None:
        self.transport = httpx.WSGITransport(app=app, raise_app_exceptions=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "localhost")
        query = f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else ""
        request = httpx.Request(scope["method"], f"{scope['scheme']}://{host}{scope['path']}{query}",
                                headers=scope["headers"], content=body)
        response = await asyncio.to_thread(self.transport.handle_request, request)
        content = await asyncio.to_thread(response.read)
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": response.headers.raw})
        await send({"type": "http.response.body", "body": content})


def deliver_to(mock: MockRyze, app: Any, path: str = "/webhook", base_url: str | None = None) -> str:
    """Route deliveries for ``base_url`` (default: a new ``http://app-N.webhook.mockryze.test``) into
    ``app``; returns the webhook URL to configure: ``base_url`` + ``path``."""
    base = (base_url or APP_HOST.format(n=next(_numbers))).rstrip("/")
    asgi: ASGIApp = app if is_asgi(app) else WsgiApp(app)
    mock.channels.delivery.route_locally(base, asgi)
    return base + ("/" + path.lstrip("/") if path else "")
