"""Messages end to end over real sockets: the live server (``ryze.serve()``), a real webhook receiver on
127.0.0.1 and a real WebSocket client. Virtual time is advanced between steps; arrival is awaited with
bounded real-time waits."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any, Self

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.conftest import check_response
from tests.events.receivers import Receiver, ReceiverPool

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
WANTED = ["message.exchange", "message.status"]
WAIT = 5.0  # real seconds an expected frame / request may take
QUIET = 0.15  # real seconds during which "nothing more arrives" is checked
PROFILES = [pytest.param("live", id="live"),
            pytest.param("docs", id="docs", marks=pytest.mark.ryze(profile="docs", webhook_timeout=0.5))]
pytestmark = pytest.mark.ryze(webhook_timeout=0.5)


class Wire:
    """One instance wired to a real webhook receiver and a real WebSocket client, over the live server."""

    def __init__(self, ryze: MockRyze, receiver: Receiver) -> None:
        self.ryze = ryze
        self.receiver = receiver
        self.base = ryze.serve()
        self.instance = ryze.create_instance("sales", connected=True)
        self.http = httpx.Client(base_url=self.base, headers={"token": self.instance.token}, timeout=10)
        self.configure()
        ws_url = self.base.replace("http://", "ws://") + "/ws/sales"
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(ws_url, additional_headers={"token": self.instance.token}, open_timeout=WAIT))
        self._wait_registered()
        self.frames: list[dict[str, Any]] = []

    def configure(self) -> None:
        hook = self.post("/api/events/webhook/sales", {"enabled": True, "url": self.receiver.hook(),
                                                       "events": WANTED})
        assert hook["webhook"]["enabled"] is True
        socket = self.post("/api/events/websocket/sales", {"enabled": True, "events": WANTED})
        assert socket["websocket"] == {"enabled": True, "events": WANTED, "mediaBase64": False}

    def _wait_registered(self) -> None:
        deadline = time.monotonic() + WAIT
        while self.ryze.websocket_clients("sales") < 1:
            assert time.monotonic() < deadline, "the WebSocket client never registered with the hub"
            time.sleep(0.01)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = check_response(self.http.post(path, json=body))
        assert response.status_code in (200, 201), response.text
        payload: dict[str, Any] = response.json()
        return payload

    @classmethod
    @contextlib.contextmanager
    def opened(cls, ryze: MockRyze) -> Iterator[Self]:
        """A wire over a receiver of its own, closed afterwards."""
        with ReceiverPool() as pool:
            wired = cls(ryze, pool.new())
            try:
                yield wired
            finally:
                wired.close()

    def close(self) -> None:
        self._stack.close()
        self.http.close()

    # --- what arrived --------------------------------------------------------------------------
    def frames_until(self, count: int) -> list[dict[str, Any]]:
        """Read WebSocket frames until ``count`` arrived in total (bounded); each is schema-checked."""
        deadline = time.monotonic() + WAIT
        while len(self.frames) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"expected {count} frames, got {[summary(f) for f in self.frames]}")
            try:
                raw = self.ws.recv(timeout=remaining)
            except TimeoutError:
                continue
            frame = json.loads(raw)
            schemas.validate_event(frame)
            self.frames.append(frame)
        return list(self.frames)

    def no_more_frames(self) -> None:
        try:
            extra = self.ws.recv(timeout=QUIET)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame: {extra}")

    def hooks_until(self, count: int) -> list[dict[str, Any]]:
        bodies = [r.body for r in self.receiver.wait_for(count, timeout=WAIT)]
        for body in bodies:
            schemas.validate_event(body)
        return bodies

    def both_until(self, count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return self.hooks_until(count), self.frames_until(count)


def summary(envelope: dict[str, Any]) -> tuple[str, str]:
    data = envelope["data"]
    if envelope["event"] == "message.status":
        return "message.status", str(data["status"])
    direction = data["direction"] if "direction" in data else data["message"]["direction"]
    return envelope["event"], str(direction)


def message_of(envelope: dict[str, Any], profile: str) -> dict[str, Any]:
    """The part of a message.exchange that holds id/direction/chat/sender in each layout."""
    data: dict[str, Any] = envelope["data"]
    return data if profile == "live" else dict(data["message"])


@pytest.fixture
def wire(ryze: MockRyze) -> Iterator[Wire]:
    with Wire.opened(ryze) as wired:
        yield wired


@pytest.mark.parametrize("profile", PROFILES)
def test_sent_text_reaches_both_transports_with_receipts_in_order(wire: Wire, profile: str) -> None:
    ryze = wire.ryze
    assert ryze.settings.profile == profile
    data = wire.post("/api/message/text/sales", {"number": "+55 (11) 98765-4321", "message": "Pedido saiu!"})["data"]
    message_id = data["messageId"]

    hooks, frames = wire.both_until(1)
    expected = [("message.exchange", "outgoing")]  # no `sent` status: the HTTP reply is the sent signal
    assert [summary(b) for b in hooks] == expected
    assert [summary(f) for f in frames] == expected
    for exchange in (hooks[0], frames[0]):
        body = message_of(exchange, profile)
        assert body["id"] == message_id
        assert body["chat"]["jid"] == ALICE_JID
        assert exchange["instanceData"] == {"baseUrl": wire.base, "instance": "sales", "token": wire.instance.token}
    assert hooks == frames  # webhook body = WebSocket frame (no media involved)

    wire.no_more_frames()
    ryze.advance(1)  # receipt_delivered_delay
    hooks, frames = wire.both_until(2)
    ryze.advance(2)  # receipt_read_delay
    hooks, frames = wire.both_until(3)
    for received in (hooks, frames):
        assert [summary(e) for e in received] == [*expected, ("message.status", "delivered"),
                                                  ("message.status", "read")]
        for status in received[1:]:
            assert status["data"]["messageIds"] == [message_id]
            assert status["data"]["chat"] == {"jid": ALICE_JID, "type": "private"}
            assert status["data"]["recipient"] == ALICE
    assert [e["data"]["timestamp"] for e in frames[1:]] == [
        "2026-01-01T09:00:01-03:00", "2026-01-01T09:00:03-03:00"]
    ryze.advance(3600)
    wire.no_more_frames()
    assert len(wire.receiver.received) == 3
    journal = ryze.wait_for_deliveries(3, status="delivered", instance="sales")
    assert [d["event"] for d in journal] == ["message.exchange", *["message.status"] * 2]


@pytest.mark.parametrize("profile", PROFILES)
def test_event_invitation_reaches_both_transports(wire: Wire, profile: str) -> None:
    """The client-expected event route: its ``message.exchange`` arrives valid in the profile's layout."""
    body = {"number": ALICE, "name": "Store opening", "startAt": "2026-01-10T19:00:00-03:00",
            "location": {"name": "Central Office"}, "hasReminder": True, "reminderOffsetSec": 600}
    answer = wire.post("/api/message/event/sales", body)
    assert (answer["status"], answer["data"]["messageType"]) == ("sent", "event")
    hooks, frames = wire.both_until(1)  # each validated against the message.exchange schemas
    assert hooks == frames
    message = hooks[0]["data"]["message"]
    assert message_of(hooks[0], profile)["id"] == answer["data"]["messageId"] and message["type"] == "event"
    assert message["event"] == {"name": "Store opening", "startAt": "2026-01-10T19:00:00-03:00",
                                "location": {"name": "Central Office"}, "reminderOffsetSec": 600,
                                "isScheduleCall": False, "hasReminder": True, "extraGuestsAllowed": False,
                                "isCanceled": False}
    assert message["content"] == ("Store opening" if profile == "live" else {"text": "Store opening"})


