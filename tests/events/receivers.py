"""Shared helpers of the events tests: webhook receivers, real and virtual, and catalog event examples.

A :class:`Receiver` is a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a background
thread). Its port is bound from the start but only listens after :meth:`Receiver.start`, so before
that (and after :meth:`Receiver.stop`) deliveries to it are refused at the TCP level.

A :class:`VirtualReceiver` has the same interface with no socket: :class:`VirtualReceivers` is the
webhook transport injected into the world (``MockRyze(webhook_transport=...)``), and answers each
delivery for the receiver its URL names, at once, on the delivery loop.

Both record each request (path, headers, JSON body, arrival order) and answer it with the next
scripted behaviour: a status code; for a real receiver :class:`Slow` (answer only after a real
delay longer than the webhook timeout); for a virtual one ``REFUSED`` or ``TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import httpx

from mockryze.core import schemas
from mockryze.events.delivery import WebhookRequest
from mockryze.events.webhook_client import WebhookError


@dataclass(frozen=True)
class Slow:
    """Answer ``status`` only after ``seconds`` of real time (longer than ``webhook_timeout``)."""

    seconds: float
    status: int = 200


Failure = Literal["refused", "timeout"]
REFUSED: Failure = "refused"  # a virtual receiver that cannot be reached
TIMEOUT: Failure = "timeout"  # a virtual receiver that does not answer within the webhook timeout

Behaviour = int | Slow | Failure


@dataclass(frozen=True)
class Received:
    index: int  # arrival order at this receiver, from 0
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any
    answer: Behaviour

    @property
    def event(self) -> str:
        return str(self.body["event"])


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, like real receivers; stop() cuts open connections
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server.owner.record(self.command, self.path, headers, body)
        status = answer
        if isinstance(answer, Slow):
            time.sleep(answer.seconds)
            status = answer.status
        assert isinstance(status, int)
        with contextlib.suppress(OSError):  # the mock may have given up on a slow answer
            payload = b'{"ok":true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, owner: Receiver) -> None:
        super().__init__(("127.0.0.1", port), _Handler, bind_and_activate=False)
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.server_bind()  # the port is ours, but nothing listens yet: connections are refused

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Recorder:
    """What both kinds of receiver share: the scripted answers and the record of what arrived."""

    def __init__(self, default: Behaviour = 200) -> None:
        self.default = default
        self.received: list[Received] = []
        self._script: deque[Behaviour] = deque()
        self._changed = threading.Condition()

    @property
    def url(self) -> str:
        raise NotImplementedError

    def hook(self, path: str = "/hook") -> str:
        return self.url + path

    def script(self, *answers: Behaviour) -> Self:
        """The next requests get these answers, in order; later ones get ``default``."""
        with self._changed:
            self._script.extend(answers)
        return self

    def record(self, method: str, path: str, headers: dict[str, str], body: Any) -> Behaviour:
        with self._changed:
            answer = self._script.popleft() if self._script else self.default
            self.received.append(Received(len(self.received), method, path, headers, body, answer))
            self._changed.notify_all()
        return answer

    def bodies(self) -> list[Any]:
        with self._changed:
            return [r.body for r in self.received]

    def wait_for(self, count: int, timeout: float = 3.0) -> list[Received]:
        """Block (real time, bounded) until ``count`` requests arrived; fail with what did."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(r.path, r.body.get("event") if isinstance(r.body, dict) else r.body)
                            for r in self.received]
                    raise AssertionError(f"expected {count} requests at {self.url}, got {len(seen)}: {seen}")
                self._changed.wait(remaining)
            return list(self.received)


class Receiver(Recorder):
    def __init__(self, default: Behaviour = 200) -> None:
        super().__init__(default)
        self._server = _Server(0, self)
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> Receiver:
        if self._thread is None:
            if self._server.socket.fileno() < 0:  # stopped before: bind the same port again
                self._server = _Server(self.port, self)
            self._server.server_activate()
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        self._server.cut_connections()  # a stopped receiver answers nothing, not even on kept-alive sockets


