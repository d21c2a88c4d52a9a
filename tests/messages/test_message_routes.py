"""The send routes of the messages module (``/api/message/<kind>/:instance``), route by route: the 13
documented ones and the client-expected ``event`` route.

Per route: a minimal send (the first ``examples`` entry of its request schema) and a maximal one (every
optional field), in the live and the docs profile; the response ``data``, the stored message (control
plane and ``ryze.sent``), and the outgoing ``message.exchange`` (schema-valid, with the route's block).
Then every validation error with its literal and HTTP code, and that a refused send leaves the store
and the event record as they were.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.literals import ErrorLiteral
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
BOB = "5521988887777"
NEWSLETTER = "120363000000000002@newsletter"
UNKNOWN_ID = "3EB00123456789ABCDEF"
MESSAGES = "/__mock__/instances/sales/messages"
DETAIL = "Invalid request body: "
BROADCAST = "status@broadcast"
PROFILES = [pytest.param("live", id="live"), pytest.param("docs", id="docs", marks=pytest.mark.ryze(profile="docs"))]

Doc = dict[str, Any]


@dataclass(frozen=True)
class Route:
    kind: str
    maximal: Doc  # every optional field; `{GROUP}`, `{QUOTE}`, `{OURS}` are filled in at run time
    event_type: str  # data.message.type of the minimal send
    response_type: str  # data.messageType of the minimal send
    block: str | None  # the event block that describes what was sent
    numbered: bool = True  # takes `number` (all but status)
    delayed: bool = True  # takes `delay` (all but reaction and status)
    max_event_type: str | None = None
    max_response_type: str | None = None
    max_chat: str = "private"  # chat type of the maximal send (replyPrivate moves group quotes to the author)
    max_content: str | None = None
    max_block: Doc | None = None  # the exact block of the maximal send (media-free blocks only)
    max_message: str = literals.MESSAGE_SENT

    @property
    def path(self) -> str:
        return f"/api/message/{self.kind}/sales"

    @property
    def minimal(self) -> Doc:
        body: Doc = copy.deepcopy(schemas.schema(f"messages/{self.kind}.request")["examples"][0])
        if self.kind == "reaction":
            body["messageId"] = "{OURS}"
        return body


QUOTED = {"delay": 2, "replyTo": "{QUOTE}", "replyPrivate": True, "source": "crm"}
EVENT_MAXIMAL: Doc = {
    "name": "Store opening", "startAt": "2026-01-10T19:00:00-03:00", "endAt": "2026-01-11T00:30:00Z",
    "description": "Drinks at the new store", "location": {"name": "Central Office", "address": "Rua Exemplo, 100",
                                                           "latitude": -23.5505, "longitude": -46.6333},
    "joinLink": "https://call.whatsapp.com/video/AbCdEf", "isScheduleCall": True, "hasReminder": True,
    "reminderOffsetSec": 3600, "extraGuestsAllowed": True, "isCanceled": False,
}
ROUTES: dict[str, Route] = {r.kind: r for r in [
    Route("text", {"number": "{GROUP}", "message": "Olá @5511987654321", "linkPreview": True, "mention": [ALICE],
                   "mentionAll": False, **QUOTED, "replyPrivate": False},
          "text", "text", None, max_chat="group", max_content="Olá @5511987654321"),
    Route("media", {"number": "{GROUP}", "mediaType": "audio", "mediaBase64": "T2dnUwACAAAAAAAA", "mimeType":
                    "audio/ogg; codecs=opus", "fileName": "hello.ogg", "isVoice": False, "duration": 7,
                    "waveform": [0, 80, 255], "message": "ignored on audio", "mention": [ALICE], "mentionAll": True,
                    **QUOTED, "replyPrivate": False},
          "document", "document", None, max_event_type="audio", max_response_type="audio", max_chat="group",
          max_content=""),
    Route("sticker", {"number": "{GROUP}", "imageUrl": "data:image/png;base64,iVBORw0KGgo=", **QUOTED},
          "sticker", "sticker", None, max_content=""),
    Route("location", {"number": "{GROUP}", "latitude": -23.5505, "longitude": -46.6333, "name": "Central Office",
                       "address": "Rua Exemplo, 100 - Centro", **QUOTED},
          "location", "location", "location",
          max_content="📍 Central Office\nRua Exemplo, 100 - Centro\nLat: -23.5505, Long: -46.6333",
          max_block={"latitude": -23.5505, "longitude": -46.6333, "name": "Central Office",
                     "address": "Rua Exemplo, 100 - Centro"}),
    Route("contact", {"number": "{GROUP}", "vcard": [
        {"fullName": "Ana Souza", "phone": "+5511955550000", "organization": "Acme", "email": "ana@acme.test",
         "url": "https://acme.test"},
        {"fullName": "Bruno Lima", "phone": "5521977776666"}], **QUOTED},
          "contact", "contact", "contact", max_chat="group", max_content="Ana Souza, Bruno Lima",
          max_message="2 contacts sent successfully in one message"),
    Route("reaction", {"number": "{GROUP}", "messageId": "{QUOTE}", "reaction": "❤️", "fromMe": False,
                       "participant": ALICE_JID, "source": "crm"},
          "reaction", "reaction", "reaction", delayed=False, max_chat="group", max_content="❤️"),
    Route("poll", {"number": "{GROUP}", "question": "Best time?", "options": ["9am", "2pm", "4pm"], "maxAnswer": 2,
                   **QUOTED},
          "poll", "poll", "poll", max_content="Best time?\n1. 9am\n2. 2pm\n3. 4pm",
          max_block={"title": "Best time?", "options": [{"name": "9am"}, {"name": "2pm"}, {"name": "4pm"}],
                     "selectableCount": 2}),
    Route("carousel", {"number": "{GROUP}", "message": "Choose a plan", "footer": "Cancel anytime", "cards": [
        {"header": {"title": "Basic", "subtitle": "For starters", "imageUrl": "https://files.example.org/b.jpg"},
         "body": {"text": "R$ 29"}, "footer": "1 user",
         "buttons": [{"displayText": "Want", "id": "basic", "type": "REPLY"},
                     {"displayText": "Site", "id": "https://acme.test", "type": "URL"},
                     {"displayText": "Call", "id": "+5511987654321", "type": "CALL"}]},
        {"header": {"title": "Pro", "videoUrl": "https://files.example.org/p.mp4"}, "body": {"text": "R$ 99"},
         "buttons": [{"displayText": "Coupon", "id": "PRO10", "type": "COPY"}]}], **QUOTED},
          "interactive", "interactive", "carousel", max_content="Choose a plan - Carousel with 2 card(s)"),
    Route("button", {"number": "{GROUP}", "contentText": "How can we help?", "headerText": "Acme",
                     "footerText": "Mon-Fri", "buttons": [{"id": "support", "displayText": "Support", "type": "REPLY"},
                                                          {"id": "https://acme.test", "displayText": "Site",
                                                           "type": "URL"},
                                                          {"id": "ACME10", "displayText": "Coupon", "type": "COPY"}],
                     **QUOTED},
          "buttons", "buttons", "buttons", max_content="How can we help?",
          max_block={"text": "How can we help?", "header": "Acme", "footer": "Mon-Fri", "buttons": [
              {"type": "REPLY", "id": "support", "title": "Support"}, {"type": "URL", "id": "https://acme.test",
                                                                       "title": "Site"},
              {"type": "COPY", "id": "ACME10", "title": "Coupon"}]}),
    Route("list", {"number": "{GROUP}", "contentText": "Pick one:", "buttonText": "Menu", "headerText": "Acme",
                   "footerText": "BRL", "sections": [
                       {"title": "Delivery", "rows": [{"id": "fast", "title": "Express", "description": "1 h"},
                                                      {"id": "slow", "title": "Standard"}]},
                       {"title": "Pickup", "rows": [{"id": "store", "title": "At the store"}]}], **QUOTED},
          "list", "list", "list", max_content="Pick one:",
          max_block={"text": "Pick one:", "buttonText": "Menu", "header": "Acme", "footer": "BRL", "sections": [
              {"title": "Delivery", "rows": [{"id": "fast", "title": "Express", "description": "1 h"},
                                             {"id": "slow", "title": "Standard"}]},
              {"title": "Pickup", "rows": [{"id": "store", "title": "At the store"}]}]}),
    Route("form", {"number": "{GROUP}", "message": "50% off", "formType": "registration_offer", "buttonLabel": "Join",
                   "flowToken": "flow-7f3c2a", "flowId": "123", "flowMessageVersion": "3", "messageVersion": 1,
                   "fullNameVisible": True, "phoneNumberVisible": False, "emailVisible": True,
                   "cpfOrCnpjVisible": False, "deliveryAddressVisible": False, "offerName": "Launch",
                   "offerDescription": "first month", **QUOTED},
          "interactive", "interactive", "form", max_content="50% off",
          max_block={"text": "50% off", "flowToken": "flow-7f3c2a", "formType": "registration_offer",
                     "buttonLabel": "Join", "flowId": "123", "flowMessageVersion": "3", "messageVersion": 1,
                     "fields": {"fullName": True, "phoneNumber": False, "email": True, "cpfOrCnpj": False,
                                "deliveryAddress": False},
                     "offer": {"name": "Launch", "description": "first month"}}),
    Route("pix", {"number": "{GROUP}", "merchantName": "Acme Ltda", "pixKey": "pix@acme.test", "pixKeyType": "EMAIL",
                  "message": "Order #1", "items": [{"name": "Shirt", "description": "M", "quantity": 2,
                                                    "unitPrice": 49.9},
                                                   {"name": "Cap", "quantity": 1, "unitPrice": 30}], **QUOTED},
          "pix", "pix", "pix", max_content="Order #1",
          max_block={"merchantName": "Acme Ltda", "key": "pix@acme.test", "keyType": "EMAIL", "items": [
              {"name": "Shirt", "description": "M", "quantity": 2, "unitPrice": 49.9},
              {"name": "Cap", "quantity": 1, "unitPrice": 30}], "total": 129.8}),
    Route("status", {"type": "text", "message": "Open on the holiday!", "backgroundColor": "#1E90FFCC",
                     "font": "serif", "source": "crm"},
          "text", "text", "story", numbered=False, delayed=False, max_chat="broadcast",
          max_content="Open on the holiday!", max_block={"backgroundColor": "#1E90FFCC", "font": "serif"}),
    Route("event", {"number": "{GROUP}", **EVENT_MAXIMAL, **QUOTED},
          "event", "event", "event", max_content="Store opening", max_block=EVENT_MAXIMAL),
]}
KINDS = list(ROUTES)
NUMBERED = [k for k in KINDS if ROUTES[k].numbered]
DELAYED = [k for k in KINDS if ROUTES[k].delayed]


# --- helpers ----------------------------------------------------------------------------------
@dataclass
class Sales:
    ryze: MockRyze
    api: CheckedClient
    token: str
    group: str
    quote: str  # an incoming group message from ALICE (replyTo / reaction target)
    ours: str  # one of our own messages to ALICE
    placeholders: dict[str, str] = field(default_factory=dict)

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.placeholders.get(value, value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    def post(self, route: Route, body: Doc | None = None, *, token: str | None = None,
             **kwargs: Any) -> httpx.Response:
        """Send; a body with ``delay`` answers once the virtual clock has moved that far."""
        if body is not None:
            kwargs["json"] = self.fill(body)
        delay = (body or {}).get("delay") or 0
        if not (route.delayed and delay):
            return self.api.post(route.path, token=token, **kwargs)
        box: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: box.update(r=self.api.post(route.path, token=token, **kwargs)))
        thread.start()
        for _ in range(100):  # keep moving the clock until the delayed answer comes
            thread.join(0.05)
            if not thread.is_alive():
                break
            self.ryze.advance(delay)
        thread.join(5)
        assert "r" in box, "the delayed send never answered"
        response: httpx.Response = box["r"]
        return response

    def store(self) -> list[Doc]:
        response = self.api.get(MESSAGES)
        assert response.status_code == 200, response.text
        found: list[Doc] = response.json()["messages"]
        return found

    def events(self) -> list[Doc]:
        return self.ryze.events("sales")


@pytest.fixture
def sales(ryze: MockRyze, api: CheckedClient) -> Sales:
    created = ryze.create_instance("sales", connected=True)
    group = ryze.create_group("sales", "Team", [ALICE, BOB])
    quote = ryze.inbound("sales", from_=ALICE, type="text", text="Oi, time", group=group)
    assert quote is not None
    ours = api.post("/api/message/text/sales", json={"number": ALICE, "message": "Olá Alice"})
    assert ours.status_code == 200, ours.text
    state = Sales(ryze, api, created.token, group, quote["id"], ours.json()["data"]["messageId"])
    state.placeholders = {"{GROUP}": group, "{QUOTE}": state.quote, "{OURS}": state.ours}
    return state


def exchange_of(sales: Sales, message_id: str) -> Doc:
    found = [e for e in sales.events() if e["event"] == "message.exchange" and e["data"]["id"] == message_id]
    assert len(found) == 1, f"expected one message.exchange for {message_id}, got {len(found)}"
    schemas.validate_event(found[0])
    return found[0]


def inner(envelope: Doc) -> Doc:
    message: Doc = envelope["data"]["message"]
    return message


def chat_of(envelope: Doc) -> Doc:
    data = envelope["data"]
    chat: Doc = data["chat"] if "chat" in data else data["message"]["chat"]
    return chat


def content_of(envelope: Doc, profile: str) -> str:
    message = inner(envelope)
    if profile == "live":
        return str(message["content"])
    return str(message.get("content", {}).get("text", ""))


def check_sent(sales: Sales, profile: str, route: Route, response: httpx.Response, *, event_type: str,
               response_type: str, chat_type: str, content: str | None, source: str, message: str,
               block: str | None) -> Doc:
    """What every successful send shows: response, store, Python API, event (in the profile's layout)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["success"], body["status"], body["message"]) == (True, "sent", message)
    data = body["data"]
    assert data["direction"] == "outgoing" and data["messageType"] == response_type
    assert data["source"] == source
    if content is not None and route.kind != "sticker":
        assert data["content"] == content
    # the store, through the control plane and the Python API
    [stored] = [m for m in sales.store() if m["id"] == data["messageId"]]
    assert stored["direction"] == "outgoing" and stored["type"] == event_type and stored["chatType"] == chat_type
    assert stored["chat"] == data["chat"]["jid"] and stored["source"] == source
    assert data["messageId"] in [m["id"] for m in sales.ryze.sent("sales")]
    # the outgoing message.exchange
    event = exchange_of(sales, data["messageId"])
    assert ("direction" in event["data"]) is (profile == "live")
    message_body = inner(event)
    assert message_body["type"] == event_type
    assert (event["data"].get("direction") or message_body["direction"]) == "outgoing"
    assert message_body["source"] == source
    assert chat_of(event)["type"] == chat_type and chat_of(event)["jid"] == data["chat"]["jid"]
    if content is not None and profile == "live":
        assert message_body["content"] == content
    if block:
        assert block in message_body, f"no {block} block in {message_body}"
    for status in [e for e in sales.events() if e["event"] == "message.status"]:
        schemas.validate_event(status)
    stored_data: Doc = data
    return stored_data


# --- minimal and maximal sends ------------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", KINDS)
def test_minimal_send(sales: Sales, kind: str, profile: str) -> None:
    route = ROUTES[kind]
    response = sales.post(route, route.minimal, token=sales.token)  # the instance token
    chat_type = "broadcast" if not route.numbered else "private"
    data = check_sent(sales, profile, route, response, event_type=route.event_type,
                      response_type=route.response_type, chat_type=chat_type, content=None, source="api",
                      message=literals.MESSAGE_SENT, block=route.block if route.numbered else None)
    assert data["chat"]["jid"] == (BROADCAST if not route.numbered else ALICE_JID)
    assert "replyTo" not in data or kind == "reaction"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", KINDS)
def test_maximal_send(sales: Sales, kind: str, profile: str) -> None:
    route = ROUTES[kind]
    response = sales.post(route, route.maximal)  # the account token
    data = check_sent(sales, profile, route, response, event_type=route.max_event_type or route.event_type,
                      response_type=route.max_response_type or route.response_type, chat_type=route.max_chat,
                      content=route.max_content, source="crm", message=route.max_message, block=route.block)
    event = exchange_of(sales, data["messageId"])
    if route.max_block is not None:
        assert inner(event)[route.block or ""] == route.max_block
    if route.delayed or kind == "contact":  # quoted (reaction and status take no replyTo)
        assert data["replyTo"] == sales.quote
        assert inner(event)["context"] == {"message_id": sales.quote, "text": "Oi, time"}
    if route.max_chat == "private":  # replyPrivate: the author of the quoted group message
        assert data["chat"] == {"jid": ALICE_JID}


def test_text_maximal_mentions(sales: Sales) -> None:
    data = sales.post(ROUTES["text"], ROUTES["text"].maximal).json()["data"]
    assert data["mentions"] == [ALICE] and data["chat"]["groupName"] == "Team"
    assert exchange_of(sales, data["messageId"])["data"]["mentions"] == {"mentionedUsers": [ALICE_JID]}


def test_media_maximal_is_a_plain_audio_with_everyone_mentioned(sales: Sales) -> None:
    data = sales.post(ROUTES["media"], ROUTES["media"].maximal).json()["data"]
    assert data["mediaDuration"] == 7 and data["mediaSize"] == 12 and data["mediaMimeType"] == "audio/ogg; codecs=opus"
    media = inner(exchange_of(sales, data["messageId"]))["media"]
    assert media["type"] == "audio" and media["isVoiceNote"] is False and "caption" not in media
    assert len(data["mentions"]) == 2


@pytest.mark.parametrize(("media_type", "mime_type"), [
    ("image", "image/jpeg"), ("video", "video/mp4"), ("audio", "audio/ogg; codecs=opus"),
    ("document", "application/octet-stream"),  # a file the sender does not describe is opaque bytes
])
def test_media_without_a_mime_type_gets_the_default_of_its_type(sales: Sales, media_type: str,
                                                                 mime_type: str) -> None:
    body = {"number": ALICE, "mediaType": media_type, "mediaUrl": "https://cdn.example.org/f", "fileName": "f.pdf"}
    data = sales.post(ROUTES["media"], body).json()["data"]
    assert data["mediaMimeType"] == mime_type
    assert inner(exchange_of(sales, data["messageId"]))["media"]["mimeType"] == mime_type


@pytest.mark.parametrize("profile", PROFILES)
def test_sticker_response_and_media(sales: Sales, profile: str) -> None:
    data = sales.post(ROUTES["sticker"], ROUTES["sticker"].minimal).json()["data"]
    assert "content" not in data and data["mediaMimeType"] == "image/webp"
    media = inner(exchange_of(sales, data["messageId"]))["media"]
    mime_key = "mimeType" if profile == "live" else "mimetype"
    assert media["type"] == "sticker" and media[mime_key] == "image/webp"


@pytest.mark.parametrize("profile", PROFILES)
def test_carousel_cards_carry_their_header_media(sales: Sales, profile: str) -> None:
    data = sales.post(ROUTES["carousel"], ROUTES["carousel"].maximal).json()["data"]
    carousel = inner(exchange_of(sales, data["messageId"]))["carousel"]
    assert carousel["text"] == "Choose a plan" and carousel["footer"] == "Cancel anytime"
    mime_key = "mimeType" if profile == "live" else "mimetype"
    first, second = carousel["cards"]
    assert first["header"]["media"]["type"] == "image" and first["header"]["media"][mime_key] == "image/jpeg"
    assert second["header"]["media"]["type"] == "video" and second["header"]["media"][mime_key] == "video/mp4"
    assert [b["type"] for b in first["buttons"]] == ["REPLY", "URL", "CALL"]
    assert first["buttons"][0] == {"type": "REPLY", "id": "basic", "title": "Want"}
    assert second["buttons"] == [{"type": "COPY", "id": "PRO10", "title": "Coupon"}]


def test_minimal_carousel_content_and_default_button_type(sales: Sales) -> None:
    body = {"number": ALICE, "cards": [{"header": {"title": "A"}, "body": {"text": "a"},
                                        "buttons": [{"displayText": "Go", "id": "go"}]}]}
    data = sales.post(ROUTES["carousel"], body).json()["data"]
    assert data["content"] == "Carousel with 1 card(s)"
    card = inner(exchange_of(sales, data["messageId"]))["carousel"]["cards"][0]
    assert card["buttons"] == [{"type": "REPLY", "id": "go", "title": "Go"}] and "media" not in card["header"]


def test_button_media_header_drops_the_header_text(sales: Sales) -> None:
    body = {"number": ALICE, "contentText": "Hi", "headerText": "dropped", "mediaUrl": "https://f.example.org/a.pdf",
            "mediaType": "DOCUMENT", "buttons": [{"id": "a", "displayText": "A"}]}
    data = sales.post(ROUTES["button"], body).json()["data"]
    message = inner(exchange_of(sales, data["messageId"]))
    assert "header" not in message["buttons"] and message["media"]["type"] == "document"
    assert message["buttons"]["buttons"] == [{"type": "REPLY", "id": "a", "title": "A"}]


def test_form_defaults_and_raw_button_params(sales: Sales) -> None:
    minimal = sales.post(ROUTES["form"], ROUTES["form"].minimal).json()["data"]
    form = inner(exchange_of(sales, minimal["messageId"]))["form"]
    assert minimal["flowToken"].startswith("flow-") and form["flowToken"] == minimal["flowToken"]
    assert form["fields"] == dict.fromkeys(("fullName", "phoneNumber", "email", "cpfOrCnpj", "deliveryAddress"), True)
    raw = {"number": ALICE, "message": "Custom", "formType": "contact_details", "flowId": "ignored",
           "emailVisible": False, "buttonParamsJSON": '{"flow_id": "998877"}'}
    data = sales.post(ROUTES["form"], raw).json()["data"]
    form = inner(exchange_of(sales, data["messageId"]))["form"]
    assert form == {"text": "Custom", "flowToken": data["flowToken"], "buttonParams": {"flow_id": "998877"}}


def test_contact_cards_and_replies(sales: Sales) -> None:
    data = sales.post(ROUTES["contact"], ROUTES["contact"].maximal).json()["data"]
    assert data["vcard"] == ROUTES["contact"].maximal["vcard"]
    assert data["chat"]["jid"] == sales.group  # replyPrivate is documented but not read by this route
    message = inner(exchange_of(sales, data["messageId"]))
    ana, bruno = message["contacts"]
    assert message["contact"] == ana
    assert (ana["display_name"], ana["phone_number"], bruno["phone_number"]) == ("Ana Souza", "5511955550000",
                                                                                 "5521977776666")
    for line in ("FN:Ana Souza", "waid=5511955550000", "ORG:Acme", "EMAIL:ana@acme.test", "URL:https://acme.test"):
        assert line in ana["vcard"]
    single = sales.post(ROUTES["contact"], ROUTES["contact"].minimal).json()
    assert single["message"] == literals.MESSAGE_SENT and len(single["data"]["vcard"]) == 1
    assert "contacts" not in inner(exchange_of(sales, single["data"]["messageId"]))


@pytest.mark.parametrize(("max_answer", "selectable"), [(None, 1), (0, 1), (-3, 1), (2, 2), (3, 3), (50, 3)])
def test_poll_max_answer_is_normalised(sales: Sales, max_answer: int | None, selectable: int) -> None:
    body: Doc = {"number": ALICE, "question": "Q?", "options": ["a", "b", "c"]}
    if max_answer is not None:
        body["maxAnswer"] = max_answer
    data = sales.post(ROUTES["poll"], body).json()["data"]
    assert inner(exchange_of(sales, data["messageId"]))["poll"]["selectableCount"] == selectable


def test_a_vote_on_our_poll_is_checked_against_its_options(sales: Sales) -> None:
    poll_id = sales.post(ROUTES["poll"], ROUTES["poll"].maximal).json()["data"]["messageId"]
    vote = sales.ryze.inbound("sales", from_=BOB, type="poll_vote", pollMessageId=poll_id, options=["9am", "4pm"])
    assert vote is not None and vote["type"] == "poll_update"
    assert [o["name"] for o in vote["blocks"]["pollUpdate"]["selectedOptions"]] == ["9am", "4pm"]
    response = sales.api.post("/__mock__/instances/sales/inbound",
                              json={"from": BOB, "type": "poll_vote", "pollMessageId": poll_id, "options": ["noon"]})
    assert response.status_code == 400


def test_pix_without_items_has_no_total(sales: Sales) -> None:
    data = sales.post(ROUTES["pix"], ROUTES["pix"].minimal).json()["data"]
    assert data["content"] == ""
    assert inner(exchange_of(sales, data["messageId"]))["pix"] == {"merchantName": "Acme Ltda", "key": "12345678909",
                                                                   "keyType": "CPF"}


@pytest.mark.parametrize("profile", PROFILES)
def test_minimal_event_block_and_content(sales: Sales, profile: str) -> None:
    data = sales.post(ROUTES["event"], ROUTES["event"].minimal).json()["data"]
    assert (data["messageType"], data["content"], data["chat"]) == ("event", "Store opening", {"jid": ALICE_JID})
    event = exchange_of(sales, data["messageId"])
    assert inner(event)["event"] == {"name": "Store opening", "startAt": "2026-01-10T19:00:00-03:00",
                                     "isScheduleCall": False, "hasReminder": False, "extraGuestsAllowed": False,
                                     "isCanceled": False}
    assert content_of(event, profile) == "Store opening"


def test_event_invitation_to_a_group_by_instance_token_and_to(sales: Sales) -> None:
    body = {"to": sales.group, "name": "Kick-off", "startAt": "2026-02-01T09:00:00Z", "isCanceled": True}
    response = sales.api.post(ROUTES["event"].path, json=body, token=sales.token)
    assert response.status_code == 200 and response.json()["data"]["chat"] == {"jid": sales.group,
                                                                               "groupName": "Team"}
    event = exchange_of(sales, response.json()["data"]["messageId"])
    assert inner(event)["event"]["isCanceled"] is True and chat_of(event)["type"] == "group"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("body", "kind", "media_type"), [
    ({"type": "image", "message": "New!", "mediaUrl": "https://f.example.org/a.jpg"}, "image", "image"),
    ({"type": "video", "mediaUrl": "https://f.example.org/a.mp4", "mimeType": "video/mp4"}, "video", "video"),
    ({"type": "audio", "message": "no caption", "mediaUrl": "https://f.example.org/a.ogg"}, "audio", "ptt"),
    ({"type": "audio", "mediaUrl": "https://f.example.org/a.mp3", "mimeType": "audio/mpeg", "isVoice": False,
      "duration": 12}, "audio", "audio"),
])
def test_media_story(sales: Sales, profile: str, body: Doc, kind: str, media_type: str) -> None:
    response = sales.post(ROUTES["status"], body)
    data = check_sent(sales, profile, ROUTES["status"], response, event_type=kind, response_type=kind,
                      chat_type="broadcast", content=None, source="api", message=literals.MESSAGE_SENT, block=None)
    assert data["chat"] == {"jid": BROADCAST}
    message = inner(exchange_of(sales, data["messageId"]))
    assert message["media"]["type"] == media_type and "story" not in message
    assert data["content"] == ("" if kind == "audio" else body.get("message", ""))


