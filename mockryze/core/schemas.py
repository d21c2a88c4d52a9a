"""Load the JSON Schemas in ``schemas/`` (shipped as ``mockryze/schema_files``) and validate with them.

Schemas are named by their path without ``.json``: ``instance/new.request``. Validators are
built once per process. Integrators can use :func:`validate` / :func:`validate_event` in
their own contract tests.

jsonschema-rs decides whether a document is valid; only an invalid one (or one it cannot take,
such as a string with a lone surrogate) goes through jsonschema, which explains what is wrong and
stays the authority: ``pattern`` and ``format`` are checked in Python exactly as jsonschema checks
them (Python ``re`` and jsonschema's format checker), so both libraries give the same verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from mockryze.core import literals
from mockryze.core.errors import ApiError

if TYPE_CHECKING:  # jsonschema is imported on first use: it costs ~50 ms of `mockryze serve` start-up
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

BASE_URI = "https://schemas.mockryze.local/"


class SchemaViolation(AssertionError):
    """A document does not match its schema; the message says where and why."""


@cache
def _documents() -> dict[str, dict[str, Any]]:
    root = resources.files("mockryze") / "schema_files"
    docs: dict[str, dict[str, Any]] = {}
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((entry, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(".json"):
                docs[prefix + entry.name[: -len(".json")]] = json.loads(entry.read_text("utf-8"))
    return docs


def names() -> list[str]:
    return sorted(_documents())


def schema(name: str) -> dict[str, Any]:
    return _documents()[name]


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    resources_ = [(BASE_URI + name + ".json", Resource.from_contents(doc)) for name, doc in _documents().items()]
    return Registry().with_resources(resources_)


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        schema(name), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def _by_uri() -> dict[str, dict[str, Any]]:
    return {BASE_URI + name + ".json": doc for name, doc in _documents().items()}


class _Pattern:
    """``pattern`` with Python's ``re``, as jsonschema reads it (``$`` before a final newline, Unicode ``\\d``...)."""

    def __init__(self, parent_schema: dict[str, Any], value: str, schema_path: list[str | int]) -> None:
        self.regex = re.compile(value)

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and self.regex.search(instance) is None:
            raise ValueError(f"does not match {self.regex.pattern!r}")


class _Format:
    """``format`` with jsonschema's own format checker (only responses and events use formats)."""

    def __init__(self, parent_schema: dict[str, Any], value: str, schema_path: list[str | int]) -> None:
        from jsonschema import Draft202012Validator

        self.format, self.checker = value, Draft202012Validator.FORMAT_CHECKER

    def validate(self, instance: Any) -> None:
        if not self.checker.conforms(instance, self.format):
            raise ValueError(f"is not a {self.format!r}")


@cache
def _rs_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(list(_by_uri().items()))


def _compile(document: dict[str, Any] | bool) -> Callable[[Any], bool]:
    """jsonschema-rs's ``is_valid`` for a schema; its refs resolve in our registry, never over the network."""
    compiled = jsonschema_rs.Draft202012Validator(
        document, registry=_rs_registry(), offline=True, keywords={"pattern": _Pattern, "format": _Format}
    )
    return compiled.is_valid


@cache
def _accepts(name: str) -> Callable[[Any], bool]:
    return _compile(schema(name))


def _valid(name: str, document: Any) -> bool:
    try:
        return _accepts(name)(document)
    except ValueError:  # a lone surrogate, a non-string key...: jsonschema judges what jsonschema-rs cannot take
        return False


def errors(name: str, document: Any) -> list[ValidationError]:
    if _valid(name, document):
        return []
    return list(validator(name).iter_errors(document))


def validate(name: str, document: Any) -> None:
    """Raise :class:`SchemaViolation` with a readable account of what does not match."""
    found = errors(name, document)
    if found:
        lines = [f"  at {_where(e)}: {e.message}" for e in found[:10]]
        raise SchemaViolation(f"document does not match schema {name!r}:\n" + "\n".join(lines))


def validate_event(envelope: Any) -> None:
    """Validate an event envelope against its event type's schema (or the shared envelope)."""
    event = envelope.get("event") if isinstance(envelope, dict) else None
    name = f"events/{event}"
    if event == "message.exchange":  # name the layout, so errors point at a field rather than a oneOf
        data = envelope.get("data")
        name += ".live" if isinstance(data, dict) and "direction" in data else ".docs"
    if event == "group.flow" and isinstance(envelope.get("data"), dict) and "action" in envelope["data"]:
        name += ".docs"  # the catalog's skeleton (profile docs); the live layout is group.flow itself
    validate(name if name in _documents() else "events/envelope", envelope)


def check_request(name: str, body: Any) -> None:
    """Validate a request body; refuse with the literal the schema's ``x-ryze-errors`` maps to."""
    found = errors(name, body)
    if not found:
        return
    from jsonschema.exceptions import best_match

    error = best_match(found)
    raise ApiError(_literal_for(error), f"{_where(error)}: {error.message}")


def _literal_for(error: ValidationError) -> literals.ErrorLiteral:
    mapping: dict[str, str] = error.schema.get("x-ryze-errors", {}) if isinstance(error.schema, dict) else {}
    key = str(error.validator)
    if key == "required" and isinstance(error.validator_value, list):
        missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
        key = f"required:{missing[0]}" if missing else key
    literal_name = mapping.get(key)
    return getattr(literals, literal_name) if literal_name else literals.INVALID_BODY


def _where(error: ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(body)"
