"""What a newly created instance starts with, through each module's read routes: nothing stored, no
WebSocket, and (once paired) its own hidden id.

The instance model holds every module's per-instance state; this pins each block's starting value
where a user can see it, so none starts missing or pre-filled.
"""

from __future__ import annotations

import re

from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.instance.test_lifecycle import connect, create, scan

NUMBER = "5511987654321"


def paired(api: CheckedClient, name: str) -> None:
    create(api, name)
    connect(api, name)
    assert scan(api, name, number=NUMBER if name == "sales" else "5511911112222", pushName="Ana").status_code == 200


def test_a_new_instance_stores_nothing(api: CheckedClient) -> None:
    paired(api, "sales")
    assert api.get("/api/group/list/sales").json()["groups"] == []
    assert api.get("/api/newsletter/list/sales").json()["channels"] == []
    contacts = api.get("/api/chat/contacts/sales").json()
    assert (contacts["contacts"], contacts["total"]) == ([], 0)
    tags = api.get("/api/chat/tag/sales").json()
    assert (tags["tags"], tags["total"]) == ([], 0)
    history = api.post("/api/chat/history/sales", json={"number": "5511933334444"})
    assert history.status_code == 200, history.text
    assert history.json()["messages"] == []


def test_a_new_instance_has_no_picture_and_no_business(api: CheckedClient) -> None:
    paired(api, "sales")
    item = api.get("/api/instance/list").json()["instances"][0]
    assert item["profile"] == {"name": "Ana", "pictureUrl": "", "isBusiness": False, "businessName": ""}


def test_a_new_instance_has_no_websocket(api: CheckedClient) -> None:
    create(api)
    assert error_of(api.get("/api/events/getWebsocket/sales")) == (404, "WebSocket not configured for this instance")
    assert api.get("/api/instance/list").json()["instances"][0]["websocket"]["enabled"] is False


def test_pairing_gives_the_instance_its_own_lid(api: CheckedClient) -> None:
    paired(api, "sales")
    paired(api, "support")
    lids = {name: api.get(f"/api/profile/getAccount/{name}").json()["profile"]["lid"] for name in ("sales", "support")}
    assert all(re.fullmatch(r"[1-9]\d{14}@lid", lid) for lid in lids.values()), lids
    assert lids["sales"] != lids["support"]



def test_created_at_stays_the_creation_instant(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    ryze.advance(90)
    item = api.get("/api/instance/list").json()["instances"][0]
    assert item["createdAt"] == item["updatedAt"] == "2026-01-01T09:00:00-03:00"
    connect(api)  # a lifecycle change moves updatedAt only
    ryze.advance(10)
    item = api.get("/api/instance/list").json()["instances"][0]
    assert (item["createdAt"], item["updatedAt"]) == ("2026-01-01T09:00:00-03:00", "2026-01-01T09:01:30-03:00")


def test_a_deleted_instance_waiting_for_its_scan_has_no_timers_left(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api)
    assert api.delete("/api/instance/delete/sales").status_code == 200
    ryze.advance(61)  # past the QR rotation (20 s) and the attempt's expiry (60 s)
    assert [e["data"]["state"] for e in ryze.events("sales", "instance.state")] == ["qr_ready"]


def test_only_qr_ready_carries_the_codes(api: CheckedClient, ryze: MockRyze) -> None:
    create(api)
    connect(api, number=NUMBER)  # a pairing code is pending while the attempt is `connecting`
    data = [e["data"] for e in ryze.events("sales", "instance.state")]
    assert [(d["state"], "codes" in d) for d in data] == [("connecting", False)]
