"""RyzeAPI's chat module, as a model: the state WhatsApp keeps per chat (archived, pinned, favorite,
muted, unread, labels), the instance's labels, its blocked contacts, and the synced address book's view
of a contact.

Every function takes the world and plain values and raises :class:`ApiError` with a literal of
:mod:`mockryze.core.literals` when it refuses; a refusal changes nothing (all checks come first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockryze.core import jid, literals, quirks
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.messages.model import Contact, Message, contact_key, forget, parse_recipient

if TYPE_CHECKING:
    from mockryze.instance.model import Instance

CHAT_KINDS: dict[str, str] = {"user": "private", "lid": "private", "group": "group", "newsletter": "newsletter"}
PIN_LIMIT = 3  # WhatsApp: at most 3 pinned chats
FOREVER = math.inf
COLORS = range(0, 11)  # the WhatsApp Business palette; anything else is silently 0 (documented)
# Inbound message types that do not make a chat unread: they change an existing message or answer one.
NOT_UNREAD = frozenset({"message_edit", "message_revoke", "reaction", "poll_update"})
PRESENCE_STATES: dict[str, str] = {"typing": "typing", "recording": "recording", "pause": "pause",
                                   "paused": "pause"}
PRESENCE_MAX_SECONDS = 60
# documented `duration` values of POST /api/chat/mute -> (seconds, 0 = no expiry; success message)
MUTE_DURATIONS: dict[str, tuple[int, str]] = {
    **dict.fromkeys(("8h", "8 hours"), (28800, literals.CHAT_MUTED_8H)),
    **dict.fromkeys(("1w", "7d", "1 week"), (604800, literals.CHAT_MUTED_1W)),
    **dict.fromkeys(("", "always", "forever", "permanent"), (0, literals.CHAT_MUTED_FOREVER)),
}


@dataclass
class Label:
    id: str  # sequential per instance, as a string: "1", "2"…
    name: str
    color: int
    type: str = "CUSTOM"
    deleted: bool = False

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "color": self.color, "type": self.type, "deleted": self.deleted}


@dataclass
class Chat:
    jid: str  # canonical: a contact's phone JID (or @lid when the number is hidden), a group, a channel
    kind: str  # private | group | newsletter
    archived: bool = False
    pinned: bool = False
    favorite: bool = False
    muted_until: float | None = None  # virtual epoch seconds; FOREVER: no expiry; None: not muted
    unread: int = 0
    marked_unread: bool = False  # "mark as unread" on a chat with nothing unread
    labels: dict[str, None] = field(default_factory=dict)  # label ids, in the order they were put on
    last_message_id: str | None = None
    last_message_at: float | None = None
    presence: str = "pause"  # what the instance shows in it: typing | recording | pause
    presence_seq: int = 0  # bumped by each presence call: a stale automatic pause does nothing

    def muted(self, now: float) -> bool:
        return self.muted_until is not None and now < self.muted_until


@dataclass
class ChatBook:
    """Everything the chat module keeps for one instance."""

    chats: dict[str, Chat] = field(default_factory=dict)  # chat JID -> Chat
    labels: dict[str, Label] = field(default_factory=dict)  # label id -> Label, in creation order
    last_label_id: int = 0
    blocked: dict[str, None] = field(default_factory=dict)  # blocked contact JIDs, in blocking order
    favorite_messages: set[str] = field(default_factory=set)


# --- chats ------------------------------------------------------------------------------------
def chat_address(inst: Instance, raw: str) -> tuple[str, str]:
    """``(chat JID, kind)`` of a ``number``: a phone, a private JID or @lid (one person by either), a group
    or a channel; anything else is refused."""
    parsed = parse_recipient(raw)
    kind = CHAT_KINDS.get(parsed.kind)
    if kind is None:
        raise ApiError(literals.INVALID_NUMBER, f"{parsed.kind} JIDs are not chats")
    key = contact_key(inst, parsed) if kind == "private" else str(jid.identity(parsed))
    return key, kind


def chat_for(inst: Instance, raw: str) -> Chat:
    """The chat a ``number`` names, created (with no state) on first use."""
    key, kind = chat_address(inst, raw)
    return _chat(inst, key, kind)


def _chat(inst: Instance, key: str, kind: str) -> Chat:
    chat = inst.chats.chats.get(key)
    if chat is None:
        chat = inst.chats.chats[key] = Chat(jid=key, kind=kind)
    return chat


def note_message(inst: Instance, message: Message) -> None:
    """A stored message (sent or received) updates its chat: last message, and unread for an incoming one."""
    kind = message.chat.type
    if kind not in ("private", "group", "newsletter"):
        return  # stories (status@broadcast) are no chat
    chat = _chat(inst, message.chat.jid, kind)
    chat.last_message_id, chat.last_message_at = message.id, message.timestamp
    if message.direction == "incoming" and message.type not in NOT_UNREAD:
        chat.unread += 1


def set_pinned(inst: Instance, chat: Chat, pin: bool) -> None:
    if pin and not chat.pinned and sum(c.pinned for c in inst.chats.chats.values()) >= PIN_LIMIT:
        raise ApiError(literals.PIN_LIMIT, f"{PIN_LIMIT} chats are pinned already")
    chat.pinned = pin


def mute(world: World, chat: Chat, on: bool, duration: str | None) -> tuple[int, str]:
    """Mute (for a documented duration, or forever) or unmute; ``(seconds echoed, success message)``."""
    if not on:
        chat.muted_until = None
        return 0, literals.CHAT_UNMUTED
    found = MUTE_DURATIONS.get((duration or "").strip().lower())
    if found is None:
        raise ApiError(literals.INVALID_DURATION, f"unknown duration {duration!r}")
    seconds, message = found
    chat.muted_until = world.now() + seconds if seconds else FOREVER
    return seconds, message


def mark_chat(chat: Chat, read: bool) -> None:
    chat.marked_unread = not read
    if read:
        chat.unread = 0


def mark_read(world: World, inst: Instance, chat: Chat, message_id: str) -> Message | None:
    """Send the read receipt for one incoming message of ``chat``: it is ``read`` now and no longer counts as
    unread. An id the store does not hold (or not of this chat) still "succeeds": WhatsApp takes any id."""
    message = inst.messages.get(message_id)
    if message is None or message.chat.jid != chat.jid or message.direction != "incoming":
        return None
    if message.status != "read":
        message.status = "read"
        message.statuses.append(("read", world.now()))
        chat.unread = max(chat.unread - 1, 0)
    return message


def set_presence(world: World, chat: Chat, state: str, duration: int) -> None:
    """Show typing / recording in ``chat`` (a pause follows after ``duration`` virtual seconds), or pause."""
    chat.presence = state
    chat.presence_seq += 1
    if state == "pause" or duration <= 0:
        return
    seq = chat.presence_seq

    def pause() -> None:
        if chat.presence_seq == seq:
            chat.presence = "pause"

    world.schedule(duration, pause)


def delete_chat(inst: Instance, key: str, delete_media: bool) -> int:
    """The chat leaves the instance: its state (labels included) and its stored messages, so ``history``,
    ``getMessage``, ``status`` and ``base64`` no longer find them (O(messages of that chat)). ``delete_media``
    only changes the success message: the media bytes go with their messages. Returns how many went."""
    inst.chats.chats.pop(key, None)
    gone = list(inst.chat_messages.get(key, {}))
    for message_id in gone:
        forget(inst, message_id)
        inst.chats.favorite_messages.discard(message_id)
    return len(gone)


# --- blocking ---------------------------------------------------------------------------------
def block(inst: Instance, raw: str, on: bool) -> str:
    key, kind = chat_address(inst, raw)
    if kind != "private":
        raise ApiError(literals.GROUPS_NOT_BLOCKABLE, f"{key} is a {kind}")
    if on:
        inst.chats.blocked[key] = None
    else:
        inst.chats.blocked.pop(key, None)
    return key


def drops_inbound(inst: Instance, sender: str, group: str | None) -> bool:
    """Whether WhatsApp drops a private message from ``sender``: it is blocked (group traffic still flows)."""
    if group:
        return False
    parsed = parse_recipient(sender)
    return parsed.kind in ("user", "lid") and contact_key(inst, parsed) in inst.chats.blocked


# --- labels -----------------------------------------------------------------------------------
def create_label(world: World, inst: Instance, name: str, color: int) -> Label:
    name = name.strip()
    if not name:
        raise ApiError(literals.TAG_NAME_REQUIRED, "the name is empty once trimmed")
    book = inst.chats
    book.last_label_id += 1
    label = Label(id=str(book.last_label_id), name=name, color=color if color in COLORS else 0)
    book.labels[label.id] = label
    emit_label_edit(world, inst, label)
    return label


def find_label(inst: Instance, label_id: str) -> Label:
    label = inst.chats.labels.get(label_id.strip())
    if label is None or label.deleted:
        raise ApiError(literals.TAG_NOT_FOUND, f"no label {label_id!r} on this instance")
    return label


def delete_label(world: World, inst: Instance, label_id: str) -> Label:
    """Mark a label deleted (it stays listed with ``deleted:true``) and take it off every chat.
    Deleting it again answers the same, with no second event."""
    label = inst.chats.labels.get(label_id.strip())
    if label is None:
        raise ApiError(literals.TAG_NOT_FOUND, f"no label {label_id!r} on this instance")
    if not label.deleted:
        label.deleted = True
        for chat in inst.chats.chats.values():
            chat.labels.pop(label.id, None)
        emit_label_edit(world, inst, label)
    return label


def label_chat(world: World, inst: Instance, raw: str, label_id: str, on: bool) -> Label:
    """Put a label on a chat or take it off (both idempotent); each call pushes (and echoes) the change."""
    label = find_label(inst, label_id)
    chat = chat_for(inst, raw)
    if on:
        chat.labels[label.id] = None
    else:
        chat.labels.pop(label.id, None)
    emit_label_chat(world, inst, label, chat, on)
    return label


def chats_with_labels(inst: Instance, ids: list[str] | None, names: list[str] | None) -> tuple[list[str], list[Chat]]:
    """The label ids a filter applies (ids, and names matched case-insensitively) and the chats carrying at
    least one of them; no filter: every labelled chat."""
    live = [label for label in inst.chats.labels.values() if not label.deleted]
    wanted: list[str] = []
    if ids is not None or names is not None:
        lowered = {n.lower() for n in names or []}
        wanted = [label.id for label in live if label.id in (ids or []) or label.name.lower() in lowered]
    chats = [c for c in inst.chats.chats.values() if c.labels and (not (ids or names) or set(c.labels) & set(wanted))]
    return wanted, chats


def emit_label_edit(world: World, inst: Instance, label: Label) -> None:
    """``label.update`` type ``edit`` for a created or deleted label. Live (client fixtures): ``action``
    ``updated`` / ``deleted``, a deleted label without name and colour; docs: the catalog skeleton."""
    data: dict[str, Any] = {"type": "edit", "labelId": label.id}
    if quirks.event_layout(world, inst.account, "label.update") == "live":
        data["action"] = "deleted" if label.deleted else "updated"
        if not label.deleted:
            data.update(name=label.name, color=label.color)
    else:
        data.update(name=label.name, color=label.color)
    data["deleted"] = label.deleted
    world.emit(inst, "label.update", data)


def emit_label_chat(world: World, inst: Instance, label: Label, chat: Chat, on: bool) -> None:
    """``label.update`` type ``chat``; live adds the boolean ``labeled`` next to ``action``."""
    data: dict[str, Any] = {"type": "chat", "labelId": label.id, "chatJid": chat.jid,
                            "action": "add" if on else "remove"}
    if quirks.event_layout(world, inst.account, "label.update") == "live":
        data["labeled"] = on
    world.emit(inst, "label.update", data)


# --- the address book -------------------------------------------------------------------------
def find_contact(inst: Instance, raw: str) -> tuple[str, Contact | None]:
    """The contact a phone or JID names (one dict lookup: no scan, nothing created): ``(JID, contact)``."""
    parsed = parse_recipient(raw)
    if parsed.kind not in ("user", "lid"):
        raise ApiError(literals.INVALID_NUMBER, f"{parsed.kind} JIDs are not contacts")
    key = contact_key(inst, parsed)
    return key, inst.contacts.get(key)


def contact_entry(contact: Contact) -> dict[str, Any]:
    """A contact as ``GET /api/chat/contacts`` shows it."""
    return {
        "jid": contact.jid, "lid": contact.lid, "first_name": first_name(contact), "full_name": contact.name,
        "push_name": contact.name if contact.push_name is None else contact.push_name,
        "business_name": contact.business_name, "redacted_phone": "", "found": True,  # the mock knows no hidden number
    }


def first_name(contact: Contact) -> str:
    if contact.first_name is not None:
        return contact.first_name
    return contact.name.split(" ", 1)[0] if contact.name else ""


def unknown_entry(key: str) -> dict[str, Any]:
    return {"jid": key, "first_name": "", "full_name": "", "push_name": "", "business_name": "",
            "redacted_phone": "", "found": False}


def lid_of(raw: str) -> jid.Jid:
    parsed = parse_recipient(raw)
    if parsed.kind != "lid":
        raise ApiError(literals.INVALID_NUMBER, "`lid` must be an @lid JID")
    return parsed


def update_contact(inst: Instance, contact: Contact, fields: dict[str, Any]) -> None:
    """Control plane: what the address book shows of a contact (``lid``, names, picture)."""
    if fields.get("lid"):
        parsed = lid_of(fields["lid"])
        if contact.lid != contact.jid:
            inst.contact_lids.pop(contact.lid, None)
        contact.lid = str(parsed)
        inst.contact_lids[contact.lid] = contact.jid
    for key, attribute in (("firstName", "first_name"), ("pushName", "push_name"),
                           ("businessName", "business_name"), ("picture", "picture")):
        if key in fields:
            setattr(contact, attribute, fields[key])


# --- what the control plane shows -------------------------------------------------------------
def chat_view(world: World, inst: Instance, chat: Chat) -> dict[str, Any]:
    now = world.now()
    muted = chat.muted(now)
    until = chat.muted_until if muted else None
    return {
        "jid": chat.jid, "type": chat.kind, "archived": chat.archived, "pinned": chat.pinned,
        "favorite": chat.favorite, "muted": muted,
        "mutedUntil": None if until is None or until == FOREVER else world.iso(until),
        "unreadCount": chat.unread, "markedUnread": chat.marked_unread, "labels": list(chat.labels),
        "lastMessageId": chat.last_message_id,
        "lastMessageAt": None if chat.last_message_at is None else world.iso(chat.last_message_at),
        "presence": chat.presence, "blocked": chat.jid in inst.chats.blocked,
    }


def contact_view(contact: Contact) -> dict[str, Any]:
    return {**contact_entry(contact), "picture": contact.picture, "onWhatsApp": contact.on_whatsapp,
            "receipts": contact.receipts}
