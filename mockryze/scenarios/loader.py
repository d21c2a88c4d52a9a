"""Read a scenario (YAML or JSON, safe loading only) and check it completely before anything runs.

Every refusal is a :class:`ScenarioError` naming the failing field by its path
(``steps/3/inbound/from``); nothing else escapes :func:`load`, whatever the document holds.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mockryze.core import jid, schemas
from mockryze.scenarios.model import ContactSpec, FaultSpec, InstanceSpec, ReplyRule, Scenario, Step

if TYPE_CHECKING:
    from faker import Faker

    from mockryze.http.verbs import Verb

SCHEMA = "scenario"
MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # YAML aliases can make a small file a huge document
EXTRA_ACTIONS = ("connect",)  # steps that are Control methods, not control-plane verbs
CONTACT_KEYS = ("from", "number", "contact")  # step arguments that may name a contact by its id
WEBHOOK_FIELDS = {"url": "webhookURL", "enabled": "webhookEnabled", "authorization": "webhookAuthorization",
                  "byEvents": "webhookByEvents", "events": "webhookEvents"}
WEBSOCKET_FIELDS = {"enabled": "websocketEnabled", "events": "websocketEvents"}
BOOK_FIELDS = {"name": "name", "lid": "lid", "pushName": "pushName", "onWhatsApp": "onWhatsApp",
               "receipts": "receipts"}


class ScenarioError(ValueError):
    """A scenario refused: ``path`` is the failing field (``(document)`` for the whole file)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message


# --- reading ----------------------------------------------------------------------------------
def read(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """The document of a file (``.json`` as JSON, anything else as YAML) or a dict, as plain JSON data."""
    if isinstance(source, dict):
        return _plain(source)
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError("(document)", f"cannot read {path}: {error.strerror or error}") from None
    return parse(raw, json_only=path.suffix.lower() == ".json")


def parse(raw: bytes | str, *, json_only: bool = False) -> dict[str, Any]:
    if len(raw) > MAX_BYTES:
        raise ScenarioError("(document)", f"larger than {MAX_BYTES} bytes")
    try:
        loaded = json.loads(raw) if json_only else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        raise ScenarioError("(document)", f"not valid {'JSON' if json_only else 'YAML'}: {_short(error)}") from None
    return _plain(loaded)


def _plain(document: Any) -> dict[str, Any]:
    """JSON data only (no dates, no NaN, no shared YAML aliases blowing up), as a fresh copy."""
    _count(document)
    try:
        plain = json.loads(json.dumps(document, allow_nan=False, default=_not_json))
    except (ValueError, TypeError, RecursionError) as error:
        raise ScenarioError("(document)", _short(error)) from None
    if not isinstance(plain, dict):
        raise ScenarioError("(document)", f"a scenario is a mapping, not {type(plain).__name__}")
    return plain


def _count(document: Any) -> None:
    budget, pending = MAX_NODES, [(document, 0)]
    while pending:
        node, depth = pending.pop()
        budget -= 1
        if budget < 0 or depth > 100:
            raise ScenarioError("(document)", "too large or too deeply nested")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list | tuple) else ()
        pending.extend((child, depth + 1) for child in children)


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON data (quote it)")


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


# --- checking ---------------------------------------------------------------------------------
def load(source: str | Path | dict[str, Any]) -> Scenario:
    """Read and check a scenario; :class:`ScenarioError` is the only refusal."""
    document = read(source)
    try:
        return _build(document)
    except ScenarioError:
        raise
    except (ValueError, TypeError, KeyError, RecursionError) as error:  # a check this loader forgot
        raise ScenarioError("(document)", _short(error)) from None


def _build(document: dict[str, Any]) -> Scenario:
    found = schemas.errors(SCHEMA, document)
    if found:
        from jsonschema.exceptions import best_match

        error = best_match(found)
        raise ScenarioError("/".join(str(p) for p in error.absolute_path) or "(document)", error.message[:300])
    seed = int(document.get("seed", 0))
    instances = tuple(_instance(i, spec) for i, spec in enumerate(document.get("instances", [])))
    names = [i.name for i in instances]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise ScenarioError(f"instances/{index}/name", f"instance {name!r} is declared twice")
    rng = random.Random(f"scenario:{seed}")
    contacts = tuple(_contact(i, spec, names, rng) for i, spec in enumerate(document.get("contacts", [])))
    aliases = {c.alias: c.number for c in contacts}
    steps = tuple(_step(i, spec, names, aliases) for i, spec in enumerate(document.get("steps", [])))
    faults = tuple(_fault(i, spec, names, aliases) for i, spec in enumerate(document.get("faults", [])))
    return Scenario(document["name"], document.get("description", ""), seed, document.get("duration"),
                    instances, contacts, tuple(sorted(steps, key=lambda s: s.at)), faults)


def _instance(index: int, spec: dict[str, Any]) -> InstanceSpec:
    inline = dict(spec.get("settings", {}))
    inline.update({WEBHOOK_FIELDS[k]: v for k, v in spec.get("webhook", {}).items()})
    if "webhook" in spec:
        inline.setdefault("webhookEnabled", True)
    inline.update({WEBSOCKET_FIELDS[k]: v for k, v in spec.get("websocket", {}).items()})
    body = {"name": spec["name"], **inline}
    _check(f"instances/{index}", "instance/new.request", body, "settings/")
    return InstanceSpec(spec["name"], spec.get("connected", True), spec.get("number"), spec.get("pushName"), inline)


