"""RyzeAPI's messages module, as a model: contacts and groups an instance can reach, the message
store, the send pipeline shared by the 13 send routes, inbound traffic and receipts.

A send is checked completely (connection, recipient, quoted message) before anything is stored
or emitted, so a refused send leaves the store and the event record untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mockryze.core import jid, literals, schemas
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance

# Receipts a simulated contact sends back for our messages, in order (control plane: `receipts`).
RECEIPT_BEHAVIOURS: dict[str, tuple[str, ...]] = {
    "normal": ("delivered", "read"),
    "offline": (),  # phone offline: the message stays `sent`
    "unread": ("delivered",),  # delivers but never reads
    "plays": ("delivered", "read", "played"),  # also plays voice notes
}
SEND_KINDS = frozenset({"user", "lid", "group", "newsletter"})


@dataclass
class Contact:
    jid: str  # canonical: phone JID (13-digit Brazilian mobiles) or @lid
    lid: str
    name: str
    on_whatsapp: bool = True
    receipts: str = "normal"

    @property
    def phone(self) -> str | None:
        return jid.parse(self.jid).phone


@dataclass
class Group:
    jid: str
    subject: str
    participants: list[str]  # participant JIDs
    admins: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Party:
    """A chat, a sender or a recipient as events show them."""

    jid: str
    name: str
    lid: str | None = None
    type: str = "private"  # chats only: private | group | newsletter | broadcast


@dataclass
class Message:
    id: str
    direction: str  # incoming | outgoing
    type: str  # data.message.type in message.exchange
    content: str  # textual representation (history, live `content`)
    timestamp: float
    chat: Party
    sender: Party
    recipient: Party | None
    source: str = ""
    media: dict[str, Any] | None = None
    blocks: dict[str, Any] = field(default_factory=dict)  # location, contact(s), poll, interactive, reaction…
    context: dict[str, Any] | None = None  # the quoted message {message_id, text}
    mentions: list[str] = field(default_factory=list)
    is_forwarded: bool = False
    edit: dict[str, Any] | None = None
    status: str = "pending"
    statuses: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Draft:
    """What a send route asks for, before the pipeline resolves and stores it."""

    type: str
    content: str
    number: str | None
    allowed: frozenset[str] = SEND_KINDS
    media: dict[str, Any] | None = None
    blocks: dict[str, Any] = field(default_factory=dict)
    reply_to: str | None = None
    reply_private: bool = False
    mentions: list[str] = field(default_factory=list)
    mention_all: bool = False
    source: str = "api"
    chat_override: str | None = None  # status@broadcast for stories


# --- contacts and groups ----------------------------------------------------------------------
def contact_for(world: World, inst: Instance, parsed: jid.Jid, name: str | None = None) -> Contact:
    """The simulated contact behind a user/lid JID, created (Faker-named, seeded) on first use."""
    key = str(jid.identity(parsed)) if parsed.kind == "user" else str(parsed)
    contact = inst.contacts.get(key)
    if contact is None:
        contact = Contact(jid=key, lid=world.ids.lid() if parsed.kind == "user" else key,
                          name=name if name is not None else world.faker().name())
        inst.contacts[key] = contact
    elif name is not None:
        contact.name = name
    return contact


def upsert_contact(world: World, inst: Instance, number: str, name: str | None = None,
                   on_whatsapp: bool | None = None, receipts: str | None = None) -> Contact:
    contact = contact_for(world, inst, parse_recipient(number), name)
    if on_whatsapp is not None:
        contact.on_whatsapp = on_whatsapp
    if receipts is not None:
        contact.receipts = receipts
    return contact


def create_group(world: World, inst: Instance, subject: str, participants: list[str],
                 group_jid: str | None = None) -> Group:
    members = [str(contact_for(world, inst, parse_recipient(p)).jid) for p in participants]
    key = str(parse_recipient(group_jid)) if group_jid else f"120363{world.ids.digits(12)}@g.us"
    group = Group(jid=key, subject=subject, participants=members, admins=[inst.jid] if inst.jid else [])
    inst.groups[key] = group
    return group


def parse_recipient(raw: str) -> jid.Jid:
    try:
        return jid.parse(raw)
    except jid.InvalidRecipient as exc:
        raise ApiError(literals.INVALID_NUMBER, exc.reason) from None


def resolve_chat(world: World, inst: Instance, raw: str, allowed: frozenset[str]) -> Party:
    parsed = parse_recipient(raw)
    if parsed.kind not in allowed:
        raise ApiError(literals.RECIPIENT_NOT_SUPPORTED, f"{parsed.kind} recipients are not accepted here")
    if parsed.kind == "group":
        group = inst.groups.get(str(parsed))
        if group is None:
            raise ApiError(literals.GROUP_NOT_FOUND, f"{parsed} is not a group this instance is in")
        return Party(group.jid, group.subject, None, "group")
    if parsed.kind == "newsletter":
        return Party(str(parsed), "", None, "newsletter")
    if parsed.kind == "broadcast":
        return Party(str(parsed), "", None, "broadcast")
    contact = contact_for(world, inst, parsed)
    if not contact.on_whatsapp:
        raise ApiError(literals.NOT_ON_WHATSAPP, f"{contact.jid} (and its Brazilian variants) is not on WhatsApp")
    return Party(contact.jid, contact.name, contact.lid, "private")


def own_party(inst: Instance) -> Party:
    return Party(inst.jid or "", inst.push_name, inst.lid or None)


# --- the store --------------------------------------------------------------------------------
def store(world: World, inst: Instance, message: Message) -> None:
    inst.messages[message.id] = message
    limit = world.settings.message_store_limit
    while len(inst.messages) > limit:  # bounded memory: oldest first
        del inst.messages[next(iter(inst.messages))]


def find_message(inst: Instance, message_id: str) -> Message:
    message = inst.messages.get(message_id)
    if message is None:
        raise ApiError(literals.MESSAGE_NOT_FOUND, f"no stored message {message_id!r} on this instance")
    return message


def set_status(world: World, message: Message, status: str) -> None:
    message.status = status
    message.statuses.append((status, world.now()))


# --- sending ----------------------------------------------------------------------------------
def require_connected(inst: Instance) -> None:
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.NOT_CONNECTED, f"instance is {inst.state.rest}")


def prepare(world: World, inst: Instance, draft: Draft) -> tuple[Party, dict[str, Any] | None]:
    """Every check of a send, with no side effect: the chat and the quoted message (if any)."""
    require_connected(inst)
    if draft.chat_override is not None:
        chat = resolve_chat(world, inst, draft.chat_override, frozenset({"broadcast"}))
    else:
        if not draft.number:
            raise ApiError(literals.NUMBER_REQUIRED)
        chat = resolve_chat(world, inst, draft.number, draft.allowed)
    if (draft.mentions or draft.mention_all) and chat.type != "group":
        raise ApiError(literals.MENTIONS_GROUP_ONLY)
    context = None
    if draft.reply_to:
        quoted = find_message(inst, draft.reply_to)
        context = {"message_id": quoted.id, "text": quoted.content}
        if draft.reply_private and quoted.chat.type == "group" and quoted.direction == "incoming":
            chat = Party(quoted.sender.jid, quoted.sender.name, quoted.sender.lid, "private")
    return chat, context


def send(world: World, inst: Instance, draft: Draft) -> Message:
    """Store an outgoing message, emit its ``message.exchange`` and start its receipts."""
    chat, context = prepare(world, inst, draft)
    mentions = [str(contact_for(world, inst, parse_recipient(m)).jid) for m in draft.mentions]
    if draft.mention_all and chat.type == "group":
        mentions = list(inst.groups[chat.jid].participants)
    message = Message(
        id=world.ids.message_id(), direction="outgoing", type=draft.type, content=draft.content,
        timestamp=world.now(), chat=chat, sender=own_party(inst),
        recipient=chat if chat.type == "private" else None, source=draft.source, media=draft.media,
        blocks=dict(draft.blocks), context=context, mentions=mentions,
    )
    set_status(world, message, "sent")
    store(world, inst, message)
    emit_exchange(world, inst, message)
    emit_status(world, inst, message, "sent")
    _schedule_receipts(world, inst, message)
    return message


def _schedule_receipts(world: World, inst: Instance, message: Message) -> None:
    if message.chat.type in ("newsletter", "broadcast"):
        return
    behaviour = RECEIPT_BEHAVIOURS["normal"]
    if message.chat.type == "private":
        contact = inst.contacts.get(message.chat.jid)
        behaviour = RECEIPT_BEHAVIOURS[contact.receipts if contact else "normal"]
    settings = world.settings
    delays = {"delivered": settings.receipt_delivered_delay, "read": settings.receipt_read_delay,
              "played": settings.receipt_played_delay}
    is_voice = bool(message.media and message.media.get("isVoiceNote"))
    steps = [s for s in behaviour if s != "played" or is_voice]
    at = 0.0
    for step in steps:
        at += delays[step]
        world.schedule(at, _receipt_action(world, inst, message, step))


def _receipt_action(world: World, inst: Instance, message: Message, status: str) -> Any:
    def fire() -> None:
        if inst.messages.get(message.id) is message and inst.state is State.CONNECTED:
            receipt(world, inst, message, status)
    return fire


def receipt(world: World, inst: Instance, message: Message, status: str, recipient: str | None = None) -> None:
    set_status(world, message, status)
    emit_status(world, inst, message, status, recipient)


# --- inbound ----------------------------------------------------------------------------------
def receive(world: World, inst: Instance, *, sender: Party, chat: Party, type: str, content: str,
            media: dict[str, Any] | None = None, blocks: dict[str, Any] | None = None,
            context: dict[str, Any] | None = None, mentions: list[str] | None = None,
            edit: dict[str, Any] | None = None, message_id: str | None = None,
            forwarded: bool = False) -> Message | None:
    """A simulated contact's message reaches the instance (None when settings say to ignore it)."""
    require_connected(inst)
    if chat.type == "group" and inst.settings.ignore_group_messages:
        return None
    if chat.type == "broadcast" and inst.settings.ignore_status:
        return None
    message = Message(
        id=message_id or world.ids.message_id(), direction="incoming", type=type, content=content,
        timestamp=world.now(), chat=chat, sender=sender, recipient=None, media=media, blocks=dict(blocks or {}),
        context=context, mentions=list(mentions or []), is_forwarded=forwarded, edit=edit,
    )
    set_status(world, message, "delivered")
    if type != "message_revoke":  # a revoke takes the revoked message's id and removes it: nothing to keep
        store(world, inst, message)
    emit_exchange(world, inst, message)
    if inst.settings.auto_read_messages:
        set_status(world, message, "read")
        emit_status(world, inst, message, "read_self")
    return message


# --- events -----------------------------------------------------------------------------------
def emit_exchange(world: World, inst: Instance, message: Message) -> None:
    build = exchange_live if world.settings.profile == "live" else exchange_docs
    world.emit(inst, "message.exchange", build(world, message))


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
    """The layout observed on the live service (70-field-reports §7.4)."""
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
    """The layout of the vendor's event catalog (60-events §4.1), behind the ``docs`` profile."""
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
    """Taps carry the clicked id as their text in the catalog layout (20-messages §0.9)."""
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
