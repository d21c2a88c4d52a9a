"""HTTP face of RyzeAPI's messages module: the 13 ``/api/message/*`` send routes.

Each handler turns its body into a :class:`Draft` (what kind of message, its text, media and
blocks); the shared pipeline in :mod:`mockryze.messages` checks, stores and emits it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from mockryze import catalog, messages
from mockryze.catalog import (
    GROUP_NOT_FOUND,
    INVALID_NUMBER,
    MENTIONS_GROUP_ONLY,
    MESSAGE_NOT_FOUND,
    MESSAGE_REQUIRED,
    NOT_CONNECTED,
    NOT_ON_WHATSAPP,
    NUMBER_REQUIRED,
    RECIPIENT_NOT_SUPPORTED,
)
from mockryze.errors import ApiError
from mockryze.http.instance import ON_INSTANCE
from mockryze.http.routing import Context, Deferred, Endpoint, Result
from mockryze.instance import Instance
from mockryze.messages import Draft, Message

CDN = "https://mmg.whatsapp.net/v/t62.7118-24/"
MIME_BY_MEDIA = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg; codecs=opus",
                 "document": "application/octet-stream"}
REACTION_KINDS = frozenset({"user", "lid", "group"})


def _instance(ctx: Context) -> Instance:
    assert ctx.instance is not None
    return ctx.instance


def common(body: dict[str, Any], type_: str, content: str, **extra: Any) -> Draft:
    """A draft with the optional fields most routes share (delay is handled by :func:`dispatch`)."""
    return Draft(
        type=type_, content=content, number=body.get("number"), reply_to=body.get("replyTo"),
        reply_private=bool(body.get("replyPrivate", False)), mentions=list(body.get("mention") or []),
        mention_all=bool(body.get("mentionAll", False)), source=body.get("source", "api"), **extra,
    )


def dispatch(ctx: Context, draft: Draft, respond: Callable[[Message], dict[str, Any]] | None = None,
             message: str = catalog.MESSAGE_SENT) -> Result:
    """Check now; with ``delay``, answer after that many virtual seconds of "typing"."""
    world, inst = ctx.world, _instance(ctx)
    messages.prepare(world, inst, draft)  # refuse before waiting: nothing is stored or emitted

    def finish() -> tuple[int, dict[str, Any]]:
        sent = messages.send(world, inst, draft)
        data = respond(sent) if respond else messages.sent_data(world, sent)
        return 200, {"success": True, "message": message, "status": catalog.STATUS_SENT, "data": data}

    delay = float(ctx.body.get("delay") or 0)
    return Deferred(delay, finish) if delay > 0 else finish()


# --- media helpers ----------------------------------------------------------------------------
def media_block(world_ids: Any, media_type: str, body: dict[str, Any], *, voice: bool = False) -> dict[str, Any]:
    """What WhatsApp keeps of an uploaded file: a CDN URL, its MIME type, size and the bytes."""
    raw = _media_bytes(body)
    block: dict[str, Any] = {
        "type": "ptt" if voice else media_type,
        "url": f"{CDN}{world_ids.digits(8)}_{world_ids.digits(6)}.enc",
        "mimeType": body.get("mimeType") or MIME_BY_MEDIA.get(media_type, "application/octet-stream"),
        "base64": base64.b64encode(raw).decode("ascii"),
        "isVoiceNote": voice,
    }
    if body.get("fileName") and media_type == "document":
        block["fileName"] = body["fileName"]
    if body.get("message") and media_type in ("image", "video", "document"):
        block["caption"] = body["message"]
    if media_type in ("audio", "video") and body.get("duration") is not None:
        block["duration"] = body["duration"]
    return block


def _media_bytes(body: dict[str, Any]) -> bytes:
    """The file's bytes: decoded base64, or a stand-in derived from the URL (the mock never downloads)."""
    encoded = body.get("mediaBase64")
    if encoded is None and str(body.get("mediaUrl", "")).startswith("data:"):
        encoded = str(body["mediaUrl"]).partition(",")[2]
    if encoded is not None:
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(catalog.invalid_body_detail("mediaBase64 is not valid base64")) from None
    return hashlib.sha256(str(body.get("mediaUrl", "")).encode()).digest()


# --- handlers ---------------------------------------------------------------------------------
def send_text(ctx: Context) -> Result:
    body = ctx.body
    return dispatch(ctx, common(body, "text", body["message"]))


def send_media(ctx: Context) -> Result:
    body = ctx.body
    media_type = body["mediaType"]
    voice = media_type == "audio" and bool(body.get("isVoice", True))
    media = media_block(ctx.world.ids, media_type, body, voice=voice)
    draft = common(body, media_type, body.get("message", "") if media_type != "audio" else "", media=media)

    def respond(sent: Message) -> dict[str, Any]:
        data = messages.sent_data(ctx.world, sent, media_type)
        data.update({"mediaUrl": media["url"], "mediaMimeType": media["mimeType"],
                     "mediaSize": len(base64.b64decode(media["base64"]))})
        if "duration" in media:
            data["mediaDuration"] = media["duration"]
        return data

    return dispatch(ctx, draft, respond)


def send_reaction(ctx: Context) -> Result:
    body = ctx.body
    inst = _instance(ctx)
    removing = body["reaction"] == "remove"
    emoji = "" if removing else body["reaction"]
    target = messages.find_message(inst, body["messageId"])
    draft = Draft(type="reaction", content=emoji, number=body.get("number"), allowed=REACTION_KINDS,
                  blocks={"reaction": {"text": emoji, "messageId": target.id}}, source=body.get("source", "api"))
    chat = messages.parse_recipient(body["number"]) if body.get("number") else None
    if chat is not None and chat.kind == "group" and not body.get("fromMe", False) and not body.get("participant"):
        raise ApiError(catalog.PARTICIPANT_REQUIRED)

    def respond(sent: Message) -> dict[str, Any]:
        data = messages.sent_data(ctx.world, sent)
        data["replyTo"] = {"messageId": target.id}
        return data

    message = catalog.REACTION_REMOVED if removing else catalog.MESSAGE_SENT
    return dispatch(ctx, draft, respond, message)


# --- the route table --------------------------------------------------------------------------
SEND_ERRORS = (*ON_INSTANCE, NUMBER_REQUIRED, INVALID_NUMBER, NOT_ON_WHATSAPP, RECIPIENT_NOT_SUPPORTED,
               GROUP_NOT_FOUND, MESSAGE_NOT_FOUND, NOT_CONNECTED)
P = "/api/message"


def send_route(kind: str, handler: Callable[[Context], Result], summary: str,
               errors: tuple[catalog.ErrorLiteral, ...] = ()) -> Endpoint:
    return Endpoint(
        "POST", f"{P}/{kind}/:instance", handler, summary, request_schema=f"messages/{kind}.request",
        responses={200: f"messages/{kind}.response"}, errors=(*SEND_ERRORS, *errors), tag="messages",
        detailed_body_errors=True,
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    send_route("text", send_text, "Send a text message", (MESSAGE_REQUIRED, MENTIONS_GROUP_ONLY)),
    send_route("media", send_media, "Send an image, video, audio or document", (MENTIONS_GROUP_ONLY,)),
    send_route("reaction", send_reaction, "React to a message (or remove the reaction)",
               (catalog.PARTICIPANT_REQUIRED,)),
)
