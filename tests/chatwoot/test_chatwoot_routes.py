"""The Chatwoot module's three routes through the in-process app (every response is schema-checked):
one integration row per instance, fed by the inline ``chatwoot*`` fields of instance create and by
set; bare-object successes, enveloped refusals in the module's own wording."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.testing import RemoteRyze
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

SET, LIST, DELETE = "/api/chatwoot/set/sales", "/api/chatwoot/list/sales", "/api/chatwoot/delete/sales"
TOKEN = "cw-agent-token-123"
INLINE = {"chatwootEnabled": True, "chatwootBaseUrl": "https://chat.example.net", "chatwootAccountId": 7,
          "chatwootApiToken": TOKEN, "chatwootInboxName": "WhatsApp", "chatwootSignMessages": True,
          "chatwootIgnoreGroups": False, "chatwootStartAsPending": True, "chatwootReopenResolved": True}
SET_BODY = {"chatwootBaseUrl": "https://chatwoot.example.org/", "chatwootAccountId": 12, "chatwootApiToken": TOKEN,
            "inboxName": "Support", "signMessages": True, "reopenResolved": True}
ROW_KEYS = {"instance_name", "status", "bridge_integration_id", "chatwoot_base_url", "chatwoot_account_id",
            "chatwoot_api_token", "chatwoot_inbox_id", "chatwoot_inbox_name", "last_error", "created_at",
            "sign_messages", "ignore_groups", "start_as_pending", "reopen_resolved"}


def summary(api: CheckedClient) -> dict[str, Any]:
    """The instance list's ``chatwoot`` block of "sales"."""
    (item,) = api.get("/api/instance/list", params={"instanceName": "sales"}).json()["instances"]
    block: dict[str, Any] = item["chatwoot"]
    return block


def row(api: CheckedClient) -> dict[str, Any]:
    response = api.get(LIST)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == ROW_KEYS  # a bare object: no success, no message
    return body


# --- the inline fields of instance create are the same row ---------------------------------------
def test_inline_fields_of_instance_create_show_up_in_list(api: CheckedClient, ryze: MockRyze) -> None:
    created = api.post("/api/instance/new", json={"name": "sales", **INLINE}).json()["instance"]
    found = row(api)
    assert found["bridge_integration_id"].startswith("int_") and found["chatwoot_inbox_id"] > 0
    assert found == {
        "instance_name": "sales", "status": "active", "bridge_integration_id": found["bridge_integration_id"],
        "chatwoot_base_url": "https://chat.example.net", "chatwoot_account_id": 7, "chatwoot_api_token": TOKEN,
        "chatwoot_inbox_id": found["chatwoot_inbox_id"], "chatwoot_inbox_name": "WhatsApp", "last_error": "",
        "created_at": created["createdAt"], "sign_messages": True, "ignore_groups": False, "start_as_pending": True,
        "reopen_resolved": True,
    }
    assert row(api) == found  # the ids are drawn once


def test_a_failed_inline_activation_is_a_row_in_error(api: CheckedClient, ryze: MockRyze) -> None:
    api.post("/api/instance/new", json={"name": "sales", "chatwootEnabled": True,
                                        "chatwootBaseUrl": "https://chat.example.net", "chatwootApiToken": TOKEN})
    found = row(api)
    assert found["status"] == "error" and "chatwootAccountId" in found["last_error"]
    assert found["bridge_integration_id"] == "" and found["chatwoot_inbox_id"] == 0
    assert summary(api)["status"] == "error"


@pytest.mark.parametrize("inline", [{}, {"chatwootEnabled": False, "chatwootBaseUrl": "https://chat.example.net"}],
                         ids=["absent", "disabled"])
def test_without_an_activation_there_is_no_row(api: CheckedClient, ryze: MockRyze, inline: dict[str, Any]) -> None:
    api.post("/api/instance/new", json={"name": "sales", **inline})
    assert error_of(api.get(LIST)) == literals.CHATWOOT_NOT_CONFIGURED == (
        404, "no chatwoot integration for this instance")
    assert error_of(api.delete(DELETE)) == literals.CHATWOOT_NOTHING_TO_DELETE == (
        404, "no chatwoot integration to delete")


