from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from openapi_spec_validator import validate
from starlette.routing import Route, WebSocketRoute

from mockryze import sandbox
from mockryze.core import schemas
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.openapi import DATA_KEYWORDS, NAME_MAPS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient

# Served but not operations of the API: the document itself, the mock-only index, the plain-GET
# answer (426) of the WebSocket route, the sandbox page with its assets, and the API reference (/docs).
DOC_ONLY = {"/openapi.json", "/", "/ws/{instance}", *(route.path for route in sandbox.routes()),
           "/docs", "/docs/static/{name}"}


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
    bundled = {n.replace("/", ".") for n in schemas.names()}
    hoisted = {f"{n.replace('/', '.')}_{d}" for n in schemas.names() for d in schemas.schema(n).get("$defs", {})}
    assert set(document["components"]["schemas"]) >= bundled | hoisted
    assert all(ref.count("/") == 3 for ref in _refs(document)), "every $ref names a whole component"


def _schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every (sub)schema of a schema, skipping data (examples, enums) and the names of name maps."""
    if not isinstance(node, dict):
        return
    yield node
    for keyword, value in node.items():
        if keyword in DATA_KEYWORDS or keyword.startswith("x-"):
            continue
        values = value.values() if keyword in NAME_MAPS else value if isinstance(value, list) else [value]
        for subschema in values:
            yield from _schema_nodes(subschema)


def test_the_document_uses_only_portable_constructs(ryze: MockRyze) -> None:
    """What tools resolve differently is spelled portably: no constraint next to a ``$ref`` (``allOf``
    instead), no ``unevaluatedProperties``, no boolean subschemas, no ``title`` (generators name models
    after it)."""
    document = ryze.client.get("/openapi.json").json()
    annotations = {"$ref", "description", "examples", "$comment", "default", "deprecated"}
    for node in (n for top in document["components"]["schemas"].values() for n in _schema_nodes(top)):
        if "$ref" in node:
            assert set(node) <= annotations, node
        assert "unevaluatedProperties" not in node
        assert "title" not in node or not isinstance(node["title"], str), node
        assert not any(isinstance(v, bool) for v in node.get("properties", {}).values()), node
    # the portable spelling still means the same: a listed instance with an unknown member is refused
    items = document["components"]["schemas"]["instance.list.response"]["properties"]["instances"]["items"]
    [core, own] = items["allOf"]
    assert core == {"$ref": "#/components/schemas/common.defs_instanceCore"}
    assert own["additionalProperties"] is False and {"id", "name", "connection"} <= set(own["properties"])
    listed = ryze.create_instance("portable") and ryze.client.get("/api/instance/list",
                                                                   headers={"token": ryze.account_token}).json()
    schemas.validate("instance/list.response", listed)
    listed["instances"][0]["unknown"] = 1
    assert schemas.errors("instance/list.response", listed)


def test_bundling_keeps_names_and_data_as_they_are(ryze: MockRyze) -> None:
    """Keyword rewrites touch schemas only: a property called ``title`` stays, examples stay verbatim."""
    bundled = ryze.client.get("/openapi.json").json()["components"]["schemas"]
    for name in schemas.names():
        source = schemas.schema(name)
        assert bundled[name.replace("/", ".")].get("examples") == source.get("examples"), name
    rows = bundled["messages.list.request"]["properties"]["sections"]["items"]["properties"]
    assert set(rows) == {"title", "rows"}


def test_openapi_spec_validator_accepts_the_document(ryze: MockRyze) -> None:
    validate(ryze.client.get("/openapi.json").json())


def test_every_request_and_response_has_examples_from_its_schema(ryze: MockRyze) -> None:
    """Every operation shows an example of its request body and of each response (``make examples`` fills
    the response schemas that lack one from mockryze's own answers)."""
    document = ryze.client.get("/openapi.json").json()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody")), *operation["responses"].items()]
            missing += [f"{method.upper()} {path} {where}" for where, body in bodies
                        if body is not None and not body["content"]["application/json"].get("examples")]
    assert missing == [], "no examples (run `make examples`):\n" + "\n".join(missing)
    for operation in (op for ops in document["paths"].values() for op in ops.values()):
        bodies = [operation.get("requestBody"), *operation["responses"].values()]
        for body in (b["content"]["application/json"] for b in bodies if b is not None):
            name = body["schema"]["$ref"].removeprefix("#/components/schemas/").replace(".", "/", 1)
            for example in body.get("examples", {}).values():
                schemas.validate(name, example["value"])
    text = document["paths"]["/api/message/text/{instance}"]["post"]
    example = text["responses"]["200"]["content"]["application/json"]["examples"]["example0"]["value"]
    schemas.validate("messages/text.response", example)
    assert example == schemas.schema("messages/text.response")["examples"][0]


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
