"""``mockryze serve --state``: kill -9 during a load of sends, restart, nothing answered is lost (issue 18)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from tests.test_cli import free_port, run_once, spawned, start_server

TOKEN = "state-account-token"
NUMBER = "5511987654321"


def _serve(state: Path, port: int) -> tuple[str, ...]:
    return ("serve", "--port", str(port), "--state", str(state), "--account-token", TOKEN, "--rate-limits", "off",
            "--log-level", "warning")


@pytest.mark.slow
def test_every_answered_send_survives_a_kill_9(tmp_path: Path) -> None:
    state = tmp_path / "world.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    answered: list[str] = []
    with spawned(*_serve(state, port)) as server:
        start_server(server, port)
        headers = {"token": TOKEN}
        created = httpx.post(f"{base}/api/instance/new", json={"name": "load"}, headers=headers).json()
        instance_token = created["instance"]["token"]
        httpx.get(f"{base}/api/instance/connect/load", headers=headers).raise_for_status()
        httpx.post(f"{base}/__mock__/instances/load/scan", json={}).raise_for_status()
        enough = threading.Event()

        def sender(n: int) -> None:
            with httpx.Client(base_url=base, headers={"token": instance_token}, timeout=5) as client:
                for i in range(10_000):
                    try:
                        body = client.post("/api/message/text/load", json={"number": NUMBER, "message": f"{n}-{i}"})
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
    port = free_port()
    with spawned(*_serve(state, port)) as again:
        start_server(again, port)
        stored = httpx.get(f"http://127.0.0.1:{port}/__mock__/instances/load/messages",
                           headers={"token": TOKEN}).json()
        ids = {m["id"] for m in stored["messages"]}
        instance = httpx.get(f"http://127.0.0.1:{port}/api/instance/list", headers={"token": TOKEN}).json()
    assert set(answered) <= ids, f"{len(set(answered) - ids)} answered sends lost"
    assert instance["instances"][0]["status"] == "connected"


def test_serve_refuses_a_corrupt_state_file_and_leaves_it(tmp_path: Path) -> None:
    state = tmp_path / "broken.sqlite"
    state.write_text("not a database\n" * 100)
    before = state.read_bytes()
    result = run_once(*_serve(state, free_port()))
    assert result.returncode == 1
    assert "--state" in result.stderr and "left untouched" in result.stderr
    assert state.read_bytes() == before
