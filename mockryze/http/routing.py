"""The route table's row type and the one wrapper that runs every endpoint.

A handler only acts on the world: the wrapper reads the body, authenticates, finds the
``:instance`` the token may touch, validates the body against its schema, holds the world lock,
and turns the handler's result or :class:`ApiError` into a response.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockryze.core import literals, schemas
from mockryze.core.accounts import Caller, authenticate, require_account_token, target_instance
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.core.world import World
from mockryze.http import journal
from mockryze.http.auth import scope_token
from mockryze.http.body import parse_body, read_body
from mockryze.http.envelope import error_response
from mockryze.instance.model import Instance
from mockryze.scenarios import faults

log = logging.getLogger("mockryze")

Auth = Literal["account", "either", "none"]
BLOCKING = "mockryze.blocking"  # ASGI scope extension: the request runs on a thread with no event loop to yield to


@dataclass(frozen=True)
class Deferred:
    """A result that comes after ``delay`` virtual seconds (e.g. a send with ``delay``: the client
    "types" first). ``then`` runs under the world lock once the time has passed."""

    delay: float
    then: Callable[[], tuple[int, dict[str, Any]]]


Result = tuple[int, dict[str, Any]] | Deferred


@dataclass
class Context:
    world: World
    request: Request
    caller: Caller | None
    instance: Instance | None
    body: dict[str, Any]
    raw: bytes = b""

    @property
    def query(self) -> Any:
        return self.request.query_params

    @property
    def target(self) -> Instance:
        """The ``:instance`` the wrapper resolved for this token; only routes with ``:instance`` have one."""
        if self.instance is None:
            raise LookupError(f"{self.request.url.path} has no :instance (or its endpoint is auth='none')")
        return self.instance


Handler = Callable[[Context], Result]
Respell = Callable[[ErrorLiteral, str | None], ErrorLiteral]  # (shared refusal, its detail) -> the route's own


@dataclass(frozen=True)
class Endpoint:
    """One row of the route table: everything the server, the docs and the tests need to know."""

    method: str
    path: str  # RyzeAPI spelling, e.g. /api/instance/connect/:instance
    handler: Handler
    summary: str
    auth: Auth = "either"
    request_schema: str | None = None
    responses: dict[int, str] = field(default_factory=dict)  # success status -> schema name
    errors: tuple[ErrorLiteral, ...] = ()
    tag: str = ""  # the module's name: mockryze.modules fills it in from the registry
    query: dict[str, str] = field(default_factory=dict)  # query parameter -> description
    detailed_body_errors: bool = False  # messages module: "Invalid request body: <detail>"
    body_aliases: tuple[tuple[str, str], ...] = ()  # (alias, field): the alias fills a field the body lacks
    respell: Respell | None = None  # a module that words shared refusals its own way (chatwoot)
    gate: Callable[[World], None] | None = None  # refuses before the :instance lookup (chatwoot: bridge off)

    def refusal(self, literal: ErrorLiteral, detail: str | None = None) -> ErrorLiteral:
        """How this route words a refusal every route shares (most routes: as is)."""
        return literal if self.respell is None else self.respell(literal, detail)

    @cached_property  # read by every request (the journal, the fault check): built once
    def route(self) -> str:
        """The row as the request journal names it: ``POST /api/message/text/:instance``."""
        return f"{self.method} {self.path}"

    @property
    def takes_instance(self) -> bool:
        return ":instance" in self.path

    def starlette_paths(self) -> list[str]:
        path = self.path.replace(":instance", "{instance}")
        if ":instance" not in self.path:
            return [path]
        bare = self.path.replace("/:instance", "")
        return [path, bare, bare + "/"]  # empty segment -> 400 Instance name is required

    def routes(self) -> list[Route]:
        endpoint = EndpointApp(self)
        return [Route(p, endpoint, methods=[self.method], include_in_schema=False) for p in self.starlette_paths()]


class EndpointApp:
    """The ASGI app of one route-table row, called by Starlette's ``Route`` with the scope it matched.

    An ASGI app rather than a request/response function: Starlette wraps the latter in one more
    exception-handling layer per request, and its ``JSONResponse`` re-reads its options per body;
    the success answer is written straight to ``send`` instead (same bytes, same headers).
    """

    def __init__(self, spec: Endpoint) -> None:
        self.spec = spec
        self.journaled = spec.tag != "mock"  # the emulated API's routes, not the control plane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        answer = await self.answer(request)
        if isinstance(answer, Response):
            await answer(scope, receive, send)
            return
        status, payload = answer
        body = _encode(payload)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(body)).encode()), _JSON_TYPE]})
        await send({"type": "http.response.body", "body": body})

    async def answer(self, request: Request) -> Response | tuple[int, dict[str, Any]]:
        spec, journaled = self.spec, self.journaled
        world: World = request.app.state.world
        raw = b""
        try:
            with world.lock:
                _admit(spec, world, request)  # from the headers alone: a refused caller's body is never read
            raw = await read_body(request, world.settings.max_body_size, _read_timeout(world, request))
            with world.lock:
                world.run_due(save=False)
                ctx = _context(spec, world, request, raw)
                injected = _intercepted(spec, ctx) if journaled else None
                result = spec.handler(ctx) if injected is None else injected.result
            if injected is not None and not injected.delay_only:
                if journaled:
                    _journal(spec, world, request, raw, injected.status, injected.literal)
                return await injected.respond(world, request)
            if injected is not None:  # `slow`: the latency first, then the handler as usual
                await _latency(world, request, injected.fault)
                with world.lock:
                    world.run_due()
                    _still_live(world, ctx.instance)
                    result = spec.handler(ctx)
            if isinstance(result, Deferred):
                await _pause(world, request, result.delay)
                with world.lock:
                    world.run_due(save=False)
                    _still_live(world, ctx.instance)
                    result = result.then()
            status, payload = result
            if world.store is not None:
                _save(spec, world, ctx)
        except ApiError as error:
            if spec.respell is not None:
                error = ApiError(spec.refusal(ErrorLiteral(error.status, error.message), error.detail), error.detail)
            if error.status == literals.INTERNAL_ERROR.status:  # 503 "not connected" is a normal refusal
                log.error("%s %s -> %s %s", request.method, _path(request), error.status, error.detail)
            if journaled:
                _journal(spec, world, request, raw, error.status, error.message)
            return error_response(error)
        if journaled:
            message = payload.get("message")
            _journal(spec, world, request, raw, status, message if isinstance(message, str) else None)
        return status, payload


# JSONResponse's rendering, with the encoder built once
_encode_text = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_JSON_TYPE = (b"content-type", b"application/json")


def _encode(payload: dict[str, Any]) -> bytes:
    return _encode_text(payload).encode("utf-8")


def _path(request: Request) -> str:
    """``request.url.path`` without building the URL: the scope's path as Starlette's URL escapes it."""
    path: str = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


HOLD_CAP_SECONDS = 120.0  # a `timeout` fault never holds a connection longer than this (real time)


@dataclass(frozen=True)
class _Injected:
    """A fault's answer to one request (see :mod:`mockryze.scenarios.faults`)."""

    fault: faults.Interception

    @property
    def delay_only(self) -> bool:
        return self.fault.answer is None and self.fault.drop is None

    @property
    def result(self) -> Result:
        return 0, {}  # never used: the handler does not run

    @property
    def status(self) -> int:
        return self.fault.answer.status if self.fault.answer else 500  # a cut connection: no status reached the client

    @property
    def literal(self) -> str | None:
        return self.fault.answer.message if self.fault.answer else None

    async def respond(self, world: World, request: Request) -> Response:
        headers = {**self.fault.headers, faults.FAULT_HEADER: self.fault.fault}
        if self.fault.answer is not None:
            return error_response(self.fault.answer, headers=headers)
        blocking = BLOCKING in request.scope.get("extensions", {})
        if self.fault.drop == "timeout" and not blocking:
            await _hold(world, request, max(self.fault.since + self.fault.delay - world.now(), 0.0))
        return _Cut(headers)


