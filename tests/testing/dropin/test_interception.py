"""What drop-in mode intercepts and what it leaves alone: other hosts go out untouched, unknown
routes answer the mock's 404, leaving the context puts every library back exactly (even after an
exception), opt-outs, extra hosts, nesting, threads, and the ``@mock_ryze`` decorator."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import unittest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import websockets
from websockets.sync import client as ws_sync

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from mockryze.testing.intercept import active, mock_ryze
from mockryze.testing.intercept.registry import ADAPTERS, Patch, _patches
from tests.events.receivers import Receiver

RYZE = "https://ryzeapi.cloud"
ROOT = Path(__file__).resolve().parents[3]
ROUTE_NOT_FOUND = {"success": False, "error": {"message": literals.ROUTE_NOT_FOUND.message}}


# --- one POST per library, answering (status, JSON body) ------------------------------------------
def httpx_sync(url: str, body: Any) -> tuple[int, Any]:
    with httpx.Client() as client:
        response = client.post(url, json=body)
    return response.status_code, response.json()


def httpx_async(url: str, body: Any) -> tuple[int, Any]:
    async def call() -> tuple[int, Any]:
        async with httpx.AsyncClient() as client:
            response = await client.post(url, json=body)
        return response.status_code, response.json()
    return asyncio.run(call())


def requests_post(url: str, body: Any) -> tuple[int, Any]:
    response = requests.post(url, json=body, timeout=5)
    return response.status_code, response.json()


def aiohttp_post(url: str, body: Any) -> tuple[int, Any]:
    async def call() -> tuple[int, Any]:
        async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
            return response.status, await response.json()
    return asyncio.run(call())


POSTS: dict[str, Callable[[str, Any], tuple[int, Any]]] = {
    "httpx": httpx_sync, "httpx-async": httpx_async, "requests": requests_post, "aiohttp": aiohttp_post}
# What each library raises when ryzeapi.cloud cannot be reached (no network here).
CONNECTION_ERRORS: dict[str, type[BaseException]] = {
    "httpx": httpx.ConnectError, "httpx-async": httpx.ConnectError,
    "requests": requests.ConnectionError, "aiohttp": aiohttp.ClientConnectionError}


def no_network() -> None:
    try:
        socket.getaddrinfo("ryzeapi.cloud", 443)
    except OSError:
        return
    pytest.skip("ryzeapi.cloud resolves here: the restoration checks need a machine without network")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    local = Receiver().start()
    yield local
    local.stop()


@pytest.mark.parametrize("library", sorted(POSTS))
def test_other_hosts_are_not_intercepted(ryze: MockRyze, receiver: Receiver, library: str) -> None:
    status, _ = POSTS[library](receiver.hook("/orders"), {"order": 1})
    assert status == 200
    [seen] = receiver.wait_for(1)
    assert (seen.method, seen.path, seen.body) == ("POST", "/orders", {"order": 1})
    assert ryze.requests() == []  # the world saw nothing


@pytest.mark.parametrize("library", sorted(POSTS))
def test_an_unemulated_route_on_the_host_is_the_mocks_404(ryze: MockRyze, library: str) -> None:
    assert POSTS[library](f"{RYZE}/api/not/a/route", {}) == (404, ROUTE_NOT_FOUND)


def test_an_unemulated_websocket_path_is_the_mocks_404(ryze: MockRyze) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        ws_sync.connect("wss://ryzeapi.cloud/socket.io/", open_timeout=5)
    assert (refused.value.response.status_code, json.loads(refused.value.response.body)) == (404, ROUTE_NOT_FOUND)

    async def aiohttp_open() -> None:
        async with aiohttp.ClientSession() as session, session.ws_connect("wss://ryzeapi.cloud/socket.io/"):
            pass

    with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
        asyncio.run(aiohttp_open())
    assert handshake.value.status == 404


def patches() -> list[Patch]:
    return [patch for library in ADAPTERS for patch in _patches(library)]


def originals() -> dict[tuple[Any, str], Any]:
    return {(p.owner, p.name): vars(p.owner).get(p.name) for p in patches()}


@pytest.mark.parametrize("library", sorted(POSTS))
def test_leaving_restores_the_library_exactly(library: str) -> None:
    no_network()
    before = originals()
    with MockRyze() as ryze:
        ryze.create_instance("sales")
        assert POSTS[library](f"{RYZE}/api/not/a/route", {})[0] == 404
        assert all(vars(owner).get(name) is not value for (owner, name), value in before.items())
    assert originals() == before and active() == ()
    with pytest.raises(CONNECTION_ERRORS[library]):
        POSTS[library](f"{RYZE}/api/instance/list", {})


def test_leaving_restores_the_websocket_clients() -> None:
    no_network()
    with MockRyze():
        pass

    async def open_async() -> None:
        async with websockets.connect("wss://ryzeapi.cloud/ws/sales", open_timeout=5):
            pass

    with pytest.raises(OSError):
        asyncio.run(open_async())
    with pytest.raises(OSError):
        ws_sync.connect("wss://ryzeapi.cloud/ws/sales", open_timeout=5)


def test_an_exception_inside_still_restores() -> None:
    before = originals()
    with pytest.raises(RuntimeError, match="boom"), MockRyze():
        raise RuntimeError("boom")
    assert originals() == before and active() == ()


def test_each_attribute_is_patched_once() -> None:
    names = [(p.owner, p.name) for p in patches()]
    assert len(names) == len(set(names))
    assert {p.owner.__module__.split(".")[0] for p in patches()} == set(ADAPTERS)


LATE_IMPORT = """
import sys
from mockryze import MockRyze
assert "aiohttp" not in sys.modules and "requests" not in sys.modules
meta_path = list(sys.meta_path)
with MockRyze() as ryze:
    import requests  # imported while intercepting: patched then
    assert requests.get("https://ryzeapi.cloud/nope", timeout=5).status_code == 404
    import aiohttp
    patched = vars(aiohttp.ClientSession)["_request"]