def test_story_ignores_delay_and_gets_no_delivery_receipts(sales: Sales) -> None:
    before = len(sales.events())
    response = sales.api.post(ROUTES["status"].path, json={"type": "text", "message": "now", "delay": 30,
                                                           "number": ALICE, "replyTo": UNKNOWN_ID})
    assert response.status_code == 200, response.text  # no waiting; number and replyTo are not read
    assert response.json()["data"]["chat"] == {"jid": BROADCAST}
    sales.ryze.advance(60)
    story = response.json()["data"]["messageId"]
    statuses = [e["data"] for e in sales.events()[before:]
                if e["event"] == "message.status" and story in e["data"]["messageIds"]]
    assert statuses == []  # no receipts on a story, and no `sent` status after any send
    [stored] = [m for m in sales.ryze.messages("sales") if m["id"] == story]
    assert [s["status"] for s in stored["statuses"]] == ["sent"]


def test_reaction_ignores_delay_and_remove_has_its_literal(sales: Sales) -> None:
    body = {"number": ALICE, "messageId": sales.ours, "reaction": "remove", "fromMe": True, "delay": 30}
    response = sales.api.post(ROUTES["reaction"].path, json=body)
    assert response.status_code == 200 and response.json()["message"] == literals.REACTION_REMOVED
    assert response.json()["data"]["content"] == ""
    assert response.json()["data"]["replyTo"] == {"messageId": sales.ours}


