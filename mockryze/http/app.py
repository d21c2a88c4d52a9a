"""``create_app``: the Starlette application over one world."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import posixpath
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from functools import cache, partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from mockryze import __version__, docs, openapi, sandbox
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.settings import Settings
from mockryze.core.world import World
from mockryze.events import routes as events
from mockryze.events.channels import Channels
from mockryze.http.cors import CorsMiddleware, Origins, ordered_methods
from mockryze.http.envelope import error_response
from mockryze.http.ratelimit import RateLimiter, RateLimitMiddleware
from mockryze.http.routing import Endpoint
from mockryze.http.verbs import MOCK_PREFIX
from mockryze.modules import ALL_ENDPOINTS, CONTROL, EMULATED

log = logging.getLogger("mockryze")

__all__ = ["ALL_ENDPOINTS", "CONTROL", "EMULATED", "Channels", "create_app", "openapi_document"]

TICK_SECONDS = 0.2
OPENAPI_PATH = "/openapi.json"


def create_app(world: World | None = None, settings: Settings | None = None, *, channels: Channels | None = None,
               **options: Any) -> Starlette:
    """Build the app. Pass a world (and its channels, when they are already attached), or settings /
    keyword options to build a fresh one."""
    if world is None:
        world = World(settings or Settings.from_sources(env={}, **options))
    if channels is None:
        channels = Channels.attach(world)
    limiter = RateLimiter(world.settings, world.now, partial(_authenticates, world))
    routes, index = _table(world.settings.sandbox)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick(world))  # real-time timers (QR rotation, auto-scan…)
        try:
            yield
        finally:
            ticker.cancel()

    def current_limiter() -> RateLimiter | None:  # app.state is filled in below
        current: RateLimiter | None = app.state.limiter
        return current

    router = IndexedRouter(list(routes), index=index, lifespan=lifespan)
    app = Starlette(
        middleware=[Middleware(CorsMiddleware, origins=Origins(world.settings.cors_origins),
                               methods_for=router.methods_at),
                    Middleware(RateLimitMiddleware, limiter=current_limiter)],
        exception_handlers={HTTPException: _http_error, Exception: _crash},
    )
    app.router = router
    world.on_reset(lambda: app.state.limiter and app.state.limiter.clear())
    app.state.world = world
    app.state.channels = channels
    app.state.limiter = limiter
    return app


@cache
def _table(with_sandbox: bool) -> tuple[tuple[BaseRoute, ...], RouteIndex]:
    """Every route, built once per process: routes hold no world (a handler finds its own on
    ``request.app.state``), and compiling ~250 path patterns was most of a fresh fixture's cost."""
    routes: list[BaseRoute] = [route for spec in ALL_ENDPOINTS for route in spec.routes()]
    routes += events.WEBSOCKET_ROUTES
    routes.append(Route(OPENAPI_PATH, _openapi, methods=["GET"], include_in_schema=False))
    routes.append(Route("/", _index, methods=["GET"], include_in_schema=False))
    routes += docs.routes(OPENAPI_PATH)
    if with_sandbox:
        routes += sandbox.routes()
    return tuple(routes), _index_of(routes)


