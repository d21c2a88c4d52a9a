"""The request journal: every request the emulated API (``/api/...``) received, per account.

Recording is one append of what the wrapper already holds (raw body, headers, the answer); the
rendering a reader sees (parsed body, redacted headers, warnings) is computed when it is listed.
The journal also holds which accounts asked for strict fields (unknown body keys refused).
"""

from __future__ import annotations

import json
import posixpath
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mockryze.core import schemas
from mockryze.core.perworld import PerWorld

if TYPE_CHECKING:
    from mockryze.core.world import World

TokenKind = Literal["account", "instance", "none", "invalid"]
SECRET_HEADERS = frozenset({"token", "authorization", "cookie", "set-cookie", "x-mockryze-control-token"})
REDACTED = "[redacted]"
BODY_CAP = 64 * 1024  # bytes of a body kept in a listing; a longer one is shown as truncated text
ALIASES: dict[str, str] = {"to": "number"}  # alias form -> the documented field it stands for


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as the wrapper saw it; rendered on read."""

    seq: int
    at: str
    method: str
    path: str
    route: str
    schema: str | None
    instance: str | None
    token_kind: TokenKind
    headers: tuple[tuple[bytes, bytes], ...]  # as the ASGI scope carried them (not GC-tracked once seen)
    raw: bytes
    status: int
    literal: str | None

    def render(self) -> dict[str, Any]:
        body = _shown_body(self.raw)
        return {"id": self.seq, "at": self.at, "method": self.method, "path": self.path, "route": self.route,
                "instance": self.instance, "tokenKind": self.token_kind, "headers": _redacted(self.headers),
                "body": body, "status": self.status, "literal": self.literal,
                "warnings": warnings(self.schema, body)}


@dataclass
class _State:
    entries: dict[str, deque[Recorded]] = field(default_factory=dict)  # by account token
    strict: set[str] = field(default_factory=set)  # account tokens with strict fields
    seq: int = 0  # request ids go on across resets

    def empty(self) -> None:
        self.entries.clear()
        self.strict.clear()


_state = PerWorld(_State, _State.empty)


def record(world: World, account: str, entry: Recorded) -> None:
    state = _state(world)
    kept = state.entries.get(account)
    if kept is None:
        kept = state.entries[account] = deque(maxlen=world.settings.request_journal_limit or None)
    if world.settings.request_journal_limit:
        kept.append(entry)


def next_seq(world: World) -> int:
    state = _state(world)
    state.seq += 1
    return state.seq


def listed(world: World, account: str) -> list[dict[str, Any]]:
    return [entry.render() for entry in _state(world).entries.get(account, ())]


def clear(world: World, account: str, instance: str | None) -> None:
    kept = _state(world).entries.get(account)
    if kept is None:
        return
    remaining = [e for e in kept if instance is not None and e.instance != instance]
    kept.clear()
    kept.extend(remaining)


def set_strict(world: World, account: str) -> None:
    _state(world).strict.add(account)


def strict_for(world: World, account: str | None) -> bool:
    return world.settings.strict_fields or (account is not None and account in _state(world).strict)


def _shown_body(raw: bytes) -> Any:
    if not raw:
        return None
    if len(raw) > BODY_CAP:
        return raw[:BODY_CAP].decode("utf-8", "replace") + f"… ({len(raw)} bytes)"
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
        json.dumps(parsed, allow_nan=False, ensure_ascii=False).encode("utf-8")  # the listing must answer it
    except (ValueError, RecursionError):  # not JSON, NaN / Infinity, a lone surrogate, nested too deep
        return text
    return parsed


def _redacted(headers: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
    shown = ((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers)
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in shown}


def warnings(schema: str | None, body: Any) -> list[dict[str, str]]:
    """Unknown body keys (not declared by the route's schema) and alias forms the body used."""
    found = [{"kind": "unknown-key", "key": key} for key in unknown_keys(schema, body)]
    if isinstance(body, dict):
        found += [{"kind": "alias", "key": alias, "for": real} for alias, real in _aliases(schema).items()
                  if alias in body]
    return found


def _aliases(schema: str | None) -> dict[str, str]:
    """The alias forms a route takes: those whose documented field its schema declares."""
    properties = _properties(schema, schemas.schema(schema)) if schema else None
    return {alias: real for alias, real in ALIASES.items() if properties is not None and real in properties}


def unknown_keys(schema: str | None, body: Any) -> list[str]:
    """Keys of ``body`` its schema's ``properties`` do not declare (``a.b`` for nested objects)."""
    if schema is None:
        return []
    aliases = _aliases(schema)
    return [key for key in _unknown(schema, schemas.schema(schema), body, "") if key not in aliases]


def _unknown(name: str, node: dict[str, Any], body: Any, prefix: str) -> list[str]:
    name, node = _resolved(name, node)
    properties = node.get("properties")
    if not isinstance(properties, dict) or not isinstance(body, dict):
        return []
    found: list[str] = []
    for key, value in body.items():
        declared = properties.get(key)
        if declared is None:
            found.append(prefix + key)
        elif isinstance(declared, dict):
            found += _nested(name, declared, value, prefix + key)
    return list(dict.fromkeys(found))


def _nested(name: str, declared: dict[str, Any], value: Any, where: str) -> list[str]:
    """A nested object's unknown keys, or those of each object of an array (``items[].key``)."""
    name, node = _resolved(name, declared)
    items = node.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [key for element in value for key in _unknown(name, items, element, where + "[].")]
    return _unknown(name, node, value, where + ".")


def _properties(name: str, node: dict[str, Any]) -> dict[str, Any] | None:
    properties = _resolved(name, node)[1].get("properties")
    return properties if isinstance(properties, dict) else None


def _resolved(name: str, node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Follow a ``$ref`` (``common.json#/$defs/x``, ``#/$defs/x``) once: the document it lands in and the node."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return name, node
    document, _, pointer = ref.partition("#")
    folder = name.rpartition("/")[0]
    landed = posixpath.normpath(f"{folder}/{document.removesuffix('.json')}") if document else name
    try:
        target: Any = schemas.schema(landed)
    except KeyError:
        return landed, {}
    for part in (p for p in pointer.split("/") if p):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return landed, target if isinstance(target, dict) else {}
