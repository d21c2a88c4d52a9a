"""Webhook delivery end to end: real receivers on 127.0.0.1, retries on the virtual clock, the journal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.events.delivery import USER_AGENT
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.events.receivers import (
    INJECTABLE,
    Receiver,
    ReceiverPool,
    Slow,
    call_data,
    example_data,
    inject,
    media_example,
    sample,
    without_base64,
)

FAST: dict[str, Any] = {"webhook_timeout": 0.3, "webhook_retry_delays": "1,2,4"}
pytestmark = pytest.mark.ryze(**FAST)

QUIET = 0.12  # real seconds during which "nothing happens" is checked


@pytest.fixture
def receivers() -> Iterator[ReceiverPool]:
    with ReceiverPool() as pool:
        yield pool


def configure(api: CheckedClient, name: str = "sales", **fields: Any) -> dict[str, Any]:
    response = api.post(f"/api/events/webhook/{name}", json={"enabled": True, **fields})
    assert response.status_code == 200, response.text
    row: dict[str, Any] = response.json()["webhook"]
    return row


def journal(ryze: MockRyze, delivery_id: str) -> dict[str, Any]:
    [found] = [d for d in ryze.deliveries() if d["id"] == delivery_id]
    return found


def attempts_of(ryze: MockRyze, delivery_id: str) -> list[dict[str, Any]]:
    return list(journal(ryze, delivery_id)["attempts"])


def wait_attempts(ryze: MockRyze, delivery_id: str, count: int, timeout: float = 3.0) -> list[dict[str, Any]]:
    arrived = ryze.channels.delivery.wait(lambda: len(attempts_of(ryze, delivery_id)) >= count, timeout)
    assert arrived, f"{delivery_id}: expected {count} attempts, journal: {journal(ryze, delivery_id)}"
    return attempts_of(ryze, delivery_id)


def assert_no_new_attempt(ryze: MockRyze, delivery_id: str, count: int) -> None:
    """Nothing more than ``count`` attempts happens (checked for a short real-time window)."""
    more = ryze.channels.delivery.wait(lambda: len(attempts_of(ryze, delivery_id)) > count, QUIET)
    assert not more, f"unexpected attempt: {attempts_of(ryze, delivery_id)}"


def retry_after(ryze: MockRyze, delivery_id: str, done: int, delay: float) -> dict[str, Any]:
    """No retry while the clock stands still or short of ``delay``; exactly at ``delay``: the next one."""
    assert_no_new_attempt(ryze, delivery_id, done)
    ryze.advance(delay - 0.25)
    assert_no_new_attempt(ryze, delivery_id, done)
    ryze.advance(0.25)
    return wait_attempts(ryze, delivery_id, done + 1)[done]


def wait_status(ryze: MockRyze, delivery_id: str, status: str, timeout: float = 3.0) -> dict[str, Any]:
    ok = ryze.channels.delivery.wait(lambda: journal(ryze, delivery_id)["status"] == status, timeout)
    assert ok, f"{delivery_id} never became {status}: {journal(ryze, delivery_id)}"
    return journal(ryze, delivery_id)


def redeliver(ryze: MockRyze, delivery_id: str, token: str | None = None) -> httpx.Response:
    """``POST /__mock__/deliveries/{id}/redeliver`` (conftest's schema check does not know ``{id}`` paths)."""
    headers = {"token": token} if token else {}
    return ryze.client.post(f"/__mock__/deliveries/{delivery_id}/redeliver", headers=headers)


def assert_valid_bodies(receiver: Receiver) -> None:
    for request in receiver.received:
        schemas.validate_event(request.body)


def connect_for_real(ryze: MockRyze, name: str = "sales") -> None:
    """A real lifecycle: QR code, scan → instance.state qr_ready, pair_success, connected."""
    ryze.connect(name)
    ryze.scan(name)


# --- what a receiver gets -------------------------------------------------------------------------


def test_every_event_type_reaches_a_real_receiver(ryze: MockRyze, api: CheckedClient,
                                                   receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    sales = ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Bearer s3cret")

    connect_for_real(ryze)
    for event in INJECTABLE:
        inject(ryze.client, "sales", event, sample(event))

    emitted = ryze.events("sales")
    assert {e["event"] for e in emitted} == set(catalog_events())
    got = receiver.wait_for(len(emitted))
    assert [r.body for r in got] == emitted  # every envelope, in emission order, unchanged
    assert_valid_bodies(receiver)
    for request in got:
        assert request.method == "POST"
        assert request.path == "/hook"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["user-agent"] == USER_AGENT == "RyzeAPI-Webhook/1.0 (mockryze)"
        if request.event == "instance.state":  # the live service sends these without Authorization
            assert "authorization" not in request.headers
        else:
            assert request.headers["authorization"] == "Bearer s3cret"
    for request in got:  # instanceData is what the mock fills in
        assert request.body["instanceData"] == {"baseUrl": ryze.base_url, "instance": "sales", "token": sales.token}
    assert [r.body["data"]["state"] for r in got if r.event == "instance.state"] == \
        ["qr_ready", "pair_success", "connected"]

    done = ryze.wait_for_deliveries(len(emitted), status="delivered")
    assert len(ryze.deliveries()) == len(emitted)
    for delivery in done:
        assert [a["statusCode"] for a in delivery["attempts"]] == [200]
        assert delivery["attempts"][0]["error"] is None


def catalog_events() -> list[str]:
    return ["message.exchange", "message.status", "group.flow", "instance.state", "call.update", "label.update"]


@pytest.mark.ryze(**FAST, profile="docs")
def test_docs_profile_sends_authorization_on_instance_state(ryze: MockRyze, api: CheckedClient,
                                                           receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Token abc")
    connect_for_real(ryze)
    inject(ryze.client, "sales", "call.update", call_data(1))
    got = receiver.wait_for(4)
    assert [r.event for r in got] == ["instance.state"] * 3 + ["call.update"]
    assert [r.headers.get("authorization") for r in got] == ["Token abc"] * 4
    assert_valid_bodies(receiver)


def test_no_authorization_header_when_none_is_configured(ryze: MockRyze, api: CheckedClient,
                                                         receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    [request] = receiver.wait_for(1)
    assert "authorization" not in request.headers
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize("path", ["/in", "/in/"])
def test_by_events_appends_the_event_name(ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool,
                                          path: str) -> None:
    receiver = receivers.new()
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
                                                 receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook("/in/"), byEvents=False)
    inject(ryze.client, "sales", "group.flow", sample("group.flow"))
    [request] = receiver.wait_for(1)
    assert request.path == "/in/"


def test_the_event_filter_is_respected(ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), events=["label.update", "call.update"])

    connect_for_real(ryze)
    for event in INJECTABLE:
        inject(ryze.client, "sales", event, sample(event))
    inject(ryze.client, "sales", "message.exchange", sample("message.exchange"))
    inject(ryze.client, "sales", "call.update", call_data(99))  # the sentinel: FIFO, so all before it is done

    got = receiver.wait_for(3)
    wanted = [e for e in ryze.events("sales") if e["event"] in ("label.update", "call.update")]
    assert [r.body for r in got] == wanted
    assert [r.event for r in got] == ["call.update", "label.update", "call.update"]
    assert got[-1].body["data"]["id"] == call_data(99)["id"]
    # the unwanted events were never journaled, let alone sent
    assert [d["event"] for d in ryze.deliveries()] == ["call.update", "label.update", "call.update"]
    for event in ("message.exchange", "message.status", "group.flow", "instance.state"):
        assert ryze.deliveries(event=event) == []
    ryze.wait_for_deliveries(3, status="delivered")
    assert len(receiver.received) == 3


def test_media_base64_is_kept_only_where_wanted(ryze: MockRyze, api: CheckedClient,
                                                receivers: ReceiverPool) -> None:
    raw, lean = receivers.new(), receivers.new()
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


def test_down_then_500_then_slow_then_success_follows_the_backoff(ryze: MockRyze, api: CheckedClient,
                                                                  receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)  # the port is bound but nobody listens: refused
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    start = ryze.world.now()
    envelope = inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    dlv = delivery["id"]

    first = wait_attempts(ryze, dlv, 1)[0]
    assert first["statusCode"] is None
    assert first["error"] and "Connect" in first["error"]
    assert journal(ryze, dlv)["status"] == "pending"

    receiver.script(500, Slow(1.0), 200).start()
    second = retry_after(ryze, dlv, 1, 1.0)
    assert (second["statusCode"], second["error"]) == (500, None)
    third = retry_after(ryze, dlv, 2, 2.0)
    assert (third["statusCode"], third["error"]) == (None, "timeout after 0.3 s")
    assert third["latencyMs"] >= 250
    assert journal(ryze, dlv)["status"] == "pending"
    fourth = retry_after(ryze, dlv, 3, 4.0)
    assert (fourth["statusCode"], fourth["error"]) == (200, None)

    final = wait_status(ryze, dlv, "delivered")
    assert [a["attempt"] for a in final["attempts"]] == [1, 2, 3, 4]
    assert [a["at"] for a in final["attempts"]] == [ryze.world.iso(start + s) for s in (0, 1, 3, 7)]
    got = receiver.wait_for(3)
    assert [r.answer for r in got] == [500, Slow(1.0), 200]
    assert all(r.body == envelope for r in got)
    ryze.advance(100)
    assert_no_new_attempt(ryze, dlv, 4)


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_receiver_that_never_recovers_ends_dead(ryze: MockRyze, api: CheckedClient,
                                                  receivers: ReceiverPool, status: int) -> None:
    receiver = receivers.new(default=status)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    [delivery] = ryze.deliveries()
    dlv = delivery["id"]
    delays = ryze.settings.retry_delays
    assert delays == (1.0, 2.0, 4.0)
    for done, delay in enumerate(delays, start=1):
        wait_attempts(ryze, dlv, done)
        assert journal(ryze, dlv)["status"] == "pending"
        assert_no_new_attempt(ryze, dlv, done)
        ryze.advance(delay)
    final = wait_status(ryze, dlv, "dead")
    assert len(final["attempts"]) == 1 + len(delays) == 4
    assert [a["statusCode"] for a in final["attempts"]] == [status] * 4
    ryze.advance(1000)
    assert_no_new_attempt(ryze, dlv, 4)
    assert len(receiver.received) == 4
    assert ryze.deliveries(status="dead") == [final]


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_other_4xx_is_dead_lettered_at_once(ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool,
                                            status: int) -> None:
    receiver = receivers.new(default=status)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    final = wait_status(ryze, delivery["id"], "dead")  # without any clock advance
    assert [a["statusCode"] for a in final["attempts"]] == [status]
    ryze.advance(100)
    assert_no_new_attempt(ryze, delivery["id"], 1)
    assert len(receiver.received) == 1


def test_a_request_that_cannot_be_sent_is_dead_lettered_at_once(ryze: MockRyze, api: CheckedClient,
                                                                receivers: ReceiverPool) -> None:
    """An Authorization value outside latin-1 cannot go in an HTTP header: journaled, not a wedged queue."""
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), label="bad", authorization="Bearer é€")
    configure(api, url=receiver.hook(), label="good")
    inject(ryze.client, "sales", "call.update", call_data(1))
    inject(ryze.client, "sales", "call.update", call_data(2))
    bad = [d for d in ryze.deliveries() if d["label"] == "bad"]
    for delivery in bad:
        final = wait_status(ryze, delivery["id"], "dead")  # without any clock advance
        [attempt] = final["attempts"]
        assert attempt["statusCode"] is None and attempt["error"].startswith("UnicodeEncodeError")
    good = [d for d in ryze.deliveries() if d["label"] == "good"]
    assert [wait_status(ryze, d["id"], "delivered")["status"] for d in good] == ["delivered"] * 2
    assert len(receiver.received) == 2


