"""Webhook delivery over real sockets: real receivers on 127.0.0.1, the keep-alive client, the inbox.

The virtual-clock behaviour (backoff, dead letters, ordering) is covered without sockets in
``test_webhook_delivery.py``; these check that the network transport gets it all to real servers.
"""

from __future__ import annotations

import httpx
import pytest

from mockryze.core import schemas
from mockryze.events.delivery import USER_AGENT
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient
from tests.events.journal import assert_valid_bodies, configure, connect_for_real, follow_the_backoff
from tests.events.receivers import INJECTABLE, ReceiverPool, Slow, call_data, inject, sample

CALLER = "5511912345678"


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


def test_refused_500_and_slow_receivers_are_journaled_and_retried(ryze: MockRyze, api: CheckedClient,
                                                                   receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)  # the port is bound but nobody listens: refused
    envelope, final = follow_the_backoff(ryze, api, receiver, Slow(1.0))
    assert final["attempts"][2]["latencyMs"] >= 250
    got = receiver.wait_for(3)
    assert [r.answer for r in got] == [500, Slow(1.0), 200]
    assert all(r.body == envelope for r in got)


def test_a_request_that_cannot_be_sent_is_dead_lettered_at_once(ryze: MockRyze, api: CheckedClient,
                                                                receivers: ReceiverPool) -> None:
    """An Authorization value outside latin-1 cannot go in an HTTP header: journaled, not a wedged queue."""
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), label="bad", authorization="Bearer é€")
    configure(api, url=receiver.hook(), label="good")
    inject(ryze.client, "sales", "call.update", call_data(1))
    inject(ryze.client, "sales", "call.update", call_data(2))
    ryze.settle_deliveries()  # without any clock advance
    for delivery in ryze.deliveries(status="dead"):
        assert delivery["label"] == "bad"
        [attempt] = delivery["attempts"]
        assert attempt["statusCode"] is None and attempt["error"].startswith("UnicodeEncodeError")
    assert [d["label"] for d in ryze.deliveries(status="dead")] == ["bad", "bad"]
    assert [d["label"] for d in ryze.deliveries(status="delivered")] == ["good", "good"]
    assert len(receiver.received) == 2


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


# --- ordering under load --------------------------------------------------------------------------


# Immediate retries: a transient failure on a loaded machine must not park the queue behind the
# frozen virtual clock; order and completeness are what this test is about.
@pytest.mark.slow
@pytest.mark.ryze(webhook_retry_delays="0,0,0,0,0")
def test_a_thousand_events_arrive_in_emission_order(ryze: MockRyze, api: CheckedClient,
                                                    receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales", connected=True)
    configure(api, url=receiver.hook())
    sent = [ryze.call("sales", from_=CALLER)["id"] for _ in range(1000)]  # no HTTP per event, to keep this fast
    try:
        got = receiver.wait_for(1000, timeout=30)
    except AssertionError as missing:
        failed = [(d["id"], d["status"], d["attempts"]) for d in ryze.deliveries() if d["status"] != "delivered"]
        raise AssertionError(f"{missing}; undelivered: {failed[:3]}") from None
    assert [r.body["data"]["id"] for r in got] == sent
    assert [r.body for r in got] == ryze.events("sales", "call.update")
    ryze.wait_for_deliveries(1000, status="delivered", timeout=10)
    assert len(ryze.deliveries()) == 1000
    assert len(receiver.received) == 1000  # none lost, none doubled


def test_a_plain_http_receiver_gets_only_the_webhooks_own_headers(ryze: MockRyze, api: CheckedClient,
                                                                  receivers: ReceiverPool) -> None:
    """http:// receivers get the lean keep-alive client's requests: no Accept, Accept-Encoding or
    Connection header a general-purpose client would add."""
    receiver = receivers.new()
    ryze.create_instance("sales")
    configure(api, url=receiver.hook(), authorization="Bearer s3cret")
    inject(ryze.client, "sales", "call.update", call_data(1))
    inject(ryze.client, "sales", "call.update", call_data(2))
    for request in receiver.wait_for(2):
        assert sorted(request.headers) == ["authorization", "content-length", "content-type", "host", "user-agent"]
