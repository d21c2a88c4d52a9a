"""What only a mock does: the control plane, shared by ``/__mock__/*`` and the Python API.

These functions drive the world the way the phone, WhatsApp or the test author would; they never
bypass the rules the emulated API enforces.
"""

from __future__ import annotations

import json
from typing import Any

from mockryze.core import jid, literals, schemas
from mockryze.core.accounts import authenticate
from mockryze.core.bus import RecordedEvent
from mockryze.core.errors import ApiError
from mockryze.core.world import Account, World
from mockryze.events.delivery import Delivery, Dispatcher
from mockryze.instance import model as instances
from mockryze.instance.model import Instance
from mockryze.messages.model import Contact, Group, Message, parse_recipient


def account_for(world: World, token: str | None) -> Account:
    """The account a control call acts for: a TokenAccount / TokenInstance, or the default one."""
    return world.default_account if not token else authenticate(world, token).account


def add_account(world: World, token: str | None = None, instance_limit: int | None = None) -> Account:
    return world.add_account(token, instance_limit)


def scan(
    world: World, account: Account, name: str, number: str | None = None, push_name: str | None = None
) -> Instance:
    target = instances.find(account, name)
    instances.scan(world, target, number, push_name)
    return target


def set_state(world: World, account: Account, name: str, state: str) -> Instance:
    target = instances.find(account, name)
    instances.phone_side_change(world, target, state)
    return target


def events(world: World, account: Account, name: str | None = None, event: str | None = None) -> list[RecordedEvent]:
    return world.bus.records(account_token=account.token, instance=name or None, event=event or None)


# The virtual clock stays well inside what datetime can represent: every timestamp it stamps
# (ISO strings, timers due later) must stay renderable, whatever a test asks for.
LATEST_EPOCH = 221_845_392_000.0  # 9000-01-01T00:00:00Z


def move_clock(world: World, advance: float | None = None, freeze: bool | None = None) -> None:
    if advance and not world.now() + advance <= LATEST_EPOCH:  # also refuses inf and nan
        raise ApiError(literals.INVALID_BODY, f"advance: the clock cannot move past year 9000 (asked {advance})")
    if freeze is True:
        world.clock.freeze()
    elif freeze is False:
        world.clock.unfreeze()
    if advance:
        world.clock.advance(advance)
    world.run_due()


def instance_view(inst: Instance) -> dict[str, Any]:
    return {
        "name": inst.name, "status": inst.state.rest, "state": inst.state.value, "numberJid": inst.jid,
        "pushName": inst.push_name, "hasSession": inst.has_session,
    }


# --- deliveries and the capture inbox ---------------------------------------------------------
def deliveries(dispatcher: Dispatcher, account: Account, name: str | None = None, event: str | None = None,
               status: str | None = None) -> list[Delivery]:
    return dispatcher.journal(account_token=account.token, instance=name or None, event=event or None,
                                  status=status or None)


def redeliver(dispatcher: Dispatcher, account: Account, delivery_id: str) -> Delivery:
    found = dispatcher.get(delivery_id)
    if found is None or found.account_token != account.token:
        raise ApiError(literals.MOCK_DELIVERY_NOT_FOUND)
    return dispatcher.redeliver(delivery_id)


def capture(world: World, key: str, path: str, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
    """Record one request that arrived at the inbox (e.g. a webhook delivery)."""
    text = raw.decode("utf-8", "replace")
    try:
        body: Any = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        body = text
    item = {"receivedAt": world.iso(), "path": path, "headers": headers, "body": body}
    world.inboxes.setdefault(key, []).append(item)
    return item


def inject_event(world: World, account: Account, name: str, event: str, data: dict[str, Any]) -> RecordedEvent:
    """Emit any catalog event for an instance, after checking it against the event's schema."""
    target = instances.find(account, name)
    envelope = {"event": event, "data": data,
                "instanceData": {"baseUrl": world.base_url, "instance": target.name, "token": target.token}}
    try:
        schemas.validate_event(envelope)
    except schemas.SchemaViolation as exc:
        raise ApiError(literals.INVALID_BODY, str(exc)) from None
    return world.emit(target, event, data)


# --- simulated contacts -----------------------------------------------------------------------
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


def stored_messages(world: World, account: Account, name: str, direction: str | None = None,
                    chat: str | None = None) -> list[Message]:
    target = instances.find(account, name)
    chat_jid = str(jid.identity(parse_recipient(chat))) if chat else None
    return [m for m in target.messages.values()
            if (direction is None or m.direction == direction) and (chat_jid is None or m.chat.jid == chat_jid)]


def contact_view(contact: Contact) -> dict[str, Any]:
    return {"jid": contact.jid, "lid": contact.lid, "name": contact.name, "onWhatsApp": contact.on_whatsapp,
            "receipts": contact.receipts}


def group_view(group: Group) -> dict[str, Any]:
    return {"jid": group.jid, "subject": group.subject, "participants": list(group.participants),
            "admins": list(group.admins)}
