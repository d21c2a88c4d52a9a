"""``/__mock__/*``: reset, accounts, scan, events, clock and contract — over HTTP, schema-checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mockryze.core import literals
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.modules import CONTROL as CONTROL_ENDPOINTS
from mockryze.testing.api import FIXED_START, MockRyze
from tests.conftest import CheckedClient, error_of

LIST = "/api/instance/list"
M = "/__mock__"


def names(api: CheckedClient, token: str | None = None) -> list[str]:
    response = api.get(LIST, token=token)
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["instances"])


def status_of(api: CheckedClient, name: str, token: str | None = None) -> str:
    response = api.get(LIST, token=token, params={"instanceName": name})
    assert response.status_code == 200, response.text
    return str(response.json()["instances"][0]["status"])


# --- reset --------------------------------------------------------------------------------------


def test_reset_empties_the_world_and_keeps_the_default_token(api: CheckedClient, ryze: MockRyze) -> None:
    default = ryze.account_token
    sales = ryze.create_instance("sales", connected=True)
    other = ryze.new_account()
    ryze.create_instance("elsewhere", account_token=other)
    assert api.get(f"{M}/events").json()["count"] > 0

    response = api.post(f"{M}/reset")
    assert response.status_code == 200
    assert response.json()["success"] is True

    assert ryze.account_token == default
    assert names(api) == []  # default token still valid, account empty
    assert api.get(LIST).json()["message"] == "0 Instances found"
    assert error_of(api.get(LIST, token=sales.token)) == literals.INVALID_TOKEN
    assert error_of(api.get("/api/instance/getSettings/sales", token=sales.token)) == literals.INVALID_TOKEN
    assert error_of(api.get(LIST, token=other)) == literals.INVALID_TOKEN  # extra accounts are gone
    assert api.get(f"{M}/events").json() == {"success": True, "count": 0, "events": []}


def test_reset_lets_names_and_custom_tokens_be_reused(api: CheckedClient) -> None:
    assert api.post("/api/instance/new", json={"name": "sales", "token": "inst-tok"}).status_code == 201
    assert api.post(f"{M}/accounts", json={"token": "acct-tok"}).status_code == 201
    assert api.post(f"{M}/reset").status_code == 200
    assert api.post("/api/instance/new", json={"name": "sales", "token": "inst-tok"}).status_code == 201
    assert api.post(f"{M}/accounts", json={"token": "acct-tok"}).status_code == 201


def test_reset_replays_ids_under_the_seed(api: CheckedClient) -> None:
    first = api.post("/api/instance/new", json={"name": "sales"}).json()["instance"]
    api.post(f"{M}/reset")
    second = api.post("/api/instance/new", json={"name": "sales"}).json()["instance"]
    assert (first["id"], first["token"]) == (second["id"], second["token"])


# --- accounts -----------------------------------------------------------------------------------


def test_create_account_with_defaults(api: CheckedClient, ryze: MockRyze) -> None:
    response = api.post(f"{M}/accounts", json={})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "instanceLimit"}
    assert body["instanceLimit"] == ryze.settings.instance_limit == 10
    assert body["token"] and body["token"] != ryze.account_token
    assert names(api, body["token"]) == []


def test_create_account_with_empty_body(api: CheckedClient) -> None:
    response = api.post(f"{M}/accounts")
    assert response.status_code == 201
    assert api.get(LIST, token=response.json()["token"]).status_code == 200


def test_create_account_with_custom_token_and_limit(api: CheckedClient) -> None:
    response = api.post(f"{M}/accounts", json={"token": "acct-custom", "instanceLimit": 3})
    assert response.status_code == 201
    assert response.json() == {"token": "acct-custom", "instanceLimit": 3}
    assert api.post("/api/instance/new", json={"name": "a"}, token="acct-custom").status_code == 201
    assert names(api, "acct-custom") == ["a"]


def test_duplicate_account_token_is_409(api: CheckedClient, ryze: MockRyze) -> None:
    assert api.post(f"{M}/accounts", json={"token": "dup"}).status_code == 201
    assert error_of(api.post(f"{M}/accounts", json={"token": "dup"})) == literals.MOCK_ACCOUNT_EXISTS
    assert error_of(api.post(f"{M}/accounts", json={"token": ryze.account_token})) == literals.MOCK_ACCOUNT_EXISTS


def test_account_token_cannot_reuse_an_instance_token(api: CheckedClient, ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales")
    assert error_of(api.post(f"{M}/accounts", json={"token": sales.token})) == literals.MOCK_ACCOUNT_EXISTS
    assert names(api, sales.token) == ["sales"]  # the token still means the instance


def test_accounts_are_isolated(api: CheckedClient) -> None:
    a = api.post(f"{M}/accounts", json={}).json()["token"]
    b = api.post(f"{M}/accounts", json={}).json()["token"]
    assert api.post("/api/instance/new", json={"name": "shared-name"}, token=a).status_code == 201
    assert api.post("/api/instance/new", json={"name": "only-a"}, token=a).status_code == 201
    assert api.post("/api/instance/new", json={"name": "shared-name"}, token=b).status_code == 201
    assert names(api, a) == ["only-a", "shared-name"]
    assert names(api, b) == ["shared-name"]
    assert names(api) == []  # the default account sees neither
    assert error_of(api.get("/api/instance/getSettings/only-a", token=b)) == literals.INSTANCE_NOT_FOUND
    assert error_of(api.delete("/api/instance/delete/only-a", token=b)) == literals.INSTANCE_NOT_FOUND
    assert names(api, a) == ["only-a", "shared-name"]


def test_instance_limit_is_enforced(api: CheckedClient) -> None:
    token = api.post(f"{M}/accounts", json={"instanceLimit": 2}).json()["token"]
    assert api.post("/api/instance/new", json={"name": "a"}, token=token).status_code == 201
    assert api.post("/api/instance/new", json={"name": "b"}, token=token).status_code == 201
    refused = api.post("/api/instance/new", json={"name": "c"}, token=token)
    assert error_of(refused) == literals.QUOTA_EXCEEDED
    assert refused.json()["error"]["message"] == "Account instance quota exceeded"
    assert names(api, token) == ["a", "b"]
    assert api.post("/api/instance/new", json={"name": "c"}).status_code == 201  # other accounts unaffected
    assert api.delete("/api/instance/delete/a", token=token).status_code == 200
    assert api.post("/api/instance/new", json={"name": "c"}, token=token).status_code == 201


def test_instance_limit_zero(api: CheckedClient) -> None:
    token = api.post(f"{M}/accounts", json={"instanceLimit": 0}).json()["token"]
    assert error_of(api.post("/api/instance/new", json={"name": "a"}, token=token)) == literals.QUOTA_EXCEEDED


@pytest.mark.ryze(instance_limit=1)
def test_instance_limit_setting_is_the_default_quota(api: CheckedClient) -> None:
    assert api.post(f"{M}/accounts", json={}).json()["instanceLimit"] == 1
    assert api.post("/api/instance/new", json={"name": "a"}).status_code == 201
    assert error_of(api.post("/api/instance/new", json={"name": "b"})) == literals.QUOTA_EXCEEDED


# --- scan ---------------------------------------------------------------------------------------


def test_scan_connects_the_default_accounts_instance(api: CheckedClient) -> None:
    api.post("/api/instance/new", json={"name": "sales"})
    assert api.get("/api/instance/connect/sales").status_code == 200
    response = api.post(f"{M}/instances/sales/scan", json={"number": "+5511999998888", "pushName": "Ana"})
    assert response.status_code == 200
    instance = response.json()["instance"]
    assert instance["status"] == "connected"
    assert instance["numberJid"] == "5511999998888@s.whatsapp.net"
    assert instance["pushName"] == "Ana"
    assert instance["hasSession"] is True
    assert status_of(api, "sales") == "connected"


@pytest.mark.parametrize("which", ["account", "instance"])
def test_scan_picks_the_account_from_the_token_header(api: CheckedClient, ryze: MockRyze, which: str) -> None:
    other = ryze.new_account()
    created = ryze.create_instance("shop", account_token=other)
    ryze.connect("shop", account_token=other)
    token = other if which == "account" else created.token
    without = api.post(f"{M}/instances/shop/scan", json={}, headers={})  # default account: no such instance
    assert error_of(without) == literals.INSTANCE_NOT_FOUND
    response = api.post(f"{M}/instances/shop/scan", json={}, headers={"token": token})
    assert response.status_code == 200
    assert response.json()["instance"]["status"] == "connected"
    assert status_of(api, "shop", token=other) == "connected"


def test_scan_with_the_same_name_in_two_accounts_touches_only_one(api: CheckedClient, ryze: MockRyze) -> None:
    other = ryze.new_account()
    ryze.create_instance("sales")
    ryze.create_instance("sales", account_token=other)
    ryze.connect("sales")
    ryze.connect("sales", account_token=other)
    assert api.post(f"{M}/instances/sales/scan", json={}, headers={"token": other}).status_code == 200
    assert status_of(api, "sales", token=other) == "connected"
    assert status_of(api, "sales") == "qr"


def test_scan_with_an_unknown_token_is_401(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.connect("sales")
    response = api.post(f"{M}/instances/sales/scan", json={}, headers={"token": "nobody"})
    assert error_of(response) == literals.INVALID_TOKEN
    assert status_of(api, "sales") == "qr"


def test_scan_with_nothing_pending_is_409(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("idle")
    assert error_of(api.post(f"{M}/instances/idle/scan", json={})) == literals.MOCK_NOTHING_PENDING
    ryze.create_instance("online", connected=True)
    assert error_of(api.post(f"{M}/instances/online/scan", json={})) == literals.MOCK_NOTHING_PENDING
    assert status_of(api, "idle") == "disconnected"


def test_scan_after_the_attempt_expired_is_409(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.connect("sales")
    ryze.advance(ryze.settings.qr_timeout_seconds)
    assert error_of(api.post(f"{M}/instances/sales/scan", json={})) == literals.MOCK_NOTHING_PENDING


def test_scan_of_an_unknown_instance_is_404(api: CheckedClient) -> None:
    assert error_of(api.post(f"{M}/instances/ghost/scan", json={})) == literals.INSTANCE_NOT_FOUND


@pytest.mark.parametrize("number", ["abc", "123", "1234567890123456", "", "++5511999998888"])
def test_scan_with_a_bad_number_is_400(api: CheckedClient, ryze: MockRyze, number: str) -> None:
    ryze.create_instance("sales")
    ryze.connect("sales")
    response = api.post(f"{M}/instances/sales/scan", json={"number": number})
    assert error_of(response) == literals.INVALID_PHONE_NUMBER
    assert status_of(api, "sales") == "qr"  # still waiting: the refusal changed nothing


def test_scan_uses_the_pairing_number(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    connect = api.get("/api/instance/connect/sales", params={"number": "5511912345678"})
    assert connect.json()["status"] == literals.STATUS_PAIRING
    instance = api.post(f"{M}/instances/sales/scan", json={}).json()["instance"]
    assert instance["numberJid"] == "5511912345678@s.whatsapp.net"


def test_show_instance_by_token(api: CheckedClient, ryze: MockRyze) -> None:
    other = ryze.new_account()
    ryze.create_instance("shop", account_token=other)
    assert error_of(api.get(f"{M}/instances/shop")) == literals.INSTANCE_NOT_FOUND
    shown = api.get(f"{M}/instances/shop", headers={"token": other})
    assert shown.status_code == 200
    assert shown.json()["instance"]["name"] == "shop"


def test_state_change_through_the_control_plane(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    response = api.post(f"{M}/instances/sales/state", json={"state": "disconnected"})
    assert response.status_code == 200
    assert status_of(api, "sales") == "disconnected"
    assert api.post(f"{M}/instances/sales/state", json={"state": "connected"}).status_code == 200
    ryze.create_instance("fresh")
    assert error_of(api.post(f"{M}/instances/fresh/state", json={"state": "connected"})) == literals.MOCK_ILLEGAL_STATE


# --- events -------------------------------------------------------------------------------------


@pytest.fixture
def busy(ryze: MockRyze) -> str:
    """Default account: `a` connected, `b` waiting for its QR; another account: `c` connected."""
    ryze.create_instance("a", connected=True)
    ryze.create_instance("b")
    ryze.connect("b")
    other = ryze.new_account()
    ryze.create_instance("c", account_token=other, connected=True)
    return other


def test_events_lists_the_callers_account(api: CheckedClient, busy: str) -> None:
    body = api.get(f"{M}/events").json()
    assert body["count"] == len(body["events"]) > 0
    assert {e["instanceData"]["instance"] for e in body["events"]} == {"a", "b"}
    theirs = api.get(f"{M}/events", headers={"token": busy}).json()
    assert {e["instanceData"]["instance"] for e in theirs["events"]} == {"c"}


def test_events_filter_by_instance(api: CheckedClient, busy: str) -> None:
    a = api.get(f"{M}/events", params={"instance": "a"}).json()["events"]
    states = [e["data"]["state"] for e in a]
    assert states == ["qr_ready", "pair_success", "connected"]
    assert all(e["instanceData"]["instance"] == "a" for e in a)
    b = api.get(f"{M}/events", params={"instance": "b"}).json()["events"]
    assert [e["data"]["state"] for e in b] == ["qr_ready"]
    assert api.get(f"{M}/events", params={"instance": "c"}).json()["count"] == 0  # another account's


def test_events_filter_by_event_type(api: CheckedClient, busy: str) -> None:
    every = api.get(f"{M}/events").json()
    state = api.get(f"{M}/events", params={"event": "instance.state"}).json()
    assert state["count"] == every["count"]
    assert api.get(f"{M}/events", params={"event": "message.exchange"}).json()["count"] == 0
    assert api.get(f"{M}/events", params={"event": "no.such.event"}).json()["count"] == 0
    both = api.get(f"{M}/events", params={"instance": "b", "event": "instance.state"}).json()
    assert both["count"] == 1


def test_events_empty_filters_mean_no_filter(api: CheckedClient, busy: str) -> None:
    assert api.get(f"{M}/events", params={"instance": "", "event": ""}).json() == api.get(f"{M}/events").json()


def test_events_with_an_instance_token_show_only_its_instance(api: CheckedClient, busy: str) -> None:
    b_token = api.get(LIST, params={"instanceName": "b"}).json()["instances"][0]["token"]
    via_instance = api.get(f"{M}/events", headers={"token": b_token}).json()
    assert via_instance == api.get(f"{M}/events", params={"instance": "b"}).json()
    assert via_instance["count"] == 1


def test_events_with_an_unknown_token_is_401(api: CheckedClient, busy: str) -> None:
    assert error_of(api.get(f"{M}/events", headers={"token": "nobody"})) == literals.INVALID_TOKEN


def test_events_carry_the_instance_token(api: CheckedClient, busy: str) -> None:
    tokens = {i["name"]: i["token"] for i in api.get(LIST).json()["instances"]}
    for event in api.get(f"{M}/events").json()["events"]:
        assert event["instanceData"]["token"] == tokens[event["instanceData"]["instance"]]


# --- clock --------------------------------------------------------------------------------------


def test_clock_reads_the_fixture_clock(api: CheckedClient) -> None:
    body = api.get(f"{M}/clock").json()
    assert body == {"success": True, "now": FIXED_START, "iso": "2026-01-01T09:00:00-03:00", "frozen": True}


def test_clock_advance_moves_now_exactly(api: CheckedClient) -> None:
    body = api.post(f"{M}/clock", json={"advance": 90}).json()
    assert body["now"] == FIXED_START + 90
    assert body["iso"] == "2026-01-01T09:01:30-03:00"
    assert body["frozen"] is True
    assert api.get(f"{M}/clock").json()["now"] == FIXED_START + 90
    assert api.post(f"{M}/clock", json={"advance": 0.5}).json()["now"] == FIXED_START + 90.5


def test_clock_unfreeze_then_freeze_then_advance(api: CheckedClient) -> None:
    running = api.post(f"{M}/clock", json={"freeze": False}).json()
    assert running["frozen"] is False
    frozen = api.post(f"{M}/clock", json={"freeze": True}).json()
    assert frozen["frozen"] is True
    assert frozen["now"] >= FIXED_START
    assert api.get(f"{M}/clock").json()["now"] == frozen["now"]  # frozen: stands still
    moved = api.post(f"{M}/clock", json={"advance": 42}).json()
    assert moved["now"] == frozen["now"] + 42


def test_clock_freeze_and_advance_in_one_call(api: CheckedClient) -> None:
    api.post(f"{M}/clock", json={"freeze": False})
    body = api.post(f"{M}/clock", json={"freeze": True, "advance": 10}).json()
    assert body["frozen"] is True
    assert api.get(f"{M}/clock").json()["now"] == body["now"]


def test_clock_empty_post_changes_nothing(api: CheckedClient) -> None:
    assert api.post(f"{M}/clock", json={}).json() == api.get(f"{M}/clock").json()


@pytest.mark.ryze(timezone="UTC")
def test_clock_iso_in_utc(api: CheckedClient) -> None:
    assert api.get(f"{M}/clock").json()["iso"] == "2026-01-01T12:00:00Z"


@pytest.mark.parametrize("timezone", ["UTC", "America/Sao_Paulo", "America/New_York"])
def test_clock_iso_shows_the_second_the_clock_is_in(timezone: str) -> None:
    """Timestamps are whole seconds, each formatted once: every step, even across a second by a hair or a
    DST change, shows what formatting that instant afresh shows."""
    start = 1_772_953_198.25  # 2026-03-08 06:59:58.25Z: New York springs forward two seconds later
    # The sixth step lands half a microsecond before 07:00:00Z, which rounding already shows.
    steps = [0.0, 0.5, 0.2489, 0.0009999, 0.5, 0.5000996, 0.0000004, 0.999, 3599.0, 0.001]
    with MockRyze(seed=1, timezone=timezone, start_time=start) as ryze:
        seen, expected = [], []
        for step in steps:
            ryze.advance(step)
            clock = ryze.client.get(f"{M}/clock").json()
            moment = datetime.fromtimestamp(clock["now"], ZoneInfo(timezone)).isoformat(timespec="seconds")
            seen.append(clock["iso"])
            expected.append(moment.replace("+00:00", "Z"))
        assert seen == expected
        assert len(set(seen)) >= 4


def test_clock_advance_fires_due_timers(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.connect("sales")
    api.post(f"{M}/clock", json={"advance": ryze.settings.qr_timeout_seconds - 1})
    assert status_of(api, "sales") == "qr"
    api.post(f"{M}/clock", json={"advance": 1})
    assert status_of(api, "sales") == "disconnected"


# --- contract -----------------------------------------------------------------------------------


def test_contract_names_every_route(api: CheckedClient) -> None:
    response = api.get(f"{M}/contract")
    assert response.status_code == 200
    table = response.json()
    assert isinstance(table, dict)
    assert isinstance(table.get("routes"), list)
    named = {(row.get("method"), row.get("path")) for row in table["routes"] if isinstance(row, dict)}
    missing = [f"{s.method} {s.path}" for s in ALL_ENDPOINTS if (s.method, s.path) not in named]
    assert not missing, f"routes missing from the contract table: {missing}"


# --- malformed control requests: 400 envelope, never 500 ---------------------------------------

BAD_RAW_BODIES = [b"{not json", b"[1, 2]", b'"text"', b"42", b"null", b"\xff\xfe"]

WRONG_TYPES: dict[str, list[dict[str, Any]]] = {
    f"{M}/accounts": [{"token": 5}, {"token": ""}, {"instanceLimit": "3"}, {"instanceLimit": -1},
                      {"instanceLimit": 1.5}, {"unexpected": True}],
    f"{M}/instances/{{name}}/scan": [{"number": 5511999998888}, {"pushName": 7}, {"other": 1}],
    f"{M}/instances/{{name}}/state": [{}, {"state": "flying"}, {"state": 1}, {"state": None},
                                      {"state": "connected", "extra": 1}],
    f"{M}/clock": [{"advance": -1}, {"advance": "10"}, {"freeze": "yes"}, {"advance": None}, {"rewind": 5}],
    f"{M}/instances/{{name}}/contacts": [{}, {"number": 5511987654321}, {"number": "5511987654321", "receipts": "x"},
                                         {"number": "5511987654321", "onWhatsApp": "no"},
                                         {"number": "5511987654321", "pushName": 1}],
    f"{M}/instances/{{name}}/groups": [{}, {"subject": ""}, {"subject": "g", "participants": "5511987654321"}],
    f"{M}/instances/{{name}}/groups/{{jid}}/members": [{}, {"number": "5511987654321"}, {"number": 5, "action": "join"},
                                                      {"number": "5511987654321", "action": "kick"}],
    f"{M}/instances/{{name}}/inbound": [{}, {"from": "5511987654321"}, {"from": "5511987654321", "type": "fax"},
                                        {"from": "5511987654321", "type": "location"},
                                        {"from": "5511987654321", "type": "text", "text": 5}],
    f"{M}/instances/{{name}}/receipts": [{}, {"messageId": "x"}, {"messageId": "x", "status": "seen"}],
    f"{M}/instances/{{name}}/calls": [{}, {"from": 5}, {"from": "5511987654321", "status": "ringing"},
                                      {"from": "5511987654321", "isVideo": "yes"}],
    f"{M}/instances/{{name}}/events": [{}, {"event": "nope", "data": {}}, {"event": "call.update"},
                                       {"event": "call.update", "data": []}, {"data": {}}],
    f"{M}/instances/{{name}}/addressBook": [{}, {"contacts": {}}, {"contacts": [{"number": 5}]},
                                            {"contacts": [{"number": "5511987654321", "lid": "x"}]},
                                            {"contacts": [], "extra": 1}],
    f"{M}/instances/{{name}}/newsletters": [{"name": ""}, {"name": 5}, {"jid": "5511987654321"}, {"inviteCode": "a b"},
                                            {"state": "closed"}, {"subscriberCount": -1}, {"following": "yes"}],
    f"{M}/instances/{{name}}/newsletter-posts": [{}, {"newsletter": ""}, {"newsletter": 5},
                                                 {"newsletter": "120363000000000099@newsletter", "text": 5}],
    f"{M}/chatwoot-servers": [{}, {"baseUrl": "https://c.example"}, {"baseUrl": "", "answer": "ok"},
                              {"baseUrl": "https://c.example", "answer": "timeout"}, {"answer": "ok", "detail": 5}],
    f"{M}/instances/{{name}}/chatwoot": [{}, {"status": "paused!"}, {"status": "active", "lastError": 5},
                                         {"status": "error", "other": 1}],
    f"{M}/faults": [{}, {"fault": "gremlins"}, {"fault": "slow", "times": 0}, {"fault": "slow", "probability": 2},
                    {"fault": "slow", "route": 5}, {"fault": "slow", "extra": 1}],
    f"{M}/scenarios": [{}, {"name": 5}, {"name": "x", "steps": [{"at": -1, "inbound": {}}]},
                       {"name": "x", "instances": [{"name": "sales"}]}, {"name": "x", "extra": 1}],
}

BODY_ROUTES = [s for s in CONTROL_ENDPOINTS if s.request_schema]


def control_path(path: str) -> str:
    return path.replace("{name}", "sales")


def test_every_control_route_with_a_body_has_wrong_type_cases() -> None:
    assert {s.path for s in BODY_ROUTES} == set(WRONG_TYPES)


@pytest.fixture
def waiting(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales")
    ryze.connect("sales")
    return ryze


@pytest.mark.parametrize("raw", BAD_RAW_BODIES, ids=repr)
@pytest.mark.parametrize("spec", BODY_ROUTES, ids=lambda s: f"{s.method} {s.path}")
def test_malformed_json_is_400(api: CheckedClient, waiting: MockRyze, spec: Any, raw: bytes) -> None:
    before = api.get(f"{M}/clock").json(), names(api), status_of(api, "sales")
    response = api.request(spec.method, control_path(spec.path), content=raw,
                           headers={"content-type": "application/json"})
    assert error_of(response) == literals.INVALID_BODY
    assert (api.get(f"{M}/clock").json(), names(api), status_of(api, "sales")) == before


@pytest.mark.parametrize(
    ("path", "body"), [(p, b) for p, bodies in WRONG_TYPES.items() for b in bodies], ids=repr
)
def test_wrong_types_are_400(api: CheckedClient, waiting: MockRyze, path: str, body: dict[str, Any]) -> None:
    before = api.get(f"{M}/clock").json(), names(api), status_of(api, "sales")
    response = api.post(control_path(path), json=body)
    assert error_of(response) == literals.INVALID_BODY
    assert (api.get(f"{M}/clock").json(), names(api), status_of(api, "sales")) == before


def test_unknown_control_route_and_method(api: CheckedClient) -> None:
    assert error_of(api.get(f"{M}/nothing")) == literals.ROUTE_NOT_FOUND
    assert error_of(api.delete(f"{M}/clock")) == literals.METHOD_NOT_ALLOWED
    assert error_of(api.get(f"{M}/reset")) == literals.METHOD_NOT_ALLOWED


def test_control_routes_need_no_token(ryze: MockRyze) -> None:
    bare = CheckedClient(ryze.client)  # no token at all
    assert bare.get(f"{M}/clock").status_code == 200
    assert bare.get(f"{M}/events").status_code == 200
    assert bare.post(f"{M}/accounts", json={}).status_code == 201
    assert bare.post(f"{M}/reset").status_code == 200