# --- set / list / delete ------------------------------------------------------------------------
def test_set_answers_a_bare_object_with_201(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    response = api.post(SET, json=SET_BODY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"instance", "status", "bridge_integration_id", "message"}  # no success member
    assert body["instance"] == "sales" and body["status"] == "active"
    assert body["message"] == "chatwoot integration activated"
    assert TOKEN not in response.text  # the API token is not echoed
    assert row(api)["bridge_integration_id"] == body["bridge_integration_id"]


def test_set_list_delete_round_trip(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    activated = api.post(SET, json=SET_BODY).json()
    found = row(api)
    assert found["status"] == "active" and found["last_error"] == ""
    assert found["chatwoot_base_url"] == "https://chatwoot.example.org"  # trailing / stripped
    assert (found["chatwoot_account_id"], found["chatwoot_api_token"], found["chatwoot_inbox_name"]) == (
        12, TOKEN, "Support")
    assert (found["sign_messages"], found["ignore_groups"], found["start_as_pending"], found["reopen_resolved"]) == (
        True, False, False, True)
    assert found["bridge_integration_id"] == activated["bridge_integration_id"]
    assert summary(api) == {"enabled": True, "status": "active", "baseUrl": "https://chatwoot.example.org",
                            "accountId": 12, "inboxName": "Support", "signMessages": True, "ignoreGroups": False,
                            "startAsPending": False, "reopenResolved": True}

    deleted = api.delete(DELETE)
    assert deleted.status_code == 200
    assert deleted.json() == {"message": "chatwoot integration deactivated"}
    assert error_of(api.get(LIST)) == literals.CHATWOOT_NOT_CONFIGURED
    assert summary(api) == {"enabled": False}
    assert error_of(api.delete(DELETE)) == literals.CHATWOOT_NOTHING_TO_DELETE


def test_set_replaces_the_inline_row(api: CheckedClient, ryze: MockRyze) -> None:
    api.post("/api/instance/new", json={"name": "sales", **INLINE})
    inline_id = row(api)["bridge_integration_id"]
    second = api.post(SET, json=SET_BODY).json()["bridge_integration_id"]
    third = api.post(SET, json=SET_BODY).json()["bridge_integration_id"]
    assert len({inline_id, second, third}) == 3  # not idempotent: each set re-provisions
    found = row(api)
    assert found["bridge_integration_id"] == third and found["chatwoot_inbox_name"] == "Support"


def test_set_repairs_a_failed_inline_activation(api: CheckedClient, ryze: MockRyze) -> None:
    api.post("/api/instance/new", json={"name": "sales", "chatwootEnabled": True})
    assert row(api)["status"] == "error"
    api.post(SET, json=SET_BODY)
    assert (row(api)["status"], row(api)["last_error"]) == ("active", "")
    assert summary(api)["enabled"] is True


def test_set_takes_the_instance_create_spelling_of_the_inbox_name(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    body = {k: v for k, v in SET_BODY.items() if k != "inboxName"}
    assert api.post(SET, json={**body, "chatwootInboxName": "Alias"}).status_code == 201
    assert row(api)["chatwoot_inbox_name"] == "Alias"
    api.post(SET, json={**SET_BODY, "chatwootInboxName": "Alias"})
    assert row(api)["chatwoot_inbox_name"] == "Support"  # inboxName wins


def test_set_works_on_a_disconnected_instance_and_with_its_own_token(ryze: MockRyze) -> None:
    own = ryze.create_instance("sales")
    client = CheckedClient(ryze.client, own.token)
    assert client.post(SET, json=SET_BODY).status_code == 201
    assert client.get(LIST).json()["status"] == "active"


def test_rows_are_per_instance(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.create_instance("support")
    api.post(SET, json=SET_BODY)
    assert error_of(api.get("/api/chatwoot/list/support")) == literals.CHATWOOT_NOT_CONFIGURED


# --- refusals -----------------------------------------------------------------------------------
BAD_BODIES = {
    "empty": {},
    "no-url": {k: v for k, v in SET_BODY.items() if k != "chatwootBaseUrl"},
    "no-account": {k: v for k, v in SET_BODY.items() if k != "chatwootAccountId"},
    "no-token": {k: v for k, v in SET_BODY.items() if k != "chatwootApiToken"},
    "no-inbox": {k: v for k, v in SET_BODY.items() if k != "inboxName"},
    "account-zero": {**SET_BODY, "chatwootAccountId": 0},
    "account-negative": {**SET_BODY, "chatwootAccountId": -3},
    "account-string": {**SET_BODY, "chatwootAccountId": "7"},
    "url-not-http": {**SET_BODY, "chatwootBaseUrl": "chatwoot.example.org"},
    "url-blank": {**SET_BODY, "chatwootBaseUrl": ""},
    "token-blank": {**SET_BODY, "chatwootApiToken": ""},
    "flag-string": {**SET_BODY, "signMessages": "yes"},
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_a_refused_body_is_an_invalid_body_and_changes_nothing(api: CheckedClient, ryze: MockRyze, name: str) -> None:
    api.post("/api/instance/new", json={"name": "sales", **INLINE})
    before = row(api)
    response = api.post(SET, json=BAD_BODIES[name])
    status, message = error_of(response)
    assert status == 400 and message.startswith("invalid body: ") and len(message) > len("invalid body: ")
    assert row(api) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1]", b"null"], ids=repr)
def test_malformed_json_is_an_invalid_body(api: CheckedClient, ryze: MockRyze, raw: bytes) -> None:
    ryze.create_instance("sales")
    status, message = error_of(api.post(SET, content=raw, headers={"content-type": "application/json"}))
    assert status == 400 and message.startswith("invalid body: ")
    assert error_of(api.get(LIST)) == literals.CHATWOOT_NOT_CONFIGURED


@pytest.mark.parametrize(("method", "path"), [("POST", SET), ("GET", LIST), ("DELETE", DELETE)])
def test_an_unknown_instance_is_not_found_in_lower_case(api: CheckedClient, ryze: MockRyze, method: str,
                                                        path: str) -> None:
    response = api.request(method, path.replace("/sales", "/ghost"), json=SET_BODY if method == "POST" else None)
    assert error_of(response) == literals.CHATWOOT_INSTANCE_NOT_FOUND == (404, "instance not found")


def test_other_refusals_keep_the_shared_wording(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert error_of(api.get(LIST, token="nobody")) == literals.INVALID_TOKEN
    assert error_of(api.get("/api/chatwoot/list/")) == literals.INSTANCE_NAME_REQUIRED


# --- the bridge's health reports (control plane) --------------------------------------------------
@pytest.mark.parametrize(("status", "last_error", "enabled"),
                         [("paused", "inbox paused by an administrator", True), ("error", "token revoked", False)])
def test_the_bridge_reports_paused_and_error(api: CheckedClient, ryze: MockRyze, status: str, last_error: str,
                                             enabled: bool) -> None:
    ryze.create_instance("sales")
    api.post(SET, json=SET_BODY)
    reported = ryze.chatwoot_status("sales", status, last_error)
    assert reported == row(api)
    assert (reported["status"], reported["last_error"]) == (status, last_error)
    assert (summary(api)["status"], summary(api)["enabled"]) == (status, enabled)
    back = ryze.chatwoot_status("sales", "active")
    assert (back["status"], back["last_error"]) == ("active", "")


def test_a_report_needs_an_integration(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    with pytest.raises(ApiError) as refused:
        ryze.chatwoot_status("sales", "paused")
    assert refused.value.message == literals.CHATWOOT_NOT_CONFIGURED.message


def test_the_detail_of_an_invalid_body_is_bounded(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    status, message = error_of(api.post(SET, json={**SET_BODY, "chatwootBaseUrl": "x" * 5000}))
    assert status == 400 and message.startswith("invalid body: chatwootBaseUrl") and len(message) < 300


def test_the_report_verb_over_http(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    api.post(SET, json=SET_BODY)
    remote = RemoteRyze(ryze.serve(), ryze.account_token)
    try:
        assert remote.chatwoot_status("sales", "paused", "maintenance") == row(api)
        assert row(api)["status"] == "paused"
    finally:
        remote.close()


# --- the bridge switched off on the server ----------------------------------------------------------
GATEWAY_OFF = pytest.mark.ryze(chatwoot_gateway=False)


@GATEWAY_OFF
@pytest.mark.parametrize(("method", "path", "refusal"), [
    ("POST", SET, literals.CHATWOOT_GATEWAY_OFF), ("DELETE", DELETE, literals.CHATWOOT_GATEWAY_OFF),
    ("GET", LIST, literals.CHATWOOT_GATEWAY_OFF_HINTED),
])
def test_with_the_bridge_off_every_route_is_503_even_for_an_unknown_instance(
        api: CheckedClient, ryze: MockRyze, method: str, path: str, refusal: literals.ErrorLiteral) -> None:
    api.post("/api/instance/new", json={"name": "sales", **INLINE})
    for target in (path, path.replace("/sales", "/anything")):  # the documented probe: 503 = module off
        response = api.request(method, target, json=SET_BODY if method == "POST" else None)
        assert error_of(response) == refusal
    assert refusal.message.startswith("integration gateway not configured")
    assert error_of(api.request(method, path, token="nobody")) == literals.INVALID_TOKEN  # the token comes first


@GATEWAY_OFF
def test_with_the_bridge_off_nothing_changes(ryze: MockRyze, api: CheckedClient) -> None:
    api.post("/api/instance/new", json={"name": "sales", **INLINE})
    before = summary(api)
    api.post(SET, json=SET_BODY)
    api.delete(DELETE)
    assert summary(api) == before


# --- a Chatwoot server that refuses (control plane) -------------------------------------------------
REFUSED = {
    "account_not_found": (400, "Chatwoot account or endpoint not found — verify chatwootBaseUrl "
                               "(https://chatwoot.example.org) and chatwootAccountId (12). Detail: "
                               '{"error":"Resource could not be found"}'),
    "invalid": (400, 'Chatwoot rejected the request as invalid. Detail: {"message":"Name has already been taken"}'),
    "token_rejected": (401, "Chatwoot rejected the API token — verify chatwootApiToken. Detail: "
                            '{"errors":["You need to sign in or sign up before continuing."]}'),
    "forbidden": (403, "Chatwoot denied the request — verify the API token has admin scope on account 12. Detail: "
                       '{"error":"You are not authorized to do this action"}'),
}


@pytest.mark.parametrize("answer", REFUSED)
def test_a_refusing_chatwoot_server_refuses_set_and_changes_nothing(api: CheckedClient, ryze: MockRyze,
                                                                    answer: str) -> None:
    api.post("/api/instance/new", json={"name": "sales", **INLINE})
    before = row(api)
    simulated = ryze.chatwoot_server("https://chatwoot.example.org/", answer)
    assert simulated["baseUrl"] == "https://chatwoot.example.org"
    assert error_of(api.post(SET, json=SET_BODY)) == REFUSED[answer]
    assert row(api) == before
    ryze.chatwoot_server("https://chatwoot.example.org", "ok")  # back to accepting
    assert api.post(SET, json=SET_BODY).status_code == 201


def test_a_refusal_carries_the_given_detail_and_only_that_server_refuses(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.chatwoot_server("https://chatwoot.example.org", "token_rejected", detail="401 Unauthorized")
    assert error_of(api.post(SET, json=SET_BODY)) == (
        401, "Chatwoot rejected the API token — verify chatwootApiToken. Detail: 401 Unauthorized")
    assert api.post(SET, json={**SET_BODY, "chatwootBaseUrl": "https://other.example.org"}).status_code == 201


def test_a_reset_forgets_the_simulated_servers(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.chatwoot_server("https://chatwoot.example.org", "forbidden")
    ryze.reset()
    ryze.create_instance("sales")
    assert api.post(SET, json=SET_BODY).status_code == 201
