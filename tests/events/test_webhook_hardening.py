"""Webhooks against hostile receivers, URLs and resets, over real sockets (issue 10).

Interim ``100 Continue`` answers, non-ASCII and upper-case URLs, header injection and userinfo,
reset in the middle of retries, the per-account journal, dead receivers (the pending bound) and
URLs that point back at the mock's own control plane.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core import literals
from mockryze.core.settings import Settings
from mockryze.testing.api import MockRyze, RemoteRyze
from tests.conftest import CheckedClient, error_of
from tests.events.journal import configure
from tests.events.receivers import Receiver, ReceiverPool, VirtualReceivers, call_data, inject
from tests.test_cli import clean_env, free_port, spawned, start_server


def served(ryze: MockRyze) -> httpx.Client:
    """An HTTP client on a live server of ``ryze`` (real sockets), authenticated with its account token."""
    return httpx.Client(base_url=ryze.serve(), headers={"token": ryze.account_token}, timeout=10)


def set_webhook(http: httpx.Client, name: str = "sales", **fields: Any) -> httpx.Response:
    return http.post(f"/api/events/webhook/{name}", json={"enabled": True, **fields})


def refused(response: httpx.Response) -> str:
    """The detail of a 400 ``Invalid request body``."""
    assert error_of(response) == literals.INVALID_BODY, response.text
    return response.headers["X-Mockryze-Detail"]


def ids(deliveries: list[dict[str, Any]]) -> list[str]:
    return [d["id"] for d in deliveries]


def queue_behind_a_refused_head(ryze: MockRyze, http: httpx.Client, receiver: Receiver) -> None:
    """Instance ``sales`` with a webhook to the (stopped) receiver and three deliveries: the first
    waits for its retry, the others wait behind it."""
    assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
    assert set_webhook(http, url=receiver.hook()).status_code == 200
    for number in range(3):
        inject(http, "sales", "call.update", call_data(number))
    ryze.settle_deliveries()


# --- 3: interim 100 Continue answers ------------------------------------------------------------------


class ContinueReceiver:
    """A raw HTTP/1.1 receiver that answers every POST with ``100 Continue``, then ``200`` (two writes)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.bodies: list[Any] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                self.connections += 1
                threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError), connection.makefile("rb") as stream:
            while head := stream.readline():
                length = 0
                while (line := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    length = int(value) if name.strip().lower() == b"content-length" else length
                self.bodies.append(json.loads(stream.read(length)))
                assert head.startswith(b"POST /hook ")
                connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def continue_receiver() -> Iterator[ContinueReceiver]:
    receiver = ContinueReceiver()
    yield receiver
    receiver.close()


def test_100_continue_before_every_answer_keeps_the_keep_alive_connection_in_step(
        ryze: MockRyze, api: CheckedClient, continue_receiver: ContinueReceiver) -> None:
    ryze.create_instance("sales")
    configure(api, url=f"http://127.0.0.1:{continue_receiver.port}/hook")
    sent = [inject(ryze.client, "sales", "call.update", call_data(n)) for n in range(6)]
    done = ryze.wait_for_deliveries(6, status="delivered")
    assert [d["envelope"] for d in done] == sent
    assert [[a["statusCode"] for a in d["attempts"]] for d in done] == [[200]] * 6
    assert continue_receiver.bodies == sent  # each POST got its own answer, in order
    assert continue_receiver.connections == 1  # one keep-alive connection throughout


# --- 4: URLs: non-ASCII, upper-case scheme, ports ----------------------------------------------------


def test_non_ascii_urls_are_sent_percent_encoded_and_read_back_as_written(ryze: MockRyze,
                                                                         receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    with served(ryze) as http:
        base = str(http.base_url).rstrip("/")
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        urls = {
            "inbox": f"{base}/__mock__/inbox/ü",
            "euro": f"{receiver.url}/€?q=ä&done=%C3%BC&pct=5%",
            "upper": f"HTTP://127.0.0.1:{receiver.port}/Upper",
        }
        for label, url in urls.items():
            assert set_webhook(http, label=label, url=url).status_code == 200
        envelope = inject(http, "sales", "call.update", call_data(1))
        done = ryze.wait_for_deliveries(3, status="delivered")
        rows = http.get("/api/events/getWebhook/sales").json()["webhooks"]
    assert {row["label"]: row["url"] for row in rows} == urls
    assert ryze.inbox("ü")[0]["body"] == envelope
    got = receiver.wait_for(2)
    assert sorted(r.path for r in got) == ["/%E2%82%AC?q=%C3%A4&done=%C3%BC&pct=5%25", "/Upper"]
    assert all(r.body == envelope for r in got)
    assert sorted(d["url"] for d in done) == sorted([
        f"{base}/__mock__/inbox/%C3%BC", f"{receiver.url}/%E2%82%AC?q=%C3%A4&done=%C3%BC&pct=5%25",
        f"{receiver.url}/Upper"])


@pytest.mark.parametrize("port", ["99999", "65536", "0", "http"])
def test_a_port_outside_1_to_65535_is_refused_at_configuration(ryze: MockRyze, port: str) -> None:
    with served(ryze) as http:
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        assert "port" in refused(set_webhook(http, url=f"http://127.0.0.1:{port}/hook"))
        assert http.get("/api/events/getWebhook/sales").json()["webhooks"] == []


# --- 11: header injection, userinfo -----------------------------------------------------------------


@pytest.mark.parametrize("authorization", ["Bearer x\r\nX-Injected: 1", "Bearer x\nX-Injected: 1", "Bearer\tx",
                                           "Bearer x\x00", "Bearer x\x7f", "Bearer x\x85"])
def test_control_characters_in_authorization_are_refused(ryze: MockRyze, receivers: ReceiverPool,
                                                         authorization: str) -> None:
    receiver = receivers.new()
    with served(ryze) as http:
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        assert "authorization" in refused(set_webhook(http, url=receiver.hook(), authorization=authorization))
        inline = {"name": "inline", "webhookEnabled": True, "webhookURL": receiver.hook(),
                  "webhookAuthorization": authorization}
        assert http.post("/api/instance/new", json=inline).status_code == 201  # its webhook is stored disabled
        assert http.get("/api/events/getWebhook/inline").json()["webhooks"][0]["enabled"] is False
        assert http.get("/api/events/getWebhook/sales").json()["webhooks"] == []
        inject(http, "inline", "call.update", call_data(1))
    assert ryze.deliveries() == []


def test_userinfo_becomes_basic_authorization_and_never_reaches_host(ryze: MockRyze,
                                                                     receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    with served(ryze) as http:
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        secret = f"http://ana:p%40ss%3Aw@127.0.0.1:{receiver.port}"
        assert set_webhook(http, label="basic", url=f"{secret}/basic").status_code == 200
        assert set_webhook(http, label="set", url=f"{secret}/set", authorization="Bearer mine").status_code == 200
        envelope = inject(http, "sales", "call.update", call_data(1))
        done = ryze.wait_for_deliveries(2, status="delivered")
    got = {r.path: r for r in receiver.wait_for(2)}
    assert got["/basic"].headers["authorization"] == "Basic " + base64.b64encode(b"ana:p@ss:w").decode()
    assert got["/set"].headers["authorization"] == "Bearer mine"  # the configured one wins
    assert {r.headers["host"] for r in got.values()} == {f"127.0.0.1:{receiver.port}"}
    assert all(r.body == envelope for r in got.values())
    assert sorted(d["url"] for d in done) == [f"{receiver.url}/basic", f"{receiver.url}/set"]


# --- 13: reset ------------------------------------------------------------------------------------------


def test_reset_stops_the_old_worlds_queues_and_retries(ryze: MockRyze, receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)  # refused: the old world's head retries, the rest waits
    with served(ryze) as http:
        queue_behind_a_refused_head(ryze, http, receiver)
        assert ids(ryze.deliveries(status="pending")) == ["dlv_000001", "dlv_000002", "dlv_000003"]

        assert http.post("/__mock__/reset").status_code == 200
        receiver.start()
        # the same account, instance and label as before the reset
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        assert set_webhook(http, url=receiver.hook()).status_code == 200
        first = inject(http, "sales", "call.update", call_data(100))
        ryze.settle_deliveries()  # no clock move: this queue is not behind the old world's head
        assert [(d["id"], d["status"]) for d in ryze.deliveries()] == [("dlv_000001", "delivered")]

        ryze.advance(60)  # every retry of the old world would be due by now
        ryze.settle_deliveries()
        second = inject(http, "sales", "call.update", call_data(101))
        receiver.wait_for(2)
        ryze.settle_deliveries()
    assert receiver.bodies() == [first, second]
    assert [(d["id"], d["status"]) for d in ryze.deliveries()] == [("dlv_000001", "delivered"),
                                                                   ("dlv_000002", "delivered")]


# --- 14: the journal limit is per account ---------------------------------------------------------------


@pytest.mark.ryze(delivery_journal_limit=5)
def test_a_busy_account_does_not_evict_another_accounts_journal(ryze: MockRyze, api: CheckedClient,
                                                                hooks: VirtualReceivers) -> None:
    receiver = hooks.new()
    ryze.create_instance("quiet")
    configure(api, "quiet", url=receiver.hook())
    quiet = [inject(ryze.client, "quiet", "call.update", call_data(n)) for n in range(3)]
    busy = ryze.new_account()
    ryze.create_instance("busy", account_token=busy)
    assert api.post("/api/events/webhook/busy", token=busy, json={"enabled": True, "url": receiver.hook()}
                    ).status_code == 200
    for number in range(20):
        api.post("/__mock__/instances/busy/events", token=busy,
                 json={"event": "call.update", "data": call_data(100 + number)})
        ryze.settle_deliveries()
    assert [d["envelope"] for d in ryze.deliveries()] == quiet
    assert len(ryze.deliveries(account_token=busy)) == 5  # its own oldest were dropped
    assert len(receiver.received) == 23


# --- 16: dead receivers ------------------------------------------------------------------------------


@pytest.mark.ryze(webhook_max_pending=3)
def test_a_dead_receiver_holds_at_most_webhook_max_pending_the_oldest_waiting_go_dead(
        ryze: MockRyze, api: CheckedClient, receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)  # a closed port
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    sent = [inject(ryze.client, "sales", "call.update", call_data(n)) for n in range(8)]
    ryze.settle_deliveries()
    journal = ryze.deliveries()
    assert len(journal) == 8  # nothing lost: every delivery is in the journal
    assert ids(ryze.deliveries(status="pending")) == ["dlv_000001", "dlv_000007", "dlv_000008"]
    dead = ryze.deliveries(status="dead")
    assert ids(dead) == [f"dlv_00000{n}" for n in range(2, 7)]
    for delivery in dead:
        [attempt] = delivery["attempts"]
        assert attempt["statusCode"] is None
        assert attempt["error"] == ("not sent: more than 3 deliveries were pending for the webhook 'default' "
                                    "(webhook_max_pending); the oldest waiting one was dead-lettered")

    receiver.start()
    ryze.advance(1)  # the head's retry
    ryze.settle_deliveries()
    assert receiver.bodies() == [sent[0], sent[6], sent[7]]
    assert len(ryze.deliveries(status="delivered")) + len(ryze.deliveries(status="dead")) == 8


def test_webhook_max_pending_is_a_serve_flag_and_a_setting() -> None:
    assert Settings().webhook_max_pending == 1000
    assert Settings.from_sources(env={"MOCKRYZE_WEBHOOK_MAX_PENDING": "7"}).webhook_max_pending == 7
    with pytest.raises(ValueError, match="webhook_max_pending"):
        Settings(webhook_max_pending=0)
    port, closed = free_port(), free_port()
    with spawned("serve", "--port", str(port), "--webhook-max-pending", "2", "--account-token", "T",
                 env=clean_env()) as server:
        start_server(server, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"token": "T"}, timeout=10) as http:
            assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
            assert set_webhook(http, url=f"http://127.0.0.1:{closed}/hook").status_code == 200
            for number in range(5):
                inject(http, "sales", "call.update", call_data(number))
        remote = RemoteRyze(f"http://127.0.0.1:{port}", "T")
        try:
            dead = remote.wait_for_deliveries(3, status="dead")
        finally:
            remote.close()
    # the head retries for 31 s of a running clock: the three dead ones are those behind it
    assert ids(dead) == ["dlv_000002", "dlv_000003", "dlv_000004"]
    assert all("more than 2 deliveries were pending" in d["attempts"][0]["error"] for d in dead)


# --- 18: the mock's own control plane, disabled and deleted webhooks ----------------------------------


def test_urls_into_the_mocks_own_control_plane_are_refused_except_the_inbox(ryze: MockRyze) -> None:
    with served(ryze) as http:
        base = str(http.base_url).rstrip("/")
        port = base.rsplit(":", 1)[1]
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        for url in (f"{base}/__mock__/deliveries/dlv_000001/redeliver", f"http://localhost:{port}/__mock__/reset",
                    f"http://127.0.0.2:{port}/__mock__/instances/sales/events", f"{base}/x/../__mock__/reset",
                    f"{base}/%5F%5Fmock%5F%5F/reset", f"{base}//__mock__/reset", f"{base}/__mock__/inbox/../reset",
                    f"HTTP://LOCALHOST:{port}/__mock__/clock"):
            assert "own control plane" in refused(set_webhook(http, url=url)), url
        assert http.get("/api/events/getWebhook/sales").json()["webhooks"] == []
        for label, url in (("inbox", f"{base}/__mock__/inbox/loop"), ("api", f"{base}/api/hook"),
                           ("other", f"http://127.0.0.1:{free_port()}/__mock__/reset")):
            assert set_webhook(http, label=label, url=url).status_code == 200


def test_an_inline_webhook_into_the_control_plane_is_dead_lettered_unsent(ryze: MockRyze) -> None:
    with served(ryze) as http:
        base = str(http.base_url).rstrip("/")
        inline = {"name": "sales", "webhookEnabled": True,
                  "webhookURL": f"{base}/__mock__/deliveries/dlv_000001/redeliver"}
        assert http.post("/api/instance/new", json=inline).status_code == 201
        for number in range(3):
            inject(http, "sales", "call.update", call_data(number))
        ryze.settle_deliveries()
    journal = ryze.deliveries()
    assert [d["status"] for d in journal] == ["dead"] * 3  # no loop: three events, three deliveries
    assert [d["attempts"][0]["error"] for d in journal] == \
        [f"not sent: {base}/__mock__/deliveries/dlv_000001/redeliver is this mock's own control plane"] * 3


def test_a_disabled_webhook_never_delivers_again(ryze: MockRyze, receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)
    with served(ryze) as http:
        queue_behind_a_refused_head(ryze, http, receiver)
        assert http.post("/api/events/webhook/sales", json={"enabled": False}).status_code == 200
        receiver.start()
        ryze.advance(1)  # the head's retry comes due
        ryze.settle_deliveries()
        again = http.post("/__mock__/deliveries/dlv_000001/redeliver")
        assert again.status_code == 202
        ryze.settle_deliveries()
    journal = ryze.deliveries()
    assert [d["status"] for d in journal] == ["dead"] * 4
    assert [d["attempts"][-1]["error"] for d in journal] == ["not sent: the webhook 'default' was disabled"] * 4
    assert [a["error"] is None or "ConnectError" in a["error"] for a in journal[0]["attempts"][:-1]] == [True]
    assert receiver.received == []


def test_deliveries_of_a_deleted_instance_are_not_sent_even_to_its_namesake(
        ryze: MockRyze, receivers: ReceiverPool) -> None:
    receiver = receivers.new(start=False)
    with served(ryze) as http:
        for _ in range(2):  # deleted and created again under the same name, with the same webhook
            assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
            assert set_webhook(http, url=receiver.hook()).status_code == 200
            inject(http, "sales", "call.update", call_data(1))
            inject(http, "sales", "call.update", call_data(2))
            ryze.settle_deliveries()
            assert http.delete("/api/instance/delete/sales").status_code == 200
        assert http.post("/api/instance/new", json={"name": "sales"}).status_code == 201
        assert set_webhook(http, url=receiver.hook()).status_code == 200
        receiver.start()
        ryze.advance(1)
        ryze.settle_deliveries()
        latest = inject(http, "sales", "call.update", call_data(3))
        ryze.settle_deliveries()
    assert receiver.bodies() == [latest]
    journal = ryze.deliveries()
    assert [d["status"] for d in journal] == ["dead"] * 4 + ["delivered"]
    assert {d["attempts"][-1]["error"] for d in journal[:4]} == {"not sent: the instance 'sales' was deleted"}
