"""``GET /ws/:instance`` over a live server (``ryze.serve()``) with real WebSocket clients."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from mockryze.core import literals, schemas
from mockryze.core.bus import RecordedEvent
from mockryze.events.config import WebSocketConfig
from mockryze.events.wshub import Hub
from mockryze.testing.api import MockRyze
from tests.events.receivers import (
    INJECTABLE,
    ReceiverPool,
    call_data,
    inject,
    media_example,
    sample,
    without_base64,
)

NOT_ENABLED = ("WebSocket is not enabled for this instance. "
               "Configure it first using POST /api/events/websocket/{name}")


class Sockets:
    """Opens real WebSocket clients against the live server; closes them all at the end."""

    def __init__(self, ryze: MockRyze) -> None:
        self.ryze = ryze
        self.base = ryze.serve().replace("http://", "ws://")
        self._stack = contextlib.ExitStack()

    def url(self, name: str, query: str = "") -> str:
        return f"{self.base}/ws/{name}" + (f"?{query}" if query else "")

    def open(self, name: str, token: str | None, how: str = "header", **options: Any) -> ClientConnection:
        headers: dict[str, str] = {}
        query = ""
        if token is not None and how == "header":
            headers["token"] = token
        elif token is not None and how == "bearer":
            headers["Authorization"] = f"Bearer {token}"
        elif token is not None and how == "query":
            query = f"token={token}"
        options.setdefault("open_timeout", 5)
        options.setdefault("close_timeout", 1)
        client: ClientConnection = self._stack.enter_context(
            connect(self.url(name, query), additional_headers=headers, **options))
        return client

    def refused(self, name: str, token: str | None, how: str = "header") -> tuple[int, dict[str, Any]]:
        """The HTTP answer to an upgrade that must be refused: (status, JSON body)."""
        with pytest.raises(InvalidStatus) as info:
            self.open(name, token, how)
        response = info.value.response
        assert response.headers["content-type"].startswith("application/json")
        body: dict[str, Any] = json.loads(bytes(response.body or b""))
        schemas.validate("common/error", body)
        return response.status_code, body

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def sockets(ryze: MockRyze) -> Iterator[Sockets]:
    pool = Sockets(ryze)
    try:
        yield pool
    finally:
        pool.close()


def frame(client: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    text = client.recv(timeout=timeout)
    assert isinstance(text, str), f"expected a text frame, got {type(text).__name__}"
    envelope: dict[str, Any] = json.loads(text)
    return envelope


def frames(client: ClientConnection, count: int, timeout: float = 3.0) -> list[dict[str, Any]]:
    return [frame(client, timeout) for _ in range(count)]


def assert_nothing_else(ryze: MockRyze, client: ClientConnection, name: str = "sales") -> None:
    """No other frame is queued for the client: the next one is a sentinel event sent now (frames keep
    emission order)."""
    sentinel = inject(ryze.client, name, "call.update", call_data(0xD0_0D))
    assert frame(client) == sentinel


def wait_clients(ryze: MockRyze, name: str, count: int, timeout: float = 3.0) -> None:
    """Bounded real-time wait until ``count`` clients of the instance are connected."""
    deadline = time.monotonic() + timeout
    while ryze.websocket_clients(name) != count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ryze.websocket_clients(name) == count


def error(message: str) -> dict[str, Any]:
    return {"success": False, "error": {"message": message}}


def configure_ws(ryze: MockRyze, name: str, **body: Any) -> None:
    response = ryze.client.post(f"/api/events/websocket/{name}", json=body,
                                headers={"token": ryze.account_token})
    assert response.status_code == 200, response.text


def every_event(ryze: MockRyze, name: str = "sales") -> list[dict[str, Any]]:
    """One event of each of the 6 types: 5 injected, instance.state from a real state change."""
    sent = [inject(ryze.client, name, event, sample(event)) for event in INJECTABLE]
    ryze.set_state(name, "disconnected")
    sent.append(ryze.events(name, "instance.state")[-1])
    return sent


# --- authentication and refusals before the upgrade ---------------------------------------------


@pytest.mark.parametrize("how", ["header", "query", "bearer"])
@pytest.mark.parametrize("whose", ["instance", "account"])
def test_each_token_transport_opens_the_socket(ryze: MockRyze, sockets: Sockets, how: str, whose: str) -> None:
    sales = ryze.create_instance("sales", connected=True, websocketEnabled=True)
    client = sockets.open("sales", sales.token if whose == "instance" else ryze.account_token, how)
    envelope = inject(ryze.client, "sales", "call.update", call_data(1))
    assert frame(client) == envelope


def test_a_wrong_token_is_401_before_the_upgrade(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    for how in ("header", "query", "bearer"):
        assert sockets.refused("sales", "not-a-token", how) == (401, error("Invalid token"))


def test_no_token_is_401_with_its_own_message(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    missing = "Missing token in header, Authorization header, or query parameter"
    assert literals.MISSING_TOKEN.message == missing
    assert sockets.refused("sales", None) == (401, error(missing))
    assert sockets.refused("sales", "", "query") == (401, error(missing))


def test_unknown_instance_and_foreign_tokens(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    support = ryze.create_instance("support", websocketEnabled=True)
    other_account = ryze.new_account()
    assert sockets.refused("ghost", ryze.account_token) == (404, error("Instance not found"))
    assert sockets.refused("sales", other_account) == (404, error("Instance not found"))
    assert sockets.refused("sales", support.token) == (403, error("Instance token does not match this instance"))


def test_websocket_not_configured_or_disabled_is_400(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("never-configured")
    ryze.create_instance("sales", websocketEnabled=True)
    ryze.create_instance("created-off", websocketEnabled=False)
    token = ryze.account_token
    assert sockets.refused("never-configured", token) == (400, error(NOT_ENABLED.format(name="never-configured")))
    assert sockets.refused("created-off", token) == (400, error(NOT_ENABLED.format(name="created-off")))
    configure_ws(ryze, "sales", enabled=False)
    assert sockets.refused("sales", token) == (400, error(NOT_ENABLED.format(name="sales")))
    configure_ws(ryze, "sales", enabled=True)
    sockets.open("sales", token)  # and back on, it opens


# --- what the clients receive -------------------------------------------------------------------


def test_two_clients_both_receive_every_event(ryze: MockRyze, sockets: Sockets) -> None:
    sales = ryze.create_instance("sales", connected=True, websocketEnabled=True)
    first = sockets.open("sales", sales.token)
    second = sockets.open("sales", ryze.account_token, "query")
    sent = every_event(ryze)
    assert {e["event"] for e in sent} == {*INJECTABLE, "instance.state"}
    assert frames(first, 6) == sent
    assert frames(second, 6) == sent
    for envelope in sent:
        schemas.validate_event(envelope)
    assert_nothing_else(ryze, first)


def test_frames_carry_only_their_instances_events(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    ryze.create_instance("support", websocketEnabled=True)
    client = sockets.open("sales", ryze.account_token)
    inject(ryze.client, "support", "call.update", call_data(1))
    mine = inject(ryze.client, "sales", "call.update", call_data(2))
    assert frame(client) == mine
    assert_nothing_else(ryze, client)


def test_the_event_filter_is_respected(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", connected=True, websocketEnabled=True,
                         websocketEvents=["label.update", "instance.state"])
    client = sockets.open("sales", ryze.account_token)
    sent = every_event(ryze)
    sentinel = inject(ryze.client, "sales", "label.update", sample("label.update"))
    wanted = [e for e in sent if e["event"] in ("label.update", "instance.state")] + [sentinel]
    assert [e["event"] for e in wanted] == ["label.update", "instance.state", "label.update"]
    assert frames(client, 3) == wanted  # frames keep emission order: nothing unwanted slipped in between


def test_media_base64_only_for_clients_that_asked(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True, websocketMediaBase64=True)
    with_media = sockets.open("sales", ryze.account_token)
    configure_ws(ryze, "sales", enabled=True, mediaBase64=False)  # taken when a socket opens
    without_media = sockets.open("sales", ryze.account_token)

    data = media_example()
    envelope = inject(ryze.client, "sales", "message.exchange", data)
    full = frame(with_media)
    lean = frame(without_media)
    assert full == envelope
    assert full["data"]["message"]["media"]["base64"] == data["message"]["media"]["base64"]
    assert "base64" not in lean["data"]["message"]["media"]
    assert lean["data"] == without_base64(data)
    assert lean["instanceData"] == envelope["instanceData"]
    schemas.validate_event(full)
    schemas.validate_event(lean)


def test_frames_are_the_envelopes_the_webhook_got(ryze: MockRyze, sockets: Sockets,
                                                  receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales", connected=True, websocketEnabled=True, webhookEnabled=True,
                         webhookURL=receiver.hook())
    client = sockets.open("sales", ryze.account_token)
    before = len(ryze.events("sales"))  # the connect's instance.state events went to the webhook only
    assert before == 3
    sent = every_event(ryze)
    inject(ryze.client, "sales", "message.exchange", media_example())  # both channels: mediaBase64 off
    texts = [client.recv(timeout=3) for _ in range(7)]
    assert all(isinstance(text, str) for text in texts)  # JSON text frames, not binary
    posted = [r.body for r in receiver.wait_for(before + 7)][before:]
    assert [json.loads(text) for text in texts] == posted
    assert posted[:6] == sent
    assert "base64" not in posted[6]["data"]["message"]["media"]


def test_a_client_leaving_mid_stream_breaks_nothing(ryze: MockRyze, sockets: Sockets,
                                                    receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    ryze.create_instance("sales", websocketEnabled=True, webhookEnabled=True, webhookURL=receiver.hook())
    leaving = sockets.open("sales", ryze.account_token)
    staying = sockets.open("sales", ryze.account_token)
    sent = [inject(ryze.client, "sales", "call.update", call_data(n)) for n in range(3)]
    assert frames(leaving, 3) == sent
    leaving.close()
    wait_clients(ryze, "sales", 1)
    sent += [inject(ryze.client, "sales", "call.update", call_data(n)) for n in range(3, 6)]
    assert frames(staying, 6) == sent
    assert [r.body for r in receiver.wait_for(6)] == sent
    assert len(ryze.wait_for_deliveries(6, status="delivered")) == 6


def test_a_client_vanishing_without_closing_breaks_nothing(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    vanishing = sockets.open("sales", ryze.account_token)
    staying = sockets.open("sales", ryze.account_token)
    first = inject(ryze.client, "sales", "call.update", call_data(1))
    assert frame(vanishing) == first
    vanishing.socket.close()  # the TCP connection just drops: no close frame
    sent = [first] + [inject(ryze.client, "sales", "call.update", call_data(n)) for n in range(2, 6)]
    assert frames(staying, 5) == sent


def test_an_open_socket_survives_a_later_disable(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    client = sockets.open("sales", ryze.account_token)
    configure_ws(ryze, "sales", enabled=False)
    assert sockets.refused("sales", ryze.account_token) == (400, error(NOT_ENABLED.format(name="sales")))
    envelope = inject(ryze.client, "sales", "label.update", sample("label.update"))
    assert frame(client) == envelope


def closed_with(client: ClientConnection, timeout: float = 5.0) -> tuple[list[dict[str, Any]], int, str]:
    """The frames a client still gets, then the close code and reason the server sent."""
    received = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            received.append(frame(client, timeout))
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return received, closed.value.rcvd.code, closed.value.rcvd.reason


def test_deleting_the_instance_closes_its_sockets_with_1008(ryze: MockRyze, sockets: Sockets) -> None:
    sales = ryze.create_instance("sales", connected=True, websocketEnabled=True)
    by_instance = sockets.open("sales", sales.token)
    by_account = sockets.open("sales", ryze.account_token, "query")
    deleted = ryze.client.delete("/api/instance/delete/sales", headers={"token": ryze.account_token})
    assert deleted.status_code == 200, deleted.text
    for client in (by_instance, by_account):
        # what was emitted before the deletion arrives (a connected instance logs out first); then the
        # socket closes: its authority is gone
        received, code, reason = closed_with(client)
        assert [(e["event"], e["data"]["state"]) for e in received] == [("instance.state", "logged_out")]
        assert (code, reason) == (1008, "instance deleted")
    assert sockets.refused("sales", sales.token) == (401, error("Invalid token"))


def test_a_new_instance_of_the_same_name_reaches_only_its_own_sockets(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    old = sockets.open("sales", ryze.account_token)
    assert ryze.client.delete("/api/instance/delete/sales", headers={"token": ryze.account_token}).status_code == 200
    reborn = ryze.create_instance("sales", websocketEnabled=True)
    new = sockets.open("sales", reborn.token)
    envelope = inject(ryze.client, "sales", "call.update", call_data(1))
    assert frame(new) == envelope
    assert closed_with(old) == ([], 1008, "instance deleted")


def test_the_other_instances_sockets_stay_open_when_one_is_deleted(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    ryze.create_instance("support", websocketEnabled=True)
    support = sockets.open("support", ryze.account_token)
    sales = sockets.open("sales", ryze.account_token)
    assert ryze.client.delete("/api/instance/delete/sales", headers={"token": ryze.account_token}).status_code == 200
    assert closed_with(sales)[1] == 1008
    assert_nothing_else(ryze, support, "support")


def test_a_reset_closes_every_socket_with_1001(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True)
    other_account = ryze.new_account()
    ryze.create_instance("sales", websocketEnabled=True, account_token=other_account)
    mine = sockets.open("sales", ryze.account_token)
    theirs = sockets.open("sales", other_account)
    envelope = inject(ryze.client, "sales", "call.update", call_data(1))
    ryze.reset()
    assert closed_with(mine) == ([envelope], 1001, "world reset")
    assert closed_with(theirs) == ([], 1001, "world reset")
    # Under the same seed the new world hands out the same tokens: the old sockets must hear none of it.
    reborn = ryze.create_instance("sales", websocketEnabled=True)
    fresh = sockets.open("sales", reborn.token)
    envelope = inject(ryze.client, "sales", "call.update", call_data(2))
    assert frame(fresh) == envelope
    wait_clients(ryze, "sales", 1)


@pytest.mark.slow
@pytest.mark.ryze(websocket_queue_size=5)
def test_a_slow_client_is_closed_with_1013_while_others_get_everything(ryze: MockRyze, sockets: Sockets) -> None:
    ryze.create_instance("sales", websocketEnabled=True, websocketMediaBase64=True)
    # The slow client never reads: its library stops reading the socket after 4 frames, so the
    # kernel buffers fill (big, incompressible frames, no permessage-deflate) and then its queue of 5.
    slow = sockets.open("sales", ryze.account_token, max_queue=4, compression=None)
    fast = sockets.open("sales", ryze.account_token, max_queue=None)
    data = media_example()
    data["message"]["media"]["base64"] = base64.b64encode(random.Random(7).randbytes(48 * 1024)).decode()
    ids = []
    for number in range(200):
        data["id"] = f"3EB0{number:016X}"
        ids.append(data["id"])
        inject(ryze.client, "sales", "message.exchange", data)
        assert frame(fast)["data"]["id"] == data["id"]  # the fast client keeps up, frame by frame

    received = 0
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            slow.recv(timeout=5)
            received += 1
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013
    assert received < 200
    # the fast client got everything and stays open
    wait_clients(ryze, "sales", 1)
    last = inject(ryze.client, "sales", "call.update", call_data(1))
    assert frame(fast) == last


@pytest.mark.ryze(rate_limits=True, rate_limit_global=2)
def test_upgrades_count_against_the_rate_limit(ryze: MockRyze, sockets: Sockets) -> None:
    sales = ryze.create_instance("sales", websocketEnabled=True)
    sockets.open("sales", sales.token)
    sockets.open("sales", sales.token, "query")
    with pytest.raises(InvalidStatus) as info:
        sockets.open("sales", sales.token)
    response = info.value.response
    assert response.status_code == 429
    assert json.loads(bytes(response.body or b"")) == error("Rate limit exceeded. Try again later.")
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-RateLimit-Limit"] == "2"
    # another token has its own budget
    assert sockets.open("sales", ryze.account_token) is not None


# --- the hub's hand-off to the clients' loops ------------------------------------------------------


NO_SOCKET: Any = None  # the hand-off below never touches the client's socket


def record(number: int) -> RecordedEvent:
    return RecordedEvent(number, "acct", "sales", {"event": "call.update", "data": {"n": number}, "instanceData": {}})


def test_frames_from_the_clients_loop_and_from_other_threads_keep_emission_order() -> None:
    """An event published on the client's own loop is queued behind one another thread published first."""
    hub = Hub(queue_size=10)

    async def run() -> list[int]:
        client = hub.connect(("acct", "sales"), websocket=NO_SOCKET, config=WebSocketConfig(enabled=True))
        # The loop is busy here (this coroutine) while another thread publishes: its frame waits for the loop.
        thread = threading.Thread(target=hub.on_event, args=(record(1),))
        thread.start()
        thread.join()
        hub.on_event(record(2))  # on the client's loop
        await asyncio.sleep(0)
        return [json.loads(client.queue.get_nowait())["data"]["n"] for _ in range(client.queue.qsize())]

    assert asyncio.run(run()) == [1, 2]


