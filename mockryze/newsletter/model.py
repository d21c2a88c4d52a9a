"""RyzeAPI's newsletter module (WhatsApp Channels), as a model: the channels an instance knows and
the rules of create / list / info / join / leave.

An instance knows a channel because it created it (role ``owner``), follows it (``subscriber``) or
once looked it up or left it (no role: known, not followed). Channels someone else owns come from
the control plane. Every function raises :class:`ApiError` with a literal of
:mod:`mockryze.core.literals` when it refuses; a refusal changes nothing.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.ids import IdFactory
from mockryze.core.literals import ErrorLiteral
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance
from mockryze.messages import pipeline
from mockryze.messages.model import Message, Party

STATES = ("active", "suspended", "geosuspended")
ROLES = ("owner", "subscriber")
LINK_PREFIX = "https://whatsapp.com/channel/"
# A link: https://whatsapp.com/channel/<code> (scheme and www. optional); a code: letters and digits.
_LINK = re.compile(r"(?:https?://)?(?:www\.)?whatsapp\.com/channel/([A-Za-z0-9]+)/?")
_CODE = re.compile(r"[A-Za-z0-9]{1,64}")
_CODE_ALPHABET = string.digits + string.ascii_letters
INVITE_CODE_PREFIX, INVITE_CODE_TAIL = "0029Va", 18  # the shape of WhatsApp's channel invite codes


@dataclass
class NewsletterChannel:
    """A WhatsApp channel as one instance sees it."""

    jid: str  # <id>@newsletter
    name: str
    description: str
    invite_code: str  # case-sensitive
    created_at: float
    state: str = "active"  # active | suspended | geosuspended
    subscriber_count: int = 0
    picture_url: str | None = None
    role: str | None = None  # owner | subscriber | None (known, not followed)

    @property
    def invite_link(self) -> str:
        return LINK_PREFIX + self.invite_code

    @property
    def followed(self) -> bool:
        return self.role is not None

    def view(self) -> dict[str, Any]:
        """The documented NewsletterChannel: ``inviteLink`` only for its owner, ``pictureUrl`` when it has one."""
        view: dict[str, Any] = {"jid": self.jid, "state": self.state, "name": self.name,
                                "description": self.description}
        if self.role == "owner":
            view["inviteLink"] = self.invite_link
        view["subscriberCount"] = self.subscriber_count
        if self.picture_url:
            view["pictureUrl"] = self.picture_url
        return view


@dataclass(frozen=True)
class Identifier:
    """What ``identifier`` named: a JID, or a code (alone or inside a channel link)."""

    jid: str | None = None
    code: str | None = None

    def matches(self, channel: NewsletterChannel) -> bool:
        if self.jid is not None:
            return channel.jid == self.jid
        # A code is the invite code (case-sensitive) or the channel's numeric id (the docs' link example).
        return self.code in (channel.invite_code, channel.jid.removesuffix("@newsletter"))


# --- identifiers ------------------------------------------------------------------------------
def parse_identifier(raw: str | None, missing: ErrorLiteral) -> Identifier:
    """A JID ``…@newsletter``, a link ``https://whatsapp.com/channel/<code>`` or a bare code."""
    text = (raw or "").strip()
    if not text:
        raise ApiError(missing)
    if "@" in text:
        return Identifier(jid=_newsletter_jid(text))
    link = _LINK.fullmatch(text)
    if link:
        return Identifier(code=link.group(1))
    if _CODE.fullmatch(text):
        return Identifier(code=text)
    raise ApiError(literals.NEWSLETTER_INVALID_IDENTIFIER, f"{text[:80]!r} is neither a JID, a link nor a code")


def _newsletter_jid(text: str) -> str:
    try:
        parsed = jid.parse(text)
    except jid.InvalidRecipient as exc:
        raise ApiError(literals.NEWSLETTER_INVALID_IDENTIFIER, exc.reason) from None
    if parsed.kind != "newsletter":
        raise ApiError(literals.NEWSLETTER_INVALID_IDENTIFIER, f"a {parsed.kind} JID is not a channel")
    return str(parsed)


def lookup(inst: Instance, identifier: Identifier) -> NewsletterChannel | None:
    return next((c for c in inst.newsletters.values() if identifier.matches(c)), None)


# --- the routes' rules ------------------------------------------------------------------------
def require_connected(inst: Instance) -> None:
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.NEWSLETTER_NOT_CONNECTED, f"instance is {inst.state.rest}")


def create(world: World, inst: Instance, name: str, description: str = "") -> NewsletterChannel:
    """A new channel the instance owns (not idempotent: each call makes another)."""
    if not name.strip():
        raise ApiError(literals.NEWSLETTER_NAME_REQUIRED, "name is blank")
    require_connected(inst)
    channel = NewsletterChannel(jid=new_jid(world, inst), name=name, description=description,
                                invite_code=new_invite_code(world.ids, inst), created_at=world.now(),
                                role="owner")
    inst.newsletters[channel.jid] = channel
    return channel


