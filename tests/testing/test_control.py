"""One Control interface: MockRyze and RemoteRyze offer the same verbs, and each verb is a row of
the control plane reached in-process and over HTTP with the same result."""

from __future__ import annotations

import inspect

import pytest

from mockryze.core.errors import ApiError
from mockryze.modules import VERBS
from mockryze.testing import MockRyze, RemoteRyze
from mockryze.testing.control import Control, ControlRefused

CONTACT = "5511987650001"
PUBLIC = sorted(name for name, _ in inspect.getmembers(Control) if not name.startswith("_"))


@pytest.mark.parametrize("name", PUBLIC)
def test_mock_and_remote_offer_each_verb_with_one_signature(name: str) -> None:
    expected = inspect.signature(getattr(Control, name)) if callable(getattr(Control, name)) else None
    for implementation in (MockRyze, RemoteRyze):
        member = getattr(implementation, name)
        if expected is not None:
            assert inspect.signature(member) == expected, f"{implementation.__name__}.{name} drifted"


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_control_plane_row_is_a_python_verb(verb: str) -> None:
    assert verb in PUBLIC, f"/__mock__ row {verb!r} has no Control method"


@pytest.fixture
def both(ryze: MockRyze) -> list[Control]:
    """The same world, reached in-process and over HTTP."""
    remote = RemoteRyze(ryze.serve(), ryze.account_token)
    yield [ryze, remote]
    remote.close()


def test_local_and_remote_verbs_see_and_change_the_same_world(both: list[Control]) -> None:
    local, remote = both
    token = remote.new_account()
    remote.create_instance("sales", account_token=token, connected=True, number="5511912340000")
    assert local.instance("sales", account_token=token)["state"] == "connected"
    contact = remote.contact("sales", CONTACT, display_name="Ana", receipts="unread", account_token=token)
    assert contact == local.contact("sales", CONTACT, account_token=token)
    received = remote.inbound("sales", from_=CONTACT, text="Oi!", account_token=token)
    assert received is not None and received["content"] == "Oi!"
    assert remote.messages("sales", account_token=token) == local.messages("sales", account_token=token)
    assert [e["event"] for e in remote.events("sales", account_token=token)][-1] == "message.exchange"
    group = remote.create_group("sales", "Equipe", [CONTACT], account_token=token)
    assert group.endswith("@g.us")
    call = remote.call("sales", from_=CONTACT, isVideo=True, account_token=token)
    assert call["isVideo"] is True and call["status"] == "offer"
    assert remote.wait_for_event("call.update", instance="sales", account_token=token)["data"]["id"] == call["id"]


def test_a_refused_verb_raises_the_literal_on_both_sides(both: list[Control]) -> None:
    local, remote = both
    local.create_instance("idle")
    for control in (local, remote):
        with pytest.raises(ApiError) as refused:
            control.scan("idle")
        assert refused.value.status == 409
        assert refused.value.message == "No QR code or pairing code is waiting to be scanned"
    with pytest.raises(ControlRefused):  # also an AssertionError, so a test reads it as a failure
        remote.set_state("ghost", "connected")


def test_clock_and_reset_over_http(both: list[Control]) -> None:
    local, remote = both
    before = remote.clock()["now"]
    remote.advance(30)
    assert local.clock()["now"] == before + 30
    remote.create_instance("sales")
    remote.reset()
    assert local.events() == []
    with pytest.raises(ApiError):
        local.instance("sales")


def test_websocket_clients_counts_the_instance_sockets_on_both_sides(both: list[Control]) -> None:
    from websockets.sync.client import connect

    local, remote = both
    sales = local.create_instance("sales", connected=True)
    local.client.post("/api/events/websocket/sales", json={"enabled": True}, headers={"token": sales.token})
    assert remote.websocket_clients("sales") == 0
    url = remote.base_url.replace("http://", "ws://") + "/ws/sales"
    with connect(url, additional_headers={"token": sales.token}):
        assert local.websocket_clients("sales") == 1 == remote.websocket_clients("sales")
    with pytest.raises(ApiError):
        remote.websocket_clients("ghost")
