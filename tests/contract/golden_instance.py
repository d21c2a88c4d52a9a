"""Golden rows of RyzeAPI's instance module (``/api/instance/*``), from the reference's instance pages."""

from __future__ import annotations

from tests.contract.golden import (
    Golden,
    connected,
    created,
    logged_out,
    on_instance,
    other_instance,
    spend,
    waiting,
)

CREATE = "POST /api/instance/new"
SETTINGS = {"autoRejectCalls": True}
PROXY = {"enabled": True, "host": "proxy.example.net", "port": "1080", "protocol": "socks5"}
S3 = {"enabled": True, "region": "sa-east-1", "bucket": "b", "accessKey": "AKIA", "secretKey": "s"}

ROUTES: dict[str, object] = {  # every route of the module, spelled for the instance `sales`, with a valid body
    "GET /api/instance/connect/sales": None,
    "POST /api/instance/reconnect/sales": None,
    "DELETE /api/instance/logout/sales": None,
    "DELETE /api/instance/delete/sales": None,
    "GET /api/instance/getSettings/sales": None,
    "POST /api/instance/settings/sales": SETTINGS,
    "GET /api/instance/getProxy/sales": None,
    "POST /api/instance/proxy/sales": PROXY,
    "GET /api/instance/getS3/sales": None,
    "POST /api/instance/s3/sales": S3,
}

# Refusals a route declares that no request can get from it, and why.
UNREACHABLE: dict[tuple[str, str], str] = {
    ("DELETE /api/instance/delete/sales", "TOKEN_INSTANCE_MISMATCH"):
        "TokenAccount only: another instance's token gets 401 `Invalid token` (documented)",
}

