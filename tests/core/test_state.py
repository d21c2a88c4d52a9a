"""``--state FILE``: the world survives a restart, seen only through the API (issue 18)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mockryze.core import literals, schemas
from mockryze.core.persist import SCHEMA_VERSION, StateFileError
from mockryze.events.delivery import WebhookRequest
from mockryze.modules import EMULATED
from mockryze.testing.api import MockRyze
from tests.conftest import check_response
from tests.events.receivers import VirtualReceivers, call_data, inject

NUMBER = "5511987654321"
SKIPPED = {"/api/instance/delete/:instance", "/api/instance/logout/:instance"}  # keep the instance to compare


def _url(path: str, name: str) -> str:
    return path.replace(":instance", name)


def build(ryze: MockRyze) -> dict[str, str]:
    """A world touching every module: the control plane's helpers, then every write route's example."""
    sales = ryze.create_instance("sales", connected=True, number="5511900000001")
    ryze.create_instance("support")
    ryze.contact("sales", NUMBER, display_name="Ana")
    ryze.inbound("sales", from_=NUMBER, text="Oi!")
    ryze.create_group("sales", "Equipe", [NUMBER])
    ryze.newsletter("sales", "Novidades")
    client = ryze.client
    headers = {"token": sales.token}
    assert client.post("/api/message/text/sales", json={"number": NUMBER, "message": "Olá"},
                       headers=headers).status_code == 200
    for spec in EMULATED:
        if spec.method == "GET" or not spec.takes_instance or spec.path in SKIPPED or not spec.request_schema:
            continue
        example = schemas.schema(spec.request_schema).get("examples", [{}])[0]
        client.request(spec.method, _url(spec.path, "sales"), json=example, headers=headers)
    ryze.advance(30)  # receipts, presence pauses…
    return {"sales": sales.token}


def observe(ryze: MockRyze, token: str) -> dict[str, Any]:
    """Every GET route of the emulated API for the instance, and the control plane's views of it."""
    seen: dict[str, Any] = {}
    for spec in EMULATED:
        if spec.method != "GET":
            continue
        response = ryze.client.get(_url(spec.path, "sales"), headers={"token": token})
        seen[spec.path] = (response.status_code, response.json())
    seen["list"] = ryze.client.get("/api/instance/list", headers={"token": ryze.account_token}).json()
    for view in ("messages", "chats", "labels", "contacts", "groups", "newsletters"):
        seen[view] = getattr(ryze, view)("sales")
    seen["clock"] = ryze.clock()
    return seen



def recording_receiver() -> tuple[list[str], Callable[[WebhookRequest], Awaitable[int]]]:
    """A webhook transport that answers 204 and records each delivered event's ``data.id``."""
    seen: list[str] = []

    async def up(request: WebhookRequest, /) -> int:
        seen.append(json.loads(request.body)["data"]["id"])
        return 204

    return seen, up

def test_a_world_built_through_every_module_is_the_same_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=3, state=path) as ryze:
        tokens = build(ryze)
        before = observe(ryze, tokens["sales"])
    assert len(before["messages"]) > 2 and before["groups"] and before["labels"]
    with MockRyze(seed=3, state=path) as again:
        after = observe(again, tokens["sales"])
    assert after == before


def test_ids_and_tokens_never_repeat_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=5, state=path) as ryze:
        first = ryze.create_instance("a", connected=True)
        sent = ryze.client.post("/api/message/text/a", json={"number": NUMBER, "message": "1"},
                                headers={"token": first.token}).json()["data"]["messageId"]
    with MockRyze(seed=5, state=path) as ryze:
        second = ryze.create_instance("b", connected=True)
        again = ryze.client.post("/api/message/text/b", json={"number": NUMBER, "message": "1"},
                                 headers={"token": second.token}).json()["data"]["messageId"]
        assert ryze.instance("a")["status"] == "connected"  # the saved session: still connected
    assert second.token != first.token and again != sent


def test_a_deleted_instance_stays_deleted_and_a_reset_empties_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=1, state=path) as ryze:
        ryze.create_instance("gone")
        ryze.create_instance("kept")
        assert ryze.client.delete("/api/instance/delete/gone",
                                  headers={"token": ryze.account_token}).status_code == 200
    with MockRyze(seed=1, state=path) as ryze:
        names = [i["name"] for i in ryze.client.get("/api/instance/list",
                                                     headers={"token": ryze.account_token}).json()["instances"]]
        assert names == ["kept"]
        ryze.reset()
    with MockRyze(seed=1, state=path) as ryze:
        listed = ryze.client.get("/api/instance/list", headers={"token": ryze.account_token}).json()
        assert listed.get("instances", []) == []


