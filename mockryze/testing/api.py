"""The Python API: ``MockRyze`` (an in-process world) and ``RemoteRyze`` (a running server).

Both are a :class:`~mockryze.testing.control.Control`, so they offer the same verbs with the same
signatures (create_instance, connect, scan, set_state, events, advance, inbound, …): a test reads
the same whether it talks to the world directly or to ``mockryze serve`` over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

import httpx
from starlette.applications import Starlette

from mockryze.core import quirks
from mockryze.core.settings import Settings
from mockryze.core.world import World
from mockryze.events.channels import Channels
from mockryze.events.delivery import WebhookTransport
from mockryze.http.app import create_app
from mockryze.server import BackgroundServer
from mockryze.testing import intercept as intercept_
from mockryze.testing.control import Instance, LocalControl, RemoteControl, answer, control_headers
from mockryze.testing.inprocess import SyncTransport

# In-process worlds start frozen at a fixed moment, so timestamps replay like ids do.
FIXED_START = 1_767_268_800.0  # 2026-01-01T12:00:00Z
IN_PROCESS_BASE_URL = "http://mockryze.test"
IN_PROCESS_DEFAULTS: dict[str, Any] = {
    "rate_limits": False, "frozen_clock": True, "start_time": FIXED_START, "base_url": IN_PROCESS_BASE_URL,
}

__all__ = ["FIXED_START", "IN_PROCESS_BASE_URL", "Instance", "MockRyze", "RemoteRyze"]


class MockRyze(LocalControl):
    """A fresh, isolated RyzeAPI world in this process.

    >>> with MockRyze(seed=1) as ryze:
    ...     sales = ryze.create_instance("sales", connected=True)
    ...     ryze.client.get("/api/instance/list", headers={"token": sales.token}).json()["message"]
    '1 Instance found'
    """

    def __init__(self, seed: int | None = None, *, settings: Settings | None = None,
                 webhook_transport: WebhookTransport | None = None, intercept: bool = True,
                 hosts: Iterable[str] | None = None, **options: Any) -> None:
        """``webhook_transport``: an async callable that takes every webhook delivery instead of the
        network (see :class:`mockryze.events.delivery.WebhookTransport`). ``quirks`` takes a mapping
        (``quirks={"reply_field": "off"}``) or the ``NAME=VALUE,…`` text of ``--quirk``.
        ``intercept``: while entered (``with``), calls to ``https://ryzeapi.cloud`` and to ``hosts`` (more
        hosts or base URLs) from httpx, requests, aiohttp and websockets reach this world (see
        mockryze.testing.intercept)."""
        self._intercept = (intercept, hosts)
        self._interceptions: list[intercept_.Interception] = []
        self._gateway: intercept_.Gateway | None = None
        if isinstance(options.get("quirks"), Mapping):
            options["quirks"] = quirks.spec(options["quirks"])
        if settings is None:
            # MOCKRYZE_* variables apply here too (e.g. MOCKRYZE_PROFILE=docs for a whole suite).
            settings = Settings.from_sources(base=IN_PROCESS_DEFAULTS, seed=seed, **options)
        world = World(settings)
        super().__init__(world, Channels.attach(world, webhook_transport))
        # Webhooks aimed at this in-process world's own URL (the capture inbox) reach it without sockets.
        self.channels.delivery.route_locally(IN_PROCESS_BASE_URL, self._asgi)
        self._client: httpx.Client | None = None
        self._server: BackgroundServer | None = None

    # --- context management ---------------------------------------------------------------
    def __enter__(self) -> MockRyze:
        if self._intercept[0]:
            self.intercept(hosts=[*intercept_.DEFAULT_HOSTS, *(self._intercept[1] or ())])
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        while self._interceptions:
            self._interceptions.pop().stop()
        if self._gateway is not None:
            self._gateway.close()
        self.channels.delivery.close()
        if self.world.store is not None:  # --state: the file is complete (each answer was written); let go of it
            self.world.store.close()
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

    @cached_property
    def app(self) -> Starlette:
        """The ASGI app over this world (built on first use)."""
        return create_app(self.world, channels=self.channels)

    async def _asgi(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    @property
    def client(self) -> httpx.Client:
        """A sync httpx client wired to the app in-process; send tokens yourself."""
        if self._client is None:
            self._client = httpx.Client(transport=SyncTransport(self.app), base_url=IN_PROCESS_BASE_URL)
        return self._client

    def async_client(self) -> httpx.AsyncClient:
        # raise_app_exceptions=False: a crash answers what the app sent (the documented 500), as over a socket
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL)

    # --- drop-in mode (mockryze.testing.intercept) -------------------------------------------
    def intercept(self, hosts: Iterable[str] | None = None) -> intercept_.Interception:
        """Answer calls to ``hosts`` (default ``ryzeapi.cloud``) until close(), or the end of ``with``."""
        if self._gateway is None:
            self._gateway = intercept_.Gateway(self)
        interception = intercept_.Interception(self._gateway, hosts).start()
        self._interceptions = [*(i for i in self._interceptions if i.active), interception]
        return interception

    def deliver_to(self, app: Any, path: str = "/webhook", *, base_url: str | None = None) -> str:
        """Webhook deliveries to the returned URL are POSTed into ``app`` (ASGI or WSGI) in-process."""
        return intercept_.deliver_to(self, app, path, base_url)

    def serve(self) -> str:
        """Start a live Hypercorn server on a free port (background thread); returns its base URL."""
        if self._server is None:
            self._server = BackgroundServer(create_app(self.world, channels=self.channels)).start()
            self.world.base_url = self._server.base_url
        return self._server.base_url

    @property
    def base_url(self) -> str:
        return self._server.base_url if self._server else IN_PROCESS_BASE_URL

    def settle_deliveries(self, timeout: float = 5.0) -> None:
        """Block until every webhook delivery is delivered, dead, or waiting for a retry the virtual
        clock has not reached: after ``advance()``, whatever came due has been attempted, and nothing
        more happens until the clock moves again."""
        if not self.channels.delivery.settle(timeout):
            seen = [(d["id"], d["event"], d["status"]) for d in self.deliveries()]
            raise AssertionError(f"deliveries still in flight after {timeout:g} s; journal: {seen}")

    async def async_wait_for_event(self, event: str, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.wait_for_event, event, **kwargs)


class RemoteRyze(RemoteControl):
    """The same verbs against a running ``mockryze serve`` (or ``ryze.serve()``), over HTTP; give
    ``control_token`` when the server has ``--control-token``."""

    @classmethod
    def with_new_account(cls, base_url: str, instance_limit: int | None = None,
                         control_token: str | None = None, quirks: Mapping[str, str] | None = None) -> RemoteRyze:
        """A client bound to a new account of the server (``quirks``: that account's own quirk values)."""
        body: dict[str, Any] = {} if instance_limit is None else {"instanceLimit": instance_limit}
        if quirks:
            body["quirks"] = dict(quirks)
        _, created = answer(httpx.post(f"{base_url.rstrip('/')}/__mock__/accounts", json=body, timeout=10,
                                       headers=control_headers(control_token)))
        return cls(base_url, created["token"], control_token)
