"""Quirks: each live-vs-docs difference flipped on its own through the fixture marker, the control plane
(two accounts with different values in one world), a real ``mockryze serve`` and its environment; what
``GET /__mock__/quirks`` lists; bad names and values refused."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.quirks import QUIRKS
from mockryze.testing.api import MockRyze, RemoteRyze
from mockryze.testing.control import Control
from tests.conftest import CheckedClient, error_of
from tests.test_cli import clean_env, free_port, refusal, spawned, start_server

ALICE = "5511987654321"
LIVE = {quirk.name: quirk.live for quirk in QUIRKS}
DOCS = {quirk.name: quirk.docs for quirk in QUIRKS}
# The value of each quirk that is not its live default: what flipping it means.
FLIPPED = {quirk.name: next(v for v in quirk.values if v != quirk.live) for quirk in QUIRKS}
Observe = Callable[[Control, CheckedClient], str]


# --- how each quirk shows through the API (each makes its own instance, so they share a world) ---------
def _name(api: CheckedClient, quirk: str) -> str:
    return f"{quirk.replace('_', '-')}-{zlib.crc32(str(api.token).encode()) % 10_000}"


def _instance_state_auth(ryze: Control, api: CheckedClient) -> str:
    name = _name(api, "auth")
    assert api.post("/api/instance/new", json={"name": name}).status_code == 201
    hooked = api.post(f"/api/events/webhook/{name}", json={
        "enabled": True, "url": ryze.inbox_url(name), "authorization": "Bearer s3cret",
        "events": ["instance.state"]})
    assert hooked.status_code == 200
    assert api.get(f"/api/instance/connect/{name}").status_code == 200  # instance.state qr_ready
    ryze.wait_for_deliveries(1, status="delivered", instance=name, account_token=api.token)
    [delivery] = ryze.inbox(name)
    assert delivery["body"]["event"] == "instance.state"
    return "on" if delivery["headers"].get("authorization") == "Bearer s3cret" else "off"


def _exchange(ryze: Control, api: CheckedClient, quirk: str) -> dict[str, Any]:
    """The data of an API send that quotes an inbound message."""
    name = _name(api, quirk)
    ryze.create_instance(name, connected=True, account_token=api.token)
    asked = ryze.inbound(name, from_=ALICE, text="Pedido 42 saiu?", account_token=api.token)
    assert asked is not None
    sent = api.post(f"/api/message/text/{name}", json={"number": ALICE, "message": "Saiu", "replyTo": asked["id"]})
    assert sent.status_code == 200, sent.text
    envelope = ryze.events(name, "message.exchange", account_token=api.token)[-1]
    schemas.validate_event(envelope)
    data: dict[str, Any] = envelope["data"]
    return data


def _message_layout(ryze: Control, api: CheckedClient) -> str:
    data = _exchange(ryze, api, "layout")
    return "live" if "direction" in data else "docs"


def _reply_field(ryze: Control, api: CheckedClient) -> str:
    data = _exchange(ryze, api, "reply")
    return "on" if "reply" in data else "off"


def _connect(api: CheckedClient, quirk: str) -> dict[str, Any]:
    name = _name(api, quirk)
    assert api.post("/api/instance/new", json={"name": name}).status_code == 201
    answered: dict[str, Any] = api.get(f"/api/instance/connect/{name}").json()
    return answered


def _connect_status(ryze: Control, api: CheckedClient) -> str:
    return str(_connect(api, "status")["status"])


def _qr_data_uri(ryze: Control, api: CheckedClient) -> str:
    return "on" if _connect(api, "qr")["qrCodeBase64"].startswith("data:image/png;base64,") else "off"


def _unconfigured_websocket(ryze: Control, api: CheckedClient) -> str:
    name = _name(api, "ws")
    assert api.post("/api/instance/new", json={"name": name}).status_code == 201
    read = api.get(f"/api/events/getWebsocket/{name}")
    if read.status_code == 200:
        assert read.json() == {"success": True, "message": literals.WEBSOCKET_RETRIEVED, "websocket": {}}
        return "empty"
    assert error_of(read) == literals.WEBSOCKET_NOT_CONFIGURED
    return "not_found"


def _group_sender_jid(ryze: Control, api: CheckedClient) -> str:
    """A group member's inbound message: is its `sender.jid` the member's @lid or its phone JID?"""
    name = _name(api, "sender")
    ryze.create_instance(name, connected=True, account_token=api.token)
    group = api.post(f"/api/group/create/{name}", json={"name": "Ops", "participants": [ALICE]})
    assert group.status_code == 201, group.text
    received = ryze.inbound(name, from_=ALICE, group=group.json()["group"]["jid"], text="oi", account_token=api.token)
    envelope = ryze.events(name, "message.exchange", account_token=api.token)[-1]
    schemas.validate_event(envelope)
    data = envelope["data"]
    sender = (data if "sender" in data else data["message"])["sender"]
    assert received is not None and received["sender"] == sender["jid"] and sender["lid"].endswith("@lid")
    if sender["jid"] == sender["lid"]:
        return "lid"
    assert sender["jid"] == f"{ALICE}@s.whatsapp.net"
    return "phone"


def _listed(ryze: Control, api: CheckedClient, quirk: str) -> str:
    """label.update and group.flow builders live in their own modules; here: the value they are given."""
    return str(ryze.quirks(account_token=api.token)[quirk]["value"])


OBSERVE: dict[str, Observe] = {
    "instance_state_auth": _instance_state_auth, "message_layout": _message_layout,
    "connect_status": _connect_status, "qr_data_uri": _qr_data_uri,
    "unconfigured_websocket": _unconfigured_websocket, "reply_field": _reply_field,
    "label_layout": lambda ryze, api: _listed(ryze, api, "label_layout"),
    "group_flow_layout": lambda ryze, api: _listed(ryze, api, "group_flow_layout"),
    "group_sender_jid": _group_sender_jid,
}


def observed(ryze: Control, api: CheckedClient) -> dict[str, str]:
    return {name: observe(ryze, api) for name, observe in OBSERVE.items()}


def test_every_quirk_has_an_observer() -> None:
    assert set(OBSERVE) == {quirk.name for quirk in QUIRKS}


# --- defaults and profiles -------------------------------------------------------------------------
def test_the_live_profile_is_the_default_bundle(ryze: MockRyze, api: CheckedClient) -> None:
    assert observed(ryze, api) == LIVE


@pytest.mark.ryze(profile="docs")
def test_the_docs_profile_is_a_bundle_of_quirk_values(ryze: MockRyze, api: CheckedClient) -> None:
    assert observed(ryze, api) == DOCS
    assert DOCS["unconfigured_websocket"] == "not_found"  # the docs say 404; so does the live default


# --- the fixture marker: one quirk flipped, the others stay -----------------------------------------
@pytest.mark.parametrize("quirk", [
    pytest.param(name, marks=pytest.mark.ryze(quirks={name: value}), id=name) for name, value in FLIPPED.items()])
def test_the_marker_flips_one_quirk(ryze: MockRyze, api: CheckedClient, quirk: str) -> None:
    assert observed(ryze, api) == {**LIVE, quirk: FLIPPED[quirk]}
    assert {name: item["setBy"] for name, item in ryze.quirks().items()} == {
        name: "server" if name == quirk else "profile" for name in LIVE}


@pytest.mark.ryze(profile="docs", quirks={"instance_state_auth": "off"})
def test_a_quirk_overrides_its_profile(ryze: MockRyze, api: CheckedClient) -> None:
    assert observed(ryze, api) == {**DOCS, "instance_state_auth": "off"}


# --- per account, through the control plane --------------------------------------------------------
def test_two_accounts_with_different_quirks_side_by_side(ryze: MockRyze) -> None:
    flipped = ryze.client.post("/__mock__/accounts", json={"quirks": FLIPPED})
    assert flipped.status_code == 201, flipped.text
    schemas.validate("mock/account.response", flipped.json())
    plain = ryze.new_account()
    a, b = CheckedClient(ryze.client, flipped.json()["token"]), CheckedClient(ryze.client, plain)
    for name, observe in OBSERVE.items():  # interleaved: both accounts live in one world at once
        assert (observe(ryze, a), observe(ryze, b)) == (FLIPPED[name], LIVE[name]), name
    listed = ryze.client.get("/__mock__/quirks", headers={"token": a.token})
    assert listed.status_code == 200
    assert {item["setBy"] for item in listed.json()["quirks"]} == {"account"}
    assert ryze.quirks(account_token=plain)["reply_field"]["setBy"] == "profile"


@pytest.mark.ryze(quirks={"reply_field": "off", "qr_data_uri": "on"})
def test_an_account_overrides_the_server_quirk_by_quirk(ryze: MockRyze) -> None:
    token = ryze.new_account(quirks={"reply_field": "on"})
    api = CheckedClient(ryze.client, token)
    assert (_reply_field(ryze, api), _qr_data_uri(ryze, api)) == ("on", "on")
    shown = ryze.quirks(account_token=token)
    assert (shown["reply_field"]["setBy"], shown["qr_data_uri"]["setBy"]) == ("account", "server")
    default = CheckedClient(ryze.client, ryze.account_token)
    assert (_reply_field(ryze, default), _qr_data_uri(ryze, default)) == ("off", "on")


# --- GET /__mock__/quirks ---------------------------------------------------------------------------
def test_the_listing_names_each_quirk_its_value_alternatives_and_sources(ryze: MockRyze) -> None:
    token = ryze.new_account(quirks={"unconfigured_websocket": "empty"})
    response = ryze.client.get("/__mock__/quirks", params={"account": token})
    assert response.status_code == 200
    body = response.json()
    schemas.validate("mock/quirks.response", body)
    assert (body["profile"], body["count"]) == ("live", len(QUIRKS))
    by_name = {item["name"]: item for item in body["quirks"]}
    assert list(by_name) == [quirk.name for quirk in QUIRKS]
    websocket = by_name["unconfigured_websocket"]
    assert (websocket["value"], websocket["setBy"]) == ("empty", "account")
    assert websocket["profiles"] == {"live": "not_found", "docs": "not_found"}
    assert [(v["value"], v["source"]) for v in websocket["values"]] == [
        ("not_found", "documented"), ("empty", "client-expects")]
    auth = by_name["instance_state_auth"]
    assert (auth["value"], auth["setBy"], auth["profiles"]) == ("off", "profile", {"live": "off", "docs": "on"})
    assert {v["value"]: v["source"] for v in auth["values"]} == {"off": "observed-live", "on": "documented"}
    default = ryze.client.get("/__mock__/quirks").json()  # no token: the default account
    assert {item["name"]: item["value"] for item in default["quirks"]} == LIVE
    unknown = ryze.client.get("/__mock__/quirks", params={"account": "nobody"})
    assert error_of(unknown) == literals.MOCK_ACCOUNT_NOT_FOUND


def test_every_quirk_value_has_its_contract_row(ryze: MockRyze) -> None:
    table = ryze.contract()
    rows = {b["behaviour"]: b["source"] for row in table["routes"] if row["path"] == "quirks"
            for b in row["behaviours"]}
    for item in ryze.quirks().values():
        for value in item["values"]:
            [(_, source)] = [(text, src) for text, src in rows.items()
                             if text.startswith(f"`{item['name']}={value['value']}`")]
            assert source == value["source"], (item["name"], value)


# --- refusals ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("quirks", "detail"), [
    ({"bogus": "on"}, "unknown quirk 'bogus'; quirks: instance_state_auth (off|on), message_layout (live|docs)"),
    ({"reply_field": "maybe"}, "quirk reply_field takes on or off, not 'maybe'"),
    ({"message_layout": 1}, None),  # not a string: the schema refuses it
])
def test_an_account_with_a_bad_quirk_is_refused_and_not_created(ryze: MockRyze, quirks: dict[str, Any],
                                                                 detail: str | None) -> None:
    response = ryze.client.post("/__mock__/accounts", json={"token": "T-bad", "quirks": quirks})
    if detail is None:
        assert error_of(response) == literals.INVALID_BODY
    else:
        assert error_of(response) == literals.MOCK_UNKNOWN_QUIRK
        assert response.headers["X-Mockryze-Detail"].startswith(detail)
    assert ryze.client.get("/api/instance/list", headers={"token": "T-bad"}).status_code == 401  # no account


def test_bad_quirks_are_refused_in_process() -> None:
    from mockryze.core.settings import SettingError

    with pytest.raises(SettingError, match=r"^quirks: unknown quirk 'nope'; quirks: instance_state_auth"):
        MockRyze(quirks={"nope": "on"})
    with pytest.raises(SettingError, match=r"^quirks: quirk qr_data_uri takes off or on, not 'yes'$"):
        MockRyze(quirks="qr_data_uri=yes")
    with pytest.raises(SettingError, match=r"^quirks: expected NAME=VALUE, not 'reply_field'"):
        MockRyze(quirks="reply_field")


@pytest.mark.parametrize(("argv", "reason"), [
    (("--quirk", "bogus=on"), "argument --quirk/--quirks: unknown quirk 'bogus'; quirks: instance_state_auth (off|on)"),
    (("--quirk", "connect_status=pending"), "quirk connect_status takes qr_code_generated or qr, not 'pending'"),
    (("--quirk", "reply_field"), "expected NAME=VALUE, not 'reply_field'"),
])
def test_a_bad_quirk_flag_is_one_line_naming_the_valid_ones(capsys: pytest.CaptureFixture[str], never_serves: None,
                                                            argv: tuple[str, ...], reason: str) -> None:
    line = refusal(capsys, *argv)
    assert reason in line, line


def test_a_bad_quirks_variable_is_one_line_naming_it(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, never_serves: None) -> None:
    monkeypatch.setenv("MOCKRYZE_QUIRKS", "message_layout=flat")
    assert refusal(capsys) == ("mockryze: MOCKRYZE_QUIRKS (--quirk): quirk message_layout takes live or docs,"
                               " not 'flat'")


@pytest.fixture
def never_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    def serve(*args: object) -> None:
        raise AssertionError("the options were accepted and the server started")

    monkeypatch.setattr("mockryze.cli.serve_until_signalled", serve)


# --- a real `mockryze serve`: flags and the variable -----------------------------------------------
@pytest.mark.slow
def test_serve_flips_quirks_from_flags_and_the_environment() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    flags = [arg for name in ("message_layout", "connect_status", "unconfigured_websocket", "reply_field")
             for arg in ("--quirk", f"{name}={FLIPPED[name]}")]
    env = clean_env(MOCKRYZE_QUIRKS="instance_state_auth=on,qr_data_uri=on,reply_field=on")  # the flag wins
    with spawned("serve", "--port", str(port), "--account-token", "T123", "--rate-limits", "off", *flags,
                 env=env) as server:
        banner = start_server(server, port)
        assert "profile live + instance_state_auth=on,qr_data_uri=on,reply_field=on,message_layout=docs" in banner
        remote = RemoteRyze(base, "T123")
        try:
            with httpx.Client(base_url=base, timeout=10) as http:
                seen = observed(remote, CheckedClient(http, "T123"))
                other = RemoteRyze.with_new_account(base, quirks={"reply_field": "on", "message_layout": "live"})
                try:
                    again = CheckedClient(http, other.account_token)
                    own = (_reply_field(other, again), _message_layout(other, again))
                finally:
                    other.close()
        finally:
            remote.close()
    assert seen == {**FLIPPED, "label_layout": "live", "group_flow_layout": "live", "group_sender_jid": "lid"}
    assert own == ("on", "live")


# --- label.update and group.flow follow each account's own layout, in one world --------------------
def _label_and_group_events(ryze: MockRyze, api: CheckedClient, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ryze.create_instance(name, connected=True, account_token=api.token)
    assert api.post(f"/api/chat/tag/{name}", json={"name": "VIP", "color": 3}).status_code == 200
    created = api.post(f"/api/group/create/{name}", json={"name": "Ops", "participants": [ALICE]})
    assert created.status_code == 201, created.text
    label = ryze.events(name, "label.update", account_token=api.token)[-1]
    flow = ryze.events(name, "group.flow", account_token=api.token)[-1]
    for envelope in (label, flow):
        schemas.validate_event(envelope)
    return label["data"], flow["data"]


@pytest.mark.parametrize("profile", [pytest.param(p, marks=pytest.mark.ryze(profile=p), id=p)
                                     for p in ("live", "docs")])
def test_label_and_group_layouts_follow_each_accounts_quirks(ryze: MockRyze, profile: str) -> None:
    other = "docs" if profile == "live" else "live"
    token = ryze.new_account(quirks={"label_layout": other, "group_flow_layout": other})
    shown = {profile: _label_and_group_events(ryze, CheckedClient(ryze.client, ryze.account_token), "plain"),
             other: _label_and_group_events(ryze, CheckedClient(ryze.client, token), "flipped")}
    live_label, live_flow = shown["live"]
    docs_label, docs_flow = shown["docs"]
    assert live_label["action"] == "updated" and "action" not in docs_label  # client fixtures vs catalog
    assert live_flow["groupName"] == "Ops" and "type" in live_flow and "action" not in live_flow
    assert "action" in docs_flow and "type" not in docs_flow and "groupName" not in docs_flow