def followed(inst: Instance) -> list[NewsletterChannel]:
    """The channels the instance owns or follows, in the order it came to know them."""
    return [c for c in inst.newsletters.values() if c.followed]


def info(inst: Instance, raw: str | None) -> NewsletterChannel:
    """Any channel the instance knows, followed or not (a preview before joining)."""
    identifier = parse_identifier(raw, literals.NEWSLETTER_IDENTIFIER_REQUIRED)
    require_connected(inst)
    channel = lookup(inst, identifier)
    if channel is None:
        raise ApiError(literals.NEWSLETTER_INFO_NOT_FOUND)
    return channel


def join(inst: Instance, raw: str | None) -> NewsletterChannel:
    """Follow a channel; following one already followed (or owned) changes nothing."""
    identifier = parse_identifier(raw, literals.NEWSLETTER_IDENTIFIER_FIELD_REQUIRED)
    require_connected(inst)
    channel = lookup(inst, identifier)
    if channel is None:
        raise ApiError(literals.NEWSLETTER_JOIN_NOT_FOUND)
    if channel.state != "active":
        raise ApiError(literals.newsletter_follow_failed(f"newsletter is {channel.state}"))
    if not channel.followed:
        channel.role = "subscriber"
        channel.subscriber_count += 1
    return channel


def leave(inst: Instance, raw: str | None) -> NewsletterChannel:
    """Stop following; the channel stays known (info still finds it) but is no longer listed.
    An owner only unsubscribes: the channel keeps existing."""
    identifier = parse_identifier(raw, literals.NEWSLETTER_IDENTIFIER_REQUIRED)
    require_connected(inst)
    channel = lookup(inst, identifier)
    if channel is None or not channel.followed:
        raise ApiError(literals.NEWSLETTER_NOT_FOUND, "the instance does not follow this channel")
    if channel.role == "subscriber":
        channel.subscriber_count = max(0, channel.subscriber_count - 1)
    channel.role = None
    return channel


# --- the control plane: a channel someone else owns --------------------------------------------
@dataclass(frozen=True)
class ForeignChannel:
    """What the control plane says about a channel someone else owns (None: seeded / Faker)."""

    name: str | None = None
    description: str | None = None
    jid: str | None = None
    invite_code: str | None = None
    state: str = "active"
    subscriber_count: int | None = None
    picture_url: str | None = None
    following: bool = False


def add_foreign(world: World, inst: Instance, spec: ForeignChannel) -> NewsletterChannel:
    """Make a channel someone else owns findable by the instance (by JID, link or code)."""
    channel_jid = _newsletter_jid(spec.jid) if spec.jid else new_jid(world, inst)
    if channel_jid in inst.newsletters or (spec.invite_code and lookup(inst, Identifier(code=spec.invite_code))):
        raise ApiError(literals.MOCK_NEWSLETTER_EXISTS)
    fake = world.faker()
    channel = NewsletterChannel(
        jid=channel_jid, name=spec.name if spec.name is not None else fake.company(),
        description=spec.description if spec.description is not None else fake.catch_phrase(),
        invite_code=spec.invite_code or new_invite_code(world.ids, inst), created_at=world.now(),
        state=spec.state, picture_url=spec.picture_url,
        subscriber_count=spec.subscriber_count if spec.subscriber_count is not None else fake.random_int(0, 5000),
    )
    inst.newsletters[channel.jid] = channel
    if spec.following:
        channel.role = "subscriber"
        channel.subscriber_count += 1
    return channel


def post(world: World, inst: Instance, raw: str, text: str | None) -> Message:
    """An admin of a channel the instance owns or follows posts a text: it arrives as an incoming
    ``message.exchange`` with ``chat.type: newsletter`` (the author hidden behind an ``@lid``)."""
    channel = lookup(inst, parse_identifier(raw, literals.NEWSLETTER_IDENTIFIER_FIELD_REQUIRED))
    if channel is None or not channel.followed:
        raise ApiError(literals.MOCK_NEWSLETTER_NOT_FOLLOWED)
    author = world.ids.lid()
    received = pipeline.receive(world, inst, sender=Party(author, channel.name, author),
                                chat=Party(channel.jid, channel.name, None, "newsletter"), type="text",
                                content=text if text is not None else world.faker().sentence())
    assert received is not None  # no instance setting ignores channel posts
    return received


# --- seeded identifiers -----------------------------------------------------------------------
def new_jid(world: World, inst: Instance) -> str:
    while True:
        candidate = f"120363{world.ids.digits(12)}@newsletter"
        if candidate not in inst.newsletters:
            return candidate


def new_invite_code(ids: IdFactory, inst: Instance) -> str:
    while True:
        number = ids.integer(108)
        tail = ""
        for _ in range(INVITE_CODE_TAIL):
            number, digit = divmod(number, len(_CODE_ALPHABET))
            tail += _CODE_ALPHABET[digit]
        code = INVITE_CODE_PREFIX + tail
        if lookup(inst, Identifier(code=code)) is None:
            return code