assert "aiohttp" in sys.modules and vars(aiohttp.ClientSession)["_request"] is not patched
assert sys.meta_path == meta_path
print("ok")
"""


def test_libraries_imported_later_are_patched_on_import_and_restored() -> None:
    """Nothing is imported up front; a library imported while intercepting is patched as it loads."""
    done = subprocess.run([sys.executable, "-c", LATE_IMPORT], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


@pytest.mark.ryze(intercept=False)
def test_the_fixture_can_opt_out(ryze: MockRyze) -> None:
    no_network()
    assert active() == ()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{RYZE}/api/instance/list")


def test_mockryze_can_opt_out() -> None:
    with MockRyze(intercept=False):
        assert active() == ()


def listed(base: str, token: str) -> list[str]:
    response = httpx.get(f"{base}/api/instance/list", headers={"token": token})
    return [i["name"] for i in response.json()["instances"]]


def test_extra_hosts_and_base_urls() -> None:
    with MockRyze(hosts=["https://gw.example.com", "api.internal:8443"]) as ryze:
        ryze.create_instance("sales")
        for base in (RYZE, "https://gw.example.com", "http://api.internal:8443"):
            assert listed(base, ryze.account_token) == ["sales"]
        with pytest.raises(httpx.ConnectError):  # another port of that host is not covered
            httpx.get("http://api.internal:9/api/instance/list")


@pytest.mark.ryze(hosts=["gw.example.com"])
def test_the_fixture_takes_extra_hosts(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert listed("https://gw.example.com", ryze.account_token) == listed(RYZE, ryze.account_token) == ["sales"]


def test_intercept_adds_hosts_for_a_while(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    with ryze.intercept(hosts=["whatsapp-gw.example.org"]):
        assert listed("https://whatsapp-gw.example.org", ryze.account_token) == ["sales"]
    assert listed(RYZE, ryze.account_token) == ["sales"]
    with pytest.raises(httpx.ConnectError):
        httpx.get("https://whatsapp-gw.example.org/api/instance/list")


def test_nested_worlds_answer_innermost_first() -> None:
    before = originals()
    with MockRyze(seed=1) as outer:
        outer.create_instance("outer")
        with MockRyze(seed=2) as inner:
            inner.create_instance("inner")
            assert listed(RYZE, inner.account_token) == ["inner"]
        assert listed(RYZE, outer.account_token) == ["outer"]
        assert originals() != before  # still patched for the outer world
    assert originals() == before


def test_parallel_threads_each_reach_their_own_world() -> None:
    start = threading.Barrier(4)
    seen: dict[int, list[str]] = {}

    def worker(n: int) -> None:
        with MockRyze(seed=n) as ryze:
            ryze.create_instance(f"bot-{n}")
            start.wait(timeout=10)  # all four worlds are intercepting at once
            seen[n] = listed(RYZE, ryze.account_token)
            start.wait(timeout=10)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert seen == {n: [f"bot-{n}"] for n in range(4)}
    assert active() == ()


# --- @mock_ryze --------------------------------------------------------------------------------
@mock_ryze
def test_the_decorator_hands_over_the_world(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert listed(RYZE, ryze.account_token) == ["sales"]


@mock_ryze(seed=3, hosts=["gw.example.com"])
def test_the_decorator_takes_options(ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert listed("https://gw.example.com", ryze.account_token) == ["sales"]


def test_the_decorator_wraps_coroutines_and_restores() -> None:
    @mock_ryze
    async def check(ryze: MockRyze) -> int:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{RYZE}/nope")).status_code

    assert asyncio.run(check()) == 404
    assert active() == ()


@mock_ryze
class TestUnittestStyle(unittest.TestCase):
    def setUp(self) -> None:
        self.sales = self.ryze.create_instance("sales")  # type: ignore[attr-defined]  # setUp runs in the world

    def test_every_test_method_runs_in_a_world(self) -> None:
        response = requests.get(f"{RYZE}/api/instance/list", headers={"token": self.sales.token}, timeout=5)
        self.assertEqual(response.json()["instances"][0]["name"], "sales")

    def test_each_in_its_own(self) -> None:
        self.assertEqual(len(active()), 1)


class TestPlainClass:
    @mock_ryze
    def test_a_method(self, ryze: MockRyze) -> None:
        assert listed(RYZE, ryze.account_token) == []