class IndexedRouter(Router):
    """Starlette's router without its linear scan of ~80 routes per request.

    A route can only match a path that starts with the route's literal segments (those before its
    first ``{parameter}``), so routes are indexed by them and a request tries, in table order, just
    the routes indexed under its own leading segments. Matching, 405s and the 404 stay Starlette's.
    RyzeAPI clients never follow redirects, so trailing-slash redirects are off. One Starlette Mount
    per module scans each module's routes in turn instead: ~3x the cost per match over the table
    (``bench/routing.py``).
    """

    def __init__(self, routes: list[BaseRoute], index: RouteIndex | None = None, **options: Any) -> None:
        super().__init__(routes, redirect_slashes=False, **options)
        self._index = _index_of(self.routes) if index is None else index
        self._candidates: dict[str, list[BaseRoute]] = {}  # by path: most requests repeat a few paths

    def candidates(self, path: str) -> list[BaseRoute]:
        found = self._candidates.get(path)
        if found is None:
            if len(self._candidates) >= CANDIDATE_CACHE_SIZE:
                self._candidates.clear()
            found = self._candidates[path] = _candidates(self._index, path)
        return found

    def methods_at(self, path: str) -> list[str]:
        """The methods of the HTTP routes matching ``path`` (none when it is no route's)."""
        scope: Scope = {"type": "http", "path": path, "method": "OPTIONS"}
        found = {method for route in self.candidates(path) if isinstance(route, Route) and route.methods
                 and route.matches(scope)[0] is not Match.NONE for method in route.methods}
        return ordered_methods(found)

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
        if scope["type"] == "websocket":  # an unknown WebSocket path: the same 404 as over HTTP, before the upgrade
            await events.deny(WebSocket(scope, receive, send), ApiError(literals.ROUTE_NOT_FOUND))
            return
        await self.default(scope, receive, send)


CANDIDATE_CACHE_SIZE = 4096  # distinct paths remembered (then forgotten all at once: memory stays bounded)
RouteIndex = dict[tuple[str, ...], list[tuple[int, BaseRoute]]]


def _index_of(routes: list[BaseRoute]) -> RouteIndex:
    index: RouteIndex = {}
    for position, route in enumerate(routes):
        index.setdefault(_literal_head(route), []).append((position, route))
    return index


def _candidates(index: RouteIndex, path: str) -> list[BaseRoute]:
    segments = tuple(path.split("/")[1:])
    found = [entry for n in range(len(segments) + 1) for entry in index.get(segments[:n], ())]
    return [route for _, route in sorted(found, key=lambda entry: entry[0])]


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
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


@dataclass(frozen=True)
class ModuleSummary:
    """One module of the route table (the rows sharing a tag), as ``GET /`` lists it."""

    name: str
    prefix: str
    routes: int


def modules(endpoints: tuple[Endpoint, ...]) -> list[ModuleSummary]:
    by_tag: dict[str, list[Endpoint]] = {}
    for spec in endpoints:
        by_tag.setdefault(spec.tag, []).append(spec)
    return [ModuleSummary(tag, _shared_prefix(rows), len(rows)) for tag, rows in by_tag.items()]


def _shared_prefix(rows: list[Endpoint]) -> str:
    """The literal leading segments all the rows' paths share, at most the module's (``/api/instance``)."""
    heads = ["/".join(itertools.takewhile(lambda segment: segment[:1] not in (":", "{"), spec.path.split("/")[:3]))
             for spec in rows]
    return posixpath.commonpath(heads)


@cache
def index() -> dict[str, Any]:
    """``GET /``: what this server offers. Mock-only: RyzeAPI has no such route."""
    return {
        "success": True,
        "name": "mockryze",
        "version": __version__,
        "mockOnly": True,
        "description": "A local, stateful mock of RyzeAPI. This index is the mock's own, not a RyzeAPI route.",
        "links": {"openapi": OPENAPI_PATH, "contract": f"{MOCK_PREFIX}/contract", "docs": docs.DOCS_PATH},
        "modules": [asdict(module) for module in modules(ALL_ENDPOINTS)],
        "websocket": events.WEBSOCKET_PATH,
    }


async def _index(request: Request) -> Response:
    """The JSON index; a browser (``Accept: text/html``) gets the sandbox page instead, when it is on."""
    world: World = request.app.state.world
    if world.settings.sandbox and sandbox.wants_page(request):
        page = await sandbox.serve_page(request)
        page.headers["Vary"] = "Accept"
        return page
    return JSONResponse(index(), headers={"Vary": "Accept"})


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


@cache
def openapi_document() -> dict[str, Any]:
    return openapi.document(ALL_ENDPOINTS)


def _authenticates(world: World, token: str) -> bool:
    return token in world.accounts or world.instance_by_token(token) is not None


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
