"""jsonschema-rs (which accepts documents) and jsonschema (which explains refusals) give the same verdict.

For every schema in ``schemas/``, a differential property compares the two on the schema's examples,
bodies drawn from it, mutations of those, and arbitrary JSON. Unit tests pin the tricky semantics.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.testing import strategies

NAMES = schemas.names()


def _rs(name: str) -> Callable[[Any], bool]:
    return schemas._accepts(name)


# --- documents to judge -------------------------------------------------------------------------
def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


def _scalars_in_schemas() -> list[Any]:
    """Every const / enum value in ``schemas/``: they steer if/then and oneOf branches."""
    found: dict[str, Any] = {}
    for name in NAMES:
        for node in _walk(schemas.schema(name)):
            values = ([node["const"]] if "const" in node else node.get("enum", [])) if isinstance(node, dict) else []
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


KEYS = st.sampled_from(_property_names()) | st.text(max_size=6)
JUNK = st.sampled_from([
    None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, 0.0, 2**31, 2**63, -(2**63), 10**30, 1e308, -1e308,
    "", " ", "x", "0", "5511987654321", "5511987654321\n", "\x1c", "\x85", "١٢٣٤٥٦٧", "2026-01-01T12:00:00Z",
    "not a date", "12345678-1234-5678-1234-567812345678", [], {}, [None], [""], {"": None},
]).map(copy.deepcopy) | st.sampled_from(_scalars_in_schemas()).map(copy.deepcopy)  # copies: documents get mutated
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


def _near(value: Any) -> list[Any]:
    """Values of another type, or edge values of the same one, for the slot that held ``value``."""
    if isinstance(value, bool):
        return [not value, int(value), float(value), str(value).lower(), None]
    if isinstance(value, int | float):
        return [True, False, float(value), value + 0.5, -value - 1, value + 2**63, str(value), None, [value]]
    if isinstance(value, str):
        return ["", " ", value + "\n", value + "\x1c", "\x85" + value, value * 3, value[:-1], "x" + value,
                len(value), None, [value], {value: 1}]
    if isinstance(value, list):
        return [[], value * 2, value[:1], [None], {}, None, "[]"]
    if isinstance(value, dict):
        return [{}, [], None, "{}", {**value, "unexpected": 1}]
    return [0, "", False, [], {}]


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


# --- differential: jsonschema-rs vs jsonschema ----------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_jsonschema_rs_agrees_with_jsonschema(name: str, data: st.DataObject) -> None:
    document = data.draw(_documents(name), label="document")
    assert _rs(name)(document) == schemas.validator(name).is_valid(document)


@pytest.mark.parametrize("name", [name for name in NAMES if schemas.schema(name).get("examples")])
def test_every_single_edit_of_the_examples_agrees(name: str) -> None:
    """Deterministic and thorough where it matters: each value of each example, replaced by each of its ``_near``."""
    fast, slow = _rs(name), schemas.validator(name)
    for document in copy.deepcopy(schemas.schema(name)["examples"]):
        assert fast(document) and slow.is_valid(document), document
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
    for name in NAMES:
        fast, slow = _rs(name), schemas.validator(name)
        for example in examples:
            verdict = fast(example)
            assert verdict == slow.is_valid(example), (name, example)
            verdicts[verdict] += 1
    assert verdicts[True] >= len(examples) // 2 and verdicts[False] > 0, verdicts


# --- the tricky semantics, each checked against jsonschema too -----------------------------------
def _both(schema: dict[str, Any], document: Any) -> bool:
    """jsonschema-rs's verdict, after checking that jsonschema (same registry and format checker) agrees."""
    checker = Draft202012Validator.FORMAT_CHECKER
    slow = Draft202012Validator(schema, registry=schemas._registry(), format_checker=checker)
    fast = schemas._compile(schema)(document)
    assert fast == slow.is_valid(document), (schema, document)
    return fast


