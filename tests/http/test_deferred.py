"""A request that waits on the mock's clock (a send with ``delay``) acts only on the world it started in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze

SEND = "/api/message/text/sales"


def reset(ryze: MockRyze) -> None:
    ryze.reset()


def delete(ryze: MockRyze) -> None:
    response = ryze.client.delete("/api/instance/delete/sales", headers={"token": ryze.account_token})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("end", [reset, delete], ids=["reset", "delete"])
def test_a_delayed_send_whose_instance_went_away_sends_nothing(
        ryze: MockRyze, monkeypatch: pytest.MonkeyPatch, end: Callable[[MockRyze], None]) -> None:
    sales = ryze.create_instance("sales", connected=True)
    waiting = asyncio.Event()
    sleep = ryze.world.sleep

    async def observed_sleep(seconds: float) -> None:
        waiting.set()  # the request has passed every check and now "types" for `delay` virtual seconds
        await sleep(seconds)

    monkeypatch.setattr(ryze.world, "sleep", observed_sleep)

    async def run() -> tuple[int, str]:
        async with ryze.async_client() as http:
            send = asyncio.create_task(http.post(SEND, headers={"token": sales.token},
                                                 json={"number": "5511912345678", "message": "Olá", "delay": 5}))
            await asyncio.wait_for(waiting.wait(), timeout=5)
            end(ryze)
            reborn = ryze.create_instance("sales", connected=True)  # under the same seed, after a reset: same token
            assert (reborn.token == sales.token) is (end is reset)
            ryze.advance(5)
            response = await asyncio.wait_for(send, timeout=5)
            return response.status_code, response.json()["error"]["message"]

    assert asyncio.run(run()) == (404, literals.INSTANCE_NOT_FOUND.message)
    assert ryze.messages("sales") == []
    assert {e["event"] for e in ryze.events("sales")} == {"instance.state"}
