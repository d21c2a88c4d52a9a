"""Prism (npm ``@stoplight/prism-cli``) as a second, independent contract oracle.

``prism proxy`` sits in front of a real ``mockryze serve``, validates every request and response against
the served ``/openapi.json`` with its own validator, and lists what does not match in the
``sl-violations`` response header. Every emulated route is driven through it, world preparation
included (the control-plane verbs go through the proxy too), in the token-matrix style: each kind of
token (the documented 401 / 403 / 404 refusals and the successes, the world prepared so the schema's
first request example succeeds), plus an empty body on the body routes (a documented 400, or a success
where no member is required). No response may carry a violation; a request only where it was sent off
the contract on purpose (no token, an empty body).

``prism mock`` answers every operation of the document with a body that validates against the
operation's own schema (checked with mockryze's validator).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockryze.core import schemas
from mockryze.http.app import ALL_ENDPOINTS, EMULATED
from mockryze.http.routing import Endpoint
from mockryze.openapi import _path as openapi_path
from mockryze.testing.api import RemoteRyze
from tests.http.test_token_matrix_all import (
    TARGET,
    build_world,
    example_body,
    expected,
    path_of,
    prepare,
    request_params,
)
from tests.node_tools import mockryze_server, prism, write_document
from tests.tokens import KINDS, TokenWorld

pytestmark = pytest.mark.slow

ACCOUNT = "prism-account-token"
ROUTES = [spec for spec in EMULATED if spec.auth != "none"]
Violation = dict[str, Any]


class Journal:
    """Every exchange through the proxy with the violations Prism reported for it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, list[Violation]]] = []

    def hook(self, response: httpx.Response) -> None:
        header = response.headers.get("sl-violations")
        violations: list[Violation] = json.loads(header) if header else []
        self.seen.append((f"{response.request.method} {response.request.url.path}", response.status_code,
                          violations))

    def take(self) -> list[tuple[str, int, list[Violation]]]:
        taken, self.seen = self.seen, []
        return taken


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_document(tmp_path_factory.mktemp("prism"))


@pytest.fixture(scope="module")
def proxy(document: Path) -> Iterator[str]:
    with mockryze_server("--account-token", ACCOUNT, "--rate-limits", "off", "--instance-limit", "1000") as base, \
            prism(document, "proxy", base, "--errors=false") as proxied:
        yield proxied


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
def world(proxy: str, journal: Journal) -> Iterator[TokenWorld]:
    """The token matrix's world (a connected target, a sibling, another account's instance), built through
    the proxy on a reset server."""
    ryze = RemoteRyze(proxy, ACCOUNT)
    ryze.client.event_hooks["response"].append(journal.hook)
    ryze.reset()
    yield build_world(ryze)  # type: ignore[arg-type]
    ryze.close()


def _send(world: TokenWorld, spec: Endpoint, kind: str, body: dict[str, Any] | None,
          params: dict[str, str]) -> httpx.Response:
    """The route's request with the token of ``kind`` (none at all for ``no_token``)."""
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}
    request = world.ryze.client.build_request(spec.method, path_of(spec), params=params, **kwargs)
    token = world.token(kind)
    if token is None:
        del request.headers["token"]  # the client sends the account token by default
    else:
        request.headers["token"] = token
    return world.ryze.client.send(request)


def test_the_proxy_reports_violations(world: TokenWorld, journal: Journal) -> None:
    """The oracle can fail: a request off the contract is reported in ``sl-violations``."""
    journal.take()
    world.ryze.client.post(f"/api/message/text/{TARGET}", json={"number": 5})
    [(_, status, violations)] = journal.take()
    assert status == 400
    assert any(v["location"][:2] == ["request", "body"] for v in violations), violations


@pytest.mark.parametrize("spec", ROUTES, ids=[f"{s.method} {s.path}" for s in ROUTES])
def test_every_route_through_prism_proxy_has_no_violation(world: TokenWorld, journal: Journal,
                                                          spec: Endpoint) -> None:
    succeeded = False
    for kind in KINDS:
        if succeeded and expected(spec, kind) is None:  # a success may have used the world up (a delete)
            world.ryze.reset()
            world = build_world(world.ryze)  # type: ignore[arg-type]
        succeeded = succeeded or expected(spec, kind) is None
        body = prepare(world, spec, example_body(spec))  # type: ignore[arg-type]
        params = request_params(world, spec)  # type: ignore[arg-type]
        prepared = journal.take()  # the preparation went through the proxy too
        assert [v for _, _, vs in prepared for v in vs] == [], f"preparing {spec.method} {spec.path}: {prepared}"
        response = _send(world, spec, kind, body, params)
        [(_, status, violations)] = journal.take()
        refusal = expected(spec, kind)
        if refusal is None:
            assert status in spec.responses, f"{spec.method} {spec.path} {kind}: {response.text}"
            assert violations == [], f"{spec.method} {spec.path} {kind}: {violations}"
        else:
            assert (status, response.json()["error"]["message"]) == refusal, response.text
            off_contract = [v for v in violations if v["location"][:1] != ["request"] or kind != "no_token"]
            assert off_contract == [], f"{spec.method} {spec.path} {kind}: {violations}"
    if spec.request_schema is not None:  # an empty body: a documented 400, or a success if nothing is required
        response = _send(world, spec, "owner_account_token", {}, request_params(world, spec))  # type: ignore[arg-type]
        *_, (_, status, violations) = journal.take()
        assert status in spec.responses or any(e.status == status for e in spec.errors), response.text
        assert [v for v in violations if v["location"][:1] == ["response"]] == [], violations


@pytest.fixture(scope="module")
def mock_server(document: Path) -> Iterator[str]:
    with prism(document, "mock") as base:
        yield base


@pytest.mark.parametrize("spec", ALL_ENDPOINTS, ids=lambda s: f"{s.method} {s.path}")
def test_prism_mock_answers_every_operation_with_a_valid_body(mock_server: str, spec: Endpoint) -> None:
    path = openapi_path(spec).replace("{", "").replace("}", "")  # any value fills a path parameter
    body = None
    if spec.request_schema is not None:
        body = schemas.schema(spec.request_schema).get("examples", [{}])[0]
    response = httpx.request(spec.method, mock_server + path, json=body, headers={"token": "prism-mock"},
                             timeout=30)
    assert response.status_code in spec.responses, f"{spec.method} {path}: {response.status_code} {response.text}"
    schemas.validate(spec.responses[response.status_code], response.json())