def test_every_delivery_ends_delivered_or_dead(ryze: MockRyze, api: CheckedClient,
                                               receivers: ReceiverPool) -> None:
    ok, gone, calls = receivers.new(), receivers.new(default=404), receivers.new()
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
    delivered = ryze.wait_for_deliveries(9 + 5, status="delivered")
    dead = ryze.wait_for_deliveries(9, status="dead")
    assert len(delivered) + len(dead) == len(ryze.deliveries()) == matching
    assert ryze.deliveries(status="pending") == []
    assert {d["label"] for d in dead} == {"gone"}
    assert {d["label"] for d in delivered} == {"ok", "calls"}
    assert len(ok.received) == len(gone.received) == 9
    assert [r.body["data"]["id"] for r in calls.received] == [call_data(n)["id"] for n in range(4)] + \
        [sample("call.update")["id"]]


def test_redeliver_a_dead_delivery_to_a_recovered_receiver(ryze: MockRyze, api: CheckedClient,
                                                           receivers: ReceiverPool) -> None:
    receiver = receivers.new(default=404)
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Bearer again")
    envelope = inject(ryze.client, "sales", "message.status", sample("message.status"))
    [dead] = ryze.deliveries()
    wait_status(ryze, dead["id"], "dead")

    receiver.default = 200
    response = redeliver(ryze, dead["id"])
    assert response.status_code == 202
    schemas.validate("mock/redeliver.response", response.json())
    assert response.json()["message"] == "Redelivery queued"
    copy = response.json()["delivery"]
    assert copy["id"] != dead["id"]
    assert (copy["url"], copy["event"], copy["envelope"]) == (dead["url"], dead["event"], envelope)

    done = wait_status(ryze, copy["id"], "delivered")
    assert [a["statusCode"] for a in done["attempts"]] == [200]
    assert journal(ryze, dead["id"])["status"] == "dead"  # the original stays as it was
    got = receiver.wait_for(2)
    assert got[1].body == envelope
    assert got[1].headers["authorization"] == "Bearer again"
    assert len(ryze.deliveries()) == 2


