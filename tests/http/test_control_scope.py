"""The control plane's scope: a TokenInstance sees only its own instance, a TokenAccount only its account.

Generated from the verb table (``mockryze.modules.VERBS``): every verb on ``/instances/{name}`` is
refused for another instance's token as the API refuses it (403 ``Instance token does not match this
instance``, another account's token 404), and changes nothing; the list verbs (events, deliveries)
list the token's own instance and refuse to name another one. ``MockRyze`` runs the same rows, so
the in-process API refuses the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.http.verbs import MOCK_PREFIX, Verb
from mockryze.modules import VERBS
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

OWN, SIBLING, ELSEWHERE = "own", "sibling", "elsewhere"  # sibling: same account; elsewhere: another one
NAMED = [verb for verb in VERBS.values() if "{name}" in verb.path]
LISTS = ("events", "deliveries")
BODIES: dict[str, dict[str, Any]] = {"scan": {}, "set_state": {"state": "disconnected"}}  # no schema example
REFUSALS = (literals.INVALID_TOKEN, literals.TOKEN_INSTANCE_MISMATCH, literals.INSTANCE_NOT_FOUND)


@dataclass
class Tokens:
    account: str
    own: str
    sibling: str
    elsewhere: str


@pytest.fixture
def tokens(ryze: MockRyze) -> Tokens:
    inline = {"webhookEnabled": True, "webhookURL": ryze.inbox_url("scope")}
    own = ryze.create_instance(OWN, connected=True, **inline)
    sibling = ryze.create_instance(SIBLING, connected=True, **inline)
    elsewhere = ryze.create_instance(ELSEWHERE, account_token=ryze.new_account(), connected=True, **inline)
    ryze.settle_deliveries()
    return Tokens(ryze.account_token, own.token, sibling.token, elsewhere.token)


def body_for(verb: Verb) -> dict[str, Any] | None:
    if verb.method == "GET":
        return None
    if verb.name in BODIES or verb.request_schema is None:
        return BODIES.get(verb.name, {})
    example: dict[str, Any] = schemas.schema(verb.request_schema).get("examples", [{}])[0]
    return example


def call(api: CheckedClient, verb: Verb, name: str, token: str) -> tuple[int, str] | int:
    """The verb on instance ``name``: the refusal literal, or the success status."""
    path = verb.path.format(name=name, jid="120363000000000001@g.us")  # the group verbs name a group too
    response = api.request(verb.method, MOCK_PREFIX + path, token=token, json=body_for(verb))
    return error_of(response) if response.status_code >= 400 else response.status_code


def observable(api: CheckedClient, tokens: Tokens) -> list[Any]:
    """What a refused verb must leave unchanged: every record, journal and store of the account."""
    return [api.get(f"{MOCK_PREFIX}/events").json(), api.get(f"{MOCK_PREFIX}/deliveries").json(),
            api.get(f"{MOCK_PREFIX}/instances/{SIBLING}/messages").json(),
            api.get(f"{MOCK_PREFIX}/instances/{SIBLING}").json()]


@pytest.mark.parametrize("verb", NAMED, ids=[v.name for v in NAMED])
@pytest.mark.parametrize(("whose", "refusal"), [("own", literals.TOKEN_INSTANCE_MISMATCH),
                                                ("elsewhere", literals.INSTANCE_NOT_FOUND)],
                         ids=["same-account", "other-account"])
def test_another_instances_token_is_refused_and_changes_nothing(
        api: CheckedClient, tokens: Tokens, verb: Verb, whose: str, refusal: literals.ErrorLiteral) -> None:
    before = observable(api, tokens)
    assert call(api, verb, SIBLING, getattr(tokens, whose)) == refusal
    assert observable(api, tokens) == before


@pytest.mark.parametrize("verb", NAMED, ids=[v.name for v in NAMED])
def test_an_instance_token_reaches_its_own_instance(api: CheckedClient, tokens: Tokens, verb: Verb) -> None:
    assert call(api, verb, OWN, tokens.own) not in REFUSALS  # may still refuse for its own reasons (no such message)


@pytest.mark.parametrize("verb", LISTS)
def test_a_list_verb_shows_an_instance_token_only_its_instance(
        api: CheckedClient, tokens: Tokens, verb: str) -> None:
    listed = api.get(f"{MOCK_PREFIX}/{verb}", token=tokens.own).json()[verb]
    everything = api.get(f"{MOCK_PREFIX}/{verb}").json()[verb]
    assert listed and len(listed) < len(everything)
    assert listed == api.get(f"{MOCK_PREFIX}/{verb}", params={"instance": OWN}).json()[verb]
    assert api.get(f"{MOCK_PREFIX}/{verb}", token=tokens.own, params={"instance": OWN}).json()[verb] == listed


@pytest.mark.parametrize("verb", LISTS)
@pytest.mark.parametrize("named", [SIBLING, ELSEWHERE, "no-such-instance"])
def test_a_list_verb_refuses_an_instance_token_naming_another_instance(
        api: CheckedClient, tokens: Tokens, verb: str, named: str) -> None:
    response = api.get(f"{MOCK_PREFIX}/{verb}", token=tokens.own, params={"instance": named})
    assert error_of(response) == literals.TOKEN_INSTANCE_MISMATCH
    assert tokens.sibling not in response.text


@pytest.mark.parametrize("verb", LISTS)
def test_a_list_verb_shows_an_account_token_only_its_account(
        api: CheckedClient, tokens: Tokens, verb: str) -> None:
    listed = api.get(f"{MOCK_PREFIX}/{verb}", params={"instance": ELSEWHERE}).json()
    assert listed["count"] == 0
    theirs = api.get(f"{MOCK_PREFIX}/{verb}", token=tokens.elsewhere).json()[verb]
    assert theirs and tokens.own not in str(theirs) and tokens.account not in str(theirs)


def test_an_instance_token_cannot_redeliver_another_instances_delivery(api: CheckedClient, tokens: Tokens) -> None:
    (delivery, *_) = api.get(f"{MOCK_PREFIX}/deliveries", params={"instance": SIBLING}).json()["deliveries"]
    path = f"{MOCK_PREFIX}/deliveries/{delivery['id']}/redeliver"
    before = observable(api, tokens)
    assert error_of(api.post(path, token=tokens.own)) == literals.MOCK_DELIVERY_NOT_FOUND
    assert error_of(api.post(path, token=tokens.elsewhere)) == literals.MOCK_DELIVERY_NOT_FOUND
    assert observable(api, tokens) == before
    assert api.post(path, token=tokens.sibling).status_code == 202


def test_the_in_process_api_refuses_the_same_way(ryze: MockRyze, tokens: Tokens) -> None:
    for attempt in (lambda: ryze.events(SIBLING, account_token=tokens.own),
                    lambda: ryze.deliveries(SIBLING, account_token=tokens.own),
                    lambda: ryze.scan(SIBLING, account_token=tokens.own),
                    lambda: ryze.connect(SIBLING, account_token=tokens.own),
                    lambda: ryze.messages(SIBLING, account_token=tokens.own)):
        with pytest.raises(ApiError) as refused:
            attempt()
        assert (refused.value.status, refused.value.message) == literals.TOKEN_INSTANCE_MISMATCH
    assert {e["instanceData"]["instance"] for e in ryze.events(account_token=tokens.own)} == {OWN}
    with pytest.raises(ApiError) as refused:
        ryze.create_instance("more", account_token=tokens.own)
    assert (refused.value.status, refused.value.message) == literals.INVALID_TOKEN