@pytest.mark.parametrize("kind", [k for k in NUMBERED if k not in ("reaction", "pix", "event")])
def test_newsletters_are_accepted(sales: Sales, kind: str) -> None:
    body = {**ROUTES[kind].minimal, "number": NEWSLETTER}
    response = sales.post(ROUTES[kind], body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["chat"] == {"jid": NEWSLETTER}
    schemas.validate_event(exchange_of(sales, response.json()["data"]["messageId"]))


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("text", "media")])
def test_mentions_are_not_read_where_undocumented(sales: Sales, kind: str) -> None:
    body = {**ROUTES[kind].minimal, "mention": [ALICE], "mentionAll": True}
    response = sales.post(ROUTES[kind], body)
    assert response.status_code == 200, response.text
    assert "mentions" not in response.json()["data"]


# --- refusals ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    kind: str
    change: Doc  # fields to set (None = remove the field) on the minimal body
    literal: ErrorLiteral | None  # None: `Invalid request body: <detail>` (400)
    detail: str = ""  # a fragment the detail must contain


def refusal(kind: str, literal: ErrorLiteral | None = None, detail: str = "", **change: Any) -> Refusal:
    return Refusal(kind, change, literal, detail)


CARD = {"header": {"title": "t"}, "body": {"text": "b"}}
BUTTON = {"id": "a", "displayText": "A"}
ROW = {"id": "r", "title": "R"}
REFUSALS: dict[str, Refusal] = {
    # text
    "text-no-message": refusal("text", literals.MESSAGE_REQUIRED, message=None),
    "text-empty-message": refusal("text", literals.MESSAGE_REQUIRED, message=""),
    "text-text-key": refusal("text", literals.MESSAGE_REQUIRED, message=None, text="hi"),
    "text-mention-private": refusal("text", literals.MENTIONS_GROUP_ONLY, mention=[BOB]),
    "text-mention-all-private": refusal("text", literals.MENTIONS_GROUP_ONLY, mentionAll=True),
    "text-link-preview-type": refusal("text", detail="linkPreview", linkPreview="yes"),
    # media
    "media-bad-type": refusal("media", detail="mediaType", mediaType="gif"),
    "media-both-sources": refusal("media", mediaBase64="AAAA"),
    "media-no-source": refusal("media", mediaUrl=None),
    "media-bad-base64": refusal("media", detail="base64", mediaUrl=None, mediaBase64="!!!"),
    "media-mention-private": refusal("media", literals.MENTIONS_GROUP_ONLY, mention=[BOB]),
    # sticker
    "sticker-no-image": refusal("sticker", detail="imageUrl", imageUrl=None),
    "sticker-not-a-url": refusal("sticker", detail="imageUrl", imageUrl="smile.png"),
    "sticker-bad-data-url": refusal("sticker", detail="imageUrl", imageUrl="data:image/png;base64,!!!"),
    "sticker-empty-data-url": refusal("sticker", detail="imageUrl", imageUrl="data:image/png;base64,"),
    # location
    "location-no-latitude": refusal("location", literals.LOCATION_REQUIRED, latitude=None),
    "location-no-longitude": refusal("location", literals.LOCATION_REQUIRED, longitude=None),
    "location-zero-zero": refusal("location", literals.LOCATION_REQUIRED, latitude=0, longitude=0.0),
    "location-latitude-range": refusal("location", detail="latitude", latitude=90.5),
    "location-longitude-range": refusal("location", detail="longitude", longitude=-180.1),
    "location-latitude-string": refusal("location", detail="latitude", latitude="-23.55"),
    # contact
    "contact-no-vcard": refusal("contact", detail="vcard", vcard=None),
    "contact-empty-vcard": refusal("contact", detail="vcard", vcard=[]),
    "contact-no-phone": refusal("contact", detail="vcard", vcard={"fullName": "Ana"}),
    "contact-no-name": refusal("contact", detail="vcard", vcard=[{"phone": "5511955550000"}]),
    "contact-bad-phone": refusal("contact", detail="vcard", vcard=[{"fullName": "Ana", "phone": "55 11 9555"}]),
    # reaction
    "reaction-no-message-id": refusal("reaction", detail="messageId", messageId=None),
    "reaction-unknown-message": refusal("reaction", literals.MESSAGE_NOT_FOUND, messageId=UNKNOWN_ID),
    "reaction-no-reaction": refusal("reaction", detail="reaction", reaction=None),
    "reaction-group-participant": refusal("reaction", literals.PARTICIPANT_REQUIRED, number="{GROUP}",
                                          messageId="{QUOTE}", fromMe=False),
    "reaction-newsletter": refusal("reaction", literals.RECIPIENT_NOT_SUPPORTED, number=NEWSLETTER),
    # poll
    "poll-one-option": refusal("poll", detail="options", options=["a"]),
    "poll-thirteen-options": refusal("poll", detail="options", options=[f"o{i}" for i in range(13)]),
    "poll-duplicate-options": refusal("poll", detail="options", options=["a", "a"]),
    "poll-empty-option": refusal("poll", detail="options", options=["a", ""]),
    "poll-no-question": refusal("poll", detail="question", question=None),
    "poll-empty-question": refusal("poll", detail="question", question=""),
    "poll-max-answer-type": refusal("poll", detail="maxAnswer", maxAnswer="2"),
    # carousel
    "carousel-no-cards": refusal("carousel", detail="cards", cards=[]),
    "carousel-eleven-cards": refusal("carousel", detail="cards", cards=[CARD] * 11),
    "carousel-four-buttons": refusal("carousel", detail="cards", cards=[{**CARD, "buttons": [BUTTON] * 4}]),
    "carousel-image-and-video": refusal("carousel", detail="cards", cards=[{**CARD, "header": {
        "title": "t", "imageUrl": "https://f.example.org/a.jpg", "videoUrl": "https://f.example.org/a.mp4"}}]),
    "carousel-no-title": refusal("carousel", detail="cards", cards=[{**CARD, "header": {"subtitle": "s"}}]),
    "carousel-no-body": refusal("carousel", detail="cards", cards=[{"header": {"title": "t"}}]),
    "carousel-bad-button-type": refusal("carousel", detail="cards",
                                        cards=[{**CARD, "buttons": [{**BUTTON, "type": "reply"}]}]),
    "carousel-button-no-id": refusal("carousel", detail="cards", cards=[{**CARD, "buttons": [{"displayText": "A"}]}]),
    # button
    "button-no-buttons": refusal("button", detail="buttons", buttons=[]),
    "button-four-buttons": refusal("button", detail="buttons", buttons=[BUTTON] * 4),
    "button-no-display-text": refusal("button", detail="buttons", buttons=[{"id": "a"}]),
    "button-bad-type": refusal("button", detail="buttons", buttons=[{**BUTTON, "type": "LINK"}]),
    "button-media-without-type": refusal("button", detail="mediaType", mediaUrl="https://f.example.org/a.jpg"),
    "button-lowercase-media-type": refusal("button", detail="mediaType", mediaUrl="https://f.example.org/a.jpg",
                                           mediaType="image"),
    "button-no-content": refusal("button", detail="contentText", contentText=None),
    # list
    "list-no-sections": refusal("list", detail="sections", sections=[]),
    "list-eleven-sections": refusal("list", detail="sections",
                                    sections=[{"title": f"s{i}", "rows": [{"id": f"r{i}", "title": "R"}]}
                                              for i in range(11)]),
    "list-no-rows": refusal("list", detail="sections", sections=[{"title": "s", "rows": []}]),
    "list-eleven-rows": refusal("list", detail="sections", sections=[{"title": "s", "rows": [
        {"id": f"r{i}", "title": "R"} for i in range(11)]}]),
    "list-no-section-title": refusal("list", detail="sections", sections=[{"rows": [ROW]}]),
    "list-row-without-title": refusal("list", detail="sections", sections=[{"title": "s", "rows": [{"id": "r"}]}]),
    "list-duplicate-row-in-section": refusal("list", detail="duplicate row id 'r'",
                                             sections=[{"title": "s", "rows": [ROW, ROW]}]),
    "list-duplicate-row-across-sections": refusal("list", detail="sections/1/rows/0/id",
                                                  sections=[{"title": "a", "rows": [ROW]},
                                                            {"title": "b", "rows": [ROW]}]),
    "list-no-button-text": refusal("list", detail="buttonText", buttonText=None),
    # form
    "form-no-message": refusal("form", literals.MESSAGE_REQUIRED, message=None),
    "form-empty-message": refusal("form", literals.MESSAGE_REQUIRED, message=""),
    "form-no-form-type": refusal("form", detail="formType", formType=None),
    "form-bad-form-type": refusal("form", detail="formType", formType="survey"),
    "form-params-not-json": refusal("form", detail="buttonParamsJSON", buttonParamsJSON="{flow"),
    "form-params-not-object": refusal("form", detail="buttonParamsJSON", buttonParamsJSON="[1, 2]"),
    "form-message-version-type": refusal("form", detail="messageVersion", messageVersion="1"),
    # pix
    "pix-bad-key-type": refusal("pix", literals.INVALID_PIX_KEY_TYPE, pixKeyType="BOLETO"),
    "pix-lowercase-key-type": refusal("pix", literals.INVALID_PIX_KEY_TYPE, pixKeyType="cpf"),
    "pix-no-key-type": refusal("pix", detail="pixKeyType", pixKeyType=None),
    "pix-short-cpf": refusal("pix", detail="pixKey", pixKey="1234567890"),
    "pix-formatted-cnpj": refusal("pix", detail="pixKey", pixKeyType="CNPJ", pixKey="12.345.678/0001-95"),
    "pix-phone-with-plus": refusal("pix", detail="pixKey", pixKeyType="PHONE", pixKey="+5511987654321"),
    "pix-bad-email": refusal("pix", detail="pixKey", pixKeyType="EMAIL", pixKey="acme.test"),
    "pix-bad-random": refusal("pix", detail="pixKey", pixKeyType="RANDOM", pixKey="not-a-uuid"),
    "pix-no-merchant": refusal("pix", detail="merchantName", merchantName=None),
    "pix-no-key": refusal("pix", detail="pixKey", pixKey=None),
    "pix-item-zero-quantity": refusal("pix", detail="items", items=[{"name": "a", "quantity": 0, "unitPrice": 1}]),
    "pix-item-no-price": refusal("pix", detail="items", items=[{"name": "a", "quantity": 1}]),
    "pix-newsletter": refusal("pix", literals.RECIPIENT_NOT_SUPPORTED, number=NEWSLETTER),
    # event (client-expects)
    "event-no-name": refusal("event", detail="name", name=None),
    "event-empty-name": refusal("event", detail="name", name=""),
    "event-no-start": refusal("event", detail="startAt", startAt=None),
    "event-start-without-zone": refusal("event", detail="startAt", startAt="2026-01-10T19:00:00"),
    "event-start-date-only": refusal("event", detail="startAt", startAt="2026-01-10"),
    "event-start-epoch": refusal("event", detail="startAt", startAt=1767999600),
    "event-end-before-start": refusal("event", detail="endAt: must be later than startAt",
                                      endAt="2026-01-10T18:00:00-03:00"),
    "event-end-equals-start-elsewhere": refusal("event", detail="endAt", endAt="2026-01-10T22:00:00Z"),
    "event-end-without-zone": refusal("event", detail="endAt", endAt="2026-01-10T21:00:00"),
    "event-negative-reminder": refusal("event", detail="reminderOffsetSec", reminderOffsetSec=-1),
    "event-reminder-over-a-year": refusal("event", detail="reminderOffsetSec", reminderOffsetSec=31536001),
    "event-latitude-alone": refusal("event", detail="location", location={"latitude": -23.5}),
    "event-empty-location": refusal("event", detail="location", location={}),
    "event-join-link-not-a-url": refusal("event", detail="joinLink", joinLink="call me"),
    "event-flag-type": refusal("event", detail="isCanceled", isCanceled="no"),
    "event-newsletter": refusal("event", literals.RECIPIENT_NOT_SUPPORTED, number=NEWSLETTER),
    # status
    "status-no-type": refusal("status", detail="type", type=None),
    "status-bad-type": refusal("status", detail="type", type="document"),
    "status-text-no-message": refusal("status", literals.MESSAGE_REQUIRED, message=None),
    "status-text-empty-message": refusal("status", literals.MESSAGE_REQUIRED, message=""),
    "status-image-no-url": refusal("status", detail="mediaUrl", type="image"),
    "status-audio-no-url": refusal("status", detail="mediaUrl", type="audio", message=None),
    "status-short-color": refusal("status", detail="backgroundColor", backgroundColor="#FFF"),
    "status-named-color": refusal("status", detail="backgroundColor", backgroundColor="blue"),
    "status-seven-digit-color": refusal("status", detail="backgroundColor", backgroundColor="#1234567"),
    "status-color-without-hash": refusal("status", detail="backgroundColor", backgroundColor="1E90FF"),
}
# refusals every route with `number` shares
for _kind in NUMBERED:
    REFUSALS[f"{_kind}-no-number"] = refusal(_kind, literals.NUMBER_REQUIRED, number=None)
    REFUSALS[f"{_kind}-empty-number"] = refusal(_kind, literals.NUMBER_REQUIRED, number="")
    REFUSALS[f"{_kind}-bad-number"] = refusal(_kind, literals.INVALID_NUMBER, number="12ab")
    REFUSALS[f"{_kind}-unknown-group"] = refusal(_kind, literals.GROUP_NOT_FOUND, number="120363999999999999@g.us")
    REFUSALS[f"{_kind}-broadcast-number"] = refusal(_kind, literals.RECIPIENT_NOT_SUPPORTED, number=BROADCAST)
    REFUSALS[f"{_kind}-number-type"] = refusal(_kind, detail="number", number=5511987654321)