class ReceiverPool:
    """Creates receivers and stops them all at the end (use it in a fixture)."""

    def __init__(self) -> None:
        self._all: list[Receiver] = []

    def new(self, default: Behaviour = 200, *, start: bool = True) -> Receiver:
        receiver = Receiver(default)
        self._all.append(receiver)
        return receiver.start() if start else receiver

    def close(self) -> None:
        for receiver in self._all:
            receiver.stop()

    def __enter__(self) -> ReceiverPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VirtualReceiver(Recorder):
    """A receiver with no socket: while stopped, deliveries to it are refused."""

    def __init__(self, host: str, default: Behaviour, running: bool) -> None:
        super().__init__(default)
        self.host = host
        self.running = running

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def start(self) -> VirtualReceiver:
        self.running = True
        return self

    def stop(self) -> None:
        self.running = False


class VirtualReceivers:
    """The webhook transport injected into the world: each request goes to the receiver of its host."""

    def __init__(self) -> None:
        self._hosts: dict[str, VirtualReceiver] = {}

    def new(self, default: Behaviour = 200, *, start: bool = True) -> VirtualReceiver:
        receiver = VirtualReceiver(f"receiver-{len(self._hosts) + 1}.test", default, start)
        self._hosts[receiver.host] = receiver
        return receiver

    async def __call__(self, request: WebhookRequest, /) -> int:
        parts = urlsplit(request.url)
        receiver = self._hosts.get(parts.netloc)
        if receiver is None or not receiver.running:
            raise WebhookError(f"ConnectError: nothing listens at {parts.netloc}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name.lower(): value for name, value in request.headers.items()}
        answer = receiver.record("POST", path, headers, request.json())
        if answer == REFUSED:
            raise WebhookError(f"ConnectError: {parts.netloc} refused the connection")
        if answer == TIMEOUT:
            raise TimeoutError
        assert isinstance(answer, int), answer
        return answer


# --- catalog events ---------------------------------------------------------------------------------
def examples(schema: str) -> list[dict[str, Any]]:
    """The complete envelopes a schema of ``schemas/events`` documents (deep copies)."""
    return copy.deepcopy(list(schemas.schema(f"events/{schema}")["examples"]))


def example_data(schema: str, index: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = examples(schema)[index]["data"]
    return data


def media_example() -> dict[str, Any]:
    """``data`` of a (live layout) message.exchange carrying ``message.media.base64``."""
    for envelope in examples("message.exchange.live"):
        media = envelope["data"]["message"].get("media")
        if isinstance(media, dict) and media.get("base64"):
            data: dict[str, Any] = envelope["data"]
            return data
    raise AssertionError("no message.exchange example carries media.base64")


# One ``data`` per injectable type (instance.state is produced by real lifecycle changes instead).
INJECTABLE: tuple[str, ...] = ("message.exchange", "message.status", "group.flow", "call.update", "label.update")


def sample(event: str) -> dict[str, Any]:
    return example_data("message.exchange.live" if event == "message.exchange" else event)


def call_data(number: int) -> dict[str, Any]:
    """A distinct, schema-valid call.update ``data`` per number (its ``id`` encodes the number)."""
    data = example_data("call.update")
    data["id"] = f"{number:016X}"
    return data


def inject(client: httpx.Client | Any, instance: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """Emit one event through ``POST /__mock__/instances/{name}/events``; returns the envelope."""
    response = client.post(f"/__mock__/instances/{instance}/events", json={"event": event, "data": data})
    assert response.status_code == 201, response.text
    envelope: dict[str, Any] = response.json()["envelope"]
    return envelope


def envelope_for(event: str, data: dict[str, Any], instance: str, token: str, base_url: str) -> dict[str, Any]:
    """The envelope the mock builds: ``instanceData`` is filled in by the mock, not by the caller."""
    return {"event": event, "data": data, "instanceData": {"baseUrl": base_url, "instance": instance, "token": token}}


def without_base64(data: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(data)
    del stripped["message"]["media"]["base64"]
    return stripped
