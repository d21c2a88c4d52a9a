"""HTTP face of RyzeAPI's events module: webhook and WebSocket configuration, and ``GET /ws/:instance``."""

from __future__ import annotations

import contextlib

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from mockryze import catalog, webhooks
from mockryze.catalog import INVALID_BODY, WEBHOOK_LIMIT, WEBHOOK_NOT_FOUND, WEBSOCKET_NOT_CONFIGURED
from mockryze.errors import ApiError
from mockryze.http.auth import authenticate, presented_token, target_instance
from mockryze.http.envelope import error_response
from mockryze.http.instance import ON_INSTANCE
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance import Instance
from mockryze.world import World


def _instance(ctx: Context) -> Instance:
    assert ctx.instance is not None
    return ctx.instance


def set_webhook(ctx: Context) -> Result:
    row = webhooks.upsert_webhook(ctx.world, _instance(ctx), ctx.body)
    return 200, {"success": True, "message": catalog.WEBHOOK_CONFIGURED, "webhook": dict(row)}


def get_webhooks(ctx: Context) -> Result:
    inst = _instance(ctx)
    if "label" in ctx.query:
        row = webhooks.find_webhook(inst, ctx.query["label"])
        return 200, {"success": True, "message": catalog.WEBHOOK_RETRIEVED, "webhook": dict(row)}
    rows = [dict(inst.webhooks[label]) for label in sorted(inst.webhooks)]
    return 200, {"success": True, "message": catalog.WEBHOOKS_RETRIEVED, "webhooks": rows}


def set_websocket(ctx: Context) -> Result:
    config = webhooks.set_websocket(ctx.world, _instance(ctx), ctx.body)
    return 200, {"success": True, "message": catalog.WEBSOCKET_CONFIGURED, "websocket": config}


def get_websocket(ctx: Context) -> Result:
    config = webhooks.websocket_config(_instance(ctx))
    return 200, {"success": True, "message": catalog.WEBSOCKET_RETRIEVED, "websocket": config}


P = "/api/events"
LABEL_QUERY = {"label": "one webhook by label (empty = default); absent = all"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{P}/webhook/:instance", set_webhook, "Create or replace a webhook (by label)",
             request_schema="channels/webhook.request", responses={200: "channels/webhook.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, WEBHOOK_LIMIT), tag="events"),
    Endpoint("GET", f"{P}/getWebhook/:instance", get_webhooks, "Read webhooks (all, or one by ?label=)",
             responses={200: "channels/getWebhook.response"}, errors=(*ON_INSTANCE, WEBHOOK_NOT_FOUND),
             tag="events", query=LABEL_QUERY),
    # The docs imply this alias ("unlike the webhook, the WebSocket has no alias"); a live client uses it.
    Endpoint("GET", f"{P}/webhook/:instance", get_webhooks, "Read webhooks (alias of getWebhook)",
             responses={200: "channels/getWebhook.response"}, errors=(*ON_INSTANCE, WEBHOOK_NOT_FOUND),
             tag="events", query=LABEL_QUERY),
    Endpoint("POST", f"{P}/websocket/:instance", set_websocket, "Configure the WebSocket",
             request_schema="channels/websocket.request", responses={200: "channels/websocket.response"},
             errors=(*ON_INSTANCE, INVALID_BODY), tag="events"),
    Endpoint("GET", f"{P}/getWebsocket/:instance", get_websocket, "Read the WebSocket configuration",
             responses={200: "channels/websocket.response"}, errors=(*ON_INSTANCE, WEBSOCKET_NOT_CONFIGURED),
             tag="events"),
)


# --- GET /ws/:instance ------------------------------------------------------------------------
def _authorize_upgrade(world: World, websocket: WebSocket) -> tuple[Instance, dict[str, object]]:
    token = presented_token(websocket.headers, websocket.query_params)
    if not token:
        raise ApiError(catalog.MISSING_TOKEN)
    inst = target_instance(authenticate(world, token), websocket.path_params.get("instance", ""))
    config = inst.websocket
    if not config or not config["enabled"]:
        raise ApiError(catalog.websocket_not_enabled(inst.name))
    return inst, dict(config)


async def websocket_endpoint(websocket: WebSocket) -> None:
    world: World = websocket.app.state.world
    try:
        with world.lock:
            world.run_due()
            inst, config = _authorize_upgrade(world, websocket)
    except ApiError as error:
        await _deny(websocket, error)
        return
    key = (inst.account.token, inst.name)
    # Registered before the handshake completes: an event emitted the moment the client sees the
    # socket open is queued for it, not missed.
    client = world.hub.connect(key, websocket, config)
    try:
        await websocket.accept()
        await client.run()
    finally:
        world.hub.disconnect(key, client)


async def _deny(websocket: WebSocket, error: ApiError) -> None:
    """A plain HTTP error before the upgrade, as documented; a close frame where the server can't."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(error_response(error))
    else:
        with contextlib.suppress(RuntimeError):
            await websocket.close(1008, error.message[:120])


WEBSOCKET_ROUTES = [WebSocketRoute("/ws/{instance}", websocket_endpoint)]
