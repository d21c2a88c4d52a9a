"""What a webhook receiver on a real socket gets for quoted replies (``data.reply`` in the live
layout) and for one person reached by phone JID and by LID."""

from __future__ import annotations

from typing import Any

import httpx

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.events.receivers import Receiver, ReceiverPool
from tests.events.test_webhook_hardening import served, set_webhook

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
INBOUND = "/__mock__/instances/sales/inbound"


def posted(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    payload: dict[str, Any] = response.json()
    return payload


def hooked(ryze: MockRyze, receivers: ReceiverPool, http: httpx.Client) -> Receiver:
    receiver = receivers.new()
    assert set_webhook(http, url=receiver.hook()).status_code == 200
    return receiver


def received(ryze: MockRyze, receiver: Receiver, event: str) -> list[dict[str, Any]]:
    """The data of every ``event`` the receiver got, each body schema-checked."""
    ryze.settle_deliveries()
    bodies = [b for b in receiver.bodies() if b["event"] == event]
    for body in bodies:
        schemas.validate_event(body)
    return [b["data"] for b in bodies]


def test_quoted_replies_carry_data_reply_on_a_real_receiver(ryze: MockRyze, receivers: ReceiverPool) -> None:
    ryze.create_instance("sales", connected=True)
    with served(ryze) as http:
        receiver = hooked(ryze, receivers, http)
        asked = posted(http, INBOUND, {"from": ALICE, "type": "text", "text": "Pedido 42 saiu?"})["data"]["id"]
        answer = posted(http, "/api/message/text/sales",
                        {"number": ALICE, "message": "Saiu sim", "replyTo": asked})["data"]["messageId"]
        posted(http, INBOUND, {"from": ALICE, "type": "text", "text": "Obrigada", "replyTo": answer})
        posted(http, "/api/message/text/sales", {"number": ALICE, "message": "Por nada"})
    exchanges = received(ryze, receiver, "message.exchange")
    assert [e.get("reply") for e in exchanges] == [
        None, {"message_id": asked, "text": "Pedido 42 saiu?"}, {"message_id": answer, "text": "Saiu sim"}, None]
    assert ["reply" in e for e in exchanges] == [False, True, True, False]  # absent, not null, when no quote
    assert [e["message"]["context"] for e in exchanges] == [e.get("reply") for e in exchanges]


def test_a_contact_is_one_person_by_phone_and_by_lid(ryze: MockRyze, receivers: ReceiverPool) -> None:
    ryze.create_instance("sales", connected=True)
    with served(ryze) as http:
        receiver = hooked(ryze, receivers, http)
        contact = posted(http, "/__mock__/instances/sales/contacts", {"number": ALICE, "name": "Carla Mendes"})
        lid = contact["contact"]["lid"]
        by_lid = posted(http, INBOUND, {"from": lid, "type": "text", "text": "oi, sou eu"})["data"]
        by_phone = posted(http, INBOUND, {"from": ALICE, "type": "text", "text": "de novo"})["data"]
        assert (by_lid["chat"], by_lid["sender"]) == (ALICE_JID, ALICE_JID) == (by_phone["chat"], by_phone["sender"])
        sent = posted(http, "/api/message/text/sales", {"number": lid, "message": "Olá, Carla"})["data"]
        assert sent["chat"] == {"jid": ALICE_JID}
        ryze.advance(3600)  # delivered, read
        again = posted(http, "/__mock__/instances/sales/contacts", {"number": lid, "receipts": "unread"})
        assert again["contact"] == {**contact["contact"], "receipts": "unread"}
        by_chat = {chat: [m["id"] for m in http.get("/__mock__/instances/sales/messages",
                                                     params={"chat": chat}).json()["messages"]]
                   for chat in (lid, ALICE)}
        assert by_chat == {chat: [by_lid["id"], by_phone["id"], sent["messageId"]] for chat in (lid, ALICE)}
        posted(http, "/__mock__/instances/sales/receipts",
               {"messageId": sent["messageId"], "status": "played", "from": lid})
    exchanges = received(ryze, receiver, "message.exchange")
    for data in exchanges:
        assert data["chat"] == {"jid": ALICE_JID, "lid": lid, "name": "Carla Mendes", "type": "private"}
    assert [(e["direction"], e["sender"]["name"]) for e in exchanges] == [
        ("incoming", "Carla Mendes"), ("incoming", "Carla Mendes"), ("outgoing", exchanges[2]["sender"]["name"])]
    assert exchanges[2]["recipient"] == {"jid": ALICE_JID, "lid": lid, "name": "Carla Mendes"}
    statuses = received(ryze, receiver, "message.status")
    assert [(s["status"], s["chat"]["jid"], s["recipient"]) for s in statuses] == [
        ("delivered", ALICE_JID, ALICE), ("read", ALICE_JID, ALICE), ("played", ALICE_JID, ALICE)]
