"""The Python API over events: ``wait_for_event`` and ``wait_for_deliveries``."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.events.receivers import VirtualReceivers, call_data, inject, sample


def later(seconds: float, action: Any) -> threading.Thread:
    """Run ``action`` from another thread after a short real delay (an event arriving while we wait)."""
    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# --- wait_for_event -------------------------------------------------------------------------------


def test_wait_for_event_returns_the_envelope(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales")
    ryze.connect("sales")
    ryze.scan("sales", number="5511987654321")
    envelope = ryze.wait_for_event("instance.state", state="connected", timeout=1.0)
    assert envelope["event"] == "instance.state"
    assert envelope["data"]["state"] == "connected"
    assert envelope["data"]["jid"] == "5511987654321@s.whatsapp.net"
    assert envelope["instanceData"] == {"baseUrl": ryze.base_url, "instance": "sales", "token": sales.token}
    assert envelope == ryze.events("sales", "instance.state")[-1]
    schemas.validate_event(envelope)


def test_wait_for_event_blocks_until_the_event_arrives(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    assert ryze.events("sales", "instance.state")[-1]["data"]["state"] == "connected"  # not there yet
    thread = later(0.1, lambda: ryze.set_state("sales", "disconnected"))
    envelope = ryze.wait_for_event("instance.state", state="disconnected", timeout=5.0)
    assert envelope["data"]["state"] == "disconnected"
    assert envelope == ryze.events("sales", "instance.state")[-1]
    thread.join()


def test_a_non_matching_wait_lists_what_did_arrive(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    with pytest.raises(AssertionError) as failure:
        ryze.wait_for_event("instance.state", state="logged_out", timeout=0.05)
    message = str(failure.value)
    assert "no instance.state event with state='logged_out' arrived" in message
    # each event of that type, with the value of the field that differed
    for state in ("qr_ready", "pair_success", "connected"):
        assert f"state={state!r}" in message
    assert "sales" in message


def test_a_wait_for_a_type_that_never_came_names_the_types_that_did(ryze: MockRyze) -> None:
    ryze.create_instance("sales", connected=True)
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    with pytest.raises(AssertionError) as failure:
        ryze.wait_for_event("call.update", timeout=0.1)
    message = str(failure.value)
    assert "no call.update event with any data arrived" in message
    assert "events that did arrive: instance.state, label.update" in message


def test_a_wait_on_an_empty_world_says_nothing_arrived(ryze: MockRyze) -> None:
    with pytest.raises(AssertionError, match="events that did arrive: nothing"):
        ryze.wait_for_event("message.exchange", timeout=0.05)


def test_nested_fields_match_with_double_underscore(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    data = sample("message.exchange")
    envelope = inject(ryze.client, "sales", "message.exchange", data)
    found = ryze.wait_for_event("message.exchange", message__type=data["message"]["type"],
                                chat__jid=data["chat"]["jid"], sender__name=data["sender"]["name"])
    assert found == envelope
    with pytest.raises(AssertionError) as failure:
        ryze.wait_for_event("message.exchange", message__type="audio", chat__jid=data["chat"]["jid"], timeout=0.05)
    message = str(failure.value)
    # per event: only the field that differed, with its nested value (chat__jid matched)
    assert f"  #1 sales: message__type={data['message']['type']!r}" in message.splitlines()
    with pytest.raises(AssertionError, match="message__nope=<missing>"):
        ryze.wait_for_event("message.exchange", message__nope="x", timeout=0.05)


def test_wait_for_event_filters_by_instance(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    ryze.create_instance("support")
    inject(ryze.client, "support", "call.update", call_data(1))
    mine = inject(ryze.client, "sales", "call.update", call_data(2))
    assert ryze.wait_for_event("call.update", instance="sales") == mine
    assert ryze.wait_for_event("call.update")["instanceData"]["instance"] == "support"  # the first one
    with pytest.raises(AssertionError, match="of 'sales'"):
        ryze.wait_for_event("call.update", instance="sales", id=call_data(1)["id"], timeout=0.05)


def test_wait_for_event_only_sees_its_own_account(ryze: MockRyze) -> None:
    other = ryze.new_account()
    ryze.create_instance("sales", account_token=other, connected=True)
    with pytest.raises(AssertionError):
        ryze.wait_for_event("instance.state", state="connected", timeout=0.05)
    assert ryze.wait_for_event("instance.state", state="connected", account_token=other)["data"]["state"] == \
        "connected"


# --- wait_for_deliveries and settle_deliveries ----------------------------------------------------


def test_wait_for_deliveries_returns_the_finished_ones(ryze: MockRyze, hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("sales", webhookEnabled=True, webhookURL=receiver.hook())
    for number in range(3):
        inject(ryze.client, "sales", "call.update", call_data(number))
    done = ryze.wait_for_deliveries(3, status="delivered", timeout=3.0)
    assert [d["status"] for d in done] == ["delivered"] * 3
    assert [d["envelope"]["data"]["id"] for d in done] == [call_data(n)["id"] for n in range(3)]
    assert len(receiver.received) == 3
    assert ryze.wait_for_deliveries(1, event="call.update", instance="sales") == done


def test_wait_for_deliveries_fails_with_the_journal(ryze: MockRyze, hooks: VirtualReceivers) -> None:
    down = hooks.new(start=False)
    ryze.create_instance("sales", webhookEnabled=True, webhookURL=down.hook())
    inject(ryze.client, "sales", "label.update", sample("label.update"))
    with pytest.raises(AssertionError) as failure:
        ryze.wait_for_deliveries(1, status="delivered", timeout=0.05)
    assert "expected 1 deliveries with status='delivered'" in str(failure.value)
    assert "('dlv_000001', 'label.update', 'pending')" in str(failure.value)


def test_wait_for_deliveries_waits_for_a_retry(ryze: MockRyze, hooks: VirtualReceivers) -> None:
    receiver = hooks.new(default=503)
    ryze.create_instance("sales", webhookEnabled=True, webhookURL=receiver.hook())
    inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.settle_deliveries()
    assert len(receiver.received) == 1
    assert ryze.deliveries(status="delivered") == []  # the clock stands still: the retry waits for it
    receiver.default = 200
    ryze.advance(1)
    [done] = ryze.wait_for_deliveries(1, status="delivered", timeout=5.0)
    assert [a["statusCode"] for a in done["attempts"]] == [503, 200]


def test_settle_deliveries_returns_once_only_the_clock_can_move_things(ryze: MockRyze,
                                                                        hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    receiver.script(500, 500)
    ryze.create_instance("sales", webhookEnabled=True, webhookURL=receiver.hook())
    ryze.settle_deliveries()  # nothing at all to deliver
    for number in range(3):
        inject(ryze.client, "sales", "call.update", call_data(number))
    ryze.settle_deliveries()
    assert [len(d["attempts"]) for d in ryze.deliveries()] == [1, 0, 0]  # the first waits for its retry
    ryze.advance(0.5)
    ryze.settle_deliveries()
    assert [len(d["attempts"]) for d in ryze.deliveries()] == [1, 0, 0]  # not due yet
    ryze.advance(0.5)
    ryze.settle_deliveries()
    assert [len(d["attempts"]) for d in ryze.deliveries()] == [2, 0, 0]
    ryze.advance(2)
    ryze.settle_deliveries()
    assert [d["status"] for d in ryze.deliveries()] == ["delivered"] * 3
    assert [len(d["attempts"]) for d in ryze.deliveries()] == [3, 1, 1]
