"""Golden rows of RyzeAPI's messages module (``/api/message/*``), from the reference's messages pages."""

from __future__ import annotations

from typing import Any

from tests.contract.golden import (
    ALICE,
    UNKNOWN_MESSAGE,
    Golden,
    connected,
    created,
    group,
    network_lost,
    not_on_whatsapp,
    on_instance,
    sent_text,
    waiting,
)

GROUP = "120363000000000001@g.us"
NO_GROUP = "120363000000000999@g.us"
SENT = "Message sent successfully"

# One valid body per send route (the number is on WhatsApp, the reaction targets a message we sent).
BODIES: dict[str, dict[str, Any]] = {
    "text": {"number": ALICE, "message": "Hello"},
    "media": {"number": ALICE, "mediaType": "document", "mediaUrl": "https://files.example.org/c.pdf",
              "fileName": "c.pdf"},
    "sticker": {"number": ALICE, "imageUrl": "https://files.example.org/smile.png"},
    "location": {"number": ALICE, "latitude": -23.5505, "longitude": -46.6333},
    "contact": {"number": ALICE, "vcard": {"fullName": "Ana Souza", "phone": "5511955550000"}},
    "reaction": {"number": ALICE, "messageId": "{OURS}", "reaction": "👍", "fromMe": True},
    "poll": {"number": ALICE, "question": "Best time?", "options": ["9am", "2pm"]},
    "carousel": {"number": ALICE, "cards": [{"header": {"title": "Basic"}, "body": {"text": "R$ 29"}}]},
    "button": {"number": ALICE, "contentText": "How can we help?", "buttons": [{"id": "s", "displayText": "S"}]},
    "list": {"number": ALICE, "contentText": "Pick:", "buttonText": "Menu",
             "sections": [{"title": "Delivery", "rows": [{"id": "fast", "title": "Express"}]}]},
    "form": {"number": ALICE, "message": "Where to deliver?", "formType": "contact_details"},
    "pix": {"number": ALICE, "merchantName": "Acme Ltda", "pixKey": "12345678909", "pixKeyType": "CPF"},
    "status": {"type": "text", "message": "Open on the holiday!"},
    "event": {"number": ALICE, "name": "Store opening", "startAt": "2026-01-10T19:00:00-03:00"},
}
NUMBERED = [kind for kind in BODIES if kind != "status"]
CONNECTED = (connected, sent_text)  # every send route's world: connected, one message of ours stored


def send(kind: str) -> str:
    return f"POST /api/message/{kind}/sales"


def body(kind: str, **change: Any) -> dict[str, Any]:
    return {k: v for k, v in {**BODIES[kind], **change}.items() if v is not None}


def recipient_refusals(kind: str) -> list[Golden]:
    """The refusals every send route with a ``number`` shares (messages overview, recipients)."""
    reply_to_unknown = {"messageId": UNKNOWN_MESSAGE} if kind == "reaction" else {"replyTo": UNKNOWN_MESSAGE}
    return [
        Golden("NUMBER_REQUIRED", 400, "Number is required", send(kind), body(kind, number=None), CONNECTED),
        Golden("NUMBER_REQUIRED", 400, "Number is required", send(kind), body(kind, number=""), CONNECTED,
               note="empty"),
        Golden("INVALID_NUMBER", 400, "Invalid number format", send(kind), body(kind, number="55ab"), CONNECTED,
               source="inferred"),
        Golden("NOT_ON_WHATSAPP", 400, "Number not registered on WhatsApp", send(kind),
               body(kind, number="5511900000000"), (*CONNECTED, not_on_whatsapp), source="inferred"),
        Golden("RECIPIENT_NOT_SUPPORTED", 400, "Recipient type not supported by this route", send(kind),
               body(kind, number="status@broadcast"), CONNECTED, source="inferred"),
        Golden("GROUP_NOT_FOUND", 404, "Group not found", send(kind), body(kind, number=NO_GROUP), CONNECTED,
               source="inferred"),
        Golden("MESSAGE_NOT_FOUND", 404, "Message not found", send(kind), body(kind, **reply_to_unknown),
               CONNECTED),
    ]


