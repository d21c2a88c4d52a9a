"""Golden rows of RyzeAPI's Chatwoot module (``/api/chatwoot/*``), from the reference's other-modules pages.

The module prints its own lower-case texts (``instance not found``) and its own 404 for an unknown instance.
"""

from __future__ import annotations

from typing import Any

from tests.contract.golden import Golden, Stage, created, on_instance

BASE = "https://chatwoot.example.org"
SET = {"chatwootBaseUrl": BASE, "chatwootAccountId": 7, "chatwootApiToken": "tok_example",
       "inboxName": "WhatsApp Support"}
GATEWAY_OFF = {"chatwoot_gateway": False}


def integrated(stage: Stage) -> None:
    assert stage.call("POST", "/api/chatwoot/set/sales", json=SET).status_code == 201


def chatwoot_answers(answer: str) -> Any:
    def step(stage: Stage) -> None:
        stage.ryze.chatwoot_server(BASE, answer, detail="boom")
    return step


def refused(answer: str, status: int, text: str) -> Golden:
    return Golden("chatwoot_refused", status, text, "POST /api/chatwoot/set/sales", SET,
                  (created, chatwoot_answers(answer)), note=answer)


# Refusals a route declares that no request can get from it, and why.
UNREACHABLE: dict[tuple[str, str], str] = {
    ("POST /api/chatwoot/set/sales",
     "403 Chatwoot denied the request — verify the API token has admin scope on account 0. Detail: "):
        "the route table prints the builder with account 0, which the body refuses (minimum 1); the `forbidden` "
        "row pins the text for account 7",
}

ROUTES: dict[str, tuple[Any, tuple[Any, ...], str, str]] = {
    "POST /api/chatwoot/set/sales": (SET, (created,), "CHATWOOT_ACTIVATED", "chatwoot integration activated"),
    "GET /api/chatwoot/list/sales": (None, (created, integrated), "route.chatwoot.list", None),
    "DELETE /api/chatwoot/delete/sales": (None, (created, integrated), "CHATWOOT_DEACTIVATED",
                                          "chatwoot integration deactivated"),
}

ROWS: list[Golden] = [
    *[Golden(literal, 201 if route.startswith("POST") else 200, text, route, body, given)
      for route, (body, given, literal, text) in ROUTES.items()],
    *[row for route, (body, given, *_) in ROUTES.items()
      for row in on_instance(route, body, given, not_found=("CHATWOOT_INSTANCE_NOT_FOUND", "instance not found"))],
    Golden("CHATWOOT_ACTIVATED", 201, "chatwoot integration activated", "POST /api/chatwoot/set/sales", SET,
           (created, integrated), note="set again"),
    Golden("CHATWOOT_NOT_CONFIGURED", 404, "no chatwoot integration for this instance", "GET /api/chatwoot/list/sales"),
    Golden("CHATWOOT_NOTHING_TO_DELETE", 404, "no chatwoot integration to delete", "DELETE /api/chatwoot/delete/sales"),
    Golden("CHATWOOT_GATEWAY_OFF", 503, "integration gateway not configured", "POST /api/chatwoot/set/sales", SET,
           settings=GATEWAY_OFF),
    Golden("CHATWOOT_GATEWAY_OFF", 503, "integration gateway not configured", "DELETE /api/chatwoot/delete/sales",
           settings=GATEWAY_OFF),
    Golden("CHATWOOT_GATEWAY_OFF_HINTED", 503, "integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)",
           "GET /api/chatwoot/list/sales", settings=GATEWAY_OFF),
    Golden("chatwoot_invalid_body", 400, "invalid body: malformed JSON: Expecting value: line 1 column 2 (char 1)",
           "POST /api/chatwoot/set/sales", b"["),  # the detail: the mock's parser text
    refused("account_not_found", 400, "Chatwoot account or endpoint not found — verify chatwootBaseUrl "
                                      f"({BASE}) and chatwootAccountId (7). Detail: boom"),
    refused("invalid", 400, "Chatwoot rejected the request as invalid. Detail: boom"),
    refused("token_rejected", 401, "Chatwoot rejected the API token — verify chatwootApiToken. Detail: boom"),
    refused("forbidden", 403, "Chatwoot denied the request — verify the API token has admin scope on account 7. "
                              "Detail: boom"),
]
