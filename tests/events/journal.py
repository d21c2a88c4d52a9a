"""Helpers over the delivery journal and the webhook configuration, shared by the delivery tests.

Waiting goes through ``ryze.settle_deliveries()``: once it returns, every delivery is delivered,
dead, or waiting for a retry the virtual clock has not reached, so "no further attempt" is a plain
assertion, not a real-time window.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient
from tests.events.receivers import Recorder, call_data, inject


def configure(api: CheckedClient, name: str = "sales", **fields: Any) -> dict[str, Any]:
    response = api.post(f"/api/events/webhook/{name}", json={"enabled": True, **fields})
    assert response.status_code == 200, response.text
    row: dict[str, Any] = response.json()["webhook"]
    return row


def journal(ryze: MockRyze, delivery_id: str) -> dict[str, Any]:
    [found] = [d for d in ryze.deliveries() if d["id"] == delivery_id]
    return found


def settled(ryze: MockRyze, delivery_id: str) -> dict[str, Any]:
    """The journal entry once nothing more can happen to it without the clock moving."""
    ryze.settle_deliveries()
    return journal(ryze, delivery_id)


def attempts(ryze: MockRyze, delivery_id: str, count: int) -> list[dict[str, Any]]:
    """The delivery's attempts once settled; exactly ``count`` of them."""
    found = list(settled(ryze, delivery_id)["attempts"])
    assert len(found) == count, f"{delivery_id}: expected {count} attempts, journal: {journal(ryze, delivery_id)}"
    return found


def retry_after(ryze: MockRyze, delivery_id: str, done: int, delay: float) -> dict[str, Any]:
    """No retry while the clock stands still or short of ``delay``; exactly at ``delay``: the next one."""
    attempts(ryze, delivery_id, done)
    ryze.advance(delay - 0.25)
    attempts(ryze, delivery_id, done)
    ryze.advance(0.25)
    return attempts(ryze, delivery_id, done + 1)[done]


def status_of(ryze: MockRyze, delivery_id: str) -> str:
    return str(settled(ryze, delivery_id)["status"])


def redeliver(ryze: MockRyze, delivery_id: str, token: str | None = None) -> httpx.Response:
    """``POST /__mock__/deliveries/{id}/redeliver`` (conftest's schema check does not know ``{id}`` paths)."""
    headers = {"token": token} if token else {}
    return ryze.client.post(f"/__mock__/deliveries/{delivery_id}/redeliver", headers=headers)


def assert_valid_bodies(receiver: Recorder) -> None:
    for request in receiver.received:
        schemas.validate_event(request.body)


def connect_for_real(ryze: MockRyze, name: str = "sales") -> None:
    """A real lifecycle: QR code, scan → instance.state qr_ready, pair_success, connected."""
    ryze.connect(name)
    ryze.scan(name)


class Scripted(Protocol):
    """A receiver (real or virtual) whose answers are scripted and that starts listening on demand."""

    def hook(self) -> str: ...

    def script(self, *answers: Any) -> Any: ...


def follow_the_backoff(ryze: MockRyze, api: CheckedClient, receiver: Scripted,
                       slow: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The retry schedule any receiver sees: refused, 500, too slow (``slow``), then 200, attempted 0, 1,
    3 and 7 virtual seconds after the event. Returns the emitted envelope and the delivery's journal
    entry; ``receiver`` must not be listening yet."""
    ryze.create_instance("sales")
    configure(api, url=receiver.hook())
    start = ryze.world.now()
    envelope = inject(ryze.client, "sales", "call.update", call_data(1))
    [delivery] = ryze.deliveries()
    dlv = delivery["id"]

    [first] = attempts(ryze, dlv, 1)
    assert first["statusCode"] is None
    assert first["error"] and "ConnectError" in first["error"]
    assert journal(ryze, dlv)["status"] == "pending"

    receiver.script(500, slow, 200).start()
    second = retry_after(ryze, dlv, 1, 1.0)
    assert (second["statusCode"], second["error"]) == (500, None)
    third = retry_after(ryze, dlv, 2, 2.0)
    assert (third["statusCode"], third["error"]) == (None, "timeout after 0.3 s")
    assert journal(ryze, dlv)["status"] == "pending"
    fourth = retry_after(ryze, dlv, 3, 4.0)
    assert (fourth["statusCode"], fourth["error"]) == (200, None)

    final = journal(ryze, dlv)
    assert final["status"] == "delivered"
    assert [a["attempt"] for a in final["attempts"]] == [1, 2, 3, 4]
    assert [a["at"] for a in final["attempts"]] == [ryze.world.iso(start + s) for s in (0, 1, 3, 7)]
    return envelope, final