def test_bool_is_neither_integer_nor_number() -> None:
    assert not _both({"type": "integer"}, True)
    assert not _both({"type": "number"}, False)
    assert _both({"minimum": 5}, True)  # minimum does not apply to booleans at all
    assert not _both({"enum": [1, "a"]}, True)
    assert not _both({"const": 0}, False)
    assert not _both({"const": [1, {"a": True}]}, [1, {"a": 1}])
    assert _both({"uniqueItems": True}, [1, True])


def test_integral_floats_are_integers() -> None:
    assert _both({"type": "integer"}, 1.0)
    assert _both({"type": "integer"}, 2**80)
    assert not _both({"type": "integer"}, 1.5)
    assert _both({"const": 1}, 1.0)
    assert not _both({"uniqueItems": True}, [1, 1.0])


def test_patterns_are_python_regexes_searched_anywhere() -> None:
    assert _both({"pattern": r"\d"}, "ab1c")
    assert not _both({"pattern": "^a"}, "ba")
    assert _both({"pattern": "^a"}, 5)  # applies to strings only
    assert _both({"pattern": r"^\d{1,5}$"}, "123\n")  # Python's $ matches before a final newline
    assert _both({"pattern": r"^\d{1,5}$"}, "١٢٣")  # and \d is any Unicode digit
    assert not _both({"pattern": r"^[^/\s]*$"}, "a\x1cb")  # \s includes the separators \x1c-\x1f and \x85


def test_formats_are_jsonschemas() -> None:
    assert not _both({"format": "uuid"}, "not-a-uuid")
    assert _both({"format": "uuid"}, "12345678-1234-5678-1234-567812345678")
    assert _both({"format": "uuid"}, 5)
    assert _both({"format": "no-such-format"}, "x")
    _both({"format": "date-time"}, "not a date")  # checked only when rfc3339-validator is installed


def test_refs_resolve_between_schema_files() -> None:
    number = {"$ref": schemas.BASE_URI + "messages/common.json#/$defs/number"}
    assert _both(number, "5511987654321")
    assert not _both(number, "")


def test_unevaluated_properties_see_through_all_of_and_refs() -> None:
    schema = {"allOf": [{"properties": {"a": {}}}], "properties": {"b": {}}, "unevaluatedProperties": False}
    assert _both(schema, {"a": 1, "b": 2})
    assert not _both(schema, {"a": 1, "c": 3})
    name = "events/message.exchange.live"
    event = next(e for e in schemas.schema(name)["examples"] if isinstance(e["data"]["message"].get("media"), dict))
    assert _rs(name)(event)
    event = copy.deepcopy(event)
    event["data"]["message"]["media"]["mimetype"] = "image/jpeg"  # the docs spelling, not allowed in live
    assert not _rs(name)(event)
    assert not schemas.validator(name).is_valid(event)


def test_what_jsonschema_rs_cannot_take_is_left_to_jsonschema() -> None:
    assert schemas.errors("instance/new.request", {"name": "sales\ud800"}) == []
    assert [e.validator for e in schemas.errors("instance/new.request", {"name": "a/\ud800"})] == ["pattern"]
    assert [e.validator for e in schemas.errors("messages/text.request", {"number": "1", 1: "x"})] == ["required"]


# --- wiring -------------------------------------------------------------------------------------
def test_errors_still_come_from_jsonschema() -> None:
    assert schemas.errors("messages/text.request", {"number": "5511987654321", "message": "hi"}) == []
    found = schemas.errors("messages/text.request", {"number": "5511987654321", "message": ""})
    assert [e.validator for e in found] == ["minLength"]
    with pytest.raises(ApiError) as caught:
        schemas.check_request("messages/text.request", {"message": "hi"})
    assert caught.value.message == literals.NUMBER_REQUIRED.message


def test_jsonschema_is_imported_only_to_explain_a_refusal() -> None:
    code = ("import sys, mockryze.schemas as s\n"
            "assert s.errors('messages/text.request', {'number': '5511987654321', 'message': 'x'}) == []\n"
            "assert 'jsonschema' not in sys.modules, 'jsonschema imported for a valid document'\n"
            "assert s.errors('messages/text.request', {'number': '5511987654321'}) != []\n"
            "assert 'jsonschema' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
