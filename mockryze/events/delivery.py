"""Webhook delivery: every event an enabled webhook wants becomes a journaled delivery.

Deliveries run on one background event loop (its own thread), one FIFO queue per webhook of an
instance: a delivery waits for the one before it, so a receiver sees events in emission order.
Each attempt is journaled; failures are retried after the configured virtual delays (the mock's
clock, so tests advance time instead of sleeping), then the delivery is dead-lettered. Nothing is
dropped silently: every delivery ends ``delivered`` or ``dead``. A delivery is dead-lettered
unsent, its journaled attempt saying why, when its instance was deleted, its webhook disabled, or
it would POST into the mock's own control plane, and when more than ``webhook_max_pending`` wait
for its webhook (the oldest waiting one goes), so a dead receiver costs bounded memory.

A reset of the world starts a new epoch here: an empty journal, ids from ``dlv_000001`` again,
new queues; the old queues and retry sleeps are cancelled and can no longer send anything.

How an attempt reaches the receiver is a :class:`WebhookTransport` (the httpx ``MockTransport``
pattern): :class:`NetworkTransport` by default; tests inject their own to script answers, with no
sockets and no real-time waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockryze.core import literals, quirks
from mockryze.core.bus import RecordedEvent, wait_until
from mockryze.events.config import for_channel
from mockryze.events.webhook_client import KeepAliveClient, WebhookError
from mockryze.events.webhook_url import targets_own_control_plane

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
    instance_id: str  # a deleted instance created again under its name is another instance
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
            self._client = httpx.AsyncClient(transport=_LocalOrNetwork(self._local_apps),  # type: ignore[arg-type]
                                             follow_redirects=False)
        return self._client


class _LocalOrNetwork:
    """An httpx transport that posts to the in-process apps registered so far (also those registered
    after the client was made, e.g. by ``ryze.deliver_to``), else over the network."""

    def __init__(self, local_apps: dict[str, ASGIApp]) -> None:
        import httpx

        self._local_apps = local_apps
        self._network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import httpx

        url = str(request.url)
        for base, app in self._local_apps.items():
            if url.startswith(base) and url[len(base):len(base) + 1] in ("", "/", "?"):
                # an app that crashes answers 500, as its server would: journaled and retried like one
                transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
                return await transport.handle_async_request(request)
        return await self._network.handle_async_request(request)

    async def aclose(self) -> None:
        await self._network.aclose()


QueueKey = tuple[str, str, str]  # account token, instance, label: one FIFO per webhook

# Why a delivery ends dead without reaching its receiver (its last journaled attempt says so).
INSTANCE_GONE = "not sent: the instance {instance!r} was deleted"
WEBHOOK_DISABLED = "not sent: the webhook {label!r} was disabled"
OWN_CONTROL_PLANE = "not sent: {url} is this mock's own control plane"
TOO_MANY_PENDING = ("not sent: more than {limit} deliveries were pending for the webhook {label!r} "
                    "(webhook_max_pending); the oldest waiting one was dead-lettered")


@dataclass(eq=False)
class _Ledger:
    """One account's part of the journal; its size is bounded by trimming finished deliveries only."""

    entries: dict[str, Delivery] = field(default_factory=dict)  # by id, oldest first
    finished: deque[Delivery] = field(default_factory=deque)  # in the order they finished: trimmed from the left

    def trim(self, limit: int, journal: dict[str, Delivery]) -> None:
        while len(self.entries) > limit and self.finished:
            oldest = self.finished.popleft()
            del self.entries[oldest.id]
            del journal[oldest.id]


@dataclass(eq=False)
class _Epoch:
    """Everything the dispatcher holds for one world, from one reset to the next: the journal, the
    delivery ids, the queues and their tasks. A reset starts a new epoch; the old one's tasks are
    cancelled, and whatever of it still runs sees that it is stale before each attempt."""

    journal: dict[str, Delivery] = field(default_factory=dict)  # by id, oldest first
    ledgers: dict[str, _Ledger] = field(default_factory=dict)  # by account token
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # Submitted deliveries wait here for the loop; one wake-up call at a time is outstanding on it.
    submitted: list[Delivery] = field(default_factory=list)
    woken: asyncio.AbstractEventLoop | None = None
    # Submitted deliveries not yet queued + queues whose head is not waiting for the virtual clock:
    # at zero, nothing happens until the clock moves (see settle).
    unsettled: int = 0
    queues: dict[QueueKey, deque[Delivery]] = field(default_factory=dict)  # the loop's thread only
    drains: set[asyncio.Task[None]] = field(default_factory=set)  # the loop's thread only


