"""Golden rows that belong to no one module: routing, request limits, and the mock's control plane.

The control plane's refusals are mockryze's own (``/__mock__/``), not RyzeAPI's; they are pinned
here all the same, since test suites written against the mock branch on them.
"""

from __future__ import annotations

from tests.contract.golden import Golden, created

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
]
