"""group.flow over real sockets: a group's life (create → add → promote → remove → leave) reaches a
real webhook receiver and a real WebSocket client as the same envelopes, in order, each valid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.events.receivers import ReceiverPool
from tests.events.test_websocket import Sockets, frames
from tests.groups.helpers import ALICE, BOB, CARLA, jid_of


@pytest.fixture
def sockets(ryze: MockRyze) -> Iterator[Sockets]:
    pool = Sockets(ryze)
    try:
        yield pool
    finally:
        pool.close()


def test_a_group_life_on_the_webhook_and_the_websocket(ryze: MockRyze, sockets: Sockets,
                                                       receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    sales = ryze.create_instance("sales", connected=True, webhookEnabled=True, webhookURL=receiver.hook(),
                                 webhookEvents=["group.flow"], websocketEnabled=True, websocketEvents=["group.flow"])
    me = str(ryze.instance("sales")["numberJid"])
    client = sockets.open("sales", sales.token)
    api = httpx.Client(base_url=sockets.base.replace("ws://", "http://"), headers={"token": sales.token}, timeout=10)

    def call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = api.request(method, f"/api/group/{path}/sales", **kwargs)
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    group = call("POST", "create", json={"name": "Squad", "participants": [ALICE, BOB]})["group"]["jid"]
    for action, who in (("add", CARLA), ("promote", CARLA), ("remove", BOB)):
        call("POST", "participants", json={"action": action, "identifier": group, "participants": [who]})
    call("DELETE", "leave", params={"identifier": group})
    api.close()

    expected = [("joined", [me, jid_of(ALICE), jid_of(BOB)]), ("joined", [jid_of(CARLA)]),
                ("promoted", [jid_of(CARLA)]), ("left", [jid_of(BOB)]), ("left", [me])]
    streamed = frames(client, len(expected))
    posted = [r.body for r in receiver.wait_for(len(expected))]
    assert streamed == posted == ryze.events("sales", "group.flow")
    assert [(e["data"]["type"], [p["jid"] for p in e["data"]["participants"]]) for e in posted] == expected
    for envelope in posted:
        schemas.validate("events/group.flow", envelope)
        assert envelope["event"] == "group.flow" and envelope["data"]["groupJid"] == group
        assert envelope["data"]["groupName"] == "Squad" and envelope["instanceData"]["instance"] == "sales"
