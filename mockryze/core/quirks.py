"""Quirks: every place where the live service, its docs and real clients disagree, switchable on its own.

Each quirk is one row of :data:`QUIRKS`: its name, what it changes, the values it takes (each with the
source it rests on: ``observed-live``, ``documented``, ``client-expects``, ``inferred``) and its value
in each profile. A profile (``--profile live|docs``) is only a named bundle of quirk values.

Values are resolved once per account into a frozen :class:`Quirks` (profile, then the server's
``--quirk NAME=VALUE`` / ``MOCKRYZE_QUIRKS``, then the account's own ``quirks``), so the send path
reads an attribute instead of parsing anything. Event builders ask :func:`event_layout`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mockryze.core import literals

if TYPE_CHECKING:
    from mockryze.core.world import Account, World

Layout = Literal["live", "docs"]
PROFILES: tuple[str, ...] = ("live", "docs")
ON, OFF = "on", "off"


@dataclass(frozen=True)
class Choice:
    """One value a quirk takes: what it means and what it rests on (a contract-table source label)."""

    value: str
    source: str
    means: str


@dataclass(frozen=True)
class Quirk:
    name: str
    changes: str  # what the quirk changes, for the README and GET /__mock__/quirks
    choices: tuple[Choice, ...]
    live: str  # its value in the live profile (the default)
    docs: str  # its value in the docs profile

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def default(self, profile: str) -> str:
        return self.docs if profile == "docs" else self.live


def _layout(live_source: str, live_means: str, docs_means: str) -> tuple[Choice, ...]:
    return (Choice("live", live_source, live_means), Choice("docs", "documented", docs_means))


QUIRKS: tuple[Quirk, ...] = (
    Quirk("instance_state_auth", "whether `instance.state` webhook deliveries carry the configured `Authorization`",
          (Choice(OFF, "observed-live", "`instance.state` deliveries arrive without `Authorization`"),
           Choice(ON, "documented", "every delivery carries the stored `authorization` as `Authorization`")),
          live=OFF, docs=ON),
    Quirk("message_layout", "the `message.exchange` payload layout",
          _layout("observed-live",
                  "flat: routing fields on `data`, `content` a string, media `mimeType`",
                  "catalog: everything in `data.message`, `content{text}`, media `mimetype`"),
          live="live", docs="docs"),
    Quirk("connect_status", "the `status` of a connect reply that carries a QR code",
          (Choice(literals.STATUS_QR["live"], "observed-live", "`status: \"qr_code_generated\"`"),
           Choice(literals.STATUS_QR["docs"], "documented", "`status: \"qr\"`")),
          live=literals.STATUS_QR["live"], docs=literals.STATUS_QR["docs"]),
    Quirk("qr_data_uri", "whether a connect reply's `qrCodeBase64` is a `data:image/png;base64,` URI",
          (Choice(OFF, "observed-live", "raw base64 PNG, no prefix"),
           Choice(ON, "documented", "a `data:image/png;base64,…` URI")),
          live=OFF, docs=ON),
    Quirk("unconfigured_websocket",
          "`GET /api/events/getWebsocket` on an instance whose WebSocket was never configured",
          (Choice("not_found", "documented", "404 `WebSocket not configured for this instance`"),
           Choice("empty", "client-expects", "200 `WebSocket configuration retrieved` with `websocket: {}`")),
          live="not_found", docs="not_found"),
    Quirk("reply_field", "whether a quoted reply's `message.exchange` carries `data.reply{message_id, text}`",
          (Choice(ON, "client-expects", "`data.reply` on quoted replies (absent when nothing is quoted)"),
           Choice(OFF, "documented", "no `data.reply`: the quote only in `message.context`")),
          live=ON, docs=OFF),
    Quirk("label_layout", "the `label.update` payload layout",
          _layout("client-expects", "as real clients parse it (`type`, `action`, string `labelId`)",
                  "as the vendor's event catalog prints it"),
          live="live", docs="docs"),
    Quirk("group_flow_layout", "the `group.flow` payload layout",
          _layout("client-expects", "`type` + participant objects `{jid, lid, name}` + `groupName`",
                  "as the vendor's event catalog prints it"),
          live="live", docs="docs"),
    Quirk("group_sender_jid", "the `sender.jid` of a group member's message (`message.exchange`, the message store)",
          (Choice("lid", "observed-live", "the member's `@lid` (`sender.lid` the same), as the live service shows "
                  "group authors"),
           Choice("phone", "documented", "the member's phone JID, its `@lid` in `sender.lid`")),
          live="lid", docs="phone"),
)
BY_NAME: dict[str, Quirk] = {quirk.name: quirk for quirk in QUIRKS}


@dataclass(frozen=True, slots=True)
class Quirks:
    """One account's resolved quirk values: one attribute per row of :data:`QUIRKS`, same order."""

    instance_state_auth: str
    message_layout: str
    connect_status: str
    qr_data_uri: str
    unconfigured_websocket: str
    reply_field: str
    label_layout: str
    group_flow_layout: str
    group_sender_jid: str

    def changed(self, overrides: Mapping[str, str]) -> Quirks:
        return dataclasses.replace(self, **overrides) if overrides else self

    def value(self, name: str) -> str:
        return str(getattr(self, name))


