"""Running the app on Hypercorn: in the foreground (``mockryze serve``) or in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockryze.core import literals
from mockryze.http.envelope import error_response

log = logging.getLogger("mockryze")

SHUTDOWN_GRACE = 0.5  # real seconds a request in flight at shutdown has to finish before it is answered 503


def hypercorn_config(host: str, port: int) -> Config:
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("mockryze.hypercorn")
    config.graceful_timeout = 1.0
    return config


def ensure_bindable(host: str, port: int) -> None:
    """Raise OSError now if the address is taken: Hypercorn would first start the app's lifespan and
    then log a long traceback from its cancellation on top of the bind error."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)


class Draining:
    """ASGI wrapper that lets the server stop cleanly: requests still in flight (a send waiting out its
    ``delay``, a body still arriving) answer 503 ``Server is shutting down`` with ``Connection: close``
    instead of being cut by Hypercorn (a bare 500 and a ``CancelledError`` traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.draining = False
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.draining:
            await _shutting_down(scope, receive, send)
            return
        task = asyncio.current_task()
        assert task is not None
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        self._in_flight.add(task)
        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            if not self.draining:  # Hypercorn's own cancellation: let it through
                raise
            task.uncancel()
            if not started:
                await _shutting_down(scope, receive, send)
        finally:
            self._in_flight.discard(task)

    async def drain(self, grace: float = SHUTDOWN_GRACE) -> int:
        """Give the requests in flight ``grace`` seconds, then answer the rest 503; returns how many."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=grace)
        self.draining = True
        cut = list(self._in_flight)
        for task in cut:
            task.cancel()
        return len(cut)


async def _shutting_down(scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(literals.SERVER_SHUTTING_DOWN, headers={"Connection": "close"})(scope, receive, send)


def _quiet_cut_connections(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A connection Hypercorn still cancels at the end of its grace period (a client that never finished its
    request line) is not an error: asyncio would log its ``CancelledError`` as a traceback."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        log.debug("connection closed at shutdown: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


async def serve_until_signalled(app: Starlette, host: str, port: int,
                                background: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
    """Serve until SIGINT / SIGTERM; ``background`` (e.g. the collector's policy) runs alongside until then."""
    ensure_bindable(host, port)
    task = asyncio.create_task(background()) if background is not None else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_cut_connections)
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    draining = Draining(app)

    async def shut_down() -> None:
        await stop.wait()
        cut = await draining.drain()
        if cut:
            log.warning("shutting down: %d request(s) still in flight answered 503 %s", cut,
                        literals.SERVER_SHUTTING_DOWN.message)
        await app.state.channels.hub.close_all()  # WebSocket clients get 1001 "going away"

    try:
        await hypercorn_serve(draining, hypercorn_config(host, port), shutdown_trigger=shut_down)  # type: ignore[arg-type]
    finally:
        if task is not None:
            task.cancel()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class BackgroundServer:
    """A live Hypercorn server on a free port, in a daemon thread; ``stop()`` shuts it down."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.base_url = f"http://{host}:{self.port}"
        self._app = app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="mockryze-server", daemon=True)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=0.2):
                return self
            time.sleep(0.01)
        raise RuntimeError(f"mockryze server did not start on {self.base_url}")

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            config = hypercorn_config(self.host, self.port)
            await hypercorn_serve(self._app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        asyncio.run(main())

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=5)
