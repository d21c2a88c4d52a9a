"""The OpenAPI 3.1 document, generated from the route tables and ``schemas/`` (never by hand)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
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


# Keywords that annotate a schema without constraining it: they may stay next to a ``$ref``.
ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "default", "deprecated", "$defs"})
BOOLEAN_SCHEMAS: dict[bool, dict[str, Any]] = {True: {}, False: {"not": {}}}
# Keywords whose value is data, not a schema; and those whose keys are names (values are schemas).
DATA_KEYWORDS = frozenset({"examples", "default", "const", "enum", "required", "dependentRequired"})
NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def _bundle(name: str, pointer: str = "") -> dict[str, Any]:
    """A schema document rewritten for portability, its ``$ref``s pointing into ``#/components/schemas``.

    JSON Schema 2020-12 lets constraints sit next to a ``$ref`` and lets ``unevaluatedProperties`` see
    through ``allOf``; many OpenAPI tools (Prism, code generators) resolve either differently. The
    bundle composes with ``allOf`` instead and spells ``unevaluatedProperties`` as
    ``additionalProperties`` over every property name the subschemas evaluate, which means the same.
    """
    base = schemas.BASE_URI + name + ".json"

    def rewrite(node: Any) -> Any:
        if not isinstance(node, dict):  # a boolean schema, or a string of `required`
            return node
        out = {k: _subschemas(k, v, rewrite) for k, v in node.items() if k not in ("$id", "$schema", "title")}
        if isinstance(node.get("title"), str):  # generators name models after titles: keep component names
            out["description"] = " — ".join(t for t in (node["title"], node.get("description")) if t)
        if isinstance(node.get("$ref"), str):
            out["$ref"] = _local_ref(urljoin(base, node["$ref"]))
            out = _ref_alone(out)
        if "unevaluatedProperties" in out:
            out = _declare_evaluated(out, node, base)
        if _presence_choice(out):
            first, second = out.pop("oneOf")
            out["if"], out["then"], out["else"] = first, {"not": second}, second
        if isinstance(out.get("const"), bool) and "type" not in out:  # same meaning; generators type it as bool
            out["type"] = "boolean"
        if isinstance(out.get("properties"), dict):  # boolean subschemas: not every tool's model takes them
            out["properties"] = {k: BOOLEAN_SCHEMAS.get(v, v) if isinstance(v, bool) else v
                                 for k, v in out["properties"].items()}
        if isinstance(out.get("allOf"), list) and "$ref" not in out:
            out = _constraints_into_all_of(out)
        return out

    node: Any = schemas.schema(name)
    for part in [p for p in pointer.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    bundled: dict[str, Any] = rewrite(node)
    return bundled


def _constraints_into_all_of(node: dict[str, Any]) -> dict[str, Any]:
    """``{"allOf": [...], constraints…}`` as ``{"allOf": [..., {constraints…}]}`` (the same conjunction):
    some generators read only the ``allOf`` of such a node."""
    constraints = {k: v for k, v in node.items() if k != "allOf" and k not in ANNOTATIONS}
    if not constraints:
        return node
    kept = {k: v for k, v in node.items() if k in ANNOTATIONS}
    return {**kept, "allOf": [*node["allOf"], constraints]}


def _subschemas(keyword: str, value: Any, rewrite: Callable[[Any], Any]) -> Any:
    """A keyword's value with the schemas in it rewritten: data (examples, enums) and extensions are
    copied as they are, and the keys of a name map (``properties``…) are names, not keywords."""
    if keyword in DATA_KEYWORDS or keyword.startswith("x-"):
        return copy.deepcopy(value)  # the document never shares objects with the schema cache
    if keyword in NAME_MAPS:
        return {name: rewrite(subschema) for name, subschema in value.items()}
    if isinstance(value, list):
        return [rewrite(subschema) for subschema in value]
    return rewrite(value)


def _presence_choice(node: dict[str, Any]) -> bool:
    """A ``oneOf`` of two branches that only say which members are present (``required`` / ``not``) next to
    ``properties``: generators give up typing such an object, so the bundle spells it ``if A then not B
    else B``, which accepts exactly the same documents."""
    branches = node.get("oneOf")
    return ("properties" in node and isinstance(branches, list) and len(branches) == 2
            and all(isinstance(b, dict) and set(b) <= {"required", "not"} for b in branches))


def _ref_alone(node: dict[str, Any]) -> dict[str, Any]:
    """``{"$ref": r, constraints…}`` as ``{"allOf": [{"$ref": r}, {constraints…}]}``."""
    constraints = {k: v for k, v in node.items() if k != "$ref" and k not in ANNOTATIONS}
    if not constraints:
        return node
    kept = {k: v for k, v in node.items() if k in ANNOTATIONS}
    return {**kept, "allOf": [{"$ref": node["$ref"]}, constraints]}


def _declare_evaluated(out: dict[str, Any], source: dict[str, Any], base: str) -> dict[str, Any]:
    """Replace ``unevaluatedProperties`` by ``additionalProperties``, declaring (as ``true``) each
    property name the node's ``allOf`` / ``$ref`` subschemas evaluate."""
    names: list[str] = []
    for sub in [*source.get("allOf", ()), *([source] if "$ref" in source else [])]:
        if isinstance(sub, dict) and isinstance(sub.get("$ref"), str):
            names += _property_names(urljoin(base, sub["$ref"]))
        elif isinstance(sub, dict):
            names += list(sub.get("properties", {}))
    target = out["allOf"][1] if "allOf" in out and "$ref" in source else out
    properties = target.setdefault("properties", {})
    for key in names:
        properties.setdefault(key, True)
    target["additionalProperties"] = out.pop("unevaluatedProperties")
    return out


