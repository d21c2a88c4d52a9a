"""What a server spends on a request body, over real sockets: the token is checked from the headers
before the body is read, ``--max-body-size`` refuses a larger body (413) without reading it, and a
body that stalls is answered 408 after ``--body-read-timeout``, its connection closed."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mockryze.core import literals
from mockryze.core.literals import ErrorLiteral
from mockryze.core.settings import Settings
from mockryze.http.envelope import DETAIL_HEADER
from mockryze.testing.api import MockRyze
from tests.test_cli import clean_env, free_port, spawned, start_server

CAP = 4_096
WAIT = 10.0  # bounded wait for an answer that must come
SEND = "/api/message/text/sales"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def error(self) -> ErrorLiteral:
        return ErrorLiteral(self.status, json.loads(self.body)["error"]["message"])


@contextlib.contextmanager
def connection(base_url: str) -> Iterator[socket.socket]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
        yield sock


def head(token: str, *lines: str, path: str = SEND) -> bytes:
    return "\r\n".join([f"POST {path} HTTP/1.1", "Host: mock", f"token: {token}",
                        "Content-Type: application/json", *lines, "", ""]).encode()


def read_answer(sock: socket.socket) -> Answer:
    """One HTTP/1.1 response with a Content-Length, read within the socket's timeout."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    raw_head, body = data.split(b"\r\n\r\n", 1)
    status_line, *header_lines = raw_head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
    while len(body) < int(headers["content-length"]):
        body += _recv(sock)
    return Answer(int(status_line.split()[1]), headers, body)


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65_536)
    assert chunk, "the server closed the connection without answering"
    return chunk


def closed_by_server(sock: socket.socket) -> bool:
    with contextlib.suppress(ConnectionResetError):
        while sock.recv(65_536):
            pass
    return True


@pytest.fixture
def live() -> Iterator[MockRyze]:
    with MockRyze(max_body_size=CAP, body_read_timeout=0.5) as mock:
        mock.create_instance("sales", connected=True)
        mock.serve()
        yield mock


def text_body(size: int) -> bytes:
    """A valid send-text body of exactly ``size`` bytes."""
    empty = json.dumps({"number": "5511912345678", "message": ""}).encode()
    return json.dumps({"number": "5511912345678", "message": "x" * (size - len(empty))}).encode()


# --- authentication before the body ------------------------------------------------------------
def test_a_bad_token_is_refused_from_the_headers_without_waiting_for_the_body(live: MockRyze) -> None:
    with connection(live.base_url) as sock:
        sock.sendall(head("not-a-token", "Content-Length: 200000000"))  # 200 MB announced, none sent
        answer = read_answer(sock)
    assert answer.error == literals.INVALID_TOKEN


def test_an_instance_token_of_another_instance_is_refused_before_the_body(live: MockRyze) -> None:
    other = live.create_instance("other")
    with connection(live.base_url) as sock:
        sock.sendall(head(other.token, "Content-Length: 1000"))
        assert read_answer(sock).error == literals.TOKEN_INSTANCE_MISMATCH


# --- the size cap ----------------------------------------------------------------------------------
def test_a_content_length_over_the_cap_is_413_before_any_byte_of_the_body(live: MockRyze) -> None:
    with connection(live.base_url) as sock:
        sock.sendall(head(live.account_token, f"Content-Length: {CAP + 1}"))
        answer = read_answer(sock)
        assert answer.error == literals.BODY_TOO_LARGE
        assert json.loads(answer.body) == {"success": False, "error": {"message": "Request body too large"}}
        assert "4096-byte limit" in answer.headers[DETAIL_HEADER.lower()]
        assert closed_by_server(sock)
    assert live.sent("sales") == []


def test_a_chunked_body_is_cut_off_at_the_cap(live: MockRyze) -> None:
    chunk = b"x" * 1_000
    with connection(live.base_url) as sock:
        sock.sendall(head(live.account_token, "Transfer-Encoding: chunked"))
        for _ in range(CAP // len(chunk) + 1):  # one chunk past the cap, and no final chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = read_answer(sock)
        assert answer.error == literals.BODY_TOO_LARGE
        assert "went past the 4096-byte limit" in answer.headers[DETAIL_HEADER.lower()]
        assert closed_by_server(sock)
    assert live.sent("sales") == []


@pytest.mark.parametrize("size", [CAP - 1, CAP])
def test_a_body_up_to_the_cap_is_served(live: MockRyze, size: int) -> None:
    body = text_body(size)
    with connection(live.base_url) as sock:
        sock.sendall(head(live.account_token, f"Content-Length: {len(body)}") + body)
        assert read_answer(sock).status == 200
    assert len(live.sent("sales")) == 1


def test_a_chunked_body_up_to_the_cap_is_served(live: MockRyze) -> None:
    body = text_body(CAP)
    with connection(live.base_url) as sock:
        sock.sendall(head(live.account_token, "Transfer-Encoding: chunked"))
        for start in range(0, len(body), 1_000):
            part = body[start:start + 1_000]
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        sock.sendall(b"0\r\n\r\n")
        assert read_answer(sock).status == 200


def test_the_default_cap_holds_a_16_mb_media_file_as_base64() -> None:
    assert Settings().max_body_size > 16 * 1024 * 1024 * 4 // 3 + 1_024


# --- the body read timeout ---------------------------------------------------------------------------
def test_a_stalled_body_is_answered_408_and_its_connection_closed(live: MockRyze) -> None:
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(connection(live.base_url)) for _ in range(20)]
        for sock in socks:
            sock.sendall(head(live.account_token, "Content-Length: 100") + b'{"number": "55')  # then nothing
        for sock in socks:
            answer = read_answer(sock)
            assert answer.error == literals.REQUEST_TIMEOUT
            assert closed_by_server(sock)
    assert live.sent("sales") == []


def test_mockryze_serve_takes_both_limits_as_flags() -> None:
    port = free_port()
    args = ("serve", "--port", str(port), "--account-token", "limits-token", "--max-body-size", "1000",
            "--body-read-timeout", "0.5", "--log-level", "warning")
    with spawned(*args, env=clean_env()) as process:
        start_server(process, port)
        base = f"http://127.0.0.1:{port}"
        with connection(base) as sock:
            sock.sendall(head("limits-token", "Content-Length: 1001", path="/api/instance/new"))
            assert read_answer(sock).error == literals.BODY_TOO_LARGE
        with connection(base) as sock:
            sock.sendall(head("limits-token", "Content-Length: 20", path="/api/instance/new") + b'{"name"')
            assert read_answer(sock).error == literals.REQUEST_TIMEOUT


def test_both_literals_are_labelled_inferred_in_the_contract(live: MockRyze) -> None:
    table = live.contract()
    inferred = " ".join(behaviour["behaviour"] for row in table["routes"] for behaviour in row["behaviours"]
                        if behaviour["source"] == "inferred")
    for literal in (literals.BODY_TOO_LARGE, literals.REQUEST_TIMEOUT):
        assert f"{literal.status} `{literal.message}`" in inferred
