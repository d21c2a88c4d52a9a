"""The in-process clients (``ryze.client``, ``ryze.async_client()``) and the app's route index: the
same answers as over a socket, whatever thread or event loop calls them."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from mockryze.core import literals
from mockryze.http.app import IndexedRouter
from mockryze.messages import pipeline
from mockryze.testing.api import MockRyze

ALICE = "5511987654321"
TEXT = "/api/message/text/sales"

# Requests that touch routing corners: a path parameter, an empty one, a bare route, an unknown
# path, a wrong method, a query string, percent-escapes, a trailing slash and a plain GET / HEAD of
# the WebSocket route.
REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/instance/list", None),
    ("GET", "/api/instance/list?instance=sales", None),
    ("GET", "/api/instance/connect/sales", None),
    ("GET", "/api/instance/connect/", None),
    ("GET", "/api/instance/connect", None),
    ("GET", "/api/instance/connect/s%C3%A3o", None),
    ("POST", TEXT, {"number": ALICE, "message": "Olá"}),
    ("POST", TEXT, {"number": ALICE}),
    ("GET", TEXT, None),
    ("DELETE", "/api/instance/list", None),
    ("GET", "/api/nothing/here", None),
    ("GET", "/", None),
    ("GET", "/__mock__/instances/sales/messages", None),
    ("POST", "/__mock__/inbox/hooks/a", {"x": 1}),
    ("GET", "/__mock__/inbox/hooks/a", None),
    ("GET", "/__mock__/inbox/hooks", None),
    ("GET", "/ws/sales", None),
    ("HEAD", "/ws/sales", None),
]


def _world() -> tuple[MockRyze, dict[str, str]]:
    ryze = MockRyze(seed=3)
    return ryze, {"token": ryze.create_instance("sales", connected=True).token}


def _sync_answers() -> list[tuple[int, str, bytes]]:
    ryze, headers = _world()
    with ryze:
        return [_answer(ryze.client.request(m, p, json=b, headers=headers)) for m, p, b in REQUESTS]


def _answer(response: httpx.Response) -> tuple[int, str, bytes]:
    return response.status_code, response.headers.get("content-type", ""), response.content


def test_sync_and_async_clients_answer_alike() -> None:
    async def run() -> list[tuple[int, str, bytes]]:
        ryze, headers = _world()
        with ryze:
            async with ryze.async_client() as client:
                return [_answer(await client.request(m, p, json=b, headers=headers)) for m, p, b in REQUESTS]

    sync, async_ = _sync_answers(), asyncio.run(run())
    assert sync == async_
    statuses = [status for status, _, _ in sync]
    assert statuses == [200, 200, 200, 400, 400, 404, 200, 400, 405, 405, 404, 200, 200, 200, 405, 200, 426, 426]
    assert all(content_type.startswith("application/json") for _, content_type, _ in sync)
    assert sync[-1][2] == b""  # HEAD: no body


def test_the_route_index_answers_as_a_full_scan_would() -> None:
    ryze, _ = _world()
    with ryze:
        router = ryze.app.router
        assert isinstance(router, IndexedRouter)
        for _, path, _ in REQUESTS:
            route_path = path.split("?")[0]
            full_scan = [r for r in router.routes if _could_match(r, route_path)]
            assert [r for r in router.candidates(route_path) if _could_match(r, route_path)] == full_scan


def _could_match(route: Any, path: str) -> bool:
    return bool(route.path_regex.match(path))


def test_the_sync_client_works_inside_a_running_event_loop(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales", connected=True)

    async def inside_a_loop() -> httpx.Response:
        return ryze.client.post(TEXT, json={"number": ALICE, "message": "hi"}, headers={"token": sales.token})

    response = asyncio.run(inside_a_loop())
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Message sent successfully"


def test_a_delayed_send_through_the_async_client_waits_for_the_virtual_clock(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales", connected=True)

    async def run() -> tuple[bool, httpx.Response]:
        async with ryze.async_client() as client:
            send = asyncio.ensure_future(client.post(
                TEXT, json={"number": ALICE, "message": "typing…", "delay": 5}, headers={"token": sales.token}))
            await asyncio.sleep(0.05)
            waited = not send.done()
            ryze.advance(5)
            return waited, await asyncio.wait_for(send, 5)

    waited, response = asyncio.run(run())
    assert waited, "the send answered before its delay had passed on the virtual clock"
    assert response.status_code == 200, response.text
    assert response.json()["data"]["timestamp"] == "2026-01-01T09:00:05-03:00"


def test_a_delayed_send_through_the_sync_client_blocks_until_the_clock_moves(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales", connected=True)
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(ryze.client.post(
        TEXT, json={"number": ALICE, "message": "typing…", "delay": 3}, headers={"token": sales.token})))
    sender.start()
    sender.join(0.2)
    assert sender.is_alive() and not answers
    ryze.advance(3)
    sender.join(5)
    assert [r.status_code for r in answers] == [200]
    assert answers[0].json()["data"]["timestamp"] == "2026-01-01T09:00:03-03:00"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_crash_answers_the_documented_500(ryze: MockRyze, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    sales = ryze.create_instance("sales", connected=True)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in the mock")

    monkeypatch.setattr(pipeline, "send", broken)
    body, headers = {"number": ALICE, "message": "hi"}, {"token": sales.token}
    if kind == "sync":
        response = ryze.client.post(TEXT, json=body, headers=headers)
    else:
        async def run() -> httpx.Response:
            async with ryze.async_client() as client:
                return await client.post(TEXT, json=body, headers=headers)
        response = asyncio.run(run())
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": {"message": literals.INTERNAL_ERROR.message}}
