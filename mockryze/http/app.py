"""``create_app``: the Starlette application over one world."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, Router

from mockryze import catalog, openapi
from mockryze.http import control, events, instance, messages
from mockryze.http.envelope import error_response
from mockryze.http.ratelimit import RateLimiter, RateLimitMiddleware
from mockryze.http.routing import Endpoint
from mockryze.settings import Settings
from mockryze.world import World

log = logging.getLogger("mockryze")

EMULATED: tuple[Endpoint, ...] = instance.ENDPOINTS + messages.ENDPOINTS + events.ENDPOINTS
CONTROL: tuple[Endpoint, ...] = control.ENDPOINTS
ALL_ENDPOINTS: tuple[Endpoint, ...] = EMULATED + CONTROL

TICK_SECONDS = 0.2


def create_app(world: World | None = None, settings: Settings | None = None, **options: Any) -> Starlette:
    """Build the app. Pass a world, or settings / keyword options to build a fresh one."""
    if world is None:
        world = World(settings or Settings.from_sources(env={}, **options))
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
        routes=routes,
        middleware=[Middleware(RateLimitMiddleware, limiter=lambda: app.state.limiter)],
        exception_handlers={HTTPException: _http_error, Exception: _crash},
        lifespan=lifespan,
    )
    assert isinstance(app.router, Router)
    app.router.redirect_slashes = False  # RyzeAPI clients never follow redirects
    app.state.world = world
    app.state.limiter = limiter
    return app


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
        return error_response(catalog.METHOD_NOT_ALLOWED, headers=dict(exc.headers or {}))
    if exc.status_code == 404:
        return error_response(catalog.ROUTE_NOT_FOUND)
    return JSONResponse({"success": False, "error": {"message": str(exc.detail)}}, status_code=exc.status_code)


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(catalog.INTERNAL_ERROR)