def shared_rows(kind: str) -> list[Golden]:
    return [
        Golden("MESSAGE_SENT", 200, SENT, send(kind), body(kind), CONNECTED),
        Golden("STATUS_SENT", 200, "sent", send(kind), body(kind), CONNECTED, at="status"),
        # The most common refusal an integrator meets: sending while the instance is not connected.
        Golden("NOT_CONNECTED", 503, "Instance is not connected to WhatsApp", send(kind), body(kind),
               (*CONNECTED, network_lost) if kind == "reaction" else (created,)),
        *on_instance(send(kind), body(kind), CONNECTED),
        *(recipient_refusals(kind) if kind in NUMBERED else []),
    ]


ROWS: list[Golden] = [
    *[row for kind in BODIES for row in shared_rows(kind)],
    Golden("NOT_CONNECTED", 503, "Instance is not connected to WhatsApp", send("text"), body("text"),
           (*CONNECTED, network_lost), note="after losing the network"),
    Golden("NOT_CONNECTED", 503, "Instance is not connected to WhatsApp", send("text"), body("text"),
           (created, waiting), note="waiting for the QR scan", detail="instance is qr"),
    Golden("MESSAGE_REQUIRED", 400, "Message is required", send("text"), body("text", message=""), CONNECTED,
           source="inferred"),
    Golden("MESSAGE_REQUIRED", 400, "Message is required", send("text"), body("text", message=None, text="hi"),
           CONNECTED, source="inferred", note="`text` is not the field"),
    Golden("MESSAGE_REQUIRED", 400, "Message is required", send("form"), body("form", message=""), CONNECTED,
           source="inferred"),
    Golden("MESSAGE_REQUIRED", 400, "Message is required", send("status"), body("status", message=None), CONNECTED,
           source="inferred"),
    Golden("MENTIONS_GROUP_ONLY", 400, "Mentions are only supported in group chats", send("text"),
           body("text", mention=[ALICE]), CONNECTED, source="inferred"),
    Golden("MENTIONS_GROUP_ONLY", 400, "Mentions are only supported in group chats", send("media"),
           body("media", mentionAll=True), CONNECTED, source="inferred"),
    Golden("LOCATION_REQUIRED", 400, "Latitude and longitude are required", send("location"),
           body("location", latitude=0, longitude=0), CONNECTED, source="inferred"),
    Golden("LOCATION_REQUIRED", 400, "Latitude and longitude are required", send("location"),
           body("location", latitude=None), CONNECTED, source="inferred", note="no latitude"),
    Golden("PARTICIPANT_REQUIRED", 400, "Participant is required for group reactions", send("reaction"),
           body("reaction", number=GROUP, fromMe=False), (*CONNECTED, group), source="inferred"),
    Golden("INVALID_PIX_KEY_TYPE", 400, "Invalid pixKeyType: use CPF, CNPJ, EMAIL, PHONE or RANDOM", send("pix"),
           body("pix", pixKeyType="IBAN"), CONNECTED, source="inferred"),
    Golden("REACTION_REMOVED", 200, "Reaction removed successfully", send("reaction"),
           body("reaction", reaction="remove"), CONNECTED),
    Golden("contacts_sent", 200, "2 contacts sent successfully in one message", send("contact"),
           body("contact", vcard=[{"fullName": "Ana", "phone": "5511955550000"},
                                  {"fullName": "Bia", "phone": "5511955550001"}]), CONNECTED),
    Golden("contacts_sent", 200, SENT, send("contact"),
           body("contact", vcard=[{"fullName": "Ana", "phone": "5511955550000"}]), CONNECTED,
           note="a list of one is the plain literal", source="inferred"),
    Golden("invalid_body_detail", 400, "Invalid request body: buttonParamsJSON: must be a JSON object", send("form"),
           body("form", buttonParamsJSON="[1]"), CONNECTED),
    Golden("MESSAGE_SENT", 200, SENT, send("text"), body("text", number=GROUP), (*CONNECTED, group), note="group"),
    Golden("MESSAGE_SENT", 200, SENT, send("text"), body("text", number=GROUP, mention=[ALICE]), (*CONNECTED, group),
           note="group with mentions"),
    Golden("MESSAGE_SENT", 200, SENT, send("media"), body("media", number=GROUP, mentionAll=True),
           (*CONNECTED, group), note="group, everyone mentioned"),
]