class _Cut(Response):
    """A response that promises a body and never sends it: the client sees the connection cut.

    In-process (no socket), the transport turns the fault header into the error a socket gives."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__(status_code=500, headers={**headers, "content-length": "64"})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        with contextlib.suppress(Exception):  # the server refuses to end a short body: it drops the connection
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _latency(world: World, request: Request, fault: faults.Interception) -> None:
    """A `slow` fault: real seconds (capped), or the rest of its delay on the mock's clock."""
    if not fault.real:
        await _pause(world, request, max(fault.since + fault.delay - world.now(), 0.0))
    elif BLOCKING in request.scope.get("extensions", {}):
        time.sleep(min(fault.delay, HOLD_CAP_SECONDS))
    else:
        await asyncio.sleep(min(fault.delay, HOLD_CAP_SECONDS))


async def _hold(world: World, request: Request, seconds: float) -> None:
    """Hold the request until the client gives up, ``seconds`` pass on the mock's clock, or the cap."""
    deadline = time.monotonic() + HOLD_CAP_SECONDS
    sleeper = asyncio.ensure_future(world.sleep(seconds))
    try:
        while not sleeper.done() and time.monotonic() < deadline and not await request.is_disconnected():
            await asyncio.wait({sleeper}, timeout=0.05)
    finally:
        sleeper.cancel()


