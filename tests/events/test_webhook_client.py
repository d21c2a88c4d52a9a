"""The lean keep-alive POST client webhooks use for plain http:// receivers, against raw servers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from mockryze.events.webhook_client import KeepAliveClient, WebhookError

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
    return head + await reader.readexactly(length)


async def with_server(answer: Answer, requests: int) -> tuple[list[int], int]:
    """Serve ``answer`` on a free port, POST ``requests`` times; returns statuses and connections seen."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            await answer(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = KeepAliveClient()
    try:
        statuses = [await client.post(f"http://127.0.0.1:{port}/hook?x=1", b'{"a":1}',
                                      {"Content-Type": "application/json"}, timeout=2) for _ in range(requests)]
    finally:
        await client.aclose()
        server.close()
    return statuses, connections


def respond_forever(*responses: bytes) -> Answer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            request = await read_request(reader)
            assert request.startswith(b"POST /hook?x=1 HTTP/1.1\r\n") and request.endswith(b'{"a":1}')
            writer.write(response)
            await writer.drain()
    return answer


def test_keep_alive_reuses_one_connection() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    statuses, connections = asyncio.run(with_server(respond_forever(ok, ok, ok), 3))
    assert statuses == [200, 200, 200]
    assert connections == 1


@pytest.mark.parametrize("response", [
    b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy",
])
def test_bodies_are_read_so_the_connection_stays_usable(response: bytes) -> None:
    statuses, connections = asyncio.run(with_server(respond_forever(response, response), 2))
    assert statuses == [int(response.split(b" ")[1])] * 2
    assert connections == 1


def test_a_body_in_several_chunks_with_extensions_and_trailers_is_read_whole() -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"4\r\nwiki\r\n5;note=x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n")
    statuses, connections = asyncio.run(with_server(respond_forever(chunked, chunked, chunked), 3))
    assert statuses == [200, 200, 200]
    assert connections == 1  # each body was read to its last chunk: nothing of it was taken for the next answer


