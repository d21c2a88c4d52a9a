"""What simulated contacts do to an instance: send it messages of every kind, send receipts for
its messages, and call it. Driven by the control plane and the Python API, never by the
emulated API itself.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from importlib import resources
from typing import Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.model import Instance
from mockryze.messages import pipeline
from mockryze.messages.model import (
    CAPTIONED_MEDIA,
    GROUP_KINDS,
    MIME_BY_MEDIA,
    Draft,
    Message,
    Party,
    contact_for,
    contact_key,
    find_message,
    forget,
    media_block,
    parse_recipient,
    poll_message,
    resolve_chat,
    vcard,
)

MEDIA_TYPES = tuple(MIME_BY_MEDIA)  # image, video, audio, document, sticker
# A simulated document the spec does not describe is a PDF (this name, this MIME type).
DEFAULT_DOCUMENT_NAME, DEFAULT_DOCUMENT_MIME = "document.pdf", "application/pdf"
# Small valid files (magic bytes and all) for a simulated file the spec gives no bytes for, by MIME type.
SAMPLE_FILES: dict[str, str] = {"image/jpeg": "image.jpg", "image/webp": "sticker.webp", "audio/ogg": "audio.ogg",
                                "video/mp4": "video.mp4", "application/pdf": "document.pdf"}
SENDER_KINDS = frozenset({"user", "lid"})  # who can send or call: a person, by number or hidden id


def option_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest().upper()


@functools.cache
def sample_file(mime_type: str) -> bytes | None:
    """The packaged sample of a MIME type (parameters ignored), or ``None`` if there is none."""
    name = SAMPLE_FILES.get(mime_type.partition(";")[0].strip().lower())
    return (resources.files("mockryze.messages") / "media" / name).read_bytes() if name else None


# --- inbound messages -------------------------------------------------------------------------
def inbound(world: World, inst: Instance, spec: dict[str, Any]) -> Message | None:
    """A contact (or a group member) sends the instance a message described by ``spec``."""
    pipeline.require_connected(inst)
    sender_jid = parse_recipient(spec["from"])
    if sender_jid.kind not in SENDER_KINDS:
        raise ApiError(literals.INVALID_NUMBER, "`from` must be a phone number or an @lid JID")
    group = resolve_chat(world, inst, spec["group"], GROUP_KINDS) if spec.get("group") else _edited_group(inst, spec)
    if group is not None and contact_key(inst, sender_jid) not in inst.groups[group.jid].members:
        raise ApiError(literals.invalid_body_detail("`from` is not a participant of that group"))
    contact = contact_for(world, inst, sender_jid, spec.get("pushName"))
    shown_as_lid = group is not None and inst.account.quirks.group_sender_jid == "lid"
    sender = Party(contact.lid if shown_as_lid else contact.jid, contact.name, contact.lid)
    chat = group or Party(contact.jid, contact.name, contact.lid, "private")
    kind = spec["type"]
    build = BUILDERS.get(kind)
    if build is None:
        raise ApiError(literals.invalid_body_detail(f"unknown inbound type {kind!r}"))
    fields = build(world, inst, spec)
    return pipeline.receive(world, inst, sender=sender, chat=chat, forwarded=bool(spec.get("forwarded")),
                            mentions=[str(contact_for(world, inst, parse_recipient(m)).jid)
                                      for m in spec.get("mentions", [])], **fields)


def _edited_group(inst: Instance, spec: dict[str, Any]) -> Party | None:
    """An edit or revoke of a group message happens in that group, also when ``group`` is not given."""
    original = inst.messages.get(spec.get("messageId") or "") if spec["type"] in ("edit", "revoke") else None
    if original is None or original.chat.type != "group" or original.chat.jid not in inst.groups:
        return None
    return original.chat if inst.groups[original.chat.jid].member else None


def _text(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    text = spec.get("text")
    if text is None:
        text = world.faker().sentence()
    return {"type": "text", "content": text, "context": _quote(inst, spec)}


def _media(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    voice = kind == "audio" and bool(spec.get("isVoice", False))
    document = kind == "document"
    default_mime = DEFAULT_DOCUMENT_MIME if document else MIME_BY_MEDIA[kind]
    mime_type = spec.get("mimeType") or default_mime
    sample = sample_file(mime_type) or sample_file(default_mime) or b""
    raw = base64.b64decode(spec["base64"]) if spec.get("base64") else sample
    caption = spec.get("caption", "")
    media = media_block(
        world.ids, kind, raw, caption=caption, voice=voice, duration=spec.get("duration"),
        mime_type=mime_type,
        file_name=spec.get("fileName") or (DEFAULT_DOCUMENT_NAME if document else None),
    )
    return {"type": kind, "content": caption if kind in CAPTIONED_MEDIA else "", "media": media,
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
    target = find_message(inst, spec["messageId"])
    emoji = spec.get("emoji", "")
    return {"type": "reaction", "content": emoji, "blocks": {"reaction": {"text": emoji, "messageId": target.id}}}


def _poll(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    block, content = poll_message(spec["title"], spec["options"], spec.get("selectableCount"))
    return {"type": "poll", "content": content, "blocks": {"poll": block}}


def _poll_vote(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    poll = find_message(inst, spec["pollMessageId"])
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
    original = find_message(inst, spec["messageId"])
    original.content = spec["text"]
    return {"type": "message_edit", "content": spec["text"], "edit": {"original_id": original.id, "text": spec["text"]}}


def _revoke(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    original = find_message(inst, spec["messageId"])
    forget(inst, original.id)  # the revoke event takes the revoked message's id
    return {"type": "message_revoke", "content": "", "message_id": original.id}


def _quote(inst: Instance, spec: dict[str, Any]) -> dict[str, Any] | None:
    if not spec.get("replyTo"):
        return None
    quoted = find_message(inst, spec["replyTo"])
    return {"message_id": quoted.id, "text": quoted.content}


# One builder per inbound `type`; the request schema's enum lists the same types (a test checks it).
BUILDERS: dict[str, Callable[[World, Instance, dict[str, Any]], dict[str, Any]]] = {
    "text": _text, **dict.fromkeys(MEDIA_TYPES, _media), "location": _location, "contact": _contact,
    "reaction": _reaction, "poll": _poll, "poll_vote": _poll_vote, "button_reply": _button_reply,
    "list_reply": _list_reply, "edit": _edit, "revoke": _revoke,
}
INBOUND_TYPES: tuple[str, ...] = tuple(BUILDERS)


# --- receipts ---------------------------------------------------------------------------------
def receipt(world: World, inst: Instance, message_id: str, status: str, from_: str | None = None) -> Message:
    pipeline.require_connected(inst)
    message = find_message(inst, message_id)
    recipient = _receipt_from(inst, from_) if from_ else None
    pipeline.receipt(world, inst, message, status, recipient)
    return message


def _receipt_from(inst: Instance, raw: str) -> str | None:
    """The phone digits of whoever sent the receipt; a known contact's LID stands for its phone."""
    parsed = parse_recipient(raw)
    return parsed.phone or jid.parse(contact_key(inst, parsed)).phone


# --- calls ------------------------------------------------------------------------------------
def call(world: World, inst: Instance, spec: dict[str, Any]) -> dict[str, Any]:
    """An incoming call (``offer``), or a later status of one; auto-rejected when settings say so."""
    pipeline.require_connected(inst)
    caller_jid = parse_recipient(spec["from"])
    if caller_jid.kind not in SENDER_KINDS:
        raise ApiError(literals.INVALID_NUMBER, "`from` must be a phone number or an @lid JID")
    caller = contact_for(world, inst, caller_jid)
    chat = resolve_chat(world, inst, spec["group"], GROUP_KINDS).jid if spec.get("group") else caller.jid
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
            pipeline.send(world, inst, Draft(type="text", content=reply, number=caller.jid, source=""))
    return data
