"""The timeline: any control-plane verb is a step, ``GET /__mock__/scenarios`` says where it is, and
``expect`` waits on the virtual clock with a readable failure."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

ANA = "5511912345678"
EVERY_KIND: dict[str, Any] = {
    "name": "verbs", "seed": 1,
    "instances": [{"name": "desk"}, {"name": "later", "connected": False}],
    "contacts": [{"id": "ana", "number": ANA, "instance": "desk", "receipts": "offline"}],
    "steps": [
        {"at": 1, "inbound": {"instance": "desk", "from": "ana", "type": "location", "latitude": -23.5,
                              "longitude": -46.6, "name": "Loja"}},
        {"at": 2, "call": {"instance": "desk", "from": "ana", "isVideo": True}},
        {"at": 3, "receipt": {"instance": "desk", "messageId": "$last_sent", "status": "read"}},
        {"at": 4, "add_fault": {"fault": "server_error", "route": "GET /api/instance/list"}},
        {"at": 5, "connect": {"instance": "later"}},
        {"at": 6, "scan": {"instance": "later", "number": "5511900001111"}},
        {"at": 8, "clear_faults": {}},
        {"at": 9, "set_state": {"instance": "desk", "state": "disconnected"}},
    ],
}


def test_every_control_plane_verb_is_a_step(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.play(EVERY_KIND, run=False)
    token = ryze.world.accounts[ryze.account_token].instances["desk"].token
    sent = api.post("/api/message/text/desk", json={"number": ANA, "message": "oi"}, token=token)
    message_id = sent.json()["data"]["messageId"]
    ryze.advance(3)
    assert [m["status"] for m in ryze.messages("desk", direction="outgoing")] == ["read"]  # the step's receipt
    assert ryze.events("desk", "call.update")[0]["data"]["isVideo"] is True
    assert ryze.events("desk", "message.status")[0]["data"]["messageIds"] == [message_id]
    ryze.advance(1)
    assert error_of(api.get("/api/instance/list")) == literals.INTERNAL_ERROR
    ryze.advance(2)
    assert ryze.instance("later")["state"] == "connected"
    ryze.advance(3)
    assert api.get("/api/instance/list").status_code == 200
    assert ryze.instance("desk")["state"] == "disconnected"
    (state,) = ryze.scenarios()
    assert (state["done"], state["status"], state["errors"]) == (8, "finished", [])


def test_get_scenarios_says_which_step_it_is_at(ryze: MockRyze, api: CheckedClient) -> None:
    loaded = api.post("/__mock__/scenarios", json=EVERY_KIND)
    assert loaded.status_code == 201
    assert loaded.json()["scenario"]["next"] == 1
    ryze.advance(4.5)
    (state,) = api.get("/__mock__/scenarios").json()["scenarios"]
    assert (state["done"], state["next"], state["status"]) == (4, 5, "playing")


def test_a_failing_step_is_recorded_and_the_timeline_goes_on(ryze: MockRyze) -> None:
    ryze.play({"name": "oops", "instances": [{"name": "desk"}], "steps": [
        {"at": 1, "set_state": {"state": "disconnected"}},
        {"at": 2, "inbound": {"from": ANA, "type": "text", "text": "lost"}},
        {"at": 3, "set_state": {"state": "connected"}},
    ]})
    (state,) = ryze.scenarios()
    assert state["done"] == 3
    assert [(e["step"], e["action"]) for e in state["errors"]] == [(1, "inbound")]
    assert literals.NOT_CONNECTED.message in state["errors"][0]["message"]


def test_expect_advances_the_clock_until_the_event_arrives(ryze: MockRyze) -> None:
    ryze.play({"name": "late", "instances": [{"name": "desk"}],
               "steps": [{"at": 42, "inbound": {"from": ANA, "type": "text", "text": "finally"}}]}, run=False)
    start = ryze.clock()["now"]
    found = ryze.expect("message.exchange", within=60, message__content="finally")
    assert ryze.clock()["now"] - start == 42
    assert found["data"]["sender"]["jid"] == f"{ANA}@s.whatsapp.net"


def test_expect_fails_with_what_did_arrive(ryze: MockRyze) -> None:
    ryze.play({"name": "late", "instances": [{"name": "desk"}],
               "steps": [{"at": 2, "inbound": {"from": ANA, "type": "text", "text": "hello"}}]}, run=False)
    start = ryze.clock()["now"]
    with pytest.raises(AssertionError) as failed:
        ryze.expect("message.exchange", within=5, message__content="goodbye")
    assert ryze.clock()["now"] - start == 5
    text = str(failed.value)
    assert "within 5 virtual seconds" in text and "message__content='goodbye'" in text
    assert "message__content='hello'" in text  # what did arrive, field by field


def test_a_reset_stops_every_scenario(ryze: MockRyze) -> None:
    ryze.play(EVERY_KIND, run=False)
    ryze.reset()
    ryze.create_instance("desk", connected=True)
    ryze.advance(20)
    assert ryze.scenarios() == [] and ryze.faults() == []
    assert ryze.events("desk", "call.update") == []  # the old timeline's steps never fire
