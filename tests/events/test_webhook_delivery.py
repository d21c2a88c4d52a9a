"""Webhook delivery on the virtual clock: backoff, dead-lettering, redelivery, ordering, the journal.

Deliveries go to virtual receivers (the ``hooks`` fixture: the transport injected into the world),
so no socket is opened and no real time has to pass; ``tests/events/test_webhook_end_to_end.py``
covers the same paths against real receivers.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest

from mockryze.core import literals, schemas
from mockryze.events.delivery import USER_AGENT, WebhookRequest
from mockryze.events.webhook_client import WebhookError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.events.journal import (
    assert_valid_bodies,
    attempts,
    configure,
    connect_for_real,
    follow_the_backoff,
    journal,
    redeliver,
    retry_after,
    settled,
    status_of,
)
from tests.events.receivers import (
    INJECTABLE,
    REFUSED,
    TIMEOUT,
    VirtualReceivers,
    call_data,
    example_data,
    inject,
    media_example,
    sample,
    without_base64,
)

CALLER = "5511912345678"

# --- what a receiver gets -------------------------------------------------------------------------


@pytest.mark.ryze(profile="docs")
def test_docs_profile_sends_authorization_on_instance_state(ryze: MockRyze, api: CheckedClient,
                                                           hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Token abc")
    connect_for_real(ryze)
    inject(ryze.client, "sales", "call.update", call_data(1))
    got = receiver.wait_for(4)
    assert [r.event for r in got] == ["instance.state"] * 3 + ["call.update"]
    assert [r.headers.get("authorization") for r in got] == ["Token abc"] * 4
    assert_valid_bodies(receiver)


def test_no_authorization_header_when_none_is_configured(ryze: MockRyze, api: CheckedClient,
                                                         hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    [request] = receiver.wait_for(1)
    assert "authorization" not in request.headers
    assert request.headers == {"content-type": "application/json", "user-agent": USER_AGENT}


@pytest.mark.parametrize("path", ["/in", "/in/"])
def test_by_events_appends_the_event_name(ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers,
                                          path: str) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales", connected=True)
    configure(api, url=receiver.hook(path), byEvents=True)
    for event in INJECTABLE:
        inject(ryze.client, "sales", event, sample(event))
    ryze.set_state("sales", "disconnected")
    got = receiver.wait_for(6)
    assert [r.path for r in got] == [f"/in/{event}" for event in (*INJECTABLE, "instance.state")]
    assert [r.event for r in got] == [*INJECTABLE, "instance.state"]
    assert all(d["url"] == receiver.url + r.path for d, r in zip(ryze.deliveries(), got, strict=True))
    assert_valid_bodies(receiver)


def test_without_by_events_the_url_is_used_as_is(ryze: MockRyze, api: CheckedClient,
                                                 hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook("/in/?source=mock"), byEvents=False)
    inject(ryze.client, "sales", "group.flow", sample("group.flow"))
    [request] = receiver.wait_for(1)
    assert request.path == "/in/?source=mock"


def test_the_event_filter_is_respected(ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), events=["label.update", "call.update"])

    connect_for_real(ryze)
    for event in INJECTABLE:
        inject(ryze.client, "sales", event, sample(event))
    inject(ryze.client, "sales", "message.exchange", sample("message.exchange"))
    inject(ryze.client, "sales", "call.update", call_data(99))

    ryze.settle_deliveries()
    wanted = [e for e in ryze.events("sales") if e["event"] in ("label.update", "call.update")]
    assert receiver.bodies() == wanted
    assert [r.event for r in receiver.received] == ["call.update", "label.update", "call.update"]
    # the unwanted events were never journaled, let alone sent
    assert [d["event"] for d in ryze.deliveries()] == ["call.update", "label.update", "call.update"]
    for event in ("message.exchange", "message.status", "group.flow", "instance.state"):
        assert ryze.deliveries(event=event) == []
    assert len(ryze.deliveries(status="delivered")) == 3


def test_media_base64_is_kept_only_where_wanted(ryze: MockRyze, api: CheckedClient,
                                                hooks: VirtualReceivers) -> None:
    raw, lean = hooks.new(), hooks.new()
    ryze.create_instance("sales")
    configure(api, label="raw", url=raw.hook(), mediaBase64=True)
    configure(api, label="lean", url=lean.hook(), mediaBase64=False)
    data = media_example()
    assert data["message"]["media"]["base64"]
    envelope = inject(ryze.client, "sales", "message.exchange", data)

    [with_media] = raw.wait_for(1)
    [without_media] = lean.wait_for(1)
    assert with_media.body == envelope
    assert with_media.body["data"]["message"]["media"]["base64"] == data["message"]["media"]["base64"]
    assert "base64" not in without_media.body["data"]["message"]["media"]
    assert without_media.body["data"] == without_base64(data)  # everything else is untouched
    assert without_media.body["instanceData"] == envelope["instanceData"]
    assert_valid_bodies(raw)
    assert_valid_bodies(lean)
    # the journal shows what each webhook was sent; the bus keeps the full event
    journaled = {d["label"]: d["envelope"] for d in ryze.deliveries()}
    assert journaled == {"raw": with_media.body, "lean": without_media.body}
    assert ryze.events("sales", "message.exchange") == [envelope]


# --- retries on the virtual clock -----------------------------------------------------------------


def test_down_then_500_then_timeout_then_success_follows_the_backoff(ryze: MockRyze, api: CheckedClient,
                                                                     hooks: VirtualReceivers) -> None:
    receiver = hooks.new(start=False)
    envelope, final = follow_the_backoff(ryze, api, receiver, TIMEOUT)
    dlv = final["id"]
    assert [r.answer for r in receiver.received] == [500, TIMEOUT, 200]
    assert all(r.body == envelope for r in receiver.received)
    ryze.advance(100)
    assert len(attempts(ryze, dlv, 4)) == 4


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_receiver_that_never_recovers_ends_dead(ryze: MockRyze, api: CheckedClient,
                                                  hooks: VirtualReceivers, status: int) -> None:
    receiver = hooks.new(default=status)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    [delivery] = ryze.deliveries()
    dlv = delivery["id"]
    delays = ryze.settings.retry_delays
    assert delays == (1.0, 2.0, 4.0)
    for done, delay in enumerate(delays, start=1):
        attempts(ryze, dlv, done)
        assert journal(ryze, dlv)["status"] == "pending"
        ryze.advance(delay)
    final = settled(ryze, dlv)
    assert final["status"] == "dead"
    assert [a["statusCode"] for a in final["attempts"]] == [status] * 4
    ryze.advance(1000)
    attempts(ryze, dlv, 4)
    assert len(receiver.received) == 4
    assert ryze.deliveries(status="dead") == [final]


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_other_4xx_is_dead_lettered_at_once(ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers,
                                            status: int) -> None:
    receiver = hooks.new(default=status)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    final = settled(ryze, delivery["id"])  # without any clock advance
    assert final["status"] == "dead"
    assert [a["statusCode"] for a in final["attempts"]] == [status]
    ryze.advance(100)
    attempts(ryze, delivery["id"], 1)
    assert len(receiver.received) == 1


def test_a_transport_that_cannot_send_the_request_dead_letters_it_at_once() -> None:
    """A ValueError from the transport means no such request can be sent: no retry would help."""
    async def unsendable(request: WebhookRequest, /) -> int:
        raise ValueError("no such request")

    with MockRyze(webhook_transport=unsendable, webhook_retry_delays="1") as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        inject(ryze.client, "sales", "call.update", call_data(1))
        ryze.settle_deliveries()
        [dead] = ryze.deliveries(status="dead")
        assert [(a["statusCode"], a["error"]) for a in dead["attempts"]] == [(None, "ValueError: no such request")]


def test_a_transport_that_crashes_is_journaled_and_retried() -> None:
    """Any other exception is journaled as a failed attempt and retried: the queue is not wedged."""
    calls: list[str] = []

    async def flaky(request: WebhookRequest, /) -> int:
        calls.append(request.url)
        if len(calls) == 1:
            raise RuntimeError("transport bug")
        return 204

    with MockRyze(webhook_transport=flaky, webhook_retry_delays="1") as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        inject(ryze.client, "sales", "call.update", call_data(1))
        inject(ryze.client, "sales", "call.update", call_data(2))
        ryze.settle_deliveries()
        assert [d["status"] for d in ryze.deliveries()] == ["pending", "pending"]
        ryze.advance(1)
        ryze.settle_deliveries()
        first, second = ryze.deliveries()
        assert [(a["statusCode"], a["error"]) for a in first["attempts"]] == [(None, "RuntimeError: transport bug"),
                                                                             (204, None)]
        assert second["status"] == "delivered"
        assert calls == ["http://receiver.test/hook"] * 3


def test_every_delivery_ends_delivered_or_dead(ryze: MockRyze, api: CheckedClient,
                                               hooks: VirtualReceivers) -> None:
    ok, gone, calls = hooks.new(), hooks.new(default=404), hooks.new()
    ryze.create_instance("sales")
    configure(api, label="ok", url=ok.hook())
    configure(api, label="gone", url=gone.hook())
    configure(api, label="calls", url=calls.hook(), events=["call.update"])
    api.post("/api/events/webhook/sales", json={"label": "off", "enabled": False})

    emitted: list[str] = []
    for number in range(4):
        inject(ryze.client, "sales", "call.update", call_data(number))
        emitted.append("call.update")
    for event in INJECTABLE:
        inject(ryze.client, "sales", event, sample(event))
        emitted.append(event)
    matching = sum(2 + (event == "call.update") for event in emitted)  # ok + gone always, calls for calls
    assert matching == 2 * 9 + 5

    assert len(ryze.deliveries()) == matching  # journaled at emission
    ryze.settle_deliveries()
    delivered = ryze.deliveries(status="delivered")
    dead = ryze.deliveries(status="dead")
    assert len(delivered) + len(dead) == len(ryze.deliveries()) == matching
    assert ryze.deliveries(status="pending") == []
    assert {d["label"] for d in dead} == {"gone"}
    assert {d["label"] for d in delivered} == {"ok", "calls"}
    assert len(ok.received) == len(gone.received) == 9
    assert [r.body["data"]["id"] for r in calls.received] == [call_data(n)["id"] for n in range(4)] + \
        [sample("call.update")["id"]]


def test_redeliver_a_dead_delivery_to_a_recovered_receiver(ryze: MockRyze, api: CheckedClient,
                                                           hooks: VirtualReceivers) -> None:
    receiver = hooks.new(default=404)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Bearer again")
    envelope = inject(ryze.client, "sales", "message.status", sample("message.status"))
    [dead] = ryze.deliveries()
    assert status_of(ryze, dead["id"]) == "dead"

    receiver.default = 200
    response = redeliver(ryze, dead["id"])
    assert response.status_code == 202
    schemas.validate("mock/redeliver.response", response.json())
    assert response.json()["message"] == "Redelivery queued"
    copy = response.json()["delivery"]
    assert copy["id"] != dead["id"]
    assert (copy["url"], copy["event"], copy["envelope"]) == (dead["url"], dead["event"], envelope)

    done = settled(ryze, copy["id"])
    assert done["status"] == "delivered"
    assert [a["statusCode"] for a in done["attempts"]] == [200]
    assert journal(ryze, dead["id"])["status"] == "dead"  # the original stays as it was
    got = receiver.received
    assert len(got) == 2
    assert got[1].body == envelope
    assert got[1].headers["authorization"] == "Bearer again"
    assert len(ryze.deliveries()) == 2


def test_redeliver_unknown_or_foreign_delivery_is_404(ryze: MockRyze, api: CheckedClient,
                                                      hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    assert error_of(redeliver(ryze, "dlv_999999")) == (404, "Delivery not found")
    other = ryze.new_account()
    assert error_of(redeliver(ryze, delivery["id"], token=other)) == (404, "Delivery not found")
    ryze.settle_deliveries()
    assert [d["status"] for d in ryze.deliveries()] == ["delivered"]
    assert len(receiver.received) == 1


# --- the journal over the control plane -----------------------------------------------------------


def test_deliveries_can_be_filtered(ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers) -> None:
    ok, gone, down = hooks.new(), hooks.new(default=404), hooks.new(start=False)
    ryze.create_instance("sales")
    ryze.create_instance("support")
    configure(api, "sales", label="ok", url=ok.hook())
    configure(api, "sales", label="gone", url=gone.hook(), events=["label.update"])
    configure(api, "support", url=down.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    inject(ryze.client, "support", "call.update", call_data(2))
    ryze.settle_deliveries()

    def listed(**params: str) -> list[tuple[str, str, str]]:
        response = api.get("/__mock__/deliveries", params=params)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == len(body["deliveries"])
        return [(d["instance"], d["event"], d["status"]) for d in body["deliveries"]]

    assert listed() == [("sales", "call.update", "delivered"), ("sales", "label.update", "delivered"),
                        ("sales", "label.update", "dead"), ("support", "call.update", "pending")]
    assert listed(instance="support") == [("support", "call.update", "pending")]
    assert listed(event="label.update") == [("sales", "label.update", "delivered"),
                                            ("sales", "label.update", "dead")]
    assert listed(status="dead") == [("sales", "label.update", "dead")]
    assert listed(status="pending") == [("support", "call.update", "pending")]
    assert listed(instance="sales", event="call.update", status="delivered") == \
        [("sales", "call.update", "delivered")]
    assert listed(instance="sales", status="pending") == []
    assert listed(instance="ghost") == []
    # each account sees only its own journal
    other = ryze.new_account()
    assert api.get("/__mock__/deliveries", token=other).json() == {"success": True, "count": 0, "deliveries": []}
    # the view carries the attempts and what was sent
    [pending] = api.get("/__mock__/deliveries", params={"status": "pending"}).json()["deliveries"]
    assert pending["url"] == down.hook()
    assert pending["attempts"][0]["statusCode"] is None
    assert pending["headers"]["User-Agent"] == USER_AGENT


# --- ordering and independence --------------------------------------------------------------------


def test_events_published_from_many_threads_reach_every_webhook_in_bus_order(
        ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers) -> None:
    """Deliveries reach the delivery loop in batches; each webhook still sees the bus's order, all of it."""
    receivers = [hooks.new() for _ in range(3)]
    ryze.create_instance("sales", connected=True)
    for label, receiver in zip("abc", receivers, strict=True):
        configure(api, label=label, url=receiver.hook())

    def publish() -> None:
        for _ in range(100):
            ryze.call("sales", from_=CALLER)

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emitted = ryze.events("sales", "call.update")
    assert len(emitted) == 400
    ryze.settle_deliveries()
    for receiver in receivers:
        assert receiver.bodies() == emitted
    assert len(ryze.deliveries(status="delivered")) == 1200


