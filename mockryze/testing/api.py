"""The Python API: ``MockRyze`` (in-process world) and ``RemoteRyze`` (a running server).

Both offer the same verbs — create_instance, connect, scan, set_state, events, advance — so a
test reads the same whether it talks to the world directly or to ``mockryze serve`` over HTTP.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, NamedTuple

import httpx
from starlette.applications import Starlette

from mockryze.core import schemas
from mockryze.core.bus import RecordedEvent, lookup, matches, wait_until
from mockryze.core.settings import Settings
from mockryze.core.world import World
from mockryze.events.delivery import WebhookTransport, views
from mockryze.http.app import Channels, create_app
from mockryze.instance import model as instances
from mockryze.messages import mock as simulate
from mockryze.messages import model as messages
from mockryze.server import BackgroundServer
from mockryze.testing import control
from mockryze.testing.inprocess import AsyncTransport, SyncTransport

# In-process worlds start frozen at a fixed moment, so timestamps replay like ids do.
FIXED_START = 1_767_268_800.0  # 2026-01-01T12:00:00Z
IN_PROCESS_BASE_URL = "http://mockryze.test"
IN_PROCESS_DEFAULTS: dict[str, Any] = {
    "rate_limits": False, "frozen_clock": True, "start_time": FIXED_START, "base_url": IN_PROCESS_BASE_URL,
}


class Instance(NamedTuple):
    name: str
    token: str


class MockRyze:
    """A fresh, isolated RyzeAPI world in this process.

    >>> with MockRyze(seed=1) as ryze:
    ...     sales = ryze.create_instance("sales", connected=True)
    ...     ryze.client.get("/api/instance/list", headers={"token": sales.token}).json()["message"]
    '1 Instance found'
    """

    def __init__(self, seed: int | None = None, *, settings: Settings | None = None,
                 webhook_transport: WebhookTransport | None = None, **options: Any) -> None:
        """``webhook_transport``: an async callable that takes every webhook delivery instead of the
        network (see :class:`mockryze.events.delivery.WebhookTransport`)."""
        if settings is None:
            # MOCKRYZE_* variables apply here too (e.g. MOCKRYZE_PROFILE=docs for a whole suite).
            settings = Settings.from_sources(base=IN_PROCESS_DEFAULTS, seed=seed, **options)
        self.world = World(settings)
        self.channels = Channels.attach(self.world, webhook_transport)
        self._app: Starlette | None = None
        # Webhooks aimed at this in-process world's own URL (the capture inbox) reach it without sockets.
        self.channels.delivery.route_locally(IN_PROCESS_BASE_URL, self._asgi)
        self._client: httpx.Client | None = None
        self._server: BackgroundServer | None = None

    # --- context management ---------------------------------------------------------------
    def __enter__(self) -> MockRyze:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.channels.delivery.close()
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    # --- HTTP ------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.world.settings

    @property
    def account_token(self) -> str:
        return self.world.default_account.token

    @property
    def app(self) -> Starlette:
        if self._app is None:
            self._app = create_app(self.world, channels=self.channels)
        return self._app

    async def _asgi(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    @property
    def client(self) -> httpx.Client:
        """A sync httpx client wired to the app in-process; send tokens yourself."""
        if self._client is None:
            self._client = httpx.Client(transport=SyncTransport(self.app), base_url=IN_PROCESS_BASE_URL)
        return self._client

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=AsyncTransport(self.app), base_url=IN_PROCESS_BASE_URL)

    def serve(self) -> str:
        """Start a live Hypercorn server on a free port (background thread); returns its base URL."""
        if self._server is None:
            self._server = BackgroundServer(create_app(self.world, channels=self.channels)).start()
            self.world.base_url = self._server.base_url
        return self._server.base_url

    @property
    def base_url(self) -> str:
        return self._server.base_url if self._server else IN_PROCESS_BASE_URL

    # --- control plane ----------------------------------------------------------------------
    def new_account(self, token: str | None = None, instance_limit: int | None = None) -> str:
        with self.world.lock:
            return control.add_account(self.world, token, instance_limit).token

    def create_instance(self, name: str, *, account_token: str | None = None, connected: bool = False,
                        number: str | None = None, **inline: Any) -> Instance:
        """Create an instance exactly as ``POST /api/instance/new`` would (same rules, same events).

        ``inline`` takes the API's body fields (``webhookURL=...``, ``autoRejectCalls=True``…).
        ``connected=True`` also connects it and scans the QR code.
        """
        body = {"name": name, **inline}
        with self.world.lock:
            schemas.check_request("instance/new.request", body)
            account = control.account_for(self.world, account_token)
            created, _ = instances.create(self.world, account, body)
            if connected:
                instances.connect(self.world, created)
                instances.scan(self.world, created, number)
        return Instance(created.name, created.token)

    def connect(self, name: str, number: str | None = None, *, account_token: str | None = None) -> str:
        """Start a connect attempt; returns the QR payload (or the pairing code with ``number``)."""
        with self.world.lock:
            target = instances.find(control.account_for(self.world, account_token), name)
            pending = instances.connect(self.world, target, number)
            return pending.code if pending else ""

    def scan(self, name: str, number: str | None = None, push_name: str | None = None, *,
             account_token: str | None = None) -> dict[str, Any]:
        with self.world.lock:
            account = control.account_for(self.world, account_token)
            return control.instance_view(control.scan(self.world, account, name, number, push_name))

    def set_state(self, name: str, state: str, *, account_token: str | None = None) -> dict[str, Any]:
        with self.world.lock:
            account = control.account_for(self.world, account_token)
            return control.instance_view(control.set_state(self.world, account, name, state))

    def events(self, instance: str | None = None, event: str | None = None, *,
               account_token: str | None = None) -> list[dict[str, Any]]:
        with self.world.lock:
            account = control.account_for(self.world, account_token)
            return [r.envelope for r in control.events(self.world, account, instance, event)]

    def deliveries(self, instance: str | None = None, event: str | None = None, status: str | None = None, *,
                   account_token: str | None = None) -> list[dict[str, Any]]:
        """The webhook delivery journal (``status``: pending, delivered or dead)."""
        with self.world.lock:
            account = control.account_for(self.world, account_token)
            return views(control.deliveries(self.channels.delivery, account, instance, event, status))

    def inbox(self, key: str) -> list[dict[str, Any]]:
        """What arrived at the capture inbox ``{base_url}/__mock__/inbox/{key}``."""
        with self.world.lock:
            return list(self.world.inboxes.get(key, []))

    def inbox_url(self, key: str) -> str:
        return f"{self.base_url}/__mock__/inbox/{key}"

    def wait_for_event(self, event: str, *, instance: str | None = None, timeout: float = 1.0,
                       account_token: str | None = None, **fields: Any) -> dict[str, Any]:
        """The first recorded event of this type whose ``data`` has ``fields`` (``a__b`` = nested key).

        Blocks up to ``timeout`` real seconds; fails with what did arrive, so a wrong field shows.
        """
        token = control.account_for(self.world, account_token).token
        bus = self.world.bus

        def first() -> dict[str, Any] | None:
            for record in bus.records(account_token=token):
                if matches(record, event, instance, fields):
                    return record.envelope
            return None

        if not wait_until(bus.published, lambda: first() is not None, timeout):
            raise AssertionError(_no_match(event, instance, fields, bus.records(account_token=token)))
        found = first()
        assert found is not None
        return found

    async def async_wait_for_event(self, event: str, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.wait_for_event, event, **kwargs)

    def wait_for_deliveries(self, count: int, *, status: str | None = None, timeout: float = 5.0,
                            **filters: Any) -> list[dict[str, Any]]:
        """Block until ``count`` journaled deliveries match (e.g. ``status="delivered"``), or fail."""
        def enough() -> bool:
            return len(self.deliveries(status=status, **filters)) >= count

        if not self.channels.delivery.wait(enough, timeout):
            seen = [(d["id"], d["event"], d["status"]) for d in self.deliveries(**filters)]
            raise AssertionError(f"expected {count} deliveries with status={status!r}, journal has: {seen}")
        return self.deliveries(status=status, **filters)

    def settle_deliveries(self, timeout: float = 5.0) -> None:
        """Block until every webhook delivery is delivered, dead, or waiting for a retry the virtual
        clock has not reached: after ``advance()``, whatever came due has been attempted, and nothing
        more happens until the clock moves again."""
        if not self.channels.delivery.settle(timeout):
            seen = [(d["id"], d["event"], d["status"]) for d in self.deliveries()]
            raise AssertionError(f"deliveries still in flight after {timeout:g} s; journal: {seen}")

    # --- simulated contacts (same rules as the /__mock__ routes) ----------------------------
    def _on(self, name: str, account_token: str | None) -> Any:
        return instances.find(control.account_for(self.world, account_token), name)

    def contact(self, name: str, number: str, *, display_name: str | None = None, on_whatsapp: bool | None = None,
                receipts: str | None = None, account_token: str | None = None) -> dict[str, Any]:
        """Set up a simulated contact: its name, whether it is on WhatsApp, how it sends receipts."""
        with self.world.lock:
            found = messages.upsert_contact(self.world, self._on(name, account_token), number, display_name,
                                            on_whatsapp, receipts)
            return control.contact_view(found)

    def group(self, name: str, subject: str, participants: list[str], *, jid: str | None = None,
              account_token: str | None = None) -> str:
        """A group the instance is in; returns its JID."""
        with self.world.lock:
            return messages.create_group(self.world, self._on(name, account_token), subject, participants, jid).jid

    def inbound(self, name: str, /, *, from_: str, type: str = "text", account_token: str | None = None,
                **fields: Any) -> dict[str, Any] | None:
        """A contact sends the instance a message (``text=``, ``group=``, ``caption=``, …); None if ignored."""
        spec = {"from": from_, "type": type, **fields}
        with self.world.lock:
            schemas.check_request("mock/inbound.request", spec)
            received = simulate.inbound(self.world, self._on(name, account_token), spec)
            return control.message_view(self.world, received) if received else None

    def receipt(self, name: str, message_id: str, status: str, *, from_: str | None = None,
                account_token: str | None = None) -> dict[str, Any]:
        with self.world.lock:
            found = simulate.receipt(self.world, self._on(name, account_token), message_id, status, from_)
            return control.message_view(self.world, found)

    def call(self, name: str, /, *, from_: str, account_token: str | None = None, **fields: Any) -> dict[str, Any]:
        """An incoming call (``isVideo=``, ``group=``, ``status=``); returns the call.update data."""
        spec = {"from": from_, **fields}
        with self.world.lock:
            schemas.check_request("mock/call.request", spec)
            return simulate.call(self.world, self._on(name, account_token), spec)

    def messages(self, name: str, *, direction: str | None = None, chat: str | None = None,
                 account_token: str | None = None) -> list[dict[str, Any]]:
        with self.world.lock:
            account = control.account_for(self.world, account_token)
            return [control.message_view(self.world, m)
                    for m in control.stored_messages(self.world, account, name, direction, chat)]

    def sent(self, name: str, *, chat: str | None = None, account_token: str | None = None) -> list[dict[str, Any]]:
        """What the integrator sent through this instance (outgoing messages, oldest first)."""
        return self.messages(name, direction="outgoing", chat=chat, account_token=account_token)

    def advance(self, seconds: float) -> None:
        """Move the virtual clock; due timers (QR rotation, auto-scan, expiry) fire."""
        with self.world.lock:
            control.move_clock(self.world, advance=seconds)

    def reset(self) -> None:
        with self.world.lock:
            self.world.reset()
            if self._app is not None and self._app.state.limiter is not None:
                self._app.state.limiter.clear()


class RemoteRyze:
    """The same verbs against a running ``mockryze serve`` (or ``ryze.serve()``), over HTTP."""

    def __init__(self, base_url: str, account_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_token = account_token
        self.client = httpx.Client(base_url=self.base_url, headers={"token": account_token}, timeout=10)

    @classmethod
    def with_new_account(cls, base_url: str, instance_limit: int | None = None) -> RemoteRyze:
        body = {} if instance_limit is None else {"instanceLimit": instance_limit}
        response = httpx.post(f"{base_url.rstrip('/')}/__mock__/accounts", json=body, timeout=10)
        response.raise_for_status()
        return cls(base_url, response.json()["token"])

    def close(self) -> None:
        self.client.close()

    def _control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.client.request(method, f"/__mock__{path}", **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} /__mock__{path} -> {response.status_code}: {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def create_instance(self, name: str, *, connected: bool = False, number: str | None = None,
                        **inline: Any) -> Instance:
        response = self.client.post("/api/instance/new", json={"name": name, **inline})
        if response.status_code != 201:
            raise AssertionError(f"create {name!r} -> {response.status_code}: {response.text}")
        token = response.json()["instance"]["token"]
        if connected:
            self.connect(name)
            self.scan(name, number)
        return Instance(name, token)

    def connect(self, name: str, number: str | None = None) -> str:
        params = {"number": number} if number else {}
        body = self.client.get(f"/api/instance/connect/{name}", params=params).json()
        return str(body.get("pairingCode") or body.get("qrCode") or "")

    def scan(self, name: str, number: str | None = None, push_name: str | None = None) -> dict[str, Any]:
        body = {k: v for k, v in {"number": number, "pushName": push_name}.items() if v is not None}
        return self._control("POST", f"/instances/{name}/scan", json=body)["instance"]

    def set_state(self, name: str, state: str) -> dict[str, Any]:
        return self._control("POST", f"/instances/{name}/state", json={"state": state})["instance"]

    def events(self, instance: str | None = None, event: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"instance": instance, "event": event}.items() if v}
        return list(self._control("GET", "/events", params=params)["events"])

    def deliveries(self, instance: str | None = None, event: str | None = None,
                   status: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"instance": instance, "event": event, "status": status}.items() if v}
        return list(self._control("GET", "/deliveries", params=params)["deliveries"])

    def inbox(self, key: str) -> list[dict[str, Any]]:
        return list(self._control("GET", f"/inbox/{key}")["items"])

    def inbox_url(self, key: str) -> str:
        return f"{self.base_url}/__mock__/inbox/{key}"

    def wait_for_event(self, event: str, *, instance: str | None = None, timeout: float = 1.0,
                       **fields: Any) -> dict[str, Any]:
        """Like :meth:`MockRyze.wait_for_event`, polling the server's event record."""
        deadline = time.monotonic() + timeout
        while True:
            envelopes = self.events(instance, event)
            for envelope in envelopes:
                if all(lookup(envelope["data"], k) == v for k, v in fields.items()):
                    return envelope
            if time.monotonic() >= deadline:
                seen = [{k: lookup(e["data"], k) for k in fields} for e in envelopes[-10:]]
                raise AssertionError(f"no {event} event with {fields} arrived; last of that type: {seen}")
            time.sleep(0.02)

    def advance(self, seconds: float) -> None:
        """Moves the *server's* clock: every account on that server sees it."""
        self._control("POST", "/clock", json={"advance": seconds})


def _no_match(event: str, instance: str | None, fields: dict[str, Any], records: list[RecordedEvent]) -> str:
    wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items()) or "any data"
    lines = [f"no {event} event{f' of {instance!r}' if instance else ''} with {wanted} arrived"]
    same_type = [r for r in records if r.event == event and (instance is None or r.instance == instance)]
    if not same_type:
        arrived = sorted({r.event for r in records}) or ["nothing"]
        lines.append(f"events that did arrive: {', '.join(arrived)}")
    for record in same_type[-10:]:
        diffs = [f"{k}={lookup(record.envelope['data'], k)!r}" for k, v in fields.items()
                 if lookup(record.envelope["data"], k) != v]
        lines.append(f"  #{record.seq} {record.instance}: " + (", ".join(diffs) or "matches"))
    return "\n".join(lines)
