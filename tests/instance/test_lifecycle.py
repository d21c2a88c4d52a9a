"""The instance lifecycle through HTTP: create, connect (QR / pairing code), scan, logout, reconnect, delete.

State is observed through ``GET /api/instance/list`` and events through ``ryze.events()`` /
``GET /__mock__/events``; time only moves with ``ryze.advance``.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import httpx
import PIL.Image
import pytest
import zxingcpp

from mockryze.core import schemas
from mockryze.instance.routes import ENDPOINTS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

NUMBER = "5511987654321"
JID = f"{NUMBER}@s.whatsapp.net"
START_ISO = "2026-01-01T09:00:00-03:00"  # the fixture clock: 2026-01-01T12:00:00Z in America/Sao_Paulo
NOTHING_PENDING = (409, "No QR code or pairing code is waiting to be scanned")
ILLEGAL_STATE = (409, "The instance cannot move to that state from its current one")
NO_SESSION = (400, "Instance has no saved session — call /connect first")
ISO_SAO_PAULO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-03:00$")

# A valid body for each request schema, so 404 / 401 come from the instance, not from the body.
VALID_BODIES: dict[str | None, Any] = {
    None: None,
    "instance/new.request": {"name": "other"},
    "instance/settings.request": {"autoRejectCalls": True},
    "instance/proxy.request": {"enabled": False},
    "instance/s3.request": {"enabled": False},
}
INSTANCE_ROUTES = [spec for spec in ENDPOINTS if spec.takes_instance]


# --- helpers ----------------------------------------------------------------------------------
def create(api: CheckedClient, name: str = "sales", **body: Any) -> dict[str, Any]:
    response = api.post("/api/instance/new", json={"name": name, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(api: CheckedClient, name: str = "sales") -> dict[str, Any]:
    response = api.get("/api/instance/list")
    assert response.status_code == 200
    items = {item["name"]: item for item in response.json()["instances"]}
    assert name in items, items.keys()
    item: dict[str, Any] = items[name]
    return item


def connect(api: CheckedClient, name: str = "sales", **params: str) -> dict[str, Any]:
    response = api.get(f"/api/instance/connect/{name}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def scan(api: CheckedClient, name: str = "sales", **body: str) -> httpx.Response:
    return api.post(f"/__mock__/instances/{name}/scan", json=body)


def set_state(api: CheckedClient, state: str, name: str = "sales") -> httpx.Response:
    return api.post(f"/__mock__/instances/{name}/state", json={"state": state})


def states(ryze: MockRyze, name: str = "sales") -> list[str]:
    return [e["data"]["state"] for e in ryze.events(name, "instance.state")]


def decode_qr(png_base64: str) -> str:
    image = PIL.Image.open(io.BytesIO(base64.b64decode(png_base64)))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, results
    text: str = results[0].text
    return text


def route_url(path: str, name: str) -> str:
    return path.replace(":instance", name)


# --- the full lifecycle -----------------------------------------------------------------------
def test_full_lifecycle(api: CheckedClient, ryze: MockRyze) -> None:
    created = create(api)
    token = created["instance"]["token"]
    item = listed(api)
    assert item["status"] == "disconnected"
    assert item["connection"] == {"state": "disconnected", "numberJid": None, "presenceStatus": "unavailable",
                                  "displayStatus": "Disconnected"}
    assert item["numberJid"] is None
    fresh = api.get("/__mock__/instances/sales").json()["instance"]
    assert (fresh["numberJid"], fresh["hasSession"]) == (None, False)  # never paired: no number, no session

    first = connect(api)
    assert first["message"] == "QR code generated"
    assert first["status"] == "qr_code_generated"
    assert decode_qr(first["qrCodeBase64"]) == first["qrCode"]
    item = listed(api)
    assert item["status"] == "qr"
    assert item["connection"]["displayStatus"] == "Waiting for QR code scan"

    scanned = scan(api, number=NUMBER, pushName="Ana Souza")
    assert scanned.status_code == 200
    assert scanned.json()["message"] == "QR code scanned"
    assert scanned.json()["instance"]["numberJid"] == JID
    item = listed(api)
    assert item["status"] == "connected"
    assert item["numberJid"] == JID
    assert item["connection"] == {"state": "connected", "numberJid": JID, "presenceStatus": "available",
                                  "displayStatus": "Online"}
    assert item["profile"]["name"] == "Ana Souza"

    out = api.delete("/api/instance/logout/sales")
    assert out.status_code == 200
    assert out.json() == {"success": True, "message": "Instance logged out", "instance": {"status": "loggedout"}}
    item = listed(api)
    assert item["status"] == "loggedout"
    assert item["connection"] == {"state": "loggedout", "numberJid": None, "presenceStatus": "unavailable",
                                  "displayStatus": "Logged out"}
    assert item["numberJid"] is None

    assert error_of(api.post("/api/instance/reconnect/sales")) == NO_SESSION
    assert listed(api)["status"] == "loggedout"

    second = connect(api)
    assert second["qrCode"] != first["qrCode"]
    assert decode_qr(second["qrCodeBase64"]) == second["qrCode"]
    assert scan(api, number=NUMBER, pushName="Ana Souza").status_code == 200
    assert listed(api)["status"] == "connected"

    again = api.post("/api/instance/reconnect/sales")
    assert again.status_code == 200
    assert again.json() == {"success": True, "message": "Reconnect initiated", "status": "connecting"}
    # reconnect_delay is 0: the reconnection completes when the next request runs the due timers.
    assert states(ryze)[-2:] == ["manual_reconnect", "connecting"]
    assert listed(api)["status"] == "connected"
    assert states(ryze)[-1] == "connected"

    deleted = api.delete("/api/instance/delete/sales")
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True, "message": "Instance deleted", "instance": {"status": "deleted"}}
    listing = api.get("/api/instance/list").json()
    assert listing["instances"] == []
    assert listing["message"] == "0 Instances found"

    assert states(ryze) == [
        "qr_ready", "pair_success", "connected", "logged_out",
        "qr_ready", "pair_success", "connected", "manual_reconnect", "connecting", "connected",
        "logged_out",  # deleting a connected instance logs it out first
    ]
    assert token not in api.get("/api/instance/list").text


def test_lifecycle_events_are_well_formed(api: CheckedClient, ryze: MockRyze) -> None:
    token = create(api)["instance"]["token"]
    code = connect(api)["qrCode"]
    scan(api, number=NUMBER)
    api.delete("/api/instance/logout/sales")
    connect(api)
    scan(api, number=NUMBER)
    api.post("/api/instance/reconnect/sales")
    api.get("/api/instance/list")

    over_http = api.get("/__mock__/events", params={"instance": "sales", "event": "instance.state"}).json()
    envelopes = ryze.events("sales", "instance.state")
    assert over_http["events"] == envelopes
    assert over_http["count"] == len(envelopes) == 10
    expected_jids = [None, JID, JID, JID, None, JID, JID, JID, JID, JID]  # logged_out names the unlinked number
    for envelope, jid in zip(envelopes, expected_jids, strict=True):
        schemas.validate_event(envelope)
        assert envelope["event"] == "instance.state"
        assert envelope["instanceData"] == {"baseUrl": ryze.base_url, "instance": "sales", "token": token}
        data = envelope["data"]
        assert data["instance"] == "sales"
        assert data["jid"] == jid
        assert ISO_SAO_PAULO.match(data["timestamp"]), data["timestamp"]
        assert data["timestamp"] == START_ISO
    assert envelopes[0]["data"]["codes"] == [code]
    assert all("codes" not in e["data"] for e in envelopes if e["data"]["state"] != "qr_ready")


def test_scan_without_number_or_push_name_invents_both(api: CheckedClient) -> None:
    create(api)
    connect(api)
    scanned = scan(api)
    assert scanned.status_code == 200
    view = scanned.json()["instance"]
    assert re.fullmatch(r"\d{10,15}@s\.whatsapp\.net", view["numberJid"])
    assert view["pushName"] != ""
    assert view["hasSession"] is True
    item = listed(api)
    assert item["numberJid"] == item["connection"]["numberJid"] == view["numberJid"]
    assert item["profile"]["name"] == view["pushName"]


def test_scan_with_only_a_number_keeps_it_and_invents_a_name(api: CheckedClient) -> None:
    create(api)
    connect(api)
    view = scan(api, number="+" + NUMBER).json()["instance"]
    assert view["numberJid"] == JID
    assert view["pushName"] != ""
    assert listed(api)["profile"]["name"] == view["pushName"]


def test_scan_with_only_a_push_name(api: CheckedClient) -> None:
    create(api)
    connect(api)
    view = scan(api, pushName="Loja Centro").json()["instance"]
    assert re.fullmatch(r"\d{10,15}@s\.whatsapp\.net", view["numberJid"])
    assert listed(api)["profile"]["name"] == "Loja Centro"


def test_scan_without_pending_code_is_409(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    assert error_of(scan(api, number=NUMBER)) == NOTHING_PENDING
    assert listed(api)["status"] == "disconnected"
    assert ryze.events("sales") == []


def test_scan_unknown_instance_is_404(api: CheckedClient) -> None:
    assert error_of(scan(api, "ghost")) == (404, "Instance not found")


@pytest.mark.ryze(profile="docs")
def test_docs_profile_qr(api: CheckedClient) -> None:
    create(api)
    body = connect(api)
    assert body["status"] == "qr"
    assert body["message"] == "QR code generated"
    prefix = "data:image/png;base64,"
    assert body["qrCodeBase64"].startswith(prefix)
    assert decode_qr(body["qrCodeBase64"][len(prefix):]) == body["qrCode"]


def test_live_profile_qr_is_bare_base64(api: CheckedClient) -> None:
    create(api)
    body = connect(api)
    assert body["status"] == "qr_code_generated"
    assert not body["qrCodeBase64"].startswith("data:")
    assert body["qrCode"].startswith("2@")


# --- pairing code -----------------------------------------------------------------------------
def test_pairing_code(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    body = connect(api, number=NUMBER)
    assert body["message"] == "Pairing code generated"
    assert body["status"] == "pairing_code_generated"
    assert re.fullmatch(r"[A-Z0-9]{8}", body["pairingCode"])
    assert "qrCode" not in body
    assert listed(api)["status"] == "qr"
    assert states(ryze) == ["connecting"]

    ryze.advance(20)  # a pairing code does not rotate
    assert states(ryze) == ["connecting"]

    view = scan(api).json()["instance"]
    assert view["numberJid"] == JID
    item = listed(api)
    assert item["status"] == "connected"
    assert item["numberJid"] == item["connection"]["numberJid"] == JID
    assert states(ryze) == ["connecting", "pair_success", "connected"]


@pytest.mark.parametrize("number", ["123", "abc", "55119876543210000", "120363012345678901@g.us"])
def test_invalid_pairing_number(api: CheckedClient, ryze: MockRyze, number: str) -> None:
    create(api)
    response = api.get("/api/instance/connect/sales", params={"number": number})
    assert error_of(response) == (400, "Invalid phone number")
    assert listed(api)["status"] == "disconnected"
    assert ryze.events("sales") == []
    assert error_of(scan(api)) == NOTHING_PENDING


def test_empty_number_means_qr(api: CheckedClient) -> None:
    create(api)
    body = connect(api, number="")
    assert body["status"] == "qr_code_generated"
    assert decode_qr(body["qrCodeBase64"]) == body["qrCode"]


def test_connect_when_connected(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    scan(api, number=NUMBER)
    before = ryze.events("sales")
    for params in ({}, {"number": NUMBER}):
        body = connect(api, **params)
        assert body == {"success": True, "message": "Instance already connected", "status": "connected"}
    assert ryze.events("sales") == before
    assert listed(api)["numberJid"] == JID


# --- QR rotation and expiry -------------------------------------------------------------------
def test_qr_rotates_every_20_seconds(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    first = connect(api)["qrCode"]
    ryze.advance(19)
    assert len(ryze.events("sales")) == 1
    ryze.advance(1)
    events = ryze.events("sales", "instance.state")
    assert [e["data"]["state"] for e in events] == ["qr_ready", "qr_ready"]
    rotated = events[1]["data"]["codes"][0]
    assert rotated != first
    assert events[1]["data"]["timestamp"] == "2026-01-01T09:00:20-03:00"
    schemas.validate_event(events[1])
    assert listed(api)["status"] == "qr"

    fresh = connect(api)
    assert fresh["qrCode"] not in (first, rotated)
    assert decode_qr(fresh["qrCodeBase64"]) == fresh["qrCode"]
    assert ryze.events("sales")[-1]["data"]["codes"] == [fresh["qrCode"]]


def test_unscanned_qr_expires_after_60_seconds(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(20)
    ryze.advance(20)
    ryze.advance(19)
    assert listed(api)["status"] == "qr"
    ryze.advance(1)
    item = listed(api)
    assert item["status"] == "disconnected"
    assert item["connection"]["displayStatus"] == "Disconnected"
    assert states(ryze) == ["qr_ready", "qr_ready", "qr_ready", "disconnected"]
    assert ryze.events("sales")[-1]["data"]["timestamp"] == "2026-01-01T09:01:00-03:00"
    assert error_of(scan(api, number=NUMBER)) == NOTHING_PENDING


def test_one_big_clock_jump_fires_every_timer_on_time(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(3600)
    events = ryze.events("sales", "instance.state")
    assert [e["data"]["state"] for e in events] == ["qr_ready", "qr_ready", "qr_ready", "disconnected"]
    assert [e["data"]["timestamp"][11:19] for e in events] == ["09:00:00", "09:00:20", "09:00:40", "09:01:00"]
    assert len({e["data"]["codes"][0] for e in events[:3]}) == 3
    assert listed(api)["status"] == "disconnected"


def test_connecting_again_restarts_the_timeout(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(30)
    connect(api)
    ryze.advance(30)  # 60 s after the first connect, 30 s after the second
    assert listed(api)["status"] == "qr"
    ryze.advance(30)
    assert listed(api)["status"] == "disconnected"
    assert states(ryze).count("disconnected") == 1


def test_pairing_code_expires_too(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api, number=NUMBER)
    ryze.advance(60)
    assert listed(api)["status"] == "disconnected"
    assert states(ryze) == ["connecting", "disconnected"]
    assert error_of(scan(api)) == NOTHING_PENDING


@pytest.mark.ryze(qr_rotate_seconds=5)
def test_rotation_period_is_a_setting(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(5)
    assert states(ryze) == ["qr_ready", "qr_ready"]


@pytest.mark.ryze(qr_rotate_seconds=1)
def test_a_one_second_rotation_rotates(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(2)
    assert states(ryze) == ["qr_ready", "qr_ready", "qr_ready"]


@pytest.mark.ryze(qr_rotate_seconds=0)
def test_a_zero_rotation_never_rotates(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(59)
    assert states(ryze) == ["qr_ready"]


@pytest.mark.ryze(qr_rotate_seconds=60)
def test_no_rotation_at_the_instant_the_attempt_expires(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    ryze.advance(60)
    assert states(ryze) == ["qr_ready", "disconnected"]


# --- auto scan --------------------------------------------------------------------------------
@pytest.mark.ryze(auto_scan=True)
def test_auto_scan_connects_by_itself(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    body = connect(api)
    assert body["status"] == "qr_code_generated"
    item = listed(api)
    assert item["status"] == "connected"
    assert re.fullmatch(r"\d{10,15}@s\.whatsapp\.net", item["numberJid"])
    assert item["profile"]["name"] != ""
    assert states(ryze) == ["qr_ready", "pair_success", "connected"]


@pytest.mark.ryze(auto_scan=True, auto_scan_delay=10)
def test_auto_scan_waits_its_delay(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api, number=NUMBER)
    ryze.advance(9)
    assert listed(api)["status"] == "qr"
    ryze.advance(1)
    item = listed(api)
    assert item["status"] == "connected"
    assert item["numberJid"] == JID


# --- reconnect --------------------------------------------------------------------------------
def test_reconnect_without_session_is_rejected(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    assert error_of(api.post("/api/instance/reconnect/sales")) == NO_SESSION
    connect(api)
    assert error_of(api.post("/api/instance/reconnect/sales")) == NO_SESSION
    assert listed(api)["status"] == "qr"
    assert states(ryze) == ["qr_ready"]


@pytest.mark.ryze(reconnect_delay=5)
def test_reconnect_shows_connecting_until_the_delay(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    scan(api, number=NUMBER)
    assert api.post("/api/instance/reconnect/sales").json()["status"] == "connecting"
    item = listed(api)
    assert item["status"] == "connecting"
    assert item["connection"]["displayStatus"] == "Connecting"
    assert item["numberJid"] == JID
    ryze.advance(4)
    assert listed(api)["status"] == "connecting"
    ryze.advance(1)
    assert listed(api)["status"] == "connected"
    assert states(ryze)[-3:] == ["manual_reconnect", "connecting", "connected"]


def test_logout_is_idempotent(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    scan(api, number=NUMBER)
    assert api.delete("/api/instance/logout/sales").json()["message"] == "Instance logged out"
    again = api.delete("/api/instance/logout/sales")
    assert again.status_code == 200
    assert again.json()["instance"] == {"status": "loggedout"}
    assert states(ryze).count("logged_out") == 1


# --- delete -----------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", INSTANCE_ROUTES, ids=lambda s: f"{s.method} {s.path}")
def test_deleted_instance_is_not_found(api: CheckedClient, spec: Any) -> None:
    create(api)
    assert api.delete("/api/instance/delete/sales").status_code == 200
    response = api.request(spec.method, route_url(spec.path, "sales"), json=VALID_BODIES[spec.request_schema])
    assert error_of(response) == (404, "Instance not found")


def test_every_instance_route_is_covered() -> None:
    assert len(INSTANCE_ROUTES) == 10
    assert len(ENDPOINTS) == 12


def test_deleted_instance_filter_is_not_found(api: CheckedClient) -> None:
    create(api)
    api.delete("/api/instance/delete/sales")
    assert error_of(api.get("/api/instance/list", params={"instanceName": "sales"})) == (404, "Instance not found")


@pytest.mark.parametrize("spec", [s for s in ENDPOINTS if s.auth == "either"], ids=lambda s: f"{s.method} {s.path}")
def test_deleted_instance_token_is_invalid(api: CheckedClient, spec: Any) -> None:
    token = create(api)["instance"]["token"]
    assert api.get("/api/instance/list", token=token).status_code == 200
    api.delete("/api/instance/delete/sales")
    response = api.request(spec.method, route_url(spec.path, "sales"), token=token,
                           json=VALID_BODIES[spec.request_schema])
    assert error_of(response) == (401, "Invalid token")


def test_delete_disconnected_instance_emits_nothing(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    api.delete("/api/instance/delete/sales")
    assert ryze.events("sales") == []


def test_deleted_name_can_be_reused(api: CheckedClient) -> None:
    old = create(api)["instance"]
    api.delete("/api/instance/delete/sales")
    new = create(api)["instance"]
    assert new["id"] != old["id"]
    assert new["token"] != old["token"]
    assert listed(api)["status"] == "disconnected"


# --- control-plane state changes --------------------------------------------------------------
def connected(api: CheckedClient) -> None:
    create(api)
    connect(api)
    scan(api, number=NUMBER, pushName="Ana")


def test_phone_logs_out(api: CheckedClient, ryze: MockRyze) -> None:
    connected(api)
    response = set_state(api, "logged_out")
    assert response.status_code == 200
    assert response.json()["message"] == "Instance state changed"
    assert response.json()["instance"]["hasSession"] is False
    item = listed(api)
    assert item["status"] == "loggedout"
    assert item["numberJid"] is None
    assert states(ryze)[-1] == "logged_out"
    assert error_of(api.post("/api/instance/reconnect/sales")) == NO_SESSION


def test_whatsapp_bans_then_recovers(api: CheckedClient, ryze: MockRyze) -> None:
    connected(api)
    response = set_state(api, "temp_banned")
    assert response.json()["instance"]["state"] == "temp_banned"
    assert response.json()["instance"]["status"] == "disconnected"
    item = listed(api)
    assert item["status"] == "disconnected"
    assert item["connection"]["displayStatus"] == "Temporarily banned"
    assert item["connection"]["presenceStatus"] == "unavailable"
    assert item["numberJid"] == JID
    assert states(ryze)[-1] == "temp_banned"
    last = ryze.events("sales")[-1]
    schemas.validate_event(last)
    assert last["data"]["jid"] == JID

    assert set_state(api, "connected").status_code == 200
    assert listed(api)["status"] == "connected"
    assert states(ryze)[-1] == "connected"


def test_network_loss_then_reconnect(api: CheckedClient, ryze: MockRyze) -> None:
    connected(api)
    assert set_state(api, "disconnected").status_code == 200
    item = listed(api)
    assert item["status"] == "disconnected"
    assert item["numberJid"] == JID  # the session survives a network loss
    assert states(ryze)[-1] == "disconnected"
    assert api.post("/api/instance/reconnect/sales").status_code == 200
    assert listed(api)["status"] == "connected"
    assert states(ryze)[-3:] == ["manual_reconnect", "connecting", "connected"]


def test_network_comes_back(api: CheckedClient, ryze: MockRyze) -> None:
    connected(api)
    set_state(api, "disconnected")
    assert set_state(api, "connected").json()["instance"]["status"] == "connected"
    assert listed(api)["status"] == "connected"
    assert states(ryze)[-2:] == ["disconnected", "connected"]


@pytest.mark.parametrize(
    ("setup", "target"),
    [
        ("fresh", "connected"),
        ("fresh", "disconnected"),
        ("fresh", "temp_banned"),
        ("waiting", "disconnected"),
        ("waiting", "connected"),
        ("connected", "connected"),
        ("logged_out", "temp_banned"),
        ("logged_out", "connected"),
    ],
)
def test_illegal_state_change(api: CheckedClient, ryze: MockRyze, setup: str, target: str) -> None:
    create(api)
    if setup in ("waiting", "connected", "logged_out"):
        connect(api)
    if setup in ("connected", "logged_out"):
        scan(api, number=NUMBER)
    if setup == "logged_out":
        api.delete("/api/instance/logout/sales")
    before_item = listed(api)
    before_events = ryze.events("sales")
    assert error_of(set_state(api, target)) == ILLEGAL_STATE
    assert listed(api) == before_item
    assert ryze.events("sales") == before_events


def test_state_change_body_is_checked(api: CheckedClient) -> None:
    connected(api)
    assert error_of(set_state(api, "exploded")) == (400, "Invalid request body")
    assert error_of(api.post("/__mock__/instances/sales/state", json={})) == (400, "Invalid request body")
    assert listed(api)["status"] == "connected"
    assert error_of(set_state(api, "connected", name="ghost")) == (404, "Instance not found")


@pytest.mark.parametrize("typed", ["+55 (11) 98765-4321", "5511987654321@s.whatsapp.net", "+5511987654321"])
def test_pairing_number_as_people_type_it(api: CheckedClient, typed: str) -> None:
    create(api)
    assert connect(api, number=typed)["status"] == "pairing_code_generated"
    scan(api)
    assert listed(api)["numberJid"] == "5511987654321@s.whatsapp.net"


def test_a_name_with_a_space_lives_a_whole_lifecycle(api: CheckedClient) -> None:
    name = "inst 1"  # a real client's test name; in URLs it travels as inst%201
    assert create(api, name)["instance"]["name"] == name
    qr = api.get(f"/api/instance/connect/{name}")
    assert qr.request.url.raw_path.startswith(b"/api/instance/connect/inst%201")
    assert qr.status_code == 200, qr.text
    assert scan(api, name).status_code == 200
    assert listed(api, name)["status"] == "connected"
    assert api.delete(f"/api/instance/delete/{name}").status_code == 200
    assert api.get("/api/instance/list").json()["instances"] == []