class QuirkError(ValueError):
    """An unknown quirk name or value, or a malformed ``NAME=VALUE``; the message says what is valid."""


def valid_names() -> str:
    return ", ".join(f"{quirk.name} ({'|'.join(quirk.values)})" for quirk in QUIRKS)


def checked(overrides: Mapping[str, Any]) -> dict[str, str]:
    """``overrides`` as ``{name: value}`` once every name and value is known; else :class:`QuirkError`."""
    for name, value in overrides.items():
        quirk = BY_NAME.get(name)
        if quirk is None:
            raise QuirkError(f"unknown quirk {name!r}; quirks: {valid_names()}")
        if value not in quirk.values:
            raise QuirkError(f"quirk {name} takes {' or '.join(quirk.values)}, not {value!r}")
    return {str(name): str(value) for name, value in overrides.items()}


def parse(text: str) -> dict[str, str]:
    """``"a=b,c=d"`` (``--quirk``, ``MOCKRYZE_QUIRKS``) checked; a later pair for a name wins."""
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise QuirkError(f"expected NAME=VALUE, not {part!r}; quirks: {valid_names()}")
        pairs[name.strip()] = value.strip()
    return checked(pairs)


def spec(overrides: Mapping[str, Any]) -> str:
    """The ``NAME=VALUE,…`` text of ``overrides`` (what ``MockRyze(quirks={...})`` becomes)."""
    return ",".join(f"{name}={value}" for name, value in overrides.items())


def explain(text: str) -> str | None:
    """Why ``text`` is not a valid quirk list (None when it is): the settings rule's reason."""
    try:
        parse(text)
    except QuirkError as error:
        return str(error)
    return None


def of_profile(profile: str) -> Quirks:
    return Quirks(**{quirk.name: quirk.default(profile) for quirk in QUIRKS})


def resolve(profile: str, text: str) -> Quirks:
    """The server-wide values: the profile's bundle, then the ``--quirk`` / ``MOCKRYZE_QUIRKS`` pairs."""
    return of_profile(profile).changed(parse(text))


# --- what event builders ask ------------------------------------------------------------------
EVENT_QUIRKS: dict[str, str] = {
    "message.exchange": "message_layout", "label.update": "label_layout", "group.flow": "group_flow_layout",
}


def event_layout(world: World, account: Account, event: str) -> Layout:
    """The payload layout ``event`` (``message.exchange``, ``label.update``, ``group.flow``…) takes for
    ``account``: ``live`` as observed on the service (or as clients parse it), ``docs`` as the vendor's
    event catalog prints it. An event without a quirk of its own follows the profile."""
    name = EVENT_QUIRKS.get(event)
    value = getattr(account.quirks, name) if name else world.settings.profile
    return "docs" if value == "docs" else "live"


# --- GET /__mock__/quirks ----------------------------------------------------------------------
def describe(account: Account, server: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each quirk with the account's value, where it came from, the alternatives and their sources."""
    own = account.quirk_overrides
    return [{
        "name": quirk.name, "value": account.quirks.value(quirk.name), "changes": quirk.changes,
        "setBy": "account" if quirk.name in own else "server" if quirk.name in server else "profile",
        "profiles": {"live": quirk.live, "docs": quirk.docs},
        "values": [{"value": c.value, "source": c.source, "means": c.means} for c in quirk.choices],
    } for quirk in QUIRKS]
