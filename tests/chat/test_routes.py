"""The chat module's routes, through the in-process app (every response is schema-checked)."""

from __future__ import annotations

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

EXAMPLE = "/api/chat/example"


def test_example_answers_for_a_connected_instance(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales", connected=True)
    response = api.get(f"{EXAMPLE}/sales")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["example"]["instance"] == "sales"
    assert body["example"]["status"] == "connected"


def test_example_is_refused_until_the_instance_is_connected(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales")
    assert error_of(api.get(f"{EXAMPLE}/sales")) == literals.NOT_CONNECTED
