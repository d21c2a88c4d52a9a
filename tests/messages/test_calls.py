"""Incoming calls: ``POST /__mock__/instances/{name}/calls`` → ``call.update``; auto-reject and its message."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

CALLS = "/__mock__/instances/sales/calls"
SETTINGS = "/api/instance/settings/sales"
ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
GROUP = "120363000000000001@g.us"
START_ISO = "2026-01-01T09:00:00-03:00"
CALL_ID = re.compile(r"^[0-9A-F]{16,64}$")
FIELDS = {"id", "from", "chat", "status", "isVideo", "isGroup", "timestamp"}


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    return ryze


def call(api: CheckedClient, **body: Any) -> httpx.Response:
    return api.post(CALLS, json={"from": ALICE, **body})


def placed(api: CheckedClient, **body: Any) -> dict[str, Any]:
    response = call(api, **body)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Call placed"
    data: dict[str, Any] = response.json()["call"]
    return data


def call_events(ryze: MockRyze) -> list[dict[str, Any]]:
    found = ryze.events("sales", "call.update")
    for envelope in found:
        schemas.validate_event(envelope)
        assert set(envelope["data"]) == FIELDS
    return [e["data"] for e in found]


def settings(api: CheckedClient, **values: Any) -> None:
    response = api.post(SETTINGS, json=values)
    assert response.status_code == 200, response.text
    assert {k: response.json()["settings"][k] for k in values} == values


# --- offers -----------------------------------------------------------------------------------------

PROFILES = [pytest.param("live"), pytest.param("docs", marks=pytest.mark.ryze(profile="docs"))]


@pytest.mark.parametrize("profile", PROFILES)
def test_offer_emits_one_call_update(api: CheckedClient, sales: MockRyze, profile: str) -> None:
    sales.advance(15)
    data = placed(api, **{"from": "+55 (11) 98765-4321"})
    assert CALL_ID.match(data["id"])
    assert data == {"id": data["id"], "from": ALICE_JID, "chat": ALICE_JID, "status": "offer", "isVideo": False,
                    "isGroup": False, "timestamp": "2026-01-01T09:00:15-03:00"}
    assert call_events(sales) == [data]
    envelope = sales.events("sales", "call.update")[0]
    assert envelope["instanceData"]["instance"] == "sales"


def test_video_offer(api: CheckedClient, sales: MockRyze) -> None:
    data = placed(api, isVideo=True)
    assert data["isVideo"] is True
    assert call_events(sales)[0]["isVideo"] is True


@pytest.mark.parametrize("caller", ["551187654321", "5511987654321:3@s.whatsapp.net"])
def test_caller_is_normalised(api: CheckedClient, sales: MockRyze, caller: str) -> None:
    assert placed(api, **{"from": caller})["from"] == ALICE_JID


def test_lid_caller(api: CheckedClient, sales: MockRyze) -> None:
    data = placed(api, **{"from": "204918273645510@lid"})
    assert (data["from"], data["chat"]) == ("204918273645510@lid", "204918273645510@lid")
    call_events(sales)


def test_calls_do_not_create_messages(api: CheckedClient, sales: MockRyze) -> None:
    placed(api)
    assert sales.messages("sales") == []
    assert sales.events("sales", "message.exchange") == []


def test_call_ids_are_distinct_and_seeded(api: CheckedClient, sales: MockRyze) -> None:
    first, second = placed(api)["id"], placed(api)["id"]
    assert first != second
    with MockRyze(seed=sales.settings.seed) as again:
        again.create_instance("sales", connected=True)
        assert again.call("sales", from_=ALICE)["id"] == first


# --- later statuses of one call --------------------------------------------------------------------

def test_later_statuses_share_the_call_id(api: CheckedClient, sales: MockRyze) -> None:
    offer = placed(api, isVideo=True)
    sales.advance(5)
    accepted = placed(api, callId=offer["id"], status="accepted", isVideo=True)
    sales.advance(60)
    ended = placed(api, callId=offer["id"], status="terminated", isVideo=True)
    events = call_events(sales)
    assert [(e["id"], e["status"]) for e in events] == [
        (offer["id"], "offer"), (offer["id"], "accepted"), (offer["id"], "terminated")]
    assert [e["timestamp"] for e in events] == [START_ISO, "2026-01-01T09:00:05-03:00", "2026-01-01T09:01:05-03:00"]
    assert events[1:] == [accepted, ended]


@pytest.mark.parametrize("status", ["accepted", "rejected", "terminated", "notification", "latency"])
def test_every_documented_status(api: CheckedClient, sales: MockRyze, status: str) -> None:
    data = placed(api, status=status, callId="ABCDEF0123456789")
    assert (data["id"], data["status"]) == ("ABCDEF0123456789", status)
    assert call_events(sales) == [data]


@pytest.mark.parametrize("body", [{"status": "ringing"}, {"callId": "abcdef0123456789"}, {"callId": "ABC"},
                                  {"isVideo": "yes"}, {"from": ""}])
def test_invalid_call_bodies_are_400(api: CheckedClient, sales: MockRyze, body: dict[str, Any]) -> None:
    assert error_of(call(api, **body))[0] == 400
    assert sales.events("sales", "call.update") == []


@pytest.mark.parametrize("caller", ["abc", GROUP, "120363000000000002@newsletter", "status@broadcast"])
def test_invalid_caller_is_400(api: CheckedClient, sales: MockRyze, caller: str) -> None:
    sales.create_group("sales", "Equipe", [ALICE], jid=GROUP)
    assert error_of(call(api, **{"from": caller})) == literals.INVALID_NUMBER
    assert sales.events("sales", "call.update") == []


# --- group calls ------------------------------------------------------------------------------------

def test_group_call(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_group("sales", "Equipe", [ALICE, "5511933334444"], jid=GROUP)
    data = placed(api, group=GROUP, isVideo=True)
    assert (data["from"], data["chat"], data["isGroup"], data["isVideo"]) == (ALICE_JID, GROUP, True, True)
    assert call_events(sales) == [data]


def test_group_call_of_an_unknown_group_is_404(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(call(api, group=GROUP)) == literals.GROUP_NOT_FOUND
    assert sales.events("sales", "call.update") == []


def test_python_api_group_call(sales: MockRyze) -> None:
    group = sales.create_group("sales", "Equipe", [ALICE])
    data = sales.call("sales", from_=ALICE, group=group, status="terminated")
    assert (data["chat"], data["isGroup"], data["status"]) == (group, True, "terminated")
    assert call_events(sales) == [data]


# --- auto-reject ------------------------------------------------------------------------------------

def test_calls_are_not_rejected_by_default(api: CheckedClient, sales: MockRyze) -> None:
    placed(api)
    assert [e["status"] for e in call_events(sales)] == ["offer"]
    assert sales.sent("sales") == []


def test_auto_reject_follows_the_offer_with_rejected(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, autoRejectCalls=True)
    data = placed(api, isVideo=True)
    events = call_events(sales)
    assert [e["status"] for e in events] == ["offer", "rejected"]
    assert events[1] == {**data, "status": "rejected"}
    assert sales.sent("sales") == []  # no callRejectMessage: nothing is sent
    assert sales.events("sales", "message.exchange") == []


def test_auto_reject_sends_the_reject_message_to_the_caller(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, autoRejectCalls=True, callRejectMessage="Não atendemos ligações, mande uma mensagem.")
    placed(api, **{"from": "551187654321"})
    assert [e["status"] for e in call_events(sales)] == ["offer", "rejected"]
    [reply] = sales.sent("sales")
    assert (reply["chat"], reply["type"], reply["content"], reply["direction"]) == (
        ALICE_JID, "text", "Não atendemos ligações, mande uma mensagem.", "outgoing")
    kinds = [(e["event"], e["data"].get("status")) for e in sales.events("sales") if e["event"] != "instance.state"]
    assert kinds == [("call.update", "offer"), ("call.update", "rejected"), ("message.exchange", None)]
    for envelope in sales.events("sales"):
        schemas.validate_event(envelope)
    sales.advance(3600)  # the reply is an ordinary message: it gets receipts
    assert [s["status"] for s in sales.sent("sales")[0]["statuses"]] == ["sent", "delivered", "read"]


def test_auto_reject_in_a_group_call_messages_the_caller_privately(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_group("sales", "Equipe", [ALICE], jid=GROUP)
    settings(api, autoRejectCalls=True, callRejectMessage="ocupado")
    placed(api, group=GROUP)
    assert [(e["status"], e["chat"]) for e in call_events(sales)] == [("offer", GROUP), ("rejected", GROUP)]
    [reply] = sales.sent("sales")
    assert (reply["chat"], reply["chatType"]) == (ALICE_JID, "private")


@pytest.mark.parametrize("status", ["accepted", "terminated"])
def test_auto_reject_only_answers_offers(api: CheckedClient, sales: MockRyze, status: str) -> None:
    settings(api, autoRejectCalls=True, callRejectMessage="ocupado")
    placed(api, status=status, callId="ABCDEF0123456789")
    assert [e["status"] for e in call_events(sales)] == [status]
    assert sales.sent("sales") == []


def test_reject_message_without_auto_reject_is_not_sent(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, callRejectMessage="ocupado")
    placed(api)
    assert [e["status"] for e in call_events(sales)] == ["offer"]
    assert sales.sent("sales") == []


def test_auto_reject_can_be_switched_off(api: CheckedClient, sales: MockRyze) -> None:
    settings(api, autoRejectCalls=True, callRejectMessage="ocupado")
    placed(api)
    settings(api, autoRejectCalls=False)
    placed(api)
    assert [e["status"] for e in call_events(sales)] == ["offer", "rejected", "offer"]
    assert len(sales.sent("sales")) == 1


def test_auto_reject_set_at_creation(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True, autoRejectCalls=True, callRejectMessage="ocupado")
    ryze.call("sales", from_=ALICE)
    assert [e["status"] for e in call_events(ryze)] == ["offer", "rejected"]
    assert [m["content"] for m in ryze.sent("sales")] == ["ocupado"]


# --- not connected ----------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["disconnected", "logged_out", "temp_banned"])
def test_call_to_a_disconnected_instance_is_503(api: CheckedClient, sales: MockRyze, state: str) -> None:
    sales.set_state("sales", state)
    assert error_of(call(api)) == literals.NOT_CONNECTED
    with pytest.raises(ApiError):
        sales.call("sales", from_=ALICE)
    assert sales.events("sales", "call.update") == []