def test_the_message_store_cap_holds_on_disk(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=1, state=path, message_store_limit=3) as ryze:
        sales = ryze.create_instance("sales", connected=True)
        for n in range(5):
            ryze.client.post("/api/message/text/sales", json={"number": NUMBER, "message": f"m{n}"},
                             headers={"token": sales.token})
        kept = ryze.messages("sales")
    with MockRyze(seed=1, state=path, message_store_limit=3) as ryze:
        assert ryze.messages("sales") == kept
        assert [m["content"] for m in kept] == ["m2", "m3", "m4"]


def _untouched(path: Path, make: Any) -> None:
    make(path)
    before = path.read_bytes()
    with pytest.raises(StateFileError) as refused:
        MockRyze(seed=1, state=str(path))
    assert path.read_bytes() == before
    assert "left untouched" in str(refused.value)


def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    _untouched(tmp_path / "corrupt.sqlite", lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(4000)))
    _untouched(tmp_path / "text.sqlite", lambda p: p.write_text("not a database at all\n" * 50))


def test_a_file_from_a_newer_mockryze_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    with MockRyze(seed=1, state=str(path)) as ryze:
        ryze.create_instance("sales")

    def newer(p: Path) -> None:
        conn = sqlite3.connect(p)
        with conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION + 1),))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()

    _untouched(path, newer)
    with pytest.raises(StateFileError, match="newer mockryze"):
        MockRyze(seed=1, state=str(path))


def test_webhook_deliveries_resume_after_a_restart_and_none_is_sent_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    first: list[str] = []

    async def down_after_one(request: WebhookRequest, /) -> int:
        first.append(json.loads(request.body)["data"]["id"])
        return 204 if len(first) == 1 else 503

    with MockRyze(seed=1, state=path, webhook_transport=down_after_one, webhook_retry_delays="60") as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        inject(ryze.client, "sales", "call.update", call_data(1))
        ryze.settle_deliveries()
        inject(ryze.client, "sales", "call.update", call_data(2))
        ryze.settle_deliveries()
        assert [d["status"] for d in ryze.deliveries()] == ["delivered", "pending"]
    second, up = recording_receiver()

    with MockRyze(seed=1, state=path, webhook_transport=up) as ryze:
        ryze.settle_deliveries()
        journal = ryze.deliveries()
        assert [(d["id"], d["status"]) for d in journal] == [("dlv_000001", "delivered"), ("dlv_000002", "delivered")]
        inject(ryze.client, "sales", "call.update", call_data(3))
        ryze.settle_deliveries()
        assert [d["id"] for d in ryze.deliveries()][-1] == "dlv_000003"  # ids go on
    assert first == [call_data(1)["id"], call_data(2)["id"]] and second == [call_data(2)["id"], call_data(3)["id"]]


def test_the_delivery_journal_limit_holds_across_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")

    async def ok(request: WebhookRequest, /) -> int:
        return 204

    with MockRyze(seed=1, state=path, webhook_transport=ok, delivery_journal_limit=2) as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        for n in range(4):
            inject(ryze.client, "sales", "call.update", call_data(n))
            ryze.settle_deliveries()
        kept = [d["id"] for d in ryze.deliveries()]
    assert kept == ["dlv_000003", "dlv_000004"]
    with MockRyze(seed=1, state=path, webhook_transport=ok, delivery_journal_limit=2) as ryze:
        assert [d["id"] for d in ryze.deliveries()] == kept
        for n in range(4, 6):  # the restored finished deliveries make room, oldest first
            inject(ryze.client, "sales", "call.update", call_data(n))
            ryze.settle_deliveries()
        assert [d["id"] for d in ryze.deliveries()] == ["dlv_000005", "dlv_000006"]


def test_a_connect_attempt_in_flight_still_expires_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=1, state=path) as ryze:
        ryze.create_instance("sales")
        ryze.connect("sales")
        waiting = ryze.instance("sales")["status"]
    with MockRyze(seed=1, state=path) as ryze:
        assert ryze.instance("sales")["status"] == waiting != "disconnected"
        ryze.advance(ryze.settings.qr_timeout_seconds)
        assert ryze.instance("sales")["status"] == "disconnected"


def _status(ryze: MockRyze, token: str, message_id: str) -> str:
    response = check_response(ryze.client.get("/api/chat/status/sales", params={"messageId": message_id},
                                              headers={"token": token}))
    return str(response.json()["status"])


