"""The events module's configuration routes: webhooks (by label) and the WebSocket."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

WEBHOOK = "/api/events/webhook"
GET_WEBHOOK = "/api/events/getWebhook"
WEBSOCKET = "/api/events/websocket"
GET_WEBSOCKET = "/api/events/getWebsocket"
READ_ROUTES = (GET_WEBHOOK, WEBHOOK)  # getWebhook and its alias

CRM: dict[str, Any] = {
    "label": "crm-sync", "enabled": True, "url": "https://hooks.example.org/in?tenant=7",
    "authorization": "Bearer my-secret-123", "byEvents": True,
    "events": ["label.update", "message.exchange", "call.update"],  # deliberately not sorted
    "mediaBase64": True,
}
DISABLED_ROW: dict[str, Any] = {"enabled": False, "url": "", "authorization": "", "byEvents": False, "events": [],
                                "mediaBase64": False}


def hook(label: str | None = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"enabled": True, "url": f"https://hooks.example.org/{label or 'default'}", **fields}
    if label is not None:
        body["label"] = label
    return body


def set_hook(api: CheckedClient, body: dict[str, Any], name: str = "sales") -> dict[str, Any]:
    response = api.post(f"{WEBHOOK}/{name}", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Webhook configured successfully"
    row: dict[str, Any] = response.json()["webhook"]
    return row


def rows(api: CheckedClient, name: str = "sales", route: str = GET_WEBHOOK) -> list[dict[str, Any]]:
    response = api.get(f"{route}/{name}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Webhooks retrieved successfully"
    assert set(body) == {"success", "message", "webhooks"}
    found: list[dict[str, Any]] = body["webhooks"]
    return found


def one(api: CheckedClient, label: str, name: str = "sales", route: str = GET_WEBHOOK) -> dict[str, Any]:
    response = api.get(f"{route}/{name}", params={"label": label})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Webhook retrieved successfully"
    assert set(body) == {"success", "message", "webhook"}
    row: dict[str, Any] = body["webhook"]
    return row


def labels(api: CheckedClient, name: str = "sales") -> list[tuple[str, bool]]:
    return [(row["label"], row["enabled"]) for row in rows(api, name)]


@pytest.fixture
def sales(ryze: MockRyze) -> str:
    return ryze.create_instance("sales").token


# --- upsert and read-back -----------------------------------------------------------------------


@pytest.mark.parametrize("route", READ_ROUTES)
def test_read_back_equals_what_was_written(api: CheckedClient, sales: str, route: str) -> None:
    written = set_hook(api, CRM)
    assert written == CRM  # every field as sent: events in the written order, authorization in clear
    assert list(written["events"]) == ["label.update", "message.exchange", "call.update"]

    read = one(api, "crm-sync", route=route)
    for field, value in CRM.items():
        assert read[field] == value, field
    assert read == CRM
    assert rows(api, route=route) == [CRM]


def test_without_label_the_row_is_default(api: CheckedClient, sales: str) -> None:
    row = set_hook(api, {"enabled": True, "url": "http://10.0.0.5:8080/wa"})
    assert row == {"label": "default", "enabled": True, "url": "http://10.0.0.5:8080/wa", "authorization": "",
                   "byEvents": False, "events": [], "mediaBase64": False}
    assert one(api, "default") == row
    assert one(api, "") == row  # ?label= empty means the default row
    assert rows(api) == [row]
    # an empty label in the body is the default row too
    again = set_hook(api, {"label": "", "enabled": True, "url": "https://other.example.org/"})
    assert again["label"] == "default"
    assert [r["url"] for r in rows(api)] == ["https://other.example.org/"]


def test_upsert_replaces_the_whole_row_of_its_label(api: CheckedClient, sales: str) -> None:
    set_hook(api, CRM)
    set_hook(api, hook("other"))
    replaced = set_hook(api, {"label": "crm-sync", "enabled": True, "url": "https://new.example.org/x"})
    # full replacement: fields not sent fall back to their defaults, nothing merges from the old row
    assert replaced == {"label": "crm-sync", "enabled": True, "url": "https://new.example.org/x",
                        "authorization": "", "byEvents": False, "events": [], "mediaBase64": False}
    assert rows(api) == [replaced, one(api, "other")]
    assert one(api, "other")["url"] == "https://hooks.example.org/other"


@pytest.mark.parametrize("route", READ_ROUTES)
def test_list_is_sorted_by_label_and_shows_disabled_rows(api: CheckedClient, sales: str, route: str) -> None:
    assert rows(api, route=route) == []  # the array is always there
    set_hook(api, hook("zeta"))
    set_hook(api, {"label": "mid", "enabled": False})
    set_hook(api, hook())
    set_hook(api, hook("alpha"))
    listed = rows(api, route=route)
    assert [(r["label"], r["enabled"]) for r in listed] == [
        ("alpha", True), ("default", True), ("mid", False), ("zeta", True)
    ]
    assert listed[2] == {"label": "mid", **DISABLED_ROW}
    assert [one(api, r["label"], route=route) for r in listed] == listed


@pytest.mark.parametrize("route", READ_ROUTES)
def test_unknown_label_is_404(api: CheckedClient, sales: str, route: str) -> None:
    assert error_of(api.get(f"{route}/sales", params={"label": "nope"})) == literals.WEBHOOK_NOT_FOUND
    assert error_of(api.get(f"{route}/sales", params={"label": ""})) == literals.WEBHOOK_NOT_FOUND  # no default
    set_hook(api, hook("crm"))
    assert error_of(api.get(f"{route}/sales", params={"label": "CRM"})) == literals.WEBHOOK_NOT_FOUND
    assert error_of(api.get(f"{route}/sales", params={"label": "default"})) == literals.WEBHOOK_NOT_FOUND
    assert one(api, "crm", route=route)["label"] == "crm"


def test_soft_disable_clears_fields_and_keeps_the_row(api: CheckedClient, sales: str) -> None:
    set_hook(api, CRM)
    set_hook(api, hook("other"))
    # whatever else is sent with enabled:false is not kept
    disabled = set_hook(api, {**CRM, "enabled": False})
    assert disabled == {"label": "crm-sync", **DISABLED_ROW}
    assert one(api, "crm-sync") == disabled
    assert [r["label"] for r in rows(api)] == ["crm-sync", "other"]
    assert one(api, "other")["enabled"] is True
    # and it can be switched on again, with a fresh row
    assert set_hook(api, CRM) == CRM


# --- the three-enabled limit --------------------------------------------------------------------


def test_a_fourth_enabled_label_is_refused_and_nothing_changes(api: CheckedClient, sales: str) -> None:
    for label in ("a", "b", "c"):
        set_hook(api, hook(label))
    before = rows(api)

    response = api.post(f"{WEBHOOK}/sales", json=hook("d"))
    assert error_of(response) == literals.WEBHOOK_LIMIT
    assert error_of(response) == (400, "Maximum of 3 enabled webhooks per instance reached")
    assert rows(api) == before
    assert error_of(api.get(f"{GET_WEBHOOK}/sales", params={"label": "d"})) == literals.WEBHOOK_NOT_FOUND
    # the default label counts like any other
    assert error_of(api.post(f"{WEBHOOK}/sales", json=hook())) == literals.WEBHOOK_LIMIT

    # replacing one of the three enabled rows is not a fourth
    assert set_hook(api, hook("b", authorization="Bearer x"))["authorization"] == "Bearer x"


def test_disabled_labels_do_not_count_and_disabling_frees_a_slot(api: CheckedClient, sales: str) -> None:
    for label in ("a", "b", "c"):
        set_hook(api, hook(label))
    set_hook(api, {"label": "parked", "enabled": False})  # a disabled row is always accepted
    set_hook(api, {"label": "parked2", "enabled": False})
    assert error_of(api.post(f"{WEBHOOK}/sales", json=hook("d"))) == literals.WEBHOOK_LIMIT
    assert error_of(api.post(f"{WEBHOOK}/sales", json=hook("parked"))) == literals.WEBHOOK_LIMIT

    set_hook(api, {"label": "b", "enabled": False})
    assert set_hook(api, hook("d"))["enabled"] is True
    assert labels(api) == [("a", True), ("b", False), ("c", True), ("d", True), ("parked", False),
                           ("parked2", False)]
    # b is now the one that would be fourth
    assert error_of(api.post(f"{WEBHOOK}/sales", json=hook("b"))) == literals.WEBHOOK_LIMIT
    assert one(api, "b") == {"label": "b", **DISABLED_ROW}


def test_the_limit_is_per_instance(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.create_instance("support")
    for label in ("a", "b", "c"):
        set_hook(api, hook(label), "sales")
    for label in ("a", "b", "c"):
        set_hook(api, hook(label), "support")
    assert error_of(api.post(f"{WEBHOOK}/support", json=hook("d"))) == literals.WEBHOOK_LIMIT


# --- bad bodies ---------------------------------------------------------------------------------

BAD_WEBHOOK_BODIES: list[Any] = [
    pytest.param({}, id="empty-object"),
    pytest.param({"label": "crm-sync", "url": "https://x.example.org"}, id="missing-enabled"),
    pytest.param({"label": "crm-sync", "enabled": True}, id="enabled-without-url"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": ""}, id="empty-url"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "ftp://x.example.org/in"}, id="ftp-url"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "hooks.example.org/in"}, id="no-scheme"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org",
                  "events": ["message.received"]}, id="unknown-event"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org",
                  "events": ["message.exchange", "MESSAGE.STATUS"]}, id="event-case"),
    pytest.param({"label": "crm-sync", "enabled": "true", "url": "https://x.example.org"}, id="enabled-string"),
    pytest.param({"label": "crm-sync", "enabled": 1, "url": "https://x.example.org"}, id="enabled-int"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": 42}, id="url-int"),
    pytest.param({"label": 7, "enabled": True, "url": "https://x.example.org"}, id="label-int"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org",
                  "events": "message.exchange"}, id="events-string"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org", "byEvents": "yes"},
                 id="byEvents-string"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org", "mediaBase64": None},
                 id="mediaBase64-null"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org", "authorization": 5},
                 id="authorization-int"),
    pytest.param({"label": "crm-sync", "enabled": False, "events": ["nope"]}, id="disabled-bad-event"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org:99999/in"}, id="port-99999"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "http://x.example.org:0/in"}, id="port-0"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org",
                  "authorization": "Bearer a\r\nX-Injected: 1"}, id="authorization-crlf"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "https://x.example.org",
                  "authorization": "Bearer a\x00"}, id="authorization-nul"),
    pytest.param({"label": "crm-sync", "enabled": True,
                  "url": "http://mockryze.test/__mock__/deliveries/dlv_000001/redeliver"}, id="own-control-plane"),
    pytest.param({"label": "crm-sync", "enabled": True, "url": "HTTP://MOCKRYZE.TEST/__mock__/inbox/../reset"},
                 id="own-control-plane-dot-segments"),
    pytest.param(b'{"label": "crm-sync", "enabled": true, "url": "https://x.example.org"', id="malformed-json"),
    pytest.param(b"enabled=true", id="not-json"),
    pytest.param(b'[{"enabled": true, "url": "https://x.example.org"}]', id="json-array"),
    pytest.param(b'"enabled"', id="json-string"),
]


@pytest.mark.parametrize("body", BAD_WEBHOOK_BODIES)
def test_bad_webhook_bodies_are_refused_and_change_nothing(api: CheckedClient, sales: str, body: Any) -> None:
    set_hook(api, CRM)
    set_hook(api, hook())
    before = rows(api)
    if isinstance(body, bytes):
        response = api.post(f"{WEBHOOK}/sales", content=body, headers={"Content-Type": "application/json"})
    else:
        response = api.post(f"{WEBHOOK}/sales", json=body)
    assert error_of(response) == literals.INVALID_BODY
    assert error_of(response) == (400, "Invalid request body")
    assert rows(api) == before


def test_upper_case_schemes_and_the_own_capture_inbox_are_accepted(api: CheckedClient, sales: str) -> None:
    for label, url in (("upper", "HTTP://hooks.example.org/in"), ("mixed", "hTTpS://hooks.example.org/in"),
                       ("inbox", "http://mockryze.test/__mock__/inbox/sales")):
        assert set_hook(api, {"label": label, "enabled": True, "url": url})["url"] == url
        assert one(api, label)["url"] == url


def test_empty_body_is_refused(api: CheckedClient, sales: str) -> None:
    assert error_of(api.post(f"{WEBHOOK}/sales")) == literals.INVALID_BODY
    assert rows(api) == []


# --- the WebSocket configuration ----------------------------------------------------------------


def set_ws(api: CheckedClient, body: dict[str, Any], name: str = "sales") -> dict[str, Any]:
    response = api.post(f"{WEBSOCKET}/{name}", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "WebSocket configured successfully"
    config: dict[str, Any] = response.json()["websocket"]
    return config


def get_ws(api: CheckedClient, name: str = "sales") -> dict[str, Any]:
    response = api.get(f"{GET_WEBSOCKET}/{name}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "WebSocket configuration retrieved"
    assert set(response.json()) == {"success", "message", "websocket"}
    config: dict[str, Any] = response.json()["websocket"]
    return config


def test_websocket_never_configured_is_404(api: CheckedClient, sales: str) -> None:
    response = api.get(f"{GET_WEBSOCKET}/sales")
    assert error_of(response) == literals.WEBSOCKET_NOT_CONFIGURED
    assert error_of(response) == (404, "WebSocket not configured for this instance")
    set_hook(api, hook())  # a webhook is not a WebSocket configuration
    assert error_of(api.get(f"{GET_WEBSOCKET}/sales")) == literals.WEBSOCKET_NOT_CONFIGURED


def test_websocket_set_and_read_back(api: CheckedClient, sales: str) -> None:
    body = {"enabled": True, "events": ["message.status", "call.update", "message.exchange"], "mediaBase64": True}
    assert set_ws(api, body) == body
    assert get_ws(api) == body
    assert get_ws(api)["events"] == ["message.status", "call.update", "message.exchange"]
    # replacement, not merge: omitted fields go back to their defaults
    assert set_ws(api, {"enabled": True}) == {"enabled": True, "events": [], "mediaBase64": False}
    assert get_ws(api) == {"enabled": True, "events": [], "mediaBase64": False}


def test_websocket_disable_clears_events_and_media(api: CheckedClient, sales: str) -> None:
    set_ws(api, {"enabled": True, "events": ["group.flow"], "mediaBase64": True})
    cleared = set_ws(api, {"enabled": False, "events": ["message.exchange"], "mediaBase64": True})
    assert cleared == {"enabled": False, "events": [], "mediaBase64": False}
    assert get_ws(api) == cleared  # the configuration is kept (no 404), just off


BAD_WEBSOCKET_BODIES: list[Any] = [
    pytest.param({}, id="empty-object"),
    pytest.param({"events": ["message.exchange"]}, id="missing-enabled"),
    pytest.param({"enabled": "true"}, id="enabled-string"),
    pytest.param({"enabled": True, "events": ["message.received"]}, id="unknown-event"),
    pytest.param({"enabled": True, "events": "call.update"}, id="events-string"),
    pytest.param({"enabled": True, "mediaBase64": "no"}, id="mediaBase64-string"),
    pytest.param(b'{"enabled": tru', id="malformed-json"),
    pytest.param(b"[]", id="json-array"),
]


@pytest.mark.parametrize("body", BAD_WEBSOCKET_BODIES)
def test_bad_websocket_bodies_are_refused_and_change_nothing(api: CheckedClient, sales: str, body: Any) -> None:
    current = set_ws(api, {"enabled": True, "events": ["label.update"], "mediaBase64": True})
    if isinstance(body, bytes):
        response = api.post(f"{WEBSOCKET}/sales", content=body, headers={"Content-Type": "application/json"})
    else:
        response = api.post(f"{WEBSOCKET}/sales", json=body)
    assert error_of(response) == (400, "Invalid request body")
    assert get_ws(api) == current


def test_bad_websocket_body_on_a_never_configured_instance_stays_unconfigured(
    api: CheckedClient, sales: str
) -> None:
    assert error_of(api.post(f"{WEBSOCKET}/sales", json={"events": []})) == literals.INVALID_BODY
    assert error_of(api.get(f"{GET_WEBSOCKET}/sales")) == literals.WEBSOCKET_NOT_CONFIGURED


# --- inline configuration at creation -----------------------------------------------------------


def test_inline_fields_of_instance_new_feed_the_events_configuration(api: CheckedClient) -> None:
    response = api.post("/api/instance/new", json={
        "name": "sales", "webhookEnabled": True, "webhookURL": "https://hooks.example.net/wa",
        "webhookAuthorization": "Bearer abc", "webhookByEvents": True,
        "webhookEvents": ["message.status", "instance.state"], "webhookMediaBase64": True,
        "websocketEnabled": True, "websocketEvents": ["call.update", "message.exchange"],
        "websocketMediaBase64": True,
    })
    assert response.status_code == 201, response.text
    expected = {"label": "default", "enabled": True, "url": "https://hooks.example.net/wa",
                "authorization": "Bearer abc", "byEvents": True, "events": ["message.status", "instance.state"],
                "mediaBase64": True}
    assert rows(api) == [expected]
    assert one(api, "") == expected
    assert get_ws(api) == {"enabled": True, "events": ["call.update", "message.exchange"], "mediaBase64": True}

    # the inline row is an ordinary row: it counts towards the limit and can be replaced
    set_hook(api, hook("b"))
    set_hook(api, hook("c"))
    assert error_of(api.post(f"{WEBHOOK}/sales", json=hook("d"))) == literals.WEBHOOK_LIMIT
    assert set_hook(api, {"enabled": False}) == {"label": "default", **DISABLED_ROW}
    assert set_hook(api, hook("d"))["enabled"] is True


def test_inline_webhook_without_url_is_a_disabled_default_row(api: CheckedClient) -> None:
    response = api.post("/api/instance/new", json={"name": "sales", "webhookEnabled": True,
                                                   "webhookAuthorization": "Bearer abc"})
    assert response.status_code == 201, response.text
    assert rows(api) == [{"label": "default", **DISABLED_ROW}]


def test_instance_created_without_inline_blocks_has_no_events_configuration(api: CheckedClient) -> None:
    assert api.post("/api/instance/new", json={"name": "sales"}).status_code == 201
    assert rows(api) == []
    assert error_of(api.get(f"{GET_WEBSOCKET}/sales")) == literals.WEBSOCKET_NOT_CONFIGURED


def test_inline_websocket_disabled_reads_back_cleared(api: CheckedClient) -> None:
    response = api.post("/api/instance/new", json={"name": "sales", "websocketEnabled": False,
                                                   "websocketEvents": ["call.update"], "websocketMediaBase64": True})
    assert response.status_code == 201, response.text
    assert get_ws(api) == {"enabled": False, "events": [], "mediaBase64": False}


# --- tokens -------------------------------------------------------------------------------------

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", WEBHOOK, hook("crm")),
    ("GET", GET_WEBHOOK, None),
    ("GET", WEBHOOK, None),
    ("POST", WEBSOCKET, {"enabled": True}),
    ("GET", GET_WEBSOCKET, None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def call(api: CheckedClient, method: str, path: str, body: dict[str, Any] | None, name: str,
         token: str | None = None, headers: dict[str, str] | None = None) -> Any:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    return api.request(method, f"{path}/{name}", token=token, **kwargs)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_token_rules(api: CheckedClient, ryze: MockRyze, method: str, path: str, body: dict[str, Any] | None) -> None:
    sales = ryze.create_instance("sales")
    support = ryze.create_instance("support")
    set_hook(api, hook("crm"), "sales")
    set_ws(api, {"enabled": True}, "sales")
    other_account = ryze.new_account()
    ryze.create_instance("sales-elsewhere", account_token=other_account)

    # the instance's own token and the account token work
    assert call(api, method, path, body, "sales", token=sales.token).status_code == 200
    assert call(api, method, path, body, "sales").status_code == 200
    assert call(api, method, path, body, "sales", headers={"Authorization": f"Bearer {sales.token}"}) \
        .status_code == 200
    # another instance's token
    assert error_of(call(api, method, path, body, "sales", token=support.token)) == \
        (403, "Instance token does not match this instance")
    # another account's token: the instance does not exist there
    assert error_of(call(api, method, path, body, "sales", token=other_account)) == (404, "Instance not found")
    # no token, or an unknown one
    unauthenticated = CheckedClient(ryze.client)
    assert error_of(call(unauthenticated, method, path, body, "sales")) == (401, "Invalid token")
    assert error_of(call(api, method, path, body, "sales", token="not-a-token")) == (401, "Invalid token")
    # unknown instance
    assert error_of(call(api, method, path, body, "ghost")) == (404, "Instance not found")


def test_refused_writes_change_nothing(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    support = ryze.create_instance("support")
    other_account = ryze.new_account()
    for token in (support.token, other_account, "not-a-token"):
        api.post(f"{WEBHOOK}/sales", json=hook("crm"), token=token)
        api.post(f"{WEBSOCKET}/sales", json={"enabled": True}, token=token)
    assert rows(api) == []
    assert error_of(api.get(f"{GET_WEBSOCKET}/sales")) == literals.WEBSOCKET_NOT_CONFIGURED
