"""Hostile request bodies: lone surrogates, deep nesting, huge numbers, control characters.

Every route that reads a body refuses what the mock could not hold (400 ``Invalid request body``,
the reason in ``X-Mockryze-Detail``) before anything changes, and never answers 5xx: the named
reproductions first, then a Hypothesis property over every POST row of the route table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockryze.core import literals, schemas
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.http.body import MAX_DEPTH
from mockryze.http.envelope import DETAIL_HEADER
from mockryze.http.routing import Endpoint
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.http.test_routing import concrete, row_id

M = "/__mock__"
CONTACT = "5511912345678"
JSON = {"content-type": "application/json"}

# Valid bodies for the request schemas that carry no ``examples``.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "mock/account.request": {"instanceLimit": 2},
    "mock/clock.request": {"advance": 1},
    "mock/scan.request": {},
    "mock/state.request": {"state": "disconnected"},
}


def valid_body(spec: Endpoint) -> dict[str, Any]:
    assert spec.request_schema is not None
    examples = schemas.schema(spec.request_schema).get("examples")
    return dict(examples[0]) if examples else dict(VALID_BODIES[spec.request_schema])


BODY_ROWS = [spec for spec in ALL_ENDPOINTS if spec.request_schema]
POST_ROWS = [spec for spec in ALL_ENDPOINTS if spec.method == "POST" and spec.path != f"{M}/reset"]  # reset wipes


@dataclass(frozen=True)
class Observed:
    """Everything a client can read back: rejected requests must leave all of it as it was."""

    instances: Any
    events: Any
    deliveries: Any
    messages: Any
    inbox: Any


def observe(ryze: MockRyze) -> Observed:
    ryze.settle_deliveries()
    client, token = ryze.client, {"token": ryze.account_token}

    def read(path: str, **options: Any) -> Any:
        response = client.get(path, **options)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    instances = read("/api/instance/list", headers=token)
    names = [item["name"] for item in instances["instances"]]
    return Observed(
        instances=instances,
        events=read(f"{M}/events"),
        deliveries=read(f"{M}/deliveries"),
        messages={name: read(f"{M}/instances/{quote(name, safe='')}/messages") for name in names},
        inbox=read(f"{M}/inbox/hooks"),
    )


def hostile_post(ryze: MockRyze, spec: Endpoint, raw: bytes) -> httpx.Response:
    """The raw body sent with the route's own method (DELETE and PUT routes with a JSON body included)."""
    return ryze.client.request(spec.method, concrete(spec.path), content=raw,
                               headers={**JSON, "token": ryze.account_token})


def refused_as_invalid_body(response: httpx.Response, spec: Endpoint | None = None) -> str:
    """The literal (the messages module appends its detail to it; a route that words it its own way,
    such as Chatwoot's ``invalid body: <detail>``, is compared with its own) and the detail header's text."""
    status, message = error_of(response)
    shared = literals.INVALID_BODY
    expected = spec.refusal(shared, "…").message.removesuffix("…") if spec else shared.message
    assert status == 400 and message.startswith(expected), (status, message)
    return response.headers[DETAIL_HEADER]


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    ryze.contact("sales", CONTACT)
    ryze.inbound("sales", from_=CONTACT, text="hello")
    return ryze


# --- 1. lone surrogates -------------------------------------------------------------------------
REPRODUCTIONS = [
    ("/api/message/text/sales", b'{"number": "5511912345678", "message": "\\ud800"}'),
    ("/api/instance/new", b'{"name": "x\\ud800"}'),
    (f"{M}/instances/sales/inbound", b'{"from": "5511912345678", "type": "text", "text": "\\udfff"}'),
    (f"{M}/accounts", b'{"token": "\\ud800"}'),
    ("/api/events/webhook/sales", b'{"enabled": true, "url": "https://hooks.example.org/in", "label": "\\udc00x"}'),
    (f"{M}/instances/sales/events", b'{"event": "label.update", "data": {"\\ud83d": 1}}'),
]


@pytest.mark.parametrize(("path", "raw"), REPRODUCTIONS, ids=[p for p, _ in REPRODUCTIONS])
def test_a_lone_surrogate_is_refused_and_changes_nothing(sales: MockRyze, path: str, raw: bytes) -> None:
    before = observe(sales)
    response = sales.client.post(path, content=raw, headers={**JSON, "token": sales.account_token})
    assert "lone surrogate" in refused_as_invalid_body(response)
    assert observe(sales) == before  # list, events, messages and the journal all still answer
    assert sales.client.delete("/api/instance/delete/sales", headers={"token": sales.account_token}).status_code == 200