def _property_names(absolute: str) -> list[str]:
    """The ``properties`` names of the schema an absolute ``$ref`` points at (following ``$ref`` / ``allOf``)."""
    document, _, pointer = absolute.partition("#")
    node: Any = schemas.schema(document.removeprefix(schemas.BASE_URI).removesuffix(".json"))
    for part in [p for p in pointer.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    names = list(node.get("properties", {}))
    for sub in [*node.get("allOf", ()), *([node] if "$ref" in node else [])]:
        if isinstance(sub.get("$ref"), str):
            names += _property_names(urljoin(document, sub["$ref"]))
    return names


def _local_ref(absolute: str) -> str:
    """``…/doc.json#/$defs/x`` → the hoisted component ``doc_x``; ``…/doc.json`` → the component ``doc``."""
    document, _, pointer = absolute.partition("#")
    key = component_key(document.removeprefix(schemas.BASE_URI).removesuffix(".json"))
    hoisted = re.fullmatch(r"/\$defs/([^/]+)", pointer)
    if hoisted:
        return f"#/components/schemas/{def_key(key, hoisted[1])}"
    if pointer.strip("/"):  # deeper into a document: that subschema becomes a component of its own
        return f"#/components/schemas/{def_key(key, _pointer_slug(pointer))}"
    return f"#/components/schemas/{key}"


def _pointer_slug(pointer: str) -> str:
    return ".".join(p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/"))


def _pointed_refs() -> set[tuple[str, str]]:
    """(schema name, JSON pointer) of every ``$ref`` into a document that is neither whole nor a ``$defs`` entry."""
    found: set[tuple[str, str]] = set()

    def walk(node: Any, base: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                document, _, pointer = urljoin(base, node["$ref"]).partition("#")
                if pointer.strip("/") and not re.fullmatch(r"/\$defs/[^/]+", pointer):
                    found.add((document.removeprefix(schemas.BASE_URI).removesuffix(".json"), pointer))
            for value in node.values():
                walk(value, base)
        elif isinstance(node, list):
            for value in node:
                walk(value, base)

    for name in schemas.names():
        walk(schemas.schema(name), schemas.BASE_URI + name + ".json")
    return found


def def_key(document_key: str, definition: str) -> str:
    """Component name of a ``$defs`` entry: generators resolve refs to components, not into them."""
    return f"{document_key}_{definition}"


def components() -> dict[str, Any]:
    """Every schema document bundled as a component, each of its ``$defs`` hoisted into its own."""
    out: dict[str, Any] = {}
    for name in schemas.names():
        bundled = _bundle(name)
        key = component_key(name)
        for definition, subschema in bundled.pop("$defs", {}).items():
            out[def_key(key, definition)] = subschema
        out[key] = bundled
    for name, pointer in sorted(_pointed_refs()):
        out[def_key(component_key(name), _pointer_slug(pointer))] = _bundle(name, pointer)
    return out


def _path(spec: Endpoint) -> str:
    """OpenAPI spelling: ``:instance`` and Starlette's ``{name:path}`` both become ``{name}``."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", re.sub(r"/:(\w+)", r"/{\1}", spec.path))


def _parameters(spec: Endpoint) -> list[dict[str, Any]]:
    names = re.findall(r"\{(\w+)\}", _path(spec))
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
    return params + [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
                     for q, d in spec.query.items()]


def _json(schema_name: str) -> dict[str, Any]:
    """A JSON media type: the schema, and the schema's own ``examples`` as named examples."""
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{component_key(schema_name)}"}}
    examples = schemas.schema(schema_name).get("examples", [])
    if examples:
        media["examples"] = {f"example{i}": {"value": copy.deepcopy(value)} for i, value in enumerate(examples)}
    return {"application/json": media}


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
            "schemas": components(),
        },
    }
