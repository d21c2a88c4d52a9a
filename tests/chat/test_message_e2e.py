"""The chat module's message routes end to end over real sockets: the live server (``ryze.serve()``), a
real webhook receiver on 127.0.0.1 and a real WebSocket client (the messages e2e ``Wire``). Virtual
time is advanced between steps; arrival is awaited with bounded real-time waits."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import check_response
from tests.messages.test_messages_e2e import ALICE, ALICE_JID, PROFILES, Wire, message_of, summary

pytestmark = pytest.mark.ryze(webhook_timeout=0.5)
AUDIO = b"OggS\x00\x02" + bytes(range(256)) * 8


@pytest.fixture
def wire(ryze: MockRyze) -> Iterator[Wire]:
    with Wire.opened(ryze) as wired:
        yield wired


def call(wire: Wire, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = check_response(wire.http.request(method, path, **kwargs))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("profile", PROFILES)
def test_edit_and_revoke_arrive_as_message_exchange(wire: Wire, profile: str) -> None:
    sent = wire.post("/api/message/text/sales", {"number": ALICE, "message": "Meeting at 3"})["data"]["messageId"]
    wire.both_until(1)  # the send's own echo
    call(wire, "POST", "/api/chat/edit/sales", json={"messageId": sent, "content": "Meeting at 4"})
    call(wire, "DELETE", "/api/chat/delete/sales", json={"messageId": sent, "deleteForEveryone": True})
    hooks, frames = wire.both_until(3)
    assert hooks == frames
    edit, revoke = (message_of(e, profile) for e in hooks[1:])
    assert [summary(e) for e in hooks] == [("message.exchange", "outgoing")] * 3
    edit_body = edit if profile == "docs" else edit["message"]
    assert edit_body["type"] == "message_edit"
    assert edit_body["edit"] == {"original_id": sent, "text": "Meeting at 4"}
    assert edit["id"] != sent and edit["chat"]["jid"] == ALICE_JID
    revoke_body = revoke if profile == "docs" else revoke["message"]
    assert revoke["id"] == sent and revoke_body["type"] == "message_revoke"
    wire.ryze.advance(3600)  # the revoked message's pending receipts are dropped with it (the event record)
    assert wire.ryze.events("sales", "message.status") == []


def test_media_comes_back_byte_identical_over_http(wire: Wire) -> None:
    sent = wire.post("/api/message/media/sales", {
        "number": ALICE, "mediaType": "audio", "isVoice": True, "mimeType": "audio/ogg; codecs=opus",
        "mediaBase64": base64.b64encode(AUDIO).decode()})["data"]["messageId"]
    body = call(wire, "GET", "/api/chat/base64/sales", params={"messageId": sent})
    assert base64.b64decode(body["base64"]) == AUDIO
    assert (body["mime_type"], body["media_type"]) == ("audio/ogg; codecs=opus", "audio")
    inbound_bytes = bytes(reversed(AUDIO))
    received = wire.post("/__mock__/instances/sales/inbound", {
        "from": ALICE, "type": "document", "fileName": "report.pdf", "mimeType": "application/pdf",
        "base64": base64.b64encode(inbound_bytes).decode()})["data"]["id"]
    body = call(wire, "GET", "/api/chat/base64/sales", params={"messageId": received})
    assert base64.b64decode(body["base64"]) == inbound_bytes and body["media_type"] == "document"


def test_status_goes_sent_delivered_read_as_the_clock_advances(wire: Wire) -> None:
    sent = wire.post("/api/message/text/sales", {"number": ALICE, "message": "Pedido saiu!"})["data"]["messageId"]
    seen = []
    for step, events in ((0, 1), (1, 2), (2, 3)):
        wire.ryze.advance(step)
        wire.both_until(events)  # the receipt has gone out before the snapshot is read
        body = call(wire, "GET", "/api/chat/status/sales", params={"messageId": sent})
        seen.append((body["status"], body["status_code"]))
    assert seen == [("sent", 1), ("delivered", 2), ("read", 4)]
    assert [summary(f) for f in wire.frames] == [("message.exchange", "outgoing"), ("message.status", "delivered"),
                                                 ("message.status", "read")]
    missing = check_response(wire.http.get("/api/chat/status/sales"))
    assert (missing.status_code, missing.json()["error"]["message"]) == literals.MESSAGE_ID_QUERY_REQUIRED
