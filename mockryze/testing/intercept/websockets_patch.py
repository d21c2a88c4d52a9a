"""websockets: the clients' ``connect`` at their constructors: the asyncio ``websockets.connect`` and the
threading ``websockets.sync.client.connect`` (whose function builds a ``reconnect``).

``async with connect("wss://ryzeapi.cloud/ws/sales?token=…")`` opens a real WebSocket to the world's
loopback server instead, so the frames are exactly those any WebSocket client of the mock receives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.sync import client as sync_client

from mockryze.testing.intercept.registry import Patch, route

Init = Callable[..., None]


def _wrap(original: Init) -> Init:
    def __init__(self: Any, uri: str, *args: Any, **kwargs: Any) -> None:
        parts = urlsplit(uri)
        gateway = route(parts.hostname, parts.port)
        if gateway is not None:
            host, port = gateway.loopback()
            uri = urlunsplit(("ws", f"{host}:{port}", parts.path, parts.query, ""))
            for secure_only in ("ssl", "server_hostname"):
                kwargs.pop(secure_only, None)
            kwargs["proxy"] = None
        original(self, uri, *args, **kwargs)

    return __init__


def patches() -> list[Patch]:
    rows = [Patch(connect, "__init__", _wrap)]
    reconnect = getattr(sync_client, "reconnect", None)  # websockets >= 16; older sync clients are not answered
    if reconnect is not None:
        rows.append(Patch(reconnect, "__init__", _wrap))
    return rows
