"""HTTP face of RyzeAPI's events module: webhook and WebSocket configuration, and ``GET /ws/:instance``."""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from mockryze.core import literals
from mockryze.core.accounts import authenticate, target_instance
from mockryze.core.errors import ApiError
from mockryze.core.literals import INVALID_BODY, WEBHOOK_LIMIT, WEBHOOK_NOT_FOUND, WEBSOCKET_NOT_CONFIGURED
from mockryze.core.world import World
from mockryze.events import config as events_config
from mockryze.events.wshub import Hub
from mockryze.http.auth import presented_token
from mockryze.http.envelope import error_response
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.model import Instance
from mockryze.instance.routes import ON_INSTANCE


def set_webhook(ctx: Context) -> Result:
    row = events_config.upsert_webhook(ctx.world, ctx.target, ctx.body)
    return 200, {"success": True, "message": literals.WEBHOOK_CONFIGURED, "webhook": row.view()}


def get_webhooks(ctx: Context) -> Result:
    inst = ctx.target
    if "label" in ctx.query:
        row = events_config.find_webhook(inst, ctx.query["label"])
        return 200, {"success": True, "message": literals.WEBHOOK_RETRIEVED, "webhook": row.view()}
    rows = [inst.webhooks[label].view() for label in sorted(inst.webhooks)]
    return 200, {"success": True, "message": literals.WEBHOOKS_RETRIEVED, "webhooks": rows}


def set_websocket(ctx: Context) -> Result:
    config = events_config.set_websocket(ctx.world, ctx.target, ctx.body)
    return 200, {"success": True, "message": literals.WEBSOCKET_CONFIGURED, "websocket": config.view()}


def get_websocket(ctx: Context) -> Result:
    inst = ctx.target
    if inst.websocket is None and inst.account.quirks.unconfigured_websocket == UNCONFIGURED_EMPTY:
        return 200, {"success": True, "message": literals.WEBSOCKET_RETRIEVED, "websocket": {}}
    config = events_config.websocket_config(inst)
    return 200, {"success": True, "message": literals.WEBSOCKET_RETRIEVED, "websocket": config.view()}


UNCONFIGURED_EMPTY = "empty"  # quirk unconfigured_websocket: a client models "never configured" as 200 {}


EVENTS_PATH = "/api/events"
LABEL_QUERY = {"label": "one webhook by label (empty = default); absent = all"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{EVENTS_PATH}/webhook/:instance", set_webhook, "Create or replace a webhook (by label)",
             request_schema="channels/webhook.request", responses={200: "channels/webhook.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, WEBHOOK_LIMIT)),
    Endpoint("GET", f"{EVENTS_PATH}/getWebhook/:instance", get_webhooks, "Read webhooks (all, or one by ?label=)",
             responses={200: "channels/getWebhook.response"}, errors=(*ON_INSTANCE, WEBHOOK_NOT_FOUND),
             query=LABEL_QUERY),
    # The docs imply this alias ("unlike the webhook, the WebSocket has no alias"); a live client uses it.
    Endpoint("GET", f"{EVENTS_PATH}/webhook/:instance", get_webhooks, "Read webhooks (alias of getWebhook)",
             responses={200: "channels/getWebhook.response"}, errors=(*ON_INSTANCE, WEBHOOK_NOT_FOUND),
             query=LABEL_QUERY),
    Endpoint("POST", f"{EVENTS_PATH}/websocket/:instance", set_websocket, "Configure the WebSocket",
             request_schema="channels/websocket.request", responses={200: "channels/websocket.response"},
             errors=(*ON_INSTANCE, INVALID_BODY)),
    Endpoint("GET", f"{EVENTS_PATH}/getWebsocket/:instance", get_websocket, "Read the WebSocket configuration",
             responses={200: "channels/websocket.response"}, errors=(*ON_INSTANCE, WEBSOCKET_NOT_CONFIGURED)),
)


# --- GET /ws/:instance ------------------------------------------------------------------------
def _authorize_upgrade(world: World, websocket: WebSocket) -> tuple[Instance, events_config.WebSocketConfig]:
    token = presented_token(websocket.headers, websocket.query_params)
    if not token:
        raise ApiError(literals.MISSING_TOKEN)
    inst = target_instance(authenticate(world, token), websocket.path_params.get("instance", ""))
    config = inst.websocket
    if config is None or not config.enabled:
        raise ApiError(literals.websocket_not_enabled(inst.name))
    return inst, config


async def websocket_endpoint(websocket: WebSocket) -> None:
    world: World = websocket.app.state.world
    hub: Hub = websocket.app.state.channels.hub
    try:
        with world.lock:
            world.run_due()
            inst, config = _authorize_upgrade(world, websocket)
            key = (inst.account.token, inst.name)
            # Registered before the handshake completes: an event emitted the moment the client sees the
            # socket open is queued for it, not missed. Under the world lock: a deletion or a reset either
            # comes first (the upgrade is refused) or finds the client and closes it.
            client = hub.connect(key, websocket, config)
    except ApiError as error:
        await deny(websocket, error)
        return
    try:
        await websocket.accept()
        await client.run()
    finally:
        hub.disconnect(key, client)


async def deny(websocket: WebSocket, error: ApiError) -> None:
    """A plain HTTP error before the upgrade, as documented; a close frame where the server can't."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(error_response(error))
    else:
        with contextlib.suppress(RuntimeError):
            await websocket.close(1008, error.message[:120])


async def needs_upgrade(request: Request) -> Response:
    """A plain GET (no WebSocket handshake): say what the route needs instead of ``Route not found``."""
    return error_response(literals.WEBSOCKET_UPGRADE_REQUIRED, headers={"Upgrade": "websocket"})


WEBSOCKET_PATH = "/ws/{instance}"
WEBSOCKET_ROUTES: list[BaseRoute] = [
    WebSocketRoute(WEBSOCKET_PATH, websocket_endpoint),
    Route(WEBSOCKET_PATH, needs_upgrade, methods=["GET"], include_in_schema=False),
]
