"""Webhook delivery: every event an enabled webhook wants becomes a journaled delivery.

Deliveries run on one background event loop (its own thread), one FIFO queue per webhook of an
instance: a delivery waits for the one before it, so a receiver sees events in emission order.
Each attempt is journaled; failures are retried after the configured virtual delays (the mock's
clock, so tests advance time instead of sleeping), then the delivery is dead-lettered. Nothing is
dropped silently: every delivery ends ``delivered`` or ``dead``.

How an attempt reaches the receiver is a :class:`WebhookTransport` (the httpx ``MockTransport``
pattern): :class:`NetworkTransport` by default; tests inject their own to script answers, with no
sockets and no real-time waits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockryze.core.bus import RecordedEvent, wait_until
from mockryze.events.config import for_channel
from mockryze.events.webhook_client import KeepAliveClient, WebhookError

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp

    from mockryze.core.world import World
    from mockryze.events.config import Webhook

USER_AGENT = "RyzeAPI-Webhook/1.0 (mockryze)"
RETRY_STATUSES = frozenset({408, 429})
PLAIN_CACHE_SIZE = 1024  # distinct webhook URLs whose client choice is remembered


@dataclass
class Attempt:
    number: int
    at: str
    status_code: int | None
    latency_ms: float
    error: str | None

    def view(self) -> dict[str, Any]:
        return {"attempt": self.number, "at": self.at, "statusCode": self.status_code,
                "latencyMs": round(self.latency_ms, 2), "error": self.error}


@dataclass
class Delivery:
    id: str
    account_token: str
    instance: str
    label: str
    event: str
    url: str
    headers: dict[str, str]
    envelope: dict[str, Any]
    created_at: str
    status: str = "pending"  # pending | delivered | dead
    attempts: list[Attempt] = field(default_factory=list)
    body: bytes | None = field(default=None, repr=False, compare=False)  # encoded envelope, until delivery starts

    @property
    def queue_key(self) -> tuple[str, str, str]:
        return (self.account_token, self.instance, self.label)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id, "instance": self.instance, "label": self.label, "event": self.event, "url": self.url,
            "status": self.status, "createdAt": self.created_at, "headers": dict(self.headers),
            "attempts": [a.view() for a in self.attempts], "envelope": self.envelope,
        }


@dataclass(frozen=True)
class WebhookRequest:
    """One delivery attempt as a transport sees it: a POST of ``body`` to ``url``."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    timeout: float  # seconds the receiver has to answer

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookTransport(Protocol):
    """Posts one delivery and returns the receiver's status code (2xx: delivered).

    Raise ``TimeoutError`` when the receiver does not answer in time and ``WebhookError`` when it
    cannot be reached: both are journaled and retried. ``ValueError`` means no such request can be
    sent: the delivery is dead-lettered at once.
    """

    async def __call__(self, request: WebhookRequest, /) -> int: ...


