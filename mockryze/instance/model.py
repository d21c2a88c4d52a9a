"""RyzeAPI's instance module, as a model: instances, their configuration blocks and lifecycle.

Every function takes the world and plain values, enforces the documented rules and raises
:class:`ApiError` with the catalog literal when it refuses. A refusal never changes anything:
all checks run before the first mutation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockryze.chatwoot.config import ChatwootConfig
from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.world import Account, World
from mockryze.events.config import DEFAULT_LABEL, Webhook, WebSocketConfig
from mockryze.instance.config import ProxyConfig, S3Config, Settings
from mockryze.instance.lifecycle import PHONE_SIDE_TRIGGERS, IllegalTransition, State, next_state
from mockryze.profile.model import OwnProfile

if TYPE_CHECKING:
    from mockryze.chat.model import ChatBook
    from mockryze.groups.model import Group
    from mockryze.messages.model import Contact, Message
    from mockryze.newsletter.model import NewsletterChannel

DISPLAY_STATUS = {
    State.DISCONNECTED: "Disconnected",
    State.WAITING: "Waiting for QR code scan",
    State.CONNECTING: "Connecting",
    State.CONNECTED: "Online",
    State.LOGGED_OUT: "Logged out",
    State.TEMP_BANNED: "Temporarily banned",
}


@dataclass
class Pending:
    """A connect attempt waiting for the phone: a QR code or a pairing code."""

    kind: str  # "qr" | "pairing"
    code: str
    number: str | None


@dataclass
class Instance:
    id: str
    name: str
    token: str
    account: Account
    created_at: float
    updated_at: float
    state: State = State.DISCONNECTED
    has_session: bool = False
    number: str | None = None
    pending: Pending | None = None
    attempt: int = 0  # bumped by every lifecycle change; stale timers compare against it
    settings: Settings = field(default_factory=Settings)
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    s3: S3Config = field(default_factory=S3Config)
    webhooks: dict[str, Webhook] = field(default_factory=dict)  # label -> row
    websocket: WebSocketConfig | None = None  # None until configured: getWebsocket answers 404
    chatwoot: ChatwootConfig = field(default_factory=ChatwootConfig)
    # What the messages module keeps per instance.
    messages: dict[str, Message] = field(default_factory=dict)  # message id -> Message, oldest first
    contacts: dict[str, Contact] = field(default_factory=dict)  # canonical JID -> Contact
    contact_lids: dict[str, str] = field(default_factory=dict)  # a contact's LID -> its canonical JID
    groups: dict[str, Group] = field(default_factory=dict)  # group JID -> Group
    lid: str = ""  # the instance's own hidden id, set when it pairs
    profile: OwnProfile = field(default_factory=OwnProfile)  # own name, About, picture, privacy settings

    @property
    def push_name(self) -> str:
        """The WhatsApp display name: the profile's name (one source)."""
        return self.profile.name

    @push_name.setter
    def push_name(self, value: str) -> None:
        self.profile.name = value
    # The chat module's history index: chat JID -> that chat's stored messages (id -> Message), oldest first.
    chat_messages: dict[str, dict[str, Message]] = field(default_factory=dict)
    chats: ChatBook = field(default_factory=lambda: _new_chat_book())  # the chat module's state
    newsletters: dict[str, NewsletterChannel] = field(default_factory=dict)  # channel JID -> what it knows

    @property
    def jid(self) -> str | None:
        return f"{self.number}@s.whatsapp.net" if self.number else None

    @property
    def presence(self) -> str:
        return "available" if self.state is State.CONNECTED else "unavailable"

    @property
    def display_status(self) -> str:
        return DISPLAY_STATUS[self.state]

    def view(self, world: World) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "token": self.token, "status": self.state.rest,
            "numberJid": self.jid, "createdAt": world.iso(self.created_at), "updatedAt": world.iso(self.updated_at),
        }

    def list_item(self, world: World) -> dict[str, Any]:
        """As ``GET /api/instance/list`` shows it: every configuration block, no secrets."""
        default_webhook = self.webhooks.get(DEFAULT_LABEL)
        return {
            **self.view(world),
            "connection": {
                "state": self.state.rest, "numberJid": self.jid,
                "presenceStatus": self.presence, "displayStatus": self.display_status,
            },
            "profile": {"name": self.profile.name, "pictureUrl": self.profile.picture_url or "", "isBusiness": False,
                        "businessName": ""},
            "webhook": default_webhook.summary() if default_webhook else {"enabled": False},
            "websocket": (self.websocket or WebSocketConfig()).view(),
            "chatwoot": self.chatwoot.view(),
            "proxy": self.proxy.view(),
            "settings": self.settings.view(),
            "s3": self.s3.view(),
        }


def _new_chat_book() -> ChatBook:
    from mockryze.chat.model import ChatBook  # the chat module builds on this one: imported when first needed

    return ChatBook()


