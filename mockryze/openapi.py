"""The OpenAPI 3.1 document, generated from the route tables and ``schemas/`` (never by hand)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from mockryze import __version__
from mockryze.core import literals, schemas
from mockryze.http.routing import Endpoint

SECURITY_SCHEMES = {
    "tokenHeader": {"type": "apiKey", "in": "header", "name": "token"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "tokenQuery": {"type": "apiKey", "in": "query", "name": "token"},
}


def tags() -> list[dict[str, str]]:
    """One tag per registered module, then the control plane."""
    from mockryze.modules import MOCK_TAG, MODULES

    pairs = [(m.name, m.description) for m in MODULES] + [MOCK_TAG]
    return [{"name": name, "description": description} for name, description in pairs]


def component_key(name: str) -> str:
    return name.replace("/", ".")


def _bundle(name: str) -> dict[str, Any]:
    """A schema document with its ``$ref``s pointing into ``#/components/schemas``."""
    base = schemas.BASE_URI + name + ".json"

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items() if k not in ("$id", "$schema")}
            if isinstance(node.get("$ref"), str):
                out["$ref"] = _local_ref(urljoin(base, node["$ref"]))
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    bundled: dict[str, Any] = rewrite(schemas.schema(name))
    return bundled


def _local_ref(absolute: str) -> str:
    document, _, pointer = absolute.partition("#")
    name = document.removeprefix(schemas.BASE_URI).removesuffix(".json")
    return f"#/components/schemas/{component_key(name)}{pointer}"


def _path(spec: Endpoint) -> str:
    """OpenAPI spelling: ``:instance`` and Starlette's ``{name:path}`` both become ``{name}``."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", re.sub(r"/:(\w+)", r"/{\1}", spec.path))


def _parameters(spec: Endpoint) -> list[dict[str, Any]]:
    names = re.findall(r"\{(\w+)\}", _path(spec))
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
    return params + [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
                     for q, d in spec.query.items()]


def _json(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component_key(schema_name)}"}}}


def _operation(spec: Endpoint) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(status): {"description": "success", "content": _json(name)} for status, name in spec.responses.items()
    }
    by_status: dict[int, list[str]] = {}
    for literal in spec.errors:
        by_status.setdefault(literal.status, []).append(literal.message)
    for status, messages in sorted(by_status.items()):
        examples = {f"e{i}": {"value": {"success": False, "error": {"message": m}}} for i, m in enumerate(messages)}
        content = _json("common/error")
        content["application/json"]["examples"] = examples
        responses[str(status)] = {"description": " | ".join(messages), "content": content}
    operation: dict[str, Any] = {
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', spec.path).strip('_')}",
        "summary": spec.summary, "tags": [spec.tag], "parameters": _parameters(spec), "responses": responses,
    }
    if spec.request_schema:
        operation["requestBody"] = {"required": False, "content": _json(spec.request_schema)}
    if spec.auth == "none":
        operation["security"] = []
    return operation


def document(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in endpoints:
        paths.setdefault(_path(spec), {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "RyzeAPI (mockryze)", "version": __version__,
                 "description": "RyzeAPI as emulated by mockryze, plus its control plane (tag `mock`). "
                                "The WebSocket upgrade `GET /ws/{instance}` (token by header or `?token=`) "
                                "is not an HTTP operation and is described in the README. "
                                f"Over the rate limit every route answers 429 `{literals.RATE_LIMITED.message}`; "
                                f"a body over `--max-body-size` 413 `{literals.BODY_TOO_LARGE.message}`, and one "
                                f"not received in time 408 `{literals.REQUEST_TIMEOUT.message}`."},
        "servers": [{"url": "/"}],
        "tags": tags(),
        "security": [{"tokenHeader": []}, {"bearer": []}, {"tokenQuery": []}],
        "paths": paths,
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "schemas": {component_key(name): _bundle(name) for name in schemas.names()},
        },
    }
