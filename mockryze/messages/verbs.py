"""The messages module's mock-only verbs: simulated contacts, what contacts send the
instance (messages, receipts, calls) and the instance's message store."""

from __future__ import annotations

from typing import Any

from mockryze.chat import model as chats
from mockryze.core import literals
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_NUMBER, INVALID_TOKEN, NOT_CONNECTED
from mockryze.core.world import World
from mockryze.http.verbs import Call, Verb, listing, ok
from mockryze.messages import mock as simulate
from mockryze.messages import model as messages
from mockryze.messages.model import Contact, Message, parse_recipient
from mockryze.messages.pipeline import require_connected

ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, literals.TOKEN_INSTANCE_MISMATCH)


def message_view(world: World, message: Message) -> dict[str, Any]:
    """A stored message as the control plane shows it (what was sent / received, and its receipts)."""
    return {
        "id": message.id, "direction": message.direction, "type": message.type, "content": message.content,
        "timestamp": world.iso(message.timestamp), "chat": message.chat.jid, "chatType": message.chat.type,
        "sender": message.sender.jid, "source": message.source, "status": message.status,
        "statuses": [{"status": s, "at": world.iso(at)} for s, at in message.statuses],
        "media": message.media, "blocks": message.blocks, "context": message.context,
        "mentions": list(message.mentions), "edit": message.edit,
    }


def contact_view(contact: Contact) -> dict[str, Any]:
    return {"jid": contact.jid, "lid": contact.lid, "name": contact.name, "onWhatsApp": contact.on_whatsapp,
            "receipts": contact.receipts, "pushName": chats.contact_entry(contact)["push_name"],
            "businessName": contact.business_name, "picture": contact.picture}


def contact(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    target = call.target()
    found = messages.upsert_contact(call.world, target, args["number"], args.get("name"),
                                    args.get("onWhatsApp"), args.get("receipts"))
    chats.update_contact(target, found, args)
    return 200, ok("Contact saved", contact=contact_view(found))


def inbound(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    require_connected(target)
    if chats.drops_inbound(target, call.args["from"], call.args.get("group")):  # blocked: WhatsApp drops it
        return 200, {**ok("Dropped: the sender is blocked"), "ignored": True, "dropped": True}
    received = simulate.inbound(call.world, target, call.args)
    if received is None:
        return 200, {**ok("Ignored by the instance settings"), "ignored": True}
    return 201, {**ok("Message received"), "ignored": False, "data": message_view(call.world, received)}


def receipt(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    found = simulate.receipt(call.world, call.target(), args["messageId"], args["status"], args.get("from"))
    return 200, ok("Receipt sent", data=message_view(call.world, found))


def incoming_call(call: Call) -> tuple[int, dict[str, Any]]:
    return 201, ok("Call placed", call=simulate.call(call.world, call.target(), call.args))


def stored(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    direction, chat = call.args.get("direction"), call.args.get("chat")
    chat_jid = messages.contact_key(target, parse_recipient(chat)) if chat else None
    found = [m for m in target.messages.values()
             if (direction is None or m.direction == direction) and (chat_jid is None or m.chat.jid == chat_jid)]
    return 200, listing("messages", [message_view(call.world, m) for m in found])


VERBS: tuple[Verb, ...] = (
    Verb("contact", "POST", "/instances/{name}/contacts", contact,
         "A simulated contact: name, on WhatsApp or not, receipt behaviour", result="contact",
         request_schema="mock/contact.request", responses={200: "mock/contact.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER)),
    Verb("inbound", "POST", "/instances/{name}/inbound", inbound, "A contact sends the instance a message",
         result="data", request_schema="mock/inbound.request",
         responses={201: "mock/inbound.response", 200: "mock/inbound.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER, literals.GROUP_NOT_FOUND, literals.MESSAGE_NOT_FOUND,
                 NOT_CONNECTED)),
    Verb("receipt", "POST", "/instances/{name}/receipts", receipt, "A contact's receipt for a message",
         result="data", request_schema="mock/receipt.request", responses={200: "mock/receipt.response"},
         errors=(*ON_NAME, INVALID_BODY, literals.MESSAGE_NOT_FOUND, NOT_CONNECTED)),
    Verb("call", "POST", "/instances/{name}/calls", incoming_call, "A contact calls the instance (call.update)",
         result="call", request_schema="mock/call.request", responses={201: "mock/call.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER, literals.GROUP_NOT_FOUND, NOT_CONNECTED)),
    Verb("messages", "GET", "/instances/{name}/messages", stored, "The instance's stored messages",
         result="messages", responses={200: "mock/messages.response"}, errors=(*ON_NAME, INVALID_NUMBER),
         query={"direction": "incoming or outgoing", "chat": "only this chat (number or JID)"}),
)
