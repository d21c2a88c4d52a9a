"""HTTP face of RyzeAPI's messages module: the 13 documented ``/api/message/*`` send routes, and the
``event`` route real clients use (client-expects).

Each handler turns its body into a :class:`Draft` (what kind of message, its text, media and
blocks); the shared pipeline in :mod:`mockryze.messages.pipeline` checks, stores and emits it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import (
    GROUP_NOT_FOUND,
    INVALID_NUMBER,
    INVALID_PIX_KEY_TYPE,
    LOCATION_REQUIRED,
    MENTIONS_GROUP_ONLY,
    MESSAGE_NOT_FOUND,
    MESSAGE_REQUIRED,
    NOT_CONNECTED,
    NOT_ON_WHATSAPP,
    NUMBER_REQUIRED,
    RECIPIENT_NOT_SUPPORTED,
)
from mockryze.http.routing import Context, Deferred, Endpoint, Result
from mockryze.instance.routes import ON_INSTANCE
from mockryze.messages import pipeline
from mockryze.messages.layouts import sent_data
from mockryze.messages.model import (
    REACTION_KINDS,
    Draft,
    Message,
    find_message,
    media_block,
    parse_recipient,
    poll_message,
    vcard,
)

PIX_KEY_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {  # documented: the key as each type writes it
    "CPF": (re.compile(r"[0-9]{11}"), "11 digits"),
    "CNPJ": (re.compile(r"[0-9]{14}"), "14 digits"),
    "PHONE": (re.compile(r"[1-9][0-9]{7,14}"), "international digits without +"),
    "EMAIL": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an e-mail address"),
    "RANDOM": (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
               "the bank's UUID"),
}


def draft_from_body(body: dict[str, Any], type_: str, content: str, *, with_mentions: bool = False,
                    **extra: Any) -> Draft:
    """A draft with the optional fields most routes share (delay is handled by :func:`send_and_answer`).

    ``mention`` / ``mentionAll`` are read only where documented (text, media: ``with_mentions``).
    """
    return Draft(
        type=type_, content=content, number=body.get("number"), reply_to=body.get("replyTo"),
        reply_private=bool(body.get("replyPrivate", False)),
        mentions=list(body.get("mention") or []) if with_mentions else [],
        mention_all=bool(body.get("mentionAll", False)) and with_mentions, source=body.get("source", "api"),
        **extra,
    )


def send_and_answer(ctx: Context, draft: Draft, respond: Callable[[Message], dict[str, Any]] | None = None,
                    message: str = literals.MESSAGE_SENT, *, delayed: bool = True) -> Result:
    """Check now; with ``delay``, answer after that many virtual seconds of "typing".

    ``delayed=False`` for the routes without ``delay`` (reaction, status): a stray one is ignored.
    """
    world, inst = ctx.world, ctx.target

    def finish() -> tuple[int, dict[str, Any]]:
        sent = pipeline.send(world, inst, draft)  # checks everything first: a refusal stores and emits nothing
        data = respond(sent) if respond else sent_data(world, sent)
        return 200, {"success": True, "message": message, "status": literals.STATUS_SENT, "data": data}

    delay = float(ctx.body.get("delay") or 0) if delayed else 0.0
    if delay <= 0:
        return finish()
    pipeline.prepare(world, inst, draft)  # refuse before waiting, not after
    return Deferred(delay, finish)


# --- media helpers ----------------------------------------------------------------------------
def uploaded_media(ctx: Context, media_type: str, *, voice: bool = False) -> dict[str, Any]:
    """The media block of the file a body names (``mediaBase64`` or ``mediaUrl``, with its description)."""
    body = ctx.body
    content = _media_bytes(body.get("mediaBase64"), str(body.get("mediaUrl", "")))
    return media_block(ctx.world.ids, media_type, content, mime_type=body.get("mimeType"),
                       caption=body.get("message", ""), file_name=body.get("fileName"),
                       duration=body.get("duration"), voice=voice)


def _media_bytes(encoded: str | None, url: str) -> bytes:
    """The file's bytes: decoded base64 (given, or in a data: URL), or a stand-in derived from the URL
    (the mock never downloads)."""
    if encoded is None and url.startswith("data:"):
        encoded = url.partition(",")[2]
    if encoded is not None:
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(literals.invalid_body_detail("mediaBase64 is not valid base64")) from None
        if not raw:
            raise ApiError(literals.invalid_body_detail("the media is empty"))
        return raw
    return hashlib.sha256(url.encode()).digest()


# --- handlers ---------------------------------------------------------------------------------
def send_text(ctx: Context) -> Result:
    body = ctx.body
    return send_and_answer(ctx, draft_from_body(body, "text", body["message"], with_mentions=True))


def send_media(ctx: Context) -> Result:
    body = ctx.body
    media_type = body["mediaType"]
    voice = media_type == "audio" and bool(body.get("isVoice", True))
    media = uploaded_media(ctx, media_type, voice=voice)
    draft = draft_from_body(body, media_type, body.get("message", "") if media_type != "audio" else "",
                            media=media, with_mentions=True)

    def respond(sent: Message) -> dict[str, Any]:
        data = sent_data(ctx.world, sent, media_type)
        data.update({"mediaUrl": media["url"], "mediaMimeType": media["mimeType"],
                     "mediaSize": len(base64.b64decode(media["base64"]))})
        if "duration" in media:
            data["mediaDuration"] = media["duration"]
        return data

    return send_and_answer(ctx, draft, respond)


def send_reaction(ctx: Context) -> Result:
    body = ctx.body
    removing = body["reaction"] == "remove"
    emoji = "" if removing else body["reaction"]
    target = find_message(ctx.target, body["messageId"])
    draft = Draft(type="reaction", content=emoji, number=body.get("number"), allowed=REACTION_KINDS,
                  blocks={"reaction": {"text": emoji, "messageId": target.id}}, source=body.get("source", "api"))
    chat = parse_recipient(body["number"]) if body.get("number") else None
    if chat is not None and chat.kind == "group" and not body.get("fromMe", False) and not body.get("participant"):
        raise ApiError(literals.PARTICIPANT_REQUIRED)

    def respond(sent: Message) -> dict[str, Any]:
        data = sent_data(ctx.world, sent)
        data["replyTo"] = {"messageId": target.id}
        return data

    message = literals.REACTION_REMOVED if removing else literals.MESSAGE_SENT
    return send_and_answer(ctx, draft, respond, message, delayed=False)


# --- sticker, location, contact, poll ---------------------------------------------------------
def send_sticker(ctx: Context) -> Result:
    body = ctx.body
    # a data: URL carries the image inline; the mock converts nothing, the MIME type is WebP
    media = _media_from_url(ctx, "sticker", body["imageUrl"], "imageUrl")
    draft = draft_from_body(body, "sticker", "", media=media)

    def respond(sent: Message) -> dict[str, Any]:
        data = sent_data(ctx.world, sent)
        del data["content"]  # documented: stickers have no caption, no `content`
        data["mediaMimeType"] = media["mimeType"]
        return data

    return send_and_answer(ctx, draft, respond)


def send_location(ctx: Context) -> Result:
    body = ctx.body
    lat, lng = body["latitude"], body["longitude"]
    if lat == 0 and lng == 0:  # documented: (0, 0) is almost always a missing field
        raise ApiError(LOCATION_REQUIRED, "latitude and longitude are both 0")
    block: dict[str, Any] = {"latitude": lat, "longitude": lng}
    block.update({k: body[k] for k in ("name", "address") if body.get(k)})
    lines = [block[k] for k in ("name", "address") if k in block] + [f"Lat: {lat}, Long: {lng}"]
    content = "📍 " + "\n".join(lines)  # documented: `📍 <name>\n<address>\nLat: <lat>, Long: <lng>`
    return send_and_answer(ctx, draft_from_body(body, "location", content, blocks={"location": block}))


def vcard_text(card: dict[str, Any]) -> str:
    """The vCard WhatsApp carries: :func:`vcard` plus the optional ORG, EMAIL and URL lines."""
    text = vcard(card["fullName"], _digits(card["phone"]))
    extra = [f"{key}:{card[field]}" for key, field in (("ORG", "organization"), ("EMAIL", "email"), ("URL", "url"))
             if card.get(field)]
    return text.replace("END:VCARD", "".join(f"{line}\n" for line in extra) + "END:VCARD")


def _digits(phone: str) -> str:
    return phone.lstrip("+")


def send_contact(ctx: Context) -> Result:
    body = ctx.body
    cards = body["vcard"] if isinstance(body["vcard"], list) else [body["vcard"]]  # a bare object: one card
    shown = [{"display_name": c["fullName"], "phone_number": _digits(c["phone"]), "vcard": vcard_text(c)}
             for c in cards]
    blocks: dict[str, Any] = {"contact": shown[0]}
    if len(shown) > 1:  # one ContactsArrayMessage bubble
        blocks["contacts"] = shown
    draft = draft_from_body(body, "contact", ", ".join(c["fullName"] for c in cards), blocks=blocks)
    draft.reply_private = False  # documented: the contact handler does not read replyPrivate

    def respond(sent: Message) -> dict[str, Any]:
        data = sent_data(ctx.world, sent)
        data["vcard"] = [dict(c) for c in cards]
        return data

    message = literals.contacts_sent(len(cards)) if len(cards) > 1 else literals.MESSAGE_SENT
    return send_and_answer(ctx, draft, respond, message)


def send_poll(ctx: Context) -> Result:
    body = ctx.body
    block, content = poll_message(body["question"], body["options"], body.get("maxAnswer"))  # documented clamp
    return send_and_answer(ctx, draft_from_body(body, "poll", content, blocks={"poll": block}))


# --- interactive: carousel, buttons, list, form -------------------------------------------------
def _buttons(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": b.get("type", "REPLY"), "id": b["id"], "title": b["displayText"]} for b in raw]


def _card(ctx: Context, card: dict[str, Any]) -> dict[str, Any]:
    raw_header = card["header"]
    header: dict[str, Any] = {"title": raw_header["title"]}
    if raw_header.get("subtitle"):
        header["subtitle"] = raw_header["subtitle"]
    for key, media_type in (("imageUrl", "image"), ("videoUrl", "video")):
        if raw_header.get(key):
            header["media"] = _media_from_url(ctx, media_type, raw_header[key], key)
    out: dict[str, Any] = {"header": header, "body": {"text": card["body"]["text"]}}
    if card.get("footer"):
        out["footer"] = card["footer"]
    out["buttons"] = _buttons(card.get("buttons", []))
    return out


def _media_from_url(ctx: Context, media_type: str, url: str, field: str) -> dict[str, Any]:
    """The media block of a file named by one URL field (``imageUrl``, a card header, a button's media)."""
    try:
        content = _media_bytes(None, url)
    except ApiError:
        raise ApiError(literals.invalid_body_detail(f"{field}: the data: URL is not valid base64")) from None
    return media_block(ctx.world.ids, media_type, content)


def send_carousel(ctx: Context) -> Result:
    body = ctx.body
    cards = [_card(ctx, c) for c in body["cards"]]
    block: dict[str, Any] = {k: body[k] for k in ("message", "footer") if body.get(k)}
    if "message" in block:
        block["text"] = block.pop("message")
    block["cards"] = cards
    summary = f"Carousel with {len(cards)} card(s)"  # documented: `<message> - Carousel with N card(s)`
    content = f"{body['message']} - {summary}" if body.get("message") else summary
    return send_and_answer(ctx, draft_from_body(body, "interactive", content, blocks={"carousel": block}))


def send_button(ctx: Context) -> Result:
    body = ctx.body
    media = None
    if body.get("mediaUrl"):
        media = _media_from_url(ctx, body["mediaType"].lower(), body["mediaUrl"], "mediaUrl")
    block: dict[str, Any] = {"text": body["contentText"]}
    if body.get("headerText") and media is None:  # documented: the text header is ignored with media
        block["header"] = body["headerText"]
    if body.get("footerText"):
        block["footer"] = body["footerText"]
    block["buttons"] = _buttons(body["buttons"])
    draft = draft_from_body(body, "buttons", body["contentText"], media=media, blocks={"buttons": block})
    return send_and_answer(ctx, draft)


def send_list(ctx: Context) -> Result:
    body = ctx.body
    seen: set[str] = set()
    for s, section in enumerate(body["sections"]):
        for r, row in enumerate(section["rows"]):
            if row["id"] in seen:
                detail = f"sections/{s}/rows/{r}/id: duplicate row id {row['id']!r}"
                raise ApiError(literals.invalid_body_detail(detail))
            seen.add(row["id"])
    block: dict[str, Any] = {"text": body["contentText"], "buttonText": body["buttonText"]}
    block.update({k: body[f"{k}Text"] for k in ("header", "footer") if body.get(f"{k}Text")})
    block["sections"] = [{"title": s["title"], "rows": [{k: row[k] for k in ("id", "title", "description") if k in row}
                                                        for row in s["rows"]]} for s in body["sections"]]
    return send_and_answer(ctx, draft_from_body(body, "list", body["contentText"], blocks={"list": block}))


FORM_FIELDS = ("fullName", "phoneNumber", "email", "cpfOrCnpj", "deliveryAddress")


def send_form(ctx: Context) -> Result:
    body = ctx.body
    flow_token = body.get("flowToken") or f"flow-{ctx.world.ids.hex(12).lower()}"
    block: dict[str, Any] = {"text": body["message"], "flowToken": flow_token}
    if body.get("buttonParamsJSON"):  # documented: the raw params replace every other flow field
        try:
            params = json.loads(body["buttonParamsJSON"])
        except json.JSONDecodeError as exc:
            raise ApiError(literals.invalid_body_detail(f"buttonParamsJSON: not JSON ({exc.msg})")) from None
        if not isinstance(params, dict):
            raise ApiError(literals.invalid_body_detail("buttonParamsJSON: must be a JSON object"))
        block["buttonParams"] = params
    else:
        block["formType"] = body["formType"]
        block.update({k: body[k] for k in ("buttonLabel", "flowId", "flowMessageVersion", "messageVersion")
                      if k in body})
        block["fields"] = {f: bool(body.get(f"{f}Visible", True)) for f in FORM_FIELDS}  # inferred default: shown
        if body["formType"] == "registration_offer":
            offer = {k: body[f"offer{k.title()}"] for k in ("name", "description") if body.get(f"offer{k.title()}")}
            if offer:
                block["offer"] = offer
    draft = draft_from_body(body, "interactive", body["message"], blocks={"form": block})

    def respond(sent: Message) -> dict[str, Any]:
        data = sent_data(ctx.world, sent)
        data["flowToken"] = flow_token
        return data

    return send_and_answer(ctx, draft, respond)


# --- pix, status ------------------------------------------------------------------------------
def send_pix(ctx: Context) -> Result:
    body = ctx.body
    pattern, shape = PIX_KEY_FORMATS[body["pixKeyType"]]
    if not pattern.fullmatch(body["pixKey"]):
        raise ApiError(literals.invalid_body_detail(f"pixKey: a {body['pixKeyType']} key is {shape}"))
    block: dict[str, Any] = {"merchantName": body["merchantName"], "key": body["pixKey"],
                             "keyType": body["pixKeyType"]}
    items = body.get("items") or []
    if items:
        block["items"] = [{k: item[k] for k in ("name", "description", "quantity", "unitPrice") if k in item}
                          for item in items]
        block["total"] = round(sum(item["quantity"] * item["unitPrice"] for item in items), 2)
    draft = draft_from_body(body, "pix", body.get("message", ""), blocks={"pix": block}, allowed=REACTION_KINDS)
    return send_and_answer(ctx, draft)


def send_status(ctx: Context) -> Result:
    body = ctx.body
    kind = body["type"]
    media = None
    blocks: dict[str, Any] = {}
    content = body.get("message", "")
    if kind == "text":
        style = {k: body[k] for k in ("backgroundColor", "font") if body.get(k)}
        if style:
            blocks["story"] = style
    else:
        voice = kind == "audio" and bool(body.get("isVoice", True))
        try:
            media = uploaded_media(ctx, kind, voice=voice)
        except ApiError:
            raise ApiError(literals.invalid_body_detail("mediaUrl: the data: URL is not valid base64")) from None
        if kind == "audio":
            content = ""  # audio has no caption
    draft = Draft(type=kind, content=content, number=None, media=media, blocks=blocks,
                  source=body.get("source", "api"), chat_override=jid.STATUS_BROADCAST)
    return send_and_answer(ctx, draft, delayed=False)


# --- event (client-expects) -------------------------------------------------------------------
EVENT_FLAGS = ("isScheduleCall", "hasReminder", "extraGuestsAllowed", "isCanceled")  # always shown, default false
EVENT_OPTIONAL = ("endAt", "description", "location", "joinLink", "reminderOffsetSec")


def send_event(ctx: Context) -> Result:
    """A WhatsApp event invitation: the fields as the client sends them, in an ``event`` block."""
    body = ctx.body
    if "endAt" in body and _instant(body["endAt"]) <= _instant(body["startAt"]):
        raise ApiError(literals.invalid_body_detail("endAt: must be later than startAt"))
    block: dict[str, Any] = {"name": body["name"], "startAt": body["startAt"]}
    block.update({k: body[k] for k in EVENT_OPTIONAL if k in body})
    block.update({k: bool(body.get(k, False)) for k in EVENT_FLAGS})
    draft = draft_from_body(body, "event", body["name"], blocks={"event": block}, allowed=REACTION_KINDS)
    return send_and_answer(ctx, draft)


def _instant(stamp: str) -> datetime:
    """An ISO-8601 time with a zone (the schema checked the form) as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# --- the route table --------------------------------------------------------------------------
SEND_ERRORS = (*ON_INSTANCE, NUMBER_REQUIRED, INVALID_NUMBER, NOT_ON_WHATSAPP, RECIPIENT_NOT_SUPPORTED,
               GROUP_NOT_FOUND, MESSAGE_NOT_FOUND, NOT_CONNECTED, literals.ADMINS_ONLY_SEND)
SEND_PATH = "/api/message"


def send_route(kind: str, handler: Callable[[Context], Result], summary: str,
               errors: tuple[literals.ErrorLiteral, ...] = (),
               base: tuple[literals.ErrorLiteral, ...] = SEND_ERRORS) -> Endpoint:
    return Endpoint(
        "POST", f"{SEND_PATH}/{kind}/:instance", handler, summary, request_schema=f"messages/{kind}.request",
        responses={200: f"messages/{kind}.response"}, errors=(*base, *errors),
        detailed_body_errors=True, body_aliases=(("to", "number"),) if kind != "status" else (),
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    send_route("text", send_text, "Send a text message", (MESSAGE_REQUIRED, MENTIONS_GROUP_ONLY,
                                                          literals.MENTION_NOT_PARTICIPANT)),
    send_route("media", send_media, "Send an image, video, audio or document",
               (MENTIONS_GROUP_ONLY, literals.MENTION_NOT_PARTICIPANT)),
    send_route("sticker", send_sticker, "Send a sticker (image converted to WebP)"),
    send_route("location", send_location, "Send a location pin", (LOCATION_REQUIRED,)),
    send_route("contact", send_contact, "Send one or several contacts (vCard)"),
    send_route("reaction", send_reaction, "React to a message (or remove the reaction)",
               (literals.PARTICIPANT_REQUIRED,)),
    send_route("poll", send_poll, "Send a poll"),
    send_route("carousel", send_carousel, "Send a card carousel"),
    send_route("button", send_button, "Send interactive buttons"),
    send_route("list", send_list, "Send a list menu"),
    send_route("form", send_form, "Send a form (WhatsApp Native Flow)", (MESSAGE_REQUIRED,)),
    send_route("pix", send_pix, "Send a PIX key card", (INVALID_PIX_KEY_TYPE,)),
    send_route("status", send_status, "Publish a status (story) to status@broadcast", (MESSAGE_REQUIRED,),
               base=(*ON_INSTANCE, NOT_CONNECTED)),
    send_route("event", send_event, "Send a WhatsApp event invitation (client-expects: not in the vendor docs)"),
)
