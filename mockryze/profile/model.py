"""RyzeAPI's profile module, as a model: the instance's own WhatsApp profile (name, About text,
picture) and its privacy settings.

Pure data and rules: this file imports nothing of the instance or messages modules, so
:class:`mockryze.instance.model.Instance` can hold an :class:`OwnProfile`. What the routes do to the
world (the connection check, looking up a contact) is :mod:`mockryze.profile.actions`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_ABOUT = "Hey there! I am using WhatsApp."  # inferred: WhatsApp's About text until one is set
PICTURE_CDN = "https://pps.whatsapp.net/v/t61.24694-24/"


@dataclass(frozen=True)
class PrivacyField:
    """One privacy setting: where it sits in the documented object and the attribute that keeps it."""

    group: str  # visibility | privacy | permissions
    key: str  # its name inside the group, e.g. lastSeen
    attribute: str  # the Privacy attribute


PRIVACY_FIELDS: tuple[PrivacyField, ...] = (  # in the documented order; the value sets are in the schemas
    PrivacyField("visibility", "lastSeen", "last_seen"),
    PrivacyField("visibility", "status", "status"),
    PrivacyField("visibility", "profile", "profile"),
    PrivacyField("visibility", "online", "online"),
    PrivacyField("privacy", "readReceipts", "read_receipts"),
    PrivacyField("permissions", "callAdd", "call_add"),
    PrivacyField("permissions", "groupAdd", "group_add"),
)


@dataclass(frozen=True)
class Privacy:
    """The privacy settings; documented default for a fresh account: everything ``all``."""

    last_seen: str = "all"
    status: str = "all"
    profile: str = "all"
    online: str = "all"
    read_receipts: str = "all"
    call_add: str = "all"
    group_add: str = "all"

    def view(self) -> dict[str, dict[str, str]]:
        """The documented three sub-objects: ``visibility``, ``privacy``, ``permissions``."""
        out: dict[str, dict[str, str]] = {}
        for setting in PRIVACY_FIELDS:
            out.setdefault(setting.group, {})[setting.key] = getattr(self, setting.attribute)
        return out

    def updated(self, body: Mapping[str, Any]) -> Privacy:
        """These settings with the ones a (validated) body names changed; the others stay."""
        changes = {s.attribute: body[s.group][s.key] for s in PRIVACY_FIELDS
                   if isinstance(body.get(s.group), Mapping) and s.key in body[s.group]}
        return replace(self, **changes)


@dataclass
class OwnProfile:
    """What WhatsApp shows of the instance's own account."""

    name: str = ""  # the push name: set when the phone pairs, changed by POST /api/profile/account
    about: str = DEFAULT_ABOUT
    picture_url: str | None = None  # the temporary CDN URL WhatsApp serves the picture from; None: no picture
    picture_digest: str | None = None  # what was uploaded (SHA-256 of the source): the same upload is a no-op
    privacy: Privacy = field(default_factory=Privacy)


@dataclass(frozen=True)
class AccountField:
    """One field of ``POST /api/profile/account``: how it compares with and changes the profile."""

    key: str  # the body field, as it is listed in ``updatedFields``
    same: Callable[[OwnProfile, str], bool]
    apply: Callable[[OwnProfile, str, Callable[[], str]], None]  # the last argument mints a new CDN URL


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def _same_picture(profile: OwnProfile, source: str) -> bool:
    return profile.picture_url is None if source == "" else profile.picture_digest == _digest(source)


def _set_picture(profile: OwnProfile, source: str, new_url: Callable[[], str]) -> None:
    """``""`` removes the picture (documented); anything else is a new upload with a new CDN URL."""
    profile.picture_url = new_url() if source else None
    profile.picture_digest = _digest(source) if source else None


def _set_name(profile: OwnProfile, value: str, _: Callable[[], str]) -> None:
    profile.name = value


def _set_about(profile: OwnProfile, value: str, _: Callable[[], str]) -> None:
    profile.about = value


ACCOUNT_FIELDS: tuple[AccountField, ...] = (  # the documented order of the body's fields
    AccountField("profilePicture", _same_picture, _set_picture),
    AccountField("profileName", lambda p, v: p.name == v, _set_name),
    AccountField("profileStatus", lambda p, v: p.about == v, _set_about),
)


def update_account(profile: OwnProfile, body: Mapping[str, Any], new_url: Callable[[], str]) -> list[str]:
    """Apply a (validated) partial update; returns the fields that really changed (same value: no-op)."""
    changed = [f for f in ACCOUNT_FIELDS if f.key in body and not f.same(profile, body[f.key])]
    for account_field in changed:
        account_field.apply(profile, body[account_field.key], new_url)
    return [f.key for f in changed]


def picture_url(digits: Callable[[int], str]) -> str:
    """A WhatsApp profile-picture CDN URL (the server converts every upload to a 640x640 JPEG)."""
    return f"{PICTURE_CDN}{digits(9)}_{digits(15)}_{digits(16)}_n.jpg"
