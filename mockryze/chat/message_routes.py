"""HTTP face of the chat module's message actions: getMessage, history, base64, status, poll, forward,
edit and delete (``/api/chat/*``). Handlers parse, call :mod:`mockryze.chat.actions` and answer."""

from __future__ import annotations

from mockryze.chat import actions
from mockryze.core import literals
from mockryze.core.literals import (
    CONTENT_REQUIRED,
    EDIT_NOT_OWN_TEXT,
    EDIT_TOO_OLD,
    GROUP_NOT_FOUND,
    INVALID_BODY,
    INVALID_FROM_DATE,
    INVALID_NUMBER,
    INVALID_TO_DATE,
    MESSAGE_ID_QUERY_REQUIRED,
    MESSAGE_ID_REQUIRED,
    MESSAGE_ID_REQUIRED_DELETE,
    MESSAGE_ID_REQUIRED_GET,
    MESSAGE_NOT_FOUND,
    MESSAGE_NOT_FOUND_LOWER,
    MESSAGE_OTHER_INSTANCE,
    NO_MEDIA,
    NOT_CONNECTED,
    NOT_ON_WHATSAPP,
    NUMBER_REQUIRED,
    POLL_NOT_FOUND,
    RECIPIENT_NOT_SUPPORTED,
    TO_REQUIRED,
)
from mockryze.http.routing import Context, Endpoint, Handler, Result
from mockryze.instance.routes import ON_INSTANCE
from mockryze.messages import pipeline

CHAT_PATH = "/api/chat"
MESSAGE_ID_QUERY = {"messageId": "the WhatsApp message id (required)"}


def _message_id(ctx: Context, literal: literals.ErrorLiteral) -> str:
    return actions.require_id(ctx.query.get("messageId"), literal)


def get_message(ctx: Context) -> Result:
    pipeline.require_connected(ctx.target)
    message = actions.lookup(ctx.target, _message_id(ctx, MESSAGE_ID_REQUIRED_GET))
    return 200, {"success": True, "message": literals.MESSAGE_FOUND, "messageId": message.id,
                 "data": actions.item_view(ctx.world, ctx.target, message), "status": literals.STATUS_FOUND}


def history(ctx: Context) -> Result:
    body = ctx.body
    since = actions.parse_instant(body.get("from"), INVALID_FROM_DATE)
    until = actions.parse_instant(body.get("to"), INVALID_TO_DATE)
    page = actions.history(ctx.target, body["number"], body.get("count"), since, until)
    items = [actions.item_view(ctx.world, ctx.target, m) for m in page.messages]
    return 200, {"success": True, "message": literals.HISTORY_RETRIEVED, "chat_jid": page.chat_jid,
                 "messages": items, "count": len(items), "hasMore": page.has_more}


def media_base64(ctx: Context) -> Result:
    pipeline.require_connected(ctx.target)
    view = actions.base64_view(ctx.target, _message_id(ctx, MESSAGE_ID_QUERY_REQUIRED))
    return 200, {"success": True, "message": literals.BASE64_RETRIEVED, **view}


def message_status(ctx: Context) -> Result:
    message = actions.lookup_for_status(ctx.target, _message_id(ctx, MESSAGE_ID_QUERY_REQUIRED))
    return 200, {"success": True, "message": literals.MESSAGE_STATUS_RETRIEVED,
                 **actions.status_view(ctx.world, message)}


def poll(ctx: Context) -> Result:
    result = actions.poll_result(ctx.world, ctx.target, _message_id(ctx, MESSAGE_ID_QUERY_REQUIRED))
    return 200, {"success": True, "message": literals.POLL_VOTES_RETRIEVED, "messageId": result["messageId"],
                 "data": result}


def forward(ctx: Context) -> Result:
    body = ctx.body
    sent = actions.forward(ctx.world, ctx.target, body["messageId"], body["to"])
    return 200, {"success": True, "message": literals.MESSAGE_FORWARDED, "messageId": sent.id,
                 "originalId": body["messageId"], "destinationJid": sent.chat.jid}


