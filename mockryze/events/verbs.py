"""The events module's mock-only verbs: the event record, emitting any catalog event, the webhook
delivery journal, redelivery and the capture inbox."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.convertors import PathConvertor, register_url_convertor

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_TOKEN, TOKEN_INSTANCE_MISMATCH
from mockryze.http.body import parse_json
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.http.verbs import MOCK_PREFIX, Call, Verb, listing, ok

if TYPE_CHECKING:
    from mockryze.core.settings import Settings
    from mockryze.core.world import World


class _AnyPath(PathConvertor):
    """Starlette's ``path`` is ``.*``, which stops at a (percent-decoded) newline: a webhook URL
    with ``%0A`` in its path would miss the capture inbox (404). This one matches any character."""

    regex = "(?s:.*)"


register_url_convertor("anypath", _AnyPath())

SCOPED = (INVALID_TOKEN, TOKEN_INSTANCE_MISMATCH)
ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, TOKEN_INSTANCE_MISMATCH)


def _filters(call: Call, *names: str) -> dict[str, Any]:
    """The list filters the query names, the ``instance`` one limited to what the caller may see."""
    return {**{name: call.args.get(name) or None for name in names}, "instance": call.instance_filter()}


def recorded(call: Call) -> tuple[int, dict[str, Any]]:
    found = call.world.bus.records(account_token=call.account.token, **_filters(call, "event"))
    return 200, listing("events", [r.envelope for r in found])


def emit(call: Call) -> tuple[int, dict[str, Any]]:
    """Emit any catalog event for an instance, after checking it against the event's schema."""
    target = call.target()
    event, data = call.args["event"], call.args["data"]
    envelope = {"event": event, "data": data,
                "instanceData": {"baseUrl": call.world.base_url, "instance": target.name, "token": target.token}}
    try:
        schemas.validate_event(envelope)
    except schemas.SchemaViolation as exc:
        raise ApiError(literals.INVALID_BODY, str(exc)) from None
    return 201, ok("Event emitted", envelope=call.world.emit(target, event, data).envelope)


def deliveries(call: Call) -> tuple[int, dict[str, Any]]:
    found = call.channels.delivery.journal(account_token=call.account.token,
                                           **_filters(call, "event", "status"))
    return 200, listing("deliveries", [d.view() for d in found])


def redeliver(call: Call) -> tuple[int, dict[str, Any]]:
    dispatcher = call.channels.delivery
    found = dispatcher.get(call.params["id"])
    if found is None or not call.sees(found.account_token, found.instance):
        raise ApiError(literals.MOCK_DELIVERY_NOT_FOUND)
    return 202, ok("Redelivery queued", delivery=dispatcher.redeliver(found.id).view())


def websocket_clients(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    return 200, {"success": True, "count": call.channels.hub.count((target.account.token, target.name))}


def inbox(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("items", list(call.world.inboxes.get(call.params["key"], [])))


def clear_inbox(call: Call) -> tuple[int, dict[str, Any]]:
    call.world.inboxes.pop(call.params["key"], None)
    return 200, ok("Inbox emptied")


VERBS: tuple[Verb, ...] = (
    Verb("events", "GET", "/events", recorded, "The recorded event bus", result="events",
         responses={200: "mock/events.response"}, errors=SCOPED,
         query={"instance": "only this instance's events", "event": "only this event type"}),
    Verb("emit", "POST", "/instances/{name}/events", emit,
         "Emit any catalog event for an instance (checked against its schema)", result="envelope",
         request_schema="mock/event.request", responses={201: "mock/event.response"},
         errors=(*ON_NAME, INVALID_BODY)),
    Verb("deliveries", "GET", "/deliveries", deliveries, "The webhook delivery journal (incl. dead letters)",
         result="deliveries", responses={200: "mock/deliveries.response"}, errors=SCOPED,
         query={"instance": "only this instance", "event": "only this event type",
                "status": "pending, delivered or dead"}),
    Verb("redeliver", "POST", "/deliveries/{id}/redeliver", redeliver, "Queue a delivery again",
         result="delivery", responses={202: "mock/redeliver.response"},
         errors=(INVALID_TOKEN, literals.MOCK_DELIVERY_NOT_FOUND)),
    Verb("websocket_clients", "GET", "/instances/{name}/websocket-clients", websocket_clients,
         "How many WebSocket clients are connected to the instance's /ws", result="count",
         responses={200: "mock/websocket-clients.response"}, errors=ON_NAME),
    Verb("inbox", "GET", "/inbox/{key}", inbox, "What arrived at a capture inbox, with headers", result="items",
         responses={200: "mock/inbox.response"}, scoped=False, keyed=True),
    Verb("clear_inbox", "DELETE", "/inbox/{key}", clear_inbox, "Empty a capture inbox", result=None,
         responses={200: "mock/ok.response"}, scoped=False, keyed=True),
)


# --- the capture inbox itself: a receiver, not a verb --------------------------------------------
class Inbox(list[dict[str, Any]]):
    """One key's captured requests, oldest first, within ``inbox_item_limit`` items and
    ``inbox_byte_limit`` bytes (oldest dropped first; the newest is always kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: deque[int] = deque()
        self.size = 0

    def add(self, item: dict[str, Any], size: int, settings: Settings) -> None:
        self.append(item)
        self.sizes.append(size)
        self.size += size
        while len(self) > 1 and (len(self) > settings.inbox_item_limit or self.size > settings.inbox_byte_limit):
            del self[0]
            self.size -= self.sizes.popleft()


def _inbox(world: World, key: str) -> Inbox:
    found = world.inboxes.get(key)
    if not isinstance(found, Inbox):
        found = world.inboxes[key] = Inbox()
    return found


def capture(ctx: Context) -> Result:
    """Record one request that arrived at the inbox (e.g. a webhook delivery): its body as JSON when
    every route would take it as JSON, else as text."""
    params = ctx.request.path_params
    text = ctx.raw.decode("utf-8", "replace")
    body: Any = None
    if text.strip():
        try:
            body = parse_json(ctx.raw)
        except ApiError:  # not JSON, or JSON no route holds (a lone surrogate, 65 levels…): what arrived, as text
            body = text
    headers = {k.lower(): v for k, v in ctx.request.headers.items()}
    item = {"receivedAt": ctx.world.iso(), "path": "/" + str(params.get("suffix", "")), "headers": headers,
            "body": body}
    size = len(ctx.raw) + sum(len(k) + len(v) for k, v in headers.items())
    _inbox(ctx.world, str(params["key"])).add(item, size, ctx.world.settings)
    return 200, ok("Captured")


RECEIVERS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{MOCK_PREFIX}/inbox/{{key}}", capture, "Capture inbox: use its URL as a webhook URL",
             auth="none", responses={200: "mock/ok.response"}, tag="mock"),
    Endpoint("POST", f"{MOCK_PREFIX}/inbox/{{key}}/{{suffix:anypath}}", capture,
             "Capture inbox, with the event name appended (byEvents)", auth="none",
             responses={200: "mock/ok.response"}, tag="mock"),
)
