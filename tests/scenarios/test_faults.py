"""Named faults: each hits within its scope and not outside it, honours its counts, changes nothing
else, and shows in ``GET /__mock__/faults`` (and the request journal)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from mockryze.core import literals
from mockryze.core.literals import ErrorLiteral
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

M = "/__mock__"
TEXT = "POST /api/message/text/:instance"
ANA, BIA = "5511912345678", "5511923456789"


@pytest.fixture
def sales(ryze: MockRyze) -> CheckedClient:
    made = ryze.create_instance("sales", connected=True)
    ryze.create_instance("other", connected=True)
    return CheckedClient(ryze.client, made.token)


def send(api: CheckedClient, number: str = ANA, instance: str = "sales", token: str | None = None) -> httpx.Response:
    return api.post(f"/api/message/text/{instance}", json={"number": number, "message": "oi"}, token=token)


def state_of(ryze: MockRyze) -> list[Any]:
    return [ryze.messages("sales"), [e for e in ryze.events() if e["event"] != "instance.state"]]


ANSWERS: dict[str, tuple[ErrorLiteral, str]] = {
    "rate_limited": (literals.RATE_LIMITED, "connected"),
    "not_connected": (literals.NOT_CONNECTED, "connected"),
    "server_error": (literals.INTERNAL_ERROR, "connected"),
    "not_on_whatsapp": (literals.NOT_ON_WHATSAPP, "connected"),
    "logged_out_mid_send": (literals.NOT_CONNECTED, "loggedout"),
    "temp_banned": (literals.NOT_CONNECTED, "temp_banned"),
}


@pytest.mark.parametrize("name", list(ANSWERS))
def test_an_answering_fault_hits_in_scope_only_and_counts(ryze: MockRyze, sales: CheckedClient, name: str) -> None:
    literal, state_after = ANSWERS[name]
    made = ryze.add_fault(name, route=TEXT, instance="sales", contact=ANA, times=1)
    assert made["id"].startswith("flt_") and made["hits"] == 0
    before = state_of(ryze)
    faulted = send(sales)
    assert error_of(faulted) == literal
    assert faulted.headers["x-mockryze-fault"] == name
    assert state_of(ryze) == before  # the faulted request changed nothing
    assert ryze.instance("sales")["state"] == state_after
    if state_after != "connected":
        assert ryze.events("sales", "instance.state")[-1]["data"]["state"] in ("logged_out", "temp_banned")
        return
    listed = ryze.client.get("/api/instance/list", headers={"token": ryze.account_token}).json()["instances"]
    other = next(i["token"] for i in listed if i["name"] == "other")
    assert send(sales, BIA).status_code == 200  # another contact
    assert send(sales, instance="other", token=other).status_code == 200  # another instance
    image = sales.post("/api/message/media/sales", json={"number": ANA, "mediaType": "image",
                                                          "mediaUrl": "https://files.example.org/a.jpg"})
    assert image.status_code == 200, image.text  # another route
    assert send(sales).status_code == 200  # times=1 is spent
    (listed,) = ryze.faults()
    assert (listed["hits"], listed["seen"], listed["active"]) == (1, 1, False)  # out of scope: not seen
    journal = ryze.requests(route=TEXT)
    assert (journal[0]["status"], journal[0]["literal"]) == (literal.status, literal.message)


def test_a_rate_limited_fault_sends_the_documented_headers(ryze: MockRyze, sales: CheckedClient) -> None:
    ryze.add_fault("rate_limited", route="POST /api/message/*")
    response = send(sales)
    assert error_of(response) == literals.RATE_LIMITED
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers.get_list("x-ratelimit-remaining") == ["0"]  # the limiter's own value is not added
    assert int(response.headers["x-ratelimit-reset"]) > ryze.clock()["now"]
    assert int(response.headers["retry-after"]) >= 1


def test_probability_is_seeded_and_replays() -> None:
    def draws() -> list[int]:
        with MockRyze(seed=9) as ryze:
            token = ryze.create_instance("sales", connected=True).token
            ryze.add_fault("server_error", probability=0.5)
            api = CheckedClient(ryze.client, token)
            codes = [send(api).status_code for _ in range(20)]
            (fault,) = ryze.faults()
            assert fault["hits"] == codes.count(500) and fault["seen"] == 20
            return codes

    first = draws()
    assert first == draws()
    assert 0 < first.count(500) < 20


def test_timeout_and_reset_cut_the_connection_in_process_and_change_nothing(ryze: MockRyze,
                                                                            sales: CheckedClient) -> None:
    ryze.add_fault("timeout", route=TEXT, times=1)
    ryze.add_fault("connection_reset", route=TEXT, instance="sales", times=1)
    assert sales.get("/api/instance/list").status_code == 200  # another route: out of scope
    before = state_of(ryze)
    with pytest.raises(httpx.ReadTimeout):
        send(sales)
    with pytest.raises(httpx.RemoteProtocolError):
        send(sales)
    assert state_of(ryze) == before
    assert [f["hits"] for f in ryze.faults()] == [1, 1]
    assert send(sales).status_code == 200


def test_timeout_and_reset_over_a_real_socket(ryze: MockRyze, sales: CheckedClient) -> None:
    base = ryze.serve()
    token = sales.token
    body = {"number": ANA, "message": "oi"}
    ryze.add_fault("connection_reset", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{base}/api/message/text/sales", json=body, headers={"token": token})
    ryze.add_fault("timeout", times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{base}/api/message/text/sales", json=body, headers={"token": token}, timeout=0.3)
    assert ryze.messages("sales") == []
    assert httpx.post(f"{base}/api/message/text/sales", json=body, headers={"token": token}).status_code == 200


def test_slow_adds_latency_on_the_virtual_clock(ryze: MockRyze, sales: CheckedClient) -> None:
    ryze.add_fault("slow", seconds=30, times=1)

    async def scenario() -> tuple[httpx.Response, float]:
        async with ryze.async_client() as client:
            pending = asyncio.ensure_future(client.post("/api/message/text/sales", headers={"token": sales.token},
                                                        json={"number": ANA, "message": "oi"}))
            for _ in range(200):  # until the request reached the fault (real time, bounded)
                if ryze.faults()[0]["hits"]:
                    break
                await asyncio.sleep(0.01)
            assert not pending.done() and ryze.messages("sales") == []  # waiting: nothing sent yet
            started = ryze.clock()["now"]
            ryze.advance(30)
            return await pending, started

    response, started = asyncio.run(scenario())
    assert response.status_code == 200
    (message,) = ryze.messages("sales")
    assert message["timestamp"] == ryze.world.iso(started + 30)


def test_phone_offline_keeps_messages_at_sent(ryze: MockRyze, sales: CheckedClient) -> None:
    ryze.add_fault("phone_offline", instance="sales", contact=ANA)
    offline = send(sales).json()["data"]["messageId"]
    online = send(sales, BIA).json()["data"]["messageId"]
    ryze.advance(60)
    statuses = {m["id"]: m["status"] for m in ryze.messages("sales")}
    assert statuses == {offline: "sent", online: "read"}
    assert {tuple(e["data"]["messageIds"]) for e in ryze.events("sales", "message.status")} == {(online,)}
    assert ryze.faults()[0]["hits"] == 1


def test_fault_context_manager_and_the_delete_routes(ryze: MockRyze, sales: CheckedClient) -> None:
    with ryze.fault("server_error", route=TEXT, times=3) as fault:
        assert error_of(send(sales)) == literals.INTERNAL_ERROR
        assert fault.hits == 1
    assert ryze.faults() == [] and send(sales).status_code == 200
    first = sales.post(f"{M}/faults", json={"fault": "slow"}).json()["fault"]
    sales.post(f"{M}/faults", json={"fault": "server_error", "route": "GET /api/*"})
    assert [f["fault"] for f in sales.get(f"{M}/faults").json()["faults"]] == ["slow", "server_error"]
    assert sales.delete(f"{M}/faults/{first['id']}").status_code == 200
    assert error_of(sales.delete(f"{M}/faults/{first['id']}")) == literals.MOCK_FAULT_NOT_FOUND
    assert sales.delete(f"{M}/faults").status_code == 200
    assert sales.get(f"{M}/faults").json() == {"success": True, "count": 0, "faults": []}


def test_faults_belong_to_their_account(ryze: MockRyze, sales: CheckedClient) -> None:
    other = ryze.new_account()
    theirs = ryze.create_instance("sales", account_token=other, connected=True)
    ryze.add_fault("server_error", account_token=other)
    assert send(sales).status_code == 200
    assert error_of(send(sales, token=theirs.token)) == literals.INTERNAL_ERROR
    assert ryze.faults() == [] and len(ryze.faults(account_token=other)) == 1


def test_a_reset_switches_every_fault_off(ryze: MockRyze) -> None:
    ryze.add_fault("server_error")
    ryze.reset()
    assert ryze.faults() == []


def test_the_fault_names_are_one_list() -> None:
    from mockryze.core import schemas
    from mockryze.scenarios.faults import FAULT_NAMES

    assert schemas.schema("mock/fault.request")["properties"]["fault"]["enum"] == list(FAULT_NAMES)
    assert schemas.schema("scenario")["$defs"]["fault"]["properties"]["fault"]["enum"] == list(FAULT_NAMES)


def test_an_instance_token_switches_faults_on_its_own_instance_only(ryze: MockRyze, sales: CheckedClient) -> None:
    made = sales.post(f"{M}/faults", json={"fault": "server_error"}).json()["fault"]
    assert made["instance"] == "sales"
    listed = ryze.client.get("/api/instance/list", headers={"token": ryze.account_token}).json()["instances"]
    other = next(i["token"] for i in listed if i["name"] == "other")
    assert send(sales, instance="other", token=other).status_code == 200
    assert error_of(sales.post(f"{M}/faults", json={"fault": "slow", "instance": "other"})) == \
        literals.TOKEN_INSTANCE_MISMATCH
    assert [f["id"] for f in sales.get(f"{M}/faults", token=other).json()["faults"]] == []


def test_slow_in_real_seconds(ryze: MockRyze, sales: CheckedClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockryze.http import routing

    slept: list[float] = []  # the real sleep is recorded instead of waited for (no timed assertion)
    monkeypatch.setattr(routing.time, "sleep", slept.append)
    ryze.add_fault("slow", seconds=0.2, real=True, times=1)
    assert send(sales).status_code == 200
    assert slept == [0.2]
    assert send(sales).status_code == 200 and slept == [0.2]  # times=1: the second send is not slowed
    assert ryze.faults()[0]["real"] is True
