"""The defaults as shipped: ``Settings()`` against the golden table, and each timing default end to end.

Every world here runs on the default settings; the only options given are the in-process fixture's
own (a frozen virtual clock at a fixed start) and, where the test is about them, rate limits turned
back on, which is their shipped default. Time moves only on the virtual clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core.settings import Settings
from mockryze.events.delivery import WebhookRequest
from mockryze.testing.api import MockRyze
from tests.contract.golden_defaults import DEFAULTS, HISTORY_COUNT, MIB

RATE_LIMITED = (429, "Rate limit exceeded. Try again later.")
ALICE = "5511987654321"


def test_every_option_default_is_the_golden_one() -> None:
    shipped = {f.name: f.default for f in dataclasses.fields(Settings)}
    missing = sorted(set(shipped) - set(DEFAULTS))
    assert not missing, f"options with no row in tests/contract/golden_defaults.py: {missing}"
    wrong = {name: (shipped[name], golden) for name, (golden, _source) in DEFAULTS.items() if shipped[name] != golden}
    assert not wrong, f"shipped default != golden (shipped, golden): {wrong}"
    assert Settings().retry_delays == (1, 2, 4, 8, 16)


@pytest.fixture
def shipped(request: pytest.FixtureRequest) -> Iterator[MockRyze]:
    """A world on the shipped settings (``rate_limits`` as shipped too: on)."""
    options: dict[str, Any] = getattr(request, "param", {})
    with MockRyze(rate_limits=True, **options) as ryze:
        for name in ("rate_limit_global", "rate_limit_create", "rate_window", "qr_rotate_seconds",
                     "qr_timeout_seconds", "receipt_delivered_delay", "receipt_read_delay", "receipt_played_delay",
                     "webhook_timeout", "webhook_retry_delays", "instance_limit", "max_body_size"):
            assert getattr(ryze.settings, name) == DEFAULTS[name][0], f"{name} is not its default here"
        yield ryze


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["message"]


def test_100_requests_a_minute_per_token(shipped: MockRyze) -> None:
    token = {"token": shipped.account_token}
    answers = [shipped.client.get("/api/instance/list", headers=token) for _ in range(100)]
    assert {r.status_code for r in answers} == {200}
    assert answers[0].headers["X-RateLimit-Limit"] == "100"
    assert error(shipped.client.get("/api/instance/list", headers=token)) == RATE_LIMITED
    shipped.advance(59)
    assert error(shipped.client.get("/api/instance/list", headers=token)) == RATE_LIMITED
    shipped.advance(1)  # the first request of the window is 60 s old: one slot frees
    assert shipped.client.get("/api/instance/list", headers=token).status_code == 200


def test_20_creations_a_minute_and_a_quota_of_10(shipped: MockRyze) -> None:
    token = {"token": shipped.account_token}
    answers = [shipped.client.post("/api/instance/new", json={"name": f"i{n}"}, headers=token) for n in range(20)]
    assert [r.status_code for r in answers] == [201] * 10 + [403] * 10
    assert error(answers[10]) == (403, "Account instance quota exceeded")
    assert answers[0].headers["X-RateLimit-Limit"] == "20"
    assert error(shipped.client.post("/api/instance/new", json={"name": "late"}, headers=token)) == RATE_LIMITED
    assert shipped.client.get("/api/instance/list", headers=token).status_code == 200  # the global bucket is apart


def qr_states(ryze: MockRyze) -> list[str]:
    return [e["data"]["state"] for e in ryze.events("sales", "instance.state")]


def test_the_qr_code_rotates_every_20_s_and_the_attempt_expires_at_60_s(shipped: MockRyze) -> None:
    shipped.create_instance("sales")
    shipped.connect("sales")
    assert qr_states(shipped) == ["qr_ready"]
    shipped.advance(19.9)
    assert qr_states(shipped) == ["qr_ready"]
    shipped.advance(0.1)
    assert qr_states(shipped) == ["qr_ready", "qr_ready"]
    shipped.advance(20)
    assert qr_states(shipped) == ["qr_ready"] * 3
    assert shipped.instance("sales")["state"] == "qr"
    shipped.advance(19.9)
    assert shipped.instance("sales")["state"] == "qr"
    shipped.advance(0.1)
    assert qr_states(shipped) == ["qr_ready"] * 3 + ["disconnected"]
    assert shipped.instance("sales")["state"] == "disconnected"


class Failing:
    """A webhook receiver that always answers 500, recording when and with what timeout it was called."""

    def __init__(self) -> None:
        self.calls: list[WebhookRequest] = []

    async def __call__(self, request: WebhookRequest, /) -> int:
        self.calls.append(request)
        return 500


def test_webhook_retries_after_1_2_4_8_16_s_with_a_10_s_timeout_then_dead() -> None:
    receiver = Failing()
    with MockRyze(webhook_transport=receiver) as ryze:
        assert ryze.settings.webhook_retry_delays == "1,2,4,8,16"
        ryze.create_instance("sales", connected=True)
        hook = {"label": "h", "enabled": True, "url": "https://receiver.test/hook"}
        assert ryze.client.post("/api/events/webhook/sales", json=hook,
                                headers={"token": ryze.account_token}).status_code == 200
        start = ryze.world.now()
        ryze.set_state("sales", "disconnected")  # one instance.state event, one delivery
        for _ in range(80):  # 40 virtual seconds in half-second steps: each retry fires on its own step
            ryze.settle_deliveries()
            ryze.advance(0.5)
        ryze.settle_deliveries()
        [delivery] = ryze.deliveries()
        assert delivery["status"] == "dead"
        assert [a["at"] for a in delivery["attempts"]] == [ryze.world.iso(start + s) for s in (0, 1, 3, 7, 15, 31)]
        assert [r.timeout for r in receiver.calls] == [10.0] * 6
        ryze.advance(1000)
        ryze.settle_deliveries()
        assert len(receiver.calls) == 6


def test_receipts_come_1_s_then_2_s_then_1_s_after_the_send(shipped: MockRyze) -> None:
    shipped.create_instance("sales", connected=True)
    shipped.contact("sales", ALICE, receipts="plays")
    voice = {"number": ALICE, "mediaType": "audio", "mediaBase64": "T2dnUwACAAAAAAAA", "isVoice": True}
    response = shipped.client.post("/api/message/media/sales", json=voice, headers={"token": shipped.account_token})
    assert response.status_code == 200, response.text

    def statuses() -> list[str]:
        return [e["data"]["status"] for e in shipped.events("sales", "message.status")]

    timeline = []
    for step in (0.9, 0.1, 1.9, 0.1, 0.9, 0.1):
        shipped.advance(step)
        timeline.append(statuses())
    assert timeline == [[], ["delivered"], ["delivered"], ["delivered", "read"], ["delivered", "read"],
                        ["delivered", "read", "played"]]


def test_bodies_up_to_25_mib(shipped: MockRyze) -> None:
    shipped.create_instance("sales")
    token = {"token": shipped.account_token, "content-type": "application/json"}
    at_limit = shipped.client.post("/api/instance/settings/sales", content=b" " * (25 * MIB), headers=token)
    assert error(at_limit) == (400, "At least one setting must be provided")  # read, found blank
    over = shipped.client.post("/api/instance/settings/sales", content=b" " * (25 * MIB + 1), headers=token)
    assert error(over) == (413, "Request body too large")


def test_a_history_page_holds_50_messages_by_default(shipped: MockRyze) -> None:
    shipped.create_instance("sales", connected=True)
    sent = [shipped.inbound("sales", from_=ALICE, text=f"message {i}") for i in range(HISTORY_COUNT + 1)]
    token = {"token": shipped.account_token}
    page = shipped.client.post("/api/chat/history/sales", json={"number": ALICE}, headers=token).json()
    assert [m["id"] for m in page["messages"]] == [m["id"] for m in sent[:0:-1]]  # the newest 50, newest first
    assert (page["count"], page["hasMore"]) == (HISTORY_COUNT, True)
