"""Every token, account or instance, generated or custom, is unique across the whole server.

A seeded server hands out predictable tokens: an account that claims (as a custom token) the token
the generator will hand to someone else next must not end up sharing it. Each test predicts that
token with a second world of the same seed, driven through the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

SEED = 41
NEW = "/api/instance/new"


@pytest.fixture
def twin() -> Iterator[MockRyze]:
    """A world of the same seed: whatever it generates, the world under test generates too."""
    with MockRyze(seed=SEED) as mock:
        yield mock


def created_token(api: CheckedClient, name: str, as_: str | None = None, custom: str | None = None) -> str:
    """Create ``name`` as the account ``as_`` (default: the client's), with the ``custom`` token if given."""
    body = {"name": name} if custom is None else {"name": name, "token": custom}
    response = api.post(NEW, json=body, token=as_)
    assert response.status_code == 201, response.text
    return str(response.json()["instance"]["token"])


def settings_status(api: CheckedClient, name: str, token: str) -> int:
    return api.get(f"/api/instance/getSettings/{name}", token=token).status_code


@pytest.mark.ryze(seed=SEED)
def test_a_custom_instance_token_cannot_take_the_next_generated_instance_token(
        api: CheckedClient, ryze: MockRyze, twin: MockRyze) -> None:
    twin_api = CheckedClient(twin.client, twin.account_token)
    twin_attacker = twin.new_account()
    created_token(twin_api, "trap", twin_attacker, custom="placeholder")
    predicted = created_token(twin_api, "victim")

    attacker = ryze.new_account()
    assert attacker == twin_attacker
    created_token(api, "trap", attacker, custom=predicted)  # claims what the victim would be handed
    victim = created_token(api, "victim")

    assert victim != predicted
    assert settings_status(api, "victim", victim) == 200
    assert error_of(api.get("/api/instance/getSettings/victim", token=predicted)) == literals.INSTANCE_NOT_FOUND
    listed = api.get("/api/instance/list", token=predicted).json()["instances"]
    assert [item["name"] for item in listed] == ["trap"]


@pytest.mark.ryze(seed=SEED)
def test_a_custom_account_token_cannot_take_the_next_generated_instance_token(
        api: CheckedClient, ryze: MockRyze, twin: MockRyze) -> None:
    predicted = created_token(CheckedClient(twin.client, twin.account_token), "victim")

    squatter = ryze.new_account(token=predicted)
    victim = created_token(api, "victim")

    assert victim != predicted
    assert settings_status(api, "victim", victim) == 200  # the victim's own token reaches its instance
    assert api.get("/api/instance/list", token=squatter).json()["instances"] == []


@pytest.mark.ryze(seed=SEED)
def test_a_generated_account_token_never_repeats_a_custom_instance_token(
        api: CheckedClient, ryze: MockRyze, twin: MockRyze) -> None:
    created_token(CheckedClient(twin.client, twin.account_token), "first", custom="placeholder")
    predicted = twin.new_account()

    first = created_token(api, "first", custom=predicted)
    response = api.post("/__mock__/accounts", json={})

    assert response.status_code == 201, response.text
    assert response.json()["token"] != first
    assert settings_status(api, "first", first) == 200


@pytest.mark.parametrize("claim", [
    lambda ryze, token: ryze.new_account(token=token),
    lambda ryze, token: ryze.create_instance("second", token=token),
], ids=["account", "instance"])
def test_a_custom_token_already_held_is_refused(ryze: MockRyze, claim: Callable[[MockRyze, str], object]) -> None:
    taken = ryze.create_instance("first").token
    with pytest.raises(ApiError) as refused:
        claim(ryze, taken)
    assert refused.value.status == 409