# --- the inline blocks of POST /api/instance/new ----------------------------------------------
class ConfigBlock(Protocol):
    def view(self) -> dict[str, Any]: ...


class InlineKind(Protocol):
    """A configuration block's type, as the inline table needs it."""

    INLINE: Mapping[str, str]  # create-body field -> the block's own field

    def from_inline(self, values: Mapping[str, Any], /) -> ConfigBlock: ...


def _itself(block: Any) -> Any:
    return block


def view_of(block: ConfigBlock) -> dict[str, Any]:
    return block.view()


@dataclass(frozen=True)
class InlineSlot:
    """One inline block: its type, where it lands on the Instance, and how create echoes it."""

    kind: InlineKind
    attribute: str
    store: Callable[[Any], Any] = _itself
    echo: Callable[[Any], dict[str, Any]] = view_of

    def put(self, instance: Instance, block: ConfigBlock) -> None:
        setattr(instance, self.attribute, self.store(block))


INLINE_BLOCKS: dict[str, InlineSlot] = {  # in the order create echoes them
    "proxy": InlineSlot(ProxyConfig, "proxy"),
    "webhook": InlineSlot(Webhook, "webhooks", store=lambda row: {row.label: row}),
    "websocket": InlineSlot(WebSocketConfig, "websocket"),
    "chatwoot": InlineSlot(ChatwootConfig, "chatwoot"),
    "s3": InlineSlot(S3Config, "s3", echo=S3Config.echo),
    "settings": InlineSlot(Settings, "settings"),
}


# --- lookup -----------------------------------------------------------------------------------
def find(account: Account, name: str) -> Instance:
    if not name:
        raise ApiError(literals.INSTANCE_NAME_REQUIRED)
    instance = account.instances.get(name)
    if instance is None:
        raise ApiError(literals.INSTANCE_NOT_FOUND)
    return instance


# --- create / delete --------------------------------------------------------------------------
def create(world: World, account: Account, body: Mapping[str, Any]) -> tuple[Instance, dict[str, ConfigBlock]]:
    """Create an instance from a validated body; returns it and the inline blocks it was sent."""
    name = body["name"]
    custom_token = body.get("token")
    if name in account.instances:
        raise ApiError(literals.INSTANCE_NAME_TAKEN)
    if custom_token is not None and world.token_in_use(custom_token):
        raise ApiError(literals.TOKEN_IN_USE)
    if len(account.instances) >= account.instance_limit:
        raise ApiError(literals.QUOTA_EXCEEDED)

    now = world.now()
    instance = Instance(
        id=world.ids.uuid(), name=name, token=custom_token or world.ids.token(world.token_in_use),
        account=account, created_at=now, updated_at=now,
    )
    blocks = inline_blocks(body)
    for block_name, block in blocks.items():
        INLINE_BLOCKS[block_name].put(instance, block)
    account.instances[name] = instance
    world.register_token(instance)
    return instance, blocks


def inline_blocks(body: Mapping[str, Any]) -> dict[str, ConfigBlock]:
    """The configuration blocks a create body mentions, built from their inline fields."""
    blocks: dict[str, ConfigBlock] = {}
    for block_name, slot in INLINE_BLOCKS.items():
        values = {inner: body[outer] for outer, inner in slot.kind.INLINE.items() if outer in body}
        if values:
            blocks[block_name] = slot.kind.from_inline(values)
    return blocks


def delete(world: World, instance: Instance) -> None:
    if instance.state is State.CONNECTED:
        _emit_states(world, instance, ("logged_out",))  # the docs: logs out first if connected
    instance.attempt += 1
    del instance.account.instances[instance.name]
    world.forget_token(instance)


# --- configuration ----------------------------------------------------------------------------
def update_settings(world: World, instance: Instance, changes: Mapping[str, Any]) -> None:
    instance.settings = instance.settings.updated(changes)
    instance.updated_at = world.now()


def update_proxy(world: World, instance: Instance, body: Mapping[str, Any]) -> None:
    instance.proxy = ProxyConfig.from_body(body)
    instance.updated_at = world.now()


def update_s3(world: World, instance: Instance, body: Mapping[str, Any]) -> None:
    instance.s3 = S3Config.from_body(body)
    instance.updated_at = world.now()


# --- lifecycle --------------------------------------------------------------------------------
def connect(world: World, instance: Instance, number: str | None = None) -> Pending | None:
    """Start a connect attempt (QR, or pairing code when ``number`` is given).

    Returns the pending code, or None when the instance is already connected.
    """
    if number is not None:
        number = parse_phone(number)
    if instance.state is State.CONNECTED:
        return None
    trigger = "connect_pairing" if number else "connect_qr"
    kind = "pairing" if number else "qr"
    code = world.ids.pairing_code() if number else world.ids.qr_payload()
    _transition(world, instance, trigger, pending=Pending(kind, code, number))
    _schedule_attempt_timers(world, instance)
    return instance.pending


