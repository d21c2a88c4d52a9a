"""Instance configuration: inline blocks at creation, settings, proxy, S3 and the list filters."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import schemas
from mockryze.instance.model import INLINE_BLOCKS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

PROXY_SECRET = "pr0xy-p4ssw0rd-xyz"
S3_SECRET = "s3-s3cr3t-k3y-xyz"
CHATWOOT_SECRET = "chatw00t-api-t0ken-xyz"
SECRETS = (PROXY_SECRET, S3_SECRET, CHATWOOT_SECRET)

SETTINGS_DEFAULTS = {
    "autoRejectCalls": False,
    "callRejectMessage": "",
    "ignoreGroupMessages": False,
    "keepOnlineStatus": False,
    "autoReadMessages": False,
    "disableHistorySync": True,
    "ignoreStatus": False,
}

FULL_BODY: dict[str, Any] = {
    "name": "sales",
    "proxyEnabled": True, "proxyHost": "proxy.example.net", "proxyPort": "1080", "proxyProtocol": "socks5",
    "proxyUsername": "u1", "proxyPassword": PROXY_SECRET,
    "webhookEnabled": True, "webhookURL": "https://hooks.example.net/wa", "webhookAuthorization": "Bearer abc",
    "webhookByEvents": True, "webhookEvents": ["message.exchange", "instance.state"], "webhookMediaBase64": True,
    "websocketEnabled": True, "websocketEvents": ["message.status"], "websocketMediaBase64": False,
    "chatwootEnabled": True, "chatwootBaseUrl": "https://chat.example.net", "chatwootAccountId": 7,
    "chatwootApiToken": CHATWOOT_SECRET, "chatwootInboxName": "WhatsApp", "chatwootSignMessages": True,
    "chatwootIgnoreGroups": True, "chatwootStartAsPending": False, "chatwootReopenResolved": True,
    "autoRejectCalls": True, "callRejectMessage": "No calls, please.", "ignoreGroupMessages": True,
    "keepOnlineStatus": True, "autoReadMessages": True, "disableHistorySync": False, "ignoreStatus": True,
    "s3Enabled": True, "s3Region": "sa-east-1", "s3Bucket": "acme-wa-media", "s3AccessKey": "AKIAEXAMPLE",
    "s3SecretKey": S3_SECRET, "s3Endpoint": "https://s3.example.net", "s3PathPrefix": "wa/sales/",
}


# --- helpers ----------------------------------------------------------------------------------
def new(api: CheckedClient, **body: Any) -> Any:
    return api.post("/api/instance/new", json=body)


def create(api: CheckedClient, name: str = "sales", **body: Any) -> dict[str, Any]:
    response = new(api, name=name, **body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listing(api: CheckedClient, **params: str) -> dict[str, Any]:
    response = api.get("/api/instance/list", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def item(api: CheckedClient, name: str = "sales") -> dict[str, Any]:
    found: dict[str, Any] = {i["name"]: i for i in listing(api)["instances"]}[name]
    return found


def settings_of(api: CheckedClient, name: str = "sales") -> dict[str, Any]:
    response = api.get(f"/api/instance/getSettings/{name}")
    assert response.status_code == 200
    settings: dict[str, Any] = response.json()["settings"]
    return settings


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# --- create with every inline block -----------------------------------------------------------
def test_create_with_every_block(api: CheckedClient) -> None:
    response = new(api, **FULL_BODY)
    assert response.status_code == 201
    assert_no_secret(response.text)
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Instance created successfully"
    assert body["instance"]["token"] == body["data"]["token"]
    assert body["instance"]["name"] == "sales"
    assert body["instance"]["status"] == "disconnected"
    assert body["instance"]["numberJid"] is None
    assert body["instance"]["createdAt"] == body["instance"]["updatedAt"] == "2026-01-01T09:00:00-03:00"

    assert body["proxy"] == {"enabled": True, "host": "proxy.example.net", "port": "1080", "protocol": "socks5",
                             "username": "u1"}
    assert body["webhook"] == {"label": "default", "enabled": True, "url": "https://hooks.example.net/wa",
                               "authorization": "Bearer abc", "byEvents": True,
                               "events": ["message.exchange", "instance.state"], "mediaBase64": True}
    assert body["websocket"] == {"enabled": True, "events": ["message.status"], "mediaBase64": False}
    assert body["chatwoot"] == {"enabled": True, "status": "active", "baseUrl": "https://chat.example.net",
                                "accountId": 7, "inboxName": "WhatsApp", "signMessages": True,
                                "ignoreGroups": True, "startAsPending": False, "reopenResolved": True}
    assert body["settings"] == {"autoRejectCalls": True, "callRejectMessage": "No calls, please.",
                                "ignoreGroupMessages": True, "keepOnlineStatus": True, "autoReadMessages": True,
                                "disableHistorySync": False, "ignoreStatus": True}
    assert body["s3"] == {"enabled": True, "region": "sa-east-1", "bucket": "acme-wa-media",
                          "accessKey": "AKIAEXAMPLE", "endpoint": "https://s3.example.net", "pathPrefix": "wa/sales/"}

    token = body["instance"]["token"]
    for path in ("/api/instance/list", "/api/instance/getProxy/sales", "/api/instance/getS3/sales",
                 "/api/instance/getSettings/sales"):
        for auth in (None, token):
            seen = api.get(path, token=auth)
            assert seen.status_code == 200
            assert_no_secret(seen.text)

    listed = item(api)
    assert listed["proxy"] == body["proxy"]
    assert listed["webhook"] == {"enabled": True, "url": "https://hooks.example.net/wa", "byEvents": True,
                                 "events": ["message.exchange", "instance.state"], "mediaBase64": True}
    assert listed["websocket"] == body["websocket"]
    assert listed["chatwoot"] == body["chatwoot"]
    assert listed["settings"] == body["settings"]
    assert listed["s3"] == {**body["s3"], "secretKey": None}


def test_create_without_blocks_echoes_none(api: CheckedClient) -> None:
    body = create(api)
    assert set(body) == {"success", "message", "instance", "data"}
    assert body["data"] == {"token": body["instance"]["token"]}
    listed = item(api)
    assert listed["settings"] == SETTINGS_DEFAULTS
    assert listed["proxy"] == {"enabled": False, "host": None, "port": None, "protocol": None, "username": None}
    assert listed["webhook"] == {"enabled": False}
    assert listed["chatwoot"] == {"enabled": False}
    assert listed["websocket"] == {"enabled": False, "events": [], "mediaBase64": False}


def test_only_mentioned_blocks_are_echoed(api: CheckedClient) -> None:
    body = create(api, autoRejectCalls=True)
    assert set(body) == {"success", "message", "instance", "data", "settings"}
    assert body["settings"] == {**SETTINGS_DEFAULTS, "autoRejectCalls": True}


def test_every_create_field_feeds_exactly_one_block() -> None:
    """The create schema and the inline table agree: no field is accepted and then ignored."""
    fields = set(schemas.schema("instance/new.request")["properties"]) - {"name", "token"}
    mapped = [outer for slot in INLINE_BLOCKS.values() for outer in slot.kind.INLINE]
    assert sorted(mapped) == sorted(fields)


def test_enabled_blocks_missing_required_fields_come_back_disabled(api: CheckedClient) -> None:
    response = new(api, name="sales",
                   proxyEnabled=True, proxyPort="1080", proxyProtocol="http", proxyPassword=PROXY_SECRET,
                   webhookEnabled=True, webhookAuthorization="Bearer abc",
                   chatwootEnabled=True, chatwootBaseUrl="https://chat.example.net", chatwootApiToken=CHATWOOT_SECRET,
                   s3Enabled=True, s3Region="sa-east-1", s3Bucket="b", s3SecretKey=S3_SECRET)
    assert response.status_code == 201
    assert_no_secret(response.text)
    body = response.json()
    assert body["message"] == "Instance created successfully"
    assert body["proxy"]["enabled"] is False
    assert body["proxy"]["host"] is None
    assert body["webhook"]["enabled"] is False
    assert body["webhook"]["url"] == ""
    assert body["chatwoot"]["enabled"] is False
    assert body["chatwoot"]["status"] == "error"
    assert "chatwootAccountId" in body["chatwoot"]["error"]
    assert body["s3"]["enabled"] is False
    assert body["s3"]["region"] is None

    listed = item(api)
    assert listed["proxy"]["enabled"] is False
    assert listed["webhook"] == {"enabled": False}
    assert listed["chatwoot"]["enabled"] is False
    assert listed["chatwoot"]["status"] == "error"
    assert listed["s3"]["enabled"] is False
    assert_no_secret(api.get("/api/instance/list").text)


@pytest.mark.parametrize("account_id", [0, -3])
def test_chatwoot_needs_a_positive_account_id(api: CheckedClient, account_id: int) -> None:
    body = create(api, chatwootEnabled=True, chatwootBaseUrl="https://chat.example.net",
                  chatwootAccountId=account_id, chatwootApiToken=CHATWOOT_SECRET)
    assert body["chatwoot"]["enabled"] is False
    assert body["chatwoot"]["status"] == "error"
    assert CHATWOOT_SECRET not in str(body)


def test_disabled_blocks_are_stored_disabled(api: CheckedClient) -> None:
    body = create(api, proxyEnabled=False, proxyHost="proxy.example.net", proxyPort="1080",
                  proxyProtocol="http", webhookEnabled=False, webhookURL="https://hooks.example.net",
                  chatwootEnabled=False, chatwootApiToken=CHATWOOT_SECRET)
    assert body["proxy"] == {"enabled": False, "host": None, "port": None, "protocol": None, "username": None}
    assert body["webhook"]["enabled"] is False
    assert body["chatwoot"]["enabled"] is False
    assert "status" not in body["chatwoot"]
    assert CHATWOOT_SECRET not in str(body)


def test_custom_token_is_the_instance_token(api: CheckedClient) -> None:
    body = create(api, token="my-own-instance-token")
    assert body["instance"]["token"] == body["data"]["token"] == "my-own-instance-token"
    seen = api.get("/api/instance/list", token="my-own-instance-token")
    assert seen.status_code == 200
    assert [i["name"] for i in seen.json()["instances"]] == ["sales"]
    assert api.get("/api/instance/getSettings/sales", token="my-own-instance-token").status_code == 200


# --- rejected creations change nothing --------------------------------------------------------
def test_duplicate_name(api: CheckedClient) -> None:
    first = create(api)
    assert error_of(new(api, name="sales")) == (409, "Instance name already exists")
    after = listing(api)
    assert after["meta"]["total"] == 1
    assert after["instances"][0]["id"] == first["instance"]["id"]


def test_custom_token_already_used_by_an_instance(api: CheckedClient) -> None:
    create(api, token="shared-token")
    assert error_of(new(api, name="other", token="shared-token")) == (409, "Token already in use")
    assert [i["name"] for i in listing(api)["instances"]] == ["sales"]


def test_custom_token_equal_to_an_account_token(api: CheckedClient, ryze: MockRyze) -> None:
    assert error_of(new(api, name="sales", token=ryze.account_token)) == (409, "Token already in use")
    assert listing(api)["instances"] == []


@pytest.mark.ryze(instance_limit=2)
def test_quota(api: CheckedClient) -> None:
    create(api, "one")
    create(api, "two")
    assert error_of(new(api, name="three")) == (403, "Account instance quota exceeded")
    assert [i["name"] for i in listing(api)["instances"]] == ["one", "two"]
    api.delete("/api/instance/delete/one")
    assert new(api, name="three").status_code == 201


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"token": "abc"}, {"name": "", "proxyEnabled": True}],
                         ids=["missing", "empty", "token-only", "empty-with-block"])
def test_name_required(api: CheckedClient, body: dict[str, Any]) -> None:
    assert error_of(api.post("/api/instance/new", json=body)) == (400, "Instance name is required")
    assert listing(api)["instances"] == []


def test_empty_body_needs_a_name(api: CheckedClient) -> None:
    assert error_of(api.post("/api/instance/new", content=b"")) == (400, "Instance name is required")
    assert listing(api)["instances"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": 123},
        {"name": "sales", "proxyEnabled": "yes"},
        {"name": "sales", "chatwootAccountId": "7"},
        {"name": "sales", "webhookEvents": ["not.an.event"]},
        {"name": "sales", "proxyProtocol": "ftp"},
        {"name": "sales", "autoRejectCalls": 1},
        {"name": "sales", "token": ""},
    ],
    ids=["name-int", "bool-str", "int-str", "bad-event", "bad-protocol", "bool-int", "empty-token"],
)
def test_wrong_types(api: CheckedClient, body: dict[str, Any]) -> None:
    assert error_of(api.post("/api/instance/new", json=body)) == (400, "Invalid request body")
    assert listing(api)["instances"] == []


@pytest.mark.parametrize("raw", [b"{not json", b'["sales"]', b'"sales"', b"42", b"\xff\xfe"],
                         ids=["malformed", "array", "string", "number", "not-utf8"])
def test_malformed_bodies(api: CheckedClient, raw: bytes) -> None:
    response = api.post("/api/instance/new", content=raw, headers={"content-type": "application/json"})
    assert error_of(response) == (400, "Invalid request body")
    assert listing(api)["instances"] == []


def test_create_needs_the_account_token(api: CheckedClient) -> None:
    token = create(api)["instance"]["token"]
    assert error_of(api.post("/api/instance/new", json={"name": "other"}, token=token)) == (401, "Invalid token")
    assert [i["name"] for i in listing(api)["instances"]] == ["sales"]


# --- settings ---------------------------------------------------------------------------------
def test_settings_defaults(api: CheckedClient) -> None:
    create(api)
    response = api.get("/api/instance/getSettings/sales")
    assert response.json() == {"success": True, "message": "Settings retrieved successfully",
                               "settings": SETTINGS_DEFAULTS}


def test_partial_settings_update_keeps_the_rest(api: CheckedClient) -> None:
    create(api)
    first = api.post("/api/instance/settings/sales", json={"autoRejectCalls": True, "callRejectMessage": "Busy"})
    assert first.status_code == 200
    assert first.json()["message"] == "Settings updated successfully"
    expected = {**SETTINGS_DEFAULTS, "autoRejectCalls": True, "callRejectMessage": "Busy"}
    assert first.json()["settings"] == expected
    second = api.post("/api/instance/settings/sales", json={"disableHistorySync": False})
    expected["disableHistorySync"] = False
    assert second.json()["settings"] == expected
    assert settings_of(api) == expected
    assert item(api)["settings"] == expected


def test_settings_ignore_unknown_fields_next_to_known_ones(api: CheckedClient) -> None:
    create(api)
    response = api.post("/api/instance/settings/sales", json={"ignoreStatus": True, "colour": "blue"})
    assert response.status_code == 200
    assert response.json()["settings"] == {**SETTINGS_DEFAULTS, "ignoreStatus": True}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", (400, "At least one setting must be provided")),
        (b"{}", (400, "At least one setting must be provided")),
        (b'{"colour": "blue"}', (400, "At least one setting must be provided")),
        (b"{oops", (400, "Invalid request body")),
        (b"[]", (400, "Invalid request body")),
        (b'{"autoRejectCalls": "yes"}', (400, "Invalid request body")),
        (b'{"callRejectMessage": 5}', (400, "Invalid request body")),
        (b'{"autoRejectCalls": true, "ignoreStatus": null}', (400, "Invalid request body")),
    ],
    ids=["empty", "object", "unknown-only", "malformed", "array", "bool-str", "str-int", "null"],
)
def test_rejected_settings_change_nothing(api: CheckedClient, raw: bytes, expected: tuple[int, str]) -> None:
    create(api, keepOnlineStatus=True)
    before = settings_of(api)
    response = api.post("/api/instance/settings/sales", content=raw, headers={"content-type": "application/json"})
    assert error_of(response) == expected
    assert settings_of(api) == before
    assert before == {**SETTINGS_DEFAULTS, "keepOnlineStatus": True}


# --- proxy ------------------------------------------------------------------------------------
NO_PROXY = {"enabled": False, "host": None, "port": None, "protocol": None, "username": None}
PROXY = {"enabled": True, "host": "proxy.example.net", "port": "3128", "protocol": "http", "username": "u1"}


def get_proxy(api: CheckedClient) -> dict[str, Any]:
    response = api.get("/api/instance/getProxy/sales")
    assert response.status_code == 200
    assert response.json()["message"] == "Proxy configuration retrieved successfully"
    assert PROXY_SECRET not in response.text
    proxy: dict[str, Any] = response.json()["proxy"]
    return proxy


def test_get_proxy_without_proxy(api: CheckedClient) -> None:
    create(api)
    assert get_proxy(api) == NO_PROXY


def test_set_proxy_never_echoes_the_password(api: CheckedClient) -> None:
    create(api)
    response = api.post("/api/instance/proxy/sales", json={**PROXY, "password": PROXY_SECRET})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Proxy configuration updated successfully",
                               "proxy": PROXY}
    assert PROXY_SECRET not in response.text
    assert get_proxy(api) == PROXY
    assert item(api)["proxy"] == PROXY
    assert PROXY_SECRET not in api.get("/api/instance/list").text


@pytest.mark.parametrize(
    "body",
    [
        {"enabled": True, "port": "3128", "protocol": "http"},
        {"enabled": True, "host": "", "port": "3128", "protocol": "http"},
        {"enabled": True, "host": "h", "port": "99999999", "protocol": "http"},
        {"enabled": True, "host": "h", "port": "3128", "protocol": "ftp"},
        {"host": "h", "port": "3128", "protocol": "http"},
        {"enabled": "true", "host": "h", "port": "3128", "protocol": "http"},
    ],
    ids=["no-host", "empty-host", "bad-port", "bad-protocol", "no-enabled", "enabled-str"],
)
def test_rejected_proxy_changes_nothing(api: CheckedClient, body: dict[str, Any]) -> None:
    create(api)
    api.post("/api/instance/proxy/sales", json={**PROXY, "password": PROXY_SECRET})
    assert error_of(api.post("/api/instance/proxy/sales", json=body)) == (400, "Invalid request body")
    assert get_proxy(api) == PROXY


def test_disabling_the_proxy_wipes_it(api: CheckedClient) -> None:
    create(api)
    api.post("/api/instance/proxy/sales", json={**PROXY, "password": PROXY_SECRET})
    response = api.post("/api/instance/proxy/sales", json={"enabled": False})
    assert response.json()["proxy"] == NO_PROXY
    assert get_proxy(api) == NO_PROXY
    again = api.post("/api/instance/proxy/sales", json={"enabled": True, "host": "other.example.net",
                                                         "port": "8080", "protocol": "https"})
    assert again.json()["proxy"] == {"enabled": True, "host": "other.example.net", "port": "8080",
                                     "protocol": "https", "username": None}


# --- S3 ---------------------------------------------------------------------------------------
S3_BODY = {"enabled": True, "region": "sa-east-1", "bucket": "acme-wa-media", "accessKey": "AKIAEXAMPLE",
           "secretKey": S3_SECRET, "endpoint": "", "pathPrefix": "wa/sales/"}
NO_S3 = {"enabled": False, "region": None, "bucket": None, "accessKey": None, "secretKey": None,
         "endpoint": None, "pathPrefix": None}


def get_s3(api: CheckedClient) -> dict[str, Any]:
    response = api.get("/api/instance/getS3/sales")
    assert response.status_code == 200
    assert "message" not in response.json()
    assert S3_SECRET not in response.text
    s3: dict[str, Any] = response.json()["s3"]
    return s3


def test_get_s3_defaults(api: CheckedClient) -> None:
    create(api)
    assert get_s3(api) == NO_S3


def test_set_s3(api: CheckedClient) -> None:
    create(api)
    response = api.post("/api/instance/s3/sales", json=S3_BODY)
    assert response.status_code == 200
    assert S3_SECRET not in response.text
    body = response.json()
    assert body["message"] == "S3 configuration updated"
    assert "secretKey" not in body["s3"]
    assert body["s3"] == {k: v for k, v in S3_BODY.items() if k != "secretKey"}
    assert get_s3(api) == {**S3_BODY, "secretKey": None}
    assert item(api)["s3"] == {**S3_BODY, "secretKey": None}


def test_s3_endpoint_defaults_to_empty(api: CheckedClient) -> None:
    create(api)
    body = {k: v for k, v in S3_BODY.items() if k not in ("endpoint", "pathPrefix")}
    echo = api.post("/api/instance/s3/sales", json=body).json()["s3"]
    assert echo["endpoint"] == ""
    assert echo["pathPrefix"] is None


def test_disabling_s3_wipes_everything(api: CheckedClient) -> None:
    create(api)
    api.post("/api/instance/s3/sales", json=S3_BODY)
    response = api.post("/api/instance/s3/sales", json={"enabled": False, "region": "us-east-1"})
    assert response.json()["message"] == "S3 configuration updated"
    assert response.json()["s3"] == {k: v for k, v in NO_S3.items() if k != "secretKey"}
    assert get_s3(api) == NO_S3


@pytest.mark.parametrize("missing", ["region", "bucket", "accessKey", "secretKey"])
def test_s3_missing_field_when_enabled_changes_nothing(api: CheckedClient, missing: str) -> None:
    create(api)
    api.post("/api/instance/s3/sales", json=S3_BODY)
    body = {k: v for k, v in S3_BODY.items() if k != missing}
    body["bucket" if missing != "bucket" else "region"] = "changed"
    assert error_of(api.post("/api/instance/s3/sales", json=body)) == (400, "Invalid request body")
    assert get_s3(api) == {**S3_BODY, "secretKey": None}


def test_s3_without_enabled_is_rejected(api: CheckedClient) -> None:
    create(api)
    assert error_of(api.post("/api/instance/s3/sales", json={"region": "x"})) == (400, "Invalid request body")
    assert get_s3(api) == NO_S3


# --- list filters -----------------------------------------------------------------------------
def three(api: CheckedClient) -> None:
    for name in ("alpha", "beta", "gamma"):
        create(api, name)


def names(body: dict[str, Any]) -> list[str]:
    return [i["name"] for i in body["instances"]]


def test_list_all(api: CheckedClient) -> None:
    three(api)
    body = listing(api)
    assert body["message"] == "3 Instances found"
    assert body["meta"] == {"total": 3}
    assert names(body) == ["alpha", "beta", "gamma"]


def test_list_empty_filter_lists_all(api: CheckedClient) -> None:
    three(api)
    body = listing(api, instanceName="")
    assert body["message"] == "3 Instances found"
    assert names(body) == ["alpha", "beta", "gamma"]


def test_list_single_name(api: CheckedClient) -> None:
    three(api)
    body = listing(api, instanceName="beta")
    assert body["message"] == "1 Instance found"
    assert body["meta"] == {"total": 1}
    assert names(body) == ["beta"]


def test_list_comma_separated_drops_unknown_names(api: CheckedClient) -> None:
    three(api)
    body = listing(api, instanceName="gamma, ghost,alpha")
    assert body["message"] == "2 Instances found"
    assert names(body) == ["gamma", "alpha"]


def test_list_several_unknown_names(api: CheckedClient) -> None:
    three(api)
    body = listing(api, instanceName="ghost,phantom")
    assert body["message"] == "0 Instances found"
    assert body["instances"] == []
    assert body["meta"] == {"total": 0}


def test_list_single_unknown_name(api: CheckedClient) -> None:
    three(api)
    assert error_of(api.get("/api/instance/list", params={"instanceName": "ghost"})) == (404, "Instance not found")


def test_list_nothing(api: CheckedClient) -> None:
    body = listing(api)
    assert body["message"] == "0 Instances found"
    assert body["instances"] == []


def test_instance_token_sees_only_its_instance(api: CheckedClient) -> None:
    three(api)
    token = item(api, "beta")["token"]
    body = api.get("/api/instance/list", params={"instanceName": "alpha"}, token=token).json()
    assert body["message"] == "1 Instance found"
    assert names(body) == ["beta"]


@pytest.mark.parametrize(("route", "body"), [
    ("settings", {"autoRejectCalls": True}),
    ("proxy", {"enabled": True, "host": "proxy.example.net", "port": "1080", "protocol": "socks5"}),
    ("s3", {"enabled": True, "region": "sa-east-1", "bucket": "b", "accessKey": "AKIA", "secretKey": "s"})])
def test_a_configuration_change_stamps_updated_at(api: CheckedClient, ryze: MockRyze, route: str,
                                                  body: dict[str, Any]) -> None:
    assert api.post("/api/instance/new", json={"name": "sales"}).status_code == 201
    ryze.advance(30)
    assert api.post(f"/api/instance/{route}/sales", json=body).status_code == 200
    ryze.advance(30)
    item = api.get("/api/instance/list").json()["instances"][0]
    assert (item["createdAt"], item["updatedAt"]) == ("2026-01-01T09:00:00-03:00", "2026-01-01T09:00:30-03:00")
