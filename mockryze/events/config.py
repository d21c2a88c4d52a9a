"""The events module's configuration: webhooks (up to 3 enabled, keyed by label) and the WebSocket."""

from __future__ import annotations

from typing import Any

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.model import Instance, webhook_row

MAX_ENABLED_WEBHOOKS = 3


def wants(events_filter: list[str], event: str) -> bool:
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


def upsert_webhook(world: World, instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    """Full replacement of the row named by ``label``; ``enabled:false`` keeps the row, cleared."""
    label = body.get("label") or "default"
    if body["enabled"]:
        others = [row for key, row in instance.webhooks.items() if key != label and row["enabled"]]
        if len(others) >= MAX_ENABLED_WEBHOOKS:
            raise ApiError(literals.WEBHOOK_LIMIT, f"enabled labels: {', '.join(r['label'] for r in others)}")
    row = webhook_row(label, body)
    instance.webhooks[label] = row
    instance.updated_at = world.now()
    return row


def find_webhook(instance: Instance, label: str) -> dict[str, Any]:
    row = instance.webhooks.get(label or "default")
    if row is None:
        raise ApiError(literals.WEBHOOK_NOT_FOUND)
    return row


def set_websocket(world: World, instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    enabled = bool(body["enabled"])
    instance.websocket = {
        "enabled": enabled,
        "events": list(body.get("events") or []) if enabled else [],
        "mediaBase64": bool(body.get("mediaBase64", False)) if enabled else False,
    }
    instance.updated_at = world.now()
    return dict(instance.websocket)


def websocket_config(instance: Instance) -> dict[str, Any]:
    if instance.websocket is None:
        raise ApiError(literals.WEBSOCKET_NOT_CONFIGURED)
    return dict(instance.websocket)
