"""Inbound traffic: a simulated contact sends the instance every kind of message, through
``POST /__mock__/instances/{name}/inbound`` and the Python API, in both event layouts."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.instance import model as instances
from mockryze.messages import pipeline
from mockryze.messages.mock import INBOUND_TYPES
from mockryze.messages.model import Party, contact_for, parse_recipient
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

INBOUND = "/__mock__/instances/sales/inbound"
MESSAGES = "/__mock__/instances/sales/messages"
SETTINGS = "/api/instance/settings/sales"

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
BOB_JID = "5511933334444@s.whatsapp.net"
GROUP = "120363000000000001@g.us"
START_ISO = "2026-01-01T09:00:00-03:00"
DOCS = pytest.mark.ryze(profile="docs")
PROFILES = [pytest.param("live", id="live"), pytest.param("docs", id="docs", marks=DOCS)]


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    ryze.create_group("sales", "Equipe", [ALICE, BOB_JID], jid=GROUP)
    return ryze


def inbound(api: CheckedClient, **spec: Any) -> httpx.Response:
    return api.post(INBOUND, json={"from": ALICE, "type": "text", **spec})


def received(api: CheckedClient, **spec: Any) -> dict[str, Any]:
    response = inbound(api, **spec)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["message"], body["ignored"]) == ("Message received", False)
    data: dict[str, Any] = body["data"]
    return data


def our_message(api: CheckedClient, number: str = ALICE) -> str:
    response = api.post("/api/message/text/sales", json={"number": number, "message": "Pedido confirmado"})
    assert response.status_code == 200, response.text
    message_id: str = response.json()["data"]["messageId"]
    return message_id


def store(api: CheckedClient) -> list[dict[str, Any]]:
    response = api.get(MESSAGES)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


def incoming_exchanges(ryze: MockRyze) -> list[dict[str, Any]]:
    found = []
    for envelope in ryze.events("sales", "message.exchange"):
        schemas.validate_event(envelope)
        data = envelope["data"]
        direction = data["direction"] if "direction" in data else data["message"]["direction"]
        if direction == "incoming":
            found.append(envelope)
    return found


def last_exchange(ryze: MockRyze) -> dict[str, Any]:
    envelope = ryze.events("sales", "message.exchange")[-1]
    schemas.validate_event(envelope)
    data: dict[str, Any] = envelope["data"]
    return data


def poll_route() -> str | None:
    for spec in ALL_ENDPOINTS:
        if spec.method == "POST" and spec.path == "/api/message/poll/:instance":
            return spec.path.replace(":instance", "sales")
    return None


# --- every inbound type ---------------------------------------------------------------------------

def spec_for(kind: str, target: str) -> dict[str, Any]:
    """A valid inbound body of each type (``target``: one of our stored messages)."""
    return {
        "text": {"text": "Vocês abrem no feriado?"},
        "image": {"caption": "foto do produto", "mimeType": "image/png"},
        "video": {"caption": "unboxing", "duration": 12},
        "audio": {"isVoice": True, "duration": 4.5},
        "document": {"fileName": "nota.pdf", "caption": "segue a nota"},
        "sticker": {},
        "location": {"latitude": -23.55, "longitude": -46.63, "name": "Loja", "address": "Av. Paulista, 1000"},
        "contact": {"contacts": [{"name": "Carla", "number": "+55 21 98888-7777"}]},
        "reaction": {"messageId": target, "emoji": "👍"},
        "poll": {"title": "Melhor horário?", "options": ["manhã", "tarde"]},
        "button_reply": {"buttonId": "confirm"},
        "list_reply": {"rowId": "row-2", "title": "Entrega"},
        "edit": {"messageId": target, "text": "corrigido"},
        "revoke": {"messageId": target},
    }[kind]


MESSAGE_TYPES = {
    "text": "text", "image": "image", "video": "video", "audio": "audio", "document": "document",
    "sticker": "sticker", "location": "location", "contact": "contact", "reaction": "reaction", "poll": "poll",
    "button_reply": "buttons_response", "list_reply": "list_response", "edit": "message_edit",
    "revoke": "message_revoke",
}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", MESSAGE_TYPES)
def test_every_inbound_type_is_stored_and_emitted(api: CheckedClient, sales: MockRyze, profile: str,
                                                  kind: str) -> None:
    assert sales.settings.profile == profile
    target = our_message(api)
    data = received(api, type=kind, **spec_for(kind, target))
    assert data["type"] == MESSAGE_TYPES[kind]
    assert (data["direction"], data["chat"], data["sender"], data["source"]) == ("incoming", ALICE_JID, ALICE_JID, "")
    [envelope] = incoming_exchanges(sales)  # schema-valid, in the profile's layout
    event = envelope["data"]
    assert event["id"] == data["id"]
    if profile == "live":
        assert "direction" in event
        assert event["message"]["type"] == MESSAGE_TYPES[kind]
    else:
        assert set(event) == {"id", "message"}
        assert event["message"]["type"] == MESSAGE_TYPES[kind]
    stored_ids = [m["id"] for m in store(api)]
    if kind == "revoke":
        assert data["id"] == target  # the revoke carries the revoked message's id…
        assert stored_ids == []  # …and removes it
    else:
        assert stored_ids == [target, data["id"]]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", MESSAGE_TYPES)
def test_python_api_inbound_matches_the_route(sales: MockRyze, profile: str, kind: str) -> None:
    client = CheckedClient(sales.client, sales.account_token)
    target = our_message(client)
    view = sales.inbound("sales", from_=ALICE, type=kind, **spec_for(kind, target))
    assert view is not None
    assert view["type"] == MESSAGE_TYPES[kind]
    [envelope] = incoming_exchanges(sales)
    assert envelope["data"]["id"] == view["id"]
    assert envelope["instanceData"]["instance"] == "sales"


def test_python_api_checks_the_body(sales: MockRyze) -> None:
    with pytest.raises(ApiError) as caught:
        sales.inbound("sales", from_=ALICE, type="location")  # latitude/longitude are required
    assert caught.value.status == 400
    assert incoming_exchanges(sales) == []


def test_inbound_types_cover_the_request_schema() -> None:
    enum = schemas.schema("mock/inbound.request")["properties"]["type"]["enum"]
    assert sorted(enum) == sorted(INBOUND_TYPES)
    assert sorted([*MESSAGE_TYPES, "poll_vote"]) == sorted(INBOUND_TYPES)


# --- the live layout: the fields real clients read ----------------------------------------------

def test_live_text_fields(api: CheckedClient, sales: MockRyze) -> None:
    sales.advance(90)
    data = received(api, text="Vocês abrem no feriado?", pushName="Ana Souza")
    event = last_exchange(sales)
    assert event["id"] == data["id"]
    assert event["direction"] == "incoming"
    assert event["chat"]["jid"] == ALICE_JID
    assert event["chat"]["type"] == "private"
    assert event["sender"]["jid"] == ALICE_JID
    assert event["sender"]["name"] == "Ana Souza"
    assert event["sender"]["lid"].endswith("@lid")
    assert event["message"]["type"] == "text"
    assert event["message"]["content"] == "Vocês abrem no feriado?"
    assert isinstance(event["message"]["content"], str)
    assert event["message"]["source"] == ""
    assert event["recipient"] is None
    assert event["timestamp"] == "2026-01-01T09:01:30-03:00"
    assert datetime.fromisoformat(event["timestamp"]).utcoffset() is not None
    assert event["timestamp"].endswith("-03:00")


@pytest.mark.parametrize("kind", MESSAGE_TYPES)
def test_live_content_is_always_a_string(api: CheckedClient, sales: MockRyze, kind: str) -> None:
    target = our_message(api)
    received(api, type=kind, **spec_for(kind, target))
    event = incoming_exchanges(sales)[-1]["data"]
    assert isinstance(event["message"]["content"], str)
    assert event["timestamp"] == START_ISO


def test_live_media_fields(api: CheckedClient, sales: MockRyze) -> None:
    raw = b"\x89PNG fake bytes"
    received(api, type="image", caption="foto", mimeType="image/png", base64=base64.b64encode(raw).decode())
    message = last_exchange(sales)["message"]
    assert message["content"] == "foto"
    media = message["media"]
    assert media["mimeType"] == "image/png"
    assert "mimetype" not in media
    assert base64.b64decode(media["base64"]) == raw
    assert media["caption"] == "foto"
    assert media["isVoiceNote"] is False
    assert media["url"].startswith("https://mmg.whatsapp.net/")


@pytest.mark.parametrize(("kind", "spec", "expected"), [
    ("audio", {"isVoice": True, "duration": 3}, {"type": "ptt", "isVoiceNote": True, "duration": 3,
                                                 "mimeType": "audio/ogg; codecs=opus"}),
    ("audio", {}, {"type": "audio", "isVoiceNote": False}),
    ("document", {}, {"type": "document", "fileName": "document.pdf", "mimeType": "application/pdf"}),
    ("sticker", {}, {"type": "sticker", "mimeType": "image/webp"}),
    ("video", {"duration": 8}, {"type": "video", "duration": 8, "mimeType": "video/mp4"}),
])
def test_live_media_defaults(api: CheckedClient, sales: MockRyze, kind: str, spec: dict[str, Any],
                             expected: dict[str, Any]) -> None:
    received(api, type=kind, **spec)
    media = last_exchange(sales)["message"]["media"]
    assert {k: media.get(k) for k in expected} == expected


def _magic(raw: bytes) -> str:
    """The MIME type a client sniffing the first bytes sees."""
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    if raw.startswith(b"OggS") and raw[28:36] == b"OpusHead":
        return "audio/ogg"
    if raw[4:8] == b"ftyp":
        return "video/mp4"
    if raw.startswith(b"%PDF-") and raw.rstrip().endswith(b"%%EOF"):
        return "application/pdf"
    return "unknown"


@pytest.mark.parametrize("spec", [{"type": "image"}, {"type": "sticker"}, {"type": "audio"},
                                  {"type": "audio", "isVoice": True}, {"type": "video"}, {"type": "document"},
                                  {"type": "document", "mimeType": "image/jpeg"}],
                         ids=["image", "sticker", "audio", "voice", "video", "document", "document-jpeg"])
def test_default_media_bytes_match_the_declared_mime(api: CheckedClient, sales: MockRyze,
                                                     spec: dict[str, Any]) -> None:
    received(api, **spec)
    media = last_exchange(sales)["message"]["media"]
    raw = base64.b64decode(media["base64"])
    assert _magic(raw) == media["mimeType"].partition(";")[0]
    assert len(raw) < 4096


@pytest.mark.parametrize("profile", PROFILES)
def test_an_inbound_poll_is_emitted_like_ours(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    ours = api.post("/api/message/poll/sales", json={"number": ALICE, "question": "Sabor?",
                                                    "options": ["uva", "maçã", "pera"], "maxAnswer": 2})
    assert ours.status_code == 200, ours.text
    data = received(api, type="poll", title="Sabor?", options=["uva", "maçã", "pera"], selectableCount=2)
    [outgoing, incoming] = [e["data"] for e in sales.events("sales", "message.exchange")]
    assert incoming["id"] == data["id"]
    assert incoming["message"]["poll"] == outgoing["message"]["poll"] == {
        "title": "Sabor?", "options": [{"name": "uva"}, {"name": "maçã"}, {"name": "pera"}], "selectableCount": 2}
    if profile == "live":
        assert incoming["message"]["content"] == outgoing["message"]["content"] == "Sabor?\n1. uva\n2. maçã\n3. pera"
    voted = received(api, type="poll_vote", pollMessageId=data["id"], options=["pera"])
    assert voted["type"] == "poll_update"


@pytest.mark.parametrize(("spec", "selectable"), [({}, 1), ({"selectableCount": 0}, 1), ({"selectableCount": 9}, 2)])
def test_an_inbound_poll_clamps_its_selectable_count(api: CheckedClient, sales: MockRyze, spec: dict[str, Any],
                                                     selectable: int) -> None:
    received(api, type="poll", title="Dia?", options=["sáb", "dom"], **spec)
    assert last_exchange(sales)["message"]["poll"]["selectableCount"] == selectable


@pytest.mark.parametrize("spec", [{"options": ["a", "b"]}, {"title": "T"}, {"title": "T", "options": ["só uma"]},
                                  {"title": "T", "options": ["a", "a"]}, {"title": "", "options": ["a", "b"]}])
def test_an_inbound_poll_needs_a_title_and_distinct_options(api: CheckedClient, sales: MockRyze,
                                                            spec: dict[str, Any]) -> None:
    status, _ = error_of(inbound(api, type="poll", **spec))
    assert status == 400
    assert incoming_exchanges(sales) == []


def test_live_forwarded_and_quoted(api: CheckedClient, sales: MockRyze) -> None:
    target = our_message(api)
    received(api, text="isso aqui", replyTo=target, forwarded=True)
    data = last_exchange(sales)
    assert data["message"]["isForwarded"] is True
    assert data["message"]["context"] == {"message_id": target, "text": "Pedido confirmado"}
    assert data["reply"] == {"message_id": target, "text": "Pedido confirmado"}
    received(api, text="sem citação")
    assert "reply" not in last_exchange(sales)


def test_live_location_and_contact_blocks(api: CheckedClient, sales: MockRyze) -> None:
    received(api, type="location", latitude=-23.55, longitude=-46.63, name="Loja", address="Av. Paulista")
    message = last_exchange(sales)["message"]
    assert message["location"] == {"latitude": -23.55, "longitude": -46.63, "name": "Loja", "address": "Av. Paulista"}
    received(api, type="contact", contacts=[{"name": "Carla", "number": "+55 21 98888-7777"},
                                            {"name": "Davi", "number": "5521977776666"}])
    message = last_exchange(sales)["message"]
    assert message["contact"]["display_name"] == "Carla"
    assert message["contact"]["phone_number"] == "5521988887777"
    assert [c["display_name"] for c in message["contacts"]] == ["Carla", "Davi"]


def test_live_button_and_list_replies(api: CheckedClient, sales: MockRyze) -> None:
    received(api, type="button_reply", buttonId="confirm")
    assert last_exchange(sales)["message"]["interactive"] == {"selectedButtonId": "confirm"}
    received(api, type="list_reply", rowId="row-2")
    assert last_exchange(sales)["message"]["interactive"] == {"selectedReply": {"selectedRowID": "row-2"},
                                                              "title": "row-2"}


# --- the docs layout --------------------------------------------------------------------------------

@DOCS
def test_docs_text_fields(api: CheckedClient, sales: MockRyze) -> None:
    data = received(api, text="Oi!", pushName="Ana Souza")
    event = last_exchange(sales)
    assert set(event) == {"id", "message"}
    assert event["id"] == data["id"]
    message = event["message"]
    assert message["id"] == data["id"]
    assert message["direction"] == "incoming"
    assert message["content"] == {"text": "Oi!"}
    assert message["chat"]["jid"] == ALICE_JID
    assert message["sender"] == {"jid": ALICE_JID, "lid": message["sender"]["lid"], "name": "Ana Souza"}
    assert message["timestamp"] == START_ISO
    assert "source" not in message  # only outgoing messages carry a source


@DOCS
def test_docs_media_uses_mimetype(api: CheckedClient, sales: MockRyze) -> None:
    received(api, type="document", fileName="nota.pdf", caption="segue", mimeType="application/pdf")
    message = last_exchange(sales)["message"]
    assert message["media"]["mimetype"] == "application/pdf"
    assert "mimeType" not in message["media"]
    assert message["media"]["fileName"] == "nota.pdf"
    assert message["content"] == {"text": "segue"}


@DOCS
@pytest.mark.parametrize("kind", ["location", "contact", "reaction", "audio", "sticker", "revoke"])
def test_docs_layout_leaves_content_out_where_its_variant_has_none(api: CheckedClient, sales: MockRyze,
                                                                   kind: str) -> None:
    target = our_message(api)
    received(api, type=kind, **spec_for(kind, target))
    message = incoming_exchanges(sales)[-1]["data"]["message"]  # validated against the docs variant
    assert "content" not in message


# --- groups -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_group_message_with_participant_and_mentions(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    data = received(api, **{"from": "+55 11 93333-4444"}, group=GROUP, text="@Ana olha isso",
                    mentions=["551187654321"], pushName="Bia")
    bob_lid = next(c["lid"] for c in sales.contacts("sales") if c["jid"] == BOB_JID)
    author = bob_lid if profile == "live" else BOB_JID  # quirk group_sender_jid: lid live, phone docs
    assert (data["chat"], data["chatType"], data["sender"]) == (GROUP, "group", author)
    assert data["mentions"] == [ALICE_JID]
    event = last_exchange(sales)
    body = event if profile == "live" else event["message"]
    assert body["chat"] == {"jid": GROUP, "name": "Equipe", "type": "group"}
    assert (body["sender"]["jid"], body["sender"]["lid"]) == (author, bob_lid)
    assert body["sender"]["name"] == "Bia"
    if profile == "live":
        assert event["mentions"] == {"mentionedUsers": [ALICE_JID]}
    else:
        assert event["message"]["mentions"] == {"mentionedUsers": [ALICE_JID]}


def test_group_message_from_a_lid_member(api: CheckedClient, sales: MockRyze) -> None:
    sales.group_member("sales", GROUP, "204918273645510@lid", "join")  # a group message comes from a member
    received(api, **{"from": "204918273645510@lid"}, group=GROUP, text="oi")
    event = last_exchange(sales)
    assert event["sender"]["jid"] == "204918273645510@lid"
    assert event["chat"]["jid"] == GROUP


def test_unknown_group_is_404(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(inbound(api, type="text", group="120363999999999999@g.us")) == literals.GROUP_NOT_FOUND
    assert store(api) == []


@pytest.mark.parametrize("sender", ["abc", GROUP, "120363000000000002@newsletter", "status@broadcast"])
def test_sender_must_be_a_person(api: CheckedClient, sales: MockRyze, sender: str) -> None:
    assert error_of(inbound(api, **{"from": sender}, type="text")) == literals.INVALID_NUMBER
    assert incoming_exchanges(sales) == []


def test_mentions_outside_a_group_are_not_emitted(api: CheckedClient, sales: MockRyze) -> None:
    received(api, text="oi", mentions=["5511933334444"])
    assert "mentions" not in last_exchange(sales)


# --- reactions, polls, edits, revokes ----------------------------------------------------------------

def test_reaction_to_one_of_our_messages(api: CheckedClient, sales: MockRyze) -> None:
    target = our_message(api)
    data = received(api, type="reaction", messageId=target, emoji="❤️")
    assert data["blocks"] == {"reaction": {"text": "❤️", "messageId": target}}
    message = last_exchange(sales)["message"]
    assert message["reaction"] == {"text": "❤️", "messageId": target}
    assert message["content"] == "❤️"


def test_reaction_removed_is_an_empty_emoji(api: CheckedClient, sales: MockRyze) -> None:
    target = our_message(api)
    received(api, type="reaction", messageId=target)
    assert last_exchange(sales)["message"]["reaction"] == {"text": "", "messageId": target}


@pytest.mark.parametrize(("kind", "spec"), [
    ("reaction", {"messageId": "3EB00123456789ABCDEF", "emoji": "👍"}),
    ("edit", {"messageId": "3EB00123456789ABCDEF", "text": "x"}),
    ("revoke", {"messageId": "3EB00123456789ABCDEF"}),
    ("poll_vote", {"pollMessageId": "3EB00123456789ABCDEF", "options": ["a"]}),
    ("text", {"text": "x", "replyTo": "3EB00123456789ABCDEF"}),
])
def test_references_to_unknown_messages_are_404(api: CheckedClient, sales: MockRyze, kind: str,
                                                spec: dict[str, Any]) -> None:
    assert error_of(inbound(api, type=kind, **spec)) == literals.MESSAGE_NOT_FOUND
    assert incoming_exchanges(sales) == []
    assert store(api) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_poll_vote_on_our_poll(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    route = poll_route()
    if route is None:
        pytest.skip("no outgoing poll route (/api/message/poll/:instance) exists yet to create a poll to vote on")
    example = dict(schemas.schema("messages/poll.request")["examples"][0])
    example["number"] = ALICE
    response = api.post(route, json=example)
    assert response.status_code == 200, response.text
    poll_id = response.json()["data"]["messageId"]
    [poll] = [m for m in store(api) if m["id"] == poll_id]
    options = [o["name"] for o in poll["blocks"]["poll"]["options"]]
    data = received(api, type="poll_vote", pollMessageId=poll_id, options=options[:1])
    assert data["type"] == "poll_update"
    update = data["blocks"]["pollUpdate"]
    assert update["pollMessageId"] == poll_id
    assert [o["name"] for o in update["selectedOptions"]] == options[:1]
    assert all(len(o["hash"]) == 64 for o in update["selectedOptions"])
    event = incoming_exchanges(sales)[-1]["data"]
    body = event["message"]
    assert body["pollUpdate"] == update
    assert error_of(inbound(api, type="poll_vote", pollMessageId=poll_id, options=["not an option"]))[0] == 400


def test_poll_vote_on_a_message_that_is_not_a_poll_is_refused(api: CheckedClient, sales: MockRyze) -> None:
    target = our_message(api)
    for options in ([], ["Sim"]):
        status, text = error_of(inbound(api, type="poll_vote", pollMessageId=target, options=options))
        assert status == 400
        assert text.startswith("Invalid request body")
    assert incoming_exchanges(sales) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_edit_changes_the_stored_content(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    original = received(api, text="entrega amanha")
    edit = received(api, type="edit", messageId=original["id"], text="entrega amanhã às 10h")
    assert edit["edit"] == {"original_id": original["id"], "text": "entrega amanhã às 10h"}
    [kept] = [m for m in store(api) if m["id"] == original["id"]]
    assert (kept["type"], kept["content"]) == ("text", "entrega amanhã às 10h")
    event = last_exchange(sales)
    body = event["message"]
    assert body["edit"] == {"original_id": original["id"], "text": "entrega amanhã às 10h"}
    if profile == "live":
        assert body["isEdit"] is True
        assert body["content"] == "entrega amanhã às 10h"
    else:
        assert body["content"] == {"text": "entrega amanhã às 10h"}


def test_edit_of_our_own_message(api: CheckedClient, sales: MockRyze) -> None:
    target = our_message(api)
    received(api, type="edit", messageId=target, text="novo")
    [ours] = sales.sent("sales")
    assert ours["content"] == "novo"


@pytest.mark.parametrize("profile", PROFILES)
def test_revoke_removes_the_message(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    keep = received(api, text="fica")
    gone = received(api, text="apaga isso")
    revoke = received(api, type="revoke", messageId=gone["id"])
    assert revoke["id"] == gone["id"]
    assert [m["id"] for m in store(api)] == [keep["id"]]
    event = last_exchange(sales)
    assert event["id"] == gone["id"]
    assert event["message"]["type"] == "message_revoke"
    assert error_of(inbound(api, type="revoke", messageId=gone["id"])) == literals.MESSAGE_NOT_FOUND
    reply = api.post("/api/message/text/sales", json={"number": ALICE, "message": "?", "replyTo": gone["id"]})
    assert error_of(reply) == literals.MESSAGE_NOT_FOUND


# --- instance settings -------------------------------------------------------------------------------

def settings(api: CheckedClient, **values: Any) -> None:
    response = api.post(SETTINGS, json=values)
    assert response.status_code == 200, response.text
    assert {k: response.json()["settings"][k] for k in values} == values


def test_ignore_group_messages(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, ignoreGroupMessages=True)
    response = inbound(api, type="text", group=GROUP, text="oi grupo")
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "message": "Ignored by the instance settings", "ignored": True}
    assert sales.inbound("sales", from_=ALICE, group=GROUP, text="de novo") is None
    assert store(api) == []
    assert sales.events("sales", "message.exchange") == []
    private = received(api, text="oi")  # private chats still arrive
    assert [m["id"] for m in store(api)] == [private["id"]]
    settings(api, ignoreGroupMessages=False)
    assert received(api, group=GROUP, text="voltou")["chat"] == GROUP


def test_group_messages_arrive_by_default(api: CheckedClient, sales: MockRyze) -> None:
    assert received(api, group=GROUP, text="oi")["chatType"] == "group"


def test_ignore_status_drops_status_posts(sales: MockRyze) -> None:
    """The inbound route has no way to address a status post, so the pipeline is driven directly."""
    inst = sales.world.default_account.instances["sales"]
    author = contact_for(sales.world, inst, parse_recipient(ALICE))
    sender = Party(author.jid, author.name, author.lid)
    status_chat = Party("status@broadcast", "", None, "broadcast")
    instances.update_settings(sales.world, inst, {"ignoreStatus": True})
    with sales.world.lock:
        dropped = pipeline.receive(sales.world, inst, sender=sender, chat=status_chat, type="text", content="story")
    assert dropped is None
    assert sales.messages("sales") == []
    assert sales.events("sales", "message.exchange") == []
    instances.update_settings(sales.world, inst, {"ignoreStatus": False})
    with sales.world.lock:
        kept = pipeline.receive(sales.world, inst, sender=sender, chat=status_chat, type="text", content="story")
    assert kept is not None
    assert [m["chat"] for m in sales.messages("sales")] == ["status@broadcast"]


def test_ignore_status_does_not_drop_chats(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, ignoreStatus=True)
    received(api, text="oi")
    received(api, group=GROUP, text="oi grupo")
    assert len(store(api)) == 2


@pytest.mark.parametrize("profile", PROFILES)
def test_auto_read_messages(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    own = api.get("/__mock__/instances/sales").json()["instance"]["numberJid"].split("@")[0]
    settings(api, autoReadMessages=True)
    data = received(api, text="oi")
    assert data["status"] == "read"
    assert [s["status"] for s in data["statuses"]] == ["delivered", "read"]
    [status] = sales.events("sales", "message.status")
    schemas.validate_event(status)
    assert status["data"] == {"timestamp": START_ISO, "status": "read_self", "messageIds": [data["id"]],
                              "chat": {"jid": ALICE_JID, "type": "private"}, "recipient": own}
    kinds = [e["event"] for e in sales.events("sales") if e["event"].startswith("message.")]
    assert kinds == ["message.exchange", "message.status"]  # read after it arrived


def test_incoming_messages_stay_delivered_without_auto_read(api: CheckedClient, sales: MockRyze) -> None:
    data = received(api, text="oi")
    assert data["status"] == "delivered"
    sales.advance(3600)
    assert sales.events("sales", "message.status") == []
    assert [m["status"] for m in store(api)] == ["delivered"]


# --- push names --------------------------------------------------------------------------------------

def _first_push_name(seed: int) -> str:
    with MockRyze(seed=seed) as mock:
        mock.create_instance("sales", connected=True)
        view = mock.inbound("sales", from_=ALICE, text="oi")
        assert view is not None
        name: str = mock.events("sales", "message.exchange")[-1]["data"]["sender"]["name"]
        return name


def test_faker_fills_push_names_deterministically(api: CheckedClient, sales: MockRyze) -> None:
    received(api, text="oi")
    name = last_exchange(sales)["sender"]["name"]
    assert isinstance(name, str)
    assert len(name.split()) >= 2  # a Faker full name, not a placeholder
    assert name == _first_push_name(sales.settings.seed)
    assert last_exchange(sales)["chat"]["name"] == name
    received(api, text="de novo")
    assert last_exchange(sales)["sender"]["name"] == name  # the contact keeps its name
    other = received(api, **{"from": "5521977776666"}, text="oi")
    other_name = last_exchange(sales)["sender"]["name"]
    assert other["sender"] == "5521977776666@s.whatsapp.net"
    assert other_name and other_name != name


def test_push_name_given_wins_and_sticks(api: CheckedClient, sales: MockRyze) -> None:
    received(api, text="oi", pushName="Ana Souza")
    assert last_exchange(sales)["sender"]["name"] == "Ana Souza"
    received(api, text="oi")
    assert last_exchange(sales)["sender"]["name"] == "Ana Souza"
    received(api, text="oi", pushName="Ana S.")
    assert last_exchange(sales)["sender"]["name"] == "Ana S."


def test_push_name_reaches_the_chat_of_our_replies(api: CheckedClient, sales: MockRyze) -> None:
    received(api, **{"from": "551187654321"}, text="oi", pushName="Ana Souza")
    our_message(api, "5511987654321")
    assert last_exchange(sales)["chat"]["name"] == "Ana Souza"


# --- not connected ------------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["disconnected", "logged_out", "temp_banned"])
def test_inbound_on_a_disconnected_instance_is_503(api: CheckedClient, sales: MockRyze, state: str) -> None:
    sales.set_state("sales", state)
    before = sales.events("sales")
    assert error_of(inbound(api, type="text", text="oi")) == literals.NOT_CONNECTED
    with pytest.raises(ApiError) as caught:
        sales.inbound("sales", from_=ALICE, text="oi")
    assert (caught.value.status, caught.value.message) == literals.NOT_CONNECTED
    assert sales.events("sales") == before
    assert store(api) == []


def test_inbound_on_an_instance_never_connected_is_503(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert error_of(inbound(api, type="text")) == literals.NOT_CONNECTED


def test_a_channel_post_arrives_not_forwarded(sales: MockRyze) -> None:
    channel = "120363000000000002@newsletter"
    sales.newsletter("sales", "Release Notes", jid=channel, following=True)
    sales.newsletter_post("sales", channel, "Version 2.0 is out")
    [envelope] = sales.events("sales", "message.exchange")
    assert envelope["data"]["message"]["isForwarded"] is False