def test_redeliver_unknown_or_foreign_delivery_is_404(ryze: MockRyze, api: CheckedClient,
                                                      receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    assert error_of(redeliver(ryze, "dlv_999999")) == (404, "Delivery not found")
    other = ryze.new_account()
    assert error_of(redeliver(ryze, delivery["id"], token=other)) == (404, "Delivery not found")
    ryze.wait_for_deliveries(1, status="delivered")
    assert len(ryze.deliveries()) == 1
    assert len(receiver.wait_for(1)) == 1


# --- the capture inbox ----------------------------------------------------------------------------


def test_the_in_process_inbox_records_deliveries_with_headers(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales", connected=True)
    configure(api, label="plain", url=ryze.inbox_url("plain"), authorization="Bearer inbox")
    configure(api, label="split", url=ryze.inbox_url("split"), byEvents=True)
    envelope = inject(ryze.client, "sales", "call.update", call_data(7))
    ryze.set_state("sales", "disconnected")
    ryze.wait_for_deliveries(4, status="delivered")

    plain = ryze.inbox("plain")
    assert [item["body"] for item in plain] == [envelope, ryze.events("sales", "instance.state")[-1]]
    assert [item["path"] for item in plain] == ["/", "/"]
    assert plain[0]["headers"]["content-type"] == "application/json"
    assert plain[0]["headers"]["user-agent"] == USER_AGENT
    assert plain[0]["headers"]["authorization"] == "Bearer inbox"
    assert "authorization" not in plain[1]["headers"]  # instance.state, live profile
    assert [item["path"] for item in ryze.inbox("split")] == ["/call.update", "/instance.state"]
    for item in plain + ryze.inbox("split"):
        schemas.validate_event(item["body"])

    listed = ryze.client.get("/__mock__/inbox/plain")  # the same, over the control plane
    assert listed.status_code == 200
    schemas.validate("mock/inbox.response", listed.json())
    assert listed.json()["count"] == 2
    assert listed.json()["items"] == plain
    assert ryze.client.delete("/__mock__/inbox/plain").status_code == 200
    assert ryze.inbox("plain") == []


def test_the_inbox_over_the_live_server(ryze: MockRyze) -> None:
    base = ryze.serve()
    assert ryze.inbox_url("live") == f"{base}/__mock__/inbox/live"
    with httpx.Client(base_url=base, headers={"token": ryze.account_token}, timeout=5) as http:
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        response = http.post("/api/events/webhook/sales", json={"enabled": True, "url": ryze.inbox_url("live"),
                                                                "authorization": "Bearer live", "byEvents": True})
        assert response.status_code == 200, response.text
        sent = [inject(http, "sales", event, sample(event)) for event in INJECTABLE]
        assert all(e["instanceData"]["baseUrl"] == base for e in sent)
        ryze.wait_for_deliveries(len(sent), status="delivered")
        items = http.get("/__mock__/inbox/live").json()["items"]
    assert [item["body"] for item in items] == sent
    assert [item["path"] for item in items] == [f"/{event}" for event in INJECTABLE]
    for item in items:
        assert item["headers"]["authorization"] == "Bearer live"
        assert item["headers"]["user-agent"] == USER_AGENT
        assert item["headers"]["content-type"] == "application/json"
        assert item["headers"]["host"] == base.removeprefix("http://")  # it really came over TCP
        schemas.validate_event(item["body"])
    assert ryze.inbox("live") == items


# --- the journal over the control plane -----------------------------------------------------------


def test_deliveries_can_be_filtered(ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool) -> None:
    ok, gone, down = receivers.new(), receivers.new(default=404), receivers.new(start=False)
    ryze.create_instance("sales")
    ryze.create_instance("support")
    configure(api, "sales", label="ok", url=ok.hook())
    configure(api, "sales", label="gone", url=gone.hook(), events=["label.update"])
    configure(api, "support", url=down.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    inject(ryze.client, "support", "call.update", call_data(2))
    ryze.wait_for_deliveries(2, status="delivered")
    ryze.wait_for_deliveries(1, status="dead")
    [stuck] = ryze.deliveries(instance="support")
    wait_attempts(ryze, stuck["id"], 1)

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


# Immediate retries: a transient failure on a loaded machine must not park the queue behind the
# frozen virtual clock; order and completeness are what this test is about.
@pytest.mark.ryze(webhook_retry_delays="0,0,0,0,0")
def test_a_thousand_events_arrive_in_emission_order(ryze: MockRyze, api: CheckedClient,
                                                    receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    for number in range(1000):  # the control plane's injection, without HTTP, to keep this fast
        ryze.emit("sales", "call.update", call_data(number))
    try:
        got = receiver.wait_for(1000, timeout=30)
    except AssertionError as missing:
        failed = [(d["id"], d["status"], d["attempts"]) for d in ryze.deliveries() if d["status"] != "delivered"]
        raise AssertionError(f"{missing}; undelivered: {failed[:3]}") from None
    assert [r.body["data"]["id"] for r in got] == [call_data(n)["id"] for n in range(1000)]
    assert [r.body for r in got] == ryze.events("sales")
    ryze.wait_for_deliveries(1000, status="delivered", timeout=10)
    assert len(ryze.deliveries()) == 1000
    assert len(receiver.received) == 1000  # none lost, none doubled


@pytest.mark.ryze(webhook_retry_delays="0,0,0,0,0")
def test_events_published_from_many_threads_reach_every_webhook_in_bus_order(
        ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool) -> None:
    """Deliveries reach the delivery loop in batches; each webhook still sees the bus's order, all of it."""
    hooks = [receivers.new() for _ in range(3)]
    ryze.create_instance("sales")
    for label, receiver in zip("abc", hooks, strict=True):
        configure(api, label=label, url=receiver.hook())

    def publish(first: int) -> None:
        for number in range(first, first + 100):
            ryze.emit("sales", "call.update", call_data(number))

    threads = [threading.Thread(target=publish, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emitted = ryze.events("sales")
    assert len(emitted) == 400
    for receiver in hooks:
        assert [r.body for r in receiver.wait_for(400, timeout=30)] == emitted
    assert len(ryze.wait_for_deliveries(1200, status="delivered", timeout=10)) == 1200


def test_a_closed_delivery_loop_starts_again_for_the_next_event(ryze: MockRyze, api: CheckedClient,
                                                                receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.channels.delivery.close()  # maybe before the first delivery went out: it may stay pending
    envelope = inject(ryze.client, "sales", "call.update", call_data(2))
    [second] = [d for d in ryze.deliveries() if d["envelope"] == envelope]
    wait_status(ryze, second["id"], "delivered")
    assert envelope in receiver.bodies()


def test_a_retrying_webhook_does_not_block_another_one(ryze: MockRyze, api: CheckedClient,
                                                       receivers: ReceiverPool) -> None:
    down, up = receivers.new(start=False), receivers.new()
    ryze.create_instance("sales")
    configure(api, label="down", url=down.hook())
    configure(api, label="up", url=up.hook())
    ids = [call_data(n)["id"] for n in range(5)]
    for number in range(5):
        inject(ryze.client, "sales", "call.update", call_data(number))

    assert [r.body["data"]["id"] for r in up.wait_for(5)] == ids
    stuck = [d for d in ryze.deliveries() if d["label"] == "down"]
    wait_attempts(ryze, stuck[0]["id"], 1)
    stuck = [d for d in ryze.deliveries() if d["label"] == "down"]
    # head of line: the first is retrying, the later ones wait behind it untried
    assert [len(d["attempts"]) for d in stuck] == [1, 0, 0, 0, 0]
    assert {d["status"] for d in stuck} == {"pending"}

    down.start()
    retry_after(ryze, stuck[0]["id"], 1, 1.0)
    assert [r.body["data"]["id"] for r in down.wait_for(5)] == ids
    assert len(ryze.wait_for_deliveries(10, status="delivered")) == 10


def test_the_configuration_is_read_when_the_event_is_emitted(ryze: MockRyze, api: CheckedClient,
                                                             receivers: ReceiverPool) -> None:
    first, second = receivers.new(), receivers.new()
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
    ryze.wait_for_deliveries(2, status="delivered")
    assert len(second.received) == 1


def test_a_pending_delivery_keeps_the_url_it_was_emitted_with(ryze: MockRyze, api: CheckedClient,
                                                             receivers: ReceiverPool) -> None:
    old, new = receivers.new(start=False), receivers.new()
    ryze.create_instance("sales")
    configure(api, url=old.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    [pending] = ryze.deliveries()
    wait_attempts(ryze, pending["id"], 1)
    configure(api, url=new.hook())  # changed while the first delivery is retrying
    inject(ryze.client, "sales", "call.update", call_data(2))

    old.start()
    retry_after(ryze, pending["id"], 1, 1.0)
    assert [r.body["data"]["id"] for r in old.wait_for(1)] == [call_data(1)["id"]]
    assert [r.body["data"]["id"] for r in new.wait_for(1)] == [call_data(2)["id"]]
    assert [d["url"] for d in ryze.wait_for_deliveries(2, status="delivered")] == [old.hook(), new.hook()]


def test_other_instances_events_do_not_reach_a_webhook(ryze: MockRyze, api: CheckedClient,
                                                       receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    ryze.create_instance("support")
    configure(api, "sales", url=receiver.hook())
    inject(ryze.client, "support", "call.update", call_data(1))
    inject(ryze.client, "sales", "call.update", call_data(2))
    [request] = receiver.wait_for(1)
    assert request.body["instanceData"]["instance"] == "sales"
    assert ryze.deliveries(instance="support") == []


def test_injected_events_are_checked_against_their_schema(ryze: MockRyze, api: CheckedClient,
                                                          receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    bad = example_data("call.update")
    bad["status"] = "ringing"
    response = api.post("/__mock__/instances/sales/events", json={"event": "call.update", "data": bad})
    assert error_of(response) == literals.INVALID_BODY
    assert ryze.events("sales") == []
    assert ryze.deliveries() == []