def _schedule_attempt_timers(world: World, instance: Instance) -> None:
    attempt = instance.attempt
    settings = world.settings

    def still_waiting() -> bool:
        return instance.attempt == attempt and instance.state is State.WAITING

    def rotate() -> None:
        if still_waiting() and instance.pending and instance.pending.kind == "qr":
            instance.pending.code = world.ids.qr_payload()
            _emit_states(world, instance, ("qr_ready",))
            world.schedule(settings.qr_rotate_seconds, rotate)

    def expire() -> None:
        if still_waiting():
            _transition(world, instance, "attempt_expired")

    def auto_scan() -> None:
        if still_waiting():
            scan(world, instance)

    if settings.qr_rotate_seconds > 0 and settings.qr_rotate_seconds < settings.qr_timeout_seconds:
        world.schedule(settings.qr_rotate_seconds, rotate)
    world.schedule(settings.qr_timeout_seconds, expire)
    if settings.auto_scan:
        world.schedule(settings.auto_scan_delay, auto_scan)


def scan(world: World, instance: Instance, number: str | None = None, push_name: str | None = None) -> None:
    """The phone scans the QR code / types the pairing code."""
    if instance.state is not State.WAITING or instance.pending is None:
        raise ApiError(literals.MOCK_NOTHING_PENDING, f"instance is {instance.state.rest}; call connect first")
    number = parse_phone(number) if number is not None else instance.pending.number
    if number is None or push_name is None:
        fake = world.faker()
        number = number or fake.msisdn()
        push_name = push_name if push_name is not None else fake.name()
    instance.number = number
    instance.push_name = push_name
    instance.lid = instance.lid or world.ids.lid()
    instance.has_session = True
    _transition(world, instance, "scan")


def reconnect(world: World, instance: Instance) -> None:
    try:
        next_state("reconnect", instance.state, instance.has_session)
    except IllegalTransition as exc:
        raise ApiError(literals.NO_SAVED_SESSION, str(exc)) from None
    _transition(world, instance, "reconnect")
    _schedule_reconnected(world, instance)


def _schedule_reconnected(world: World, instance: Instance) -> None:
    attempt = instance.attempt

    def done() -> None:
        if instance.attempt == attempt and instance.state is State.CONNECTING:
            _transition(world, instance, "reconnected")

    world.schedule(world.settings.reconnect_delay, done)


def resume(world: World, instance: Instance) -> None:
    """After a restart (``--state``): an attempt that was in flight gets its timers again, from now."""
    if instance.state is State.WAITING:
        _schedule_attempt_timers(world, instance)
    elif instance.state is State.CONNECTING:
        _schedule_reconnected(world, instance)


def logout(world: World, instance: Instance, trigger: str = "logout") -> None:
    if instance.state is State.LOGGED_OUT:
        return  # idempotent: the docs promise 200 again, and nothing happens
    _transition(world, instance, trigger)  # the logged_out event still names the unlinked number
    instance.has_session = False
    instance.number = None


def phone_side_change(world: World, instance: Instance, target: str) -> None:
    """What the phone or WhatsApp does to a session (``POST /__mock__/instances/{name}/state``)."""
    trigger = PHONE_SIDE_TRIGGERS[target]
    if trigger == "phone_logout":
        logout(world, instance, trigger)
        return
    try:
        next_state(trigger, instance.state, instance.has_session)
    except IllegalTransition as exc:
        raise ApiError(literals.MOCK_ILLEGAL_STATE, str(exc)) from None
    _transition(world, instance, trigger)


def _transition(world: World, instance: Instance, trigger: str, pending: Pending | None = None) -> None:
    transition = next_state(trigger, instance.state, instance.has_session)
    instance.state = transition.target
    instance.pending = pending if transition.target is State.WAITING else None
    instance.attempt += 1
    instance.updated_at = world.now()
    _emit_states(world, instance, transition.events)


def _emit_states(world: World, instance: Instance, states: tuple[str, ...]) -> None:
    for state in states:
        data: dict[str, Any] = {"state": state, "jid": instance.jid, "instance": instance.name,
                                "timestamp": world.iso()}
        if state == "qr_ready" and instance.pending is not None:
            data["codes"] = [instance.pending.code]
        world.emit(instance, "instance.state", data)


def parse_phone(raw: str) -> str:
    """A phone number as people type it (``+55 (11) 98765-4321``) or its JID → its digits."""
    try:
        parsed = jid.parse(raw)
    except jid.InvalidRecipient as exc:
        raise ApiError(literals.INVALID_PHONE_NUMBER, exc.reason) from None
    if parsed.phone is None:
        raise ApiError(literals.INVALID_PHONE_NUMBER, f"{raw!r} is a {parsed.kind} JID, not a phone number")
    return parsed.phone
