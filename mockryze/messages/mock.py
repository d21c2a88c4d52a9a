"""What simulated contacts do to an instance: send it messages of every kind, send receipts for
its messages, and call it. Driven by the control plane and the Python API, never by the
emulated API itself.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.model import Instance
from mockryze.messages import model as messages
from mockryze.messages.model import Message, Party, contact_for, parse_recipient

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
DEFAULT_MIME = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg; codecs=opus",
                "document": "application/pdf", "sticker": "image/webp"}


def option_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest().upper()


def vcard(name: str, phone: str) -> str:
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL;type=CELL;waid={phone}:+{phone}\nEND:VCARD"


# --- inbound messages -------------------------------------------------------------------------
def inbound(world: World, inst: Instance, spec: dict[str, Any]) -> Message | None:
    """A contact (or a group member) sends the instance a message described by ``spec``."""
    messages.require_connected(inst)
    sender_jid = parse_recipient(spec["from"])
    if sender_jid.kind not in ("user", "lid"):
        raise ApiError(literals.INVALID_NUMBER, "`from` must be a phone number or an @lid JID")
    contact = contact_for(world, inst, sender_jid, spec.get("pushName"))
    sender = Party(contact.jid, contact.name, contact.lid)
    chat = Party(contact.jid, contact.name, contact.lid, "private")
    if spec.get("group"):
        chat = messages.resolve_chat(world, inst, spec["group"], frozenset({"group"}))
    kind = spec["type"]
    build = BUILDERS.get("media" if kind in MEDIA_TYPES else kind)
    if build is None:
        raise ApiError(literals.invalid_body_detail(f"unknown inbound type {kind!r}"))
    fields = build(world, inst, spec)
    return messages.receive(world, inst, sender=sender, chat=chat, forwarded=bool(spec.get("forwarded")),
                            mentions=[str(contact_for(world, inst, parse_recipient(m)).jid)
                                      for m in spec.get("mentions", [])], **fields)


def _text(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    text = spec.get("text")
    if text is None:
        text = world.faker().sentence()
    return {"type": "text", "content": text, "context": _quote(inst, spec)}


def _media(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    voice = kind == "audio" and bool(spec.get("isVoice", False))
    raw = base64.b64decode(spec["base64"]) if spec.get("base64") else hashlib.sha256(kind.encode()).digest()
    media: dict[str, Any] = {
        "type": "ptt" if voice else kind,
        "url": f"https://mmg.whatsapp.net/v/t62.7118-24/{world.ids.digits(8)}_{world.ids.digits(6)}.enc",
        "mimeType": spec.get("mimeType") or DEFAULT_MIME[kind],
        "base64": base64.b64encode(raw).decode("ascii"),
        "isVoiceNote": voice,
    }
    caption = spec.get("caption", "")
    if caption and kind in ("image", "video", "document"):
        media["caption"] = caption
    if kind == "document":
        media["fileName"] = spec.get("fileName") or "document.pdf"
    if kind in ("audio", "video") and spec.get("duration") is not None:
        media["duration"] = spec["duration"]
    return {"type": kind, "content": caption if kind in ("image", "video", "document") else "", "media": media,
            "context": _quote(inst, spec)}


def _location(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    block = {k: spec[k] for k in ("latitude", "longitude", "name", "address") if k in spec}
    text = "\n".join(str(block[k]) for k in ("name", "address") if block.get(k))
    return {"type": "location", "content": text, "blocks": {"location": block}}


def _contact(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    cards = [{"display_name": c["name"], "phone_number": str(parse_recipient(c["number"]).phone),
              "vcard": vcard(c["name"], str(parse_recipient(c["number"]).phone))} for c in spec["contacts"]]
    blocks: dict[str, Any] = {"contact": cards[0]}
    if len(cards) > 1:
        blocks["contacts"] = cards
    return {"type": "contact", "content": ", ".join(c["display_name"] for c in cards), "blocks": blocks}


def _reaction(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    target = messages.find_message(inst, spec["messageId"])
    emoji = spec.get("emoji", "")
    return {"type": "reaction", "content": emoji, "blocks": {"reaction": {"text": emoji, "messageId": target.id}}}


def _poll_vote(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    poll = messages.find_message(inst, spec["pollMessageId"])
    if "poll" not in poll.blocks:
        raise ApiError(literals.invalid_body_detail(f"{poll.id} is not a poll"))
    offered = [o["name"] for o in poll.blocks.get("poll", {}).get("options", [])]
    unknown = [name for name in spec.get("options", []) if name not in offered]
    if unknown:
        raise ApiError(literals.invalid_body_detail(f"not options of that poll: {unknown}"))
    chosen = [{"name": name, "hash": option_hash(name)} for name in spec.get("options", [])]
    return {"type": "poll_update", "content": "",
            "blocks": {"pollUpdate": {"pollMessageId": poll.id, "selectedOptions": chosen}}}


def _button_reply(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    return {"type": "buttons_response", "content": "",
            "blocks": {"interactive": {"selectedButtonId": spec["buttonId"]}}}


def _list_reply(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    interactive = {"selectedReply": {"selectedRowID": spec["rowId"]}, "title": spec.get("title", spec["rowId"])}
    return {"type": "list_response", "content": "", "blocks": {"interactive": interactive}}


def _edit(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    original = messages.find_message(inst, spec["messageId"])
    original.content = spec["text"]
    return {"type": "message_edit", "content": spec["text"], "edit": {"original_id": original.id, "text": spec["text"]}}


def _revoke(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    original = messages.find_message(inst, spec["messageId"])
    del inst.messages[original.id]  # the revoke event takes the revoked message's id
    return {"type": "message_revoke", "content": "", "message_id": original.id}


def _quote(inst: Instance, spec: dict[str, Any]) -> dict[str, Any] | None:
    if not spec.get("replyTo"):
        return None
    quoted = messages.find_message(inst, spec["replyTo"])
    return {"message_id": quoted.id, "text": quoted.content}


BUILDERS: dict[str, Callable[[World, Instance, dict[str, Any]], dict[str, Any]]] = {
    "text": _text, "media": _media, "location": _location, "contact": _contact, "reaction": _reaction,
    "poll_vote": _poll_vote, "button_reply": _button_reply, "list_reply": _list_reply, "edit": _edit,
    "revoke": _revoke,
}
INBOUND_TYPES = ("text", *MEDIA_TYPES, "location", "contact", "reaction", "poll_vote", "button_reply",
                 "list_reply", "edit", "revoke")


# --- receipts ---------------------------------------------------------------------------------
def receipt(world: World, inst: Instance, message_id: str, status: str, from_: str | None = None) -> Message:
    messages.require_connected(inst)
    message = messages.find_message(inst, message_id)
    recipient = parse_recipient(from_).phone if from_ else None
    messages.receipt(world, inst, message, status, recipient)
    return message


# --- calls ------------------------------------------------------------------------------------
def call(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    """An incoming call (``offer``), or a later status of one; auto-rejected when settings say so."""
    messages.require_connected(inst)
    caller_jid = parse_recipient(spec["from"])
    if caller_jid.kind not in ("user", "lid"):
        raise ApiError(literals.INVALID_NUMBER, "`from` must be a phone number or an @lid JID")
    caller = contact_for(world, inst, caller_jid)
    chat = messages.resolve_chat(world, inst, spec["group"], frozenset({"group"})).jid if spec.get("group") \
        else caller.jid
    data = {
        "id": spec.get("callId") or world.ids.hex(32), "from": caller.jid, "chat": chat,
        "status": spec.get("status", "offer"), "isVideo": bool(spec.get("isVideo", False)),
        "isGroup": bool(spec.get("group")), "timestamp": world.iso(),
    }
    world.emit(inst, "call.update", data)
    if data["status"] == "offer" and inst.settings.auto_reject_calls:
        world.emit(inst, "call.update", {**data, "status": "rejected"})
        reply = inst.settings.call_reject_message
        if reply:
            messages.send(world, inst, messages.Draft(type="text", content=reply, number=caller.jid, source=""))
    return data
