from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from starlette.routing import Route, WebSocketRoute

from mockryze import sandbox
from mockryze.core import schemas
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient

# Served but not operations of the API: the document itself, the mock-only index, the plain-GET
# answer (426) of the WebSocket route, and the sandbox page with its assets.
DOC_ONLY = {"/openapi.json", "/", "/ws/{instance}", *(route.path for route in sandbox.routes())}


def _served_operations(ryze: MockRyze) -> set[tuple[str, str]]:
    """(method, path) pairs the app serves, one path per endpoint (the empty-name variants share it)."""
    paths_by_endpoint: dict[Any, str] = {}
    methods: dict[Any, set[str]] = {}
    for route in ryze.app.routes:
        if isinstance(route, WebSocketRoute) or route.path in DOC_ONLY:  # type: ignore[attr-defined]
            continue
        assert isinstance(route, Route)
        known = paths_by_endpoint.get(route.endpoint)
        if known is None or "{" in route.path:
            paths_by_endpoint[route.endpoint] = route.path
        methods.setdefault(route.endpoint, set()).update(m for m in route.methods or () if m != "HEAD")
    spelled = {endpoint: re.sub(r"\{(\w+):\w+\}", r"{\1}", path) for endpoint, path in paths_by_endpoint.items()}
    return {(m, path) for endpoint, path in spelled.items() for m in methods[endpoint]}


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_document_lists_exactly_the_routes_the_app_serves(ryze: MockRyze, api: CheckedClient) -> None:
    document = ryze.client.get("/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert documented == _served_operations(ryze)
    assert len(documented) == len(ALL_ENDPOINTS)


def test_every_ref_resolves_and_every_schema_is_bundled(ryze: MockRyze) -> None:
    document = ryze.client.get("/openapi.json").json()
    for ref in _refs(document):
        assert ref.startswith("#/"), ref
        _resolve(document, ref)
    assert set(document["components"]["schemas"]) == {n.replace("/", ".") for n in schemas.names()}


def test_errors_are_documented_with_their_literals(ryze: MockRyze) -> None:
    document = ryze.client.get("/openapi.json").json()
    delete = document["paths"]["/api/instance/delete/{instance}"]["delete"]
    assert set(delete["responses"]) >= {"200", "401", "404", "429"}
    examples = [e["value"]["error"]["message"] for e in delete["responses"]["404"]["content"]["application/json"]
                ["examples"].values()]
    assert "Instance not found" in examples
    assert document["paths"]["/__mock__/reset"]["post"]["security"] == []
    assert set(document["components"]["securitySchemes"]) == {"tokenHeader", "bearer", "tokenQuery"}


def test_cli_prints_the_same_document(ryze: MockRyze) -> None:
    printed = subprocess.run([sys.executable, "-m", "mockryze", "openapi"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert json.loads(printed) == ryze.client.get("/openapi.json").json()
