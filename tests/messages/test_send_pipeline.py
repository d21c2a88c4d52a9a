"""The send pipeline shared by every send route: refusal when not connected, the response ``data``,
ids under the seed, receipts on the virtual clock per contact behaviour, the bounded store,
``delay`` and explicit receipts through the control plane."""

from __future__ import annotations

import re
import threading
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.messages.pipeline import RECEIPT_BEHAVIOURS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

TEXT = "/api/message/text/sales"
MEDIA = "/api/message/media/sales"
MESSAGES = "/__mock__/instances/sales/messages"
RECEIPTS = "/__mock__/instances/sales/receipts"
EVENTS = "/__mock__/events"

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
GROUP = "120363000000000001@g.us"
START_ISO = "2026-01-01T09:00:00-03:00"  # the fixture clock (12:00Z) in the default zone
MESSAGE_ID = re.compile(r"^3EB0[0-9A-F]{16}$")
DELAYS: dict[str, Any] = {"receipt_delivered_delay": 5, "receipt_read_delay": 7, "receipt_played_delay": 3}


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    return ryze


def send(api: CheckedClient, number: str = ALICE, message: str = "Olá!", **fields: Any) -> httpx.Response:
    return api.post(TEXT, json={"number": number, "message": message, **fields})


def send_ok(api: CheckedClient, number: str = ALICE, message: str = "Olá!", **fields: Any) -> dict[str, Any]:
    response = send(api, number, message, **fields)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def voice_note(api: CheckedClient, number: str = ALICE, **fields: Any) -> dict[str, Any]:
    body = {"number": number, "mediaType": "audio", "mediaUrl": "https://cdn.example.org/v.ogg", **fields}
    response = api.post(MEDIA, json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def store(api: CheckedClient) -> list[dict[str, Any]]:
    response = api.get(MESSAGES)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


def event_record(api: CheckedClient) -> list[dict[str, Any]]:
    response = api.get(EVENTS)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["events"]
    return found


def statuses(ryze: MockRyze, message_id: str) -> list[str]:
    """The message.status events emitted for one message, in order."""
    return [e["data"]["status"] for e in ryze.events("sales", "message.status")
            if message_id in e["data"]["messageIds"]]


def stored_statuses(ryze: MockRyze, message_id: str) -> list[tuple[str, str]]:
    [found] = [m for m in ryze.messages("sales") if m["id"] == message_id]
    return [(s["status"], s["at"]) for s in found["statuses"]]


# --- refused when not connected -------------------------------------------------------------------

def _disconnected(ryze: MockRyze) -> None:
    ryze.create_instance("sales")


def _waiting_for_qr(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.connect("sales")


def _network_loss(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    ryze.set_state("sales", "disconnected")


def _logged_out(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    ryze.set_state("sales", "logged_out")


def _temp_banned(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    ryze.set_state("sales", "temp_banned")


NOT_CONNECTED = {"disconnected": _disconnected, "qr_waiting": _waiting_for_qr, "network_loss": _network_loss,
                 "logged_out": _logged_out, "temp_banned": _temp_banned}
REFUSED_BODIES: list[dict[str, Any]] = [
    {"number": ALICE, "message": "oi"},
    {"number": ALICE, "message": "oi", "delay": 30},
    {"number": GROUP, "message": "oi", "mentionAll": True},
    {"number": "not a number", "message": "oi"},  # the connection is checked first
    {"number": ALICE, "message": "oi", "replyTo": "3EB00123456789ABCDEF"},
]


@pytest.mark.parametrize("body", REFUSED_BODIES, ids=["plain", "delay", "group", "invalid", "reply"])
@pytest.mark.parametrize("state", NOT_CONNECTED)
def test_send_when_not_connected_is_503_and_changes_nothing(api: CheckedClient, ryze: MockRyze, state: str,
                                                            body: dict[str, Any]) -> None:
    NOT_CONNECTED[state](ryze)
    events_before, store_before = event_record(api), store(api)
    assert store_before == []
    response = api.post(TEXT, json=body)
    assert error_of(response) == literals.NOT_CONNECTED
    assert event_record(api) == events_before
    assert store(api) == store_before
    ryze.advance(120)  # no receipt or delayed send was scheduled either (a waiting QR may expire meanwhile)
    assert [e for e in event_record(api) if e["event"].startswith("message.")] == []
    assert store(api) == store_before


def test_media_send_when_not_connected_is_503(api: CheckedClient, ryze: MockRyze) -> None:
    _logged_out(ryze)
    response = api.post(MEDIA, json={"number": ALICE, "mediaType": "image", "mediaUrl": "https://x.org/a.jpg"})
    assert error_of(response) == literals.NOT_CONNECTED
    assert store(api) == []


def test_send_works_again_after_recovery(api: CheckedClient, ryze: MockRyze) -> None:
    _network_loss(ryze)
    assert error_of(send(api)) == literals.NOT_CONNECTED
    ryze.set_state("sales", "connected")
    send_ok(api)
    assert len(store(api)) == 1


# --- what a send answers ------------------------------------------------------------------------

def test_response_data(api: CheckedClient, sales: MockRyze) -> None:
    response = send(api, "+55 (11) 98765-4321", "Seu pedido saiu para entrega")
    body = response.json()
    assert (response.status_code, body["success"], body["message"], body["status"]) == (
        200, True, literals.MESSAGE_SENT, literals.STATUS_SENT)
    data = body["data"]
    assert MESSAGE_ID.match(data["messageId"]), data["messageId"]
    own_jid = api.get("/__mock__/instances/sales").json()["instance"]["numberJid"]
    assert data == {
        "messageId": data["messageId"], "direction": "outgoing", "messageType": "text",
        "content": "Seu pedido saiu para entrega", "timestamp": START_ISO, "chat": {"jid": ALICE_JID},
        "sender": {"jid": own_jid}, "source": "api",
    }


def test_response_matches_the_stored_message_and_the_event(api: CheckedClient, sales: MockRyze) -> None:
    sales.advance(42)
    data = send_ok(api, source="crm-7")
    assert data["source"] == "crm-7"
    assert data["timestamp"] == "2026-01-01T09:00:42-03:00"
    [message] = store(api)
    assert (message["id"], message["direction"], message["type"], message["content"], message["timestamp"],
            message["chat"], message["source"], message["status"]) == (
        data["messageId"], "outgoing", "text", "Olá!", data["timestamp"], ALICE_JID, "crm-7", "sent")
    [exchange] = sales.events("sales", "message.exchange")
    schemas.validate_event(exchange)
    assert exchange["data"]["id"] == data["messageId"]
    assert exchange["data"]["direction"] == "outgoing"
    assert exchange["data"]["timestamp"] == data["timestamp"]
    assert exchange["data"]["message"]["source"] == "crm-7"
    assert exchange["data"]["message"]["content"] == "Olá!"
    sales.advance(1)  # the default receipt_delivered_delay
    [delivered] = sales.events("sales", "message.status")
    schemas.validate_event(delivered)
    assert delivered["data"] == {
        "timestamp": "2026-01-01T09:00:43-03:00", "status": "delivered", "messageIds": [data["messageId"]],
        "chat": {"jid": ALICE_JID, "type": "private"}, "recipient": ALICE}


def test_a_send_emits_no_sent_status(api: CheckedClient, sales: MockRyze) -> None:
    """The documented message.status enum has no `sent`: the HTTP reply is the sent signal."""
    data = send_ok(api)
    kinds = [(e["event"], e["data"].get("status")) for e in sales.events("sales") if e["event"].startswith("message")]
    assert kinds == [("message.exchange", None)]
    sales.advance(3600)
    assert statuses(sales, data["messageId"]) == ["delivered", "read"]
    assert [s for s, _ in stored_statuses(sales, data["messageId"])] == ["sent", "delivered", "read"]


@pytest.mark.ryze(profile="docs")
def test_docs_profile_response_and_event(api: CheckedClient, sales: MockRyze) -> None:
    data = send_ok(api, source="crm")
    [exchange] = sales.events("sales", "message.exchange")
    schemas.validate_event(exchange)
    assert exchange["data"]["id"] == data["messageId"]
    body = exchange["data"]["message"]
    assert (body["direction"], body["content"], body["source"]) == ("outgoing", {"text": "Olá!"}, "crm")


def test_message_ids_are_unique(api: CheckedClient, sales: MockRyze) -> None:
    ids = [send_ok(api, message=f"m{i}")["messageId"] for i in range(20)]
    assert len(set(ids)) == 20
    assert all(MESSAGE_ID.match(i) for i in ids)


def _ids_under(seed: int) -> list[str]:
    with MockRyze(seed=seed) as mock:
        mock.create_instance("sales", connected=True)
        client = CheckedClient(mock.client, mock.account_token)
        ids = [send_ok(client, message=f"m{i}")["messageId"] for i in range(3)]
        received = mock.inbound("sales", from_=ALICE, text="oi")
        assert received is not None
        return [*ids, received["id"]]


def test_same_seed_gives_the_same_message_ids() -> None:
    first, again, other = _ids_under(7), _ids_under(7), _ids_under(8)
    assert first == again
    assert set(first).isdisjoint(other)


@pytest.mark.ryze(seed=7)
def test_the_fixture_seed_replays_ids(api: CheckedClient, sales: MockRyze) -> None:
    ids = [send_ok(api, message=f"m{i}")["messageId"] for i in range(3)]
    received = sales.inbound("sales", from_=ALICE, text="oi")
    assert received is not None
    assert [*ids, received["id"]] == _ids_under(7)


# --- receipts on the virtual clock ----------------------------------------------------------------

@pytest.mark.ryze(**DELAYS)
def test_normal_contact_delivers_then_reads_at_the_configured_delays(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    assert statuses(sales, message_id) == []
    sales.advance(4.9)
    assert statuses(sales, message_id) == []
    sales.advance(0.1)
    assert statuses(sales, message_id) == ["delivered"]
    sales.advance(6.9)
    assert statuses(sales, message_id) == ["delivered"]
    sales.advance(0.1)
    assert statuses(sales, message_id) == ["delivered", "read"]
    sales.advance(600)
    assert statuses(sales, message_id) == ["delivered", "read"]
    assert stored_statuses(sales, message_id) == [
        ("sent", START_ISO), ("delivered", "2026-01-01T09:00:05-03:00"), ("read", "2026-01-01T09:00:12-03:00")]
    [message] = store(api)
    assert message["status"] == "read"
    events = sales.events("sales", "message.status")
    for event in events:
        schemas.validate_event(event)
        assert event["data"]["recipient"] == ALICE
        assert "messageSender" not in event["data"]
    assert [e["data"]["timestamp"] for e in events] == [s[1] for s in stored_statuses(sales, message_id)[1:]]


@pytest.mark.ryze(**DELAYS)
def test_one_big_jump_fires_every_receipt_in_order(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    sales.advance(3600)
    assert statuses(sales, message_id) == ["delivered", "read"]
    assert [s[1] for s in stored_statuses(sales, message_id)] == [
        START_ISO, "2026-01-01T09:00:05-03:00", "2026-01-01T09:00:12-03:00"]


def test_default_receipt_delays(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    sales.advance(0.99)
    assert statuses(sales, message_id) == []
    sales.advance(0.01)
    assert statuses(sales, message_id) == ["delivered"]
    sales.advance(2)
    assert statuses(sales, message_id) == ["delivered", "read"]


@pytest.mark.ryze(**DELAYS)
@pytest.mark.parametrize(("behaviour", "text_receipts", "voice_receipts"), [
    ("normal", ["delivered", "read"], ["delivered", "read"]),
    ("offline", [], []),
    ("unread", ["delivered"], ["delivered"]),
    ("plays", ["delivered", "read"], ["delivered", "read", "played"]),
])
def test_receipts_follow_the_contact_behaviour(api: CheckedClient, sales: MockRyze, behaviour: str,
                                               text_receipts: list[str], voice_receipts: list[str]) -> None:
    response = api.post("/__mock__/instances/sales/contacts", json={"number": ALICE, "receipts": behaviour})
    assert response.status_code == 200, response.text
    assert response.json()["contact"]["receipts"] == behaviour
    text_id = send_ok(api)["messageId"]
    voice_id = voice_note(api)["messageId"]
    sales.advance(3600)
    assert statuses(sales, text_id) == text_receipts
    assert statuses(sales, voice_id) == voice_receipts
    assert [m["status"] for m in store(api)] == [["sent", *text_receipts][-1], ["sent", *voice_receipts][-1]]


@pytest.mark.ryze(**DELAYS)
def test_voice_note_is_played_after_the_played_delay(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", "551187654321", receipts="plays")  # the other Brazilian variant: same contact
    voice_id = voice_note(api)["messageId"]
    sales.advance(12)
    assert statuses(sales, voice_id) == ["delivered", "read"]
    sales.advance(2.9)
    assert statuses(sales, voice_id) == ["delivered", "read"]
    sales.advance(0.1)
    assert statuses(sales, voice_id) == ["delivered", "read", "played"]
    assert stored_statuses(sales, voice_id)[-1] == ("played", "2026-01-01T09:00:15-03:00")


@pytest.mark.ryze(**DELAYS)
def test_plays_contact_does_not_play_audio_files(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, receipts="plays")
    audio_id = voice_note(api, isVoice=False)["messageId"]
    image = api.post(MEDIA, json={"number": ALICE, "mediaType": "image", "mediaUrl": "https://x.org/a.jpg"})
    image_id = image.json()["data"]["messageId"]
    sales.advance(3600)
    assert statuses(sales, audio_id) == ["delivered", "read"]
    assert statuses(sales, image_id) == ["delivered", "read"]


@pytest.mark.ryze(**DELAYS)
def test_behaviour_change_applies_to_later_messages(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, receipts="offline")
    first = send_ok(api)["messageId"]
    sales.advance(1)
    sales.contact("sales", ALICE, receipts="normal")
    second = send_ok(api)["messageId"]
    sales.advance(3600)
    assert statuses(sales, first) == []
    assert statuses(sales, second) == ["delivered", "read"]


def test_newsletter_posts_get_no_receipts(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api, "120363000000000002@newsletter")["messageId"]
    sales.advance(3600)
    assert statuses(sales, message_id) == []
    for event in sales.events("sales", "message.status"):
        schemas.validate_event(event)


def test_with_read_receipts_off_we_see_nobodys_read_receipts(api: CheckedClient, sales: MockRyze) -> None:
    """Documented: turning read receipts off also hides the contacts' read receipts."""
    response = api.post("/api/profile/privacy/sales", json={"privacy": {"readReceipts": "none"}})
    assert response.status_code == 200, response.text
    message_id = send_ok(api)["messageId"]
    sales.advance(3600)
    assert statuses(sales, message_id) == ["delivered"]


def test_stories_get_no_receipts(api: CheckedClient, sales: MockRyze) -> None:
    response = api.post("/api/message/status/sales", json={"type": "text", "message": "Open on the holiday!"})
    assert response.status_code == 200, response.text
    sales.advance(3600)
    assert statuses(sales, response.json()["data"]["messageId"]) == []


def test_lid_chat_receipts_are_schema_valid(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api, "204918273645510@lid")["messageId"]
    sales.advance(3600)
    assert statuses(sales, message_id) == ["delivered", "read"]
    for event in sales.events("sales", "message.status"):
        schemas.validate_event(event)
        assert event["data"]["chat"] == {"jid": "204918273645510@lid", "type": "private"}


@pytest.mark.ryze(**DELAYS)
def test_receipts_stop_when_the_instance_disconnects(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    sales.advance(5)
    sales.set_state("sales", "disconnected")
    sales.advance(3600)
    sales.set_state("sales", "connected")
    sales.advance(3600)
    assert statuses(sales, message_id) == ["delivered"]


# --- the bounded store --------------------------------------------------------------------------

@pytest.mark.ryze(message_store_limit=3)
def test_store_cap_evicts_the_oldest_first(api: CheckedClient, sales: MockRyze) -> None:
    ids = [send_ok(api, message=f"m{i}")["messageId"] for i in range(5)]
    assert [(m["id"], m["content"]) for m in store(api)] == [(ids[2], "m2"), (ids[3], "m3"), (ids[4], "m4")]
    assert error_of(send(api, replyTo=ids[1])) == literals.MESSAGE_NOT_FOUND
    assert send_ok(api, replyTo=ids[2])["replyTo"] == ids[2]
    assert [m["id"] for m in store(api)][:2] == [ids[3], ids[4]]


@pytest.mark.ryze(event_record_limit=4)
def test_event_record_keeps_the_newest_events(api: CheckedClient, sales: MockRyze) -> None:
    ids = [send_ok(api, message=f"m{i}")["messageId"] for i in range(2)]  # each: message.exchange
    sales.advance(3600)  # each: delivered + read
    ids.append(send_ok(api, message="m2")["messageId"])
    response = api.get(EVENTS, params={"instance": "sales"})
    assert response.status_code == 200, response.text
    kept = [(e["event"], e["data"].get("id") or e["data"]["messageIds"][0]) for e in response.json()["events"]]
    assert kept == [("message.status", ids[1]), ("message.status", ids[0]),  # delivered m1, read m0
                    ("message.status", ids[1]), ("message.exchange", ids[2])]
    assert response.json()["count"] == 4


@pytest.mark.ryze(message_store_limit=3)
def test_store_cap_counts_incoming_and_outgoing_together(api: CheckedClient, sales: MockRyze) -> None:
    first = send_ok(api)["messageId"]
    incoming = [sales.inbound("sales", from_=ALICE, text=f"in{i}") for i in range(3)]
    assert [m["id"] for m in store(api)] == [m["id"] for m in incoming if m is not None]
    assert first not in [m["id"] for m in store(api)]


@pytest.mark.ryze(message_store_limit=2, **DELAYS)
def test_receipts_stop_for_an_evicted_message(api: CheckedClient, sales: MockRyze) -> None:
    evicted = send_ok(api, message="a")["messageId"]
    sales.advance(5)
    assert statuses(sales, evicted) == ["delivered"]
    kept = [send_ok(api, message=m)["messageId"] for m in ("b", "c")]
    assert evicted not in [m["id"] for m in store(api)]
    sales.advance(3600)
    assert statuses(sales, evicted) == ["delivered"]
    for message_id in kept:
        assert statuses(sales, message_id) == ["delivered", "read"]


@pytest.mark.ryze(message_store_limit=1, **DELAYS)
def test_evicted_before_delivery_gets_no_receipt_at_all(api: CheckedClient, sales: MockRyze) -> None:
    evicted = send_ok(api, message="a")["messageId"]
    send_ok(api, message="b")
    sales.advance(3600)
    assert statuses(sales, evicted) == []


# --- delay ----------------------------------------------------------------------------------------

class PendingSend:
    """A send with ``delay`` running in a thread: the response arrives once the clock has moved."""

    def __init__(self, api: CheckedClient, body: dict[str, Any]) -> None:
        self.response: httpx.Response | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(api, body), daemon=True)
        self._thread.start()

    def _run(self, api: CheckedClient, body: dict[str, Any]) -> None:
        try:
            self.response = api.post(TEXT, json=body)
        except BaseException as exc:  # surfaced by result()
            self.error = exc

    def still_waiting(self, seconds: float = 0.2) -> bool:
        self._thread.join(seconds)
        return self._thread.is_alive()

    def result(self, timeout: float = 5.0) -> httpx.Response:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the delayed send never answered"
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


def test_delay_answers_after_the_virtual_delay(api: CheckedClient, sales: MockRyze) -> None:
    pending = PendingSend(api, {"number": ALICE, "message": "digitando…", "delay": 10})
    assert pending.still_waiting()
    assert store(api) == []  # nothing is stored or emitted while "typing"
    assert sales.events("sales", "message.exchange") == []
    sales.advance(9)
    assert pending.still_waiting()
    assert store(api) == []
    sales.advance(1)
    response = pending.result()
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["timestamp"] == "2026-01-01T09:00:10-03:00"
    assert [m["id"] for m in store(api)] == [data["messageId"]]
    [exchange] = sales.events("sales", "message.exchange")
    assert exchange["data"]["id"] == data["messageId"]


def test_delay_zero_answers_at_once(api: CheckedClient, sales: MockRyze) -> None:
    assert send_ok(api, delay=0)["timestamp"] == START_ISO


def test_other_requests_are_served_during_a_delay(api: CheckedClient, sales: MockRyze) -> None:
    pending = PendingSend(api, {"number": ALICE, "message": "depois", "delay": 30})
    assert pending.still_waiting()
    quick = send_ok(api, message="agora")
    sales.advance(30)
    late = pending.result().json()["data"]
    assert [m["id"] for m in store(api)] == [quick["messageId"], late["messageId"]]


@pytest.mark.parametrize(("body", "literal"), [
    ({"number": "abc", "message": "oi", "delay": 30}, literals.INVALID_NUMBER),
    ({"number": "120363999999999999@g.us", "message": "oi", "delay": 30}, literals.GROUP_NOT_FOUND),
    ({"number": ALICE, "message": "oi", "delay": 30, "mentionAll": True}, literals.MENTIONS_GROUP_ONLY),
    ({"number": ALICE, "message": "oi", "delay": 30, "replyTo": "3EB00123456789ABCDEF"}, literals.MESSAGE_NOT_FOUND),
])
def test_refused_send_with_delay_is_refused_immediately(api: CheckedClient, sales: MockRyze, body: dict[str, Any],
                                                        literal: literals.ErrorLiteral) -> None:
    pending = PendingSend(api, body)
    response = pending.result(timeout=2.0)  # without any clock movement
    assert error_of(response) == literal
    sales.advance(60)
    assert store(api) == []
    assert sales.events("sales", "message.exchange") == []


def test_instance_lost_during_a_delay_refuses_at_the_end(api: CheckedClient, sales: MockRyze) -> None:
    pending = PendingSend(api, {"number": ALICE, "message": "oi", "delay": 10})
    assert pending.still_waiting()
    sales.set_state("sales", "disconnected")
    sales.advance(10)
    assert error_of(pending.result()) == literals.NOT_CONNECTED
    assert store(api) == []


# --- groups ---------------------------------------------------------------------------------------

def test_group_send_statuses_carry_the_message_sender(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_group("sales", "Equipe", ["5511911112222", "5511933334444"], jid=GROUP)
    data = send_ok(api, GROUP)
    sales.advance(3600)
    own_jid = data["sender"]["jid"]
    events = [e for e in sales.events("sales", "message.status") if data["messageId"] in e["data"]["messageIds"]]
    assert [e["data"]["status"] for e in events] == ["delivered", "read"]
    for event in events:
        schemas.validate_event(event)
        assert event["data"]["chat"] == {"jid": GROUP, "type": "group"}
        assert event["data"]["messageSender"] == own_jid
        assert event["data"]["recipient"] == "5511911112222"  # a member's phone, not ours


def test_private_send_statuses_never_carry_the_message_sender(api: CheckedClient, sales: MockRyze) -> None:
    send_ok(api)
    sales.advance(3600)
    assert all("messageSender" not in e["data"] for e in sales.events("sales", "message.status"))


def test_group_receipt_from_a_members_lid_names_its_phone(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_group("sales", "Equipe", ["5511911112222", "5511933334444"], jid=GROUP)
    lid = sales.contact("sales", "5511933334444")["lid"]
    data = send_ok(api, GROUP)
    response = api.post(RECEIPTS, json={"messageId": data["messageId"], "status": "read", "from": lid})
    assert response.status_code == 200, response.text
    [event] = sales.events("sales", "message.status")
    assert (event["data"]["status"], event["data"]["recipient"]) == ("read", "5511933334444")


def test_group_receipts_ignore_member_behaviour(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", "5511911112222", receipts="offline")
    sales.create_group("sales", "Equipe", ["5511911112222"], jid=GROUP)
    message_id = send_ok(api, GROUP)["messageId"]
    sales.advance(3600)
    assert statuses(sales, message_id) == ["delivered", "read"]


# --- explicit receipts through the control plane ----------------------------------------------------

def post_receipt(api: CheckedClient, **body: Any) -> httpx.Response:
    return api.post(RECEIPTS, json=body)


def test_explicit_receipt_emits_a_status(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, receipts="offline")
    message_id = send_ok(api)["messageId"]
    sales.advance(30)
    response = post_receipt(api, messageId=message_id, status="read")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Receipt sent"
    assert body["data"]["id"] == message_id
    assert body["data"]["status"] == "read"
    assert [s["status"] for s in body["data"]["statuses"]] == ["sent", "read"]
    last = sales.events("sales", "message.status")[-1]
    schemas.validate_event(last)
    assert last["data"] == {"timestamp": "2026-01-01T09:00:30-03:00", "status": "read", "messageIds": [message_id],
                            "chat": {"jid": ALICE_JID, "type": "private"}, "recipient": ALICE}


def test_explicit_receipt_in_a_group_names_the_member(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_group("sales", "Equipe", ["5511911112222", "5511933334444"], jid=GROUP)
    message_id = send_ok(api, GROUP)["messageId"]
    response = post_receipt(api, messageId=message_id, status="played", **{"from": "+55 11 93333-4444"})
    assert response.status_code == 200, response.text
    last = sales.events("sales", "message.status")[-1]
    schemas.validate_event(last)
    assert last["data"]["status"] == "played"
    assert last["data"]["recipient"] == "5511933334444"
    assert last["data"]["messageSender"] == response.json()["data"]["sender"]


@pytest.mark.parametrize("status", ["read_self", "played_self", "sender"])
def test_self_receipts_name_our_own_number(api: CheckedClient, sales: MockRyze, status: str) -> None:
    received = sales.inbound("sales", from_=ALICE, text="oi")
    assert received is not None
    own = api.get("/__mock__/instances/sales").json()["instance"]["numberJid"].split("@")[0]
    assert post_receipt(api, messageId=received["id"], status=status).status_code == 200
    last = sales.events("sales", "message.status")[-1]
    schemas.validate_event(last)
    assert (last["data"]["status"], last["data"]["recipient"]) == (status, own)


def test_python_receipt_matches_the_control_route(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    view = sales.receipt("sales", message_id, "delivered")
    assert view["status"] == "delivered"
    assert statuses(sales, message_id) == ["delivered"]


def test_receipt_for_an_unknown_message_is_404(api: CheckedClient, sales: MockRyze) -> None:
    response = post_receipt(api, messageId="3EB00123456789ABCDEF", status="read")
    assert error_of(response) == literals.MESSAGE_NOT_FOUND
    assert sales.events("sales", "message.status") == []


def test_receipt_when_not_connected_is_503(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    sales.set_state("sales", "disconnected")
    before = sales.events("sales", "message.status")
    assert error_of(post_receipt(api, messageId=message_id, status="read")) == literals.NOT_CONNECTED
    assert sales.events("sales", "message.status") == before


def test_receipt_with_an_unknown_status_is_400(api: CheckedClient, sales: MockRyze) -> None:
    message_id = send_ok(api)["messageId"]
    response = post_receipt(api, messageId=message_id, status="seen")
    assert error_of(response)[0] == 400
    assert statuses(sales, message_id) == []



def test_the_contact_schema_offers_every_receipt_behaviour() -> None:
    offered = schemas.schema("mock/contact.request")["properties"]["receipts"]["enum"]
    assert offered == list(RECEIPT_BEHAVIOURS)