@pytest.mark.parametrize("profile", PROFILES)
def test_inbound_text_reaches_both_transports(wire: Wire, profile: str) -> None:
    ryze = wire.ryze
    ryze.advance(30)
    view = wire.post("/__mock__/instances/sales/inbound",
                     {"from": "551187654321", "type": "text", "text": "Vocês abrem no feriado?", "pushName": "Ana"})
    message_id = view["data"]["id"]
    hooks, frames = wire.both_until(1)
    assert hooks == frames
    for envelope in (hooks[0], frames[0]):
        assert envelope["event"] == "message.exchange"
        data = envelope["data"]
        if profile == "live":
            assert data["id"] == message_id
            assert data["direction"] == "incoming"
            assert data["chat"]["jid"] == ALICE_JID
            assert data["sender"] == {"jid": ALICE_JID, "lid": data["sender"]["lid"], "name": "Ana"}
            assert data["message"]["type"] == "text"
            assert data["message"]["content"] == "Vocês abrem no feriado?"
            assert data["timestamp"] == "2026-01-01T09:00:30-03:00"
        else:
            assert set(data) == {"id", "message"}
            assert data["id"] == data["message"]["id"] == message_id
            body = data["message"]
            assert (body["direction"], body["type"]) == ("incoming", "text")
            assert body["content"] == {"text": "Vocês abrem no feriado?"}
            assert body["chat"]["jid"] == body["sender"]["jid"] == ALICE_JID
            assert body["sender"]["name"] == "Ana"
            assert body["timestamp"] == "2026-01-01T09:00:30-03:00"
    ryze.advance(3600)  # an incoming message gets no receipts of ours without autoReadMessages
    wire.no_more_frames()
    assert len(wire.receiver.received) == 1


def test_auto_read_status_follows_the_inbound_on_both_transports(wire: Wire) -> None:
    wire.post("/api/instance/settings/sales", {"autoReadMessages": True})
    wire.post("/__mock__/instances/sales/inbound", {"from": ALICE, "type": "text", "text": "oi"})
    hooks, frames = wire.both_until(2)
    for received in (hooks, frames):
        assert [summary(e) for e in received] == [("message.exchange", "incoming"), ("message.status", "read_self")]


def test_transports_only_get_the_events_they_want(wire: Wire) -> None:
    wire.post("/api/instance/settings/sales", {"autoRejectCalls": True, "callRejectMessage": "ocupado"})
    wire.post("/__mock__/instances/sales/calls", {"from": ALICE})
    wire.ryze.advance(1)  # receipt_delivered_delay
    hooks, frames = wire.both_until(2)  # call.update is not wanted: only the reject message and its receipt
    for received in (hooks, frames):
        assert [summary(e) for e in received] == [("message.exchange", "outgoing"), ("message.status", "delivered")]
        assert received[0]["data"]["message"]["content"] == "ocupado"
    assert [e["data"]["status"] for e in wire.ryze.events("sales", "call.update")] == ["offer", "rejected"]