def test_a_closed_delivery_loop_starts_again_for_the_next_event(ryze: MockRyze, api: CheckedClient,
                                                                hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.channels.delivery.close()  # maybe before the first delivery went out: it may stay pending
    envelope = inject(ryze.client, "sales", "call.update", call_data(2))
    [second] = [d for d in ryze.deliveries() if d["envelope"] == envelope]
    assert status_of(ryze, second["id"]) == "delivered"
    assert envelope in receiver.bodies()


def test_a_retrying_webhook_does_not_block_another_one(ryze: MockRyze, api: CheckedClient,
                                                       hooks: VirtualReceivers) -> None:
    down, up = hooks.new(start=False), hooks.new()
    ryze.create_instance("sales")
    configure(api, label="down", url=down.hook())
    configure(api, label="up", url=up.hook())
    ids = [call_data(n)["id"] for n in range(5)]
    for number in range(5):
        inject(ryze.client, "sales", "call.update", call_data(number))

    ryze.settle_deliveries()
    assert [r.body["data"]["id"] for r in up.received] == ids
    stuck = [d for d in ryze.deliveries() if d["label"] == "down"]
    # head of line: the first is retrying, the later ones wait behind it untried
    assert [len(d["attempts"]) for d in stuck] == [1, 0, 0, 0, 0]
    assert {d["status"] for d in stuck} == {"pending"}

    down.start()
    retry_after(ryze, stuck[0]["id"], 1, 1.0)
    assert [r.body["data"]["id"] for r in down.received] == ids
    assert len(ryze.deliveries(status="delivered")) == 10


def test_a_failing_head_holds_back_the_deliveries_behind_it_in_order(ryze: MockRyze, api: CheckedClient,
                                                                     hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    receiver.script(503, REFUSED, 200, TIMEOUT, 200)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    for number in range(3):
        inject(ryze.client, "sales", "call.update", call_data(number))
    ryze.settle_deliveries()
    for _ in range(2):  # the first delivery's two retries; its success lets the second one go
        ryze.advance(4)
        ryze.settle_deliveries()
    first, second, third = ryze.deliveries()
    assert [a["statusCode"] for a in first["attempts"]] == [503, None, 200]
    assert [a["statusCode"] for a in second["attempts"]] == [None]
    assert third["attempts"] == []  # it waits behind the second
    ryze.advance(1)
    ryze.settle_deliveries()
    assert [d["status"] for d in ryze.deliveries()] == ["delivered"] * 3
    assert [r.body["data"]["id"] for r in receiver.received if r.answer == 200] == \
        [call_data(n)["id"] for n in range(3)]


def test_the_configuration_is_read_when_the_event_is_emitted(ryze: MockRyze, api: CheckedClient,
                                                             hooks: VirtualReceivers) -> None:
    first, second = hooks.new(), hooks.new()
    ryze.create_instance("sales")
    configure(api, url=first.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    first.wait_for(1)
    configure(api, url=second.hook(), authorization="Bearer new")
    inject(ryze.client, "sales", "call.update", call_data(2))
    [later] = second.wait_for(1)
    assert later.body["data"]["id"] == call_data(2)["id"]
    assert later.headers["authorization"] == "Bearer new"
    assert [r.body["data"]["id"] for r in first.received] == [call_data(1)["id"]]

    configure(api, url=second.hook(), events=["label.update"])
    inject(ryze.client, "sales", "call.update", call_data(3))  # filtered out from now on
    api.post("/api/events/webhook/sales", json={"enabled": False})
    inject(ryze.client, "sales", "label.update", sample("label.update"))  # disabled: nothing
    assert len(ryze.deliveries()) == 2
    ryze.settle_deliveries()
    assert [d["status"] for d in ryze.deliveries()] == ["delivered"] * 2
    assert len(second.received) == 1


def test_a_pending_delivery_keeps_the_url_it_was_emitted_with(ryze: MockRyze, api: CheckedClient,
                                                             hooks: VirtualReceivers) -> None:
    old, new = hooks.new(start=False), hooks.new()
    ryze.create_instance("sales")
    configure(api, url=old.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [pending] = ryze.deliveries()
    attempts(ryze, pending["id"], 1)
    configure(api, url=new.hook())  # changed while the first delivery is retrying
    inject(ryze.client, "sales", "call.update", call_data(2))

    old.start()
    retry_after(ryze, pending["id"], 1, 1.0)
    assert [r.body["data"]["id"] for r in old.received] == [call_data(1)["id"]]
    assert [r.body["data"]["id"] for r in new.received] == [call_data(2)["id"]]
    assert [d["url"] for d in ryze.deliveries(status="delivered")] == [old.hook(), new.hook()]


def test_other_instances_events_do_not_reach_a_webhook(ryze: MockRyze, api: CheckedClient,
                                                       hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    ryze.create_instance("support")
    configure(api, "sales", url=receiver.hook())
    inject(ryze.client, "support", "call.update", call_data(1))
    inject(ryze.client, "sales", "call.update", call_data(2))
    ryze.settle_deliveries()
    [request] = receiver.received
    assert request.body["instanceData"]["instance"] == "sales"
    assert ryze.deliveries(instance="support") == []


def test_injected_events_are_checked_against_their_schema(ryze: MockRyze, api: CheckedClient,
                                                          hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    bad = example_data("call.update")
    bad["status"] = "ringing"
    response = api.post("/__mock__/instances/sales/events", json={"event": "call.update", "data": bad})
    assert error_of(response) == literals.INVALID_BODY
    assert ryze.events("sales") == []
    assert ryze.deliveries() == []
    ryze.settle_deliveries()
    assert receiver.received == []



def test_the_journal_gives_each_attempts_latency_in_hundredths_of_a_millisecond(
        ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    for number in range(6):
        inject(ryze.client, "sales", "call.update", call_data(number))
    ryze.settle_deliveries()
    latencies = [a["latencyMs"] for d in ryze.deliveries(status="delivered") for a in d["attempts"]]
    assert len(latencies) == 6
    assert all(latency >= 0 and round(latency, 2) == latency for latency in latencies)


def test_two_webhooks_retrying_at_the_same_moment_both_settle(ryze: MockRyze, api: CheckedClient,
                                                               hooks: VirtualReceivers) -> None:
    first, second = hooks.new(), hooks.new()
    first.script(503, 200)
    second.script(503, 200)
    ryze.create_instance("sales")
    configure(api, label="first", url=first.hook())
    configure(api, label="second", url=second.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.settle_deliveries()
    ryze.advance(1)  # both retries wake at once
    ryze.settle_deliveries()
    assert sorted((d["label"], d["status"]) for d in ryze.deliveries()) == [("first", "delivered"),
                                                                           ("second", "delivered")]
    inject(ryze.client, "sales", "call.update", call_data(2))
    ryze.settle_deliveries()  # the count of unsettled queues came back to zero
    assert len(ryze.deliveries(status="delivered")) == 4


def test_a_retry_sleep_cut_short_by_closing_the_loop_does_not_count_when_its_time_comes(
        ryze: MockRyze, api: CheckedClient, hooks: VirtualReceivers) -> None:
    receiver = hooks.new(default=503)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.settle_deliveries()
    ryze.channels.delivery.close()  # the delivery waiting for its retry stays pending
    ryze.advance(10)
    ryze.settle_deliveries()  # nothing is left to wait for
    assert [(d["status"], len(d["attempts"])) for d in ryze.deliveries()] == [("pending", 1)]


@pytest.mark.parametrize(("failure", "error"), [
    (WebhookError("receiver closed the connection"), "WebhookError: receiver closed the connection"),
    (WebhookError(), "WebhookError"),
])
def test_a_failed_attempt_is_journaled_with_its_error(failure: Exception, error: str) -> None:
    failures = [failure]

    async def flaky(request: WebhookRequest, /) -> int:
        if failures:
            raise failures.pop()
        return 204

    with MockRyze(webhook_transport=flaky, webhook_retry_delays="1") as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        inject(ryze.client, "sales", "call.update", call_data(1))
        ryze.settle_deliveries()
        ryze.advance(1)
        ryze.settle_deliveries()
        [delivery] = ryze.deliveries()
        assert [(a["statusCode"], a["error"]) for a in delivery["attempts"]] == [(None, error), (204, None)]


@pytest.mark.parametrize("status", [300, 301])
def test_a_3xx_answer_is_no_success_and_is_dead_lettered_at_once(ryze: MockRyze, api: CheckedClient,
                                                                  hooks: VirtualReceivers, status: int) -> None:
    receiver = hooks.new(default=status)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    final = settled(ryze, delivery["id"])
    assert (final["status"], [a["statusCode"] for a in final["attempts"]]) == ("dead", [status])


def test_an_attempts_latency_is_measured_within_the_attempt(ryze: MockRyze, api: CheckedClient,
                                                            hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    started = time.perf_counter()
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.settle_deliveries()
    elapsed_ms = (time.perf_counter() - started) * 1000
    [attempt] = ryze.deliveries()[0]["attempts"]
    assert 0 <= attempt["latencyMs"] <= elapsed_ms + 0.01  # an attempt lasts no longer than the whole exchange


def test_a_delivery_dead_lettered_unsent_is_stamped_when_it_was_given_up(ryze: MockRyze, api: CheckedClient,
                                                                          hooks: VirtualReceivers) -> None:
    receiver = hooks.new(default=503)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.settle_deliveries()
    assert api.post("/api/events/webhook/sales", json={"enabled": False}).status_code == 200
    ryze.advance(1)  # the retry comes due: the webhook is off, so it is given up unsent
    ryze.settle_deliveries()
    [delivery] = ryze.deliveries()
    tried, given_up = delivery["attempts"]
    assert (given_up["attempt"], given_up["statusCode"], given_up["latencyMs"], given_up["error"]) == \
        (2, None, 0.0, "not sent: the webhook 'default' was disabled")  # the attempt it took the place of
    assert datetime.fromisoformat(given_up["at"]) - datetime.fromisoformat(tried["at"]) == timedelta(seconds=1)


def test_a_webhook_body_is_utf8_json_with_its_text_unescaped() -> None:
    bodies: list[bytes] = []

    async def keep(request: WebhookRequest, /) -> int:
        bodies.append(request.body)
        return 204

    with MockRyze(webhook_transport=keep) as ryze:
        ryze.create_instance("sales", connected=True, webhookEnabled=True, webhookURL="http://receiver.test/hook")
        ryze.inbound("sales", from_=CALLER, text="Olá, tudo bem? ✓")
        ryze.settle_deliveries()
    [body] = [b for b in bodies if b'"message.exchange"' in b]
    assert "Olá, tudo bem? ✓".encode() in body