for _kind in DELAYED:
    REFUSALS[f"{_kind}-unknown-reply"] = refusal(_kind, literals.MESSAGE_NOT_FOUND, replyTo=UNKNOWN_ID)
    REFUSALS[f"{_kind}-delay-over-30"] = refusal(_kind, detail="delay", delay=31)
    REFUSALS[f"{_kind}-negative-delay"] = refusal(_kind, detail="delay", delay=-1)


def body_with(sales: Sales, kind: str, change: Doc) -> Doc:
    body = ROUTES[kind].minimal
    for key, value in change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    filled: Doc = sales.fill(body)
    return filled


def assert_refused(sales: Sales, response: httpx.Response, literal: ErrorLiteral | None, detail: str,
               before: tuple[list[Doc], list[Doc]]) -> None:
    status, message = error_of(response)
    if literal is None:
        assert status == 400 and message.startswith(DETAIL), message
        assert detail in message, message
    else:
        assert (status, message) == literal
    sales.ryze.advance(30)
    assert (sales.store(), sales.events()) == before, "a refused send changed the store or the event record"


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_send(sales: Sales, case: Refusal) -> None:
    sales.ryze.advance(30)  # let the fixture's receipts fire first
    before = (sales.store(), sales.events())
    response = sales.api.post(ROUTES[case.kind].path, json=body_with(sales, case.kind, case.change))
    assert_refused(sales, response, case.literal, case.detail, before)


