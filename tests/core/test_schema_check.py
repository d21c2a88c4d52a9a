"""The compiled fast path (:mod:`mockryze.schema_check`) answers exactly as jsonschema's ``is_valid``.

Every schema in ``schemas/`` compiles (bar an explicit list that needs jsonschema), and for each one a
differential property compares the compiled predicate with jsonschema on the schema's examples,
bodies drawn from it, mutations of those, and arbitrary JSON. Unit tests pin the tricky semantics.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mockryze.core import literals, schema_check, schemas
from mockryze.core.errors import ApiError
from mockryze.core.schema_check import Unsupported
from mockryze.testing import strategies

# Schemas that must keep using jsonschema, and why. A schema missing from here that stops compiling
# (or one listed here that starts compiling) fails test_every_schema_compiles.
NEEDS_JSONSCHEMA = {
    "events/message.exchange": "unevaluatedProperties (via message.exchange.docs / .live)",
    "events/message.exchange.docs": "unevaluatedProperties in $defs/media",
    "events/message.exchange.live": "unevaluatedProperties in $defs/media",
    "instance/list.response": "unevaluatedProperties on the instance item",
}
NAMES = schemas.names()
COMPILED = [name for name in NAMES if name not in NEEDS_JSONSCHEMA]


def _fast(name: str) -> schema_check.Predicate:
    fast = schemas._fast(name)
    assert fast is not None, name
    return fast


def test_every_schema_compiles() -> None:
    unsupported = {}
    for name in NAMES:
        try:
            schema_check.compile(schemas.schema(name), schemas._by_uri())
        except Unsupported as exc:
            unsupported[name] = str(exc)
    assert set(unsupported) == set(NEEDS_JSONSCHEMA), unsupported
    assert all("unevaluatedProperties" in reason for reason in unsupported.values()), unsupported
    assert [name for name in NAMES if schemas._fast(name) is None] == sorted(NEEDS_JSONSCHEMA)


# --- differential: compiled predicate vs jsonschema ---------------------------------------------
def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


def _scalars_in_schemas() -> list[Any]:
    """Every const / enum value and property name in ``schemas/``: they steer if/then and oneOf branches."""
    found: dict[str, Any] = {}
    for name in NAMES:
        for node in _walk(schemas.schema(name)):
            if not isinstance(node, dict):
                continue
            values = [node["const"]] if "const" in node else node.get("enum", [])
            for value in values if isinstance(values, list) else []:
                found.setdefault(repr(value), value)
    return list(found.values())


def _property_names() -> list[str]:
    names: set[str] = set()
    for name in NAMES:
        for node in _walk(schemas.schema(name)):
            if isinstance(node, dict) and isinstance(node.get("properties"), dict):
                names |= set(node["properties"])
    return sorted(names)


SCALARS = _scalars_in_schemas()
KEYS = st.sampled_from(_property_names()) | st.text(max_size=6)
JUNK = st.sampled_from([
    None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, 0.0, 2**31, 2**63, -(2**63), 10**30, 1e308, -1e308,
    "", " ", "x", "0", "5511987654321", "2026-01-01T12:00:00Z", "not a date", [], {}, [None], [""], {"": None},
]).map(copy.deepcopy) | st.sampled_from(SCALARS).map(copy.deepcopy)  # copies: documents get mutated
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


def _near(value: Any) -> list[Any]:
    """Values of another type, or edge values of the same one, for the slot that held ``value``."""
    options: list[Any]
    if isinstance(value, bool):
        options = [not value, int(value), float(value), str(value).lower(), None]
    elif isinstance(value, int | float):
        options = [True, False, float(value), value + 0.5, -value - 1, value + 2**63, str(value), None, [value]]
    elif isinstance(value, str):
        options = ["", " ", value + "\n", value * 3, value[:-1], "x" + value, len(value), None, [value], {value: 1}]
    elif isinstance(value, list):
        options = [[], value * 2, value[:1], [None], {}, None, "[]"]
    elif isinstance(value, dict):
        options = [{}, [], None, "{}"]
    else:
        options = [0, "", False, [], {}]
    return options


def _containers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict | list):
        yield path
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            yield from _containers(child, (*path, key))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def _mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with 1-3 edits at random places: a key dropped, added or retyped, an item duplicated..."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_containers(doc))
        if not paths:
            return draw(JUNK | JSON)
        target = _at(doc, draw(st.sampled_from(paths)))
        edit = draw(st.sampled_from(["drop", "retype", "extra", "duplicate", "replace"]))
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if edit == "extra" or not keys:
            if isinstance(target, dict):
                target[draw(KEYS)] = draw(JUNK | JSON)
            else:
                target.append(draw(JUNK | JSON))
            continue
        key = draw(st.sampled_from(keys))
        if edit == "drop":
            del target[key]
        elif edit == "retype":
            target[key] = draw(st.sampled_from(_near(target[key])).map(copy.deepcopy) | JUNK)
        elif edit == "duplicate" and isinstance(target, list):
            target.append(copy.deepcopy(target[key]))
        else:
            target[key] = draw(JSON)
    return doc


def _documents(name: str) -> st.SearchStrategy[Any]:
    examples = schemas.schema(name).get("examples", [])
    drawn = strategies.from_schema(schemas.schema(name), name)
    bases = (st.sampled_from(examples) | drawn) if examples else drawn
    mutated = bases.flatmap(_mutated)
    return st.one_of(bases, mutated, mutated, JUNK | JSON)


@pytest.mark.parametrize("name", COMPILED)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_fast_path_agrees_with_jsonschema(name: str, data: st.DataObject) -> None:
    document = data.draw(_documents(name), label="document")
    assert _fast(name)(document) == schemas.validator(name).is_valid(document)


@pytest.mark.parametrize("name", [name for name in COMPILED if schemas.schema(name).get("examples")])
def test_every_single_edit_of_the_examples_agrees(name: str) -> None:
    """Deterministic and thorough where it matters: each value of each example, replaced by each of its ``_near``."""
    fast, slow = _fast(name), schemas.validator(name)
    for document in copy.deepcopy(schemas.schema(name)["examples"]):
        for path in list(_containers(document)):
            target = _at(document, path)
            for key in list(target) if isinstance(target, dict) else range(len(target)):
                original = target[key]
                for value in _near(original):
                    target[key] = value
                    assert fast(document) == slow.is_valid(document), (path, key, value)
                target[key] = original


def test_every_example_against_every_schema() -> None:
    """Cheap and broad: each schema judges every example in ``schemas/`` (mostly the wrong shape)."""
    examples = [example for name in NAMES for example in schemas.schema(name).get("examples", [])]
    verdicts = {True: 0, False: 0}
    for name in COMPILED:
        fast, slow = _fast(name), schemas.validator(name)
        for example in examples:
            verdict = fast(example)
            assert verdict == slow.is_valid(example), (name, example)
            verdicts[verdict] += 1
    assert verdicts[True] >= len(examples) // 2 and verdicts[False] > 0, verdicts


# --- the tricky semantics, each checked against jsonschema too -----------------------------------
BASE = "https://example.test/"


def _both(schema: Any, document: Any, others: dict[str, Any] | None = None) -> bool:
    """The compiled verdict, after checking that jsonschema (same registry and format checker) agrees."""
    others = others or {}
    registry = Registry().with_resources([(uri, DRAFT202012.create_resource(doc)) for uri, doc in others.items()])
    slow = Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    fast = schema_check.compile(schema, others)(document)
    assert fast == slow.is_valid(document), (schema, document)
    return fast


def test_bool_is_neither_integer_nor_number() -> None:
    assert not _both({"type": "integer"}, True)
    assert not _both({"type": "number"}, False)
    assert _both({"type": "boolean"}, True)
    assert _both({"minimum": 5}, True)  # minimum does not apply to booleans at all
    assert _both({"type": ["integer", "boolean"]}, False)


def test_integral_floats_are_integers() -> None:
    assert _both({"type": "integer"}, 1.0)
    assert _both({"type": "integer"}, 2**80)
    assert not _both({"type": "integer"}, 1.5)
    assert _both({"type": "number"}, 1.5)
    assert not _both({"type": "integer", "maximum": 3}, 3.5)
    assert _both({"minimum": 1, "maximum": 1}, 1.0)


def test_enum_and_const_do_not_confuse_booleans_and_numbers() -> None:
    assert not _both({"enum": [1, "a"]}, True)
    assert not _both({"enum": [True]}, 1)
    assert not _both({"const": 0}, False)
    assert _both({"const": 1}, 1.0)
    assert not _both({"const": [1, {"a": True}]}, [1, {"a": 1}])
    assert _both({"const": [1, {"a": True}]}, [1.0, {"a": True}])
    assert not _both({"enum": ["a", "b"]}, ["a"])
    assert _both({"enum": [None, "a"]}, None)


def test_unique_items_uses_jsonschema_equality_quirks_included() -> None:
    assert _both({"uniqueItems": True}, [1, True])
    assert _both({"uniqueItems": True}, [0, False])
    assert not _both({"uniqueItems": True}, [1, 1.0])
    assert not _both({"uniqueItems": True}, [{"a": 1}, {"a": 1.0}])
    assert _both({"uniqueItems": True}, [{"a": 1}, {"a": True}])
    # jsonschema sorts, then compares neighbours: [1] and [1] end up apart, so this "is" unique.
    assert _both({"uniqueItems": True}, [[1], [True], [1]])
    assert _both({"uniqueItems": False}, [1, 1])


def test_pattern_searches_rather_than_matches() -> None:
    assert _both({"pattern": r"\d"}, "ab1c")
    assert not _both({"pattern": "^a"}, "ba")
    assert _both({"pattern": "^a"}, 5)  # applies to strings only


def test_keywords_only_constrain_their_own_type() -> None:
    for schema in ({"minLength": 3}, {"required": ["a"]}, {"minItems": 2}, {"properties": {"a": False}},
                   {"additionalProperties": False}, {"items": False}, {"dependentRequired": {"a": ["b"]}},
                   {"maximum": 1}, {"minProperties": 1}, {"uniqueItems": True}):
        for document in (None, True, 5, 2.5, "", "abcd", [], [1, 1], {}, {"a": 1}):
            _both(schema, document)
    assert not _both({"items": False}, [1])
    assert not _both({"dependentRequired": {"a": ["b"]}}, {"a": 1})
    assert not _both({"properties": {"a": False}}, {"a": None})
    assert not _both({"properties": {"a": True}, "additionalProperties": {"type": "string"}}, {"a": 1, "b": 2})


def test_combinators() -> None:
    assert not _both({"anyOf": []}, 1)
    assert not _both({"oneOf": []}, 1)
    assert _both({"allOf": []}, 1)
    assert not _both({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3)
    assert _both({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -3)
    assert not _both({"not": {"type": "string"}}, "a")
    assert not _both({"if": {"const": 1}, "then": False, "else": True}, 1)
    assert not _both({"if": {"const": 1}, "then": True, "else": False}, 2)
    assert _both({"then": False, "else": False}, 1)  # then/else without an if are ignored


def test_format_delegates_to_the_format_checker() -> None:
    assert not _both({"format": "uuid"}, "not-a-uuid")
    assert _both({"format": "uuid"}, "12345678-1234-5678-1234-567812345678")
    assert _both({"format": "uuid"}, 5)
    assert _both({"format": "no-such-format"}, "x")
    _both({"format": "date-time"}, "not a date")  # checked only when rfc3339-validator is installed


def test_ref_applies_together_with_its_siblings() -> None:
    schema = {"$id": BASE + "a.json", "$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "minLength": 2}
    assert _both(schema, "ab")
    assert not _both(schema, "a")
    assert not _both(schema, 5)


def test_refs_across_documents_with_pointer_escapes() -> None:
    common = {"$id": BASE + "common.json", "$defs": {"a/b": {"type": "integer"}, "c%d": {"minimum": 3}},
              "oneOf": [{"const": "x"}, {"const": "y"}]}
    schema = {"$id": BASE + "dir/../root.json", "properties": {
        "x": {"$ref": "common.json#/$defs/a~1b"}, "y": {"$ref": "common.json#/$defs/c%25d"},
        "z": {"$ref": "common.json#/oneOf/0"}, "w": {"$ref": "common.json"}}}
    others = {BASE + "common.json": common}
    assert _both(schema, {"x": 1, "y": 3, "z": "x", "w": "y"}, others)
    assert not _both(schema, {"w": "z"}, others)
    assert not _both(schema, {"x": "1"}, others)
    assert not _both(schema, {"y": 2}, others)
    assert not _both(schema, {"z": "y"}, others)


def test_recursive_refs_compile_once_and_terminate() -> None:
    tree = {"$id": BASE + "tree.json", "type": "object", "required": ["v"],
            "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#"}}},
            "$defs": {"odd": {"$ref": "#/$defs/even"}, "even": {"anyOf": [{"type": "null"},
                                                                           {"type": "array",
                                                                            "items": {"$ref": "#/$defs/odd"}}]}}}
    assert _both(tree, {"v": 1, "kids": [{"v": 2, "kids": []}, {"v": 3}]})
    assert not _both(tree, {"v": 1, "kids": [{"v": 2, "kids": [{"v": "deep"}]}]})
    mutual = {"$id": BASE + "nested.json", "$ref": "#/$defs/odd", "$defs": tree["$defs"]}
    assert _both(mutual, None)
    assert _both(mutual, [[None, []], []])
    assert not _both(mutual, [[["x"]]])


@pytest.mark.parametrize(("schema", "why"), [
    ({"minContains": 1}, "keyword 'minContains'"),
    ({"patternProperties": {"a": {}}}, "keyword 'patternProperties'"),
    ({"unevaluatedProperties": False}, "keyword 'unevaluatedProperties'"),
    ({"minlength": 1}, "keyword 'minlength'"),  # jsonschema would silently ignore the typo
    ({"$dynamicRef": "#x"}, "keyword '$dynamicRef'"),
    ({"$ref": "https://elsewhere.test/x.json"}, "no document"),
    ({"$ref": "#/$defs/missing"}, "nothing at"),
    ({"$ref": "#anchor"}, "anchors"),
    ({"properties": {"a": {"$id": "https://elsewhere.test/a.json"}}}, "nested $id"),
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, "$schema"),
    ({"type": "any"}, "type"),
    ({"enum": {"a": 1}}, "enum"),
    ({"items": [{"type": "string"}]}, "schema"),
    ({"pattern": "("}, "pattern"),
    ({"minLength": "1"}, "bound"),
])
def test_anything_else_is_unsupported(schema: dict[str, Any], why: str) -> None:
    with pytest.raises(Unsupported, match=f".*{why.replace('$', '[$]')}"):
        schema_check.compile({"$id": BASE + "x.json", **schema}, {})


def test_annotations_are_ignored() -> None:
    schema = {"title": "t", "description": "d", "examples": [1], "default": 0, "$comment": "c", "$defs": {"x": 1},
              "x-ryze-errors": {"type": "X"}, "x-anything": [], "type": "string"}
    assert _both(schema, "s")
    assert not _both(schema, 1)


# --- wiring -------------------------------------------------------------------------------------
def test_errors_still_come_from_jsonschema() -> None:
    assert schemas.errors("messages/text.request", {"number": "5511987654321", "message": "hi"}) == []
    found = schemas.errors("messages/text.request", {"number": "5511987654321", "message": ""})
    assert [e.validator for e in found] == ["minLength"]
    with pytest.raises(ApiError) as caught:
        schemas.check_request("messages/text.request", {"message": "hi"})
    assert caught.value.message == literals.NUMBER_REQUIRED.message


def test_importing_schemas_does_not_import_jsonschema() -> None:
    code = ("import sys, mockryze.schemas as s\n"
            "assert s.errors('messages/text.request', {'number': '5511987654321', 'message': 'x'}) == []\n"
            "assert 'jsonschema' not in sys.modules, 'jsonschema imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
