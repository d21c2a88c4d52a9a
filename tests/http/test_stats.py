"""``GET /__mock__/stats``: cumulative counters that move as events, timers, deliveries and frames happen."""

from __future__ import annotations

import time
from typing import Any

import httpx
from websockets.sync.client import connect

from mockryze.events.delivery import WebhookRequest
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient
from tests.events.receivers import call_data, inject
from tests.test_cli import free_port, spawned, start_server

STATS = "/__mock__/stats"
TEXT = {"number": "5511987654321", "message": "hi"}


def stats(api: CheckedClient) -> dict[str, Any]:
    response = api.get(STATS)  # the checked client validates the body against mock/stats.response
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counters(api: CheckedClient) -> dict[str, int]:
    found: dict[str, int] = stats(api)["counters"]
    return found


def moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


def test_a_fresh_world_has_counted_nothing(api: CheckedClient) -> None:
    body = stats(api)
    assert set(body["counters"].values()) == {0}
    assert body["held"] == {"messages": 0, "messageStoreLimit": 10_000, "events": 0, "eventRecordLimit": 10_000}


def test_sends_receipts_and_deliveries_move_their_counters() -> None:
    posted: list[str] = []

    async def accept(request: WebhookRequest, /) -> int:
        posted.append(request.json()["event"])
        return 200

    with MockRyze(webhook_transport=accept, message_store_limit=2) as ryze:
        api = CheckedClient(ryze.client, ryze.account_token)
        sales = ryze.create_instance("sales", connected=True, webhookEnabled=True,
                                     webhookURL="http://receiver.test/hook")
        ryze.settle_deliveries()
        before, recorded = counters(api), len(ryze.events())

        for _ in range(3):
            assert api.post("/api/message/text/sales", json=TEXT, token=sales.token).status_code == 200
        ryze.settle_deliveries()
        sent = moved(before, counters(api))
        published = len(ryze.events()) - recorded
        assert published >= 3  # at least each send's echo
        # one POST per event to the one webhook; the third send evicts the first from a store of 2
        assert sent == {"eventsPublished": published, "webhookAttempts": published, "messagesStored": 3,
                        "messagesEvicted": 1}
        assert stats(api)["held"]["messages"] == 2

        ryze.advance(1)  # the `delivered` receipts fire, one timer each
        ryze.settle_deliveries()
        receipts = moved(before, counters(api))
        assert receipts["timersFired"] >= 3  # the receipts are timers
        assert receipts["eventsPublished"] == len(ryze.events()) - recorded > published
        assert receipts["webhookAttempts"] == receipts["eventsPublished"]
        assert len(posted) == sum(len(d["attempts"]) for d in ryze.deliveries())
        assert stats(api)["held"]["events"] == len(ryze.events())


def test_a_failed_attempt_and_its_retry_each_count() -> None:
    answers = iter([500, 200])

    async def flaky(request: WebhookRequest, /) -> int:
        return next(answers)

    with MockRyze(webhook_transport=flaky, webhook_retry_delays="1") as ryze:
        api = CheckedClient(ryze.client, ryze.account_token)
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        ryze.settle_deliveries()
        before = counters(api)
        inject(ryze.client, "sales", "call.update", call_data(1))
        ryze.settle_deliveries()
        assert moved(before, counters(api)) == {"eventsPublished": 1, "webhookAttempts": 1}
        ryze.advance(1)
        ryze.settle_deliveries()
        after = moved(before, counters(api))
        assert after["webhookAttempts"] == 2 and after["timersFired"] >= 1
        assert [d["status"] for d in ryze.deliveries()] == ["delivered"]


def test_a_reset_keeps_counting(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    published = counters(api)["eventsPublished"]
    assert published > 0
    assert api.post("/__mock__/reset").status_code == 200
    assert counters(api)["eventsPublished"] == published
    assert stats(api)["held"]["events"] == 0


def test_websocket_frames_are_counted_once_written() -> None:
    with MockRyze() as ryze:
        sales = ryze.create_instance("sales", connected=True, websocketEnabled=True)
        base = ryze.serve()
        with httpx.Client(base_url=base, timeout=10) as http:
            api = CheckedClient(http, ryze.account_token)
            before = counters(api)
            with connect(f"{base.replace('http://', 'ws://')}/ws/sales", additional_headers={"token": sales.token},
                         open_timeout=5, close_timeout=1) as client:
                deadline = time.monotonic() + 3  # the upgrade registers the client on the server's loop
                while ryze.websocket_clients("sales") != 1 and time.monotonic() < deadline:
                    time.sleep(0.01)
                for number in range(2):
                    inject(http, "sales", "call.update", call_data(number))
                for _ in range(2):
                    client.recv(timeout=3)
                deadline = time.monotonic() + 3  # the counter moves just after the write the client read
                while counters(api)["websocketFrames"] - before["websocketFrames"] < 2 and time.monotonic() < deadline:
                    time.sleep(0.01)
            assert moved(before, counters(api)) == {"eventsPublished": 2, "websocketFrames": 2}


def test_in_process_the_collections_are_counted_but_no_pause_is_timed(api: CheckedClient) -> None:
    gc_view = stats(api)["gc"]
    assert gc_view["pausesTracked"] is False
    assert "policy" not in gc_view  # only mockryze serve runs the collector policy
    assert [row["generation"] for row in gc_view["generations"]] == [0, 1, 2]
    assert all(set(row) == {"generation", "collections"} for row in gc_view["generations"])


def test_serve_times_every_collections_pause() -> None:
    port = free_port()
    with spawned("serve", "--port", str(port), "--account-token", "T123") as server:
        start_server(server, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            api = CheckedClient(http, "T123")
            for _ in range(20):  # enough allocations for young collections after the hook went in
                assert api.get("/api/instance/list").status_code == 200
            gc_view = stats(api)["gc"]
            assert gc_view["pausesTracked"] is True
            buckets = len(gc_view["bucketsMs"])
            for row in gc_view["generations"]:
                assert len(row["pauseCounts"]) == buckets + 1
                assert row["pauseMsMax"] <= row["pauseMsTotal"]
            young, full = gc_view["generations"][0], gc_view["generations"][2]
            assert young["collections"] > 0  # start-up has collected
            # the collector policy's start-up collection (everything, before the first freeze) was timed
            assert sum(full["pauseCounts"]) > 0 and full["pauseMsTotal"] > 0
            policy = gc_view["policy"]
            # its ticks follow real time, so their count is not asserted here: tests/core/test_gcpolicy.py drives them
            assert policy["freezeEverySeconds"] == 0.05 and policy["thawEverySeconds"] == 600 and policy["thaws"] == 0
