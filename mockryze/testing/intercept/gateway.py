"""How an intercepted request reaches a world: in-process transports, or its loopback server.

httpx and requests calls run the ASGI app in this process (the same transports as ``ryze.client``
and ``ryze.async_client()``). aiohttp and ``websockets`` own their sockets and protocol code, so
their calls go to a server of the same world on 127.0.0.1, started on first use: a WebSocket client
gets exactly the frames any real WebSocket client of the mock gets, from the same hub. Nothing is
sent to the intercepted host itself.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import httpx

from mockryze.testing.inprocess import SyncTransport

if TYPE_CHECKING:
    from mockryze.server import BackgroundServer
    from mockryze.testing.api import MockRyze


class Gateway:
    def __init__(self, mock: MockRyze) -> None:
        self.mock = mock
        self._sync: SyncTransport | None = None
        self._async: httpx.ASGITransport | None = None
        self._server: BackgroundServer | None = None
        self._lock = threading.Lock()

    @property
    def sync_transport(self) -> SyncTransport:
        if self._sync is None:
            self._sync = SyncTransport(self.mock.app)
        return self._sync

    @property
    def async_transport(self) -> httpx.ASGITransport:
        if self._async is None:
            # raise_app_exceptions=False: a crash answers the documented 500, as over a socket
            self._async = httpx.ASGITransport(app=self.mock.app, raise_app_exceptions=False)
        return self._async

    def loopback(self) -> tuple[str, int]:
        """Host and port of this world's server on 127.0.0.1 (started on first use, stopped by close)."""
        with self._lock:
            if self._server is None:
                from mockryze.http.app import create_app
                from mockryze.server import BackgroundServer

                app = create_app(self.mock.world, channels=self.mock.channels)
                self._server = BackgroundServer(app).start()
            return self._server.host, self._server.port

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()
