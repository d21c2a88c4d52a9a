"""The chat-state routes one by one, in-process: success shapes (every response is schema-checked by the
``api`` client), each documented refusal with its literal, and the not-connected refusal where listed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockryze.chat.routes import ENDPOINTS
from mockryze.core import literals, schemas
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

ANA = "5521988887777"
ANA_JID = f"{ANA}@s.whatsapp.net"
CHAT = "/api/chat"


@pytest.fixture
def sales(ryze: MockRyze) -> str:
    ryze.create_instance("sales", connected=True)
    return "sales"


def call(api: CheckedClient, method: str, route: str, body: dict[str, Any] | None = None,
         **params: str) -> httpx.Response:
    kwargs: dict[str, Any] = {"params": params} if params else {}
    if body is not None:
        kwargs["json"] = body
    return api.request(method, f"{CHAT}/{route}/sales", **kwargs)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    return body


# --- contacts ---------------------------------------------------------------------------------
def test_contacts_list_and_lookup_by_phone_or_lid(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ryze.contact(sales, ANA, display_name="Ana Souza", pushName="Ana S.", lid="77001122334455@lid",
                 businessName="Ana Doces")
    listed = ok(call(api, "GET", "contacts"))
    assert listed["message"] == literals.CONTACTS_RETRIEVED
    assert listed["total"] == 1
    expected = {"jid": ANA_JID, "lid": "77001122334455@lid", "first_name": "Ana", "full_name": "Ana Souza",
                "push_name": "Ana S.", "business_name": "Ana Doces", "redacted_phone": "", "found": True}
    assert listed["contacts"] == [expected]
    for number in (ANA, ANA_JID, "77001122334455@lid", "552188887777"):  # also the Brazilian 12-digit form
        one = ok(call(api, "GET", "contacts", number=number))
        assert one["message"] == literals.CONTACT_RETRIEVED
        assert one["contact"] == expected
        assert "contacts" not in one and "total" not in one


def test_unknown_contact_is_found_false_and_creates_nothing(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    one = ok(call(api, "GET", "contacts", number="5511900001111"))
    assert one["contact"]["found"] is False
    assert one["contact"]["jid"] == "5511900001111@s.whatsapp.net"
    assert "lid" not in one["contact"]
    assert ryze.contacts(sales) == []


def test_contacts_refuse_a_group_number(api: CheckedClient, sales: str) -> None:
    assert error_of(call(api, "GET", "contacts", number="120363000000000001@g.us")) == literals.INVALID_NUMBER


def test_contacts_need_no_connection(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales")
    assert ok(call(api, "GET", "contacts"))["total"] == 0


# --- labels -----------------------------------------------------------------------------------
def test_tags_are_sequential_strings_and_colors_clamp(api: CheckedClient, sales: str) -> None:
    first = ok(call(api, "POST", "tag", {"name": "  Leads  ", "color": 2}))
    assert first["message"] == literals.TAG_CREATED
    assert first["tag"] == {"id": "1", "name": "Leads", "color": 2, "type": "CUSTOM", "deleted": False}
    assert ok(call(api, "POST", "tag", {"name": "Paid", "color": 11}))["tag"]["color"] == 0  # silently 0
    assert ok(call(api, "POST", "tag", {"name": "Lost", "color": -1}))["tag"] == {
        "id": "3", "name": "Lost", "color": 0, "type": "CUSTOM", "deleted": False}
    listed = ok(call(api, "GET", "tag"))
    assert listed["message"] == literals.TAGS_RETRIEVED
    assert [t["id"] for t in listed["tags"]] == ["1", "2", "3"] and listed["total"] == 3


@pytest.mark.parametrize("body", [{}, {"name": "   "}, {"name": ""}], ids=["missing", "blank", "empty"])
def test_tag_name_is_required(ryze: MockRyze, api: CheckedClient, sales: str, body: dict[str, Any]) -> None:
    assert error_of(call(api, "POST", "tag", body)) == literals.TAG_NAME_REQUIRED
    assert ryze.labels(sales) == []


def test_tag_body_errors_carry_their_detail(api: CheckedClient, sales: str) -> None:
    status, message = error_of(call(api, "POST", "tag", {"name": "x", "color": "red"}))
    assert status == 400 and message.startswith("Invalid request body: ")


def test_deleting_a_tag_unassigns_it_and_keeps_it_listed(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    tag = ok(call(api, "POST", "tag", {"name": "VIP"}))["tag"]["id"]
    ok(call(api, "POST", "assignTag", {"number": ANA, "tagId": tag}))
    deleted = ok(call(api, "DELETE", "tag", tagId=tag))
    assert deleted["message"] == literals.TAG_DELETED
    assert deleted["tag"] == {"id": tag, "name": "", "color": 0, "type": "", "deleted": True}
    assert ok(call(api, "GET", "tag"))["tags"][0]["deleted"] is True
    assert ryze.chats(sales)[0]["labels"] == []
    assert ok(call(api, "DELETE", "tag", tagId=tag))["tag"]["deleted"] is True  # idempotent
    assert error_of(call(api, "POST", "assignTag", {"number": ANA, "tagId": tag})) == literals.TAG_NOT_FOUND


def test_tag_refusals(api: CheckedClient, sales: str) -> None:
    assert error_of(call(api, "DELETE", "tag")) == literals.TAG_ID_QUERY_REQUIRED
    assert error_of(call(api, "DELETE", "tag", tagId="")) == literals.TAG_ID_QUERY_REQUIRED
    assert error_of(call(api, "DELETE", "tag", tagId="99")) == literals.TAG_NOT_FOUND
    assert error_of(call(api, "POST", "assignTag", {"tagId": "1"})) == literals.NUMBER_REQUIRED
    assert error_of(call(api, "POST", "assignTag", {"number": ANA})) == literals.TAG_ID_REQUIRED
    assert error_of(call(api, "POST", "assignTag", {"number": ANA, "tagId": ""})) == literals.TAG_ID_REQUIRED
    assert error_of(call(api, "POST", "assignTag", {"number": ANA, "tagId": "99"})) == literals.TAG_NOT_FOUND
    assert error_of(call(api, "DELETE", "assignTag", tagId="1")) == literals.NUMBER_QUERY_REQUIRED
    assert error_of(call(api, "DELETE", "assignTag", number=ANA)) == literals.TAG_ID_QUERY_REQUIRED
    assert error_of(call(api, "DELETE", "assignTag", number=ANA, tagId="99")) == literals.TAG_NOT_FOUND
    status, message = error_of(call(api, "POST", "assignTag", {"number": 5, "tagId": "1"}))
    assert status == 400 and message.startswith("Invalid request body: ")


def test_assign_and_unassign_are_idempotent(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    tag = ok(call(api, "POST", "tag", {"name": "VIP"}))["tag"]["id"]
    for _ in range(2):
        assigned = ok(call(api, "POST", "assignTag", {"number": ANA, "tagId": tag}))
        assert assigned == {"success": True, "message": literals.TAG_ASSIGNED, "tag_id": tag}
    assert ryze.chats(sales)[0]["labels"] == [tag]
    for _ in range(2):
        removed = ok(call(api, "DELETE", "assignTag", number=ANA, tagId=tag))
        assert removed == {"success": True, "message": literals.TAG_REMOVED, "tag_id": tag}
    assert ryze.chats(sales)[0]["labels"] == []
    assert [label["deleted"] for label in ryze.labels(sales)] == [False]  # the label itself is kept


def test_contacts_by_label_filters_by_id_and_name(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    vip = ok(call(api, "POST", "tag", {"name": "VIP"}))["tag"]["id"]
    support = ok(call(api, "POST", "tag", {"name": "Support"}))["tag"]["id"]
    ok(call(api, "POST", "assignTag", {"number": ANA, "tagId": vip}))
    ok(call(api, "POST", "assignTag", {"number": ANA, "tagId": support}))
    ok(call(api, "POST", "assignTag", {"number": "5531977776666", "tagId": support}))
    ok(call(api, "POST", "archive", {"number": "5511955554444", "archive": True}))  # a chat with no label
    every = ok(call(api, "GET", "contactsByLabel"))
    assert every["message"] == literals.CHATS_BY_LABEL_RETRIEVED
    assert (every["total_chats"], every["total_rows"], every["refreshed"]) == (2, 3, False)
    assert every["filter_label_ids"] == []
    by_id = ok(call(api, "GET", "contactsByLabel", labelIds=f" {vip} ,"))
    assert [c["chat_jid"] for c in by_id["chats"]] == [ANA_JID]
    assert [t["name"] for t in by_id["chats"][0]["labels"]] == ["VIP"]
    assert by_id["filter_label_ids"] == [vip]
    by_name = ok(call(api, "GET", "contactsByLabel", labelNames="support,nothing"))
    assert (by_name["total_chats"], by_name["total_rows"], by_name["filter_label_ids"]) == (2, 2, [support])
    assert ok(call(api, "GET", "contactsByLabel", labelNames="nothing"))["chats"] == []


def test_contacts_by_label_needs_a_connection_only_to_refresh(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales")
    assert ok(call(api, "GET", "contactsByLabel"))["total_chats"] == 0
    assert error_of(call(api, "GET", "contactsByLabel", refresh="true")) == literals.NOT_CONNECTED
    ryze.connect("sales")
    ryze.scan("sales")
    assert ok(call(api, "GET", "contactsByLabel", refresh="true"))["refreshed"] is True


# --- chat state -------------------------------------------------------------------------------
@pytest.mark.parametrize(("route", "flag", "key", "messages"), [
    ("archive", "archive", "archived", literals.CHAT_ARCHIVED),
    ("pin", "pin", "pinned", literals.CHAT_PINNED),
    ("pinChat", "pin", "pinned", literals.CHAT_PINNED),
    ("markChatRead", "read", "read", literals.CHAT_MARKED),
])
def test_flag_routes_set_and_clear(ryze: MockRyze, api: CheckedClient, sales: str, route: str, flag: str,
                                   key: str, messages: dict[bool, str]) -> None:
    for value in (True, False):
        body = ok(call(api, "POST", route, {"number": ANA, flag: value}))
        assert body == {"success": True, "message": messages[value], "chat_jid": ANA_JID, key: value}
    absent = ok(call(api, "POST", route, {"number": ANA}))  # a missing boolean reads false
    assert absent[key] is False and absent["message"] == messages[False]


def test_pin_and_pin_chat_share_the_state(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ok(call(api, "POST", "pinChat", {"number": ANA, "pin": True}))
    assert ryze.chats(sales)[0]["pinned"] is True
    ok(call(api, "POST", "pin", {"number": ANA, "pin": False}))
    assert ryze.chats(sales)[0]["pinned"] is False


def test_at_most_three_chats_are_pinned(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    numbers = ["5511900000001", "5511900000002", "120363000000000001@g.us", "5511900000004"]
    for number in numbers[:3]:
        ok(call(api, "POST", "pin", {"number": number, "pin": True}))
    ok(call(api, "POST", "pin", {"number": numbers[0], "pin": True}))  # already pinned: fine
    assert error_of(call(api, "POST", "pinChat", {"number": numbers[3], "pin": True})) == literals.PIN_LIMIT
    assert sum(c["pinned"] for c in ryze.chats(sales)) == 3
    ok(call(api, "POST", "pin", {"number": numbers[1], "pin": False}))
    ok(call(api, "POST", "pin", {"number": numbers[3], "pin": True}))
    pinned = {c["jid"] for c in ryze.chats(sales) if c["pinned"]}
    assert pinned == {"5511900000001@s.whatsapp.net", "120363000000000001@g.us", "5511900000004@s.whatsapp.net"}


def test_favorite_a_chat_or_a_message(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    chat = ok(call(api, "POST", "favorite", {"number": ANA, "favorite": True}))
    assert chat == {"success": True, "message": literals.FAVORITE_SET["chat", True], "type": "chat",
                    "chat_jid": ANA_JID, "favorite": True}
    received = ryze.inbound(sales, from_=ANA, text="oi")
    assert received is not None
    message = ok(call(api, "POST", "favorite", {"number": "5511900000009", "messageId": received["id"],
                                                "favorite": True}))  # messageId wins
    assert message == {"success": True, "message": literals.FAVORITE_SET["message", True], "type": "message",
                       "message_id": received["id"], "chat_jid": ANA_JID, "favorite": True}
    removed = ok(call(api, "POST", "favorite", {"messageId": received["id"]}))
    assert removed["message"] == literals.FAVORITE_SET["message", False]
    assert ryze.chats(sales)[0]["favorite"] is True


def test_favorite_refusals(api: CheckedClient, sales: str) -> None:
    for body in ({}, {"number": "", "messageId": ""}, {"favorite": True}):
        assert error_of(call(api, "POST", "favorite", body)) == literals.NUMBER_OR_MESSAGE_ID_REQUIRED
    assert error_of(call(api, "POST", "favorite", {"messageId": "3EB0000000000000DEAD"})) == literals.MESSAGE_NOT_FOUND


@pytest.mark.parametrize(("duration", "seconds", "message"), [
    ("8h", 28800, literals.CHAT_MUTED_8H), ("8 hours", 28800, literals.CHAT_MUTED_8H),
    ("1w", 604800, literals.CHAT_MUTED_1W), ("7d", 604800, literals.CHAT_MUTED_1W),
    ("1 week", 604800, literals.CHAT_MUTED_1W), ("always", 0, literals.CHAT_MUTED_FOREVER),
    ("forever", 0, literals.CHAT_MUTED_FOREVER), ("permanent", 0, literals.CHAT_MUTED_FOREVER),
    ("", 0, literals.CHAT_MUTED_FOREVER), (None, 0, literals.CHAT_MUTED_FOREVER),
])
def test_mute_durations(api: CheckedClient, sales: str, duration: str | None, seconds: int, message: str) -> None:
    body: dict[str, Any] = {"number": ANA, "mute": True}
    if duration is not None:
        body["duration"] = duration
    assert ok(call(api, "POST", "mute", body)) == {"success": True, "message": message, "chat_jid": ANA_JID,
                                                    "muted": True, "duration": seconds}


def test_unmute_and_bad_durations(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ok(call(api, "POST", "mute", {"number": ANA, "mute": True}))
    assert error_of(call(api, "POST", "mute", {"number": ANA, "mute": True, "duration": "2h"})) == \
        literals.INVALID_DURATION
    assert ryze.chats(sales)[0]["muted"] is True  # the refusal changed nothing
    unmuted = ok(call(api, "POST", "mute", {"number": ANA, "mute": False, "duration": "2h"}))  # ignored on unmute
    assert unmuted == {"success": True, "message": literals.CHAT_UNMUTED, "chat_jid": ANA_JID, "muted": False,
                       "duration": 0}
    assert ryze.chats(sales)[0]["muted"] is False


def test_a_timed_mute_ends_when_the_virtual_clock_passes_it(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ok(call(api, "POST", "mute", {"number": ANA, "mute": True, "duration": "8h"}))
    ok(call(api, "POST", "mute", {"number": "5511900000002", "mute": True, "duration": "forever"}))
    chats = {c["jid"]: c for c in ryze.chats(sales)}
    assert chats[ANA_JID]["muted"] is True
    assert chats[ANA_JID]["mutedUntil"] == "2026-01-01T17:00:00-03:00"
    assert chats["5511900000002@s.whatsapp.net"]["mutedUntil"] is None
    ryze.advance(8 * 3600 - 1)
    assert {c["jid"]: c["muted"] for c in ryze.chats(sales)}[ANA_JID] is True
    ryze.advance(1)
    chats = {c["jid"]: c for c in ryze.chats(sales)}
    assert chats[ANA_JID]["muted"] is False and chats[ANA_JID]["mutedUntil"] is None
    assert chats["5511900000002@s.whatsapp.net"]["muted"] is True  # forever


def test_block_and_unblock(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    blocked = ok(call(api, "POST", "block", {"number": ANA, "block": True}))
    assert blocked == {"success": True, "message": literals.CONTACT_BLOCKED[True], "contact_jid": ANA_JID,
                       "blocked_count": 1, "blocked": True}
    assert ok(call(api, "POST", "block", {"number": "5511900000002", "block": True}))["blocked_count"] == 2
    assert ok(call(api, "POST", "block", {"number": ANA, "block": True}))["blocked_count"] == 2  # idempotent
    unblocked = ok(call(api, "POST", "block", {"number": ANA}))
    assert unblocked == {"success": True, "message": literals.CONTACT_BLOCKED[False], "contact_jid": ANA_JID,
                         "blocked_count": 1, "blocked": False}
    assert error_of(call(api, "POST", "block", {"number": "120363000000000001@g.us", "block": True})) == \
        literals.GROUPS_NOT_BLOCKABLE
    assert error_of(call(api, "POST", "block", {"number": 1})) == literals.INVALID_BODY  # no suffix here


def test_presence_states_and_refusals(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    typing = ok(call(api, "POST", "presence", {"number": ANA, "state": "Typing", "duration": 90}))
    assert typing == {"success": True, "message": literals.PRESENCE_SENT, "chat_jid": ANA_JID, "state": "typing",
                      "duration": 60}  # more than 60 is cut to 60
    paused = ok(call(api, "POST", "presence", {"number": ANA, "state": "paused", "duration": 5}))
    assert (paused["state"], paused["duration"]) == ("pause", 0)
    assert ok(call(api, "POST", "presence", {"number": ANA, "state": "recording"}))["duration"] == 0
    assert error_of(call(api, "POST", "presence", {"number": ANA})) == literals.STATE_REQUIRED
    assert error_of(call(api, "POST", "presence", {"number": ANA, "state": " "})) == literals.STATE_REQUIRED
    assert error_of(call(api, "POST", "presence", {"number": ANA, "state": "online"})) == literals.INVALID_STATE
    assert error_of(call(api, "POST", "presence", {"state": "typing"})) == literals.NUMBER_REQUIRED
    assert error_of(call(api, "POST", "presence", {"number": ANA, "state": 3})) == literals.INVALID_BODY


def test_typing_pauses_by_itself_after_its_duration(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    ok(call(api, "POST", "presence", {"number": ANA, "state": "typing", "duration": 5}))
    assert ryze.chats(sales)[0]["presence"] == "typing"
    ryze.advance(4.9)
    assert ryze.chats(sales)[0]["presence"] == "typing"
    ryze.advance(0.1)
    assert ryze.chats(sales)[0]["presence"] == "pause"
    ok(call(api, "POST", "presence", {"number": ANA, "state": "recording", "duration": 5}))
    ryze.advance(3)
    ok(call(api, "POST", "presence", {"number": ANA, "state": "typing", "duration": 5}))  # a newer indicator
    ryze.advance(3)
    assert ryze.chats(sales)[0]["presence"] == "typing"  # the first one's pause is stale


def test_delete_chat_drops_its_state_and_its_messages(ryze: MockRyze, api: CheckedClient, sales: str) -> None:
    received = ryze.inbound(sales, from_=ANA, type="image", caption="foto")
    other = ryze.inbound(sales, from_="5531977776666", text="fica")  # another chat: untouched
    assert received is not None and other is not None and received["media"]["base64"]
    sent = api.post("/api/message/text/sales", json={"number": ANA, "message": "oi"}).json()["data"]["messageId"]
    tag = ok(call(api, "POST", "tag", {"name": "VIP"}))["tag"]["id"]
    ok(call(api, "POST", "assignTag", {"number": ANA, "tagId": tag}))
    gone = ok(call(api, "DELETE", "deleteChat", {"number": ANA}))
    assert gone == {"success": True, "message": literals.CHAT_DELETED[False], "chat_jid": ANA_JID,
                    "delete_media": False}
    assert [c["jid"] for c in ryze.chats(sales)] == ["5531977776666@s.whatsapp.net"]
    assert [m["id"] for m in ryze.messages(sales)] == [other["id"]]
    history = api.post(f"{CHAT}/history/sales", json={"number": ANA})
    assert history.status_code == 200 and history.json()["messages"] == []
    for route, message_id, refusal in (("getMessage", received["id"], literals.MESSAGE_NOT_FOUND),
                                       ("status", sent, literals.MESSAGE_NOT_FOUND),
                                       ("base64", received["id"], literals.NO_MEDIA)):
        assert error_of(api.get(f"{CHAT}/{route}/sales", params={"messageId": message_id})) == refusal
    ryze.advance(60)  # the deleted message's receipts find nothing to change
    assert [m["id"] for m in ryze.messages(sales)] == [other["id"]]
    again = ok(call(api, "DELETE", "deleteChat", {"number": ANA, "deleteMedia": True}))  # nothing left: still 200
    assert again["message"] == literals.CHAT_DELETED[True] and again["delete_media"] is True
    assert error_of(call(api, "DELETE", "deleteChat", {})) == literals.NUMBER_REQUIRED
    assert error_of(call(api, "DELETE", "deleteChat", {"number": "status@broadcast"})) == literals.INVALID_NUMBER


def test_body_errors_with_and_without_their_suffix(api: CheckedClient, sales: str) -> None:
    for route in ("archive", "markRead", "markChatRead", "pin", "pinChat", "favorite", "mute"):
        status, message = error_of(api.post(f"{CHAT}/{route}/sales", content=b"{", headers={
            "Content-Type": "application/json"}))
        assert status == 400 and message.startswith("Invalid request body: "), route
    for method, route in (("POST", "block"), ("POST", "presence"), ("DELETE", "deleteChat")):
        response = api.request(method, f"{CHAT}/{route}/sales", content=b"{",
                               headers={"Content-Type": "application/json"})
        assert error_of(response) == literals.INVALID_BODY, route


def test_number_is_required_on_every_number_route(api: CheckedClient, sales: str) -> None:
    for route in ("archive", "markChatRead", "pin", "pinChat", "mute", "block", "presence"):
        assert error_of(call(api, "POST", route, {})) == literals.NUMBER_REQUIRED, route
        assert error_of(call(api, "POST", route, {"number": ""})) == literals.NUMBER_REQUIRED, route
    assert error_of(call(api, "POST", "archive", {"number": "not a number"})) == literals.INVALID_NUMBER


# --- not connected ----------------------------------------------------------------------------
NEEDS_CONNECTION = [spec for spec in ENDPOINTS if literals.NOT_CONNECTED in spec.errors
                    and spec.path != "/api/chat/contactsByLabel/:instance"]


def test_every_listed_route_but_contacts_needs_a_connection() -> None:
    paths = {spec.path.split("/")[3] for spec in ENDPOINTS if literals.NOT_CONNECTED not in spec.errors}
    assert paths == {"contacts"}
    assert len(NEEDS_CONNECTION) == 15


@pytest.mark.parametrize("spec", NEEDS_CONNECTION, ids=lambda s: f"{s.method} {s.path}")
def test_not_connected_is_refused_with_nothing_changed(ryze: MockRyze, api: CheckedClient, spec: Any) -> None:
    ryze.create_instance("sales")
    body = schemas.schema(spec.request_schema)["examples"][0] if spec.request_schema else None
    params = {"tagId": "1", "number": ANA} if spec.query else {}
    response = api.request(spec.method, spec.path.replace(":instance", "sales"), json=body, params=params)
    assert error_of(response) == literals.NOT_CONNECTED
    assert ryze.chats("sales") == [] and ryze.labels("sales") == []
    assert ryze.events("sales") == []
