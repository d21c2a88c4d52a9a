"""CORS as a browser sees it: preflight of every API route answered 204 with the route's methods and
the allowed headers, ``Access-Control-Allow-Origin`` on responses carrying an ``Origin``, and
``--cors-origins`` narrowing who gets it."""

from __future__ import annotations

import httpx
import pytest

from mockryze.cli import build_parser
from mockryze.core import literals
from mockryze.core.settings import SettingError, Settings
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.http.routing import Endpoint
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.http.test_routing import concrete, row_id

ORIGIN = "http://localhost:3000"
API_ROWS = [spec for spec in ALL_ENDPOINTS if spec.path.startswith("/api/")]


def preflight(client: httpx.Client, path: str, method: str = "POST", origin: str = ORIGIN) -> httpx.Response:
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": "content-type, token"})


@pytest.mark.parametrize("spec", API_ROWS, ids=row_id)
def test_every_api_route_answers_preflight(ryze: MockRyze, spec: Endpoint) -> None:
    path = concrete(spec.path)
    response = preflight(ryze.client, path, spec.method)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert spec.method in response.headers["Access-Control-Allow-Methods"].split(", ")
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization, token"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_lists_the_methods_of_the_path(ryze: MockRyze) -> None:
    served = {spec.method for spec in ALL_ENDPOINTS if concrete(spec.path) == "/api/events/webhook/sales"}
    response = preflight(ryze.client, "/api/events/webhook/sales")
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == served
    assert preflight(ryze.client, "/api/instance/list", "GET").headers["Access-Control-Allow-Methods"] == "GET"


def test_responses_carrying_an_origin_get_the_allow_origin_header(api: CheckedClient) -> None:
    response = api.get("/api/instance/list", headers={"Origin": ORIGIN, "token": api.token})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    refused = api.get("/api/instance/list", headers={"Origin": ORIGIN, "token": "nope"})
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # the browser lets the client read the 401
    assert "Access-Control-Allow-Origin" not in api.get("/api/instance/list").headers  # no Origin, no header


def test_a_wrong_method_without_preflight_headers_keeps_the_405_envelope(api: CheckedClient) -> None:
    assert error_of(api.request("OPTIONS", "/api/instance/list")) == literals.METHOD_NOT_ALLOWED
    with_origin = api.request("PUT", "/api/instance/list", headers={"Origin": ORIGIN, "token": api.token})
    assert error_of(with_origin) == literals.METHOD_NOT_ALLOWED
    assert with_origin.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_of_an_unknown_path_is_the_404_envelope(api: CheckedClient) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    response = api.request("OPTIONS", "/api/nowhere", headers=headers)
    assert error_of(response) == literals.ROUTE_NOT_FOUND


@pytest.mark.ryze(rate_limits=True, rate_limit_global=2)
def test_preflight_is_not_counted_against_the_rate_limit(ryze: MockRyze, api: CheckedClient) -> None:
    for _ in range(5):
        assert preflight(ryze.client, "/api/instance/list", "GET").status_code == 204
    assert api.get("/api/instance/list").headers["X-RateLimit-Remaining"] == "1"


def test_listed_origins_are_echoed_and_others_left_without_the_header() -> None:
    with MockRyze(cors_origins=f"{ORIGIN}, https://app.example") as ryze:
        listed = preflight(ryze.client, "/api/instance/list", "GET", origin="https://app.example")
        assert listed.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert listed.headers["Vary"] == "Origin"
        other = preflight(ryze.client, "/api/instance/list", "GET", origin="https://evil.example")
        assert other.status_code == 204 and "Access-Control-Allow-Origin" not in other.headers
        sent = ryze.client.get("/api/instance/list", headers={"Origin": ORIGIN, "token": ryze.account_token})
        assert sent.headers["Access-Control-Allow-Origin"] == ORIGIN
        unlisted = ryze.client.get("/api/instance/list", headers={"Origin": "https://evil.example",
                                                                   "token": ryze.account_token})
        assert unlisted.status_code == 200 and "Access-Control-Allow-Origin" not in unlisted.headers


def test_cors_origins_comes_from_the_flag_and_the_environment() -> None:
    assert Settings.from_sources(env={"MOCKRYZE_CORS_ORIGINS": ORIGIN}).cors_origins == ORIGIN
    flags = build_parser().parse_args(["serve", "--cors-origins", "https://app.example"])
    assert flags.cors_origins == "https://app.example"
    with pytest.raises(SettingError, match="cors_origins"):
        Settings(cors_origins="http://a.example,,http://b.example")


def test_cors_choices_are_in_the_contract_table(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    behaviours = {b["behaviour"]: b["source"] for row in table["routes"] for b in row["behaviours"]}
    labelled = " ".join(text for text, source in behaviours.items() if source == "inferred")
    assert "--cors-origins" in labelled and "Access-Control-Allow-Methods" in labelled
