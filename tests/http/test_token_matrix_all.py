"""Token isolation over EVERY emulated route: each route × each kind of token, from the route table.

``tests/instance/test_tokens.py`` covers the twelve instance routes in depth; this file generates the same
matrix for every row of ``mockryze.http.app.EMULATED`` (instance, messages and events modules), so a
route added to any of them is covered without editing this file:

- no token / an unknown token: 401 ``Invalid token``;
- an instance token on an account-only route: 401 ``Invalid token``;
- another instance's token (same account) on an ``:instance`` route: 403 ``Instance token does not
  match this instance``;
- another account's TokenAccount on an ``:instance`` route: 404 ``Instance not found``;
- the owner's TokenAccount or (where allowed) the instance's own token: a documented success status.

A refused request changes nothing. The body is the first ``examples`` entry of the route's request
schema; the world is prepared so that it can succeed (a connected instance, the WebSocket configured,
a stored message for the ``messageId`` / ``replyTo`` it names or the ``?messageId=`` the route takes,
of the kind the route needs, the group its recipient names, a followed newsletter channel, a Chatwoot
integration; routes that need a query get one from ``QUERIES``). When
an owner's request still fails, the test fails naming the route: no route is skipped.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.http.app import EMULATED
from mockryze.http.routing import Endpoint
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.tokens import KINDS, TokenWorld

TARGET = "matrix-target"  # connected; every :instance route is aimed at it
SIBLING = "matrix-sibling"  # same account, not connected
ELSEWHERE = "matrix-elsewhere"  # another account's instance
LIST = "/api/instance/list"
CHANNEL = "120363000000000099@newsletter"  # the channel the newsletter routes' examples name
CHATWOOT = {"chatwootEnabled": True, "chatwootBaseUrl": "https://chatwoot.example.org", "chatwootAccountId": 7,
            "chatwootApiToken": "matrix-chatwoot-token", "chatwootInboxName": "matrix"}

ROUTES = [spec for spec in EMULATED if spec.auth != "none"]
MATRIX_GROUP = "120363000000000001@g.us"
QUERIES: dict[str, dict[str, str]] = {  # routes whose success needs a query parameter
    "/api/group/info/:instance": {"identifier": MATRIX_GROUP},
    "/api/group/requests/:instance": {"identifier": MATRIX_GROUP},
    "/api/group/leave/:instance": {"identifier": MATRIX_GROUP},
    "/api/community/listSubGroups/:instance": {"communityJid": "(seeded)"},
    "/api/newsletter/info/:instance": {"identifier": CHANNEL},
    "/api/newsletter/leave/:instance": {"identifier": CHANNEL},
}
QUERIES_NOW: dict[str, dict[str, str]] = {}  # the query with the world's real ids, set by prepare_groups
ROUTE_IDS = [f"{spec.method} {spec.path}" for spec in ROUTES]
SUCCESS_KINDS = ("owner_account_token", "owner_instance_token")


@pytest.fixture
def matrix(ryze: MockRyze) -> TokenWorld:
    return build_world(ryze)


def build_world(ryze: MockRyze) -> TokenWorld:
    """The matrix's world (tests/http/test_prism.py builds it through Prism, scripts/schema_examples.py too)."""
    target = ryze.create_instance(TARGET, connected=True,  # connected: sends and reconnect can succeed
                                  **CHATWOOT)  # the Chatwoot routes read and delete its integration row
    sibling = ryze.create_instance(SIBLING)
    other = ryze.new_account()
    elsewhere = ryze.create_instance(ELSEWHERE, account_token=other, connected=True)
    # getWebsocket answers 404 until the WebSocket is configured: configure it (disabled) first.
    configured = ryze.client.post(f"/api/events/websocket/{TARGET}", headers={"token": ryze.account_token},
                                  json={"enabled": False})
    assert configured.status_code == 200, configured.text
    ryze.newsletter(TARGET, "matrix channel", jid=CHANNEL, following=True)  # info, join and leave find it
    return TokenWorld(ryze, ryze.account_token, target.token, sibling.token, other, elsewhere.token)


def example_body(spec: Endpoint) -> dict[str, Any] | None:
    """The first example of the route's request schema (``None`` for a route without a body)."""
    if spec.request_schema is None:
        return None
    examples = schemas.schema(spec.request_schema).get("examples")
    assert examples, f"{spec.method} {spec.path}: request schema {spec.request_schema!r} has no examples"
    body: dict[str, Any] = dict(examples[0])
    assert body.get("name") not in (TARGET, SIBLING, ELSEWHERE)
    return body


