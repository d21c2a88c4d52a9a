"""The chat module's mock-only verbs: seed a whole address book in one call, and read the chat state
(chats, labels, contacts) the emulated API only shows piecemeal."""

from __future__ import annotations

from typing import Any

from mockryze.chat import model
from mockryze.core import literals
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_NUMBER, INVALID_TOKEN
from mockryze.http.verbs import Call, Verb, listing, ok
from mockryze.messages import model as messages

ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, literals.TOKEN_INSTANCE_MISMATCH)


def address_book(call: Call) -> tuple[int, dict[str, Any]]:
    """Every entry is checked before the first is saved: a refused book changes nothing."""
    target, entries = call.target(), call.args["contacts"]
    for entry in entries:
        model.find_contact(target, entry["number"])
        if entry.get("lid"):
            model.lid_of(entry["lid"])
    saved = []
    for entry in entries:
        contact = messages.upsert_contact(call.world, target, entry["number"], entry.get("name"),
                                          entry.get("onWhatsApp"), entry.get("receipts"))
        model.update_contact(target, contact, entry)
        saved.append(model.contact_view(contact))
    return 200, {**ok("Address book saved"), "count": len(saved), "contacts": saved}


def chats(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    return 200, listing("chats", [model.chat_view(call.world, target, c) for c in target.chats.chats.values()])


def labels(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("labels", [label.view() for label in call.target().chats.labels.values()])


def contacts(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    return 200, listing("contacts", [model.contact_view(c) for c in target.contacts.values()])


VERBS: tuple[Verb, ...] = (
    Verb("address_book", "POST", "/instances/{name}/addressBook", address_book,
         "Seed the instance's address book: many contacts in one call", result="contacts",
         request_schema="mock/addressBook.request", responses={200: "mock/addressBook.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER)),
    Verb("chats", "GET", "/instances/{name}/chats", chats,
         "The instance's chats: archived, pinned, favorite, muted, unread, labels, presence, blocked",
         result="chats", responses={200: "mock/chats.response"}, errors=ON_NAME),
    Verb("labels", "GET", "/instances/{name}/labels", labels, "The instance's labels (deleted ones included)",
         result="labels", responses={200: "mock/labels.response"}, errors=ON_NAME),
    Verb("contacts", "GET", "/instances/{name}/contacts", contacts,
         "The instance's contacts, as the address book and the simulation know them", result="contacts",
         responses={200: "mock/contacts.response"}, errors=ON_NAME),
)
