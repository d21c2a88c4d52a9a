"""The WebSocket hub: every connected client of an instance gets each event it wants, as one text frame.

Each client has a bounded queue drained by its own sender task. A client that falls
``websocket_queue_size`` frames behind is closed with code 1013 ("try again later") rather than
slowing the server or silently losing frames; it can reconnect (RyzeAPI keeps no replay either).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect

from mockryze.core.bus import RecordedEvent
from mockryze.events.config import for_channel, wants

if TYPE_CHECKING:
    from mockryze.events.config import WebSocketConfig

SLOW_CLIENT_CLOSE = 1013
GOING_AWAY = 1001


@dataclass(eq=False)
class Client:
    websocket: WebSocket
    loop: asyncio.AbstractEventLoop
    events: tuple[str, ...]
    media_base64: bool
    queue: asyncio.Queue[str]
    overflowed: bool = False

    def offer(self, frame: str) -> None:
        """Runs on the client's loop."""
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed = True
            self.loop.create_task(self._close_slow())

    async def _close_slow(self) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(SLOW_CLIENT_CLOSE, "client too slow: frame queue full")

    async def run(self) -> None:
        """Send queued frames until the peer goes away; client messages are read and ignored."""
        sender = asyncio.create_task(self._send_frames())
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_frames(self) -> None:
        while not self.overflowed:
            frame = await self.queue.get()
            await self.websocket.send_text(frame)


class Hub:
    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._clients: dict[tuple[str, str], set[Client]] = {}
        self._lock = threading.Lock()

    def connect(self, key: tuple[str, str], websocket: WebSocket, config: WebSocketConfig) -> Client:
        client = Client(
            websocket=websocket, loop=asyncio.get_running_loop(), events=config.events,
            media_base64=config.media_base64, queue=asyncio.Queue(self.queue_size),
        )
        with self._lock:
            self._clients.setdefault(key, set()).add(client)
        return client

    def disconnect(self, key: tuple[str, str], client: Client) -> None:
        with self._lock:
            clients = self._clients.get(key, set())
            clients.discard(client)
            if not clients:
                self._clients.pop(key, None)

    async def close_all(self, code: int = GOING_AWAY, reason: str = "server shutting down") -> None:
        """Say goodbye to every client on this loop (the server is stopping), rather than let the
        server cancel them, which clients see as 1011 internal error."""
        loop = asyncio.get_running_loop()
        with self._lock:
            clients = [c for group in self._clients.values() for c in group if c.loop is loop]
        for client in clients:
            with contextlib.suppress(Exception):
                await client.websocket.close(code, reason)

    def count(self, key: tuple[str, str]) -> int:
        with self._lock:
            return len(self._clients.get(key, ()))

    def on_event(self, record: RecordedEvent) -> None:
        """Bus subscriber: nothing is built when nobody listens (as RyzeAPI does)."""
        with self._lock:
            clients = list(self._clients.get((record.account_token, record.instance), ()))
        if not clients:
            return
        here = _running_loop()
        frames: dict[bool, str] = {}
        for client in clients:
            if not wants(client.events, record.event):
                continue
            if client.media_base64 not in frames:
                frames[client.media_base64] = json.dumps(
                    for_channel(record.envelope, client.media_base64), ensure_ascii=False
                )
            # Usually the event comes from a request on the client's own loop: no self-pipe wake-up then.
            # Still call_soon, not a direct offer, so frames keep emission order with other threads' events.
            call_soon = client.loop.call_soon if client.loop is here else client.loop.call_soon_threadsafe
            with contextlib.suppress(RuntimeError):  # the client's loop has already closed
                call_soon(client.offer, frames[client.media_base64])


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
