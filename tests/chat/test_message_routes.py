"""The chat module's message routes (getMessage, history, base64, status, poll, forward, edit, delete),
in process: each success shape (every response is checked against its schema by ``CheckedClient``),
each documented refusal with its literal and code, the not-connected refusal where the page lists it,
and what each route does to the store and the event record, on the virtual clock."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.literals import ErrorLiteral
from mockryze.messages.mock import option_hash
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
BOB = "5521988887777"
BOB_JID = f"{BOB}@s.whatsapp.net"
UNKNOWN_ID = "3EB00123456789ABCDEF"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, so a lossy round trip shows
PROFILES = [pytest.param("live", id="live"), pytest.param("docs", id="docs", marks=pytest.mark.ryze(profile="docs"))]
GET_ROUTES = ("getMessage", "base64", "status", "poll")
MISSING_ID = {"getMessage": literals.MESSAGE_ID_REQUIRED_GET, "base64": literals.MESSAGE_ID_QUERY_REQUIRED,
              "status": literals.MESSAGE_ID_QUERY_REQUIRED, "poll": literals.MESSAGE_ID_QUERY_REQUIRED}


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    return ryze


# --- helpers ------------------------------------------------------------------------------------
def get(api: CheckedClient, route: str, message_id: str | None, instance: str = "sales") -> httpx.Response:
    params = {} if message_id is None else {"messageId": message_id}
    return api.get(f"/api/chat/{route}/{instance}", params=params)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    return body


def send_text(api: CheckedClient, text: str = "Meeting at 3", number: str = ALICE) -> str:
    body = ok(api.post("/api/message/text/sales", json={"number": number, "message": text}))
    return str(body["data"]["messageId"])


def send_image(api: CheckedClient, raw: bytes = PNG, number: str = ALICE) -> str:
    body = ok(api.post("/api/message/media/sales", json={
        "number": number, "mediaType": "image", "mimeType": "image/png", "message": "the plan",
        "mediaBase64": base64.b64encode(raw).decode()}))
    return str(body["data"]["messageId"])


def send_poll(api: CheckedClient, number: str = ALICE) -> str:
    body = ok(api.post("/api/message/poll/sales", json={
        "number": number, "question": "Best day?", "options": ["Friday", "Saturday", "Sunday"], "maxAnswer": 2}))
    return str(body["data"]["messageId"])


def received_text(ryze: MockRyze, text: str = "hi", sender: str = ALICE) -> str:
    stored = ryze.inbound("sales", from_=sender, text=text)
    assert stored is not None
    return str(stored["id"])


def exchanges(ryze: MockRyze) -> list[dict[str, Any]]:
    found = ryze.events("sales", "message.exchange")
    for envelope in found:
        schemas.validate_event(envelope)
    return found


def message_part(envelope: dict[str, Any], profile: str) -> dict[str, Any]:
    """Where id/direction/type live in each layout: ``data`` + ``data.message`` (live) or ``data.message`` (docs)."""
    data: dict[str, Any] = envelope["data"]
    return {**data, **data["message"]} if profile == "live" else dict(data["message"])


def world_snapshot(ryze: MockRyze) -> tuple[Any, ...]:
    return ryze.messages("sales"), len(ryze.events("sales"))


def refused(api: CheckedClient, ryze: MockRyze, literal: ErrorLiteral, method: str, path: str,
            **kwargs: Any) -> None:
    """The request is refused with ``literal`` and changes nothing."""
    before = world_snapshot(ryze)
    assert error_of(api.request(method, path, **kwargs)) == literal
    assert world_snapshot(ryze) == before


# --- getMessage ---------------------------------------------------------------------------------
def test_get_message_returns_a_stored_text(api: CheckedClient, sales: MockRyze) -> None:
    message_id = received_text(sales, "See you tomorrow")
    body = ok(get(api, "getMessage", message_id))
    assert body["message"] == literals.MESSAGE_FOUND and body["status"] == "found"
    assert body["messageId"] == message_id
    data = body["data"]
    assert data["content"] == "See you tomorrow" and data["type"] == "text"
    assert data["from"] == ALICE_JID == data["chat"] and data["to"] == sales.instance("sales")["numberJid"]
    assert data["isGroup"] is False and data["fromMe"] is False and data["status"] == "received"
    assert "media" not in data


def test_get_message_of_our_media_describes_the_file(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_image(api)
    data = ok(get(api, "getMessage", message_id))["data"]
    assert data["fromMe"] is True and data["to"] == ALICE_JID and data["status"] == "sent"
    assert data["media"] == {"type": "image", "mimeType": "image/png", "size": len(PNG), "caption": "the plan"}
    assert type(data["media"]["size"]) is int  # a byte count: `1024`, never `1024.0` (typed clients refuse that)


@pytest.mark.parametrize("raw", [b"\x00\x00\x17", b"\x00\x00", b"\x00", b"\xff\xfe\xfd\xfc"],
                         ids=["AAAX", "AAA=", "AA==", "four"])
def test_a_media_size_is_its_byte_count_whatever_the_padding(api: CheckedClient, sales: MockRyze, raw: bytes) -> None:
    data = ok(get(api, "getMessage", send_image(api, raw)))["data"]
    assert data["media"]["size"] == len(raw)


def test_get_message_shows_a_files_duration_and_name(api: CheckedClient, sales: MockRyze) -> None:
    voice = sales.inbound("sales", from_=ALICE, type="audio", isVoice=True, duration=12)
    document = sales.inbound("sales", from_=ALICE, type="document", fileName="plan.pdf", caption="the plan")
    assert voice is not None and document is not None
    assert ok(get(api, "getMessage", voice["id"]))["data"]["media"]["duration"] == 12
    shown = ok(get(api, "getMessage", document["id"]))["data"]["media"]
    assert (shown["fileName"], shown["caption"]) == ("plan.pdf", "the plan")


def test_get_message_in_a_group(api: CheckedClient, sales: MockRyze) -> None:
    group = sales.create_group("sales", "Team", [ALICE, BOB])
    stored = sales.inbound("sales", from_=BOB, text="hello team", group=group)
    assert stored is not None
    data = ok(get(api, "getMessage", stored["id"]))["data"]
    bob_lid = next(c["lid"] for c in sales.contacts("sales") if c["jid"] == BOB_JID)
    assert data["isGroup"] is True and data["chat"] == group == data["to"]
    assert data["from"] == bob_lid  # a group author shows as its @lid (quirk group_sender_jid, live default)


# --- refusals shared by the GET routes ----------------------------------------------------------
@pytest.mark.parametrize("route", GET_ROUTES)
def test_missing_message_id_is_refused_with_the_pages_literal(api: CheckedClient, sales: MockRyze,
                                                              route: str) -> None:
    assert error_of(get(api, route, None)) == MISSING_ID[route]
    assert error_of(get(api, route, "")) == MISSING_ID[route]


@pytest.mark.parametrize(("route", "literal"), [
    ("getMessage", literals.MESSAGE_NOT_FOUND), ("base64", literals.NO_MEDIA),
    ("status", literals.MESSAGE_NOT_FOUND), ("poll", literals.POLL_NOT_FOUND)])
def test_unknown_ids_are_not_found(api: CheckedClient, sales: MockRyze, route: str, literal: ErrorLiteral) -> None:
    assert error_of(get(api, route, UNKNOWN_ID)) == literal


@pytest.mark.parametrize(("route", "needs_session"), [
    ("getMessage", True), ("base64", True), ("status", False), ("poll", False)])
def test_not_connected_where_the_page_lists_it(api: CheckedClient, sales: MockRyze, route: str,
                                               needs_session: bool) -> None:
    message_id = send_poll(api) if route == "poll" else send_image(api)
    sales.set_state("sales", "disconnected")
    response = get(api, route, message_id)
    if needs_session:
        assert error_of(response) == literals.NOT_CONNECTED
    else:
        ok(response)


def test_unknown_instance(api: CheckedClient, sales: MockRyze) -> None:
    for route in GET_ROUTES:
        assert error_of(get(api, route, UNKNOWN_ID, instance="ghost")) == literals.INSTANCE_NOT_FOUND


# --- base64 -------------------------------------------------------------------------------------
def test_base64_returns_the_sent_bytes(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_image(api)
    body = ok(get(api, "base64", message_id))
    assert body["message"] == literals.BASE64_RETRIEVED and body["message_id"] == message_id
    assert (body["mime_type"], body["media_type"]) == ("image/png", "image")
    assert base64.b64decode(body["base64"]) == PNG


@pytest.mark.parametrize(("kind", "mime", "media_type"), [
    ("image", "image/jpeg", "image"), ("video", "video/mp4", "video"), ("audio", "audio/ogg; codecs=opus", "audio"),
    ("document", "application/pdf", "document"), ("sticker", "image/webp", "sticker")])
def test_base64_returns_received_bytes(api: CheckedClient, sales: MockRyze, kind: str, mime: str,
                                       media_type: str) -> None:
    raw = bytes(range(255, -1, -1)) + kind.encode()
    stored = sales.inbound("sales", from_=ALICE, type=kind, base64=base64.b64encode(raw).decode(), mimeType=mime,
                           isVoice=kind == "audio")
    assert stored is not None
    body = ok(get(api, "base64", stored["id"]))
    assert base64.b64decode(body["base64"]) == raw
    assert (body["mime_type"], body["media_type"]) == (mime, media_type)  # a voice note (ptt) is audio


def test_base64_of_received_media_without_bytes_is_the_sample_file(api: CheckedClient, sales: MockRyze) -> None:
    stored = sales.inbound("sales", from_=ALICE, type="image")
    assert stored is not None
    raw = base64.b64decode(ok(get(api, "base64", stored["id"]))["base64"])
    assert raw.startswith(b"\xff\xd8\xff") and raw == base64.b64decode(stored["media"]["base64"])


def test_base64_of_a_message_without_media(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(get(api, "base64", send_text(api))) == literals.NO_MEDIA


@pytest.mark.ryze(message_store_limit=3)
def test_media_is_kept_within_the_store_cap(api: CheckedClient, sales: MockRyze) -> None:
    first = send_image(api, b"first file")
    later = [send_image(api, f"file {i}".encode()) for i in range(3)]
    assert error_of(get(api, "base64", first)) == literals.NO_MEDIA  # evicted, oldest first
    assert error_of(get(api, "getMessage", first)) == literals.MESSAGE_NOT_FOUND
    for i, message_id in enumerate(later):
        assert base64.b64decode(ok(get(api, "base64", message_id))["base64"]) == f"file {i}".encode()
    history = ok(api.post("/api/chat/history/sales", json={"number": ALICE}))
    assert [m["id"] for m in history["messages"]] == later[::-1]


# --- status -------------------------------------------------------------------------------------
def test_status_follows_the_receipts_on_the_virtual_clock(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_text(api)
    seen = []
    for step in (0, 1, 2):  # receipt_delivered_delay 1 s, then receipt_read_delay 2 s
        sales.advance(step)
        body = ok(get(api, "status", message_id))
        seen.append((body["status"], body["status_code"]))
        assert body["direction"] == "sent" and body["chat_jid"] == ALICE_JID
        assert body["message"] == literals.MESSAGE_STATUS_RETRIEVED and body["message_id"] == message_id
    assert seen == [("sent", 1), ("delivered", 2), ("read", 4)]


def test_status_of_a_voice_note_reaches_played(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, receipts="plays")
    sent = ok(api.post("/api/message/media/sales", json={
        "number": ALICE, "mediaType": "audio", "isVoice": True, "mediaBase64": base64.b64encode(b"OggS").decode()}))
    sales.advance(10)
    assert ok(get(api, "status", sent["data"]["messageId"]))["status"] == "played"


def test_status_of_a_received_message(api: CheckedClient, sales: MockRyze) -> None:
    body = ok(get(api, "status", received_text(sales)))
    assert (body["status"], body["status_code"], body["direction"]) == ("received", 3, "received")


@pytest.mark.parametrize(("own_device", "shown"), [("read_self", ("read", 4)), ("played_self", ("played", 5))])
def test_status_of_a_received_message_our_other_device_opened(api: CheckedClient, sales: MockRyze, own_device: str,
                                                               shown: tuple[str, int]) -> None:
    message_id = received_text(sales)
    sales.receipt("sales", message_id, own_device)
    body = ok(get(api, "status", message_id))
    assert (body["status"], body["status_code"]) == shown


@pytest.mark.parametrize("receipt", ["sender", "retry", "inactive"])
def test_status_of_a_receipt_that_means_sent(api: CheckedClient, sales: MockRyze, receipt: str) -> None:
    sales.contact("sales", ALICE, receipts="offline")
    message_id = send_text(api)
    sales.receipt("sales", message_id, receipt)
    body = ok(get(api, "status", message_id))
    assert (body["status"], body["status_code"]) == ("sent", 1)


def test_status_never_goes_back_and_errors_are_final(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, receipts="offline")
    message_id = send_text(api)
    sales.receipt("sales", message_id, "read")
    sales.receipt("sales", message_id, "delivered")  # late and out of order
    assert ok(get(api, "status", message_id))["status"] == "read"
    sales.receipt("sales", message_id, "server_error")
    assert (ok(get(api, "status", message_id))["status_code"]) == -1


def test_status_of_another_instances_message(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_instance("support", connected=True)
    stored = sales.inbound("support", from_=ALICE, text="for support")
    assert stored is not None
    assert error_of(get(api, "status", stored["id"])) == literals.MESSAGE_OTHER_INSTANCE
    other = sales.new_account()
    sales.create_instance("elsewhere", account_token=other, connected=True)
    foreign = sales.inbound("elsewhere", from_=ALICE, text="other account", account_token=other)
    assert foreign is not None
    assert error_of(get(api, "status", foreign["id"])) == literals.MESSAGE_NOT_FOUND


# --- history ------------------------------------------------------------------------------------
def test_history_pages_newest_first_with_the_to_cursor(api: CheckedClient, sales: MockRyze) -> None:
    ids = []
    for i in range(5):
        ids.append(send_text(api, f"message {i}") if i % 2 else received_text(sales, f"message {i}"))
        sales.advance(60)
    send_text(api, "to someone else", number=BOB)
    first = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "count": 2}))
    assert first["message"] == literals.HISTORY_RETRIEVED and first["chat_jid"] == ALICE_JID
    assert [m["id"] for m in first["messages"]] == ids[:2:-1] and first["count"] == 2 and first["hasMore"] is True
    cursor = first["messages"][-1]["timestamp"]  # documented: `to` = the oldest timestamp received (inclusive)
    second = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "count": 2, "to": cursor}))
    assert [m["id"] for m in second["messages"]] == [ids[3], ids[2]]
    last = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "count": 3,
                                                        "to": second["messages"][-1]["timestamp"]}))
    assert [m["id"] for m in last["messages"]] == [ids[2], ids[1], ids[0]] and last["hasMore"] is True
    everything = ok(api.post("/api/chat/history/sales", json={"number": f"{ALICE}@s.whatsapp.net"}))
    assert [m["id"] for m in everything["messages"]] == ids[::-1] and everything["hasMore"] is False
    assert [m["fromMe"] for m in everything["messages"]] == [False, True, False, True, False]


def test_history_of_one_message_and_by_a_contacts_lid(api: CheckedClient, sales: MockRyze) -> None:
    ids = [received_text(sales, "first"), send_text(api, "second")]
    one = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "count": 1}))
    assert ([m["id"] for m in one["messages"]], one["hasMore"]) == ([ids[1]], True)
    lid = ok(api.get("/api/chat/contacts/sales"))["contacts"][0]["lid"]
    by_lid = ok(api.post("/api/chat/history/sales", json={"number": lid}))
    assert (by_lid["chat_jid"], [m["id"] for m in by_lid["messages"]]) == (ALICE_JID, ids[::-1])


def test_history_takes_empty_bounds_as_none(api: CheckedClient, sales: MockRyze) -> None:
    ids = [received_text(sales, "first"), send_text(api, "second")]
    page = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "from": "", "to": ""}))
    assert [m["id"] for m in page["messages"]] == ids[::-1]


def test_history_is_kept_after_logout(api: CheckedClient, sales: MockRyze) -> None:
    incoming = received_text(sales)
    outgoing = send_text(api)
    assert api.delete("/api/instance/logout/sales").status_code == 200
    items = ok(api.post("/api/chat/history/sales", json={"number": ALICE}))["messages"]
    assert [(m["id"], m["to"]) for m in items] == [(outgoing, ALICE_JID), (incoming, "")]  # no own number now


def test_history_from_and_to_are_inclusive(api: CheckedClient, sales: MockRyze) -> None:
    stamps = []
    for i in range(4):
        received_text(sales, f"m{i}")
        stamps.append(sales.messages("sales")[-1]["timestamp"])
        sales.advance(30)
    window = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "from": stamps[1], "to": stamps[2]}))
    assert [m["content"] for m in window["messages"]] == ["m2", "m1"]
    utc = ok(api.post("/api/chat/history/sales", json={"number": ALICE, "from": "2026-01-01T12:00:30Z"}))
    assert [m["content"] for m in utc["messages"]] == ["m3", "m2", "m1"]  # any offset names the same instant


def test_history_of_a_group_names_each_author(api: CheckedClient, sales: MockRyze) -> None:
    group = sales.create_group("sales", "Team", [ALICE, BOB])
    for sender in (ALICE, BOB):
        sales.inbound("sales", from_=sender, text=f"from {sender}", group=group)
    page = ok(api.post("/api/chat/history/sales", json={"number": group}))
    lids = {c["jid"]: c["lid"] for c in sales.contacts("sales")}  # group authors show as their @lid (live default)
    assert [m["senderJid"] for m in page["messages"]] == [lids[BOB_JID], lids[ALICE_JID]]
    assert all(m["isGroup"] for m in page["messages"])


def test_history_of_an_unknown_chat_is_empty(api: CheckedClient, sales: MockRyze) -> None:
    page = ok(api.post("/api/chat/history/sales", json={"number": BOB, "count": 0}))
    assert (page["messages"], page["count"], page["hasMore"], page["chat_jid"]) == ([], 0, False, BOB_JID)
    assert sales.messages("sales") == []


def test_history_needs_no_session(api: CheckedClient, sales: MockRyze) -> None:
    received_text(sales)
    sales.set_state("sales", "disconnected")
    assert ok(api.post("/api/chat/history/sales", json={"number": ALICE}))["count"] == 1


@pytest.mark.parametrize(("body", "literal"), [
    ({}, literals.NUMBER_REQUIRED), ({"number": ""}, literals.NUMBER_REQUIRED),
    ({"number": ALICE, "from": "yesterday"}, literals.INVALID_FROM_DATE),
    ({"number": ALICE, "from": "2026-02-16T18:32:39"}, literals.INVALID_FROM_DATE),  # no offset
    ({"number": ALICE, "to": "2026-13-01T00:00:00Z"}, literals.INVALID_TO_DATE),
    ({"number": "not a number"}, literals.INVALID_NUMBER)])
def test_history_refusals(api: CheckedClient, sales: MockRyze, body: dict[str, Any], literal: ErrorLiteral) -> None:
    assert error_of(api.post("/api/chat/history/sales", json=body)) == literal


def test_history_malformed_body_carries_the_detail(api: CheckedClient, sales: MockRyze) -> None:
    status, message = error_of(api.post("/api/chat/history/sales", json={"number": ALICE, "count": "ten"}))
    assert status == 400 and message.startswith("Invalid request body: ")


# --- poll ---------------------------------------------------------------------------------------
def test_poll_tallies_each_voters_latest_vote(api: CheckedClient, sales: MockRyze) -> None:
    carla = "5531977776666"
    group = sales.create_group("sales", "Meetup", [ALICE, BOB, carla])
    poll_id = send_poll(api, number=group)
    votes = [(ALICE, ["Friday"]), (BOB, ["Friday", "Saturday"]), (carla, ["Sunday"]),
             (ALICE, ["Saturday"]), (carla, [])]  # Alice changes her mind; Carla withdraws
    for voter, chosen in votes:
        sales.advance(1)
        sales.inbound("sales", from_=voter, type="poll_vote", pollMessageId=poll_id, options=chosen, group=group)
        sales.inbound("sales", from_=voter, text="chatter", group=group)
    body = ok(get(api, "poll", poll_id))
    assert body["message"] == literals.POLL_VOTES_RETRIEVED and body["messageId"] == poll_id
    data = body["data"]
    assert data["name"] == "Best day?" and data["messageId"] == poll_id
    assert data["votes"] == [{"optionName": "Friday", "optionVoteCount": 1},
                             {"optionName": "Saturday", "optionVoteCount": 2},
                             {"optionName": "Sunday", "optionVoteCount": 0}]
    details = [(d["senderJid"], d["optionName"]) for d in data["voteDetails"]]
    assert details == [(BOB, "Friday"), (BOB, "Saturday"), (ALICE, "Saturday")]
    assert all(d["optionHash"] == option_hash(d["optionName"]) for d in data["voteDetails"])


def test_poll_in_a_private_chat(api: CheckedClient, sales: MockRyze) -> None:
    poll_id = send_poll(api)
    data = ok(get(api, "poll", poll_id))["data"]
    assert [v["optionVoteCount"] for v in data["votes"]] == [0, 0, 0] and data["voteDetails"] == []
    vote = sales.inbound("sales", from_=ALICE, type="poll_vote", pollMessageId=poll_id, options=["Sunday", "Friday"])
    assert vote is not None
    data = ok(get(api, "poll", poll_id))["data"]
    assert [v["optionVoteCount"] for v in data["votes"]] == [1, 0, 1]
    assert [(d["optionName"], d["voteMessageId"], d["senderJid"]) for d in data["voteDetails"]] == [
        ("Sunday", vote["id"], ALICE), ("Friday", vote["id"], ALICE)]


def test_a_message_that_is_not_our_poll(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(get(api, "poll", send_text(api))) == literals.POLL_NOT_FOUND
    theirs = sales.inbound("sales", from_=ALICE, type="poll", title="Lunch?", options=["yes", "no"])
    assert theirs is not None
    assert error_of(get(api, "poll", theirs["id"])) == literals.POLL_NOT_FOUND


# --- forward ------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_forward_sends_a_new_forwarded_copy(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    original = send_image(api)
    body = ok(api.post("/api/chat/forward/sales", json={"messageId": original, "to": BOB}))
    assert body["message"] == literals.MESSAGE_FORWARDED and body["originalId"] == original
    assert body["destinationJid"] == BOB_JID and body["messageId"] != original
    event = message_part(exchanges(sales)[-1], profile)
    assert (event["id"], event["direction"], event["type"]) == (body["messageId"], "outgoing", "image")
    if profile == "live":
        assert event["isForwarded"] is True
    assert base64.b64decode(ok(get(api, "base64", body["messageId"]))["base64"]) == PNG
    assert ok(get(api, "getMessage", body["messageId"]))["data"]["isForwarded"] is True
    sales.advance(10)  # the copy gets its own receipts
    assert ok(get(api, "status", body["messageId"]))["status"] == "read"


def test_forward_to_a_group(api: CheckedClient, sales: MockRyze) -> None:
    group = sales.create_group("sales", "Team", [ALICE, BOB])
    body = ok(api.post("/api/chat/forward/sales", json={"messageId": received_text(sales), "to": group}))
    assert body["destinationJid"] == group


@pytest.mark.parametrize(("kind", "fields"), [
    ("text", {"text": "hello"}), ("image", {}), ("video", {}), ("audio", {}), ("document", {}), ("sticker", {}),
    ("location", {"latitude": -23.5, "longitude": -46.6}), ("contact", {"contacts": [{"name": "Bia", "number": BOB}]})])
def test_every_forwardable_kind_is_forwarded(api: CheckedClient, sales: MockRyze, kind: str,
                                             fields: dict[str, Any]) -> None:
    stored = sales.inbound("sales", from_=ALICE, type=kind, **fields)
    assert stored is not None
    body = ok(api.post("/api/chat/forward/sales", json={"messageId": stored["id"], "to": BOB}))
    copy = ok(get(api, "getMessage", body["messageId"]))["data"]
    assert (copy["type"], copy["isForwarded"], copy["fromMe"]) == (kind, True, True)


@pytest.mark.parametrize(("kind", "shown"), [("reaction", "reaction"), ("poll", "poll"), ("list", "interactive")])
def test_unforwardable_kinds(api: CheckedClient, sales: MockRyze, kind: str, shown: str) -> None:
    target = send_text(api)
    sends: dict[str, tuple[str, dict[str, Any]]] = {
        "reaction": ("reaction", {"number": ALICE, "messageId": target, "reaction": "👍"}),
        "poll": ("poll", {"number": ALICE, "question": "Q?", "options": ["a", "b"]}),
        "list": ("list", {"number": ALICE, "contentText": "Menu", "buttonText": "Open",
                          "sections": [{"title": "S", "rows": [{"id": "r1", "title": "Row"}]}]}),
    }
    route, send = sends[kind]
    message_id = ok(api.post(f"/api/message/{route}/sales", json=send))["data"]["messageId"]
    refused(api, sales, literals.unsupported_forward(shown), "POST", "/api/chat/forward/sales",
            json={"messageId": message_id, "to": BOB})


def test_a_poll_vote_is_refused_as_a_poll(api: CheckedClient, sales: MockRyze) -> None:
    vote = sales.inbound("sales", from_=ALICE, type="poll_vote", pollMessageId=send_poll(api), options=["Friday"])
    assert vote is not None
    refused(api, sales, literals.unsupported_forward("poll"), "POST", "/api/chat/forward/sales",
            json={"messageId": vote["id"], "to": BOB})


@pytest.mark.parametrize(("body", "literal"), [
    ({"to": BOB}, literals.MESSAGE_ID_REQUIRED), ({"messageId": "", "to": BOB}, literals.MESSAGE_ID_REQUIRED),
    ({"messageId": UNKNOWN_ID}, literals.TO_REQUIRED), ({"messageId": UNKNOWN_ID, "to": BOB},
                                                        literals.MESSAGE_NOT_FOUND),
    ({"messageId": UNKNOWN_ID, "to": 5}, literals.INVALID_BODY)])
def test_forward_refusals(api: CheckedClient, sales: MockRyze, body: dict[str, Any], literal: ErrorLiteral) -> None:
    refused(api, sales, literal, "POST", "/api/chat/forward/sales", json=body)


def test_forward_to_an_unreachable_destination(api: CheckedClient, sales: MockRyze) -> None:
    original = received_text(sales)
    refused(api, sales, literals.GROUP_NOT_FOUND, "POST", "/api/chat/forward/sales",
            json={"messageId": original, "to": "120363999999999999@g.us"})
    refused(api, sales, literals.INVALID_NUMBER, "POST", "/api/chat/forward/sales",
            json={"messageId": original, "to": "abc"})


# --- edit ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_edit_changes_the_text_and_emits_the_edit(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    message_id = send_text(api, "Meeting at 3")
    sales.advance(15 * 60)  # the last moment of the window
    body = ok(api.post("/api/chat/edit/sales", json={"messageId": message_id, "content": "Meeting at 4"}))
    assert body == {"success": True, "message": literals.MESSAGE_EDITED, "messageId": message_id,
                    "chatJid": ALICE_JID, "oldContent": "Meeting at 3", "newContent": "Meeting at 4"}
    assert ok(get(api, "getMessage", message_id))["data"]["content"] == "Meeting at 4"
    event = message_part(exchanges(sales)[-1], profile)
    assert event["type"] == "message_edit" and event["direction"] == "outgoing"
    assert event["edit"] == {"original_id": message_id, "text": "Meeting at 4"}
    if profile == "live":
        assert event["isEdit"] is True and event["content"] == "Meeting at 4"
    else:
        assert event["content"] == {"text": "Meeting at 4"}


def test_edit_outside_the_window_is_refused(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_text(api)
    sales.advance(15 * 60 + 1)
    refused(api, sales, literals.EDIT_TOO_OLD, "POST", "/api/chat/edit/sales",
            json={"messageId": message_id, "content": "too late"})
    assert "too old to edit" in literals.EDIT_TOO_OLD.message


def test_edit_only_our_own_text_messages(api: CheckedClient, sales: MockRyze) -> None:
    for message_id in (received_text(sales), send_image(api)):
        refused(api, sales, literals.EDIT_NOT_OWN_TEXT, "POST", "/api/chat/edit/sales",
                json={"messageId": message_id, "content": "changed"})
    assert "can only edit" in literals.EDIT_NOT_OWN_TEXT.message


@pytest.mark.parametrize(("body", "literal"), [
    ({"content": "x"}, literals.MESSAGE_ID_REQUIRED), ({"messageId": UNKNOWN_ID}, literals.CONTENT_REQUIRED),
    ({"messageId": UNKNOWN_ID, "content": ""}, literals.CONTENT_REQUIRED),
    ({"messageId": UNKNOWN_ID, "content": "x"}, literals.MESSAGE_NOT_FOUND),
    ({"messageId": [], "content": "x"}, literals.INVALID_BODY)])
def test_edit_refusals(api: CheckedClient, sales: MockRyze, body: dict[str, Any], literal: ErrorLiteral) -> None:
    refused(api, sales, literal, "POST", "/api/chat/edit/sales", json=body)


# --- delete -------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_revoke_removes_the_message_and_emits_the_revoke(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    message_id = send_text(api)
    sales.advance(3 * 24 * 3600)  # no window: always succeeds
    body = ok(api.delete("/api/chat/delete/sales", json={"messageId": message_id, "deleteForEveryone": True}))
    assert body == {"success": True, "message": literals.DELETED_FOR_EVERYONE, "delete_type": "revoke",
                    "messageId": message_id, "chat_jid": ALICE_JID}
    event = message_part(exchanges(sales)[-1], profile)
    assert (event["id"], event["type"], event["direction"]) == (message_id, "message_revoke", "outgoing")
    assert event["source"] == "api"  # revoked through the API
    for route, literal in (("getMessage", literals.MESSAGE_NOT_FOUND), ("status", literals.MESSAGE_NOT_FOUND),
                           ("base64", literals.NO_MEDIA)):
        assert error_of(get(api, route, message_id)) == literal
    assert ok(api.post("/api/chat/history/sales", json={"number": ALICE}))["messages"] == []
    refused(api, sales, literals.MESSAGE_NOT_FOUND_LOWER, "DELETE", "/api/chat/delete/sales",
            json={"messageId": message_id, "deleteForEveryone": True})


def test_delete_for_me_removes_without_an_event(api: CheckedClient, sales: MockRyze) -> None:
    message_id = received_text(sales)
    events_before = len(sales.events("sales"))
    body = ok(api.delete("/api/chat/delete/sales", json={"messageId": message_id}))
    assert (body["message"], body["delete_type"]) == (literals.DELETED_FOR_ME, "delete_for_me")
    assert len(sales.events("sales")) == events_before
    assert error_of(get(api, "getMessage", message_id)) == literals.MESSAGE_NOT_FOUND
    assert sales.messages("sales") == []


@pytest.mark.parametrize(("body", "literal"), [
    ({}, literals.MESSAGE_ID_REQUIRED_DELETE), ({"messageId": ""}, literals.MESSAGE_ID_REQUIRED_DELETE),
    ({"messageId": UNKNOWN_ID}, literals.MESSAGE_NOT_FOUND_LOWER),
    ({"messageId": UNKNOWN_ID, "deleteForEveryone": "yes"}, literals.INVALID_BODY)])
def test_delete_refusals(api: CheckedClient, sales: MockRyze, body: dict[str, Any], literal: ErrorLiteral) -> None:
    refused(api, sales, literal, "DELETE", "/api/chat/delete/sales", json=body)


# --- not connected ------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "route", "body"), [
    ("POST", "forward", {"to": BOB}), ("POST", "edit", {"content": "x"}), ("DELETE", "delete", {})])
def test_actions_need_a_session(api: CheckedClient, sales: MockRyze, method: str, route: str,
                                body: dict[str, Any]) -> None:
    message_id = send_text(api)
    sales.set_state("sales", "disconnected")
    refused(api, sales, literals.NOT_CONNECTED, method, f"/api/chat/{route}/sales",
            json={**body, "messageId": message_id})


# --- the per-chat index stays the store's ----------------------------------------------------------
@pytest.mark.ryze(message_store_limit=5)
def test_history_follows_evictions_and_revokes_across_chats(api: CheckedClient, sales: MockRyze) -> None:
    sent = [(number, send_text(api, f"{number} {i}", number=number)) for i in range(4) for number in (ALICE, BOB)]
    kept = [message_id for _, message_id in sent[-5:]]  # the store keeps the newest five, whatever the chat
    for number in (ALICE, BOB):
        page = ok(api.post("/api/chat/history/sales", json={"number": number}))
        assert [m["id"] for m in page["messages"]] == [i for n, i in reversed(sent) if n == number and i in kept]
    revoked = kept[-1]  # a contact revokes through the control plane: gone from its chat's history too
    sales.inbound("sales", from_=BOB, type="revoke", messageId=revoked)
    bob = ok(api.post("/api/chat/history/sales", json={"number": BOB}))
    assert [m["id"] for m in bob["messages"]] == [kept[2], kept[0]]  # B2, B1
