"""The WebSocket hub: every connected client of an instance gets each event it wants, as one text frame.

Each client has a bounded queue drained by its own sender task. A client that falls
``websocket_queue_size`` frames behind is closed with code 1013 ("try again later") rather than
slowing the server or silently losing frames; it can reconnect (RyzeAPI keeps no replay either).
A socket lives no longer than the authority that opened it: deleting the instance closes its sockets
with 1008 (its token is refused from then on), a reset closes every socket with 1001, each after the
frames already queued for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect

from mockryze.core.bus import RecordedEvent
from mockryze.core.stats import Counters
from mockryze.events.config import for_channel, wants

if TYPE_CHECKING:
    from mockryze.events.config import WebSocketConfig

SLOW_CLIENT_CLOSE = 1013
GOING_AWAY = 1001
POLICY_VIOLATION = 1008


@dataclass(frozen=True)
class Closing:
    """The last item of a client's queue: close the socket once the frames before it are sent."""

    code: int
    reason: str


SLOW = Closing(SLOW_CLIENT_CLOSE, "client too slow: frame queue full")
INSTANCE_DELETED = Closing(POLICY_VIOLATION, "instance deleted")
WORLD_RESET = Closing(GOING_AWAY, "world reset")


@dataclass(eq=False)
class Client:
    websocket: WebSocket
    loop: asyncio.AbstractEventLoop
    events: tuple[str, ...]
    media_base64: bool
    queue: asyncio.Queue[str | Closing]
    overflowed: bool = False
    closing: bool = False  # a Closing is queued: nothing more is
    counters: Counters = field(default_factory=Counters)  # the world's (websocket_frames)

    def offer(self, item: str | Closing) -> None:
        """Runs on the client's loop."""
        if self.overflowed or self.closing:
            return
        self.closing = isinstance(item, Closing)
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # too slow for even the goodbye to wait its turn: close now
            self.overflowed = True
            self.loop.create_task(self._close(item if isinstance(item, Closing) else SLOW))

    async def _close(self, closing: Closing) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(closing.code, closing.reason)

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
            item = await self.queue.get()
            if isinstance(item, Closing):
                await self._close(item)
                return
            await self.websocket.send_text(item)
            self.counters.websocket_frames += 1


class Hub:
    def __init__(self, queue_size: int, counters: Counters | None = None) -> None:
        self.queue_size = queue_size
        self.counters = counters or Counters()
        self._clients: dict[tuple[str, str], set[Client]] = {}
        self._lock = threading.Lock()

    def connect(self, key: tuple[str, str], websocket: WebSocket, config: WebSocketConfig) -> Client:
        client = Client(
            websocket=websocket, loop=asyncio.get_running_loop(), events=config.events,
            media_base64=config.media_base64, queue=asyncio.Queue(self.queue_size), counters=self.counters,
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

    def close_instance(self, key: tuple[str, str]) -> None:
        """The instance is gone: its clients hear nothing more (not even from a new instance of the same
        name) and are closed with 1008 after the frames already queued for them."""
        with self._lock:
            clients = self._clients.pop(key, set())
        for client in clients:
            _hand_off(client, INSTANCE_DELETED)

    def close_every(self) -> None:
        """The world was reset: every client is closed with 1001, on whichever loop it lives."""
        with self._lock:
            clients = [client for group in self._clients.values() for client in group]
            self._clients.clear()
        for client in clients:
            _hand_off(client, WORLD_RESET)

    def count(self, key: tuple[str, str]) -> int:
        with self._lock:
            return len(self._clients.get(key, ()))

    def on_event(self, record: RecordedEvent) -> None:
        """Bus subscriber: nothing is built when nobody listens (as RyzeAPI does)."""
        with self._lock:
            clients = list(self._clients.get((record.account_token, record.instance), ()))
        if not clients:
            return
        frames: dict[bool, str] = {}
        for client in clients:
            if not wants(client.events, record.event):
                continue
            if client.media_base64 not in frames:
                frames[client.media_base64] = json.dumps(
                    for_channel(record.envelope, client.media_base64), ensure_ascii=False
                )
            _hand_off(client, frames[client.media_base64])


def _hand_off(client: Client, item: str | Closing) -> None:
    """Queue ``item`` for ``client`` from any thread.

    Usually the item comes from a request on the client's own loop: no self-pipe wake-up then. Still
    call_soon, not a direct offer, so items keep emission order with other threads' items."""
    call_soon = client.loop.call_soon if client.loop is _running_loop() else client.loop.call_soon_threadsafe
    with contextlib.suppress(RuntimeError):  # the client's loop has already closed
        call_soon(client.offer, item)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
