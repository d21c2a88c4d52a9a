"""Token isolation, generated from the instance route table: every route × every kind of token.

Add a route to ``mockryze.http.instance.ENDPOINTS`` and it is covered here without editing this file
(its request body comes from the first ``examples`` entry of its request schema).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.http.routing import Endpoint
from mockryze.instance.routes import ENDPOINTS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.tokens import KINDS, UNKNOWN_TOKEN, TokenWorld

TARGET = "target"  # the instance every :instance route is aimed at
SIBLING = "sibling"  # another instance of the same account
ELSEWHERE = "elsewhere"  # an instance of another account
LIST = "/api/instance/list"



@pytest.fixture
def world(ryze: MockRyze) -> TokenWorld:
    target = ryze.create_instance(TARGET, connected=True)  # connected: reconnect has a saved session
    sibling = ryze.create_instance(SIBLING)
    other = ryze.new_account()
    elsewhere = ryze.create_instance(ELSEWHERE, account_token=other)
    return TokenWorld(ryze, ryze.account_token, target.token, sibling.token, other, elsewhere.token)


def path_of(spec: Endpoint, name: str = TARGET) -> str:
    return spec.path.replace(":instance", name)


def body_of(spec: Endpoint) -> dict[str, Any] | None:
    """A valid minimal body: the first example of the route's request schema."""
    if spec.request_schema is None:
        return None
    examples = schemas.schema(spec.request_schema).get("examples") or [{}]
    body: dict[str, Any] = dict(examples[0])
    assert body.get("name") not in (TARGET, SIBLING, ELSEWHERE)
    return body


def call(client: CheckedClient, spec: Endpoint, token: str | None, **kwargs: Any) -> httpx.Response:
    body = body_of(spec)
    if body is not None:
        kwargs.setdefault("json", body)
    headers = {"token": token} if token is not None else {}
    return client.request(spec.method, path_of(spec), headers=headers, **kwargs)


def snapshot(world: TokenWorld) -> tuple[Any, Any]:
    """Both accounts' instance lists, as their owners see them."""
    client = CheckedClient(world.ryze.client)
    mine = client.get(LIST, token=world.owner)
    theirs = client.get(LIST, token=world.other_account)
    assert mine.status_code == theirs.status_code == 200
    return mine.json(), theirs.json()


def listed_names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["instances"]]


def expected(spec: Endpoint, kind: str) -> tuple[int, str | None]:
    """The documented outcome: (status, error literal) — literal None means success."""
    success = min(spec.responses)
    if kind in ("no_token", "unknown_token"):
        return literals.INVALID_TOKEN
    instance_token = kind in ("sibling_instance_token", "owner_instance_token")
    if spec.auth == "account" and instance_token:
        return literals.INVALID_TOKEN
    if kind == "sibling_instance_token" and spec.takes_instance:
        return literals.TOKEN_INSTANCE_MISMATCH
    if kind == "other_account_token" and spec.takes_instance:
        return literals.INSTANCE_NOT_FOUND
    return success, None


ROUTE_IDS = [f"{spec.method} {spec.path}" for spec in ENDPOINTS]


