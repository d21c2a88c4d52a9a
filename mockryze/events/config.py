"""The events module's configuration: webhooks (up to 3 enabled, keyed by label) and the WebSocket."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.events import webhook_url

if TYPE_CHECKING:
    from mockryze.core.world import World
    from mockryze.instance.model import Instance

MAX_ENABLED_WEBHOOKS = 3
DEFAULT_LABEL = "default"
WEBHOOK_REQUEST = "channels/webhook.request"
OWN_CONTROL_PLANE = "url: points at this mock's own control plane (only /__mock__/inbox/... receives webhooks)"


def wants(events_filter: Collection[str], event: str) -> bool:
    """An empty filter means all six types."""
    return not events_filter or event in events_filter


def for_channel(envelope: dict[str, Any], media_base64: bool) -> dict[str, Any]:
    """The envelope as one channel receives it: media bytes only where ``mediaBase64`` is on."""
    media = envelope.get("data", {}).get("message", {})
    media = media.get("media") if isinstance(media, dict) else None
    if media_base64 or not isinstance(media, dict) or "base64" not in media:
        return envelope
    message = {**envelope["data"]["message"], "media": {k: v for k, v in media.items() if k != "base64"}}
    return {**envelope, "data": {**envelope["data"], "message": message}}


@dataclass(frozen=True)
class Webhook:
    """One webhook row; a disabled row keeps its label and nothing else."""

    label: str = DEFAULT_LABEL
    enabled: bool = False
    url: str = ""
    authorization: str = ""
    by_events: bool = False
    events: tuple[str, ...] = ()
    media_base64: bool = False

    # `POST /api/instance/new` field -> field of `POST /api/events/webhook`
    INLINE: ClassVar[Mapping[str, str]] = {
        "webhookEnabled": "enabled", "webhookURL": "url", "webhookAuthorization": "authorization",
        "webhookByEvents": "byEvents", "webhookEvents": "events", "webhookMediaBase64": "mediaBase64",
    }

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Webhook:
        """From a validated ``POST /api/events/webhook`` body (the schema requires ``url`` when enabled);
        a URL no delivery can use (a port out of range…) is refused."""
        label = body.get("label") or DEFAULT_LABEL
        if not body.get("enabled"):
            return cls(label)
        try:
            webhook_url.parse(body["url"])
        except ValueError as exc:
            raise ApiError(literals.INVALID_BODY, str(exc)) from None
        return cls(
            label, True, body["url"], body.get("authorization", ""), bool(body.get("byEvents", False)),
            tuple(body.get("events") or ()), bool(body.get("mediaBase64", False)),
        )

    @classmethod
    def from_inline(cls, values: Mapping[str, Any]) -> Webhook:
        """The default row from create fields; one the webhook route would refuse is stored disabled."""
        if schemas.errors(WEBHOOK_REQUEST, dict(values)):
            return cls()
        try:
            return cls.from_body(values)
        except ApiError:
            return cls()

    @cached_property
    def endpoint(self) -> webhook_url.WebhookUrl:
        """The URL as deliveries use it (only enabled rows have one)."""
        return webhook_url.parse(self.url)

    @property
    def sent_authorization(self) -> str:
        """The ``Authorization`` of each delivery: the configured one, else the URL's ``user:password@``."""
        return self.authorization or self.endpoint.basic_auth or ""

    def wants(self, event: str) -> bool:
        # `wants(self.events, event)` inlined: this runs for every event and every row.
        return self.enabled and bool(self.url) and (not self.events or event in self.events)

    def target(self, event: str) -> str:
        """Where a delivery of ``event`` goes: with ``byEvents`` the event name is a last path segment."""
        url = self.endpoint.url
        return url.rstrip("/") + "/" + event if self.by_events else url

    def view(self) -> dict[str, Any]:
        return {"label": self.label, "enabled": self.enabled, "url": self.url, "authorization": self.authorization,
                "byEvents": self.by_events, "events": list(self.events), "mediaBase64": self.media_base64}

    def summary(self) -> dict[str, Any]:
        """The default row as the instance list shows it: no label, no authorization."""
        if not self.enabled:
            return {"enabled": False}
        return {"enabled": True, "url": self.url, "byEvents": self.by_events, "events": list(self.events),
                "mediaBase64": self.media_base64}


@dataclass(frozen=True)
class WebSocketConfig:
    enabled: bool = False
    events: tuple[str, ...] = ()
    media_base64: bool = False

    INLINE: ClassVar[Mapping[str, str]] = {
        "websocketEnabled": "enabled", "websocketEvents": "events", "websocketMediaBase64": "mediaBase64",
    }

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> WebSocketConfig:
        """``enabled: false`` clears the events and ``mediaBase64``."""
        if not body.get("enabled"):
            return cls()
        return cls(True, tuple(body.get("events") or ()), bool(body.get("mediaBase64", False)))

    from_inline = from_body

    def wants(self, event: str) -> bool:
        return wants(self.events, event)

    def view(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "events": list(self.events), "mediaBase64": self.media_base64}


def upsert_webhook(world: World, instance: Instance, body: Mapping[str, Any]) -> Webhook:
    """Full replacement of the row named by ``label``; ``enabled:false`` keeps the row, cleared."""
    row = Webhook.from_body(body)
    if row.enabled and webhook_url.targets_own_control_plane(row.url, world.base_url, world.settings.port):
        raise ApiError(literals.INVALID_BODY, OWN_CONTROL_PLANE)
    if row.enabled:
        others = [other for key, other in instance.webhooks.items() if key != row.label and other.enabled]
        if len(others) >= MAX_ENABLED_WEBHOOKS:
            raise ApiError(literals.WEBHOOK_LIMIT, f"enabled labels: {', '.join(o.label for o in others)}")
    instance.webhooks[row.label] = row
    instance.updated_at = world.now()
    return row


def find_webhook(instance: Instance, label: str) -> Webhook:
    row = instance.webhooks.get(label or DEFAULT_LABEL)
    if row is None:
        raise ApiError(literals.WEBHOOK_NOT_FOUND)
    return row


def set_websocket(world: World, instance: Instance, body: Mapping[str, Any]) -> WebSocketConfig:
    instance.websocket = WebSocketConfig.from_body(body)
    instance.updated_at = world.now()
    return instance.websocket


def websocket_config(instance: Instance) -> WebSocketConfig:
    if instance.websocket is None:
        raise ApiError(literals.WEBSOCKET_NOT_CONFIGURED)
    return instance.websocket