def test_an_event_on_the_clients_loop_needs_no_cross_thread_wake_up(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = Hub(queue_size=10)

    async def run() -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        wake_ups = 0
        threadsafe = loop.call_soon_threadsafe

        def counting(*args: Any, **kwargs: Any) -> Any:
            nonlocal wake_ups
            wake_ups += 1
            return threadsafe(*args, **kwargs)

        monkeypatch.setattr(loop, "call_soon_threadsafe", counting)
        client = hub.connect(("acct", "sales"), websocket=NO_SOCKET, config=WebSocketConfig(enabled=True))
        hub.on_event(record(7))
        await asyncio.sleep(0)
        return wake_ups, client.queue.get_nowait()

    wake_ups, text = asyncio.run(run())
    assert wake_ups == 0
    assert json.loads(text) == record(7).envelope


def test_a_client_with_a_full_queue_is_closed_at_once_with_the_code_of_the_reason() -> None:
    hub = Hub(queue_size=1)
    codes: list[tuple[int, str]] = []

    class Socket:
        async def close(self, code: int, reason: str) -> None:
            codes.append((code, reason))

    async def run() -> None:
        hub.connect(("acct", "sales"), websocket=Socket(), config=WebSocketConfig(enabled=True))  # type: ignore[arg-type]
        hub.on_event(record(1))  # fills the queue: nobody sends it
        hub.close_instance(("acct", "sales"))
        for _ in range(3):
            await asyncio.sleep(0)

    asyncio.run(run())
    assert codes == [(1008, "instance deleted")]