# Routes whose message must be one of our own sends (the send route and its body); others get a received text.
OWN_SENDS: dict[str, tuple[str, dict[str, Any]]] = {
    "/api/chat/edit/:instance": ("text", {"number": "5511987654321", "message": "to be edited"}),
    "/api/chat/poll/:instance": ("poll", {"number": "5511987654321", "question": "When?", "options": ["Fri", "Sat"]}),
    "/api/chat/base64/:instance": ("media", {"number": "5511987654321", "mediaType": "image",
                                             "mediaBase64": "aGVsbG8="}),
}


def stored_message(matrix: TokenWorld, spec: Endpoint, number: Any) -> str:
    """The id of a message really stored on TARGET, of the kind the route needs."""
    ryze = matrix.ryze
    if spec.path in OWN_SENDS:
        kind, send = OWN_SENDS[spec.path]
        sent = ryze.client.post(f"/api/message/{kind}/{TARGET}", headers={"token": matrix.owner}, json=send)
        assert sent.status_code == 200, sent.text
        return str(sent.json()["data"]["messageId"])
    stored = ryze.inbound(TARGET, from_=number if isinstance(number, str) and "@" not in number
                          else "5511987654321", text="quoted")
    assert stored is not None
    return str(stored["id"])
def prepare_groups(matrix: TokenWorld, spec: Endpoint, body: dict[str, Any] | None) -> dict[str, Any] | None:
    """The groups and communities the example names: a group the instance administers under the
    example's JID, a group known only by the example's invite code, a community (its JID is seeded:
    the body and the query get the real one)."""
    ryze = matrix.ryze
    if not spec.path.startswith(("/api/group/", "/api/community/")):
        return body
    identifier = (body or {}).get("identifier") or QUERIES.get(spec.path, {}).get("identifier")
    if isinstance(identifier, str) and identifier.endswith("@g.us"):
        ryze.create_group(TARGET, "matrix group", ["5511911110001", "5511911110002"], jid=identifier)
    elif isinstance(identifier, str):
        ryze.create_group(TARGET, "matrix invite", ["5511911110001"], creator="5511911110003", member=False,
                          invite_code=identifier.rsplit("/", 1)[-1])
    if (body is not None and "communityJid" in body) or "communityJid" in QUERIES.get(spec.path, {}):
        created = ryze.client.post(f"/api/community/create/{TARGET}", headers={"token": matrix.owner},
                                   json={"name": "matrix community"})
        community = created.json()["group"]["jid"]
        QUERIES_NOW[spec.path] = {"communityJid": community}
        if body is not None:
            for group in body["groupJid"]:
                ryze.create_group(TARGET, "matrix subgroup", ["5511911110001"], jid=group)
                if spec.path.startswith("/api/community/unlink/"):
                    ryze.client.post(f"/api/community/link/{TARGET}", headers={"token": matrix.owner},
                                     json={"communityJid": community, "groupJid": [group]})
            body = {**body, "communityJid": community}
    return body


def prepare(matrix: TokenWorld, spec: Endpoint, body: dict[str, Any] | None) -> dict[str, Any] | None:
    """Make the world one in which the example body can succeed on TARGET."""
    body = prepare_groups(matrix, spec, body)
    if body is None or not spec.takes_instance:
        return body
    ryze = matrix.ryze
    number = body.get("number")
    if isinstance(number, str) and number.endswith("@g.us"):
        ryze.create_group(TARGET, "matrix group", ["5511911110001", "5511911110002"], jid=number)
    for key in ("messageId", "replyTo"):
        if isinstance(body.get(key), str):  # the example names a message: use one that is really stored
            body = {**body, key: stored_message(matrix, spec, number)}
    if isinstance(body.get("tagId"), str):  # the example names a label: use one that really exists
        body = {**body, "tagId": new_label(matrix)}
    return body


def new_label(matrix: TokenWorld) -> str:
    created = matrix.ryze.client.post(f"/api/chat/tag/{TARGET}", headers={"token": matrix.owner},
                                      json={"name": "matrix label"})
    assert created.status_code == 200, created.text
    return str(created.json()["tag"]["id"])


def example_query(matrix: TokenWorld, spec: Endpoint) -> dict[str, str]:
    """Values for the route's query parameters a request needs to succeed (a real label for ``tagId``, a
    stored message of the kind the route needs for ``messageId``)."""
    values = {"tagId": lambda: new_label(matrix), "number": lambda: "5511987654321",
              "messageId": lambda: stored_message(matrix, spec, None)}
    return {name: values[name]() for name in spec.query if name in values and spec.takes_instance}


