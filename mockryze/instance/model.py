"""RyzeAPI's instance module, as a model: instances, their configuration blocks and lifecycle.

Every function takes the world and plain values, enforces the documented rules and raises
:class:`ApiError` with the catalog literal when it refuses. A refusal never changes anything:
all checks run before the first mutation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.world import Account, World
from mockryze.instance.lifecycle import PHONE_SIDE_TRIGGERS, IllegalTransition, State, next_state

if TYPE_CHECKING:
    from mockryze.messages.model import Contact, Group, Message

SETTINGS_DEFAULTS: dict[str, Any] = {
    "autoRejectCalls": False,
    "callRejectMessage": "",
    "ignoreGroupMessages": False,
    "keepOnlineStatus": False,
    "autoReadMessages": False,
    "disableHistorySync": True,
    "ignoreStatus": False,
}

# Inline fields of `POST /api/instance/new` → (configuration block, field inside the block).
INLINE_BLOCKS: dict[str, dict[str, str]] = {
    "proxy": {
        "proxyEnabled": "enabled", "proxyHost": "host", "proxyPort": "port",
        "proxyProtocol": "protocol", "proxyUsername": "username", "proxyPassword": "password",
    },
    "webhook": {
        "webhookEnabled": "enabled", "webhookURL": "url", "webhookAuthorization": "authorization",
        "webhookByEvents": "byEvents", "webhookEvents": "events", "webhookMediaBase64": "mediaBase64",
    },
    "websocket": {"websocketEnabled": "enabled", "websocketEvents": "events", "websocketMediaBase64": "mediaBase64"},
    "chatwoot": {
        "chatwootEnabled": "enabled", "chatwootBaseUrl": "baseUrl", "chatwootAccountId": "accountId",
        "chatwootApiToken": "apiToken", "chatwootInboxName": "inboxName", "chatwootSignMessages": "signMessages",
        "chatwootIgnoreGroups": "ignoreGroups", "chatwootStartAsPending": "startAsPending",
        "chatwootReopenResolved": "reopenResolved",
    },
    "s3": {
        "s3Enabled": "enabled", "s3Region": "region", "s3Bucket": "bucket", "s3AccessKey": "accessKey",
        "s3SecretKey": "secretKey", "s3Endpoint": "endpoint", "s3PathPrefix": "pathPrefix",
    },
    "settings": {name: name for name in SETTINGS_DEFAULTS},
}

# Fields a block needs when it is enabled; an enabled block missing one is stored disabled
# (the docs: a failed sub-block "appears with enabled: false"; creation is never aborted).
REQUIRED_WHEN_ENABLED: dict[str, tuple[str, ...]] = {
    "proxy": ("host", "port", "protocol"),
    "s3": ("region", "bucket", "accessKey", "secretKey"),
    "webhook": ("url",),
    "chatwoot": ("baseUrl", "accountId", "apiToken"),
}

PROXY_FIELDS = ("host", "port", "protocol", "username", "password")
S3_FIELDS = ("region", "bucket", "accessKey", "secretKey", "endpoint", "pathPrefix")
HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

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
    started_at: float


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
    push_name: str = ""
    pending: Pending | None = None
    attempt: int = 0  # bumped by every lifecycle change; stale timers compare against it
    settings: dict[str, Any] = field(default_factory=lambda: dict(SETTINGS_DEFAULTS))
    proxy: dict[str, Any] = field(default_factory=lambda: disabled_block(PROXY_FIELDS))
    s3: dict[str, Any] = field(default_factory=lambda: disabled_block(S3_FIELDS))
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    websocket: dict[str, Any] | None = None
    chatwoot: dict[str, Any] | None = None
    # What the messages module keeps per instance.
    messages: dict[str, Message] = field(default_factory=dict)  # message id -> Message, oldest first
    contacts: dict[str, Contact] = field(default_factory=dict)  # canonical JID -> Contact
    groups: dict[str, Group] = field(default_factory=dict)  # group JID -> Group
    lid: str = ""  # the instance's own hidden id, set when it pairs

    @property
    def jid(self) -> str | None:
        return f"{self.number}@s.whatsapp.net" if self.number else None

    @property
    def presence(self) -> str:
        return "available" if self.state is State.CONNECTED else "unavailable"

    @property
    def display_status(self) -> str:
        return DISPLAY_STATUS[self.state]


def disabled_block(names: tuple[str, ...]) -> dict[str, Any]:
    return {"enabled": False, **dict.fromkeys(names)}


# --- lookup -----------------------------------------------------------------------------------
def find(account: Account, name: str) -> Instance:
    if not name:
        raise ApiError(literals.INSTANCE_NAME_REQUIRED)
    instance = account.instances.get(name)
    if instance is None:
        raise ApiError(literals.INSTANCE_NOT_FOUND)
    return instance


# --- create / delete --------------------------------------------------------------------------
def create(world: World, account: Account, body: dict[str, Any]) -> tuple[Instance, dict[str, dict[str, Any]]]:
    """Create an instance from a validated body; returns it and the inline blocks it was sent."""
    name = body["name"]
    custom_token = body.get("token")
    if name in account.instances:
        raise ApiError(literals.INSTANCE_NAME_TAKEN)
    if custom_token is not None and (custom_token in world.accounts or world.instance_by_token(custom_token)):
        raise ApiError(literals.TOKEN_IN_USE)
    if len(account.instances) >= account.instance_limit:
        raise ApiError(literals.QUOTA_EXCEEDED)

    now = world.now()
    instance = Instance(
        id=world.ids.uuid(), name=name, token=custom_token or world.ids.token(),
        account=account, created_at=now, updated_at=now,
    )
    blocks = inline_blocks(body)
    for block, values in blocks.items():
        apply_inline_block(instance, block, values)
    account.instances[name] = instance
    world.register_token(instance)
    return instance, blocks


def inline_blocks(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Split a create body into its configuration blocks (only the blocks it mentions)."""
    blocks: dict[str, dict[str, Any]] = {}
    for block, mapping in INLINE_BLOCKS.items():
        values = {inner: body[outer] for outer, inner in mapping.items() if outer in body}
        if values:
            blocks[block] = values
    return blocks