class Dispatcher:
    """Journals and delivers webhook events. The delivery loop reads ``world.clock`` rather than
    ``world.now()``: the latter is the due time of whatever timer another thread is firing."""

    def __init__(self, world: World, transport: WebhookTransport | None = None) -> None:
        self.world = world
        self.changed = threading.Condition()
        self._epoch = _Epoch()
        self._network = NetworkTransport()
        self._transport: WebhookTransport = transport or self._network
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_lock = threading.Lock()
        self._journal_lock = threading.Lock()
        self._submitted_lock = threading.Lock()
        self._unsettled_lock = threading.Lock()
        if world.store is not None:  # --state: the saved journal comes back; pending deliveries resume
            self._resume(world.store.deliveries(world.settings.delivery_journal_limit))

    def _resume(self, deliveries: list[Delivery]) -> None:
        epoch = self._epoch
        self._not_resent(deliveries)
        if deliveries:
            epoch.ids = itertools.count(max(int(d.id.rpartition("_")[2]) for d in deliveries) + 1)
        self._record(epoch, deliveries)
        for delivery in deliveries:
            if delivery.status != "pending":
                epoch.ledgers[delivery.account_token].finished.append(delivery)
        pending = [d for d in deliveries if d.status == "pending"]
        if pending:
            self._submit(epoch, pending)

    def _not_resent(self, deliveries: list[Delivery]) -> None:
        """A delivery whose POST was under way when the last run stopped may have reached its receiver:
        it is dead-lettered, not sent again (at most once; the journal says why, redeliver resends it)."""
        store = self.world.store
        assert store is not None
        in_flight = store.in_flight()
        for delivery in deliveries:
            began = in_flight.get(int(delivery.id.rpartition("_")[2]))
            if began is not None and delivery.status == "pending":
                number, at = began
                delivery.attempts.append(Attempt(number, at, None, 0.0, literals.DELIVERY_NOT_RESENT))
                delivery.status = "dead"
                store.finished(delivery)
        store.drop_in_flight()

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
        epoch = self._epoch
        created_at = self.world.iso()
        variants: dict[bool, tuple[dict[str, Any], bytes]] = {}  # mediaBase64 -> (envelope, body)
        deliveries = []
        # Live clients saw instance.state arrive without the Authorization header (quirk instance_state_auth).
        skip_auth = event == "instance.state" and instance.account.quirks.instance_state_auth == quirks.OFF
        for row in rows:
            media = row.media_base64
            if media not in variants:
                envelope = for_channel(record.envelope, media)
                variants[media] = (envelope, encode(envelope))
            deliveries.append(self._new_delivery(epoch, record, instance.id, row, *variants[media], created_at,
                                                 skip_auth))
        self._submit(epoch, deliveries)

    def redeliver(self, delivery_id: str) -> Delivery:
        epoch = self._epoch
        original = epoch.journal[delivery_id]
        copy = Delivery(
            id=_next_id(epoch), account_token=original.account_token, instance=original.instance,
            instance_id=original.instance_id, label=original.label, event=original.event, url=original.url,
            headers=dict(original.headers), envelope=original.envelope, created_at=self.world.iso(),
        )
        self._submit(epoch, [copy])
        return copy

    def _new_delivery(self, epoch: _Epoch, record: RecordedEvent, instance_id: str, row: Webhook,
                      envelope: dict[str, Any], body: bytes, created_at: str, skip_auth: bool) -> Delivery:
        url = row.target(record.event)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        authorization = row.sent_authorization
        if authorization and not skip_auth:
            headers["Authorization"] = authorization
        return Delivery(
            id=_next_id(epoch), account_token=record.account_token, instance=record.instance,
            instance_id=instance_id, label=row.label, event=record.event, url=url, headers=headers,
            envelope=envelope, created_at=created_at, body=body,
        )

    def _submit(self, epoch: _Epoch, deliveries: list[Delivery]) -> None:
        self._record(epoch, deliveries)
        self._settle(epoch, len(deliveries))
        loop = self._ensure_loop()
        with self._submitted_lock:
            epoch.submitted += deliveries
            if epoch.woken is loop:
                return
            epoch.woken = loop
        loop.call_soon_threadsafe(self._take_submitted, epoch)

    def _record(self, epoch: _Epoch, deliveries: list[Delivery]) -> None:
        """Journal new deliveries; the account's oldest finished ones make room (constant cost per delivery)."""
        limit = self.world.settings.delivery_journal_limit
        with self._journal_lock:
            for delivery in deliveries:
                epoch.journal[delivery.id] = delivery
                ledger = epoch.ledgers.get(delivery.account_token)
                if ledger is None:
                    ledger = epoch.ledgers[delivery.account_token] = _Ledger()
                ledger.entries[delivery.id] = delivery
                ledger.trim(limit, epoch.journal)
        if self.world.store is not None:
            self.world.store.journaled(deliveries)

    # --- journal ----------------------------------------------------------------------------
    def journal(self, *, account_token: str | None = None, instance: str | None = None,
                event: str | None = None, status: str | None = None) -> list[Delivery]:
        epoch = self._epoch
        if account_token is None:
            entries = epoch.journal
        else:
            ledger = epoch.ledgers.get(account_token)
            entries = ledger.entries if ledger else {}
        return [
            d for d in list(entries.values())
            if (instance is None or d.instance == instance)
            and (event is None or d.event == event)
            and (status is None or d.status == status)
        ]

    def get(self, delivery_id: str) -> Delivery | None:
        return self._epoch.journal.get(delivery_id)

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block (real time) until ``predicate()`` holds after some delivery changed, or time out."""
        return wait_until(self.changed, predicate, timeout)

    def settle(self, timeout: float) -> bool:
        """Block (real time, bounded) until every delivery is delivered, dead, or waiting for a retry
        the virtual clock has not reached: from then on nothing happens until the clock moves."""
        return wait_until(self.changed, lambda: self._epoch.unsettled == 0, timeout)

    def _settle(self, epoch: _Epoch, change: int) -> None:
        with self._unsettled_lock:
            epoch.unsettled += change
            settled = epoch.unsettled == 0
        if settled:
            self._notify()

    def clear(self) -> None:
        """The world was reset: a new epoch (empty journal, ids from ``dlv_000001``, no queues). The old
        epoch's queues and retry sleeps are cancelled on the delivery loop; the caller does not wait."""
        with self._journal_lock, self._submitted_lock, self._unsettled_lock:
            old, self._epoch = self._epoch, _Epoch()
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is shutting down (close): nothing to cancel
                loop.call_soon_threadsafe(_cancel, old)
        self._notify()

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
            epoch = self._epoch
            epoch.queues.clear()  # their drain tasks are gone: a later loop starts new ones
            with self._submitted_lock, self._unsettled_lock:
                epoch.unsettled = len(epoch.submitted)  # those a later loop will take
            self._notify()

        asyncio.run_coroutine_threadsafe(shut_down(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)

    def _take_submitted(self, epoch: _Epoch) -> None:
        with self._submitted_lock:
            deliveries, epoch.submitted, epoch.woken = epoch.submitted, [], None
        if epoch is not self._epoch:  # submitted just before a reset: gone with its world
            return
        for delivery in deliveries:
            self._enqueue(epoch, delivery)

    def _enqueue(self, epoch: _Epoch, delivery: Delivery) -> None:
        queue = epoch.queues.get(delivery.queue_key)
        if queue is None:  # the delivery's unsettled count becomes its new queue's
            queue = epoch.queues[delivery.queue_key] = deque()
            drain = asyncio.get_running_loop().create_task(self._drain(epoch, delivery.queue_key))
            epoch.drains.add(drain)
            drain.add_done_callback(epoch.drains.discard)
        else:  # it waits behind the queue's head, which decides whether the queue is settled
            self._settle(epoch, -1)
        queue.append(delivery)
        limit = self.world.settings.webhook_max_pending
        if len(queue) > limit:  # the head is in flight or waiting to retry: the oldest behind it goes
            oldest = queue[1]
            del queue[1]
            self._dead_unsent(epoch, oldest, TOO_MANY_PENDING.format(limit=limit, label=oldest.label))

    async def _drain(self, epoch: _Epoch, key: QueueKey) -> None:
        queue = epoch.queues[key]
        while queue and epoch is self._epoch:
            await self._deliver(epoch, queue[0])
            queue.popleft()
        epoch.queues.pop(key, None)
        self._settle(epoch, -1)

    async def _deliver(self, epoch: _Epoch, delivery: Delivery) -> None:
        body = encode(delivery.envelope) if delivery.body is None else delivery.body
        delivery.body = None  # the journal keeps the envelope, not a second copy of it
        for number in itertools.count(1):
            if epoch is not self._epoch:  # reset since: this world's deliveries are gone
                return
            if reason := self._not_sendable(delivery):
                self._dead_unsent(epoch, delivery, reason)
                return
            retryable = await self._attempt(epoch, delivery, number, body)
            failed_at = self.world.clock.now()  # the backoff counts from the failure, not from when we sleep
            if delivery.status == "delivered":
                break
            delays = self.world.settings.retry_delays
            if not retryable or number > len(delays):
                self._finish(epoch, delivery, "dead")
                break
            await self._retry_at(epoch, failed_at + delays[number - 1])

    def _not_sendable(self, delivery: Delivery) -> str | None:
        """Why a queued delivery must not go out now: its instance or webhook is gone, or it would loop."""
        account = self.world.accounts.get(delivery.account_token)
        instance = account.instances.get(delivery.instance) if account else None
        if instance is None or instance.id != delivery.instance_id:  # deleted (and maybe created again)
            return INSTANCE_GONE.format(instance=delivery.instance)
        row = instance.webhooks.get(delivery.label)
        if row is None or not row.enabled:
            return WEBHOOK_DISABLED.format(label=delivery.label)
        if targets_own_control_plane(delivery.url, self.world.base_url, self.world.settings.port):
            return OWN_CONTROL_PLANE.format(url=delivery.url)
        return None

    async def _retry_at(self, epoch: _Epoch, due: float) -> None:
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
                epoch.unsettled += 1
            loop.call_soon_threadsafe(_resolve, rung)

        # The ring is scheduled before this queue counts as settled: a settle() that returns in between
        # would let the clock move past a retry nobody has scheduled yet.
        self.world.schedule(due - self.world.clock.now(), ring, survives_reset=True)
        self._settle(epoch, -1)
        try:
            self.world.run_due()  # the clock may have moved past ``due`` already
            while not rung.done():  # a running clock (mockryze serve) also wakes us in real time
                real_wait = None if self.world.clock.frozen else max(due - self.world.clock.now(), 0)
                await asyncio.wait({rung}, timeout=real_wait)
                self.world.run_due()
        finally:
            with self._unsettled_lock:
                waiting = False  # cancelled (close, reset): a later ring must not count

    async def _attempt(self, epoch: _Epoch, delivery: Delivery, number: int, body: bytes) -> bool:
        """One POST; returns whether a failure is worth retrying."""
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        unsendable = False
        import httpx  # imported on first delivery: it costs ~100 ms of `mockryze serve` start-up

        timeout = self.world.settings.webhook_timeout
        self.world.stats.webhook_attempts += 1
        store = self.world.store
        if store is not None:  # committed before the POST: a restart will not send it a second time
            store.sending(delivery, number, self.world.iso(self.world.clock.now()), lambda: epoch is self._epoch)
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
            self._finish(epoch, delivery, "delivered")
            return False
        if store is not None:
            store.not_received(delivery)
        self._notify()
        return not unsendable and (status is None or status >= 500 or status in RETRY_STATUSES)

    def _dead_unsent(self, epoch: _Epoch, delivery: Delivery, reason: str) -> None:
        """Dead-letter a delivery without sending it; the journaled attempt says why."""
        delivery.body = None
        at = self.world.iso(self.world.clock.now())
        delivery.attempts.append(Attempt(len(delivery.attempts) + 1, at, None, 0.0, reason))
        self._finish(epoch, delivery, "dead")

    def _finish(self, epoch: _Epoch, delivery: Delivery, status: str) -> None:
        delivery.status = status
        if self.world.store is not None and epoch is self._epoch:
            self.world.store.finished(delivery)
        ledger = epoch.ledgers.get(delivery.account_token)
        if ledger is not None:
            ledger.finished.append(delivery)
        self._notify()

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()


def _next_id(epoch: _Epoch) -> str:
    return f"dlv_{next(epoch.ids):06d}"


def _cancel(epoch: _Epoch) -> None:
    for drain in list(epoch.drains):
        drain.cancel()
    epoch.queues.clear()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def views(deliveries: Iterable[Delivery]) -> list[dict[str, Any]]:
    return [d.view() for d in deliveries]


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()