def test_the_table_has_the_twelve_instance_routes() -> None:
    assert len(ENDPOINTS) == 12
    assert all(spec.auth in ("account", "either") for spec in ENDPOINTS)
    assert {spec.path for spec in ENDPOINTS if spec.auth == "account"} == {
        "/api/instance/new", "/api/instance/delete/:instance"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", ENDPOINTS, ids=ROUTE_IDS)
def test_token_matrix(world: TokenWorld, spec: Endpoint, kind: str) -> None:
    client = CheckedClient(world.ryze.client)
    before = snapshot(world)
    response = call(client, spec, world.token(kind))
    status, literal = expected(spec, kind)
    if literal is not None:
        assert error_of(response) == (status, literal)
        assert snapshot(world) == before, "a rejected request changed the world"
        return
    assert response.status_code == status, response.text
    assert response.json()["success"] is True


@pytest.mark.parametrize("spec", [s for s in ENDPOINTS if s.takes_instance], ids=lambda s: f"{s.method} {s.path}")
def test_unknown_instance_name_with_owner_token_is_not_found(world: TokenWorld, spec: Endpoint) -> None:
    client = CheckedClient(world.ryze.client)
    before = snapshot(world)
    kwargs = {"json": body_of(spec)} if spec.request_schema else {}
    response = client.request(spec.method, path_of(spec, "ghost"), token=world.owner, **kwargs)
    assert error_of(response) == literals.INSTANCE_NOT_FOUND
    assert snapshot(world) == before


@pytest.mark.parametrize("spec", [s for s in ENDPOINTS if s.takes_instance], ids=lambda s: f"{s.method} {s.path}")
def test_other_accounts_instance_is_not_found_even_by_its_name(world: TokenWorld, spec: Endpoint) -> None:
    """The owner's TokenAccount aimed at another account's instance: 404, never 403, nothing changes."""
    client = CheckedClient(world.ryze.client)
    before = snapshot(world)
    kwargs = {"json": body_of(spec)} if spec.request_schema else {}
    response = client.request(spec.method, path_of(spec, ELSEWHERE), token=world.owner, **kwargs)
    assert error_of(response) == literals.INSTANCE_NOT_FOUND
    assert snapshot(world) == before


# --- list: what each kind of token can see ------------------------------------------------------


def test_list_with_owner_account_token_sees_the_whole_account(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    assert sorted(listed_names(client.get(LIST, token=world.owner))) == [SIBLING, TARGET]


def test_list_with_instance_token_sees_only_its_own_instance(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    for token, name in ((world.target, TARGET), (world.sibling, SIBLING)):
        response = client.get(LIST, token=token)
        assert listed_names(response) == [name]
        assert response.json()["message"] == "1 Instance found"
        assert response.json()["instances"][0]["token"] == token


def test_list_with_instance_token_ignores_the_instance_name_filter(world: TokenWorld) -> None:
    """Observed live: a TokenInstance's list is its own instance whatever ``?instanceName=`` asks for."""
    client = CheckedClient(world.ryze.client)
    for asked in (SIBLING, "ghost", f"{SIBLING},{TARGET}", ELSEWHERE):
        response = client.get(LIST, token=world.target, params={"instanceName": asked})
        assert listed_names(response) == [TARGET]


def test_list_with_other_account_token_never_shows_this_accounts_names(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    assert listed_names(client.get(LIST, token=world.other_account)) == [ELSEWHERE]
    for asked in (TARGET, SIBLING):
        response = client.get(LIST, token=world.other_account, params={"instanceName": asked})
        assert error_of(response) == literals.INSTANCE_NOT_FOUND
        assert TARGET not in response.text and SIBLING not in response.text
    both = client.get(LIST, token=world.other_account, params={"instanceName": f"{TARGET},{SIBLING}"})
    assert listed_names(both) == []
    assert world.target not in both.text and world.sibling not in both.text


def test_list_with_fresh_account_is_empty(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    response = client.get(LIST, token=world.ryze.new_account())
    assert listed_names(response) == []
    assert response.json()["message"] == "0 Instances found"


# --- transports ---------------------------------------------------------------------------------

GET_SETTINGS = f"/api/instance/getSettings/{TARGET}"


@pytest.mark.parametrize("kind", ["owner_account_token", "owner_instance_token"])
def test_token_header(world: TokenWorld, kind: str) -> None:
    client = CheckedClient(world.ryze.client)
    assert client.get(GET_SETTINGS, headers={"token": world.token(kind)}).status_code == 200


@pytest.mark.parametrize("kind", ["owner_account_token", "owner_instance_token"])
def test_authorization_bearer(world: TokenWorld, kind: str) -> None:
    client = CheckedClient(world.ryze.client)
    assert client.get(GET_SETTINGS, headers={"Authorization": f"Bearer {world.token(kind)}"}).status_code == 200


@pytest.mark.parametrize("kind", ["owner_account_token", "owner_instance_token"])
def test_query_parameter(world: TokenWorld, kind: str) -> None:
    client = CheckedClient(world.ryze.client)
    assert client.get(GET_SETTINGS, params={"token": world.token(kind)}).status_code == 200


def test_every_transport_rejects_an_unknown_token(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    attempts = [
        client.get(GET_SETTINGS, headers={"token": UNKNOWN_TOKEN}),
        client.get(GET_SETTINGS, headers={"Authorization": f"Bearer {UNKNOWN_TOKEN}"}),
        client.get(GET_SETTINGS, params={"token": UNKNOWN_TOKEN}),
    ]
    assert [error_of(r) for r in attempts] == [literals.INVALID_TOKEN] * 3


def test_every_transport_carries_the_instance_scope(world: TokenWorld) -> None:
    """The sibling's token is a TokenInstance whichever way it travels: 403 on another instance."""
    client = CheckedClient(world.ryze.client)
    attempts = [
        client.get(GET_SETTINGS, headers={"token": world.sibling}),
        client.get(GET_SETTINGS, headers={"Authorization": f"Bearer {world.sibling}"}),
        client.get(GET_SETTINGS, params={"token": world.sibling}),
    ]
    assert [error_of(r) for r in attempts] == [literals.TOKEN_INSTANCE_MISMATCH] * 3


def test_transport_works_on_create_and_list(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    created = client.post("/api/instance/new", json={"name": "via-bearer"},
                          headers={"Authorization": f"Bearer {world.owner}"})
    assert created.status_code == 201
    listed = client.get(LIST, params={"token": world.owner})
    assert "via-bearer" in listed_names(listed)


@pytest.mark.parametrize("kind", ["owner_account_token", "owner_instance_token"])
def test_token_header_and_bearer_with_the_same_value(world: TokenWorld, kind: str) -> None:
    client = CheckedClient(world.ryze.client)
    token = world.token(kind)
    response = client.get(GET_SETTINGS, headers={"token": token, "Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["message"] == literals.SETTINGS_RETRIEVED


def test_bearer_scheme_is_case_insensitive(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    assert client.get(GET_SETTINGS, headers={"Authorization": f"bearer {world.owner}"}).status_code == 200


def test_authorization_without_bearer_is_not_a_token(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    for value in (world.owner, f"Basic {world.owner}", "Bearer ", "Bearer"):
        assert error_of(client.get(GET_SETTINGS, headers={"Authorization": value})) == literals.INVALID_TOKEN


# --- tokens die with their instance; rejected deletes change nothing ---------------------------


def test_deleted_instance_token_is_invalid(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    assert client.delete(f"/api/instance/delete/{SIBLING}", token=world.owner).status_code == 200
    assert error_of(client.get(LIST, token=world.sibling)) == literals.INVALID_TOKEN
    assert error_of(client.get(f"/api/instance/getSettings/{SIBLING}", token=world.sibling)) == literals.INVALID_TOKEN
    assert listed_names(client.get(LIST, token=world.owner)) == [TARGET]


def test_instance_token_cannot_delete_even_itself(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    before = snapshot(world)
    for token in (world.target, world.sibling, world.elsewhere):
        response = client.delete(f"/api/instance/delete/{TARGET}", token=token)
        assert error_of(response) == literals.INVALID_TOKEN
    assert snapshot(world) == before


def test_instance_token_of_another_account_is_refused_on_this_account(world: TokenWorld) -> None:
    """A TokenInstance belongs to its own account: aimed at our instance it finds nothing (404)."""
    client = CheckedClient(world.ryze.client)
    before = snapshot(world)
    response = client.get(GET_SETTINGS, token=world.elsewhere)
    assert error_of(response) == literals.INSTANCE_NOT_FOUND
    assert listed_names(client.get(LIST, token=world.elsewhere)) == [ELSEWHERE]
    assert snapshot(world) == before


def test_other_account_create_lands_in_its_own_account(world: TokenWorld) -> None:
    client = CheckedClient(world.ryze.client)
    created = client.post("/api/instance/new", json={"name": TARGET}, token=world.other_account)
    assert created.status_code == 201  # same name, different account: no clash
    assert sorted(listed_names(client.get(LIST, token=world.other_account))) == [ELSEWHERE, TARGET]
    assert sorted(listed_names(client.get(LIST, token=world.owner))) == [SIBLING, TARGET]
    mine = client.get(LIST, token=world.owner).json()["instances"]
    assert created.json()["instance"]["token"] not in {item["token"] for item in mine}
