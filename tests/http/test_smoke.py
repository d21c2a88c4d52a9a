from __future__ import annotations

from tests.conftest import CheckedClient, error_of


def test_create_then_list(api: CheckedClient) -> None:
    created = api.post("/api/instance/new", json={"name": "sales"})
    assert created.status_code == 201
    listed = api.get("/api/instance/list").json()
    assert listed["message"] == "1 Instance found"
    assert listed["instances"][0]["token"] == created.json()["instance"]["token"]


def test_unknown_route_is_an_envelope(api: CheckedClient) -> None:
    assert error_of(api.get("/api/nothing/here")) == (404, "Route not found")