def test_a_lone_surrogate_sent_as_raw_bytes_is_refused(sales: MockRyze, api: CheckedClient) -> None:
    raw = '{"name": "x\ud800"}'.encode("utf-8", "surrogatepass")  # CESU-style bytes, not an escape
    assert error_of(api.post("/api/instance/new", content=raw, headers=JSON)) == literals.INVALID_BODY


def test_a_surrogate_pair_is_one_valid_character(sales: MockRyze, api: CheckedClient) -> None:
    raw = b'{"number": "5511912345678", "message": "\\ud83d\\ude00"}'
    response = api.post("/api/message/text/sales", content=raw, headers=JSON)
    assert response.status_code == 200, response.text
    assert sales.sent("sales")[-1]["content"] == "\N{GRINNING FACE}"


@pytest.mark.parametrize("spec", BODY_ROWS, ids=row_id)
def test_every_body_route_refuses_a_surrogate_in_an_otherwise_valid_body(sales: MockRyze, spec: Endpoint) -> None:
    body = valid_body(spec)
    body["x\ud800"] = "y"  # a surrogate in a key: checked before the schema, whatever the route allows
    before = observe(sales)
    detail = refused_as_invalid_body(hostile_post(sales, spec, json.dumps(body).encode()), spec)
    assert "lone surrogate U+D800" in detail
    assert observe(sales) == before


# --- 2. pathological JSON ------------------------------------------------------------------------
def nested(depth: int) -> bytes:
    return b'{"name": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(("raw", "reason"), [
    (nested(MAX_DEPTH), "nested deeper than 64 levels"),  # 64 arrays inside the body object: 65 levels
    (nested(1_000), "nested deeper than 64 levels"),
    (nested(100_000), "nested deeper than 64 levels"),
    (b'{"name": ' + b"1" * 5_000 + b"}", "integer is out of range"),
    (b'{"name": -' + b"9" * 400 + b"}", "integer is out of range"),
    (b'{"name": 1e400}', "number out of range"),
], ids=["65-levels", "1000-levels", "100000-levels", "5000-digits", "400-digits", "1e400"])
def test_pathological_json_is_invalid_body(api: CheckedClient, raw: bytes, reason: str) -> None:
    response = api.post("/api/instance/new", content=raw, headers=JSON)
    assert error_of(response) == literals.INVALID_BODY
    assert reason in response.headers[DETAIL_HEADER]
    assert api.get("/api/instance/list").json()["instances"] == []


def test_nesting_up_to_the_cap_still_parses(api: CheckedClient) -> None:
    """64 levels (the body object and 63 arrays) reach the schema, which refuses an array name."""
    response = api.post("/api/instance/new", content=nested(MAX_DEPTH - 1), headers=JSON)
    assert error_of(response) == literals.INVALID_BODY
    assert "nested" not in response.headers[DETAIL_HEADER]


def test_a_huge_clock_advance_is_refused_not_a_crash(api: CheckedClient) -> None:
    response = api.post(f"{M}/clock", content=b'{"advance": ' + b"9" * 300 + b"}", headers=JSON)
    assert error_of(response) == literals.INVALID_BODY


# --- 7. instance names ----------------------------------------------------------------------------
BAD_NAMES = ["a\x00", "\x01", "a\x1fb", "a\tb", "a\nb", "a\x7f", "a\x85", "\x9f", ".", "..", "a/b"]
GOOD_NAMES = ["a.b", "...", ".hidden", "vendas-ü", "名前", "a~b", "a b", " . ", "a%20b"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=[repr(n) for n in BAD_NAMES])
def test_control_characters_and_dot_segments_are_refused_as_names(api: CheckedClient, name: str) -> None:
    assert error_of(api.post("/api/instance/new", json={"name": name})) == literals.INVALID_BODY
    assert api.get("/api/instance/list").json()["instances"] == []


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_other_names_are_accepted_and_reachable(api: CheckedClient, name: str) -> None:
    assert api.post("/api/instance/new", json={"name": name}).status_code == 201
    assert api.get(f"/api/instance/getSettings/{quote(name, safe='')}").status_code == 200


