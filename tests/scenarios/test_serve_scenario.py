"""Scenarios through a real ``mockryze serve --scenario``: a real webhook receiver and a real WebSocket
see the timeline, twice in a row with the same seed byte for byte; ``mockryze scenario run`` drives a
running server over its control plane."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.sync.client import connect

from mockryze.scenarios import loader
from tests.events.receivers import Receiver
from tests.scenarios.test_shipped import FOLDER, SHIPPED
from tests.test_cli import free_port, run_once, spawned, start_server

pytestmark = pytest.mark.slow  # each test starts real processes: seconds each on a loaded machine
TOKEN = "scenario-account"
SERVE = ("--seed", "4", "--account-token", TOKEN, "--frozen-clock", "on", "--start-time", "1767268800",
         "--base-url", "http://mock.test", "--rate-limits", "off")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver().start()
    try:
        yield made
    finally:
        made.stop()


def wired(name: str, receiver: Receiver, folder: Path) -> tuple[Path, dict[str, Any]]:
    """The shipped scenario with its first instance's webhook aimed at the receiver and its WebSocket on."""
    document = yaml.safe_load((FOLDER / f"{name}.yaml").read_text())
    document["instances"][0]["webhook"] = {"url": receiver.hook()}
    document["instances"][0]["websocket"] = {"enabled": True}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document))
    return path, document


def play_served(path: Path, document: dict[str, Any], receiver: Receiver) -> tuple[bytes, bytes, bytes]:
    """Serve the scenario, be the bot for one message, run the timeline; what each channel saw."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    instance = document["instances"][0]["name"]
    scenario = loader.load(document)
    with spawned("serve", "--port", str(port), *SERVE, "--scenario", str(path)) as server, \
            httpx.Client(base_url=base, timeout=10, headers={"token": TOKEN}) as http:
        banner = start_server(server, port)
        assert f"scenario        {document['name']}" in banner, banner
        token = http.get("/api/instance/list").json()["instances"][0]["token"]
        with connect(f"ws://127.0.0.1:{port}/ws/{instance}", additional_headers={"token": token}) as socket:
            http.post("/__mock__/clock", json={"advance": 10})
            if scenario.contacts:
                http.post(f"/api/message/text/{instance}", headers={"token": token},
                          json={"number": scenario.contacts[0].number, "message": "Olá! Como posso ajudar?"})
            http.post("/__mock__/clock", json={"advance": scenario.end})
            events = http.get("/__mock__/events", params={"instance": instance}).json()["events"]
            state = http.get("/__mock__/scenarios").json()["scenarios"][0]
            assert (state["status"], state["errors"]) == ("finished", []), state
            first_after_connect = next(i for i, e in enumerate(events) if e["event"] != "instance.state")
            pushed = [json.loads(socket.recv(timeout=5)) for _ in events[first_after_connect:]]
        delivered = [r.body for r in receiver.wait_for(len(events), timeout=10)]
    assert delivered == events
    assert pushed == events[first_after_connect:]
    receiver.received.clear()
    return tuple(json.dumps(x, ensure_ascii=False, sort_keys=True).encode()  # type: ignore[return-value]
                 for x in (events, delivered, pushed))


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_scenario_through_a_real_server_twice(name: str, receiver: Receiver, tmp_path: Path) -> None:
    path, document = wired(name, receiver, tmp_path)
    first = play_served(path, document, receiver)
    assert first == play_served(path, document, receiver)
    assert len(first[0]) > 500


def test_support_desk_through_a_real_server(receiver: Receiver, tmp_path: Path) -> None:
    path, document = wired("support-desk", receiver, tmp_path)
    events = json.loads(play_served(path, document, receiver)[0])
    texts = [e["data"]["message"]["content"] for e in events if e["event"] == "message.exchange"]
    assert "Perfeito, obrigada!" not in texts and "👍" in texts  # the bot's greeting matched `any`
    assert [e["data"]["status"] for e in events if e["event"] == "message.status"] == ["delivered", "read"]


def test_a_bad_scenario_stops_serve_with_the_failing_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - at: -5\n    inbound: {from: '5511912345678'}\n")
    done = run_once("serve", "--port", str(free_port()), "--scenario", str(bad))
    assert done.returncode == 2
    assert "steps/0/at" in done.stderr and "Traceback" not in done.stderr
    checked = run_once("scenario", "check", str(bad))
    assert checked.returncode == 2 and "steps/0/at" in checked.stderr


def test_scenario_run_against_a_running_server(tmp_path: Path) -> None:
    port = free_port()
    with spawned("serve", "--port", str(port), *SERVE) as server:
        start_server(server, port)
        done = run_once("scenario", "run", str(FOLDER / "ban-and-recovery.yaml"), "--against",
                        f"http://127.0.0.1:{port}")
        assert done.returncode == 0, done.stderr
        state = json.loads(done.stdout)
        assert (state["name"], state["status"], state["done"]) == ("ban-and-recovery", "finished", 4)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"token": TOKEN}) as http:
            states = [e["data"]["state"] for e in http.get("/__mock__/events", params={
                "instance": "sales", "event": "instance.state"}).json()["events"]]
            assert states[-2:] == ["temp_banned", "connected"]
        again = run_once("scenario", "run", str(FOLDER / "ban-and-recovery.yaml"), "--against",
                         f"http://127.0.0.1:{port}")
        assert again.returncode == 1 and "already exists" in again.stderr
