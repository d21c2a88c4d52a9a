"""The five shipped scenarios, played in-process on the virtual clock, each checked through the API
and its events; a bot's side is played by the test through the emulated API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

FOLDER = Path(__file__).parents[2] / "scenarios"
SHIPPED = ["support-desk", "order-bot-buttons", "group-onboarding", "ban-and-recovery", "flaky-network"]


def path(name: str) -> str:
    return str(FOLDER / f"{name}.yaml")


def bot(ryze: MockRyze, instance: str) -> CheckedClient:
    return CheckedClient(ryze.client, ryze.world.accounts[ryze.account_token].instances[instance].token)


def incoming(ryze: MockRyze, instance: str) -> list[dict[str, Any]]:
    return [e["data"] for e in ryze.events(instance, "message.exchange") if e["data"]["direction"] == "incoming"]


def text_of(data: dict[str, Any]) -> str:
    return str(data["message"].get("content") or "")


@pytest.mark.parametrize("name", SHIPPED)
def test_same_seed_gives_byte_identical_event_streams(name: str) -> None:
    def stream() -> bytes:
        with MockRyze(seed=4) as ryze:
            state = ryze.play(path(name))
            assert state["status"] == "finished" and state["errors"] == [], state
            return json.dumps(ryze.events(), ensure_ascii=False, sort_keys=True).encode()

    first = stream()
    assert first == stream()
    assert len(first) > 500


def test_support_desk(ryze: MockRyze) -> None:
    ryze.play(path("support-desk"), run=False)
    question = ryze.expect("message.exchange", within=10, direction="incoming")
    assert "pedido" in text_of(question["data"])
    desk = bot(ryze, "desk")
    answer = desk.post("/api/message/text/desk", json={"number": "5511912345678",
                                                        "message": "Seu pedido sai hoje!"}).json()["data"]
    sent_at = ryze.clock()["now"]
    read = ryze.expect("message.status", within=60, status="read")
    assert read["data"]["messageIds"] == [answer["messageId"]]
    assert read["data"]["timestamp"] == ryze.world.iso(sent_at + 30)  # Ana's readDelay
    thanks = ryze.expect("message.exchange", within=60, direction="incoming", message__content="Perfeito, obrigada!")
    assert thanks["data"]["timestamp"] == ryze.world.iso(sent_at + 3 + 40)  # typing + after
    second = desk.post("/api/message/text/desk", json={"number": "5511912345678", "message": "Algo mais?"})
    reaction = ryze.expect("message.exchange", within=30, direction="incoming", message__type="reaction")
    assert reaction["data"]["message"]["reaction"]["messageId"] == second.json()["data"]["messageId"]
    followup = ryze.expect("message.exchange", within=600, direction="incoming",
                           message__content="Chegou! Posso trocar o tamanho?")
    assert followup["data"]["timestamp"] == ryze.world.iso(ryze.clock()["now"])  # step at 540 s
    state = ryze.scenarios()[0]
    assert (state["done"], state["replies"], state["errors"]) == (3, 2, [])


def test_order_bot_buttons_drive_the_flow(ryze: MockRyze) -> None:
    ryze.play(path("order-bot-buttons"), run=False)
    ryze.expect("message.exchange", within=5, direction="incoming")
    shop, carla = bot(ryze, "shop"), "5511944443333"
    shop.post("/api/message/button/shop", json={"number": carla, "contentText": "Nosso cardápio:",
                                                 "buttons": [{"id": "pizza", "displayText": "Pizza"}]})
    tapped = ryze.expect("message.exchange", within=10, direction="incoming", message__type="buttons_response")
    assert "pizza" in json.dumps(tapped["data"])
    shop.post("/api/message/list/shop", json={"number": carla, "contentText": "Qual tamanho?", "buttonText": "Ver",
                                               "sections": [{"title": "Tamanhos", "rows": [{"id": "grande",
                                                                                            "title": "Grande"}]}]})
    picked = ryze.expect("message.exchange", within=10, direction="incoming", message__type="list_response")
    assert "grande" in json.dumps(picked["data"])
    confirm = shop.post("/api/message/text/shop", json={"number": carla, "message": "Confirma o pedido?"}).json()
    yes = ryze.expect("message.exchange", within=10, direction="incoming", message__content="Sim, pode mandar!")
    assert yes["data"]["reply"]["message_id"] == confirm["data"]["messageId"]
    shop.post("/api/message/text/shop", json={"number": carla, "message": "Seu pedido está a caminho"})
    ryze.expect("message.exchange", within=5, direction="incoming", message__type="reaction")
    assert ryze.scenarios()[0]["replies"] == 4


def test_group_onboarding(ryze: MockRyze) -> None:
    ryze.play(path("group-onboarding"))
    joined = ryze.events("community", "group.flow")
    assert [(e["data"]["type"], [p["name"] for p in e["data"]["participants"]]) for e in joined][1:] == [
        ("joined", ["Fabio Reis"]), ("joined", ["Gabi Nunes"])]  # the first: the group's creation
    members = ryze.invoke("group", {"name": "community", "jid": "120363000000000777@g.us"}, {})[1]["group"]
    assert {"5511911110002@s.whatsapp.net", "5511911110003@s.whatsapp.net"} <= set(members["participants"])
    hellos = incoming(ryze, "community")
    # A group member writes as its @lid (the live default of the group_sender_jid quirk).
    assert [(h["chat"]["jid"], h["sender"]["name"], h["sender"]["jid"] == h["sender"]["lid"]) for h in hellos] == [
        ("120363000000000777@g.us", "Fabio Reis", True), ("120363000000000777@g.us", "Gabi Nunes", True)]
    welcome = bot(ryze, "community").post("/api/message/text/community", json={
        "number": "120363000000000777@g.us", "message": "Bem-vindos, Fabio e Gabi!"})
    assert welcome.status_code == 200
    assert ryze.sent("community", chat="120363000000000777@g.us")[0]["content"] == "Bem-vindos, Fabio e Gabi!"


def test_ban_and_recovery(ryze: MockRyze) -> None:
    ryze.play(path("ban-and-recovery"), run=False)
    sales, diego = bot(ryze, "sales"), "5511933332222"
    ryze.advance(10)
    assert sales.post("/api/message/text/sales", json={"number": diego, "message": "Temos sim!"}).status_code == 200
    ryze.expect("instance.state", within=30, state="temp_banned")
    refused = sales.post("/api/message/text/sales", json={"number": diego, "message": "Alô?"})
    assert error_of(refused) == literals.NOT_CONNECTED
    ryze.expect("instance.state", within=70, state="connected", only_new=True)
    assert ryze.instance("sales")["state"] == "connected"
    assert sales.post("/api/message/text/sales", json={"number": diego, "message": "Voltamos!"}).status_code == 200
    ryze.advance(60)
    texts = [text_of(m) for m in incoming(ryze, "sales")]
    assert texts == ["Vocês têm o modelo azul?", "Recebido 👍", "Recebido 👍", "Oi? Sumiram?"]  # 5, 18, 98, 100 s
    assert [e["data"]["state"] for e in ryze.events("sales", "instance.state")][-2:] == ["temp_banned", "connected"]


def test_flaky_network(ryze: MockRyze) -> None:
    ryze.play(path("flaky-network"), run=False)
    ops = bot(ryze, "ops")
    codes: list[int] = []
    for _ in range(16):  # a send every 5 virtual seconds, 0 s to 75 s
        codes.append(ops.post("/api/message/text/ops", json={"number": "5511922221111", "message": "ok"}).status_code)
        ryze.advance(5)
    assert codes[:2] == [200, 200]  # before 10 s
    assert set(codes[2:8]) == {200, 429}  # 10 s to 40 s: half, on a seeded draw
    assert codes[8:11] == [500, 500, 500] and codes[11:] == [200] * 5
    rate, errors = ryze.faults()
    assert (rate["fault"], rate["hits"], errors["hits"]) == ("rate_limited", codes.count(429), 3)
    ryze.advance(30)
    assert len(incoming(ryze, "ops")) == 3


@pytest.mark.ryze(seed=2, scenario=str(FOLDER / "support-desk.yaml"))
def test_the_marker_loads_a_scenario(ryze: MockRyze) -> None:
    (state,) = ryze.scenarios()
    assert (state["name"], state["done"], state["next"]) == ("support-desk", 0, 5)
    ryze.expect("message.exchange", within=5, direction="incoming")
