"""What the messages module shows: the ``message.exchange`` payload in the ``live`` layout (as
observed on the live service) and the ``docs`` layout (the vendor's event catalog), the
``message.status`` payload, and the ``data`` a send route answers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mockryze.core import jid, quirks, schemas
from mockryze.core.world import World
from mockryze.instance.model import Instance
from mockryze.messages.model import Message, Party


# --- events -----------------------------------------------------------------------------------
def emit_exchange(world: World, inst: Instance, message: Message) -> None:
    shown = inst.account.quirks
    build = exchange_live if shown.message_layout == "live" else exchange_docs
    data = build(world, message)
    if message.context is not None and shown.reply_field == quirks.ON:  # what clients read a quote from
        data["reply"] = {"message_id": message.context["message_id"], "text": message.context["text"]}
    world.emit(inst, "message.exchange", data)


def emit_status(world: World, inst: Instance, message: Message, status: str, recipient: str | None = None) -> None:
    data: dict[str, Any] = {
        "timestamp": world.iso(), "status": status, "messageIds": [message.id],
        "chat": {"jid": message.chat.jid, "type": message.chat.type},
        "recipient": recipient or _receipt_recipient(inst, message, status),
    }
    if message.chat.type == "group":
        data["messageSender"] = message.sender.jid
    world.emit(inst, "message.status", data)


def _receipt_recipient(inst: Instance, message: Message, status: str) -> str:
    """Whose phone the receipt is about: the peer, a group member, or ourselves (``*_self``)."""
    if status.endswith("_self") or status == "sender" or message.direction == "incoming":
        return inst.number or ""
    if message.chat.type == "group":
        members = inst.groups[message.chat.jid].participants if message.chat.jid in inst.groups else []
        first = next((m for m in members if m != inst.jid), None)
        return jid.parse(first).user if first else inst.number or ""
    if message.chat.type == "private":  # phone digits; a LID's own digits when the number is hidden
        return jid.parse(message.chat.jid).user
    return inst.number or ""  # channels and status: no peer device, the server acknowledges to us


def _party(party: Party, *, chat: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"jid": party.jid}
    if party.lid and party.type != "group":
        out["lid"] = party.lid
    out["name"] = party.name
    if chat:
        out["type"] = party.type  # private | group | newsletter | broadcast (stories, status@broadcast)
    return out


def _media(media: dict[str, Any] | None, mime_key: str) -> dict[str, Any] | None:
    """A media block with its MIME type under ``mime_key`` (``mimeType`` live, ``mimetype`` docs)."""
    if media is None:
        return None
    return {(mime_key if k == "mimeType" else k): v for k, v in media.items()}


def _docs_blocks(value: Any) -> Any:
    """Blocks in the docs layout: a nested ``media`` (carousel card headers) takes the ``mimetype`` key."""
    if isinstance(value, list):
        return [_docs_blocks(v) for v in value]
    if isinstance(value, dict):
        return {k: _media(v, "mimetype") if k == "media" and isinstance(v, dict) else _docs_blocks(v)
                for k, v in value.items()}
    return value


def exchange_live(world: World, message: Message) -> dict[str, Any]:
    """The layout observed on the live service."""
    body: dict[str, Any] = {
        "type": message.type, "content": message.content,
        "source": message.source if message.direction == "outgoing" else "",
        "isForwarded": message.is_forwarded, "isEdit": message.edit is not None, "edit": message.edit,
        "context": message.context, "media": _media(message.media, "mimeType"),
        "reaction": message.blocks.get("reaction"),
    }
    body.update({k: v for k, v in message.blocks.items() if k != "reaction"})
    data: dict[str, Any] = {
        "id": message.id, "direction": message.direction, "timestamp": world.iso(message.timestamp),
        "chat": _party(message.chat, chat=True), "sender": _party(message.sender),
        "recipient": _party(message.recipient) if message.recipient else None,
    }
    if message.mentions and message.chat.type == "group":
        data["mentions"] = {"mentionedUsers": list(message.mentions)}
    data["message"] = body
    return data


def exchange_docs(world: World, message: Message) -> dict[str, Any]:
    """The layout of the vendor's documented event catalog, behind the ``docs`` profile."""
    body: dict[str, Any] = {
        "id": message.id, "type": message.type, "direction": message.direction,
        "timestamp": world.iso(message.timestamp), "chat": _party(message.chat, chat=True),
        "sender": _party(message.sender),
    }
    text = _docs_text(message)
    if _docs_content(message.type) == "required" or (text and _docs_content(message.type) == "optional"):
        body["content"] = {"text": text}
    if message.media is not None:
        body["media"] = _media(message.media, "mimetype")
    if message.edit is not None:
        body["edit"] = message.edit
    if message.context is not None:
        body["context"] = message.context
    if message.mentions and message.chat.type == "group":
        body["mentions"] = {"mentionedUsers": list(message.mentions)}
    if message.direction == "outgoing":
        body["source"] = message.source
    body.update(_docs_blocks(message.blocks))
    return {"id": message.id, "message": body}


@cache
def _docs_content(message_type: str) -> str:
    """``required``, ``optional`` or ``forbidden``: what the catalog layout's variant says of ``content``."""
    variant = schemas.schema("events/message.exchange.docs")["$defs"].get(f"variant.{message_type}", {})
    if variant.get("properties", {}).get("content") is False:
        return "forbidden"
    return "required" if "content" in variant.get("required", []) else "optional"


def _docs_text(message: Message) -> str:
    """Taps carry the clicked id as their text in the catalog layout (documented)."""
    interactive = message.blocks.get("interactive") or {}
    if message.type == "buttons_response":
        return str(interactive.get("selectedButtonId", ""))
    if message.type == "list_response":
        return str(interactive.get("selectedReply", {}).get("selectedRowID", ""))
    return message.content


# --- what a send route answers ----------------------------------------------------------------
def sent_data(world: World, message: Message, message_type: str | None = None) -> dict[str, Any]:
    chat: dict[str, Any] = {"jid": message.chat.jid}
    if message.chat.type == "group":
        chat["groupName"] = message.chat.name
    data: dict[str, Any] = {
        "messageId": message.id, "direction": "outgoing", "messageType": message_type or message.type,
        "content": message.content, "timestamp": world.iso(message.timestamp), "chat": chat,
        "sender": {"jid": message.sender.jid}, "source": message.source,
    }
    if message.mentions:
        data["mentions"] = [jid.parse(m).phone or m for m in message.mentions]
    if message.context:
        data["replyTo"] = message.context["message_id"]
    return data