@pytest.mark.parametrize("kind", KINDS)
def test_refused_when_not_connected(sales: Sales, kind: str) -> None:
    sales.ryze.set_state("sales", "disconnected")
    before = (sales.store(), sales.events())
    response = sales.post(ROUTES[kind], ROUTES[kind].minimal)
    assert_refused(sales, response, literals.NOT_CONNECTED, "", before)


@pytest.mark.parametrize("kind", NUMBERED)
def test_refused_when_not_on_whatsapp(sales: Sales, kind: str) -> None:
    sales.ryze.contact("sales", BOB, on_whatsapp=False)
    sales.ryze.advance(30)
    before = (sales.store(), sales.events())
    response = sales.api.post(ROUTES[kind].path, json=body_with(sales, kind, {"number": BOB}))
    assert_refused(sales, response, literals.NOT_ON_WHATSAPP, "", before)


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_json_is_a_detailed_body_error(sales: Sales, kind: str) -> None:
    sales.ryze.advance(30)
    before = (sales.store(), sales.events())
    response = sales.api.post(ROUTES[kind].path, content=b'{"number": ', headers={"content-type": "application/json"})
    assert_refused(sales, response, None, "malformed JSON", before)


@pytest.mark.parametrize("kind", KINDS)
def test_refused_delayed_send_leaves_nothing_behind(sales: Sales, kind: str) -> None:
    """Checks run before the "typing" wait: an invalid delayed send answers at once."""
    sales.ryze.advance(30)
    before = (sales.store(), sales.events())
    change: Doc = {"delay": 5, "replyTo": UNKNOWN_ID} if ROUTES[kind].delayed else {}
    change.update({"number": "120363999999999999@g.us"} if ROUTES[kind].numbered else {"type": "sticker"})
    response = sales.api.post(ROUTES[kind].path, json=body_with(sales, kind, change))
    assert error_of(response)[0] in (400, 404)
    sales.ryze.advance(30)
    assert (sales.store(), sales.events()) == before


