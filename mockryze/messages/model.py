"""RyzeAPI's messages module, as data: the contacts an instance can reach (its groups live in
mockryze.groups), the messages it keeps, and what a message carries (media blocks, vCards).

The send and receive pipeline is :mod:`mockryze.messages.pipeline`; the payloads events and send
routes show are :mod:`mockryze.messages.layouts`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.ids import IdFactory
from mockryze.core.world import World
from mockryze.instance.model import Instance

# The recipient kinds (see mockryze.core.jid) a send route accepts. Documented: a channel
# (@newsletter) takes no reaction and no PIX card; status@broadcast only takes stories.
SEND_KINDS: frozenset[str] = frozenset({"user", "lid", "group", "newsletter"})
REACTION_KINDS: frozenset[str] = frozenset({"user", "lid", "group"})  # the reaction, pix and event routes
STORY_KINDS: frozenset[str] = frozenset({"broadcast"})
GROUP_KINDS: frozenset[str] = frozenset({"group"})
PRIVATE_KINDS: frozenset[str] = frozenset({"user", "lid"})  # a person, by phone or hidden id

CDN = "https://mmg.whatsapp.net/v/t62.7118-24/"
MIME_BY_MEDIA: dict[str, str] = {  # when the sender does not say
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/ogg; codecs=opus",
    "document": "application/octet-stream",
    "sticker": "image/webp",
}
CAPTIONED_MEDIA = ("image", "video", "document")
TIMED_MEDIA = ("audio", "video")


@dataclass
class Contact:
    jid: str  # canonical: phone JID (13-digit Brazilian mobiles) or @lid
    lid: str
    name: str
    on_whatsapp: bool = True
    receipts: str = "normal"  # a key of pipeline.RECEIPT_BEHAVIOURS
    # What the instance's synced address book shows of the person (chat module, GET /api/chat/contacts);
    # ``name`` is the full name. ``None``: derived from ``name`` (first word; the name itself as push name).
    first_name: str | None = None
    push_name: str | None = None
    business_name: str = ""
    picture: str | None = None  # profile picture URL; None: no picture

    @property
    def phone(self) -> str | None:
        return jid.parse(self.jid).phone


@dataclass(frozen=True, slots=True)  # slots: one object per party (a store of 10,000 messages holds 20,000)
class Party:
    """A chat, a sender or a recipient as events show them."""

    jid: str
    name: str
    lid: str | None = None
    type: str = "private"  # chats only: private | group | newsletter | broadcast


@dataclass(slots=True)  # slots: one object per stored message, not two, for the collector to walk
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
    # Outgoing: the receipts still to come, in order, with their virtual due times (a restart re-arms them).
    receipts_due: dict[str, float] | None = None


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
    forwarded: bool = False  # POST /api/chat/forward


# --- contacts and groups ----------------------------------------------------------------------
def contact_key(inst: Instance, parsed: jid.Jid) -> str:
    """The key a chat or contact is stored under: a known contact's LID resolves to its phone JID."""
    if parsed.kind == "lid":
        return inst.contact_lids.get(str(jid.identity(parsed)), str(parsed))
    return str(jid.identity(parsed))


def contact_for(world: World, inst: Instance, parsed: jid.Jid, name: str | None = None) -> Contact:
    """The simulated contact behind a user/lid JID (one person by either), created (Faker-named,
    seeded) on first use."""
    key = contact_key(inst, parsed) if parsed.kind in ("user", "lid") else str(parsed)
    contact = inst.contacts.get(key)
    if contact is None:
        contact = Contact(jid=key, lid=world.ids.lid() if parsed.kind == "user" else key,
                          name=name if name is not None else world.faker().name())
        inst.contacts[key] = contact
        inst.contact_lids[contact.lid] = key
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
        if group is None or not group.member:  # a group the instance left is out of reach
            raise ApiError(literals.GROUP_NOT_FOUND, f"{parsed} is not a group this instance is in")
        return Party(group.jid, group.subject, None, "group")
    if parsed.kind in ("newsletter", "broadcast"):
        return Party(str(parsed), "", None, parsed.kind)
    contact = contact_for(world, inst, parsed)
    if not contact.on_whatsapp:
        raise ApiError(literals.NOT_ON_WHATSAPP, f"{contact.jid} (and its Brazilian variants) is not on WhatsApp")
    return Party(contact.jid, contact.name, contact.lid, "private")


def own_party(inst: Instance) -> Party:
    return Party(inst.jid or "", inst.push_name, inst.lid or None)


# --- the store --------------------------------------------------------------------------------
def store(world: World, inst: Instance, message: Message) -> None:
    forget(inst, message.id)  # a re-used id moves to the end (and to its chat)
    inst.messages[message.id] = message
    world.stats.messages_stored += 1
    inst.chat_messages.setdefault(message.chat.jid, {})[message.id] = message
    limit = world.settings.message_store_limit
    while len(inst.messages) > limit:  # bounded memory: oldest first
        forget(inst, next(iter(inst.messages)))
        world.stats.messages_evicted += 1


def forget(inst: Instance, message_id: str) -> Message | None:
    """Remove a stored message from the store and its chat's index (O(1)); None if it was not stored."""
    message = inst.messages.pop(message_id, None)
    if message is not None:
        chat = inst.chat_messages.get(message.chat.jid)
        if chat is not None:
            chat.pop(message_id, None)
            if not chat:
                del inst.chat_messages[message.chat.jid]
    return message


def find_message(inst: Instance, message_id: str) -> Message:
    message: Message | None = inst.messages.get(message_id)
    if message is None:
        raise ApiError(literals.MESSAGE_NOT_FOUND, f"no stored message {message_id!r} on this instance")
    return message


# --- what a message carries -------------------------------------------------------------------
def media_block(ids: IdFactory, media_type: str, content: bytes, *, mime_type: str | None = None,
                caption: str = "", file_name: str | None = None, duration: float | None = None,
                voice: bool = False) -> dict[str, Any]:
    """What WhatsApp keeps of an uploaded file: a CDN URL, its MIME type, the bytes and what describes them."""
    block: dict[str, Any] = {
        "type": "ptt" if voice else media_type,
        "url": f"{CDN}{ids.digits(8)}_{ids.digits(6)}.enc",
        "mimeType": mime_type or MIME_BY_MEDIA.get(media_type, MIME_BY_MEDIA["document"]),
        "base64": base64.b64encode(content).decode("ascii"),
        "isVoiceNote": voice,
    }
    if file_name and media_type == "document":
        block["fileName"] = file_name
    if caption and media_type in CAPTIONED_MEDIA:
        block["caption"] = caption
    if duration is not None and media_type in TIMED_MEDIA:
        block["duration"] = duration
    return block


def poll_message(title: str, options: list[str], selectable: int | None) -> tuple[dict[str, Any], str]:
    """A poll's block and its text (the title, then the numbered options); ``selectable`` clamped to 1..options."""
    count = min(max(int(selectable or 1), 1), len(options))
    block = {"title": title, "options": [{"name": o} for o in options], "selectableCount": count}
    return block, "\n".join([title, *(f"{i}. {o}" for i, o in enumerate(options, 1))])


def vcard(name: str, phone: str) -> str:
    """The vCard WhatsApp carries for a contact card: its name and its number (digits, no ``+``)."""
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL;type=CELL;waid={phone}:+{phone}\nEND:VCARD"