class NetworkTransport:
    """The default transport: the keep-alive client for plain ``http://`` receivers outside this
    process, httpx for ``https://`` and for in-process apps registered with :meth:`route_locally`."""

    def __init__(self) -> None:
        self._local_apps: dict[str, ASGIApp] = {}
        self._plain: dict[str, bool] = {}  # url -> whether it takes the keep-alive client
        self._keep_alive = KeepAliveClient()
        self._client: httpx.AsyncClient | None = None

    def route_locally(self, base_url: str, app: ASGIApp) -> None:
        self._local_apps[base_url.rstrip("/")] = app
        self._plain.clear()

    async def __call__(self, request: WebhookRequest, /) -> int:
        if self._plain_http(request.url):
            return await self._keep_alive.post(request.url, request.body, request.headers, request.timeout)
        response = await self._http().post(request.url, content=request.body, headers=dict(request.headers),
                                           timeout=request.timeout)
        return response.status_code

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await self._keep_alive.aclose()

    def _plain_http(self, url: str) -> bool:
        """http:// receivers outside this process take the lean keep-alive client."""
        plain = self._plain.get(url)
        if plain is None:
            if len(self._plain) >= PLAIN_CACHE_SIZE:
                self._plain.clear()
            plain = self._plain[url] = (
                url.startswith("http://") and not any(url.startswith(base) for base in self._local_apps)
                and all(ch.isprintable() and not ch.isspace() for ch in url)
            )
        return plain

    def _http(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            mounts: dict[str, httpx.AsyncBaseTransport] = {
                base: httpx.ASGITransport(app=app) for base, app in self._local_apps.items()
            }
            self._client = httpx.AsyncClient(mounts=mounts, follow_redirects=False)
        return self._client


class Dispatcher:
    """Journals and delivers webhook events. The delivery loop reads ``world.clock`` rather than
    ``world.now()``: the latter is the due time of whatever timer another thread is firing."""

    def __init__(self, world: World, transport: WebhookTransport | None = None) -> None:
        self.world = world
        self.changed = threading.Condition()
        self._journal: dict[str, Delivery] = {}
        self._seq = itertools.count(1)
        self._queues: dict[tuple[str, str, str], deque[Delivery]] = {}
        self._network = NetworkTransport()
        self._transport: WebhookTransport = transport or self._network
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_lock = threading.Lock()
        # Submitted deliveries wait here for the loop; one wake-up call at a time is outstanding on it.
        self._pending: list[Delivery] = []
        self._pending_lock = threading.Lock()
        self._woken: asyncio.AbstractEventLoop | None = None
        # Submitted deliveries not yet queued + queues whose head is not waiting for the virtual clock:
        # at zero, nothing happens until the clock moves (see settle).
        self._unsettled = 0
        self._unsettled_lock = threading.Lock()

    # --- wiring -----------------------------------------------------------------------------
    def route_locally(self, base_url: str, app: ASGIApp) -> None:
        """Deliveries to ``base_url`` go straight into ``app`` (the in-process capture inbox), unless
        a transport was injected: that one receives every delivery."""
        self._network.route_locally(base_url, app)

    def on_event(self, record: RecordedEvent) -> None:
        """Bus subscriber: journal a delivery for every enabled webhook that wants the event."""
        account = self.world.accounts.get(record.account_token)
        instance = account.instances.get(record.instance) if account else None
        if instance is None:
            return
        event = record.event
        rows = [row for row in instance.webhooks.values() if row.wants(event)]
        if not rows:
            return
        created_at = self.world.iso()
        variants: dict[bool, tuple[dict[str, Any], bytes]] = {}  # mediaBase64 -> (envelope, body)
        deliveries = []
        for row in rows:
            media = row.media_base64
            if media not in variants:
                envelope = for_channel(record.envelope, media)
                variants[media] = (envelope, encode(envelope))
            deliveries.append(self._new_delivery(record, row, *variants[media], created_at))
        self._submit(deliveries)

    def redeliver(self, delivery_id: str) -> Delivery:
        original = self._journal[delivery_id]
        copy = Delivery(
            id=self._next_id(), account_token=original.account_token, instance=original.instance,
            label=original.label, event=original.event, url=original.url, headers=dict(original.headers),
            envelope=original.envelope, created_at=self.world.iso(),
        )
        self._submit([copy])
        return copy

    def _new_delivery(self, record: RecordedEvent, row: Webhook, envelope: dict[str, Any], body: bytes,
                      created_at: str) -> Delivery:
        url = row.target(record.event)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        # Live clients saw instance.state arrive without the Authorization header (profile live).
        skip_auth = record.event == "instance.state" and self.world.settings.profile == "live"
        if row.authorization and not skip_auth:
            headers["Authorization"] = row.authorization
        return Delivery(
            id=self._next_id(), account_token=record.account_token, instance=record.instance,
            label=row.label, event=record.event, url=url, headers=headers,
            envelope=envelope, created_at=created_at, body=body,
        )

    def _next_id(self) -> str:
        return f"dlv_{next(self._seq):06d}"

    def _submit(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self._journal[delivery.id] = delivery
        self._trim_journal()
        self._settle(len(deliveries))
        loop = self._ensure_loop()
        with self._pending_lock:
            self._pending += deliveries
            if self._woken is loop:
                return
            self._woken = loop
        loop.call_soon_threadsafe(self._take_pending)

    def _trim_journal(self) -> None:
        limit = self.world.settings.delivery_journal_limit
        if len(self._journal) <= limit:
            return
        # The oldest finished ones, found by a scan that stops as soon as it has enough (not O(journal) per submit).
        finished = (d.id for d in self._journal.values() if d.status != "pending")
        for delivery_id in list(itertools.islice(finished, len(self._journal) - limit)):
            del self._journal[delivery_id]

    # --- journal ----------------------------------------------------------------------------
    def journal(self, *, account_token: str | None = None, instance: str | None = None,
                event: str | None = None, status: str | None = None) -> list[Delivery]:
        return [
            d for d in list(self._journal.values())
            if (account_token is None or d.account_token == account_token)
            and (instance is None or d.instance == instance)
            and (event is None or d.event == event)
            and (status is None or d.status == status)
        ]

    def get(self, delivery_id: str) -> Delivery | None:
        return self._journal.get(delivery_id)

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block (real time) until ``predicate()`` holds after some delivery changed, or time out."""
        return wait_until(self.changed, predicate, timeout)

    def settle(self, timeout: float) -> bool:
        """Block (real time, bounded) until every delivery is delivered, dead, or waiting for a retry
        the virtual clock has not reached: from then on nothing happens until the clock moves."""
        return wait_until(self.changed, lambda: self._unsettled == 0, timeout)

    def _settle(self, change: int) -> None:
        with self._unsettled_lock:
            self._unsettled += change
            settled = self._unsettled == 0
        if settled:
            self._notify()

    def clear(self) -> None:
        self._journal.clear()

    # --- the delivery loop ------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="mockryze-webhooks", daemon=True).start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        """Stop the delivery loop; deliveries still queued stay ``pending`` in the journal."""
        loop, self._loop = self._loop, None
        if loop is None:
            return

        async def shut_down() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._network.aclose()
            self._queues.clear()  # their drain tasks are gone: a later loop starts new ones
            with self._pending_lock, self._unsettled_lock:
                self._unsettled = len(self._pending)  # those a later loop will take
            self._notify()

        asyncio.run_coroutine_threadsafe(shut_down(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)

    def _take_pending(self) -> None:
        with self._pending_lock:
            deliveries, self._pending, self._woken = self._pending, [], None
        for delivery in deliveries:
            self._enqueue(delivery)

    def _enqueue(self, delivery: Delivery) -> None:
        queue = self._queues.get(delivery.queue_key)
        if queue is None:  # the delivery's unsettled count becomes its new queue's
            queue = self._queues[delivery.queue_key] = deque()
            asyncio.get_running_loop().create_task(self._drain(delivery.queue_key))
        else:  # it waits behind the queue's head, which decides whether the queue is settled
            self._settle(-1)
        queue.append(delivery)

    async def _drain(self, key: tuple[str, str, str]) -> None:
        queue = self._queues[key]
        while queue:
            await self._deliver(queue[0])
            queue.popleft()
        del self._queues[key]
        self._settle(-1)

    async def _deliver(self, delivery: Delivery) -> None:
        body = encode(delivery.envelope) if delivery.body is None else delivery.body
        delivery.body = None  # the journal keeps the envelope, not a second copy of it
        for number in itertools.count(1):
            retryable = await self._attempt(delivery, number, body)
            failed_at = self.world.clock.now()  # the backoff counts from the failure, not from when we sleep
            if delivery.status == "delivered":
                break
            delays = self.world.settings.retry_delays
            if not retryable or number > len(delays):
                self._finish(delivery, "dead")
                break
            await self._retry_at(failed_at + delays[number - 1])

    async def _retry_at(self, due: float) -> None:
        """Sleep until the virtual clock reaches ``due``; meanwhile this queue counts as settled."""
        loop = asyncio.get_running_loop()
        rung: asyncio.Future[None] = loop.create_future()
        waiting = True

        def ring() -> None:  # in the thread that moved the clock, before its advance() returns
            nonlocal waiting
            with self._unsettled_lock:
                if not waiting:
                    return
                waiting = False
                self._unsettled += 1
            loop.call_soon_threadsafe(_resolve, rung)

        self._settle(-1)
        self.world.schedule(due - self.world.clock.now(), ring, survives_reset=True)
        try:
            while not rung.done():  # a running clock (mockryze serve) also wakes us in real time
                real_wait = None if self.world.clock.frozen else max(due - self.world.clock.now(), 0)
                await asyncio.wait({rung}, timeout=real_wait)
                self.world.run_due()
        finally:
            with self._unsettled_lock:
                waiting = False  # cancelled (close): a later ring must not count

    async def _attempt(self, delivery: Delivery, number: int, body: bytes) -> bool:
        """One POST; returns whether a failure is worth retrying."""
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        unsendable = False
        import httpx  # imported on first delivery: it costs ~100 ms of `mockryze serve` start-up

        timeout = self.world.settings.webhook_timeout
        try:
            status = await self._transport(WebhookRequest(delivery.url, delivery.headers, body, timeout))
        except (httpx.TimeoutException, TimeoutError):
            error = f"timeout after {timeout:g} s"
        except (httpx.HTTPError, httpx.InvalidURL, WebhookError) as exc:  # InvalidURL is no HTTPError
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except (UnicodeError, ValueError) as exc:  # no such request can be sent (e.g. a non-latin-1 header)
            error = f"{type(exc).__name__}: {exc}"
            unsendable = True
        except Exception as exc:  # an injected transport's own failure: journaled and retried, not a wedged queue
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = (time.perf_counter() - started) * 1000
        delivery.attempts.append(Attempt(number, self.world.iso(self.world.clock.now()), status, latency, error))
        if status is not None and 200 <= status < 300:
            self._finish(delivery, "delivered")
            return False
        self._notify()
        return not unsendable and (status is None or status >= 500 or status in RETRY_STATUSES)

    def _finish(self, delivery: Delivery, status: str) -> None:
        delivery.status = status
        self._notify()

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def views(deliveries: Iterable[Delivery]) -> list[dict[str, Any]]:
    return [d.view() for d in deliveries]


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()