def test_every_route_has_its_schemas_and_examples() -> None:
    for kind, route in ROUTES.items():
        request = schemas.schema(f"messages/{kind}.request")
        assert request["examples"], kind
        for example in request["examples"]:
            schemas.validate(f"messages/{kind}.request", example)
        schemas.validate(f"messages/{kind}.request", route.maximal | {"number": ALICE} if route.numbered
                         else route.maximal)
        assert schemas.schema(f"messages/{kind}.response")["$ref"] == "sent.response.json"


# --- `to`, the documented alias of `number` -----------------------------------------------------
@pytest.mark.parametrize("kind", NUMBERED)
def test_to_is_an_alias_of_number(sales: Sales, kind: str) -> None:
    body = body_with(sales, kind, {"number": None, "to": BOB})
    response = sales.api.post(ROUTES[kind].path, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["chat"]["jid"] == f"{BOB}@s.whatsapp.net"


def test_number_wins_over_to(sales: Sales) -> None:
    response = sales.api.post(ROUTES["text"].path, json={"number": ALICE, "to": BOB, "message": "Oi"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["chat"]["jid"] == ALICE_JID


def test_without_number_or_to_the_literal_is_number_required(sales: Sales) -> None:
    response = sales.api.post(ROUTES["text"].path, json={"message": "Oi"})
    assert error_of(response) == literals.NUMBER_REQUIRED


# --- refusals do not echo the body ----------------------------------------------------------------
def test_a_refusal_does_not_echo_a_large_body(sales: Sales) -> None:
    payload = "A" * 200_000
    body = {"number": ALICE, "mediaType": "image", "mediaUrl": "https://files.example.org/a.jpg",
            "mediaBase64": payload}
    response = sales.api.post(ROUTES["media"].path, json=body)
    status, message = error_of(response)
    assert status == 400 and message.startswith(DETAIL)
    assert len(message) <= len(DETAIL) + 201, len(message)
    assert payload[:300] not in message
    assert 0 < len(response.headers["X-Mockryze-Detail"]) < 10_000
