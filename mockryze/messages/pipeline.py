"""The messages pipeline: a send (shared by all the send routes), the receipts that follow it, and
inbound traffic.

A send is checked completely (connection, recipient, quoted message) before anything is stored
or emitted, so a refused send leaves the store and the event record untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockryze.chat.model import note_message
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance
from mockryze.messages.layouts import emit_exchange, emit_status
from mockryze.messages.model import (
    PRIVATE_KINDS,
    STORY_KINDS,
    Draft,
    Message,
    Party,
    contact_for,
    contact_key,
    find_message,
    own_party,
    parse_recipient,
    resolve_chat,
    store,
)
from mockryze.scenarios.faults import holds_receipts

# Receipts a simulated contact sends back for our messages, in order (control plane: `receipts`).
RECEIPT_BEHAVIOURS: dict[str, tuple[str, ...]] = {
    "normal": ("delivered", "read"),
    "offline": (),  # phone offline: the message stays `sent`
    "unread": ("delivered",),  # delivers but never reads
    "plays": ("delivered", "read", "played"),  # also plays voice notes
}


def require_connected(inst: Instance) -> None:
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.NOT_CONNECTED, f"instance is {inst.state.rest}")


def set_status(world: World, message: Message, status: str) -> None:
    message.status = status
    message.statuses.append((status, world.now()))


# --- sending ----------------------------------------------------------------------------------
def prepare(world: World, inst: Instance, draft: Draft) -> tuple[Party, dict[str, Any] | None]:
    """Every check of a send, with no side effect: the chat and the quoted message (if any)."""
    require_connected(inst)
    if draft.chat_override is not None:
        chat = resolve_chat(world, inst, draft.chat_override, STORY_KINDS)
    else:
        if not draft.number:
            raise ApiError(literals.NUMBER_REQUIRED)
        chat = resolve_chat(world, inst, draft.number, draft.allowed)
    if (draft.mentions or draft.mention_all) and chat.type != "group":
        raise ApiError(literals.MENTIONS_GROUP_ONLY)
    if chat.type == "group":
        _check_group_send(inst, chat.jid, draft.mentions)
    context = None
    if draft.reply_to:
        quoted = find_message(inst, draft.reply_to)
        context = {"message_id": quoted.id, "text": quoted.content}
        if draft.reply_private and quoted.chat.type == "group" and quoted.direction == "incoming":
            chat = resolve_chat(world, inst, quoted.sender.jid, PRIVATE_KINDS)  # the author, by phone or @lid
    return chat, context


def _check_group_send(inst: Instance, group_jid: str, mentions: list[str]) -> None:
    """An announcement group takes admins' sends only; a mention names a participant (or the instance)."""
    group = inst.groups[group_jid]
    if not group.permissions["membersCanSendMessages"] and not group.is_admin:
        raise ApiError(literals.ADMINS_ONLY_SEND)
    named = {m: contact_key(inst, parse_recipient(m)) for m in mentions}
    strangers = [m for m, key in named.items() if key not in group.members and key != inst.jid]
    if strangers:
        raise ApiError(literals.MENTION_NOT_PARTICIPANT, f"not in {group_jid}: {strangers}")


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
        blocks=dict(draft.blocks), context=context, mentions=mentions, is_forwarded=draft.forwarded,
    )
    set_status(world, message, "sent")
    store(world, inst, message)
    note_message(inst, message)
    emit_exchange(world, inst, message)
    _schedule_receipts(world, inst, message)
    return message


# --- receipts ---------------------------------------------------------------------------------
def _schedule_receipts(world: World, inst: Instance, message: Message) -> None:
    if message.chat.type in ("newsletter", "broadcast"):
        return
    if holds_receipts(world, inst, message.chat.jid):  # a `phone_offline` fault: the message stays `sent`
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
    if inst.profile.privacy.read_receipts == "none":  # documented: then we see nobody's read receipts either
        steps = [s for s in steps if s != "read"]
    now, at, due = world.now(), 0.0, {}
    for step in steps:
        at += delays[step]
        due[step] = now + at
    message.receipts_due = due or None
    _arm(world, inst, message)


def resume_receipts(world: World, inst: Instance) -> None:
    """After a restart (``--state``): the receipts still to come fire at their original virtual due
    times (at once when those have passed), as decided at send time (contact, fault, settings)."""
    for message in inst.messages.values():
        if message.receipts_due:
            _arm(world, inst, message)


def _arm(world: World, inst: Instance, message: Message) -> None:
    for step, due in (message.receipts_due or {}).items():
        world.schedule_at(due, _receipt_action(world, inst, message, step))


def _receipt_action(world: World, inst: Instance, message: Message, status: str) -> Callable[[], None]:
    return _Receipt(world, inst, message, status)


class _Receipt:
    """A receipt timer's action: one small object where a closure took a function and four cells (a busy
    server holds two per message sent in the last seconds, and the garbage collector walks them all)."""

    __slots__ = ("inst", "message", "status", "world")

    def __init__(self, world: World, inst: Instance, message: Message, status: str) -> None:
        self.world, self.inst, self.message, self.status = world, inst, message, status

    def __call__(self) -> None:
        inst, message, status = self.inst, self.message, self.status
        if inst.messages.get(message.id) is not message:
            return
        rest = {step: due for step, due in (message.receipts_due or {}).items() if step != status}
        message.receipts_due = rest or None
        if inst.state is State.CONNECTED:
            receipt(self.world, inst, message, status)


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
        note_message(inst, message)
    emit_exchange(world, inst, message)
    if inst.settings.auto_read_messages:
        set_status(world, message, "read")
        emit_status(world, inst, message, "read_self")
    return message
