"""The newsletter module's five routes through the in-process app (every response is schema-checked):
create / list / info / join / leave, the identifier forms, every documented refusal, and the
control plane's channels someone else owns."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mockryze.core import literals, schemas
from mockryze.core.errors import ApiError
from mockryze.testing import RemoteRyze
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

CREATE, LIST, INFO = "/api/newsletter/create/sales", "/api/newsletter/list/sales", "/api/newsletter/info/sales"
JOIN, LEAVE = "/api/newsletter/join/sales", "/api/newsletter/leave/sales"
CHANNEL_ID = "120363000000000099"
CHANNEL = f"{CHANNEL_ID}@newsletter"
CODE = "0029VaAbCdEfGhIjKlMnOpQr"
SEEDED_JID = re.compile(r"^120363\d{12}@newsletter$")
SEEDED_CODE = re.compile(r"^0029Va[A-Za-z0-9]{18}$")


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    return ryze


@pytest.fixture
def elsewhere(sales: MockRyze) -> dict[str, Any]:
    """A channel someone else owns, which the instance does not follow."""
    return sales.newsletter("sales", "Release Notes", description="Product updates", jid=CHANNEL, invite_code=CODE,
                            subscribers=1520, picture_url="https://mmg.whatsapp.net/channel.jpg")


def info(api: CheckedClient, identifier: str) -> httpx.Response:
    return api.get(INFO, params={"identifier": identifier})


def leave(api: CheckedClient, identifier: str) -> httpx.Response:
    return api.delete(LEAVE, params={"identifier": identifier})


def listed(api: CheckedClient) -> list[dict[str, Any]]:
    response = api.get(LIST)
    assert response.status_code == 200, response.text
    channels: list[dict[str, Any]] = response.json()["channels"]
    assert response.json()["message"] == literals.newsletters_found(len(channels))
    return channels


def disconnect(ryze: MockRyze) -> None:
    ryze.set_state("sales", "disconnected")


# --- create -----------------------------------------------------------------------------------
def test_create_makes_a_channel_the_instance_owns(api: CheckedClient, sales: MockRyze) -> None:
    response = api.post(CREATE, json={"name": "Release Notes", "description": "Product updates"})
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["message"] == literals.NEWSLETTER_CREATED
    channel = body["channel"]
    assert SEEDED_JID.match(channel["jid"])
    assert channel["state"] == "active" and channel["subscriberCount"] == 0
    assert (channel["name"], channel["description"]) == ("Release Notes", "Product updates")
    code = channel["inviteLink"].removeprefix("https://whatsapp.com/channel/")
    assert SEEDED_CODE.match(code)
    assert "pictureUrl" not in channel
    assert listed(api) == [channel]
    (known,) = sales.newsletters("sales")
    assert (known["jid"], known["role"], known["inviteCode"]) == (channel["jid"], "owner", code)


def test_create_without_description_has_an_empty_one(api: CheckedClient, sales: MockRyze) -> None:
    assert api.post(CREATE, json={"name": "Avisos"}).json()["channel"]["description"] == ""


def test_create_is_not_idempotent(api: CheckedClient, sales: MockRyze) -> None:
    first = api.post(CREATE, json={"name": "Avisos"}).json()["channel"]
    second = api.post(CREATE, json={"name": "Avisos"}).json()["channel"]
    assert first["jid"] != second["jid"] and first["inviteLink"] != second["inviteLink"]
    assert [c["jid"] for c in listed(api)] == [first["jid"], second["jid"]]


def test_created_ids_replay_under_the_seed() -> None:
    def made() -> dict[str, Any]:
        with MockRyze(seed=7) as ryze:
            ryze.create_instance("sales", connected=True)
            body: dict[str, Any] = ryze.client.post(CREATE, json={"name": "x"},
                                                    headers={"token": ryze.account_token}).json()
            return body

    assert made() == made()


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"description": "no name"}], ids=repr)
def test_create_needs_a_name(api: CheckedClient, sales: MockRyze, body: dict[str, Any]) -> None:
    assert error_of(api.post(CREATE, json=body)) == literals.NEWSLETTER_NAME_REQUIRED
    assert sales.newsletters("sales") == []


@pytest.mark.parametrize("body", [{"name": 5}, {"name": "x", "description": ["y"]}], ids=repr)
def test_create_with_wrong_types_is_an_invalid_body(api: CheckedClient, sales: MockRyze, body: dict[str, Any]) -> None:
    assert error_of(api.post(CREATE, json=body)) == literals.INVALID_BODY
    assert sales.newsletters("sales") == []


# --- not connected: every route, the module's own 400 ------------------------------------------
NOT_CONNECTED_CALLS = {
    "create": lambda api: api.post(CREATE, json={"name": "x"}),
    "list": lambda api: api.get(LIST),
    "info": lambda api: info(api, CHANNEL),
    "join": lambda api: api.post(JOIN, json={"identifier": CHANNEL}),
    "leave": lambda api: leave(api, CHANNEL),
}


@pytest.mark.parametrize("route", NOT_CONNECTED_CALLS)
def test_every_route_needs_a_connected_instance(api: CheckedClient, sales: MockRyze, route: str) -> None:
    sales.newsletter("sales", jid=CHANNEL, following=True)
    before = sales.newsletters("sales")
    disconnect(sales)
    assert error_of(NOT_CONNECTED_CALLS[route](api)) == literals.NEWSLETTER_NOT_CONNECTED == (
        400, "Instance is not connected to WhatsApp")
    assert sales.newsletters("sales") == before


def test_a_never_connected_instance_is_refused_too(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    assert error_of(api.post(CREATE, json={"name": "x"})) == literals.NEWSLETTER_NOT_CONNECTED


# --- list -------------------------------------------------------------------------------------
def test_list_starts_empty(api: CheckedClient, sales: MockRyze) -> None:
    assert api.get(LIST).json() == {"success": True, "message": "0 newsletter(s) found", "channels": []}


def test_list_shows_owned_and_followed_channels_only(api: CheckedClient, sales: MockRyze,
                                                     elsewhere: dict[str, Any]) -> None:
    owned = api.post(CREATE, json={"name": "Mine"}).json()["channel"]
    assert [c["jid"] for c in listed(api)] == [owned["jid"]]  # a known channel is not listed until followed
    api.post(JOIN, json={"identifier": CHANNEL})
    assert [c["jid"] for c in listed(api)] == [CHANNEL, owned["jid"]]
    assert api.get(LIST).json()["message"] == "2 newsletter(s) found"


# --- info and the identifier forms ------------------------------------------------------------
IDENTIFIER_FORMS = {
    "jid": CHANNEL,
    "link": f"https://whatsapp.com/channel/{CODE}",
    "link-with-id": f"https://whatsapp.com/channel/{CHANNEL_ID}",
    "link-www-slash": f"https://www.whatsapp.com/channel/{CODE}/",
    "code": CODE,
    "numeric-id": CHANNEL_ID,
    "padded": f"  {CHANNEL}  ",
}


@pytest.mark.parametrize("form", IDENTIFIER_FORMS)
def test_info_finds_a_channel_by_every_identifier_form(api: CheckedClient, sales: MockRyze,
                                                       elsewhere: dict[str, Any], form: str) -> None:
    response = info(api, IDENTIFIER_FORMS[form])
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == literals.NEWSLETTER_INFO
    assert body["channel"] == {"jid": CHANNEL, "state": "active", "name": "Release Notes",
                               "description": "Product updates", "subscriberCount": 1520,
                               "pictureUrl": "https://mmg.whatsapp.net/channel.jpg"}  # no inviteLink: not the owner


def test_info_shows_the_invite_link_to_the_owner(api: CheckedClient, sales: MockRyze) -> None:
    created = api.post(CREATE, json={"name": "Mine"}).json()["channel"]
    assert info(api, created["inviteLink"]).json()["channel"] == created


def test_info_does_not_follow(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    info(api, CHANNEL)
    assert listed(api) == []


def test_codes_are_case_sensitive(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    assert error_of(info(api, CODE.lower())) == literals.NEWSLETTER_INFO_NOT_FOUND
    assert error_of(api.post(JOIN, json={"identifier": CODE.upper()})) == literals.NEWSLETTER_JOIN_NOT_FOUND


INVALID_IDENTIFIERS = [
    "120363000000000001@g.us", "5511987654321@s.whatsapp.net", "abc@newsletter", "@newsletter",
    "https://chat.whatsapp.com/AbCdEf", "https://whatsapp.com/channel/", "two words", "a/b", "ção",
    "https://whatsapp.com/channel/abc?x=1",
]


@pytest.mark.parametrize("identifier", INVALID_IDENTIFIERS)
def test_identifiers_of_no_documented_form_are_refused(api: CheckedClient, sales: MockRyze,
                                                       elsewhere: dict[str, Any], identifier: str) -> None:
    before = sales.newsletters("sales")
    assert error_of(info(api, identifier)) == literals.NEWSLETTER_INVALID_IDENTIFIER
    assert error_of(api.post(JOIN, json={"identifier": identifier})) == literals.NEWSLETTER_INVALID_IDENTIFIER
    assert error_of(leave(api, identifier)) == literals.NEWSLETTER_INVALID_IDENTIFIER
    assert sales.newsletters("sales") == before


@pytest.mark.parametrize("params", [{}, {"identifier": ""}, {"identifier": "  "}], ids=repr)
def test_info_and_leave_need_the_identifier_query(api: CheckedClient, sales: MockRyze, params: dict[str, str]) -> None:
    assert error_of(api.get(INFO, params=params)) == literals.NEWSLETTER_IDENTIFIER_REQUIRED
    assert error_of(api.delete(LEAVE, params=params)) == literals.NEWSLETTER_IDENTIFIER_REQUIRED


def test_info_of_an_unknown_channel(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(info(api, CHANNEL)) == (400, "newsletter not found or no metadata returned")


# --- join -------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", IDENTIFIER_FORMS)
def test_join_answers_the_canonical_jid_whatever_the_form(api: CheckedClient, sales: MockRyze,
                                                          elsewhere: dict[str, Any], form: str) -> None:
    response = api.post(JOIN, json={"identifier": IDENTIFIER_FORMS[form]})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": literals.NEWSLETTER_JOINED, "channelJid": CHANNEL}
    (channel,) = listed(api)
    assert channel["jid"] == CHANNEL and channel["subscriberCount"] == 1521
    assert "inviteLink" not in channel  # a subscriber is no admin
    assert sales.newsletters("sales")[0]["role"] == "subscriber"


def test_joining_again_changes_nothing(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    api.post(JOIN, json={"identifier": CHANNEL})
    before = listed(api)
    assert api.post(JOIN, json={"identifier": CODE}).json()["channelJid"] == CHANNEL
    assert listed(api) == before


def test_the_owner_joining_its_own_channel_stays_owner(api: CheckedClient, sales: MockRyze) -> None:
    created = api.post(CREATE, json={"name": "Mine"}).json()["channel"]
    assert api.post(JOIN, json={"identifier": created["jid"]}).status_code == 200
    assert listed(api) == [created]
    assert sales.newsletters("sales")[0]["role"] == "owner"


@pytest.mark.parametrize("body", [{}, {"identifier": ""}, {"identifier": " "}, {"other": CHANNEL}], ids=repr)
def test_join_needs_the_identifier_field(api: CheckedClient, sales: MockRyze, body: dict[str, Any]) -> None:
    assert error_of(api.post(JOIN, json=body)) == literals.NEWSLETTER_IDENTIFIER_FIELD_REQUIRED == (
        400, "The 'identifier' field is required (JID @newsletter or invite link/code)")


def test_join_with_a_wrong_type_is_an_invalid_body(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(api.post(JOIN, json={"identifier": 5})) == literals.INVALID_BODY


def test_join_of_an_unknown_channel(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(api.post(JOIN, json={"identifier": CHANNEL})) == (400, "newsletter not found")
    assert sales.newsletters("sales") == []


@pytest.mark.parametrize("state", ["suspended", "geosuspended"])
def test_a_suspended_channel_is_visible_but_cannot_be_followed(api: CheckedClient, sales: MockRyze,
                                                               state: str) -> None:
    sales.newsletter("sales", "Blocked", jid=CHANNEL, state=state)
    assert info(api, CHANNEL).json()["channel"]["state"] == state
    assert error_of(api.post(JOIN, json={"identifier": CHANNEL})) == (
        500, f"failed to follow newsletter: newsletter is {state}")
    assert listed(api) == []


# --- leave ------------------------------------------------------------------------------------
def test_leave_unfollows_and_the_channel_is_no_longer_reachable_by_leave(
        api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    api.post(JOIN, json={"identifier": CHANNEL})
    response = leave(api, f"https://whatsapp.com/channel/{CODE}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": literals.NEWSLETTER_LEFT, "channelJid": CHANNEL}
    assert listed(api) == []
    assert info(api, CHANNEL).json()["channel"]["subscriberCount"] == 1520  # still findable: a preview
    assert error_of(leave(api, CHANNEL)) == literals.NEWSLETTER_NOT_FOUND == (404, "newsletter not found")
    assert sales.newsletters("sales")[0]["role"] is None


def test_leave_of_a_channel_never_followed(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    assert error_of(leave(api, CHANNEL)) == literals.NEWSLETTER_NOT_FOUND
    assert error_of(leave(api, "120363000000000098@newsletter")) == literals.NEWSLETTER_NOT_FOUND


def test_leave_ignores_a_json_body(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    api.post(JOIN, json={"identifier": CHANNEL})
    response = api.request("DELETE", LEAVE, params={"identifier": CHANNEL}, json={"identifier": "bogus id!"})
    assert response.json()["channelJid"] == CHANNEL
    assert error_of(api.request("DELETE", LEAVE, json={"identifier": CHANNEL})) == \
        literals.NEWSLETTER_IDENTIFIER_REQUIRED


def test_an_owner_leaving_only_unsubscribes(api: CheckedClient, sales: MockRyze) -> None:
    created = api.post(CREATE, json={"name": "Mine"}).json()["channel"]
    assert leave(api, created["jid"]).status_code == 200
    assert listed(api) == []
    kept = info(api, created["jid"]).json()["channel"]
    assert kept["name"] == "Mine" and "inviteLink" not in kept  # the channel exists; the instance is no admin now
    assert api.post(JOIN, json={"identifier": created["jid"]}).status_code == 200
    assert sales.newsletters("sales")[0]["role"] == "subscriber"


# --- the control plane ------------------------------------------------------------------------
def test_a_foreign_channel_gets_seeded_ids_and_fake_details(sales: MockRyze) -> None:
    made = sales.newsletter("sales")
    assert SEEDED_JID.match(made["jid"]) and SEEDED_CODE.match(made["inviteCode"])
    assert made["name"] and made["role"] is None and made["state"] == "active"
    assert made["inviteLink"] == f"https://whatsapp.com/channel/{made['inviteCode']}"
    assert sales.newsletters("sales") == [made]


def test_a_foreign_channel_already_followed_is_listed(api: CheckedClient, sales: MockRyze) -> None:
    made = sales.newsletter("sales", "Followed", jid=CHANNEL, subscribers=10, following=True)
    assert made["role"] == "subscriber" and made["subscriberCount"] == 11
    assert [c["jid"] for c in listed(api)] == [CHANNEL]


def test_a_second_channel_with_the_same_jid_or_code_is_refused(sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as same_jid:
        sales.newsletter("sales", jid=CHANNEL)
    with pytest.raises(ApiError) as same_code:
        sales.newsletter("sales", invite_code=CODE)
    assert same_jid.value.message == same_code.value.message == literals.MOCK_NEWSLETTER_EXISTS.message
    assert sales.newsletters("sales") == [elsewhere]


def test_channels_are_per_instance(api: CheckedClient, sales: MockRyze, elsewhere: dict[str, Any]) -> None:
    sales.create_instance("support", connected=True)
    assert error_of(api.get("/api/newsletter/info/support", params={"identifier": CHANNEL})) == \
        literals.NEWSLETTER_INFO_NOT_FOUND
    assert sales.newsletters("support") == []


# --- sends to channels keep the messages module's rules -----------------------------------------
def test_a_text_to_a_channel_the_instance_does_not_follow_is_still_sent(api: CheckedClient, sales: MockRyze) -> None:
    response = api.post("/api/message/text/sales", json={"number": CHANNEL, "message": "post"})
    assert response.status_code == 200
    assert response.json()["data"]["chat"] == {"jid": CHANNEL}
    assert sales.newsletters("sales") == []  # a send does not make the channel known


def test_the_verbs_over_http_see_the_same_channels(sales: MockRyze) -> None:
    remote = RemoteRyze(sales.serve(), sales.account_token)
    try:
        made = remote.newsletter("sales", "Remote", jid=CHANNEL, invite_code=CODE, following=True)
        assert made["role"] == "subscriber"
        assert remote.newsletters("sales") == sales.newsletters("sales") == [made]
        with pytest.raises(ApiError) as refused:
            remote.newsletter("sales", jid=CHANNEL)
        assert (refused.value.status, refused.value.message) == literals.MOCK_NEWSLETTER_EXISTS
    finally:
        remote.close()


# --- posts of followed channels arrive as message.exchange -------------------------------------
def post_arrives(ryze: MockRyze) -> dict[str, Any]:
    ryze.newsletter("sales", "Release Notes", jid=CHANNEL, invite_code=CODE, following=True)
    received = ryze.newsletter_post("sales", f"https://whatsapp.com/channel/{CODE}", "Version 2.0 is out")
    assert received["chat"] == CHANNEL and received["chatType"] == "newsletter"
    (envelope,) = ryze.events("sales", "message.exchange")
    schemas.validate_event(envelope)
    assert ryze.messages("sales", chat=CHANNEL)[0]["id"] == received["id"]
    data: dict[str, Any] = envelope["data"]
    return data


def test_a_post_of_a_followed_channel_arrives_as_a_newsletter_chat(sales: MockRyze) -> None:
    data = post_arrives(sales)
    assert data["direction"] == "incoming"
    assert data["chat"] == {"jid": CHANNEL, "name": "Release Notes", "type": "newsletter"}
    assert data["sender"]["jid"].endswith("@lid") and data["message"]["content"] == "Version 2.0 is out"


def test_posts_land_in_the_chat_list_as_a_newsletter_chat(api: CheckedClient, sales: MockRyze) -> None:
    first = post_arrives(sales)
    second = sales.newsletter_post("sales", CHANNEL, "2.0.1 too")
    [chat] = sales.chats("sales")
    assert (chat["jid"], chat["type"], chat["unreadCount"], chat["lastMessageId"]) == (
        CHANNEL, "newsletter", 2, second["id"])
    assert first["id"] != second["id"]
    read = api.post("/api/chat/markChatRead/sales", json={"number": CHANNEL, "read": True})
    assert read.status_code == 200 and sales.chats("sales")[0]["unreadCount"] == 0
    history = api.post("/api/chat/history/sales", json={"number": CHANNEL})
    assert [m["id"] for m in history.json()["messages"]] == [second["id"], first["id"]]


@pytest.mark.ryze(profile="docs")
def test_a_post_in_the_docs_layout(sales: MockRyze) -> None:
    data = post_arrives(sales)
    assert data["message"]["chat"]["type"] == "newsletter"


def test_the_owner_receives_posts_of_other_admins(api: CheckedClient, sales: MockRyze) -> None:
    created = api.post(CREATE, json={"name": "Mine"}).json()["channel"]
    assert sales.newsletter_post("sales", created["jid"])["chatType"] == "newsletter"


def test_a_channel_not_followed_posts_nothing_to_the_instance(api: CheckedClient, sales: MockRyze,
                                                              elsewhere: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as refused:
        sales.newsletter_post("sales", CHANNEL, "hello")
    assert (refused.value.status, refused.value.message) == literals.MOCK_NEWSLETTER_NOT_FOLLOWED
    api.post(JOIN, json={"identifier": CHANNEL})
    leave(api, CHANNEL)
    with pytest.raises(ApiError):
        sales.newsletter_post("sales", CHANNEL, "after leaving")
    assert sales.events("sales", "message.exchange") == []


def test_a_post_needs_a_connected_instance(sales: MockRyze) -> None:
    sales.newsletter("sales", jid=CHANNEL, following=True)
    disconnect(sales)
    with pytest.raises(ApiError) as refused:
        sales.newsletter_post("sales", CHANNEL)
    assert (refused.value.status, refused.value.message) == literals.NOT_CONNECTED