def apply_inline_block(instance: Instance, block: str, values: dict[str, Any]) -> None:
    enabled = bool(values.get("enabled"))
    missing = [name for name in REQUIRED_WHEN_ENABLED.get(block, ()) if values.get(name) in (None, "")]
    if block == "chatwoot" and enabled and (values.get("accountId") or 0) <= 0 and "accountId" not in missing:
        missing.append("accountId")
    if block == "webhook" and enabled and not HTTP_URL.match(str(values.get("url") or "")):
        missing.append("url")
    if block == "settings":
        instance.settings.update(values)
    elif block == "proxy":
        instance.proxy = disabled_block(PROXY_FIELDS) if missing or not enabled else {
            "enabled": True, **{name: values.get(name) for name in PROXY_FIELDS}
        }
    elif block == "s3":
        instance.s3 = disabled_block(S3_FIELDS) if missing or not enabled else s3_block(values)
    elif block == "webhook":
        instance.webhooks["default"] = webhook_row("default", values, failed=bool(missing))
    elif block == "websocket":
        instance.websocket = {  # as POST /api/events/websocket: enabled:false clears events and mediaBase64
            "enabled": enabled, "events": list(values.get("events") or []) if enabled else [],
            "mediaBase64": bool(values.get("mediaBase64", False)) and enabled,
        }
    elif block == "chatwoot":
        instance.chatwoot = chatwoot_block(values, missing)


def webhook_row(label: str, values: dict[str, Any], failed: bool = False) -> dict[str, Any]:
    if failed or not values.get("enabled"):
        return {"label": label, "enabled": False, "url": "", "authorization": "", "byEvents": False,
                "events": [], "mediaBase64": False}
    return {
        "label": label, "enabled": True, "url": values["url"], "authorization": values.get("authorization", ""),
        "byEvents": bool(values.get("byEvents", False)), "events": list(values.get("events") or []),
        "mediaBase64": bool(values.get("mediaBase64", False)),
    }


def chatwoot_block(values: dict[str, Any], missing: list[str]) -> dict[str, Any]:
    public = {k: v for k, v in values.items() if k != "apiToken"}
    if not values.get("enabled"):
        return {**public, "enabled": False}
    if missing:
        # Inferred text: the real one comes from Chatwoot, which the mock never calls (D7).
        error = "chatwoot activation failed: " + ", ".join(f"chatwoot{m[0].upper()}{m[1:]}" for m in missing)
        return {**public, "enabled": False, "status": "error", "error": error + " missing or invalid"}
    return {**public, "enabled": True, "status": "active", "apiToken": values["apiToken"]}


def s3_block(values: dict[str, Any]) -> dict[str, Any]:
    block = {"enabled": True, **{name: values.get(name) for name in S3_FIELDS}}
    block["endpoint"] = values.get("endpoint") or ""
    return block


def delete(world: World, instance: Instance) -> None:
    if instance.state is State.CONNECTED:
        _emit_states(world, instance, ("logged_out",))  # the docs: logs out first if connected
    instance.attempt += 1
    del instance.account.instances[instance.name]
    world.forget_token(instance)


# --- configuration ----------------------------------------------------------------------------
def update_settings(world: World, instance: Instance, changes: dict[str, Any]) -> None:
    instance.settings.update({k: v for k, v in changes.items() if k in SETTINGS_DEFAULTS})
    instance.updated_at = world.now()


def update_proxy(world: World, instance: Instance, body: dict[str, Any]) -> None:
    instance.proxy = {"enabled": True, **{n: body.get(n) for n in PROXY_FIELDS}} if body["enabled"] \
        else disabled_block(PROXY_FIELDS)
    instance.updated_at = world.now()


def update_s3(world: World, instance: Instance, body: dict[str, Any]) -> None:
    instance.s3 = s3_block(body) if body["enabled"] else disabled_block(S3_FIELDS)
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
    _transition(world, instance, trigger, pending=Pending(kind, code, number, world.now()))
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
    attempt = instance.attempt

    def done() -> None:
        if instance.attempt == attempt and instance.state is State.CONNECTING:
            _transition(world, instance, "reconnected")

    world.schedule(world.settings.reconnect_delay, done)


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
