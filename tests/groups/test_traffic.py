"""Group traffic through the messages module: sends to a group JID, inbound group messages from the
control plane (a participant only, a group the instance is in only), mentions checked against members."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.groups.helpers import ALICE, BOB, CARLA, LEAVE, create, jid_of

TEXT = "/api/message/text/sales"


@pytest.fixture
def me(ryze: MockRyze) -> str:
    ryze.create_instance("sales", connected=True)
    return str(ryze.instance("sales")["numberJid"])


def test_a_send_to_a_group_carries_its_type_and_name(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    data = api.post(TEXT, json={"number": group, "message": "hi @5511911110001", "mention": [ALICE]}).json()["data"]
    assert data["chat"] == {"jid": group, "groupName": "Squad"} and data["mentions"] == [ALICE]
    exchange = ryze.events("sales", "message.exchange")[-1]["data"]
    assert exchange["chat"] == {"jid": group, "name": "Squad", "type": "group"}


def test_mentions_must_be_participants(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    before = ryze.events("sales", "message.exchange")
    refused = api.post(TEXT, json={"number": group, "message": "hi", "mention": [ALICE, CARLA]})
    assert error_of(refused) == literals.MENTION_NOT_PARTICIPANT
    assert refused.headers["X-Mockryze-Detail"] == f"not in {group}: ['{CARLA}']"  # who is not a participant
    assert ryze.events("sales", "message.exchange") == before and ryze.sent("sales") == []
    assert api.post(TEXT, json={"number": group, "message": "me", "mention": [me]}).status_code == 200


def test_inbound_group_messages_come_from_a_participant(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    received = ryze.inbound("sales", from_=BOB, group=group, text="oi")
    bob_lid = next(c["lid"] for c in ryze.contacts("sales") if c["jid"] == jid_of(BOB))
    assert received is not None and received["chat"] == group and received["sender"] == bob_lid  # live: @lid
    event = ryze.events("sales", "message.exchange")[-1]["data"]
    assert event["sender"] == {"jid": bob_lid, "lid": bob_lid, "name": event["sender"]["name"]}
    assert event["chat"]["type"] == "group"
    with pytest.raises(ApiError) as refused:
        ryze.inbound("sales", from_=CARLA, group=group, text="not a member")
    assert refused.value.status == 400
    api.request("DELETE", LEAVE, params={"identifier": group})
    with pytest.raises(ApiError) as gone:
        ryze.inbound("sales", from_=BOB, group=group, text="after leave")
    assert (gone.value.status, gone.value.message) == literals.GROUP_NOT_FOUND


def test_an_announcement_group_takes_sends_from_admins_only(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "News", [ALICE], creator=BOB)
    assert api.post(TEXT, json={"number": theirs, "message": "open"}).status_code == 200
    ryze.group_member("sales", theirs, me, "promote")
    api.request("PUT", "/api/group/update/sales", json={"identifier": theirs,
                                                         "groupSettings": {"membersCanSendMessages": False}})
    assert api.post(TEXT, json={"number": theirs, "message": "admin"}).status_code == 200
    ryze.group_member("sales", theirs, me, "demote", author=BOB)
    assert error_of(api.post(TEXT, json={"number": theirs, "message": "no"})) == literals.ADMINS_ONLY_SEND


def chat_of(ryze: MockRyze, jid: str) -> dict[str, Any]:
    return next(c for c in ryze.chats("sales") if c["jid"] == jid)


def test_group_traffic_lands_in_the_chat_list(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    first = ryze.inbound("sales", from_=ALICE, group=group, text="oi")
    second = ryze.inbound("sales", from_=BOB, group=group, text="tudo?")
    assert first is not None and second is not None
    chat = chat_of(ryze, group)
    assert (chat["type"], chat["unreadCount"], chat["lastMessageId"]) == ("group", 2, second["id"])
    assert jid_of(ALICE) not in [c["jid"] for c in ryze.chats("sales")]  # a member's message is no private chat
    read = api.post("/api/chat/markRead/sales", json={"number": group, "messageId": first["id"],
                                                      "sender": first["sender"]})
    assert read.status_code == 200 and chat_of(ryze, group)["unreadCount"] == 1
    assert api.post("/api/chat/markChatRead/sales", json={"number": group, "read": True}).status_code == 200
    assert chat_of(ryze, group)["unreadCount"] == 0
    sent = api.post(TEXT, json={"number": group, "message": "bom dia"}).json()["data"]["messageId"]
    assert chat_of(ryze, group)["lastMessageId"] == sent and chat_of(ryze, group)["unreadCount"] == 0


def test_a_group_the_instance_left(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    received = ryze.inbound("sales", from_=ALICE, group=group, text="oi")
    assert received is not None
    assert api.request("DELETE", LEAVE, params={"identifier": group}).status_code == 200
    before = (ryze.sent("sales"), ryze.events("sales", "message.exchange"))
    assert error_of(api.post(TEXT, json={"number": group, "message": "still here?"})) == literals.GROUP_NOT_FOUND
    assert (ryze.sent("sales"), ryze.events("sales", "message.exchange")) == before  # refused: nothing changed
    chat = chat_of(ryze, group)  # WhatsApp keeps the chat (read-only) until it is deleted
    assert (chat["type"], chat["unreadCount"], chat["lastMessageId"]) == ("group", 1, received["id"])
    history = api.post("/api/chat/history/sales", json={"number": group})
    assert history.status_code == 200 and [m["id"] for m in history.json()["messages"]] == [received["id"]]
    assert api.post("/api/chat/archive/sales", json={"number": group, "archive": True}).status_code == 200
    assert chat_of(ryze, group)["archived"] is True
    assert api.request("DELETE", "/api/chat/deleteChat/sales", json={"number": group}).status_code == 200
    assert group not in [c["jid"] for c in ryze.chats("sales")] and ryze.messages("sales") == []


SENDER_FORMS = [pytest.param(value, marks=pytest.mark.ryze(quirks={"group_sender_jid": value}), id=value)
                for value in ("lid", "phone")]


@pytest.mark.parametrize("form", SENDER_FORMS)
def test_the_group_sender_form_is_a_quirk(api: CheckedClient, ryze: MockRyze, me: str, form: str) -> None:
    group = create(api, "Squad")["jid"]
    private = ryze.inbound("sales", from_=BOB, text="direct")  # private chats always show the phone JID
    received = ryze.inbound("sales", from_=BOB, group=group, text="oi")
    assert private is not None and received is not None and private["sender"] == jid_of(BOB)
    bob_lid = next(c["lid"] for c in ryze.contacts("sales") if c["jid"] == jid_of(BOB))
    expected = bob_lid if form == "lid" else jid_of(BOB)
    envelope = ryze.events("sales", "message.exchange")[-1]
    schemas.validate_event(envelope)
    sender = envelope["data"]["sender"]
    assert sender == {"jid": expected, "lid": bob_lid, "name": sender["name"]}
    got = api.get("/api/chat/getMessage/sales", params={"messageId": received["id"]}).json()["data"]
    assert got["senderJid"] == expected
    read = api.post("/api/chat/markRead/sales", json={"number": group, "messageId": received["id"],
                                                      "sender": expected})
    assert read.status_code == 200
    stored = next(m for m in ryze.messages("sales") if m["id"] == received["id"])
    assert (stored["sender"], stored["status"]) == (expected, "read")
    # a private reply to the member lands in the one private chat with them, whatever the form
    answer = api.post(TEXT, json={"number": group, "message": "em privado", "replyTo": received["id"],
                                  "replyPrivate": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["chat"] == {"jid": jid_of(BOB)}
    assert sorted(c["jid"] for c in ryze.chats("sales")) == sorted([group, jid_of(BOB)])


def test_a_members_edit_and_revoke_stay_in_the_group(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    first = ryze.inbound("sales", from_=BOB, group=group, text="reuniao 10h")
    second = ryze.inbound("sales", from_=BOB, group=group, text="errado")
    assert first is not None and second is not None
    edited = ryze.inbound("sales", from_=BOB, type="edit", messageId=first["id"], text="reunião 11h")  # no `group`
    revoked = ryze.inbound("sales", from_=BOB, type="revoke", messageId=second["id"])
    assert edited is not None and revoked is not None and edited["chat"] == revoked["chat"] == group
    for envelope in ryze.events("sales", "message.exchange")[-2:]:
        assert envelope["data"]["chat"]["jid"] == group and envelope["data"]["chat"]["type"] == "group"
    assert [c["jid"] for c in ryze.chats("sales")] == [group]  # no private chat with the author
    assert [m["id"] for m in ryze.messages("sales")] == [first["id"], edited["id"]]