ROWS: list[Golden] = [
    # --- create (TokenAccount only, 20/min) -------------------------------------------------------
    Golden("INSTANCE_CREATED", 201, "Instance created successfully", CREATE, {"name": "new"}, source="inferred"),
    Golden("state.disconnected", 201, "disconnected", CREATE, {"name": "new"}, at="instance.status"),
    Golden("INVALID_BODY", 400, "Invalid request body", CREATE, b"{not json"),
    Golden("INSTANCE_NAME_REQUIRED", 400, "Instance name is required", CREATE, {"name": ""}),
    Golden("INSTANCE_NAME_TAKEN", 409, "Instance name already exists", CREATE, {"name": "sales"}, source="inferred"),
    Golden("TOKEN_IN_USE", 409, "Token already in use", CREATE, {"name": "b", "token": "{TOKEN}"},
           source="inferred"),
    Golden("QUOTA_EXCEEDED", 403, "Account instance quota exceeded", CREATE, {"name": "new"},
           settings={"instance_limit": 1}),
    Golden("INVALID_TOKEN", 401, "Invalid token", CREATE, {"name": "new"}, token="instance",
           note="a TokenInstance cannot create"),
    Golden("INVALID_TOKEN", 401, "Invalid token", CREATE, {"name": "new"}, token="bad"),
    Golden("RATE_LIMITED", 429, "Rate limit exceeded. Try again later.", CREATE, {"name": "new"},
           given=(created, spend(1, CREATE, "account")), settings={"rate_limits": True, "rate_limit_create": 1}),
    # --- list -------------------------------------------------------------------------------------
    Golden("instances_found", 200, "1 Instance found", "GET /api/instance/list"),
    Golden("instances_found", 200, "2 Instances found", "GET /api/instance/list", given=(created, other_instance),
           note="plural"),
    Golden("instances_found", 200, "0 Instances found", "GET /api/instance/list", given=(), note="none",
           source="inferred"),
    Golden("INSTANCE_NOT_FOUND", 404, "Instance not found", "GET /api/instance/list?instanceName=ghost"),
    Golden("INVALID_TOKEN", 401, "Invalid token", "GET /api/instance/list", token="bad"),
    Golden("RATE_LIMITED", 429, "Rate limit exceeded. Try again later.", "GET /api/instance/list",
           given=(created, spend(1, token="account")), settings={"rate_limits": True, "rate_limit_global": 1}),
    # --- connect ----------------------------------------------------------------------------------
    Golden("QR_CODE_GENERATED", 200, "QR code generated", "GET /api/instance/connect/sales"),
    Golden("STATUS_QR", 200, "qr_code_generated", "GET /api/instance/connect/sales", at="status",
           source="observed-live", note="live"),
    Golden("STATUS_QR", 200, "qr", "GET /api/instance/connect/sales", at="status", settings={"profile": "docs"},
           note="docs"),
    Golden("PAIRING_CODE_GENERATED", 200, "Pairing code generated",
           "GET /api/instance/connect/sales?number=5511987654321"),
    Golden("STATUS_PAIRING", 200, "pairing_code_generated", "GET /api/instance/connect/sales?number=5511987654321",
           at="status", source="inferred"),
    Golden("ALREADY_CONNECTED", 200, "Instance already connected", "GET /api/instance/connect/sales",
           given=(connected,), source="inferred"),
    Golden("STATUS_CONNECTED", 200, "connected", "GET /api/instance/connect/sales", given=(connected,), at="status",
           source="client-expects"),
    Golden("INVALID_PHONE_NUMBER", 400, "Invalid phone number", "GET /api/instance/connect/sales?number=abc",
           source="inferred"),
    # --- reconnect --------------------------------------------------------------------------------
    Golden("RECONNECT_INITIATED", 200, "Reconnect initiated", "POST /api/instance/reconnect/sales",
           given=(connected,)),
    Golden("STATUS_CONNECTING", 200, "connecting", "POST /api/instance/reconnect/sales", given=(connected,),
           at="status"),
    Golden("NO_SAVED_SESSION", 400, "Instance has no saved session — call /connect first",  # em dash
           "POST /api/instance/reconnect/sales", detail="cannot reconnect an instance that is disconnected"),
    Golden("NO_SAVED_SESSION", 400, "Instance has no saved session — call /connect first",
           "POST /api/instance/reconnect/sales", given=(connected, logged_out), note="after logout"),
    Golden("NO_SAVED_SESSION", 400, "Instance has no saved session — call /connect first",
           "POST /api/instance/reconnect/sales", given=(created, waiting), note="while waiting for the scan"),
    # --- logout, delete ---------------------------------------------------------------------------
    Golden("LOGGED_OUT", 200, "Instance logged out", "DELETE /api/instance/logout/sales", given=(connected,)),
    Golden("state.loggedout", 200, "loggedout", "DELETE /api/instance/logout/sales", at="instance.status"),
    Golden("DELETED", 200, "Instance deleted", "DELETE /api/instance/delete/sales"),
    Golden("state.deleted", 200, "deleted", "DELETE /api/instance/delete/sales", at="instance.status"),
    Golden("INVALID_TOKEN", 401, "Invalid token", "DELETE /api/instance/delete/sales", token="instance",
           note="a TokenInstance cannot delete, not even itself"),
    Golden("INSTANCE_NOT_FOUND", 404, "Instance not found", "DELETE /api/instance/delete/sales",
           given=(created, spend(1, "DELETE /api/instance/delete/sales", "account")), note="second delete"),
    # --- settings, proxy, S3 ----------------------------------------------------------------------
    Golden("SETTINGS_RETRIEVED", 200, "Settings retrieved successfully", "GET /api/instance/getSettings/sales"),
    Golden("SETTINGS_UPDATED", 200, "Settings updated successfully", "POST /api/instance/settings/sales", SETTINGS),
    Golden("AT_LEAST_ONE_SETTING", 400, "At least one setting must be provided", "POST /api/instance/settings/sales",
           {}),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/instance/settings/sales", b"{not json"),
    Golden("PROXY_RETRIEVED", 200, "Proxy configuration retrieved successfully", "GET /api/instance/getProxy/sales"),
    Golden("PROXY_UPDATED", 200, "Proxy configuration updated successfully", "POST /api/instance/proxy/sales",
           PROXY, source="inferred"),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/instance/proxy/sales", b"[1,"),
    Golden("route.getS3", 200, None, "GET /api/instance/getS3/sales", note="the read answers no message"),
    Golden("S3_UPDATED", 200, "S3 configuration updated", "POST /api/instance/s3/sales", S3),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/instance/s3/sales", b"{"),
    # --- what every `:instance` route refuses -----------------------------------------------------
    *[row for request, body in ROUTES.items()
      for row in on_instance(request, body, account_only=request == "DELETE /api/instance/delete/sales")],
]