@pytest.mark.parametrize(("interim", "final"), [
    (b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    (b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
     b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"),
])
def test_interim_1xx_responses_are_skipped_for_the_final_one(interim: bytes, final: bytes) -> None:
    statuses, connections = asyncio.run(with_server(respond_forever(interim + final, interim + final), 2))
    assert statuses == [int(final.split(b" ")[1])] * 2
    assert connections == 1


def test_an_unasked_for_101_is_a_webhook_error() -> None:
    switching = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    with pytest.raises(WebhookError, match="101 Switching Protocols"):
        asyncio.run(with_server(respond_forever(switching), 1))


@pytest.mark.parametrize("closing", [
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nconnection: Close\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
])
def test_close_among_the_connection_tokens_or_http_1_0_is_not_reused(closing: bytes) -> None:
    statuses, connections = asyncio.run(with_server(respond_forever(closing), 2))
    assert statuses == [200, 200]
    assert connections == 2


def test_connection_close_opens_a_new_connection() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    statuses, connections = asyncio.run(with_server(respond_forever(closing), 2))
    assert statuses == [200, 200]
    assert connections == 2


def test_a_stale_kept_alive_connection_is_retried_once_on_a_fresh_one() -> None:
    async def close_after_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")  # says keep-alive, then hangs up
        await writer.drain()

    statuses, connections = asyncio.run(with_server(close_after_one, 2))
    assert statuses == [200, 200]
    assert connections == 2


def test_refused_and_silent_receivers_fail_clearly() -> None:
    async def refused() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(WebhookError, match="ConnectError"):
            await KeepAliveClient().post(f"http://127.0.0.1:{port}/", b"{}", {}, timeout=2)

    async def silent() -> None:
        async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)

        server = await asyncio.start_server(never, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(TimeoutError):
            await KeepAliveClient().post(f"http://127.0.0.1:{port}/", b"{}", {}, timeout=0.2)
        server.close()

    asyncio.run(refused())
    asyncio.run(silent())


def test_the_request_is_byte_exact_and_its_head_follows_the_headers() -> None:
    """The cached request head: same bytes as built fresh, a new one when the headers change."""
    seen: list[bytes] = []

    async def run() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while True:
                    seen.append(await read_request(reader))
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = KeepAliveClient()
        url = f"http://127.0.0.1:{port}/hook/a?x=1"
        try:
            for body, headers in ((b'{"a":1}', {"Content-Type": "application/json", "Content-Length": "99"}),
                                  (b'{"b":22}', {"Content-Type": "application/json", "Content-Length": "99"}),
                                  (b"{}", {"Content-Type": "application/json", "Authorization": "Bearer t"})):
                assert await client.post(url, body, headers, timeout=2) == 200
        finally:
            await client.aclose()
            server.close()

    asyncio.run(run())
    host = seen[0].split(b"\r\n")[1]
    assert seen == [
        b"POST /hook/a?x=1 HTTP/1.1\r\n" + host + b"\r\nContent-Length: 7\r\nContent-Type: application/json\r\n\r\n"
        b'{"a":1}',
        b"POST /hook/a?x=1 HTTP/1.1\r\n" + host + b"\r\nContent-Length: 8\r\nContent-Type: application/json\r\n\r\n"
        b'{"b":22}',
        b"POST /hook/a?x=1 HTTP/1.1\r\n" + host + b"\r\nContent-Length: 2\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer t\r\n\r\n{}",
    ]
    assert host.startswith(b"Host: 127.0.0.1:")


def test_userinfo_never_reaches_the_host_header() -> None:
    seen: list[bytes] = []
    ports: list[int] = []

    async def run() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(await read_request(reader))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        ports.append(port)
        client = KeepAliveClient()
        try:
            assert await client.post(f"http://ana:s3cret@127.0.0.1:{port}/hook", b"{}", {}, timeout=2) == 200
        finally:
            await client.aclose()
            server.close()

    asyncio.run(run())
    [request] = seen
    assert request.split(b"\r\n")[:2] == [b"POST /hook HTTP/1.1", f"Host: 127.0.0.1:{ports[0]}".encode()]
    assert b"ana" not in request and b"s3cret" not in request


def trickle(response: bytes, pieces: int) -> Answer:
    """Answer every request with ``response`` cut into ``pieces`` separate TCP writes."""
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            step = -(-len(response) // pieces)
            for start in range(0, len(response), step):
                writer.write(response[start:start + step])
                await writer.drain()
                await asyncio.sleep(0.005)
    return answer


@pytest.mark.parametrize("response", [
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
    b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: y\r\n\r\n",
])
def test_a_response_split_across_many_writes_is_read_whole(response: bytes) -> None:
    statuses, connections = asyncio.run(with_server(trickle(response, len(response)), 2))  # byte by byte
    assert statuses == [int(response.split(b" ")[1])] * 2
    assert connections == 1


def test_a_header_block_larger_than_the_stream_limit_is_still_read() -> None:
    padding = b"".join(b"X-Pad-%d: %s\r\n" % (n, b"p" * 1000) for n in range(100))  # ~100 KiB > 64 KiB
    response = b"HTTP/1.1 200 OK\r\n" + padding + b"Content-Length: 2\r\n\r\nok"
    statuses, connections = asyncio.run(with_server(trickle(response, 8), 2))
    assert statuses == [200, 200]
    assert connections == 1  # Content-Length after the padding was seen: the body was read, the connection kept


def test_a_header_line_longer_than_the_stream_limit_is_a_webhook_error() -> None:
    response = b"HTTP/1.1 200 OK\r\nX-Huge: " + b"h" * 100_000 + b"\r\nContent-Length: 0\r\n\r\n"
    with pytest.raises(WebhookError, match="LimitOverrunError"):
        asyncio.run(with_server(respond_forever(response), 1))


def test_a_close_delimited_body_ends_the_connection() -> None:
    async def http10(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.0 201 Created\r\nContent-Type: text/plain\r\n\r\nno length, ends at close")
        await writer.drain()

    statuses, connections = asyncio.run(with_server(http10, 2))
    assert statuses == [201, 201]
    assert connections == 2
