"""A fast "is this document valid?" for the JSON Schema subset ``schemas/`` uses.

:func:`compile` turns a Draft 2020-12 schema into a plain predicate that answers exactly as
``Draft202012Validator(schema, registry=..., format_checker=Draft202012Validator.FORMAT_CHECKER).is_valid``
would. It only says yes or no: jsonschema stays the authority for *why* a document is invalid.

Anything outside the subset (an unknown keyword, a ``$ref`` it cannot resolve, a nested ``$id``, another
dialect...) raises :class:`Unsupported` at compile time, so that schema keeps using jsonschema; it never
guesses. Each keyword applies only to instances of its type, as in jsonschema; equality (``enum``,
``const``, ``uniqueItems``) is jsonschema's, where ``True != 1`` and ``False != 0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from numbers import Number
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

Predicate = Callable[[Any], bool]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$schema", "$id", "$comment", "$defs"})


class Unsupported(Exception):
    """The schema uses something this compiler does not handle: validate it with jsonschema instead."""


def compile(schema: Any, documents: Mapping[str, Any]) -> Predicate:
    """Compile ``schema``; ``$ref`` resolves against ``documents`` (absolute URI -> schema), like a registry."""
    base = schema.get("$id", "") if isinstance(schema, dict) else ""
    return _Compiler({**{uri.rstrip("#"): doc for uri, doc in documents.items()}, base: schema}).node(schema, base)


# --- types and equality, as jsonschema defines them ---------------------------------------------
def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, int | float | Number)


TYPES: dict[str, Predicate] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}

_TRUE, _FALSE = object(), object()


def _unbool(x: Any) -> Any:
    return _TRUE if x is True else _FALSE if x is False else x


def equal(one: Any, two: Any) -> bool:
    """jsonschema's ``equal``: ``==``, except that booleans are not numbers, recursively."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def unique(items: list[Any]) -> bool:
    """jsonschema's ``uniq``, quirks included: sortable items are only compared with their sorted neighbour."""
    try:
        ordered = sorted(_unbool(i) for i in items)
        return not any(equal(i, j) for i, j in pairwise(ordered))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in map(_unbool, items):
            if any(equal(i, item) for i in seen):
                return False
            seen.append(item)
        return True


# --- combinators --------------------------------------------------------------------------------
def _always(x: Any) -> bool:
    return True


def _never(x: Any) -> bool:
    return False


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool:
        for each in checks:  # noqa: SIM110 -- a plain loop is faster than all() on this hot path
            if not each(x):
                return False
        return True

    return check


def _only(kind: type | tuple[type, ...], test: Predicate) -> Predicate:
    """``test`` for instances of ``kind``; anything else passes (keywords only constrain their own type)."""
    return lambda x: not isinstance(x, kind) or test(x)


def _identity(x: Any) -> Any:
    return x


def _expect(value: Any, kind: type, keyword: str) -> Any:
    if not isinstance(value, kind):
        raise Unsupported(f"{keyword}: {value!r}")
    return value


