"""A small keep-alive HTTP/1.1 POST client for webhook deliveries to plain ``http://`` receivers.

Webhook fan-out was dominated by httpx's per-request machinery (~2 ms of CPU per POST on the
bench); a delivery needs one thing only — POST bytes, read the status, keep the connection — so
this does just that on asyncio streams. ``https://`` and in-process receivers still go through
httpx (see :mod:`mockryze.events.delivery`).

Responses are framed by our own small parser rather than by h11: h11's state machine cost ~100 µs
of CPU per POST here, +1.1 ms of server CPU per send on ``bench/fanout.py`` (+65 %). h11 is the
parser's oracle instead: a Hypothesis test feeds both the same responses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit


class WebhookError(Exception):
    """The receiver could not be reached or answered something that is not HTTP."""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
Address = tuple[str, int]


@dataclass(frozen=True)
class Target:
    """Where a POST goes and its request head, split around the Content-Length value."""

    address: Address
    head_start: bytes  # request line, Host, "Content-Length: "
    head_end: bytes  # the other headers and the blank line

    @staticmethod
    @lru_cache(maxsize=256)  # webhooks are few; each one's head is built once
    def of(url: str, headers: tuple[tuple[str, str], ...]) -> Target:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]  # user:password@ is a credential, never part of Host
        start = f"POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: "
        end = "".join(f"\r\n{name}: {value}" for name, value in headers if name.lower() != "content-length")
        address = (parts.hostname or "", parts.port or 80)
        return Target(address, start.encode("latin-1"), (end + "\r\n\r\n").encode("latin-1"))

    def request(self, body: bytes) -> bytes:
        return b"".join((self.head_start, str(len(body)).encode(), self.head_end, body))


class KeepAliveClient:
    def __init__(self) -> None:
        self._idle: dict[Address, list[Connection]] = {}

    async def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """POST ``body``; returns the status code. Raises TimeoutError or WebhookError."""
        target = Target.of(url, tuple(headers.items()))
        request = target.request(body)
        reused = bool(self._idle.get(target.address))
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(target.address, request)
        except WebhookError:
            if not reused:
                raise
        # A kept-alive connection the receiver had already closed: one fresh try, as browsers do.
        async with asyncio.timeout(timeout):
            return await self._exchange(target.address, request, fresh=True)

    async def _exchange(self, address: Address, request: bytes, fresh: bool = False) -> int:
        reader, writer = await self._connection(address, fresh)
        try:
            writer.write(request)
            await writer.drain()
            status, keep_alive = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            writer.close()
            raise WebhookError(f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            writer.close()
            raise
        if keep_alive:
            self._idle.setdefault(address, []).append((reader, writer))
        else:
            writer.close()
        return status

    async def _connection(self, address: Address, fresh: bool) -> Connection:
        idle = self._idle.get(address, [])
        while idle and not fresh:
            reader, writer = idle.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
            writer.close()
        try:
            return await asyncio.open_connection(*address)
        except OSError as exc:
            raise WebhookError(f"ConnectError: {exc}") from None

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()


@dataclass(frozen=True, slots=True)
class Head:
    """A response's status line and headers (names lower-cased, repeated ones joined with ", ")."""

    version: str
    status: int
    headers: dict[str, str]

    @staticmethod
    def parse(raw: bytes) -> Head:
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        version, status_text, *_ = status_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return Head(version, int(status_text), headers)

    def tokens(self, name: str) -> set[str]:
        return {token.strip().lower() for token in self.headers.get(name, "").split(",")}

    @property
    def keep_alive(self) -> bool:
        return self.version == "HTTP/1.1" and "close" not in self.tokens("connection")

    @property
    def has_body(self) -> bool:
        return self.status >= 200 and self.status not in (204, 304)

    @property
    def content_length(self) -> int | None:
        if "content-length" not in self.headers:
            return None
        lengths = {length.strip() for length in self.headers["content-length"].split(",")}
        if len(lengths) != 1:
            raise ValueError(f"conflicting Content-Length values: {self.headers['content-length']}")
        return int(lengths.pop())


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one final response whole, after any 1xx interim ones; returns (status, whether the
    connection can be reused). ``tests/events/test_webhook_framing.py`` checks it against h11."""
    head = Head.parse(await _read_head(reader))
    while 100 <= head.status < 200:
        if head.status == 101:
            raise ValueError("101 Switching Protocols, but no upgrade was asked for")
        head = Head.parse(await _read_head(reader))
    if not head.has_body:
        return head.status, head.keep_alive
    if "chunked" in head.tokens("transfer-encoding"):
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        return head.status, head.keep_alive
    if (length := head.content_length) is not None:
        await reader.readexactly(length)
        return head.status, head.keep_alive
    await reader.read()  # delimited by close
    return head.status, False


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    """The status line and header lines, without the blank line that ends them."""
    try:
        return (await reader.readuntil(b"\r\n\r\n"))[:-4]
    except asyncio.LimitOverrunError:  # a head longer than the reader's buffer limit: line by line
        lines = []
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            lines.append(line)
        return b"".join(lines)[:-2]
