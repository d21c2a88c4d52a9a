"""What the profile routes do to the world: read and change the instance's own profile and privacy
settings, and look up another person's profile among the instance's contacts.

Every function checks everything before it changes anything and raises :class:`ApiError` with a
literal of :mod:`mockryze.core.literals` when it refuses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance
from mockryze.messages.model import Contact, contact_for, contact_key, parse_recipient
from mockryze.profile import model

PERSON_KINDS = ("user", "lid")  # a profile belongs to a person: a phone JID or a LID, not a group or channel


@dataclass(frozen=True)
class Person:
    """A profile as ``getAccount`` shows it: ``None`` = unknown, and the field is left out."""

    picture: str | None
    name: str | None = None
    about: str | None = None
    phone: str | None = None
    jid: str | None = None
    lid: str | None = None

    def view(self) -> dict[str, Any]:
        """``profilePicture`` is always there (``null`` without a picture); the rest only when known."""
        out: dict[str, Any] = {"profilePicture": self.picture}
        optional = (("profileName", self.name), ("profileStatus", self.about), ("phoneNumber", self.phone),
                    ("jid", self.jid), ("lid", self.lid))
        out.update({key: value for key, value in optional if value is not None})
        return out


def require_connected(inst: Instance) -> None:
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.PROFILE_NOT_CONNECTED, f"instance is {inst.state.rest}")


def own(inst: Instance) -> Person:
    profile = inst.profile
    return Person(profile.picture_url, profile.name or None, profile.about, inst.number, inst.jid, inst.lid or None)


def read_account(world: World, inst: Instance, number: str | None) -> Person:
    """The instance's own profile, or (``number``: a phone in any form, or a LID) a contact's."""
    require_connected(inst)
    if number is None:
        return own(inst)
    parsed = parse_recipient(number)
    if parsed.kind not in PERSON_KINDS:
        raise ApiError(literals.RECIPIENT_NOT_SUPPORTED, f"{parsed} is a {parsed.kind}, not a person")
    if contact_key(inst, parsed) in (inst.jid, inst.lid):
        return own(inst)
    contact = contact_for(world, inst, parsed)  # one person by phone JID or LID; a new number gets its contact
    if not contact.on_whatsapp:
        raise ApiError(literals.NOT_ON_WHATSAPP, f"{contact.jid} is not on WhatsApp")
    phone = contact.phone
    return Person(contact.picture, shown_name(contact), None, phone, contact.jid if phone else None,
                  contact.lid or None)


def shown_name(contact: Contact) -> str | None:
    """``profileName`` of a contact: a business account's business name, else its push name (the address
    book's name when no push name was set); None (left out) when empty."""
    push = contact.name if contact.push_name is None else contact.push_name
    return contact.business_name or push or None


def update_account(world: World, inst: Instance, body: Mapping[str, Any]) -> list[str]:
    """Change the own name / About / picture; returns the fields that really changed."""
    require_connected(inst)
    picture = body.get("profilePicture")
    if isinstance(picture, str) and picture.startswith("data:"):
        _check_data_url(picture)
    changed = model.update_account(inst.profile, body, lambda: model.picture_url(world.ids.digits))
    if changed:
        inst.updated_at = world.now()
    return changed


def _check_data_url(url: str) -> None:
    try:
        content = base64.b64decode(url.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(literals.INVALID_BODY, "profilePicture: the data: URL is not valid base64") from None
    if not content:
        raise ApiError(literals.INVALID_BODY, "profilePicture: the data: URL carries no image")


def read_privacy(inst: Instance) -> model.Privacy:
    require_connected(inst)
    return inst.profile.privacy


def update_privacy(world: World, inst: Instance, body: Mapping[str, Any]) -> model.Privacy:
    """Apply the settings a (validated) body names; the answer is the complete snapshot."""
    require_connected(inst)
    updated = inst.profile.privacy.updated(body)
    if updated != inst.profile.privacy:
        inst.profile.privacy = updated
        inst.updated_at = world.now()
    return updated
