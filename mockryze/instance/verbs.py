"""The instance module's mock-only verbs: the phone scans, the phone or WhatsApp changes the session."""

from __future__ import annotations

from typing import Any

from mockryze.core import literals
from mockryze.core.literals import (
    INSTANCE_NOT_FOUND,
    INVALID_BODY,
    INVALID_PHONE_NUMBER,
    INVALID_TOKEN,
    TOKEN_INSTANCE_MISMATCH,
)
from mockryze.http.verbs import Call, Verb, ok
from mockryze.instance import model as instances
from mockryze.instance.model import Instance

ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, TOKEN_INSTANCE_MISMATCH)


def instance_view(inst: Instance) -> dict[str, Any]:
    return {
        "name": inst.name, "status": inst.state.rest, "state": inst.state.value, "numberJid": inst.jid,
        "pushName": inst.push_name, "hasSession": inst.has_session,
    }


def show(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, ok("Instance found", instance=instance_view(call.target()))


def scan(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    instances.scan(call.world, target, call.args.get("number"), call.args.get("pushName"))
    return 200, ok("QR code scanned", instance=instance_view(target))


def set_state(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    instances.phone_side_change(call.world, target, call.args["state"])
    return 200, ok("Instance state changed", instance=instance_view(target))


VERBS: tuple[Verb, ...] = (
    Verb("instance", "GET", "/instances/{name}", show, "Inspect an instance", result="instance",
         responses={200: "mock/instance.response"}, errors=ON_NAME),
    Verb("scan", "POST", "/instances/{name}/scan", scan, "The phone scans the QR / enters the pairing code",
         result="instance", request_schema="mock/scan.request", responses={200: "mock/instance.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_PHONE_NUMBER, literals.MOCK_NOTHING_PENDING)),
    Verb("set_state", "POST", "/instances/{name}/state", set_state, "The phone / WhatsApp changes the session",
         result="instance", request_schema="mock/state.request", responses={200: "mock/instance.response"},
         errors=(*ON_NAME, INVALID_BODY, literals.MOCK_ILLEGAL_STATE)),
)