def _strings(value: Any, keyword: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unsupported(f"{keyword}: {value!r}")
    return value


# --- the compiler -------------------------------------------------------------------------------
class _Compiler:
    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.done: dict[str, Predicate] = {}
        self.pending: dict[str, list[Predicate]] = {}  # $refs being compiled: cycles go through a cell

    def node(self, schema: Any, base: str) -> Predicate:
        if schema is True or schema is False:
            return _always if schema else _never
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        if schema.get("$schema", DIALECT) != DIALECT:
            raise Unsupported(f"$schema {schema['$schema']!r}")
        if "$id" in schema and urljoin(base, schema["$id"]) != base:
            raise Unsupported(f"nested $id {schema['$id']!r}")
        checks: list[Predicate] = []
        for keyword, value in schema.items():
            if keyword in ANNOTATIONS or keyword.startswith("x-") or keyword in ("then", "else"):
                continue  # then/else are read by "if"; without one, jsonschema ignores them too
            if keyword not in KEYWORDS:
                raise Unsupported(f"keyword {keyword!r}")
            check = KEYWORDS[keyword](self, value, schema, base)
            if check is not None:
                checks.append(check)
        return _all(checks)

    def ref(self, ref: str, base: str) -> Predicate:
        uri, fragment = (base, ref[1:]) if ref.startswith("#") else urldefrag(urljoin(base, ref))
        key = f"{uri}#{fragment}"
        if key in self.done:
            return self.done[key]
        if key in self.pending:
            cell = self.pending[key]
            return lambda x: cell[0](x)
        if uri not in self.documents:
            raise Unsupported(f"$ref {ref!r}: no document {uri!r}")
        target = self.documents[uri]
        if fragment and not fragment.startswith("/"):
            raise Unsupported(f"$ref {ref!r}: anchors are not supported")
        for segment in unquote(fragment[1:]).split("/") if fragment else []:  # as referencing walks a pointer
            try:
                if isinstance(target, Sequence) and not isinstance(target, str):
                    target = target[int(segment)]
                else:
                    target = target[segment.replace("~1", "/").replace("~0", "~")]
            except (LookupError, ValueError, TypeError):
                raise Unsupported(f"$ref {ref!r}: nothing at {fragment!r}") from None
            if isinstance(target, dict) and "$id" in target and urljoin(uri, target["$id"]) != uri:
                raise Unsupported(f"$ref {ref!r} goes through a nested $id")
        self.pending[key] = cell = [_never]
        try:
            cell[0] = self.done[key] = self.node(target, uri)
        finally:
            del self.pending[key]
        return cell[0]


# --- keywords: each compiles to a predicate, or None when it never fails --------------------------
Keyword = Callable[[_Compiler, Any, dict[str, Any], str], Predicate | None]


def _type(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    names = [value] if isinstance(value, str) else _strings(value, "type")
    if not all(name in TYPES for name in names):
        raise Unsupported(f"type {value!r}")
    tests = [TYPES[name] for name in names]
    return tests[0] if len(tests) == 1 else lambda x: any(test(x) for test in tests)


def _ref(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    return c.ref(_expect(value, str, "$ref"), base)


def _properties(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    table = {name: c.node(sub, base) for name, sub in _expect(value, dict, "properties").items()}

    def check(x: Any) -> bool:
        if isinstance(x, dict):
            for name, item in x.items():
                test = table.get(name)
                if test is not None and not test(item):
                    return False
        return True

    return check


def _additional(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate | None:
    known = frozenset(schema.get("properties", {}))
    if value is True:
        return None
    if value is False:
        return _only(dict, lambda x: all(name in known for name in x))
    test = c.node(value, base)
    return _only(dict, lambda x: all(test(item) for name, item in x.items() if name not in known))


def _required(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    names = frozenset(_strings(value, "required"))
    return _only(dict, lambda x: x.keys() >= names)


def _dependent_required(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    keyword = "dependentRequired"
    rules = [(name, _strings(needs, keyword)) for name, needs in _expect(value, dict, keyword).items()]
    return _only(dict, lambda x: all(need in x for name, needs in rules if name in x for need in needs))


def _items(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    test = c.node(value, base)
    return _only(list, lambda x: all(test(item) for item in x))


def _unique_items(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate | None:
    return _only(list, unique) if _expect(value, bool, "uniqueItems") else None


def _bound(applies: Predicate, measure: Callable[[Any], Any], below: bool) -> Keyword:
    """minLength & co: ``measure(x)`` may not be below (``below``) or above the value, when ``applies(x)``."""

    def keyword(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
        if not _is_number(value):
            raise Unsupported(f"bound {value!r}")
        if below:
            return lambda x: not applies(x) or not measure(x) < value  # jsonschema's test, negated
        return lambda x: not applies(x) or not measure(x) > value

    return keyword


def _enum(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    options = _expect(value, list, "enum")
    if all(isinstance(o, str) for o in options):  # equal() with a str on one side is plain ==
        strings = frozenset(options)
        return lambda x: isinstance(x, str) and x in strings
    return lambda x: any(equal(o, x) for o in options)


def _const(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    if isinstance(value, str):
        return lambda x: isinstance(x, str) and x == value
    return lambda x: equal(x, value)


def _pattern(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    try:
        search = re.compile(_expect(value, str, "pattern")).search
    except re.error as error:
        raise Unsupported(f"pattern {value!r}: {error}") from None
    return _only(str, lambda x: search(x) is not None)


def _format(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate | None:
    from jsonschema import Draft202012Validator  # only schemas with a format pay for importing jsonschema

    checker = Draft202012Validator.FORMAT_CHECKER
    if _expect(value, str, "format") not in checker.checkers:
        return None  # unknown formats always conform
    return lambda x: checker.conforms(x, value)


def _if(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    test = c.node(value, base)
    then = c.node(schema.get("then", True), base)
    else_ = c.node(schema.get("else", True), base)
    return lambda x: then(x) if test(x) else else_(x)


def _not(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    test = c.node(value, base)
    return lambda x: not test(x)


def _subschemas(c: _Compiler, value: Any, base: str, keyword: str) -> list[Predicate]:
    return [c.node(sub, base) for sub in _expect(value, list, keyword)]


def _all_of(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    return _all(_subschemas(c, value, base, "allOf"))


def _any_of(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    tests = _subschemas(c, value, base, "anyOf")
    return lambda x: any(test(x) for test in tests)


def _one_of(c: _Compiler, value: Any, schema: dict[str, Any], base: str) -> Predicate:
    tests = _subschemas(c, value, base, "oneOf")

    def check(x: Any) -> bool:
        matched = 0
        for test in tests:
            if test(x):
                matched += 1
                if matched > 1:
                    return False
        return matched == 1

    return check


KEYWORDS: dict[str, Keyword] = {
    "type": _type,
    "$ref": _ref,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "dependentRequired": _dependent_required,
    "minProperties": _bound(TYPES["object"], len, below=True),
    "items": _items,
    "minItems": _bound(TYPES["array"], len, below=True),
    "maxItems": _bound(TYPES["array"], len, below=False),
    "uniqueItems": _unique_items,
    "minLength": _bound(TYPES["string"], len, below=True),
    "maxLength": _bound(TYPES["string"], len, below=False),
    "minimum": _bound(_is_number, _identity, below=True),
    "maximum": _bound(_is_number, _identity, below=False),
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "if": _if,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
}
