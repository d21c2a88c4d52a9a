"""The chat module's message actions, as a model: read a stored message (by id, its media, its
delivery state, a poll's votes), page a chat's history, and forward, edit or delete a message.

Every lookup by id is a dict access on the instance's store; history walks one chat's own index
(``Instance.chat_messages``), never the whole store. Each function checks everything before it
changes anything, and raises :class:`ApiError` with the literal the endpoint's page prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.core.world import World
from mockryze.instance.model import Instance
from mockryze.messages import pipeline
from mockryze.messages.layouts import emit_exchange
from mockryze.messages.model import Draft, Message, contact_key, forget, own_party, parse_recipient

EDIT_WINDOW = 15 * 60.0  # documented: ~15 minutes after sending, on the virtual clock
HISTORY_DEFAULT_COUNT = 50  # documented default; no upper limit

# The snapshot vocabulary of GET /api/chat/status (documented), and the rank a state has over another:
# receipts can arrive out of order, the snapshot never goes back (error is final).
SNAPSHOT_CODES: dict[str, int] = {"pending": 0, "sent": 1, "delivered": 2, "received": 3, "read": 4, "played": 5,
                                  "error": -1}
# What each recorded status (send, receipt, control-plane receipt) means in that vocabulary.
SNAPSHOT_OF: dict[str, str] = {
    "pending": "pending", "sent": "sent", "delivered": "delivered", "read": "read", "played": "played",
    "read_self": "read", "played_self": "played", "sender": "sent", "retry": "sent", "inactive": "sent",
    "server_error": "error",
}
MEDIA_TYPE_OF: dict[str, str] = {"ptt": "audio", "ptv": "video"}  # voice notes and round videos
FORWARDABLE = frozenset({"text", "image", "video", "audio", "document", "sticker", "contact", "location"})
FORWARD_REFUSED_AS: dict[str, str] = {"reaction": "reaction", "poll": "poll", "poll_update": "poll"}


# --- lookups ----------------------------------------------------------------------------------
def require_id(value: str | None, literal: ErrorLiteral) -> str:
    if not value:
        raise ApiError(literal)
    return value


def lookup(inst: Instance, message_id: str, missing: ErrorLiteral = literals.MESSAGE_NOT_FOUND) -> Message:
    message = inst.messages.get(message_id)
    if message is None:
        raise ApiError(missing, f"no stored message {message_id!r} on this instance")
    return message


def lookup_for_status(inst: Instance, message_id: str) -> Message:
    """As :func:`lookup`; an id stored under another instance of the same account is named as such."""
    message = inst.messages.get(message_id)
    if message is not None:
        return message
    if any(message_id in other.messages for other in inst.account.instances.values() if other is not inst):
        raise ApiError(literals.MESSAGE_OTHER_INSTANCE, f"{message_id!r} is stored under another instance")
    raise ApiError(literals.MESSAGE_NOT_FOUND, f"no stored message {message_id!r} on this instance")


def snapshot_status(message: Message) -> str:
    """The message's delivery state in the snapshot vocabulary: its furthest receipt; ``error`` is final."""
    best = "received" if message.direction == "incoming" else "pending"
    for recorded, _ in message.statuses:
        state = SNAPSHOT_OF.get(recorded, "sent")
        if message.direction == "incoming" and state in ("sent", "delivered"):
            state = "received"
        if state == "error":
            return state
        if SNAPSHOT_CODES[state] > SNAPSHOT_CODES[best]:
            best = state
    return best


def status_view(world: World, message: Message) -> dict[str, Any]:
    state = snapshot_status(message)
    return {"message_id": message.id, "status": state, "status_code": SNAPSHOT_CODES[state],
            "direction": "sent" if message.direction == "outgoing" else "received",
            "chat_jid": message.chat.jid, "timestamp": world.iso(message.timestamp)}


def decoded_size(encoded: str) -> int:
    """The byte count behind a padded base64 text, without decoding it."""
    return len(encoded) * 3 // 4 - len(encoded[-2:]) + len(encoded[-2:].rstrip("="))


