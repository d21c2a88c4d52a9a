"""Labels end to end over real sockets: a label created, assigned, unassigned and deleted through the API
arrives as ``label.update`` on a real webhook receiver and a real WebSocket client, in the live layout and
(``--profile docs``) in the catalog's; a blocked contact's message arrives on neither."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockryze.testing.api import MockRyze
from tests.messages.test_messages_e2e import PROFILES, Wire

ANA = "5521988887777"
ANA_JID = f"{ANA}@s.whatsapp.net"
WANTED = ["label.update", "message.exchange"]
pytestmark = pytest.mark.ryze(webhook_timeout=0.5)


class LabelWire(Wire):
    def configure(self) -> None:
        hook = self.post("/api/events/webhook/sales", {"enabled": True, "url": self.receiver.hook(),
                                                       "events": WANTED})
        assert hook["webhook"]["enabled"] is True
        socket = self.post("/api/events/websocket/sales", {"enabled": True, "events": WANTED})
        assert socket["websocket"]["events"] == WANTED

    def delete(self, path: str, **params: str) -> dict[str, Any]:
        response = self.http.delete(path, params=params)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload


@pytest.fixture
def wire(ryze: MockRyze) -> Iterator[LabelWire]:
    with LabelWire.opened(ryze) as wired:
        yield wired


def expected(profile: str, tag: str) -> list[dict[str, Any]]:
    live = profile == "live"
    created: dict[str, Any] = {"type": "edit", "labelId": tag, **({"action": "updated"} if live else {}),
                               "name": "Atacado", "color": 3, "deleted": False}
    add: dict[str, Any] = {"type": "chat", "labelId": tag, "chatJid": ANA_JID, "action": "add",
                           **({"labeled": True} if live else {})}
    remove = {**add, "action": "remove", **({"labeled": False} if live else {})}
    deleted: dict[str, Any] = ({"type": "edit", "labelId": tag, "action": "deleted", "deleted": True} if live
                               else {**created, "deleted": True})
    return [created, add, remove, deleted]


@pytest.mark.parametrize("profile", PROFILES)
def test_label_changes_arrive_on_webhook_and_websocket(wire: LabelWire, profile: str) -> None:
    assert wire.ryze.settings.profile == profile
    tag = wire.post("/api/chat/tag/sales", {"name": "Atacado", "color": 3})["tag"]["id"]
    wire.post("/api/chat/assignTag/sales", {"number": ANA, "tagId": tag})
    wire.delete("/api/chat/assignTag/sales", number=ANA, tagId=tag)
    wire.delete("/api/chat/tag/sales", tagId=tag)
    hooks, frames = wire.both_until(4)  # each is schema-checked (events/label.update)
    assert hooks == frames
    assert [e["event"] for e in frames] == ["label.update"] * 4
    assert [e["data"] for e in frames] == expected(profile, tag)
    for envelope in frames:
        assert envelope["instanceData"] == {"baseUrl": wire.base, "instance": "sales", "token": wire.instance.token}
    wire.ryze.advance(3600)
    wire.no_more_frames()
    assert len(wire.receiver.received) == 4


def test_a_blocked_contacts_message_reaches_neither_transport(wire: LabelWire) -> None:
    ryze = wire.ryze
    wire.post("/api/chat/block/sales", {"number": ANA, "block": True})
    dropped = wire.post("/__mock__/instances/sales/inbound", {"from": ANA, "type": "text", "text": "oi"})
    assert dropped["dropped"] is True
    wire.post("/api/chat/block/sales", {"number": ANA, "block": False})
    wire.post("/__mock__/instances/sales/inbound", {"from": ANA, "type": "text", "text": "e agora?"})
    hooks, frames = wire.both_until(1)  # only the message sent after the unblock
    assert [e["data"]["message"]["content"] for e in frames] == ["e agora?"]
    assert hooks == frames
    ryze.advance(3600)
    wire.no_more_frames()
    assert len(wire.receiver.received) == 1
    recorded = ryze.events("sales", "message.exchange")  # the event record agrees: one message, no label change
    assert [e["data"]["message"]["content"] for e in recorded] == ["e agora?"]
    assert ryze.events("sales", "label.update") == []
