"""``--control-token``: when set, every ``/__mock__`` route needs it in ``X-Mockryze-Control-Token``,
except reads of one account or instance (its own token is enough) and the capture inbox (its key is
the capability). Generated from the verb table, so a new verb is covered without editing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.http.auth import CONTROL_TOKEN_HEADER
from mockryze.http.verbs import MOCK_PREFIX, Verb
from mockryze.modules import VERBS
from mockryze.testing.api import MockRyze, RemoteRyze
from tests.conftest import CheckedClient, error_of
from tests.http.test_control_scope import body_for

SECRET = "control-s3cret"
NAME = "sales"
GATED = [verb for verb in VERBS.values() if not verb.keyed]
OWN_READS = [verb for verb in GATED if verb.own_read]
IDS = {"id": "no-such-delivery", "key": "inbox-key", "name": NAME, "jid": "120363000000000001@g.us"}


@pytest.fixture
def ryze() -> Iterator[MockRyze]:
    with MockRyze(seed=3, control_token=SECRET) as mock:
        yield mock


@pytest.fixture
def sales(ryze: MockRyze) -> str:
    token = ryze.create_instance(NAME, connected=True).token
    ryze.create_group(NAME, "Equipe", ["5511911112222"], jid=IDS["jid"])  # what the group verbs name
    return token


def path_of(verb: Verb) -> str:
    return MOCK_PREFIX + verb.path.format(**IDS)


def send(api: CheckedClient, verb: Verb, token: str | None = None, control: str | None = None) -> httpx.Response:
    headers = {} if control is None else {CONTROL_TOKEN_HEADER: control}
    return api.request(verb.method, path_of(verb), token=token or "", headers=headers, json=body_for(verb))


def observable(ryze: MockRyze) -> list[Any]:
    return [ryze.clock(), ryze.events(), ryze.deliveries(), ryze.messages(NAME), ryze.instance(NAME),
            sorted(ryze.world.accounts)]


def refused(response: httpx.Response) -> bool:
    return error_of(response) == literals.INVALID_TOKEN and CONTROL_TOKEN_HEADER in response.headers.get(
        "x-mockryze-detail", "")


@pytest.mark.parametrize("verb", GATED, ids=[v.name for v in GATED])
@pytest.mark.parametrize("control", [None, "not-the-control-token"], ids=["absent", "wrong"])
def test_every_control_route_needs_the_control_token(ryze: MockRyze, sales: str, verb: Verb,
                                                     control: str | None) -> None:
    api = CheckedClient(ryze.client)
    before = observable(ryze)
    assert refused(send(api, verb, control=control))
    assert observable(ryze) == before


@pytest.mark.parametrize("verb", [v for v in GATED if not v.own_read], ids=[v.name for v in GATED if not v.own_read])
def test_an_account_token_alone_does_not_open_a_write_or_a_world_verb(ryze: MockRyze, sales: str, verb: Verb) -> None:
    api = CheckedClient(ryze.client)
    before = observable(ryze)
    assert refused(send(api, verb, token=ryze.account_token))
    assert refused(send(api, verb, token=sales))
    assert observable(ryze) == before


@pytest.mark.parametrize("verb", GATED, ids=[v.name for v in GATED])
def test_the_control_token_opens_every_route(ryze: MockRyze, sales: str, verb: Verb) -> None:
    response = send(CheckedClient(ryze.client), verb, control=SECRET)
    assert response.status_code < 400 or error_of(response) != literals.INVALID_TOKEN


@pytest.mark.parametrize("verb", OWN_READS, ids=[v.name for v in OWN_READS])
@pytest.mark.parametrize("who", ["account", "instance"])
def test_a_read_of_an_account_or_instance_takes_its_own_token(ryze: MockRyze, sales: str, verb: Verb,
                                                              who: str) -> None:
    token = ryze.account_token if who == "account" else sales
    response = send(CheckedClient(ryze.client), verb, token=token)
    assert response.status_code == 200, response.text


def test_an_own_read_shows_only_its_own_account(ryze: MockRyze, sales: str) -> None:
    other = ryze.new_account()
    ryze.create_instance("theirs", account_token=other, connected=True)
    api = CheckedClient(ryze.client)
    events = api.get(f"{MOCK_PREFIX}/events", token=other).json()["events"]
    assert {e["instanceData"]["instance"] for e in events} == {"theirs"}
    assert error_of(api.get(f"{MOCK_PREFIX}/events", token="nobody")) == literals.INVALID_TOKEN


def test_the_capture_inbox_stays_open_to_its_key(ryze: MockRyze) -> None:
    api = CheckedClient(ryze.client)
    assert api.post(f"{MOCK_PREFIX}/inbox/k-7f3a", json={"hello": 1}).status_code == 200
    assert ryze.client.post(f"{MOCK_PREFIX}/inbox/k-7f3a/message.exchange", json={}).status_code == 200
    items = api.get(f"{MOCK_PREFIX}/inbox/k-7f3a").json()["items"]
    assert [item["path"] for item in items] == ["/", "/message.exchange"]
    assert api.delete(f"{MOCK_PREFIX}/inbox/k-7f3a").status_code == 200
    assert api.get(f"{MOCK_PREFIX}/inbox/k-7f3a").json()["count"] == 0


def test_the_in_process_api_is_the_operator(ryze: MockRyze, sales: str) -> None:
    ryze.advance(5)
    assert ryze.events(NAME)
    ryze.reset()


def test_without_a_control_token_the_control_plane_stays_open() -> None:
    with MockRyze() as mock:
        assert mock.client.post(f"{MOCK_PREFIX}/reset").status_code == 200


def test_remote_ryze_sends_the_control_token_over_a_real_socket(ryze: MockRyze) -> None:
    base = ryze.serve()
    with pytest.raises(ApiError) as no_token:
        RemoteRyze.with_new_account(base)
    assert (no_token.value.status, no_token.value.message) == literals.INVALID_TOKEN

    remote = RemoteRyze.with_new_account(base, control_token=SECRET)
    try:
        remote.create_instance(NAME, connected=True)
        remote.advance(1)
        assert [e["data"]["state"] for e in remote.events(NAME)] == ["qr_ready", "pair_success", "connected"]
        assert remote.new_account() != remote.account_token
    finally:
        remote.close()
    reader = RemoteRyze(base, remote.account_token)  # no control token: its own reads only
    try:
        assert len(reader.events(NAME)) == 3
        with pytest.raises(ApiError) as refusal:
            reader.scan(NAME)
        assert (refusal.value.status, refusal.value.message) == literals.INVALID_TOKEN
    finally:
        reader.close()


def test_the_control_plane_rules_are_labelled_inferred(ryze: MockRyze) -> None:
    table = ryze.contract()
    (row,) = [row for row in table["routes"] if (row["method"], row["path"]) == ("*", "/__mock__/*")]
    inferred = " ".join(b["behaviour"] for b in row["behaviours"] if b["source"] == "inferred")
    for rule in (CONTROL_TOKEN_HEADER, literals.INVALID_TOKEN.message, literals.TOKEN_INSTANCE_MISMATCH.message,
                 "its key is the capability", "--event-record-limit"):
        assert rule in inferred
