"""The Chatwoot module's mock-only verb: the bridge reports the integration's health."""

from __future__ import annotations

from typing import Any

from mockryze.chatwoot import model
from mockryze.core.literals import (
    CHATWOOT_NOT_CONFIGURED,
    INSTANCE_NOT_FOUND,
    INVALID_BODY,
    INVALID_TOKEN,
    TOKEN_INSTANCE_MISMATCH,
)
from mockryze.http.verbs import Call, Verb, ok


def report(call: Call) -> tuple[int, dict[str, Any]]:
    target = call.target()
    row = model.report(call.world, target, call.args["status"], call.args.get("lastError"))
    return 200, ok("Chatwoot status reported", chatwoot=row.row(target.name, call.world.iso))


def server(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    simulated = model.simulate_server(call.world, args["baseUrl"], args["answer"], args.get("detail"))
    return 200, ok("Chatwoot server simulated", server={"baseUrl": args["baseUrl"].rstrip("/"),
                                                        "answer": simulated.answer, "detail": simulated.detail})


VERBS: tuple[Verb, ...] = (
    Verb("chatwoot_status", "POST", "/instances/{name}/chatwoot", report,
         "The bridge reports the Chatwoot integration's health: status active, paused or error, and lastError",
         result="chatwoot", request_schema="mock/chatwoot.request", responses={200: "mock/chatwoot.response"},
         errors=(INVALID_TOKEN, INSTANCE_NOT_FOUND, TOKEN_INSTANCE_MISMATCH, INVALID_BODY, CHATWOOT_NOT_CONFIGURED)),
    Verb("chatwoot_server", "POST", "/chatwoot-servers", server,
         "How the Chatwoot server at a base URL answers POST /api/chatwoot/set: ok (the default), account_not_found, "
         "invalid, token_rejected or forbidden, with the raw cause after Detail:", result="server",
         request_schema="mock/chatwoot-server.request", responses={200: "mock/chatwoot-server.response"},
         errors=(INVALID_BODY,), scoped=False),
)