def edit(ctx: Context) -> Result:
    body = ctx.body
    message, old = actions.edit(ctx.world, ctx.target, body["messageId"], body["content"])
    return 200, {"success": True, "message": literals.MESSAGE_EDITED, "messageId": message.id,
                 "chatJid": message.chat.jid, "oldContent": old, "newContent": message.content}


def delete(ctx: Context) -> Result:
    body = ctx.body
    everyone = bool(body.get("deleteForEveryone", False))
    message = actions.delete(ctx.world, ctx.target, body["messageId"], everyone)
    return 200, {"success": True,
                 "message": literals.DELETED_FOR_EVERYONE if everyone else literals.DELETED_FOR_ME,
                 "delete_type": "revoke" if everyone else "delete_for_me", "messageId": message.id,
                 "chat_jid": message.chat.jid}


# --- the route table --------------------------------------------------------------------------
RECIPIENT_ERRORS = (INVALID_NUMBER, NOT_ON_WHATSAPP, RECIPIENT_NOT_SUPPORTED, GROUP_NOT_FOUND)
UNFORWARDABLE = tuple(literals.unsupported_forward(kind) for kind in ("reaction", "poll", "interactive"))


def chat_route(method: str, name: str, handler: Handler, summary: str, errors: tuple[literals.ErrorLiteral, ...],
               *, body: bool = False, query: dict[str, str] | None = None, detailed: bool = False) -> Endpoint:
    return Endpoint(
        method, f"{CHAT_PATH}/{name}/:instance", handler, summary,
        request_schema=f"chat/{name}.request" if body else None,
        responses={200: f"chat/{name}.response"}, errors=(*ON_INSTANCE, *errors), query=query or {},
        detailed_body_errors=detailed,
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    chat_route("GET", "getMessage", get_message, "Fetch a stored message by id",
               (MESSAGE_ID_REQUIRED_GET, MESSAGE_NOT_FOUND, NOT_CONNECTED), query=MESSAGE_ID_QUERY),
    chat_route("POST", "history", history, "Stored messages of one chat, newest first",
               (INVALID_BODY, NUMBER_REQUIRED, INVALID_FROM_DATE, INVALID_TO_DATE, INVALID_NUMBER), body=True,
               detailed=True),
    chat_route("GET", "base64", media_base64, "A stored message's media, base64-encoded",
               (MESSAGE_ID_QUERY_REQUIRED, NO_MEDIA, NOT_CONNECTED), query=MESSAGE_ID_QUERY),
    chat_route("GET", "status", message_status, "Delivery status of one message",
               (MESSAGE_ID_QUERY_REQUIRED, MESSAGE_NOT_FOUND, MESSAGE_OTHER_INSTANCE), query=MESSAGE_ID_QUERY),
    chat_route("GET", "poll", poll, "Votes on a poll this instance sent",
               (MESSAGE_ID_QUERY_REQUIRED, POLL_NOT_FOUND), query=MESSAGE_ID_QUERY),
    chat_route("POST", "forward", forward, "Forward a stored message to one chat",
               (INVALID_BODY, MESSAGE_ID_REQUIRED, TO_REQUIRED, MESSAGE_NOT_FOUND, *RECIPIENT_ERRORS,
                *UNFORWARDABLE, NOT_CONNECTED), body=True),
    chat_route("POST", "edit", edit, "Edit a text message this instance sent (within 15 minutes)",
               (INVALID_BODY, MESSAGE_ID_REQUIRED, CONTENT_REQUIRED, EDIT_TOO_OLD, EDIT_NOT_OWN_TEXT,
                MESSAGE_NOT_FOUND, NOT_CONNECTED), body=True),
    chat_route("DELETE", "delete", delete, "Revoke a message for everyone, or delete it for me",
               (INVALID_BODY, MESSAGE_ID_REQUIRED_DELETE, MESSAGE_NOT_FOUND_LOWER, NOT_CONNECTED), body=True),
)
