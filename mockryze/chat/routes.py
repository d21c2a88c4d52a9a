"""HTTP face of RyzeAPI's chat module, chat state: contacts, labels (tags), archive, read marks, pin,
favorite, mute, block, presence and delete-chat (``/api/chat/*``).

The message routes of the same module (getMessage, history, base64, status, poll, forward, edit,
delete) live in :mod:`mockryze.chat.message_routes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockryze.chat import model
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import (
    GROUPS_NOT_BLOCKABLE,
    INVALID_DURATION,
    INVALID_NUMBER,
    INVALID_STATE,
    MESSAGE_ID_REQUIRED,
    MESSAGE_NOT_FOUND,
    NOT_CONNECTED,
    NUMBER_OR_MESSAGE_ID_REQUIRED,
    NUMBER_QUERY_REQUIRED,
    NUMBER_REQUIRED,
    PIN_LIMIT,
    SENDER_REQUIRED_IN_GROUPS,
    STATE_REQUIRED,
    TAG_ID_QUERY_REQUIRED,
    TAG_ID_REQUIRED,
    TAG_NAME_REQUIRED,
    TAG_NOT_FOUND,
    ErrorLiteral,
)
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.model import Instance
from mockryze.instance.routes import ON_INSTANCE
from mockryze.messages.model import find_message
from mockryze.messages.pipeline import require_connected

TRUE_WORDS = frozenset({"true", "1"})  # a query flag (Go's ParseBool also takes t / T / TRUE)


def connected(ctx: Context) -> Instance:
    inst = ctx.target
    require_connected(inst)
    return inst


def query_value(ctx: Context, name: str, missing: ErrorLiteral | None = None) -> str | None:
    """A query parameter, stripped; empty counts as absent (refused with ``missing`` when given)."""
    value = (ctx.query.get(name) or "").strip()
    if not value and missing is not None:
        raise ApiError(missing, f"?{name}= is missing or empty")
    return value or None


def query_list(ctx: Context, name: str) -> list[str] | None:
    raw = ctx.query.get(name)
    return None if raw is None else [part.strip() for part in raw.split(",") if part.strip()]


def ok(message: str, **fields: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"success": True, "message": message, **fields}


# --- contacts ---------------------------------------------------------------------------------
def contacts(ctx: Context) -> Result:
    inst = ctx.target  # the local contact store: no WhatsApp traffic, no connection needed
    number = query_value(ctx, "number")
    if number is None:
        listed = [model.contact_entry(c) for c in inst.contacts.values()]
        return ok(literals.CONTACTS_RETRIEVED, contacts=listed, total=len(listed))
    key, found = model.find_contact(inst, number)
    return ok(literals.CONTACT_RETRIEVED, contact=model.contact_entry(found) if found else model.unknown_entry(key))


def contacts_by_label(ctx: Context) -> Result:
    refresh = (ctx.query.get("refresh") or "").strip().lower() in TRUE_WORDS
    inst = connected(ctx) if refresh else ctx.target
    wanted, chats = model.chats_with_labels(inst, query_list(ctx, "labelIds"), query_list(ctx, "labelNames"))
    labels = inst.chats.labels
    rows = [{"chat_jid": chat.jid, "type": chat.kind,
             "labels": [labels[i].view() for i in chat.labels if not wanted or i in wanted]} for chat in chats]
    return ok(literals.CHATS_BY_LABEL_RETRIEVED, chats=rows, total_chats=len(rows),
              total_rows=sum(len(r["labels"]) for r in rows), refreshed=refresh, filter_label_ids=wanted)


# --- labels -----------------------------------------------------------------------------------
def list_tags(ctx: Context) -> Result:
    tags = [label.view() for label in connected(ctx).chats.labels.values()]
    return ok(literals.TAGS_RETRIEVED, tags=tags, total=len(tags))


def create_tag(ctx: Context) -> Result:
    label = model.create_label(ctx.world, connected(ctx), ctx.body["name"], ctx.body.get("color", 0))
    return ok(literals.TAG_CREATED, tag=label.view())


def delete_tag(ctx: Context) -> Result:
    inst = connected(ctx)
    label = model.delete_label(ctx.world, inst, str(query_value(ctx, "tagId", TAG_ID_QUERY_REQUIRED)))
    return ok(literals.TAG_DELETED, tag={"id": label.id, "name": "", "color": 0, "type": "", "deleted": True})


def assign_tag(ctx: Context) -> Result:
    label = model.label_chat(ctx.world, connected(ctx), ctx.body["number"], ctx.body["tagId"], True)
    return ok(literals.TAG_ASSIGNED, tag_id=label.id)


def unassign_tag(ctx: Context) -> Result:
    inst = connected(ctx)
    number = str(query_value(ctx, "number", NUMBER_QUERY_REQUIRED))
    label = model.label_chat(ctx.world, inst, number, str(query_value(ctx, "tagId", TAG_ID_QUERY_REQUIRED)), False)
    return ok(literals.TAG_REMOVED, tag_id=label.id)


# --- chat state -------------------------------------------------------------------------------
def archive(ctx: Context) -> Result:
    chat = model.chat_for(connected(ctx), ctx.body["number"])
    chat.archived = bool(ctx.body.get("archive", False))
    return ok(literals.CHAT_ARCHIVED[chat.archived], chat_jid=chat.jid, archived=chat.archived)


def mark_read(ctx: Context) -> Result:
    inst, body = connected(ctx), ctx.body
    key, kind = model.chat_address(inst, body["number"])
    if kind == "group" and not body.get("sender"):
        raise ApiError(SENDER_REQUIRED_IN_GROUPS)
    model.mark_read(ctx.world, inst, model.chat_for(inst, key), body["messageId"])
    return ok(literals.MESSAGE_MARKED_READ, message_id=body["messageId"], chat_jid=key)


def mark_chat_read(ctx: Context) -> Result:
    chat = model.chat_for(connected(ctx), ctx.body["number"])
    read = bool(ctx.body.get("read", False))
    model.mark_chat(chat, read)
    return ok(literals.CHAT_MARKED[read], chat_jid=chat.jid, read=read)


def pin(ctx: Context) -> Result:
    inst = connected(ctx)
    chat = model.chat_for(inst, ctx.body["number"])
    model.set_pinned(inst, chat, bool(ctx.body.get("pin", False)))
    return ok(literals.CHAT_PINNED[chat.pinned], chat_jid=chat.jid, pinned=chat.pinned)


def favorite(ctx: Context) -> Result:
    inst, body = connected(ctx), ctx.body
    on = bool(body.get("favorite", False))
    if body.get("messageId"):  # documented: messageId wins when both are sent
        message = find_message(inst, body["messageId"])
        (inst.chats.favorite_messages.add if on else inst.chats.favorite_messages.discard)(message.id)
        return ok(literals.FAVORITE_SET["message", on], type="message", message_id=message.id,
                  chat_jid=message.chat.jid, favorite=on)
    if not body.get("number"):
        raise ApiError(NUMBER_OR_MESSAGE_ID_REQUIRED)
    chat = model.chat_for(inst, body["number"])
    chat.favorite = on
    return ok(literals.FAVORITE_SET["chat", on], type="chat", chat_jid=chat.jid, favorite=on)


def mute(ctx: Context) -> Result:
    chat = model.chat_for(connected(ctx), ctx.body["number"])
    on = bool(ctx.body.get("mute", False))
    seconds, message = model.mute(ctx.world, chat, on, ctx.body.get("duration"))
    return ok(message, chat_jid=chat.jid, muted=on, duration=seconds)


def block(ctx: Context) -> Result:
    inst = connected(ctx)
    on = bool(ctx.body.get("block", False))
    key = model.block(inst, ctx.body["number"], on)
    return ok(literals.CONTACT_BLOCKED[on], contact_jid=key, blocked_count=len(inst.chats.blocked), blocked=on)


def presence(ctx: Context) -> Result:
    inst, body = connected(ctx), ctx.body
    raw = str(body.get("state") or "").strip().lower()
    if not raw:
        raise ApiError(STATE_REQUIRED)
    state = model.PRESENCE_STATES.get(raw)
    if state is None:
        raise ApiError(INVALID_STATE, f"state {raw!r}")
    duration = min(max(int(body.get("duration") or 0), 0), model.PRESENCE_MAX_SECONDS) if state != "pause" else 0
    chat = model.chat_for(inst, body["number"])
    model.set_presence(ctx.world, chat, state, duration)
    return ok(literals.PRESENCE_SENT, chat_jid=chat.jid, state=state, duration=duration)


def delete_chat(ctx: Context) -> Result:
    inst = connected(ctx)
    key, _ = model.chat_address(inst, ctx.body["number"])
    media = bool(ctx.body.get("deleteMedia", False))
    model.delete_chat(inst, key, media)
    return ok(literals.CHAT_DELETED[media], chat_jid=key, delete_media=media)


# --- the route table --------------------------------------------------------------------------
PREFIX = "/api/chat"
STATE_ERRORS = (*ON_INSTANCE, NUMBER_REQUIRED, INVALID_NUMBER, NOT_CONNECTED)


def chat_route(method: str, name: str, handler: Callable[[Context], Result], summary: str,
               errors: tuple[ErrorLiteral, ...] = (), *, body: bool = True, detailed: bool = True,
               query: dict[str, str] | None = None, base: tuple[ErrorLiteral, ...] = STATE_ERRORS,
               schema: str | None = None) -> Endpoint:
    """One chat-state route: ``schemas/chat/<schema>.request`` (when it takes a body) and ``.response``
    (``schema`` defaults to the path's name)."""
    schema = schema or name
    return Endpoint(method, f"{PREFIX}/{name}/:instance", handler, summary,
                    request_schema=f"chat/{schema}.request" if body else None,
                    responses={200: f"chat/{schema}.response"}, errors=(*base, *errors),
                    detailed_body_errors=body and detailed, query=query or {})


NUMBER_QUERY = {"number": "phone or JID (…@s.whatsapp.net, …@lid)"}
TAG_QUERY = {"tagId": "label id"}

ENDPOINTS: tuple[Endpoint, ...] = (
    chat_route("GET", "contacts", contacts, "List the synced contacts, or look one up with ?number=",
               body=False, query={"number": "phone or JID (…@s.whatsapp.net, …@lid): only that contact"},
               base=(*ON_INSTANCE, INVALID_NUMBER)),
    chat_route("GET", "contactsByLabel", contacts_by_label, "Chats that carry labels", body=False,
               query={"labelIds": "comma-separated label ids", "labelNames": "comma-separated names (any case)",
                      "refresh": "true: re-sync labels from WhatsApp first (needs a connection)"},
               base=(*ON_INSTANCE, NOT_CONNECTED)),
    chat_route("GET", "tag", list_tags, "List labels (tags)", body=False, schema="tags",
               base=(*ON_INSTANCE, NOT_CONNECTED)),
    chat_route("POST", "tag", create_tag, "Create a label (tag)", (TAG_NAME_REQUIRED,),
               base=(*ON_INSTANCE, NOT_CONNECTED)),
    chat_route("DELETE", "tag", delete_tag, "Delete a label (and take it off every chat)",
               (TAG_ID_QUERY_REQUIRED, TAG_NOT_FOUND), body=False, query=TAG_QUERY, schema="deleteTag",
               base=(*ON_INSTANCE, NOT_CONNECTED)),
    chat_route("POST", "assignTag", assign_tag, "Put a label on a chat", (TAG_ID_REQUIRED, TAG_NOT_FOUND)),
    chat_route("DELETE", "assignTag", unassign_tag, "Take a label off a chat",
               (NUMBER_QUERY_REQUIRED, TAG_ID_QUERY_REQUIRED, TAG_NOT_FOUND), body=False,
               query={**NUMBER_QUERY, **TAG_QUERY}, schema="unassignTag",
               base=(*ON_INSTANCE, INVALID_NUMBER, NOT_CONNECTED)),
    chat_route("POST", "archive", archive, "Archive or unarchive a chat"),
    chat_route("POST", "markRead", mark_read, "Send the read receipt for one message",
               (MESSAGE_ID_REQUIRED, SENDER_REQUIRED_IN_GROUPS)),
    chat_route("POST", "markChatRead", mark_chat_read, "Mark a whole chat read or unread"),
    chat_route("POST", "pin", pin, "Pin or unpin a chat (at most 3 pinned)", (PIN_LIMIT,)),
    chat_route("POST", "pinChat", pin, "Pin or unpin a chat (alias of /pin)", (PIN_LIMIT,), schema="pin"),
    chat_route("POST", "favorite", favorite, "Favorite (star) a chat or a message",
               (NUMBER_OR_MESSAGE_ID_REQUIRED, MESSAGE_NOT_FOUND)),
    chat_route("POST", "mute", mute, "Mute a chat (8 hours, 1 week, forever) or unmute it", (INVALID_DURATION,)),
    chat_route("POST", "block", block, "Block or unblock a contact", (GROUPS_NOT_BLOCKABLE,), detailed=False),
    chat_route("POST", "presence", presence, "Show typing / recording in a chat, or pause",
               (STATE_REQUIRED, INVALID_STATE), detailed=False),
    chat_route("DELETE", "deleteChat", delete_chat, "Delete a chat (and optionally its stored media)",
               detailed=False),
)