def request_params(matrix: TokenWorld, spec: Endpoint) -> dict[str, str]:
    """The query a request of the route sends after ``prepare`` (the values it made, then the fixed ones)."""
    return {**example_query(matrix, spec), **QUERIES_NOW.pop(spec.path, QUERIES.get(spec.path, {}))}


def path_of(spec: Endpoint, name: str = TARGET) -> str:
    return spec.path.replace(":instance", name)


def expected(spec: Endpoint, kind: str) -> tuple[int, str] | None:
    """The documented refusal (status, literal), or None where the request must succeed."""
    if kind in ("no_token", "unknown_token"):
        return literals.INVALID_TOKEN
    instance_token = kind in ("sibling_instance_token", "owner_instance_token")
    if spec.auth == "account" and instance_token:
        return literals.INVALID_TOKEN
    if kind == "sibling_instance_token" and spec.takes_instance:
        return literals.TOKEN_INSTANCE_MISMATCH
    if kind == "other_account_token" and spec.takes_instance:
        return spec.refusal(literals.INSTANCE_NOT_FOUND)
    return None


def snapshot(matrix: TokenWorld) -> tuple[Any, ...]:
    """Both accounts' lists and event records, and the target's stored messages and webhooks."""
    client = matrix.ryze.client
    taken = []
    for token in (matrix.owner, matrix.other_account):
        taken.append(client.get(LIST, headers={"token": token}).json())
        taken.append(client.get("/__mock__/events", headers={"token": token}).json()["count"])
    taken.append(matrix.ryze.messages(TARGET))
    taken.append(client.get(f"/api/events/getWebhook/{TARGET}", headers={"token": matrix.owner}).json())
    taken.append(client.get(f"/api/events/getWebsocket/{TARGET}", headers={"token": matrix.owner}).json())
    return tuple(taken)


def test_every_emulated_route_is_in_the_matrix() -> None:
    assert len(ROUTES) == len(EMULATED) >= 12
    assert all(spec.auth in ("account", "either") for spec in ROUTES)
    assert all(spec.takes_instance or ":" not in spec.path for spec in ROUTES)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", ROUTES, ids=ROUTE_IDS)
def test_token_matrix(matrix: TokenWorld, spec: Endpoint, kind: str) -> None:
    client = CheckedClient(matrix.ryze.client)  # every response is checked against its schema
    body = prepare(matrix, spec, example_body(spec))
    token = matrix.token(kind)
    headers = {"token": token} if token is not None else {}
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    kwargs["params"] = request_params(matrix, spec)
    before = snapshot(matrix)
    response: httpx.Response = client.request(spec.method, path_of(spec), headers=headers, **kwargs)
    refusal = expected(spec, kind)
    if refusal is not None:
        assert error_of(response) == refusal, f"{spec.method} {spec.path} with {kind}: {response.text}"
        assert snapshot(matrix) == before, f"{spec.method} {spec.path}: a refused request changed the world"
        return
    # Chatwoot's successes are bare objects: no `success` member at all (its schema forbids one).
    assert response.status_code in spec.responses and response.json().get("success", True) is True, (
        f"{spec.method} {spec.path}: the owner's {kind} must succeed with its first request example, got "
        f"{response.status_code} {response.text} — prepare the world for it in prepare() or fix the example")


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.takes_instance], ids=lambda s: f"{s.method} {s.path}")
def test_other_accounts_instance_is_not_found_by_name(matrix: TokenWorld, spec: Endpoint) -> None:
    """The owner's TokenAccount aimed at another account's instance, by its real name: 404, nothing changes."""
    client = CheckedClient(matrix.ryze.client)
    body = example_body(spec)
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    before = snapshot(matrix)
    response = client.request(spec.method, path_of(spec, ELSEWHERE), token=matrix.owner, **kwargs)
    assert error_of(response) == spec.refusal(literals.INSTANCE_NOT_FOUND), \
        f"{spec.method} {spec.path}: {response.text}"
    assert snapshot(matrix) == before


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.takes_instance], ids=lambda s: f"{s.method} {s.path}")
def test_other_accounts_instance_token_is_not_found_here(matrix: TokenWorld, spec: Endpoint) -> None:
    """Another account's TokenInstance aimed at our instance finds nothing (404), whatever the route."""
    client = CheckedClient(matrix.ryze.client)
    body = example_body(spec)
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    before = snapshot(matrix)
    response = client.request(spec.method, path_of(spec), token=matrix.elsewhere, **kwargs)
    expected_refusal = literals.INVALID_TOKEN if spec.auth == "account" else spec.refusal(literals.INSTANCE_NOT_FOUND)
    assert error_of(response) == expected_refusal, f"{spec.method} {spec.path}: {response.text}"
    assert snapshot(matrix) == before