def base64_view(inst: Instance, message_id: str) -> dict[str, Any]:
    """The stored file of a message, as kept (the exact bytes, base64-encoded)."""
    message = lookup(inst, message_id, literals.NO_MEDIA)
    media = message.media or {}
    if not media.get("base64"):
        raise ApiError(literals.NO_MEDIA, f"{message.id} carries no media")
    media_type = str(media.get("type", message.type))
    return {"message_id": message.id, "mime_type": media.get("mimeType", ""),
            "media_type": MEDIA_TYPE_OF.get(media_type, media_type), "base64": media["base64"]}


def _peer_to(inst: Instance, message: Message) -> str:
    """``to`` of a stored message: the chat we wrote to, or (incoming) us; a group message goes to the group."""
    if message.direction == "outgoing" or message.chat.type != "private":
        return message.chat.jid
    return inst.jid or ""


def item_view(world: World, inst: Instance, message: Message) -> dict[str, Any]:
    """A stored message as getMessage's ``data`` and each history item show it."""
    data: dict[str, Any] = {
        "id": message.id, "content": message.content, "type": message.type, "from": message.sender.jid,
        "to": _peer_to(inst, message), "chat": message.chat.jid, "senderJid": message.sender.jid,
        "fromMe": message.direction == "outgoing", "timestamp": world.iso(message.timestamp),
        "isGroup": message.chat.type == "group", "isForwarded": message.is_forwarded,
        "status": snapshot_status(message),
    }
    if message.media:
        data["media"] = _media_summary(message)
    return data


def _media_summary(message: Message) -> dict[str, Any]:
    media = message.media or {}
    media_type = str(media.get("type", message.type))
    summary: dict[str, Any] = {"type": MEDIA_TYPE_OF.get(media_type, media_type),
                               "mimeType": media.get("mimeType", ""),
                               "size": decoded_size(str(media.get("base64", "")))}
    for key in ("duration", "caption", "fileName"):
        if key in media:
            summary[key] = media[key]
    return summary


# --- history ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    chat_jid: str
    messages: list[Message]
    requested: int

    @property
    def has_more(self) -> bool:  # documented heuristic: a full page
        return len(self.messages) == self.requested