def test_receipts_in_flight_arrive_after_a_restart_at_their_original_times(tmp_path: Path) -> None:
    """Receipts not yet fired at the stop fire after the restart at the moments decided at send time: the
    contact's receipt behaviour and a `phone_offline` fault of that moment hold, later delay settings don't."""
    path = str(tmp_path / "world.sqlite")
    hooks = VirtualReceivers()
    hook = hooks.new()
    ana, bia, caio = "5511900000011", "5511900000012", "5511900000013"
    with MockRyze(seed=1, state=path, webhook_transport=hooks) as ryze:
        token = ryze.create_instance("sales", connected=True).token
        check_response(ryze.client.post("/api/events/webhook/sales", headers={"token": token}, json={
            "enabled": True, "url": hook.hook(), "events": ["message.status"]}))
        ryze.contact("sales", bia, receipts="unread")
        ryze.add_fault("phone_offline", instance="sales", contact=caio)
        start = ryze.clock()["now"]

        def send(number: str) -> str:
            response = check_response(ryze.client.post("/api/message/text/sales", headers={"token": token},
                                                       json={"number": number, "message": "Oi"}))
            return str(response.json()["data"]["messageId"])

        to_ana = send(ana)  # delivered at +1 (before the stop), read at +3 (after it)
        ryze.advance(1)
        to_bia, to_caio = send(bia), send(caio)  # delivered at +2, never read; held at `sent` by the fault
        ryze.settle_deliveries()
        assert [_status(ryze, token, m) for m in (to_ana, to_bia, to_caio)] == ["delivered", "sent", "sent"]
    assert len(hook.received) == 1
    # Restarted with other delays and without the fault (faults are not kept): the send-time plan holds.
    with MockRyze(seed=1, state=path, webhook_transport=hooks, receipt_delivered_delay=50,
                  receipt_read_delay=50) as ryze:
        assert [_status(ryze, token, m) for m in (to_ana, to_bia, to_caio)] == ["delivered", "sent", "sent"]
        ryze.advance(1)
        assert [_status(ryze, token, m) for m in (to_ana, to_bia, to_caio)] == ["delivered", "delivered", "sent"]
        ryze.advance(1)
        assert [_status(ryze, token, m) for m in (to_ana, to_bia, to_caio)] == ["read", "delivered", "sent"]
        ryze.advance(120)
        assert [_status(ryze, token, m) for m in (to_ana, to_bia, to_caio)] == ["read", "delivered", "sent"]
        stamps = {m["id"]: [(s["status"], s["at"]) for s in m["statuses"]] for m in ryze.messages("sales")}
        ryze.settle_deliveries()
    zone = datetime.fromisoformat(ryze.clock()["iso"]).tzinfo  # the world's own offset, from the control plane

    def iso(moment: float) -> str:
        return datetime.fromtimestamp(moment, zone).isoformat(timespec="seconds")

    assert stamps == {to_ana: [("sent", iso(start)), ("delivered", iso(start + 1)), ("read", iso(start + 3))],
                      to_bia: [("sent", iso(start + 1)), ("delivered", iso(start + 2))],
                      to_caio: [("sent", iso(start + 1))]}
    got = [(r.body["data"]["messageIds"], r.body["data"]["status"]) for r in hook.received]
    assert got == [([to_ana], "delivered"), ([to_bia], "delivered"), ([to_ana], "read")]


def test_a_delivery_under_way_at_a_stop_is_dead_lettered_not_sent_twice(tmp_path: Path) -> None:
    """Whether a POST cut short by the stop reached its receiver is unknown: after the restart it is dead in
    the journal with the reason (at most once), the deliveries queued behind it are sent, redeliver resends it."""
    path = str(tmp_path / "world.sqlite")
    first: list[str] = []
    under_way = threading.Event()

    async def hangs_on_the_second(request: WebhookRequest, /) -> int:
        first.append(json.loads(request.body)["data"]["id"])
        if len(first) == 2:
            under_way.set()
            await asyncio.Event().wait()  # never answers: the stop finds this POST under way
        return 204

    with MockRyze(seed=1, state=path, webhook_transport=hangs_on_the_second) as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        for n in (1, 2, 3):
            inject(ryze.client, "sales", "call.update", call_data(n))
        assert under_way.wait(5)
        assert [d["status"] for d in ryze.deliveries()] == ["delivered", "pending", "pending"]
    second, up = recording_receiver()

    with MockRyze(seed=1, state=path, webhook_transport=up) as ryze:
        ryze.settle_deliveries()
        journal = ryze.deliveries()
        assert [(d["id"], d["status"]) for d in journal] == [
            ("dlv_000001", "delivered"), ("dlv_000002", "dead"), ("dlv_000003", "delivered")]
        (attempt,) = journal[1]["attempts"]
        assert (attempt["attempt"], attempt["statusCode"], attempt["error"]) == (1, None, literals.DELIVERY_NOT_RESENT)
        assert second == [call_data(3)["id"]]  # nothing reached a receiver twice
        assert ryze.redeliver("dlv_000002")["id"] == "dlv_000004"
        ryze.settle_deliveries()
        assert ryze.deliveries()[-1]["status"] == "delivered"
    with MockRyze(seed=1, state=path, webhook_transport=up) as ryze:  # a clean stop: nothing under way
        assert [d["status"] for d in ryze.deliveries()] == ["delivered", "dead", "delivered", "delivered"]
    assert first == [call_data(n)["id"] for n in (1, 2)] and second == [call_data(n)["id"] for n in (3, 2)]


