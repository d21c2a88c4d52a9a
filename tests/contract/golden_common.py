"""Golden rows that belong to no one module: routing, request limits, and the mock's control plane.

The control plane's refusals are mockryze's own (``/__mock__/``), not RyzeAPI's; they are pinned
here all the same, since test suites written against the mock branch on them.
"""

from __future__ import annotations

from tests.contract.golden import Golden, Stage, created


def faulted(stage: Stage) -> None:
    """A ``rate_limited`` fault is on; its id fills ``{FAULT}``."""
    response = stage.call("POST", "/__mock__/faults", json={"fault": "rate_limited"})
    assert response.status_code == 201, response.text
    stage.saved["FAULT"] = str(response.json()["fault"]["id"])


ROWS: list[Golden] = [
    Golden("ROUTE_NOT_FOUND", 404, "Route not found", "GET /api/nothing/here", source="inferred"),
    Golden("ROUTE_NOT_FOUND", 404, "Route not found", "POST /api/message/event2/sales", {"number": "1"},
           source="inferred", note="an undocumented module"),
    Golden("METHOD_NOT_ALLOWED", 405, "Method not allowed", "GET /api/message/text/sales", source="inferred"),
    Golden("BODY_TOO_LARGE", 413, "Request body too large", "POST /api/instance/settings/sales",
           {"callRejectMessage": "x" * 64}, settings={"max_body_size": 32}, source="inferred"),
    # --- the control plane (mock-only) ---------------------------------------------------------------
    Golden("MOCK_NOTHING_PENDING", 409, "No QR code or pairing code is waiting to be scanned",
           "POST /__mock__/instances/sales/scan", {}, source="inferred"),
    Golden("MOCK_ILLEGAL_STATE", 409, "The instance cannot move to that state from its current one",
           "POST /__mock__/instances/sales/state", {"state": "connected"}, given=(created,), source="inferred",
           detail="cannot recover an instance that is disconnected"),
    Golden("MOCK_ILLEGAL_STATE", 409, "The instance cannot move to that state from its current one",
           "POST /__mock__/instances/sales/state", {"state": "disconnected"}, given=(created,), source="inferred",
           detail="cannot network loss an instance that is disconnected", note="the trigger's words"),
    Golden("MOCK_ACCOUNT_EXISTS", 409, "Account token already exists", "POST /__mock__/accounts",
           {"token": "{ACCOUNT}"}, source="inferred"),
    Golden("MOCK_DELIVERY_NOT_FOUND", 404, "Delivery not found", "POST /__mock__/deliveries/dlv_999999/redeliver",
           source="inferred"),
    Golden("MOCK_ACCOUNT_NOT_FOUND", 404, "Account not found", "GET /__mock__/quirks?account=nobody",
           source="inferred"),
    Golden("MOCK_UNKNOWN_QUIRK", 400, "Unknown quirk or quirk value (GET /__mock__/quirks lists them)",
           "POST /__mock__/accounts", {"quirks": {"no_such_quirk": "on"}}, source="inferred"),
    # --- faults and scenarios (mock-only) -------------------------------------------------------------
    Golden("MOCK_FAULT_INJECTED", 201, "Fault injected", "POST /__mock__/faults",
           {"fault": "rate_limited", "route": "POST /api/message/text/:instance"}, source="inferred"),
    Golden("MOCK_FAULT_REMOVED", 200, "Fault removed", "DELETE /__mock__/faults/{FAULT}", given=(created, faulted),
           source="inferred"),
    Golden("MOCK_FAULT_NOT_FOUND", 404, "Fault not found", "DELETE /__mock__/faults/flt_999999", source="inferred"),
    Golden("MOCK_FAULTS_CLEARED", 200, "Faults cleared", "DELETE /__mock__/faults", given=(created, faulted),
           source="inferred"),
    Golden("MOCK_SCENARIO_LOADED", 201, "Scenario loaded", "POST /__mock__/scenarios",
           {"name": "golden", "instances": [{"name": "golden-desk", "connected": True}]}, source="inferred"),
]

