"""The events module's configuration: webhooks (up to 3 enabled, keyed by label) and the WebSocket."""

from __future__ import annotations

from typing import Any

from mockryze import catalog
from mockryze.errors import ApiError
from mockryze.events import MAX_ENABLED_WEBHOOKS
from mockryze.instance import Instance, webhook_row
from mockryze.world import World


def upsert_webhook(world: World, instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    """Full replacement of the row named by ``label``; ``enabled:false`` keeps the row, cleared."""
    label = body.get("label") or "default"
    if body["enabled"]:
        others = [row for key, row in instance.webhooks.items() if key != label and row["enabled"]]
        if len(others) >= MAX_ENABLED_WEBHOOKS:
            raise ApiError(catalog.WEBHOOK_LIMIT, f"enabled labels: {', '.join(r['label'] for r in others)}")
    row = webhook_row(label, body)
    instance.webhooks[label] = row
    instance.updated_at = world.now()
    return row


def find_webhook(instance: Instance, label: str) -> dict[str, Any]:
    row = instance.webhooks.get(label or "default")
    if row is None:
        raise ApiError(catalog.WEBHOOK_NOT_FOUND)
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
        raise ApiError(catalog.WEBSOCKET_NOT_CONFIGURED)
    return dict(instance.websocket)
