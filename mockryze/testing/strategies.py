"""Hypothesis strategies for integrators: phone numbers, JIDs, request bodies and event envelopes.

    from hypothesis import given
    from mockryze.testing import strategies as ryze_st

    @given(ryze_st.events("message.exchange", profile="live"))
    def test_my_webhook_handler_accepts_every_message(envelope): ...

    @given(ryze_st.request_bodies("POST /api/message/text/:instance"))
    def test_my_client_builds_valid_bodies(body): ...

Request bodies are generated from ``schemas/`` (always valid for the route). Event envelopes are
produced by driving a real in-process mock, so they are exactly what mockryze (and, as far as
the contract knows, RyzeAPI) delivers.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hypothesis import strategies as st

from mockryze.core import schemas
from mockryze.core.bus import EVENT_TYPES as EVENT_TYPES  # re-exported: integrators parametrize over it

_DIGIT = "0123456789"


# --- numbers and JIDs -------------------------------------------------------------------------
def brazilian_mobiles(ninth_digit: bool | None = None) -> st.SearchStrategy[str]:
    """``55`` + DDD + (9) + a mobile's 8 digits; with, without, or either form of the 9th digit."""
    ddd = st.integers(1, 9).flatmap(lambda a: st.integers(1, 9).map(lambda b: f"{a}{b}"))
    subscriber = st.tuples(st.sampled_from("6789"), st.text(_DIGIT, min_size=7, max_size=7)).map("".join)
    nine = st.just("9") if ninth_digit else st.just("") if ninth_digit is False else st.sampled_from(["9", ""])
    return st.tuples(ddd, nine, subscriber).map(lambda t: "55" + "".join(t))


def phone_numbers() -> st.SearchStrategy[str]:
    """International numbers, digits only: Brazilian mobiles (both forms) and other countries."""
    foreign = st.tuples(st.sampled_from(["1", "44", "49", "34", "351", "52", "91"]),
                        st.integers(1, 9).map(str), st.text(_DIGIT, min_size=8, max_size=10)).map("".join)
    return st.one_of(brazilian_mobiles(), foreign)


def typed_numbers() -> st.SearchStrategy[str]:
    """The same numbers as people type them: ``+55 (11) 98765-4321`` and friends."""
    def typed(number: str) -> st.SearchStrategy[str]:
        spaced = f"+{number[:2]} ({number[2:4]}) {number[4:-4]}-{number[-4:]}"
        return st.sampled_from([number, "+" + number, spaced, f"{number}@s.whatsapp.net"])
    return brazilian_mobiles().flatmap(typed)


def _id(digits: int) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(1, 9).map(str), st.text(_DIGIT, min_size=digits - 1, max_size=digits - 1)).map(
        "".join
    )


def jids(kinds: tuple[str, ...] = ("user", "lid", "group", "newsletter", "broadcast")) -> st.SearchStrategy[str]:
    """Canonical JIDs of the given kinds."""
    by_kind: dict[str, st.SearchStrategy[str]] = {
        "user": phone_numbers().map(lambda n: f"{n}@s.whatsapp.net"),
        "lid": _id(15).map(lambda n: f"{n}@lid"),
        "group": _id(12).map(lambda n: f"120363{n}@g.us"),
        "newsletter": _id(12).map(lambda n: f"120363{n}@newsletter"),
        "broadcast": st.just("status@broadcast"),
    }
    return st.one_of(*(by_kind[k] for k in kinds))