def _contact(index: int, spec: dict[str, Any], instances: list[str], rng: random.Random) -> ContactSpec:
    where = f"contacts/{index}"
    number = spec.get("number") or f"55119{rng.randrange(10**7, 10**8)}"
    book = {BOOK_FIELDS[k]: spec[k] for k in BOOK_FIELDS if k in spec}
    if "faker" in spec and "name" not in book:
        book["name"] = _faker(spec["faker"].get("locale", "pt_BR"), rng.randrange(2**32)).name()
    named = spec.get("instance")
    if named is not None and named not in instances:
        raise ScenarioError(f"{where}/instance", f"no instance {named!r} in this scenario")
    _check(where, "mock/contact.request", {"number": number, **book})
    try:
        jid.parse(number)
    except jid.InvalidRecipient as error:
        raise ScenarioError(f"{where}/number", error.reason) from None
    rules = tuple(_rule(f"{where}/replies/{i}", rule) for i, rule in enumerate(spec.get("replies", [])))
    alias = spec.get("id") or book.get("name") or number
    return ContactSpec(alias, number, (named,) if named else tuple(instances), book, spec.get("readDelay"),
                       spec.get("typing", 0.0), rules)


@cache
def _shared_faker(locale: str) -> Faker:
    from faker import Faker

    return Faker(locale)


def _faker(locale: str, seed: int) -> Faker:
    try:
        fake = _shared_faker(locale)
    except AttributeError:  # Faker's answer to a locale it does not have
        raise ScenarioError("contacts/faker/locale", f"Faker has no locale {locale!r}") from None
    fake.seed_instance(seed)
    return fake


def _rule(where: str, spec: dict[str, Any]) -> ReplyRule:
    match = spec.get("match", "any")
    reply = dict(spec["reply"])
    quote = reply.pop("quote", False)
    if quote is True:
        reply["replyTo"] = "$trigger"
    if reply.get("type") == "reaction":
        reply.setdefault("messageId", "$trigger")
    probe = {"from": "5511900000000", **{k: ("x" if v == "$trigger" else v) for k, v in reply.items()}}
    _check(f"{where}/reply", "mock/inbound.request", probe)
    common: dict[str, Any] = {"reply": reply, "after": spec.get("after", 0.0), "times": spec.get("times")}
    if match == "any":
        return ReplyRule("any", **common)
    if "text" in match:
        return ReplyRule("text", text=match["text"], **common)
    try:
        return ReplyRule("regex", regex=re.compile(match["regex"]), **common)
    except re.error as error:
        raise ScenarioError(f"{where}/match/regex", f"not a regular expression: {error}") from None


def _step(index: int, spec: dict[str, Any], instances: list[str], aliases: dict[str, str]) -> Step:
    action = next(k for k in spec if k != "at")
    where = f"steps/{index}/{action}"
    verb = _verbs().get(action)
    if verb is None and action not in EXTRA_ACTIONS:
        raise ScenarioError(where, f"unknown action {action!r} (a control-plane verb such as inbound, receipt, call, "
                                   "set_state, create_group, group_member, emit, add_fault, clear_faults; or connect)")
    for key in CONTACT_KEYS:
        named = spec[action].get(key)
        if isinstance(named, str) and named not in aliases and not re.search(r"\d", named):
            raise ScenarioError(f"{where}/{key}", f"{named!r} is neither a contact of this scenario nor a number")
    args = {k: _resolved(v, aliases) if k in CONTACT_KEYS else v for k, v in spec[action].items()}
    if isinstance(args.get("participants"), list):
        args["participants"] = [_resolved(p, aliases) for p in args["participants"]]
    instance = args.pop("instance", None)
    needs_instance = action in EXTRA_ACTIONS or (verb is not None and "{name}" in verb.path)
    if needs_instance and instance is None:
        if len(instances) != 1:
            raise ScenarioError(f"{where}/instance", "name the instance (the scenario has "
                                                     f"{len(instances)} instances)")
        instance = instances[0]
    params = {p: str(args.pop(p, "")) for p in re.findall(r"\{(\w+)\}", verb.path if verb else "") if p != "name"}
    if verb is not None and verb.request_schema:
        _check(where, verb.request_schema, {k: ("x" if v in PLACEHOLDERS else v) for k, v in args.items()})
    return Step(index, float(spec["at"]), action, instance, params, args)


PLACEHOLDERS = ("$last_sent", "$last_received", "$now")


def _fault(index: int, spec: dict[str, Any], instances: list[str], aliases: dict[str, str]) -> FaultSpec:
    args = {k: v for k, v in spec.items() if k not in ("at", "until")}
    if "contact" in args:
        args["contact"] = _resolved(args["contact"], aliases)
    at, until = spec.get("at"), spec.get("until")
    if at is not None and until is not None and until <= at:
        raise ScenarioError(f"faults/{index}/until", f"must come after `at` ({at})")
    return FaultSpec(args, at, until)


def _resolved(value: Any, aliases: dict[str, str]) -> Any:
    return aliases.get(value, value) if isinstance(value, str) else value


def _check(where: str, schema: str, body: dict[str, Any], prefix: str = "") -> None:
    found = schemas.errors(schema, body)
    if found:
        from jsonschema.exceptions import best_match

        error = best_match(found)
        inner = "/".join(str(p) for p in error.absolute_path)
        raise ScenarioError(f"{where}/{prefix}{inner}".rstrip("/"), error.message[:300])


def _verbs() -> dict[str, Verb]:
    from mockryze.modules import VERBS

    return VERBS
