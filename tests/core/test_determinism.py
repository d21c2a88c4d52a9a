"""Same seed, same steps → same world: tokens, ids, QR payloads, pairing codes and fake phone data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

Transcript = dict[str, Any]


def steps(ryze: MockRyze, seen: Transcript) -> Iterator[None]:
    """The scripted session, one step per ``next()``; every observed value lands in ``seen``."""
    api = CheckedClient(ryze.client, ryze.account_token)
    seen["account"] = ryze.account_token

    sales = api.post("/api/instance/new", json={"name": "sales"}).json()["instance"]
    seen["sales"] = (sales["id"], sales["token"], sales["createdAt"])
    yield
    support = api.post("/api/instance/new", json={"name": "support"}).json()["instance"]
    seen["support"] = (support["id"], support["token"])
    yield
    seen["qr"] = api.get("/api/instance/connect/sales").json()["qrCode"]
    yield
    seen["pairing"] = api.get("/api/instance/connect/support", params={"number": "5511987654321"}).json()[
        "pairingCode"]
    yield
    view = api.post("/__mock__/instances/sales/scan", json={}).json()["instance"]
    seen["phone"] = (view["numberJid"], view["pushName"])
    yield
    view = api.post("/__mock__/instances/support/scan", json={}).json()["instance"]
    seen["support_phone"] = (view["numberJid"], view["pushName"])
    yield
    api.delete("/api/instance/logout/sales")
    seen["qr_again"] = api.get("/api/instance/connect/sales").json()["qrCode"]
    ryze.advance(20)
    seen["rotated"] = ryze.events("sales", "instance.state")[-1]["data"]["codes"][0]
    yield
    seen["events"] = api.get("/__mock__/events").json()["events"]


def run(ryze: MockRyze) -> Transcript:
    seen: Transcript = {}
    for _ in steps(ryze, seen):
        pass
    return seen


def run_interleaved(*worlds: MockRyze) -> list[Transcript]:
    """Advance every world one step at a time, alternating, to show the worlds do not share state."""
    transcripts: list[Transcript] = [{} for _ in worlds]
    scripts = [steps(world, seen) for world, seen in zip(worlds, transcripts, strict=True)]
    for _ in zip(*scripts, strict=True):
        pass
    return transcripts


def without_time(transcript: Transcript) -> Transcript:
    """The transcript minus what the clock drives (a reset does not rewind the clock)."""
    kept = {k: v for k, v in transcript.items() if k != "events"}
    kept["sales"] = kept["sales"][:2]
    kept["events"] = [{**e, "data": {k: v for k, v in e["data"].items() if k != "timestamp"}}
                      for e in transcript["events"]]
    return kept


@pytest.fixture
def world_factory() -> Iterator[Callable[..., MockRyze]]:
    opened: list[MockRyze] = []

    def make(**options: Any) -> MockRyze:
        world = MockRyze(**options)
        opened.append(world)
        return world

    yield make
    for world in opened:
        world.close()


def test_same_seed_same_world(world_factory: Callable[..., MockRyze]) -> None:
    first, second = run_interleaved(world_factory(seed=7), world_factory(seed=7))
    assert first == second
    # The transcript is real data, not a run of Nones.
    assert first["sales"][1] != first["support"][1] != first["account"]
    assert first["qr"].startswith("2@")
    assert len(first["pairing"]) == 8
    assert first["phone"][0].endswith("@s.whatsapp.net")
    assert first["phone"][1] != ""
    assert first["support_phone"][0] == "5511987654321@s.whatsapp.net"
    assert len({first["qr"], first["qr_again"], first["rotated"]}) == 3
    assert len(first["events"]) == 9


def test_every_value_depends_on_the_seed(world_factory: Callable[..., MockRyze]) -> None:
    a, b = run_interleaved(world_factory(seed=1), world_factory(seed=2))
    assert a["account"] != b["account"]
    assert a["sales"][0] != b["sales"][0]
    assert a["sales"][1] != b["sales"][1]
    assert a["support"] != b["support"]
    assert a["qr"] != b["qr"]
    assert a["pairing"] != b["pairing"]
    assert a["phone"][0] != b["phone"][0]
    assert a["phone"][1] != b["phone"][1]
    assert a["support_phone"][1] != b["support_phone"][1]
    assert a["qr_again"] != b["qr_again"]
    assert a["rotated"] != b["rotated"]
    # what the seed does not drive stays the same: the clock and the number the caller gave
    assert a["sales"][2] == b["sales"][2] == "2026-01-01T09:00:00-03:00"
    assert a["support_phone"][0] == b["support_phone"][0]


@pytest.mark.ryze(seed=3)
def test_fixture_marker_seed_matches_a_seeded_world(ryze: MockRyze, world_factory: Callable[..., MockRyze]) -> None:
    assert run(ryze) == run(world_factory(seed=3))


def test_reset_replays_the_same_sequence(ryze: MockRyze) -> None:
    api = CheckedClient(ryze.client, ryze.account_token)
    account = ryze.account_token
    before = run(ryze)
    old_token = before["sales"][1]

    response = api.post("/__mock__/reset")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "World reset"}
    assert ryze.account_token == account
    assert api.get("/api/instance/list").json()["instances"] == []
    assert api.get("/__mock__/events").json()["count"] == 0
    assert error_of(api.get("/api/instance/list", token=old_token)) == (401, "Invalid token")

    after = run(ryze)
    assert after["account"] == account
    assert after["sales"][1] == old_token
    # the clock is not rewound by a reset, so only timestamps may differ
    assert without_time(after) == without_time(before)


def test_python_reset_matches_http_reset(ryze: MockRyze) -> None:
    first = run(ryze)
    ryze.reset()
    second = run(ryze)
    assert second["account"] == first["account"]
    assert without_time(second) == without_time(first)


def test_reset_drops_extra_accounts(ryze: MockRyze) -> None:
    extra = ryze.new_account()
    api = CheckedClient(ryze.client, extra)
    assert api.get("/api/instance/list").status_code == 200
    ryze.reset()
    assert error_of(api.get("/api/instance/list")) == (401, "Invalid token")
    assert ryze.new_account() == extra  # the id sequence replays
