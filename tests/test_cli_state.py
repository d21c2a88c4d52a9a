"""``mockryze serve --state``: kill -9 during a load of sends, restart, nothing answered is lost (issue 18)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from mockryze.core import literals
from tests.test_cli import free_port, run_once, spawned, start_server

TOKEN = "state-account-token"
NUMBER = "5511987654321"


def _serve(state: Path, port: int) -> tuple[str, ...]:
    return ("serve", "--port", str(port), "--state", str(state), "--account-token", TOKEN, "--rate-limits", "off",
            "--log-level", "warning")


@pytest.mark.slow
def test_every_answered_send_survives_a_kill_9(tmp_path: Path) -> None:
    """kill -9 during a load of sends with a webhook attached: every answered send is in the store after the
    restart, and every event emitted reached the receiver exactly once or is dead-lettered (at most once)."""
    state = tmp_path / "world.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    answered: list[str] = []
    with receiver() as (url, bodies):
        with spawned(*_serve(state, port)) as server:
            assert f"state           {state}" in start_server(server, port)
            headers = {"token": TOKEN}
            created = httpx.post(f"{base}/api/instance/new", json={"name": "load"}, headers=headers).json()
            instance_token = created["instance"]["token"]
            httpx.get(f"{base}/api/instance/connect/load", headers=headers).raise_for_status()
            httpx.post(f"{base}/__mock__/instances/load/scan", json={}).raise_for_status()
            httpx.post(f"{base}/api/events/webhook/load", headers=headers,
                       json={"enabled": True, "url": url, "events": ["message.exchange"]}).raise_for_status()
            enough = threading.Event()

            def sender(n: int) -> None:
                with httpx.Client(base_url=base, headers={"token": instance_token}, timeout=5) as client:
                    for i in range(10_000):
                        try:
                            body = client.post("/api/message/text/load",
                                               json={"number": NUMBER, "message": f"{n}-{i}"})
                        except httpx.HTTPError:
                            return  # the server died mid-request: not answered
                        answered.append(body.json()["data"]["messageId"])
                        if len(answered) >= 150:
                            enough.set()

            threads = [threading.Thread(target=sender, args=(n,), daemon=True) for n in range(4)]
            for thread in threads:
                thread.start()
            assert enough.wait(60)
            server.terminate()  # SIGKILL, while the senders are still sending
            for thread in threads:
                thread.join(10)
            before_kill = len(bodies)
        port = free_port()
        with spawned(*_serve(state, port)) as again:
            start_server(again, port)
            base = f"http://127.0.0.1:{port}"
            stored = httpx.get(f"{base}/__mock__/instances/load/messages", headers={"token": TOKEN}).json()
            ids = {m["id"] for m in stored["messages"]}
            instance = httpx.get(f"{base}/api/instance/list", headers={"token": TOKEN}).json()
            journal = _settled_journal(base, len(ids))
        statuses = _exactly_once_or_dead(journal, bodies)
    counts = f"answered {len(answered)}, received before the kill {before_kill}, journal {dict(statuses)}"
    print(counts)  # shown with -s, and with any failure
    assert set(answered) <= ids, f"{len(set(answered) - ids)} answered sends lost"
    assert instance["instances"][0]["status"] == "connected"
    exchanged = {d["envelope"]["data"]["id"] for d in journal}  # type: ignore[index]
    assert ids <= exchanged, counts  # each stored send's event was journaled
    assert before_kill < len(answered) and statuses["dead"] <= 1, counts  # some deliveries left to the restart


def _settled_journal(base: str, expected: int) -> list[dict[str, object]]:
    """The delivery journal once it holds ``expected`` deliveries, none pending (bounded real-time wait)."""
    journal: list[dict[str, object]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        journal = httpx.get(f"{base}/__mock__/deliveries", headers={"token": TOKEN}).json()["deliveries"]
        if len(journal) >= expected and all(d["status"] != "pending" for d in journal):
            break
        time.sleep(0.1)
    return journal


def _event_key(event: object, data: object) -> str:
    """One emitted event: its name and data (a message's exchange, or one of its receipts)."""
    return json.dumps([event, data], sort_keys=True)


def _exactly_once_or_dead(journal: list[dict[str, object]], bodies: list[dict[str, object]]) -> Counter[str]:
    """Every journaled event reached the receiver exactly once, or at most once and is dead-lettered because
    its POST was under way at the kill; nothing arrived twice or unjournaled. Returns the journal's statuses."""
    received = Counter(_event_key(body["event"], body["data"]) for body in bodies)
    journaled = {_event_key(d["event"], d["envelope"]["data"]): d for d in journal}  # type: ignore[index]
    statuses = Counter(str(d["status"]) for d in journal)
    assert len(journaled) == len(journal), "one delivery per event (one webhook)"
    assert received and max(received.values()) == 1, f"{sum(n - 1 for n in received.values())} duplicates"
    assert set(received) <= set(journaled), "an event reached the receiver but is not in the journal"
    for key, delivery in journaled.items():
        if delivery["status"] == "dead":
            assert delivery["attempts"][-1]["error"] == literals.DELIVERY_NOT_RESENT, delivery  # type: ignore[index]
        else:
            assert (delivery["status"], received[key]) == ("delivered", 1), (key, delivery)
    assert statuses["delivered"] >= len(journal) - 1, statuses  # one webhook: at most one POST under way
    return statuses


def test_serve_refuses_a_corrupt_state_file_and_leaves_it(tmp_path: Path) -> None:
    state = tmp_path / "broken.sqlite"
    state.write_text("not a database\n" * 100)
    before = state.read_bytes()
    result = run_once(*_serve(state, free_port()))
    assert result.returncode == 1
    assert "--state" in result.stderr and "left untouched" in result.stderr
    assert state.read_bytes() == before


@contextmanager
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A webhook receiver outside the mock (it outlives the kill): every body it got, in order."""
    bodies: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(0.02)  # slow enough that deliveries are still queued at the kill
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_webhook_events_survive_a_kill_9_exactly_once_or_dead_lettered(tmp_path: Path) -> None:
    """Sends on a frozen clock (no receipt fires before the kill), kill -9 while their deliveries are
    queued, restart, advance the clock: every message is read, every event emitted (exchange, delivered,
    read) is journaled and reached the receiver exactly once, or at most once and is dead-lettered
    because its POST was under way at the kill. Nothing arrives twice."""
    state = tmp_path / "world.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    frozen = ("--frozen-clock", "on")
    headers = {"token": TOKEN}
    sent: list[str] = []
    with receiver() as (url, bodies):
        with spawned(*_serve(state, port), *frozen) as server:
            start_server(server, port)
            httpx.post(f"{base}/api/instance/new", json={"name": "load"}, headers=headers).raise_for_status()
            httpx.get(f"{base}/api/instance/connect/load", headers=headers).raise_for_status()
            httpx.post(f"{base}/__mock__/instances/load/scan", json={}).raise_for_status()
            httpx.post(f"{base}/api/events/webhook/load", headers=headers, json={
                "enabled": True, "url": url, "events": ["message.exchange", "message.status"]}).raise_for_status()
            with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
                for i in range(60):
                    answer = client.post("/api/message/text/load", json={"number": NUMBER, "message": f"m{i}"})
                    sent.append(answer.json()["data"]["messageId"])
            server.terminate()  # SIGKILL while deliveries are still queued and every receipt is still to come
            before_kill = len(bodies)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with spawned(*_serve(state, port), *frozen) as again:
            start_server(again, port)
            httpx.post(f"{base}/__mock__/clock", json={"advance": 5}).raise_for_status()  # the receipts fall due
            journal = _settled_journal(base, 3 * len(sent))
            stored = httpx.get(f"{base}/__mock__/instances/load/messages", headers=headers).json()["messages"]
        statuses = _exactly_once_or_dead(journal, bodies)
    counts = f"sent {len(sent)}, received before the kill {before_kill}, journal {dict(statuses)}"
    print(counts)  # shown with -s, and with any failure
    assert len(sent) == 60 and before_kill < 60, counts  # some deliveries were left for the restart
    assert {str(m["id"]): m["status"] for m in stored} == dict.fromkeys(sent, "read"), counts
    events = Counter(str(d["event"]) for d in journal)
    assert events == {"message.exchange": 60, "message.status": 120}, counts  # exchange, delivered, read each
    assert statuses["dead"] <= 1, counts
