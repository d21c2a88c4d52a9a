"""Load the JSON Schemas in ``schemas/`` (shipped as ``mockryze/schema_files``) and validate with them.

Schemas are named by their path without ``.json``: ``instance/new.request``. Validators are
compiled once per process. Integrators can use :func:`validate` / :func:`validate_event` in
their own contract tests.

Valid documents are recognised by a predicate compiled from the schema (:mod:`mockryze.schema_check`);
only invalid ones (and schemas it does not support) go through jsonschema, which explains what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from mockryze.core import literals, schema_check
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


@cache
def _fast(name: str) -> Callable[[Any], bool] | None:
    """The compiled "is it valid?" predicate for ``name``, or None when only jsonschema can tell."""
    try:
        return schema_check.compile(schema(name), _by_uri())
    except schema_check.Unsupported:
        return None


def errors(name: str, document: Any) -> list[ValidationError]:
    fast = _fast(name)
    if fast is not None and fast(document):
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