# --- request bodies from the schemas ----------------------------------------------------------
def request_bodies(route: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies for ``"METHOD /path"`` (RyzeAPI spelling) or a request schema name."""
    name = _request_schema_for(route)
    checker = schemas.validator(name)
    return from_schema(schemas.schema(name), name).filter(checker.is_valid)


def _request_schema_for(route: str) -> str:
    if route in schemas.names():
        return route
    from mockryze.http.app import ALL_ENDPOINTS

    for spec in ALL_ENDPOINTS:
        if spec.route == route and spec.request_schema:
            return spec.request_schema
    raise KeyError(f"no route {route!r} with a request body")


def from_schema(schema: dict[str, Any], name: str) -> st.SearchStrategy[Any]:
    """A strategy for (mostly) valid instances of the JSON Schema subset ``schemas/`` uses."""
    return _Generator(name).strategy(schema)


class _Generator:
    def __init__(self, name: str) -> None:
        self.base = schemas.BASE_URI + name + ".json"

    def strategy(self, node: Any, base: str | None = None) -> st.SearchStrategy[Any]:
        base = base or self.base
        if node is True or node == {}:
            return st.just("x")
        if "$ref" in node:
            target, target_base = _resolve(base, node["$ref"])
            return self.strategy({**target, **{k: v for k, v in node.items() if k != "$ref"}}, target_base)
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from([v for v in node["enum"] if v is not None] or node["enum"])
        for combinator in ("oneOf", "anyOf"):
            if combinator in node:
                rest = {k: v for k, v in node.items() if k != combinator}
                return st.one_of(*(self.strategy(_merge(rest, branch), base) for branch in node[combinator]))
        kind = node.get("type", "object" if "properties" in node else "string")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        build: Callable[[dict[str, Any], str], st.SearchStrategy[Any]] = getattr(self, f"_{kind}")
        return build(node, base)

    def _object(self, node: dict[str, Any], base: str) -> st.SearchStrategy[dict[str, Any]]:
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", []))
        then = node.get("then", {})
        required |= set(then.get("required", []))
        for part in node.get("allOf", []):
            required |= set(part.get("then", {}).get("required", [])) & set(properties)
        fixed = {k: self.strategy(properties[k], base) for k in properties if k in required}
        optional = {k: self.strategy(v, base) for k, v in properties.items() if k not in required}
        return st.fixed_dictionaries(fixed, optional=optional)

    def _array(self, node: dict[str, Any], base: str) -> st.SearchStrategy[list[Any]]:
        items = self.strategy(node.get("items", {"type": "string"}), base)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 5), 5))

    def _string(self, node: dict[str, Any], base: str) -> st.SearchStrategy[str]:
        if node.get("format") == "date-time":  # a pattern alone would allow month 13 or hour 25
            return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC)).map(
                lambda moment: moment.isoformat(timespec="seconds").replace("+00:00", "Z"))
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True)
        low, high = node.get("minLength", 0), min(node.get("maxLength", 30), 30)
        return st.text(string.ascii_letters + string.digits + " ", min_size=low, max_size=max(low, high))

    def _integer(self, node: dict[str, Any], base: str) -> st.SearchStrategy[int]:
        return st.integers(node.get("minimum", -(10**6)), node.get("maximum", 10**6))

    def _number(self, node: dict[str, Any], base: str) -> st.SearchStrategy[float]:
        return st.floats(node.get("minimum", -(10**6)), node.get("maximum", 10**6), allow_nan=False)

    def _boolean(self, node: dict[str, Any], base: str) -> st.SearchStrategy[bool]:
        return st.booleans()

    def _null(self, node: dict[str, Any], base: str) -> st.SearchStrategy[None]:
        return st.none()


def _merge(rest: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    merged = {**rest, **{k: v for k, v in branch.items() if k != "required"}}
    merged["required"] = [*rest.get("required", []), *branch.get("required", [])]
    if "properties" in rest and "properties" in branch:
        merged["properties"] = {**rest["properties"], **branch["properties"]}
    return merged


def _resolve(base: str, ref: str) -> tuple[dict[str, Any], str]:
    from urllib.parse import urljoin

    absolute = urljoin(base, ref)
    document, _, pointer = absolute.partition("#")
    node: Any = schemas.schema(document.removeprefix(schemas.BASE_URI).removesuffix(".json"))
    for part in [p for p in pointer.split("/") if p]:
        node = node[part]
    return node, document


# --- event envelopes --------------------------------------------------------------------------
def events(event: str | None = None, profile: str = "live") -> st.SearchStrategy[dict[str, Any]]:
    """Envelopes of one event type (or any), exactly as the mock delivers them in ``profile``."""
    kinds = (event,) if event else EVENT_TYPES
    for kind in kinds:
        if kind not in EVENT_TYPES:
            raise ValueError(f"unknown event type {kind!r}; one of {EVENT_TYPES}")
    return st.sampled_from(kinds).flatmap(lambda kind: _EVENT_STRATEGIES[kind](profile))


_INBOUND_TYPES = ("text", "image", "video", "audio", "document", "sticker", "location", "contact",
                  "button_reply", "list_reply")


def _exchange(profile: str) -> st.SearchStrategy[dict[str, Any]]:
    inbound = st.fixed_dictionaries({
        "type": st.sampled_from(_INBOUND_TYPES), "from": brazilian_mobiles(),
        "text": st.text(min_size=1, max_size=80), "seed": st.integers(0, 2**16),
        "latitude": st.floats(-89.9, 89.9), "longitude": st.floats(-179.9, 179.9),
        "in_group": st.booleans(), "outgoing": st.booleans(),
    })
    return inbound.map(lambda spec: _run_exchange(profile, spec))


def _run_exchange(profile: str, spec: dict[str, Any]) -> dict[str, Any]:
    from mockryze.testing.api import MockRyze

    with MockRyze(seed=spec["seed"], profile=profile) as ryze:
        ryze.create_instance("bot", connected=True)
        group = ryze.create_group("bot", "Grupo", [spec["from"]]) if spec["in_group"] else None
        if spec["outgoing"]:
            ryze.client.post("/api/message/text/bot", headers={"token": ryze.account_token},
                             json={"number": group or spec["from"], "message": spec["text"]})
        else:
            fields = _inbound_fields(spec)
            ryze.inbound("bot", from_=spec["from"], type=spec["type"], **({"group": group} if group else {}), **fields)
        return ryze.events("bot", "message.exchange")[-1]


def _inbound_fields(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    if kind == "text":
        return {"text": spec["text"]}
    if kind in ("image", "video", "document"):
        return {"caption": spec["text"]}
    if kind == "location":
        return {"latitude": spec["latitude"], "longitude": spec["longitude"], "name": spec["text"]}
    if kind == "contact":
        return {"contacts": [{"name": spec["text"].strip() or "Ana", "number": spec["from"]}]}
    if kind == "button_reply":
        return {"buttonId": "btn-" + str(spec["seed"])}
    if kind == "list_reply":
        return {"rowId": "row-" + str(spec["seed"]), "title": spec["text"]}
    return {}


def _status(profile: str) -> st.SearchStrategy[dict[str, Any]]:
    def run(args: tuple[int, str, str, int]) -> dict[str, Any]:
        seed, number, behaviour, step = args
        from mockryze.testing.api import MockRyze

        with MockRyze(seed=seed, profile=profile) as ryze:
            ryze.create_instance("bot", connected=True)
            ryze.contact("bot", number, receipts=behaviour)
            ryze.client.post("/api/message/text/bot", headers={"token": ryze.account_token},
                             json={"number": number, "message": "hi"})
            ryze.advance(60)
            statuses = ryze.events("bot", "message.status")
            return statuses[min(step, len(statuses) - 1)]
    # An `offline` contact sends no receipt, and a send emits no status of its own: nothing to draw from.
    return st.tuples(st.integers(0, 2**16), brazilian_mobiles(), st.sampled_from(["normal", "unread"]),
                     st.integers(0, 3)).map(run)


def _instance_state(profile: str) -> st.SearchStrategy[dict[str, Any]]:
    def run(args: tuple[int, str, int]) -> dict[str, Any]:
        seed, target, step = args
        from mockryze.testing.api import MockRyze

        with MockRyze(seed=seed, profile=profile) as ryze:
            ryze.create_instance("bot", connected=True)
            ryze.set_state("bot", target)
            states = ryze.events("bot", "instance.state")
            return states[min(step, len(states) - 1)]
    return st.tuples(st.integers(0, 2**16), st.sampled_from(["logged_out", "temp_banned", "disconnected"]),
                     st.integers(0, 4)).map(run)


def _call(profile: str) -> st.SearchStrategy[dict[str, Any]]:
    def run(args: tuple[int, str, str, bool]) -> dict[str, Any]:
        seed, number, status, video = args
        from mockryze.testing.api import MockRyze

        with MockRyze(seed=seed, profile=profile) as ryze:
            ryze.create_instance("bot", connected=True)
            ryze.call("bot", from_=number, status=status, isVideo=video)
            return ryze.events("bot", "call.update")[-1]
    statuses = ["offer", "accepted", "rejected", "terminated", "notification", "latency"]
    return st.tuples(st.integers(0, 2**16), brazilian_mobiles(), st.sampled_from(statuses), st.booleans()).map(run)


def _group_flow(profile: str) -> st.SearchStrategy[dict[str, Any]]:
    """group.flow produced by real group actions: creation, a participant action, an update, a reset."""
    steps = ["add", "remove", "promote", "rename", "reset", "leave"]

    def run(args: tuple[int, list[str], str]) -> dict[str, Any]:
        seed, numbers, step = args
        from mockryze.testing.api import MockRyze

        with MockRyze(seed=seed, profile=profile) as ryze:
            ryze.create_instance("bot", connected=True)
            headers = {"token": ryze.account_token}
            group = ryze.client.post("/api/group/create/bot", headers=headers,
                                     json={"name": "Grupo", "participants": numbers[:-1]}).json()["group"]["jid"]
            if step in ("add", "remove", "promote"):
                who = numbers[-1] if step == "add" else numbers[0]
                ryze.client.post("/api/group/participants/bot", headers=headers,
                                 json={"action": step, "identifier": group, "participants": [who]})
            elif step == "rename":
                ryze.client.put("/api/group/update/bot", headers=headers, json={"identifier": group, "name": "Novo"})
            elif step == "reset":
                ryze.client.post("/api/group/resetLink/bot", headers=headers, json={"identifier": group})
            else:
                ryze.client.request("DELETE", "/api/group/leave/bot", headers=headers, params={"identifier": group})
            return ryze.events("bot", "group.flow")[-1]
    people = st.lists(brazilian_mobiles(), min_size=2, max_size=4, unique=True)
    return st.tuples(st.integers(0, 2**16), people, st.sampled_from(steps)).map(run)


def _from_examples(event: str) -> Any:
    def build(profile: str) -> st.SearchStrategy[dict[str, Any]]:
        return st.sampled_from(_examples(event))
    return build


@cache
def _examples(event: str) -> list[dict[str, Any]]:
    return list(schemas.schema(f"events/{event}")["examples"])


# label.update comes from the catalog's examples until the labels module produces it for real.
_EVENT_STRATEGIES = {
    "message.exchange": _exchange, "message.status": _status, "instance.state": _instance_state,
    "call.update": _call, "group.flow": _group_flow, "label.update": _from_examples("label.update"),
}
