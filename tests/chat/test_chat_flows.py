"""Chat state as traffic changes it: unread counts through inbound messages, markRead and markChatRead,
blocked contacts whose messages WhatsApp drops, and the control plane's address book."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze, RemoteRyze
from tests.conftest import CheckedClient, error_of

ANA = "5521988887777"
ANA_JID = f"{ANA}@s.whatsapp.net"
GROUP = "120363000000000001@g.us"


@pytest.fixture
def sales(ryze: MockRyze) -> str:
    ryze.create_instance("sales", connected=True)
    return "sales"


def chat_of(ryze: MockRyze, jid: str) -> dict[str, Any]:
    return next(c for c in ryze.chats("sales") if c["jid"] == jid)


def post(api: CheckedClient, route: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/chat/{route}/sales", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def test_inbound_counts_unread_and_mark_read_sends_the_receipt(ryze: MockRyze, api: CheckedClient,
                                                                sales: str) -> None:
    first = ryze.inbound(sales, from_=ANA, text="oi")
    ryze.advance(5)
    second = ryze.inbound(sales, from_="77001122334455@lid", text="tudo bem?")  # another person, by LID
    third = ryze.inbound(sales, from_=ANA, text="?")
    assert first and second and third
    reaction = ryze.inbound(sales, from_=ANA, type="reaction", messageId=first["id"], emoji="👍")
    assert reaction is not None  # the chat's last message, but not a new unread one
    ana = chat_of(ryze, ANA_JID)
    assert (ana["unreadCount"], ana["lastMessageId"], ana["type"]) == (2, reaction["id"], "private")
    assert chat_of(ryze, "77001122334455@lid")["unreadCount"] == 1
    assert ana["lastMessageAt"] == "2026-01-01T09:00:05-03:00"
    answer = post(api, "markRead", {"number": ANA, "messageId": first["id"]})
    assert answer == {"success": True, "message": literals.MESSAGE_MARKED_READ, "message_id": first["id"],
                      "chat_jid": ANA_JID}
    stored = {m["id"]: m for m in ryze.messages(sales)}
    assert stored[first["id"]]["status"] == "read"  # the read receipt went out
    assert stored[third["id"]]["status"] == "delivered"
    assert chat_of(ryze, ANA_JID)["unreadCount"] == 1  # one message read; the badge is not reset
    post(api, "markRead", {"number": ANA, "messageId": first["id"]})  # again: nothing more
    post(api, "markRead", {"number": ANA, "messageId": "3EB0000000000000BEEF"})  # unknown: still 200
    post(api, "markRead", {"number": ANA, "messageId": second["id"]})  # another chat's message: no change
    assert chat_of(ryze, ANA_JID)["unreadCount"] == 1
    assert {m["id"]: m["status"] for m in ryze.messages(sales)}[second["id"]] == "delivered"


def test_mark_chat_read_resets_the_badge_and_unread_flags_it(ryze: MockRyze, api: CheckedClient,
                                                              sales: str) -> None:
    for text in ("um", "dois", "três"):
        ryze.inbound(sales, from_=ANA, text=text)
    assert chat_of(ryze, ANA_JID)["unreadCount"] == 3
    assert post(api, "markChatRead", {"number": ANA, "read": True})["read"] is True
    assert (chat_of(ryze, ANA_JID)["unreadCount"], chat_of(ryze, ANA_JID)["markedUnread"]) == (0, False)
    post(api, "markChatRead", {"number": ANA, "read": False})
    assert chat_of(ryze, ANA_JID)["markedUnread"] is True
    ryze.inbound(sales, from_=ANA, text="quatro")
    assert chat_of(ryze, ANA_JID)["unreadCount"] == 1
    post(api, "markChatRead", {"number": ANA, "read": True})
    assert (chat_of(ryze, ANA_JID)["unreadCount"], chat_of(ryze, ANA_JID)["markedUnread"]) == (0, False)


def test_group_messages_count_in_the_group_chat_and_need_a_sender_to_mark(ryze: MockRyze, api: CheckedClient,
                                                                          sales: str) -> None:
    ryze.create_group(sales, "Equipe", [ANA, "5511900000002"], jid=GROUP)
    received = ryze.inbound(sales, from_=ANA, group=GROUP, text="bom dia")
    assert received is not None
    assert chat_of(ryze, GROUP)["unreadCount"] == 1 and chat_of(ryze, GROUP)["type"] == "group"
    refused = api.post("/api/chat/markRead/sales", json={"number": GROUP, "messageId": received["id"]})
    assert error_of(refused) == literals.SENDER_REQUIRED_IN_GROUPS
    assert chat_of(ryze, GROUP)["unreadCount"] == 1
    post(api, "markRead", {"number": GROUP, "messageId": received["id"], "sender": ANA_JID})
    assert chat_of(ryze, GROUP)["unreadCount"] == 0


def test_sends_update_the_chat_without_unread(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    sent = api.post("/api/message/text/sales", json={"number": ANA, "message": "Olá"}).json()["data"]
    ana = chat_of(ryze, ANA_JID)
    assert (ana["lastMessageId"], ana["unreadCount"]) == (sent["messageId"], 0)


def test_a_blocked_contact_is_dropped_with_no_event(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ryze.contact(sales, ANA, display_name="Ana", lid="77001122334455@lid")
    post(api, "block", {"number": ANA, "block": True})
    before = len(ryze.events(sales))
    for sender in (ANA, "77001122334455@lid", "552188887777"):  # by phone, by LID, 12-digit form
        answer = ryze.client.post("/__mock__/instances/sales/inbound", json={"from": sender, "type": "text",
                                                                             "text": "me desbloqueia"})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"success": True, "message": "Dropped: the sender is blocked", "ignored": True,
                                 "dropped": True}
    assert ryze.inbound(sales, from_=ANA, text="oi?") is None  # the Python API: None, like an ignored message
    ryze.advance(3600)
    assert len(ryze.events(sales)) == before
    assert ryze.messages(sales) == []
    assert ryze.chats(sales) == []  # a dropped message makes no chat
    ryze.create_group(sales, "Equipe", [ANA], jid=GROUP)
    assert ryze.inbound(sales, from_=ANA, group=GROUP, text="no grupo") is not None  # groups still flow
    post(api, "block", {"number": ANA, "block": False})
    assert ryze.inbound(sales, from_=ANA, text="oi de novo") is not None
    assert chat_of(ryze, ANA_JID)["blocked"] is False and chat_of(ryze, ANA_JID)["unreadCount"] == 1
    assert [e["event"] for e in ryze.events(sales)][before:] == ["group.flow"] + ["message.exchange"] * 2


def test_a_blocked_sender_to_a_disconnected_instance_is_refused_first(ryze: MockRyze, api: CheckedClient,
                                                                       sales: str) -> None:
    post(api, "block", {"number": ANA, "block": True})
    ryze.set_state(sales, "disconnected")
    response = ryze.client.post("/__mock__/instances/sales/inbound", json={"from": ANA, "type": "text"})
    assert error_of(response) == literals.NOT_CONNECTED


def test_address_book_seeds_many_contacts_in_one_call(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    saved = ryze.address_book(sales, [
        {"number": ANA, "name": "Ana Souza", "pushName": "Ana S.", "lid": "77001122334455@lid"},
        {"number": "5531977776666", "name": "Carla Mendes", "businessName": "Doces da Carla", "firstName": "Carlinha",
         "picture": "https://pps.whatsapp.net/v/carla.jpg"},
    ])
    assert [c["full_name"] for c in saved] == ["Ana Souza", "Carla Mendes"]
    listed = {c["jid"]: c for c in ryze.contacts(sales)}
    assert listed[ANA_JID]["lid"] == "77001122334455@lid" and listed[ANA_JID]["push_name"] == "Ana S."
    carla = listed["5531977776666@s.whatsapp.net"]
    assert (carla["first_name"], carla["business_name"], carla["picture"]) == (
        "Carlinha", "Doces da Carla", "https://pps.whatsapp.net/v/carla.jpg")
    assert carla["push_name"] == "Carla Mendes"  # defaults to the name
    by_lid = api.get("/api/chat/contacts/sales", params={"number": "77001122334455@lid"}).json()["contact"]
    assert by_lid["jid"] == ANA_JID and by_lid["found"] is True
    received = ryze.inbound(sales, from_="77001122334455@lid", text="sou eu")  # the LID is the same person
    assert received is not None and received["chat"] == ANA_JID


def test_a_refused_address_book_saves_nothing(ryze: MockRyze, sales: str) -> None:
    with pytest.raises(ApiError) as refused:
        ryze.address_book(sales, [{"number": ANA, "name": "Ana"}, {"number": "not a number"}])
    assert (refused.value.status, refused.value.message) == literals.INVALID_NUMBER
    with pytest.raises(ApiError):
        ryze.address_book(sales, [{"number": ANA}, {"number": "5531977776666", "lid": "5531977776666@s.whatsapp.net"}])
    assert ryze.contacts(sales) == []


def test_contact_verb_takes_the_address_book_fields(ryze: MockRyze, sales: str) -> None:
    saved = ryze.contact(sales, ANA, display_name="Ana Souza", lid="77001122334455@lid", pushName="Ana S.",
                         businessName="Ana Doces", picture="https://pps.whatsapp.net/v/ana.jpg")
    assert (saved["lid"], saved["pushName"], saved["businessName"], saved["picture"]) == (
        "77001122334455@lid", "Ana S.", "Ana Doces", "https://pps.whatsapp.net/v/ana.jpg")
    moved = ryze.contact(sales, ANA, lid="77009999999999@lid")
    assert moved["lid"] == "77009999999999@lid"
    assert ryze.inbound(sales, from_="77009999999999@lid", text="x") is not None
    assert [c["jid"] for c in ryze.contacts(sales)] == [ANA_JID]


def test_chat_state_goes_with_the_instance(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    post(api, "tag", {"name": "VIP"})
    post(api, "archive", {"number": ANA, "archive": True})
    assert api.delete("/api/instance/delete/sales").status_code == 200
    ryze.create_instance("sales", connected=True)
    assert ryze.chats("sales") == [] and ryze.labels("sales") == []
    assert post(api, "tag", {"name": "VIP"})["tag"]["id"] == "1"


def test_the_chat_verbs_answer_the_same_over_http(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ryze.address_book(sales, [{"number": ANA, "name": "Ana Souza"}])
    post(api, "tag", {"name": "VIP"})
    post(api, "pin", {"number": ANA, "pin": True})
    remote = RemoteRyze(ryze.serve(), ryze.account_token)
    try:
        assert remote.chats(sales) == ryze.chats(sales)
        assert remote.labels(sales) == ryze.labels(sales)
        assert remote.contacts(sales) == ryze.contacts(sales)
        saved = remote.address_book(sales, [{"number": "5531977776666", "businessName": "Loja"}])
        assert saved[0]["business_name"] == "Loja"
        assert len(ryze.contacts(sales)) == 2
    finally:
        remote.close()