def test_a_refused_request_writes_nothing_to_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=1, state=path) as ryze:
        token = ryze.create_instance("sales", connected=True)
        token = getattr(token, "token", token)
        watcher = sqlite3.connect(path)  # one connection: data_version counts what the others commit
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        refusals = [
            ryze.client.post("/api/message/text/sales", content=b"{not json", headers={"token": token}),
            ryze.client.post("/api/message/text/sales", json={"number": "5511987654321"}, headers={"token": token}),
            ryze.client.post("/api/message/text/nobody", json={"number": "5511987654321", "message": "hi"},
                             headers={"token": ryze.account_token}),
            ryze.client.post("/api/message/text/sales", json={"number": "5511987654321", "message": "hi"},
                             headers={"token": "wrong"}),
        ]
        assert [r.status_code for r in refusals] == [400, 400, 404, 401]
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version  # nothing committed
        sent = ryze.client.post("/api/message/text/sales", json={"number": "5511987654321", "message": "hi"},
                                headers={"token": token})
        assert sent.status_code == 200
        assert watcher.execute("PRAGMA data_version").fetchone()[0] != version  # an answered send is written
        watcher.close()


def test_an_older_file_is_migrated_once_when_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockryze.core import persist

    path = tmp_path / "old.sqlite"
    with MockRyze(seed=1, state=str(path)) as ryze:
        token = ryze.create_instance("sales")
        token = getattr(token, "token", token)
    steps: list[int] = []

    def to_next(conn: sqlite3.Connection) -> None:  # a made-up step from this version to the next
        steps.append(SCHEMA_VERSION)
        conn.execute("CREATE TABLE migrated (done INTEGER)")

    monkeypatch.setattr(persist, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(persist.MIGRATIONS, SCHEMA_VERSION, to_next)
    for _ in range(2):  # the second opening finds the file at the new version: no step runs again
        with MockRyze(seed=1, state=str(path)) as again:
            listed = again.client.get("/api/instance/list", headers={"token": again.account_token}).json()
            assert [i["name"] for i in listed["instances"]] == ["sales"]
    assert steps == [SCHEMA_VERSION]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == str(SCHEMA_VERSION + 1)
    conn.close()


def test_a_delivery_pending_at_a_restart_makes_room_in_the_journal_once_it_is_done(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    answers = [204, 503]

    async def down_after_one(request: WebhookRequest, /) -> int:
        return answers.pop(0) if answers else 503

    with MockRyze(seed=1, state=path, webhook_transport=down_after_one, webhook_retry_delays="60",
                  delivery_journal_limit=2) as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        for n in range(2):
            inject(ryze.client, "sales", "call.update", call_data(n))
            ryze.settle_deliveries()
        assert [d["status"] for d in ryze.deliveries()] == ["delivered", "pending"]

    async def up(request: WebhookRequest, /) -> int:
        return 204

    with MockRyze(seed=1, state=path, webhook_transport=up, delivery_journal_limit=2) as ryze:
        ryze.settle_deliveries()  # the pending one goes out now
        for n in range(2, 5):
            inject(ryze.client, "sales", "call.update", call_data(n))
            ryze.settle_deliveries()
        assert [(d["id"], d["status"]) for d in ryze.deliveries()] == [("dlv_000004", "delivered"),
                                                                       ("dlv_000005", "delivered")]


def test_a_reconnect_in_flight_still_completes_after_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "world.sqlite")
    with MockRyze(seed=1, state=path, reconnect_delay=5) as ryze:
        ryze.create_instance("sales", connected=True)
        reconnect = ryze.client.post("/api/instance/reconnect/sales", headers={"token": ryze.account_token})
        assert reconnect.status_code == 200
        assert ryze.instance("sales")["status"] == "connecting"
    with MockRyze(seed=1, state=path, reconnect_delay=5) as ryze:
        ryze.advance(5)
        assert ryze.instance("sales")["status"] == "connected"