def parse_instant(raw: str | None, literal: ErrorLiteral) -> float | None:
    """An RFC 3339 instant (with its offset) as epoch seconds; ``None`` when absent."""
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(literal, f"{raw!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise ApiError(literal, f"{raw!r} has no UTC offset")
    return moment.timestamp()


def chat_key(inst: Instance, raw: str) -> str:
    """The JID a chat is indexed under (a known contact's @lid resolves to its phone JID); creates nothing."""
    parsed = parse_recipient(raw)
    return contact_key(inst, parsed) if parsed.kind in ("user", "lid") else str(jid.identity(parsed))


def history(inst: Instance, number: str, count: int | None, since: float | None, until: float | None) -> Page:
    """The chat's stored messages, newest first, at most ``count``, within ``[since, until]`` (inclusive,
    compared at whole seconds as the timestamps are shown)."""
    key = chat_key(inst, number)
    wanted = count if count and count > 0 else HISTORY_DEFAULT_COUNT
    found: list[Message] = []
    for message in _newest_first(inst, key):
        second = math.floor(message.timestamp)
        if until is not None and second > until:
            continue
        if since is not None and second < since:
            break  # the index is in time order: everything further is older still
        found.append(message)
        if len(found) == wanted:
            break
    return Page(key, found, wanted)


def _newest_first(inst: Instance, chat: str) -> Iterator[Message]:
    return reversed(inst.chat_messages.get(chat, {}).values())


# --- polls ------------------------------------------------------------------------------------
def _voter_number(inst: Instance, sender: str) -> str:
    """A voter as ``voteDetails`` prints it: the number without a domain, also when the vote's author shows
    as an @lid (a known contact's LID resolves to its phone)."""
    return jid.parse(contact_key(inst, jid.parse(sender))).user


def poll_result(world: World, inst: Instance, message_id: str) -> dict[str, Any]:
    """Votes on a poll this instance sent: each voter's latest choice (a new vote replaces the last)."""
    poll = inst.messages.get(message_id)
    if poll is None or "poll" not in poll.blocks or poll.direction != "outgoing":
        raise ApiError(literals.POLL_NOT_FOUND, f"{message_id!r} is not a poll this instance sent")
    latest: dict[str, Message] = {}
    for message in _newest_first(inst, poll.chat.jid):
        if message is poll:
            break  # votes come after their poll
        update = message.blocks.get("pollUpdate")
        if update and update.get("pollMessageId") == poll.id and message.sender.jid not in latest:
            latest[message.sender.jid] = message
    options = [o["name"] for o in poll.blocks["poll"]["options"]]
    counts = dict.fromkeys(options, 0)
    details: list[dict[str, Any]] = []
    for vote in sorted(latest.values(), key=lambda m: m.timestamp):
        for chosen in vote.blocks["pollUpdate"]["selectedOptions"]:
            counts[chosen["name"]] = counts.get(chosen["name"], 0) + 1
            details.append({"optionHash": chosen["hash"], "optionName": chosen["name"],
                            "senderJid": _voter_number(inst, vote.sender.jid), "voteMessageId": vote.id,
                            "createdAt": world.iso(vote.timestamp)})
    return {"messageId": poll.id, "name": poll.blocks["poll"]["title"],
            "votes": [{"optionName": name, "optionVoteCount": n} for name, n in counts.items()],
            "voteDetails": details}


# --- forward, edit, delete --------------------------------------------------------------------
def forward(world: World, inst: Instance, message_id: str, to: str) -> Message:
    """A new outgoing copy of a stored message, marked forwarded, through the send pipeline."""
    pipeline.require_connected(inst)
    original = lookup(inst, message_id)
    if original.type not in FORWARDABLE:
        raise ApiError(literals.unsupported_forward(FORWARD_REFUSED_AS.get(original.type, "interactive")),
                       f"{original.id} is a {original.type} message")
    draft = Draft(type=original.type, content=original.content, number=to,
                  media=dict(original.media) if original.media else None, blocks=dict(original.blocks),
                  forwarded=True)
    return pipeline.send(world, inst, draft)


def edit(world: World, inst: Instance, message_id: str, content: str) -> tuple[Message, str]:
    """Change the text of our own text message within the window; emits the ``message_edit`` exchange."""
    pipeline.require_connected(inst)
    original = lookup(inst, message_id)
    if original.direction != "outgoing" or original.type != "text":
        raise ApiError(literals.EDIT_NOT_OWN_TEXT, f"{original.id} is a {original.direction} {original.type}")
    if world.now() - original.timestamp > EDIT_WINDOW:
        raise ApiError(literals.EDIT_TOO_OLD, f"sent {world.now() - original.timestamp:.0f} s ago")
    old = original.content
    original.content = content
    emit_exchange(world, inst, Message(
        id=world.ids.message_id(), direction="outgoing", type="message_edit", content=content,
        timestamp=world.now(), chat=original.chat, sender=own_party(inst), recipient=original.recipient,
        source=original.source, edit={"original_id": original.id, "text": content}))
    return original, old


def delete(world: World, inst: Instance, message_id: str, for_everyone: bool) -> Message:
    """Revoke (for everyone: the ``message_revoke`` exchange under the revoked id) or delete for me
    (no event); either way the message leaves the store. Revokes always succeed (no window)."""
    pipeline.require_connected(inst)
    message = lookup(inst, message_id, literals.MESSAGE_NOT_FOUND_LOWER)
    forget(inst, message.id)
    if for_everyone:
        emit_exchange(world, inst, Message(
            id=message.id, direction="outgoing", type="message_revoke", content="", timestamp=world.now(),
            chat=message.chat, sender=own_party(inst), recipient=message.recipient, source="api"))
    return message