def _intercepted(spec: Endpoint, ctx: Context) -> _Injected | None:
    if ctx.caller is None:
        return None
    found = faults.intercept(ctx.world, ctx.caller.account.token, spec.route, ctx.instance,
                             ctx.body, lambda: ctx.query)
    return None if found is None else _Injected(found)
def _save(spec: Endpoint, world: World, ctx: Context) -> None:
    """An answered request is on disk before its answer leaves (``--state``): the instance it targeted,
    or everything (an account call, a control-plane verb)."""
    if spec.tag != "mock" and ctx.instance is not None:
        world.checkpoint(ctx.instance)
    else:
        world.checkpoint()


def _still_live(world: World, instance: Instance | None) -> None:
    """A request that waited on the clock acts only on an instance still in the world: one deleted, or
    a world reset, meanwhile (the same seed hands the same token to a new instance) makes it a 404."""
    if instance is not None and world.instance_by_token(instance.token) is not instance:
        raise ApiError(literals.INSTANCE_NOT_FOUND, "the instance was deleted or the world reset during the delay")


async def _pause(world: World, request: Request, seconds: float) -> None:
    """Wait ``seconds`` on the mock's clock; a request run on a thread with no event loop blocks it."""
    if BLOCKING in request.scope.get("extensions", {}):
        world.block_until(world.now() + seconds)
    else:
        await world.sleep(seconds)


def _read_timeout(world: World, request: Request) -> float | None:
    """In-process (no event loop) the body is already in memory: nothing to time."""
    return None if BLOCKING in request.scope.get("extensions", {}) else world.settings.body_read_timeout


def _admit(spec: Endpoint, world: World, request: Request) -> tuple[Caller | None, Instance | None]:
    """Who calls and which ``:instance`` it may touch: 401 / 403 / 404 before any body is read."""
    if spec.auth == "none":
        return None, None
    caller = authenticate(world, scope_token(request.scope))
    if spec.auth == "account":
        require_account_token(caller)
    if spec.gate is not None:
        spec.gate(world)
    target = target_instance(caller, request.path_params.get("instance", "")) if spec.takes_instance else None
    return caller, target


def _bounded(detail: str, limit: int = 200) -> str:
    """The detail as the message carries it: a validator's text may quote the whole body."""
    return detail if len(detail) <= limit else detail[:limit] + "…"


def _context(spec: Endpoint, world: World, request: Request, raw: bytes) -> Context:
    caller, target = _admit(spec, world, request)  # again: the world may have changed while the body arrived
    try:
        body = parse_body(raw) if spec.request_schema else {}
        body.update({name: body[alias] for alias, name in spec.body_aliases if alias in body and name not in body})
        if spec.request_schema:
            schemas.check_request(spec.request_schema, body)
            if journal.strict_for(world, caller.account.token if caller else None):
                _refuse_unknown(spec.request_schema, body)
    except ApiError as error:
        if spec.detailed_body_errors and error.message == literals.INVALID_BODY.message:
            detail = error.detail or "invalid"
            raise ApiError(literals.invalid_body_detail(_bounded(detail)), detail) from None
        raise
    return Context(world, request, caller, target, body, raw)


def _refuse_unknown(schema: str, body: dict[str, Any]) -> None:
    unknown = journal.unknown_keys(schema, body)
    if unknown:
        raise ApiError(literals.INVALID_BODY, f"{unknown[0]}: not a field of this route (strict fields)")


def _journal(spec: Endpoint, world: World, request: Request, raw: bytes, status: int, literal: str | None) -> None:
    token = scope_token(request.scope)
    with world.lock:
        kind, account = _token_kind(world, token)
        entry = journal.Recorded(journal.next_seq(world), world.iso(), request.method, _path(request),
                                 spec.route, spec.request_schema, request.path_params.get("instance") or None, kind,
                                 tuple(request.scope["headers"]), raw, status, literal)
        journal.record(world, account, entry)


def _token_kind(world: World, token: str | None) -> tuple[journal.TokenKind, str]:
    """Which kind of token the request presented, and the account whose journal it goes to."""
    if not token:
        return "none", world.default_account.token
    if token in world.accounts:
        return "account", token
    owned = world.instance_by_token(token)
    if owned is not None:
        return "instance", owned.account.token
    return "invalid", world.default_account.token