# --- the property -----------------------------------------------------------------------------------
HOSTILE_CHARS = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\x00", "\x1f", "\x7f", "\x85", "\x9f",
                                 "\u2028", "\r\n", "\t"])
HOSTILE_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=8),  # surrogates included
    st.tuples(st.text(max_size=3), HOSTILE_CHARS, st.text(max_size=3)).map("".join),
    st.sampled_from([".", ".."]),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    HOSTILE_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(HOSTILE_TEXT, kids,
                                                                                              max_size=3),
                           max_leaves=6)
RAW_NUMBERS = st.sampled_from([b"1" * 5_000, b"-" + b"9" * 310, b"1" * 4_301, b"1e400", b"-1e999", b"NaN",
                               b"Infinity", b"1" * 309])
RAW_NESTING = st.sampled_from([65, 100, 999, 5_000]).map(lambda n: b"[" * n + b"]" * n)
RAW_ODDITIES = st.sampled_from([b'"\xed\xa0\x80"', b"\xff\xfe", b"", b"{", b'{"a": 1}' * 2, b"\x00"])


def _no_delay(value: Any) -> Any:
    """A valid ``delay`` makes the in-process client wait for the (frozen) clock: leave it out."""
    if isinstance(value, dict):
        value.pop("delay", None)
    return value


def _spliced(body: dict[str, Any], key: str, raw_value: bytes) -> bytes:
    """``body`` as JSON with ``key`` set to a raw JSON text (numbers and nesting json.dumps cannot write)."""
    marker = "\x00splice\x00"
    text = json.dumps({**body, key: marker}).encode()
    return text.replace(json.dumps(marker).encode(), raw_value)


def hostile_strings(value: Any) -> st.SearchStrategy[Any]:
    """``value`` with some of its strings, at any depth, made hostile (the rest stays valid)."""
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: hostile_strings(item) for key, item in value.items()})
    if isinstance(value, list):
        return st.tuples(*(hostile_strings(item) for item in value)).map(list)
    if isinstance(value, str):
        return st.one_of(st.just(value), HOSTILE_TEXT, HOSTILE_CHARS.map(lambda char: value + char))
    return st.just(value)


def bodies(spec: Endpoint) -> st.SearchStrategy[bytes]:
    """Arbitrary JSON, raw oddities, and the route's own valid body with hostile strings or one member
    replaced (by anything, or by a number or a nesting json.dumps cannot write)."""
    arbitrary = JSON_VALUES.map(_no_delay).map(lambda value: json.dumps(value).encode())
    raw = st.one_of(RAW_NUMBERS, RAW_NESTING, RAW_ODDITIES)
    if not spec.request_schema:
        return st.one_of(arbitrary, raw)
    base = _no_delay(valid_body(spec))
    keys = st.sampled_from([*sorted(base), "extra"])
    replaced = st.tuples(keys, JSON_VALUES).map(lambda pair: json.dumps(_no_delay({**base, pair[0]: pair[1]})))
    spliced = st.tuples(keys, st.one_of(RAW_NUMBERS, RAW_NESTING)).map(lambda pair: _spliced(base, *pair))
    return st.one_of(hostile_strings(base).map(json.dumps).map(str.encode), replaced.map(str.encode), spliced,
                     arbitrary, raw)


async def _delivered(request: Any) -> int:
    return 200


@pytest.fixture
def world() -> Iterator[MockRyze]:
    with MockRyze(webhook_transport=_delivered) as mock:
        mock.create_instance("sales", connected=True)
        mock.contact("sales", CONTACT)
        mock.inbound("sales", from_=CONTACT, text="hello")
        yield mock


EXAMPLES = 30


@pytest.mark.parametrize("spec", POST_ROWS, ids=row_id)
def test_hostile_bodies_never_5xx_and_a_refusal_changes_nothing(world: MockRyze, spec: Endpoint) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(raw=bodies(spec))
    def check(raw: bytes) -> None:
        before = observe(world)
        response = hostile_post(world, spec, raw)
        assert response.status_code < 500, (response.status_code, response.text)
        if response.status_code >= 400:
            assert observe(world) == before, (response.status_code, response.text)
        if spec.path == f"{M}/clock":
            world.client.post(f"{M}/clock", json={"freeze": True})  # a running clock would fire timers between reads

    check()
