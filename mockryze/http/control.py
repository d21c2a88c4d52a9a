"""``/__mock__/*``: the control plane over HTTP (no token needed; see README)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from starlette.convertors import PathConvertor, register_url_convertor

from mockryze.core import literals
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_PHONE_NUMBER, INVALID_TOKEN
from mockryze.core.world import Account
from mockryze.events.delivery import views
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance import model as instances
from mockryze.instance.model import Instance
from mockryze.messages import mock as simulate
from mockryze.messages import model as messages
from mockryze.testing import control

M = "/__mock__"


class _AnyPath(PathConvertor):
    """Starlette's ``path`` is ``.*``, which stops at a (percent-decoded) newline: a webhook URL
    with ``%0A`` in its path would miss the capture inbox (404). This one matches any character."""

    regex = "(?s:.*)"


register_url_convertor("anypath", _AnyPath())


def _account(ctx: Context) -> Account:
    return control.account_for(ctx.world, ctx.request.headers.get("token"))


def _name(ctx: Context) -> str:
    return str(ctx.request.path_params["name"])


def reset(ctx: Context) -> Result:
    ctx.world.reset()
    limiter = getattr(ctx.request.app.state, "limiter", None)
    if limiter is not None:
        limiter.clear()
    return 200, {"success": True, "message": "World reset"}


def create_account(ctx: Context) -> Result:
    account = control.add_account(ctx.world, ctx.body.get("token"), ctx.body.get("instanceLimit"))
    return 201, {"token": account.token, "instanceLimit": account.instance_limit}


def scan(ctx: Context) -> Result:
    inst = control.scan(ctx.world, _account(ctx), _name(ctx), ctx.body.get("number"), ctx.body.get("pushName"))
    return 200, {"success": True, "message": "QR code scanned", "instance": control.instance_view(inst)}


def set_state(ctx: Context) -> Result:
    inst = control.set_state(ctx.world, _account(ctx), _name(ctx), ctx.body["state"])
    return 200, {"success": True, "message": "Instance state changed", "instance": control.instance_view(inst)}


def show_instance(ctx: Context) -> Result:
    inst = instances.find(_account(ctx), _name(ctx))
    return 200, {"success": True, "message": "Instance found", "instance": control.instance_view(inst)}


def list_events(ctx: Context) -> Result:
    records = control.events(ctx.world, _account(ctx), ctx.query.get("instance"), ctx.query.get("event"))
    return 200, {"success": True, "count": len(records), "events": [r.envelope for r in records]}


def clock(ctx: Context) -> Result:
    if ctx.request.method == "POST":
        control.move_clock(ctx.world, ctx.body.get("advance"), ctx.body.get("freeze"))
    world = ctx.world
    return 200, {"success": True, "now": world.now(), "iso": world.iso(), "frozen": world.clock.frozen}


def list_deliveries(ctx: Context) -> Result:
    q = ctx.query
    dispatcher = ctx.request.app.state.channels.delivery
    found = control.deliveries(dispatcher, _account(ctx), q.get("instance"), q.get("event"), q.get("status"))
    return 200, {"success": True, "count": len(found), "deliveries": views(found)}


def redeliver(ctx: Context) -> Result:
    dispatcher = ctx.request.app.state.channels.delivery
    delivery = control.redeliver(dispatcher, _account(ctx), str(ctx.request.path_params["id"]))
    return 202, {"success": True, "message": "Redelivery queued", "delivery": delivery.view()}


def inbox_receive(ctx: Context) -> Result:
    params = ctx.request.path_params
    headers = {k.lower(): v for k, v in ctx.request.headers.items()}
    control.capture(ctx.world, str(params["key"]), "/" + str(params.get("suffix", "")), headers, ctx.raw)
    return 200, {"success": True, "message": "Captured"}


def inbox_list(ctx: Context) -> Result:
    items = list(ctx.world.inboxes.get(str(ctx.request.path_params["key"]), []))
    return 200, {"success": True, "count": len(items), "items": items}


def inbox_clear(ctx: Context) -> Result:
    ctx.world.inboxes.pop(str(ctx.request.path_params["key"]), None)
    return 200, {"success": True, "message": "Inbox emptied"}


def inject_event(ctx: Context) -> Result:
    record = control.inject_event(ctx.world, _account(ctx), _name(ctx), ctx.body["event"], ctx.body["data"])
    return 201, {"success": True, "message": "Event emitted", "envelope": record.envelope}


def _target(ctx: Context) -> Instance:
    return instances.find(_account(ctx), _name(ctx))


def upsert_contact(ctx: Context) -> Result:
    b = ctx.body
    found = messages.upsert_contact(ctx.world, _target(ctx), b["number"], b.get("name"), b.get("onWhatsApp"),
                                    b.get("receipts"))
    return 200, {"success": True, "message": "Contact saved", "contact": control.contact_view(found)}


def create_group(ctx: Context) -> Result:
    b = ctx.body
    group = messages.create_group(ctx.world, _target(ctx), b["subject"], b.get("participants", []), b.get("jid"))
    return 201, {"success": True, "message": "Group created", "group": control.group_view(group)}


def inbound(ctx: Context) -> Result:
    received = simulate.inbound(ctx.world, _target(ctx), ctx.body)
    if received is None:
        return 200, {"success": True, "message": "Ignored by the instance settings", "ignored": True}
    return 201, {"success": True, "message": "Message received", "ignored": False,
                 "data": control.message_view(ctx.world, received)}


def receipts(ctx: Context) -> Result:
    b = ctx.body
    found = simulate.receipt(ctx.world, _target(ctx), b["messageId"], b["status"], b.get("from"))
    return 200, {"success": True, "message": "Receipt sent", "data": control.message_view(ctx.world, found)}


def calls(ctx: Context) -> Result:
    data = simulate.call(ctx.world, _target(ctx), ctx.body)
    return 201, {"success": True, "message": "Call placed", "call": data}


def list_messages(ctx: Context) -> Result:
    found = control.stored_messages(ctx.world, _account(ctx), _name(ctx), ctx.query.get("direction"),
                                    ctx.query.get("chat"))
    return 200, {"success": True, "count": len(found),
                 "messages": [control.message_view(ctx.world, m) for m in found]}


def contract(ctx: Context) -> Result:
    return 200, contract_table()


@cache
def contract_table() -> dict[str, Any]:
    text = (resources.files("mockryze") / "contract.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{M}/reset", reset, "Empty the world (the default account is kept)", auth="none",
             responses={200: "mock/ok.response"}, tag="mock"),
    Endpoint("POST", f"{M}/accounts", create_account, "Create an isolated account", auth="none",
             request_schema="mock/account.request", responses={201: "mock/account.response"},
             errors=(INVALID_BODY, literals.MOCK_ACCOUNT_EXISTS), tag="mock"),
    Endpoint("GET", f"{M}/instances/{{name}}", show_instance, "Inspect an instance", auth="none",
             responses={200: "mock/instance.response"}, errors=ON_NAME, tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/scan", scan, "The phone scans the QR / enters the pairing code",
             auth="none", request_schema="mock/scan.request", responses={200: "mock/instance.response"},
             errors=(*ON_NAME, INVALID_BODY, INVALID_PHONE_NUMBER, literals.MOCK_NOTHING_PENDING), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/state", set_state, "The phone / WhatsApp changes the session",
             auth="none", request_schema="mock/state.request", responses={200: "mock/instance.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.MOCK_ILLEGAL_STATE), tag="mock"),
    Endpoint("GET", f"{M}/events", list_events, "The recorded event bus", auth="none",
             responses={200: "mock/events.response"}, errors=(INVALID_TOKEN,), tag="mock",
             query={"instance": "only this instance's events", "event": "only this event type"}),
    Endpoint("POST", f"{M}/instances/{{name}}/events", inject_event,
             "Emit any catalog event for an instance (checked against its schema)", auth="none",
             request_schema="mock/event.request", responses={201: "mock/event.response"},
             errors=(*ON_NAME, INVALID_BODY), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/contacts", upsert_contact,
             "A simulated contact: name, on WhatsApp or not, receipt behaviour", auth="none",
             request_schema="mock/contact.request", responses={200: "mock/contact.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.INVALID_NUMBER), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/groups", create_group, "A group the instance is in", auth="none",
             request_schema="mock/group.request", responses={201: "mock/group.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.INVALID_NUMBER), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/inbound", inbound, "A contact sends the instance a message",
             auth="none", request_schema="mock/inbound.request",
             responses={201: "mock/inbound.response", 200: "mock/inbound.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.INVALID_NUMBER, literals.GROUP_NOT_FOUND,
                     literals.MESSAGE_NOT_FOUND, literals.NOT_CONNECTED), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/receipts", receipts, "A contact's receipt for a message",
             auth="none", request_schema="mock/receipt.request", responses={200: "mock/receipt.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.MESSAGE_NOT_FOUND, literals.NOT_CONNECTED), tag="mock"),
    Endpoint("POST", f"{M}/instances/{{name}}/calls", calls, "A contact calls the instance (call.update)",
             auth="none", request_schema="mock/call.request", responses={201: "mock/call.response"},
             errors=(*ON_NAME, INVALID_BODY, literals.INVALID_NUMBER, literals.GROUP_NOT_FOUND,
                     literals.NOT_CONNECTED), tag="mock"),
    Endpoint("GET", f"{M}/instances/{{name}}/messages", list_messages, "The instance's stored messages",
             auth="none", responses={200: "mock/messages.response"}, errors=(*ON_NAME, literals.INVALID_NUMBER),
             tag="mock",
             query={"direction": "incoming or outgoing", "chat": "only this chat (number or JID)"}),
    Endpoint("GET", f"{M}/deliveries", list_deliveries, "The webhook delivery journal (incl. dead letters)",
             auth="none", responses={200: "mock/deliveries.response"}, errors=(INVALID_TOKEN,), tag="mock",
             query={"instance": "only this instance", "event": "only this event type",
                    "status": "pending, delivered or dead"}),
    Endpoint("POST", f"{M}/deliveries/{{id}}/redeliver", redeliver, "Queue a delivery again", auth="none",
             responses={202: "mock/redeliver.response"}, errors=(INVALID_TOKEN, literals.MOCK_DELIVERY_NOT_FOUND),
             tag="mock"),
    Endpoint("POST", f"{M}/inbox/{{key}}", inbox_receive, "Capture inbox: use its URL as a webhook URL",
             auth="none", responses={200: "mock/ok.response"}, tag="mock"),
    Endpoint("POST", f"{M}/inbox/{{key}}/{{suffix:anypath}}", inbox_receive,
             "Capture inbox, with the event name appended (byEvents)", auth="none",
             responses={200: "mock/ok.response"}, tag="mock"),
    Endpoint("GET", f"{M}/inbox/{{key}}", inbox_list, "What arrived at a capture inbox, with headers",
             auth="none", responses={200: "mock/inbox.response"}, tag="mock"),
    Endpoint("DELETE", f"{M}/inbox/{{key}}", inbox_clear, "Empty a capture inbox", auth="none",
             responses={200: "mock/ok.response"}, tag="mock"),
    Endpoint("GET", f"{M}/clock", clock, "Read the virtual clock", auth="none",
             responses={200: "mock/clock.response"}, tag="mock"),
    Endpoint("POST", f"{M}/clock", clock, "Advance or freeze the virtual clock", auth="none",
             request_schema="mock/clock.request", responses={200: "mock/clock.response"},
             errors=(INVALID_BODY,), tag="mock"),
    Endpoint("GET", f"{M}/contract", contract, "Where the mock follows the docs, live observations or a guess",
             auth="none", responses={200: "mock/contract.response"}, tag="mock"),
)
