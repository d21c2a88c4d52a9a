"""Each library's integrator client (tests/testing/dropin/integrators.py) runs its whole flow against
the ``ryze`` fixture unchanged: its calls to https://ryzeapi.cloud and wss://ryzeapi.cloud reach the
in-process world, which the test drives through the control plane."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.conftest import schema_name_for
from tests.testing.dropin.integrators import bot_clients

CUSTOMER = "5511912345678"
LIBRARIES = sorted(bot_clients)


async def maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def checked(method: str, path: str, body: Any, status: int = 200) -> Any:
    schemas.validate(schema_name_for(method, path, status), body)
    return body


async def flow(ryze: MockRyze, client: Any) -> None:
    created = checked("POST", "/api/instance/new", await maybe(client.create_instance("sales")), 201)
    assert created["instance"]["name"] == "sales"
    checked("GET", "/api/instance/connect/sales", await maybe(client.connect("sales")))
    ryze.scan("sales")  # the phone scans the QR code: control plane

    [listed] = checked("GET", "/api/instance/list", await maybe(client.instances()))["instances"]
    assert (listed["name"], listed["status"]) == ("sales", "connected")

    text = checked("POST", "/api/message/text/sales", await maybe(client.send_text("sales", CUSTOMER, "hello")))
    media = checked("POST", "/api/message/media/sales", await maybe(client.send_media("sales", CUSTOMER)))
    assert [m["id"] for m in ryze.sent("sales")] == [text["data"]["messageId"], media["data"]["messageId"]]

    client.on_open = lambda: ryze.inbound("sales", from_=CUSTOMER, text="the menu, please")
    frame = await maybe(client.next_event("sales"))
    assert frame["event"] == "message.exchange"
    schemas.validate_event(frame)
    assert (frame["data"]["direction"], frame["data"]["message"]["content"]) == ("incoming", "the menu, please")
    assert frame == ryze.events("sales", event="message.exchange")[-1]  # the frame any WebSocket client gets


@pytest.mark.parametrize("library", LIBRARIES)
def test_an_unmodified_client_runs_its_flow_against_the_mock(ryze: MockRyze, library: str) -> None:
    client = bot_clients[library](ryze.account_token)
    try:
        asyncio.run(flow(ryze, client))
    finally:
        if hasattr(client, "close"):
            asyncio.run(client.close())
