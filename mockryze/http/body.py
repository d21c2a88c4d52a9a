"""Request bodies: read within a size cap and a time limit, then parsed into JSON the mock can hold.

"JSON the mock can hold" is JSON (RFC 8259) whose every string, key included, is valid Unicode
(no lone surrogate: one could not be encoded again in a response or an event), nested at most
:data:`MAX_DEPTH` levels, with numbers an IEEE double can carry. Anything else is refused with
``Invalid request body`` before a handler sees it, so nothing in the world changes.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sys
import weakref
from typing import Any, ClassVar

from starlette.requests import Request

from mockryze.core import literals
from mockryze.core.errors import ApiError

DEADLINE_GRAIN = 0.05  # seconds: how late past its deadline a stalled body read may be cut
MAX_DEPTH = 64  # far below the recursion limit (~1000): the deepest documented body nests 5 levels
MAX_INTEGER_DIGITS = len(str(int(sys.float_info.max)))  # 309: any longer literal cannot be a double
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")  # JSON's escape of a surrogate (lone or paired)


# --- reading ----------------------------------------------------------------------------------
async def read_body(request: Request, limit: int, timeout: float | None) -> bytes:
    """The whole body, refused (413) past ``limit`` bytes, as soon as a ``Content-Length`` or the
    bytes received say so, and (408) when it has not all arrived ``timeout`` seconds after the headers.

    Hypercorn's own ``read_timeout`` bounds every socket read, so it would also cut a WebSocket
    client that only listens and a request still being handled (a send with ``delay``); its
    keep-alive timeout already bounds a connection whose headers stall. Hence this deadline.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(literals.BODY_TOO_LARGE, f"Content-Length {declared} is over the {limit}-byte limit")
    if timeout is None:  # in-process, the body is already in memory
        return await _read_capped(request, limit)
    task = asyncio.current_task()
    assert task is not None
    deadlines = _Deadlines.of(asyncio.get_running_loop())
    deadlines.watch(task, timeout)
    try:
        return await _read_capped(request, limit)
    except asyncio.CancelledError:
        if not deadlines.expired(task):
            raise
        raise ApiError(literals.REQUEST_TIMEOUT, f"the body did not arrive within {timeout:g} s") from None
    finally:
        deadlines.forget(task)


class _Deadlines:
    """The body-read deadlines of one event loop, enforced by one watcher task that looks every
    :data:`DEADLINE_GRAIN` seconds while any is pending. ``asyncio.timeout`` would schedule and
    cancel a timer handle (and copy a context) per request, which a busy server's profile showed.
    A read past its deadline is cancelled; :func:`read_body` turns that cancellation into the 408."""

    _by_loop: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Deadlines]] = weakref.WeakKeyDictionary()

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: dict[asyncio.Task[Any], float] = {}
        self.overdue: set[asyncio.Task[Any]] = set()
        self.watcher: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> _Deadlines:
        found = cls._by_loop.get(loop)
        if found is None:
            found = cls._by_loop[loop] = cls(loop)
        return found

    def watch(self, task: asyncio.Task[Any], timeout: float) -> None:
        self.pending[task] = self.loop.time() + timeout
        if self.watcher is None:
            self.watcher = self.loop.create_task(self._watch())

    def forget(self, task: asyncio.Task[Any]) -> None:
        self.pending.pop(task, None)
        self.overdue.discard(task)

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """Whether ``task`` was cancelled for its deadline (then the cancellation is taken back)."""
        if task not in self.overdue:
            return False
        task.uncancel()
        return True

    async def _watch(self) -> None:
        try:
            while self.pending:
                await asyncio.sleep(DEADLINE_GRAIN)
                now = self.loop.time()
                for task, due in list(self.pending.items()):
                    if due <= now:
                        del self.pending[task]
                        self.overdue.add(task)
                        task.cancel()
        finally:
            self.watcher = None


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body's chunks straight from ASGI ``receive`` (``Request.stream()`` is an async generator
    with its own bookkeeping: a measurable share of a send under load)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ApiError(literals.INVALID_BODY, "the client closed the connection before the body ended")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError(literals.BODY_TOO_LARGE, f"the body went past the {limit}-byte limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# --- parsing ----------------------------------------------------------------------------------
def parse_body(raw: bytes) -> dict[str, Any]:
    """A JSON object, or ``{}`` for an empty body; anything else is ``Invalid request body``."""
    if not raw.strip():
        return {}
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(literals.INVALID_BODY, "the body must be a JSON object")
    return body


def parse_json(raw: bytes) -> Any:
    """Any JSON value the mock can hold, else ``Invalid request body`` (the detail says why)."""
    encoding = json.detect_encoding(raw)
    try:
        value = _DECODER.decode(raw.decode(encoding, "surrogatepass"))  # as json.loads
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(literals.INVALID_BODY, f"malformed JSON: {exc}") from None
    except RecursionError:
        raise _too_deep() from None
    if encoding != "utf-8" or not _cannot_break_rules(raw):
        _check_tree(value)
    return value


def _cannot_break_rules(raw: bytes) -> bool:
    """Whether the raw UTF-8 text alone rules out what :func:`_check_tree` looks for (most bodies): a lone
    surrogate needs a ``\\uD800``–``\\uDFFF`` escape or an encoded surrogate (UTF-8 ``0xED 0xA0``–``0xBF``), and
    nesting past :data:`MAX_DEPTH` needs that many ``{`` / ``[``."""
    return (b"\xed" not in raw and _SURROGATE_ESCAPE.search(raw) is None
            and raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH)


def _check_tree(value: Any) -> None:
    """Depth and strings, walked without recursion; ``path`` is built as a linked list, read on failure only."""
    pending: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while pending:
        node, depth, path = pending.pop()
        if isinstance(node, str):
            _check_text(node, path)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if isinstance(key, str):
                _check_text(key, (path, key))
            if isinstance(item, str | list | dict):
                pending.append((item, depth + 1, (path, key)))


def _check_text(text: str, path: tuple[Any, ...]) -> None:
    if text.isascii():
        return
    found = _SURROGATE.search(text)
    if found is not None:
        where = _where(path).encode("utf-8", "backslashreplace").decode("utf-8")
        raise ApiError(literals.INVALID_BODY,
                       f"{where}: lone surrogate U+{ord(found[0]):04X} (a string must be valid Unicode)")


def _where(path: tuple[Any, ...]) -> str:
    keys: list[str] = []
    while path:
        path, key = path
        keys.append(str(key))
    return "/".join(reversed(keys)) or "(body)"


def _too_deep() -> ApiError:
    return ApiError(literals.INVALID_BODY, f"nested deeper than {MAX_DEPTH} levels")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) <= MAX_INTEGER_DIGITS:
        value = int(text)
        if abs(value) <= sys.float_info.max:
            return value
    raise ApiError(literals.INVALID_BODY, f"a {len(text)}-character integer is out of range")


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ApiError(literals.INVALID_BODY, f"number out of range: {text[:24]}")
    return value


def _not_json(constant: str) -> Any:
    """``NaN`` / ``Infinity`` are Python's extension, not JSON (RFC 8259): refuse them like any bad JSON."""
    raise ApiError(literals.INVALID_BODY, f"malformed JSON: {constant} is not a JSON value")


# json.loads(..., parse_constant=) builds a decoder per call: one, built once
_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_int=_integer, parse_float=_decimal)
