"""A small keep-alive HTTP/1.1 POST client for webhook deliveries to plain ``http://`` receivers.

Webhook fan-out was dominated by httpx's per-request machinery (~2 ms of CPU per POST on the
bench); a delivery needs one thing only — POST bytes, read the status, keep the connection — so
this does just that on asyncio streams. ``https://`` and in-process receivers still go through
httpx (see :mod:`mockryze.delivery`).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class WebhookError(Exception):
    """The receiver could not be reached or answered something that is not HTTP."""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class KeepAliveClient:
    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[Connection]] = {}

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        """POST ``body``; returns the status code. Raises TimeoutError or WebhookError."""
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length"]
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        reused = bool(self._idle.get((host, port)))
        try:
            return await asyncio.wait_for(self._exchange(host, port, request), timeout)
        except WebhookError:
            if not reused:
                raise
            # A kept-alive connection the receiver had already closed: one fresh try, as browsers do.
            return await asyncio.wait_for(self._exchange(host, port, request, fresh=True), timeout)

    async def _exchange(self, host: str, port: int, request: bytes, fresh: bool = False) -> int:
        reader, writer = await self._connection(host, port, fresh)
        try:
            writer.write(request)
            await writer.drain()
            status, keep_alive = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            writer.close()
            raise WebhookError(f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            writer.close()
            raise
        if keep_alive:
            self._idle.setdefault((host, port), []).append((reader, writer))
        else:
            writer.close()
        return status

    async def _connection(self, host: str, port: int, fresh: bool) -> Connection:
        idle = self._idle.get((host, port), [])
        while idle and not fresh:
            reader, writer = idle.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
            writer.close()
        try:
            return await asyncio.open_connection(host, port)
        except OSError as exc:
            raise WebhookError(f"ConnectError: {exc}") from None

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns (status, whether the connection can be reused)."""
    status_line = await reader.readuntil(b"\r\n")
    version, status, *_ = status_line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    if int(status) in (204, 304) or int(status) < 200:
        return int(status), keep_alive
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # delimited by close
        keep_alive = False
    return int(status), keep_alive
