"""``group.flow``: what a group change looks like on webhooks and the WebSocket.

Two layouts (see :func:`mockryze.core.quirks.event_layout`): ``live`` (what clients read on the
service: ``type``, ``groupJid``, ``groupName``, participant objects ``{jid, lid, name}``) and ``docs``
(the vendor catalog's skeleton: ``action``, participant JIDs as strings, ``value`` for metadata).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockryze.core import quirks
from mockryze.core.world import World
from mockryze.instance.model import Instance
from mockryze.messages.model import Contact

if TYPE_CHECKING:
    from mockryze.groups.model import Group

# groupSettings key -> (event type, value field, value as WhatsApp states it)
SETTING_EVENTS: dict[str, tuple[str, str, bool]] = {
    "membersCanSendMessages": ("announce", "announce", True),  # announce = only admins send
    "membersCanEditInfo": ("locked", "locked", True),  # locked = only admins edit info
    "requireAdminApproval": ("join_approval", "joinApproval", False),
    "membersCanAddOthers": ("member_add_mode", "membersCanAddOthers", False),
}
VALUE_FIELDS = ("description", "announce", "locked", "joinApproval", "membersCanAddOthers", "pictureUrl",
                "inviteLink")


def entry(contact: Contact) -> dict[str, Any]:
    return {"jid": contact.jid, "lid": contact.lid, "name": contact.name}


def own_entry(inst: Instance) -> list[dict[str, Any]]:
    """The instance as a participant (nothing before it has a number)."""
    if not inst.jid:
        return []
    out: dict[str, Any] = {"jid": inst.jid}
    if inst.lid:
        out["lid"] = inst.lid
    out["name"] = inst.push_name
    return [out]


def emit(world: World, inst: Instance, group: Group, kind: str, participants: list[dict[str, Any]], *,
         author: str | None = None, **value: Any) -> None:
    layout = quirks.event_layout(world, inst.account, "group.flow")
    build = live if layout == "live" else docs
    world.emit(inst, "group.flow", build(world, group, kind, participants, author, value))


def emit_setting(world: World, inst: Instance, group: Group, key: str, allowed: bool, *, author: str | None) -> None:
    kind, field, inverted = SETTING_EVENTS[key]
    emit(world, inst, group, kind, [], author=author, **{field: (not allowed) if inverted else allowed})


def live(world: World, group: Group, kind: str, participants: list[dict[str, Any]], author: str | None,
         value: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "groupJid": group.jid, "groupName": group.subject,
                            "participants": participants}
    if author:
        data["author"] = author
    data["timestamp"] = world.iso()
    data.update(value)
    return data


def docs(world: World, group: Group, kind: str, participants: list[dict[str, Any]], author: str | None,
         value: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"groupJid": group.jid, "action": kind, "participants": [p["jid"] for p in participants]}
    if kind == "name":
        data["value"] = group.subject
    elif value:
        data["value"] = next(iter(value.values()))
    if author:
        data["author"] = author
    data["timestamp"] = world.iso()
    return data
