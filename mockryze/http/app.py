"""``create_app``: the Starlette application over one world."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

from mockryze import openapi
from mockryze.core import literals
from mockryze.core.settings import Settings
from mockryze.core.world import World
from mockryze.events import routes as events
from mockryze.events.delivery import Dispatcher, WebhookTransport
from mockryze.events.wshub import Hub
from mockryze.http import control
from mockryze.http.envelope import error_response
from mockryze.http.ratelimit import RateLimiter, RateLimitMiddleware
from mockryze.http.routing import Endpoint
from mockryze.instance import routes as instance
from mockryze.messages import routes as messages

log = logging.getLogger("mockryze")

EMULATED: tuple[Endpoint, ...] = instance.ENDPOINTS + messages.ENDPOINTS + events.ENDPOINTS
CONTROL: tuple[Endpoint, ...] = control.ENDPOINTS
ALL_ENDPOINTS: tuple[Endpoint, ...] = EMULATED + CONTROL

TICK_SECONDS = 0.2


@dataclass(frozen=True)
class Channels:
    """How events leave a world: webhook deliveries and the WebSocket hub, both listening to its bus."""

    delivery: Dispatcher
    hub: Hub

    @classmethod
    def attach(cls, world: World, webhook_transport: WebhookTransport | None = None) -> Channels:
        channels = cls(Dispatcher(world, webhook_transport), Hub(world.settings.websocket_queue_size))
        world.bus.subscribe(channels.delivery.on_event)
        world.bus.subscribe(channels.hub.on_event)
        world.on_reset(channels.delivery.clear)
        return channels


def create_app(world: World | None = None, settings: Settings | None = None, *, channels: Channels | None = None,
               **options: Any) -> Starlette:
    """Build the app. Pass a world (and its channels, when they are already attached), or settings /
    keyword options to build a fresh one."""
    if world is None:
        world = World(settings or Settings.from_sources(env={}, **options))
    if channels is None:
        channels = Channels.attach(world)
    limiter = RateLimiter(world.settings, world.now) if world.settings.rate_limits else None
    routes: list[BaseRoute] = [route for spec in ALL_ENDPOINTS for route in spec.routes()]
    routes += events.WEBSOCKET_ROUTES
    routes.append(Route("/openapi.json", _openapi, methods=["GET"], include_in_schema=False))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick(world))  # real-time timers (QR rotation, auto-scan…)
        try:
            yield
        finally:
            ticker.cancel()

    app = Starlette(
        middleware=[Middleware(RateLimitMiddleware, limiter=lambda: app.state.limiter)],
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    app.router = IndexedRouter(routes, lifespan=lifespan)
    app.state.world = world
    app.state.channels = channels
    app.state.limiter = limiter
    return app


class IndexedRouter(Router):
    """Starlette's router without its linear scan of ~80 routes per request.

    A route can only match a path that starts with the route's literal segments (those before its
    first ``{parameter}``), so routes are indexed by them and a request tries, in table order, just
    the routes indexed under its own leading segments. Matching, 405s and the 404 stay Starlette's.
    RyzeAPI clients never follow redirects, so trailing-slash redirects are off.
    """

    def __init__(self, routes: list[BaseRoute], **options: Any) -> None:
        super().__init__(routes, redirect_slashes=False, **options)
        self._index: dict[tuple[str, ...], list[tuple[int, BaseRoute]]] = {}
        for position, route in enumerate(self.routes):
            self._index.setdefault(_literal_head(route), []).append((position, route))

    def candidates(self, path: str) -> list[BaseRoute]:
        segments = tuple(path.split("/")[1:])
        found = [entry for n in range(len(segments) + 1) for entry in self._index.get(segments[:n], ())]
        return [route for _, route in sorted(found, key=lambda entry: entry[0])]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = route, child_scope
        if partial is not None:  # the path exists with another method: Starlette answers 405
            scope["route"] = partial[0]
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        await self.default(scope, receive, send)


def _route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _literal_head(route: BaseRoute) -> tuple[str, ...]:
    path = getattr(route, "path", None) if isinstance(route, Route | WebSocketRoute) else None
    if path is None:  # anything else (a Mount…) is tried for every path
        return ()
    head = []
    for segment in path.split("/")[1:]:
        if "{" in segment:
            break
        head.append(segment)
    return tuple(head)


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


@cache
def openapi_document() -> dict[str, Any]:
    return openapi.document(ALL_ENDPOINTS)


async def _tick(world: World) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        if not world.clock.frozen:
            world.run_due()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(literals.METHOD_NOT_ALLOWED, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return error_response(literals.ROUTE_NOT_FOUND)
    return JSONResponse({"success": False, "error": {"message": str(exc.detail)}}, status_code=exc.status_code)


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(literals.INTERNAL_ERROR)
