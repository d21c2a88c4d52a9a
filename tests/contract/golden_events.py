"""Golden rows of RyzeAPI's events module (``/api/events/*``, ``GET /ws/:instance``), from its pages."""

from __future__ import annotations

from tests.contract.golden import Golden, connected, created, on_instance, webhooks, websocket

HOOK = {"label": "crm", "enabled": True, "url": "https://hooks.example.org/in"}
WS = {"enabled": True}
NOT_ENABLED = ("WebSocket is not enabled for this instance. "
               "Configure it first using POST /api/events/websocket/sales")

ROUTES: dict[str, object] = {
    "POST /api/events/webhook/sales": HOOK,
    "GET /api/events/getWebhook/sales": None,
    "GET /api/events/webhook/sales": None,
    "POST /api/events/websocket/sales": WS,
    "GET /api/events/getWebsocket/sales": None,
}

ROWS: list[Golden] = [
    # --- webhooks (up to 3 enabled per instance) ---------------------------------------------------
    Golden("WEBHOOK_CONFIGURED", 200, "Webhook configured successfully", "POST /api/events/webhook/sales", HOOK,
           source="inferred"),
    Golden("WEBHOOK_CONFIGURED", 200, "Webhook configured successfully", "POST /api/events/webhook/sales",
           {**HOOK, "label": "w3", "enabled": False}, (created, webhooks(3)), source="inferred",
           note="a disabled 4th does not count"),
    Golden("WEBHOOK_LIMIT", 400, "Maximum of 3 enabled webhooks per instance reached",
           "POST /api/events/webhook/sales", {**HOOK, "label": "w3"}, (created, webhooks(3)), source="inferred"),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/events/webhook/sales", b"{oops",
           source="inferred"),
    Golden("WEBHOOKS_RETRIEVED", 200, "Webhooks retrieved successfully", "GET /api/events/getWebhook/sales",
           given=(created, webhooks(1)), source="inferred"),
    Golden("WEBHOOKS_RETRIEVED", 200, "Webhooks retrieved successfully", "GET /api/events/webhook/sales",
           given=(created, webhooks(1)), source="inferred"),
    Golden("WEBHOOK_RETRIEVED", 200, "Webhook retrieved successfully", "GET /api/events/getWebhook/sales?label=w0",
           given=(created, webhooks(1)), source="inferred"),
    Golden("WEBHOOK_NOT_FOUND", 404, "Webhook not found", "GET /api/events/getWebhook/sales?label=nope",
           given=(created, webhooks(1)), source="inferred"),
    Golden("WEBHOOK_NOT_FOUND", 404, "Webhook not found", "GET /api/events/webhook/sales?label=nope",
           source="inferred"),
    # --- WebSocket ---------------------------------------------------------------------------------
    Golden("WEBSOCKET_CONFIGURED", 200, "WebSocket configured successfully", "POST /api/events/websocket/sales", WS,
           source="inferred"),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/events/websocket/sales", b"not json"),
    Golden("WEBSOCKET_RETRIEVED", 200, "WebSocket configuration retrieved", "GET /api/events/getWebsocket/sales",
           given=(created, websocket)),
    Golden("WEBSOCKET_NOT_CONFIGURED", 404, "WebSocket not configured for this instance",
           "GET /api/events/getWebsocket/sales"),
    Golden("websocket_not_enabled", 400, NOT_ENABLED, "GET /ws/sales", transport="ws", source="inferred"),
    Golden("websocket_not_enabled", 400, NOT_ENABLED, "GET /ws/sales", transport="ws",
           given=(connected, websocket, lambda stage: stage.call("POST", "/api/events/websocket/sales",
                                                                   json={"enabled": False}).raise_for_status()),
           source="inferred", note="disabled"),
    Golden("MISSING_TOKEN", 401, "Missing token in header, Authorization header, or query parameter", "GET /ws/sales",
           token=None, transport="ws", source="inferred"),
    Golden("INVALID_TOKEN", 401, "Invalid token", "GET /ws/sales", token="bad", transport="ws"),
    Golden("WEBSOCKET_UPGRADE_REQUIRED", 426, "This route needs a WebSocket upgrade", "GET /ws/sales",
           source="inferred"),
    *[row for request, body in ROUTES.items() for row in on_instance(request, body)],
]
