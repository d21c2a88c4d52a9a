"""Routing as a client sees it: every row of the route table answers at its path with its method,
404 / 405 envelopes, no trailing-slash redirects, the capture inbox's any-character suffix, the
mock-only index at ``GET /`` and the 426 of a plain ``GET /ws/{instance}``."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.http.routing import Endpoint
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, check_response, error_of

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROUTING_ERRORS = {literals.ROUTE_NOT_FOUND, literals.METHOD_NOT_ALLOWED}


def concrete(path: str) -> str:
    """A request path for a route-table path: every parameter filled in."""
    for param, value in ((":instance", "sales"), ("{name}", "sales"), ("{key}", "hooks"), ("{id}", "d1"),
                         ("{suffix:anypath}", "a/b")):
        path = path.replace(param, value)
    return path


def row_id(spec: Endpoint) -> str:
    return f"{spec.method} {spec.path}"


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    return ryze


@pytest.mark.parametrize("spec", ALL_ENDPOINTS, ids=row_id)
def test_every_row_is_reachable_at_its_path_with_its_method(sales: MockRyze, spec: Endpoint) -> None:
    response = sales.client.request(spec.method, concrete(spec.path), json={}, headers={"token": sales.account_token})
    assert response.status_code < 300 or error_of(response) not in ROUTING_ERRORS, response.text


@pytest.mark.parametrize("spec", ALL_ENDPOINTS, ids=row_id)
def test_another_method_on_a_row_path_is_405(api: CheckedClient, sales: MockRyze, spec: Endpoint) -> None:
    path = concrete(spec.path)
    served = {other.method for other in ALL_ENDPOINTS if concrete(other.path) == path}
    for method in sorted(set(METHODS) - served):
        assert error_of(api.request(method, path)) == literals.METHOD_NOT_ALLOWED, method


INSTANCE_ROWS = [spec for spec in ALL_ENDPOINTS if spec.takes_instance]


@pytest.mark.parametrize("spec", INSTANCE_ROWS, ids=row_id)
@pytest.mark.parametrize("tail", ["", "/"], ids=["bare", "slash"])
def test_an_instance_route_without_its_name_is_400_not_a_redirect(api: CheckedClient, spec: Endpoint,
                                                                   tail: str) -> None:
    response = api.request(spec.method, spec.path.replace("/:instance", "") + tail, json={})
    assert error_of(response) == literals.INSTANCE_NAME_REQUIRED


@pytest.mark.parametrize("path", ["/api/instance/list/", "/__mock__/clock/", "/openapi.json/", "/api/instance",
                                  "/api/message/text/sales/extra", "/__mock__", "/api", "/ws"])
def test_near_misses_are_404_never_a_redirect(api: CheckedClient, path: str) -> None:
    assert error_of(api.get(path)) == literals.ROUTE_NOT_FOUND


def test_a_newline_in_a_path_parameter_reaches_the_route(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(api.get("/api/instance/connect/a%0Ab")) == literals.INSTANCE_NOT_FOUND
    assert sales.client.post("/__mock__/inbox/hooks/a%0Ab/c", json={"x": 1}).status_code == 200
    assert [item["path"] for item in api.get("/__mock__/inbox/hooks").json()["items"]] == ["/a\nb/c"]


# --- GET / ---------------------------------------------------------------------------------------
def test_the_root_is_a_mock_only_index_of_the_server(ryze: MockRyze) -> None:
    response = ryze.client.get("/")
    assert response.status_code == 200
    index = response.json()
    schemas.validate("mock/index.response", index)
    assert index["mockOnly"] is True and index["name"] == "mockryze"
    assert index["version"] == ryze.client.get("/openapi.json").json()["info"]["version"]
    tags = Counter(spec.tag for spec in ALL_ENDPOINTS)
    assert {module["name"]: module["routes"] for module in index["modules"]} == tags
    prefixes = {module["name"]: module["prefix"] for module in index["modules"]}
    assert prefixes.items() >= {"instance": "/api/instance", "messages": "/api/message", "events": "/api/events",
                                "mock": "/__mock__"}.items()
    assert all(spec.path.startswith(prefixes[spec.tag] + "/") for spec in ALL_ENDPOINTS)
    assert index["websocket"] == "/ws/{instance}"


def test_the_index_links_answer(ryze: MockRyze) -> None:
    links = ryze.client.get("/").json()["links"]
    assert [ryze.client.get(path).status_code for path in links.values()] == [200] * len(links)


def test_the_root_takes_only_get(api: CheckedClient) -> None:
    assert error_of(api.post("/", json={})) == literals.METHOD_NOT_ALLOWED


# --- a plain GET /ws/{instance} ------------------------------------------------------------------
def assert_upgrade_required(response: httpx.Response) -> None:
    assert error_of(check_response(response)) == literals.WEBSOCKET_UPGRADE_REQUIRED
    assert response.status_code == 426
    assert response.headers["upgrade"] == "websocket"


def test_a_plain_get_on_the_websocket_route_is_426(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales", connected=True)
    assert_upgrade_required(ryze.client.get("/ws/sales", headers={"token": sales.token}))
    assert_upgrade_required(ryze.client.get("/ws/nobody"))  # whatever the token: the upgrade comes first


def test_a_plain_get_on_the_websocket_route_is_426_through_the_async_client(ryze: MockRyze) -> None:
    async def run() -> httpx.Response:
        async with ryze.async_client() as client:
            return await client.get("/ws/sales")

    assert_upgrade_required(asyncio.run(run()))


def test_a_plain_get_on_the_websocket_route_is_426_over_a_socket(ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales", connected=True)
    base = ryze.serve()
    assert_upgrade_required(httpx.get(f"{base}/ws/sales", headers={"token": sales.token}, timeout=10))


def test_other_methods_on_the_websocket_route_are_405(api: CheckedClient) -> None:
    assert error_of(api.post("/ws/sales", json={})) == literals.METHOD_NOT_ALLOWED
