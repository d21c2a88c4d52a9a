"""The profile module's 5 routes (``/api/profile/*``), through the in-process app: every response is
checked against its schema by :class:`CheckedClient`.

Own profile and a contact's profile (by every documented number form, one person by phone and LID),
``account`` updates and what follows them (``updatedFields``, the instance list's ``profile`` block,
the sender name of our messages), privacy settings with their documented value sets, and every
refusal with its literal; a refused request changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.core.literals import ErrorLiteral
from mockryze.profile.model import DEFAULT_ABOUT
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

ACCOUNT = "/api/profile/account/sales"
GET_ACCOUNT = "/api/profile/getAccount/sales"
GET_PRIVACY = "/api/profile/getPrivacy/sales"
PRIVACY = "/api/profile/privacy/sales"
ALICE = "5511987654321"
ALICE_JID = f"{ALICE}@s.whatsapp.net"
OWN_NUMBER = "5511911112222"
PICTURE = "https://files.example.org/logo.png"
CDN = "https://pps.whatsapp.net/"

VISIBILITY = ["all", "contacts", "contact_blacklist", "none"]
ALLOWED: dict[tuple[str, str], list[str]] = {  # the documented value sets
    ("visibility", "lastSeen"): VISIBILITY,
    ("visibility", "status"): VISIBILITY,
    ("visibility", "profile"): VISIBILITY,
    ("visibility", "online"): ["all", "match_last_seen"],
    ("privacy", "readReceipts"): ["all", "none"],
    ("permissions", "callAdd"): ["all", "known"],
    ("permissions", "groupAdd"): ["all", "contacts", "contact_blacklist"],
}
ALL_ALL = {"visibility": {"lastSeen": "all", "status": "all", "profile": "all", "online": "all"},
           "privacy": {"readReceipts": "all"}, "permissions": {"callAdd": "all", "groupAdd": "all"}}

Doc = dict[str, Any]


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True, number=OWN_NUMBER)
    return ryze


def profile_of(api: CheckedClient, number: str | None = None) -> Doc:
    response = api.get(GET_ACCOUNT, params={"number": number} if number is not None else None)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["success"], body["message"]) == (True, literals.PROFILE_RETRIEVED)
    found: Doc = body["profile"]
    return found


def privacy_of(api: CheckedClient, path: str = GET_PRIVACY) -> Doc:
    response = api.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == literals.PRIVACY_RETRIEVED
    found: Doc = response.json()["settings"]
    return found


def list_profile(api: CheckedClient) -> Doc:
    [item] = api.get("/api/instance/list", params={"instanceName": "sales"}).json()["instances"]
    found: Doc = item["profile"]
    return found


# --- getAccount -------------------------------------------------------------------------------
def test_own_profile(api: CheckedClient, sales: MockRyze) -> None:
    own = sales.instance("sales")
    profile = profile_of(api)
    assert profile["profilePicture"] is None  # always present, null without a picture
    assert profile["profileName"] == own["pushName"] and profile["profileStatus"] == DEFAULT_ABOUT
    # clients trust `lid` only when `jid` and `phoneNumber` name the same phone
    assert (profile["phoneNumber"], profile["jid"]) == (OWN_NUMBER, f"{OWN_NUMBER}@s.whatsapp.net")
    assert profile["lid"].endswith("@lid")
    assert profile_of(api, "") == profile  # an empty number is no number


def test_own_profile_with_the_instance_token(api: CheckedClient, sales: MockRyze) -> None:
    token = api.get("/api/instance/list").json()["instances"][0]["token"]
    response = api.get(GET_ACCOUNT, token=token)
    assert response.status_code == 200 and response.json()["profile"]["phoneNumber"] == OWN_NUMBER


@pytest.mark.parametrize("form", [ALICE, f"+{ALICE}", "+55 (11) 98765-4321", "55-11-98765-4321", ALICE_JID,
                                  "551187654321"])  # the Brazilian form without the 9th digit
def test_a_contact_by_any_number_form(api: CheckedClient, sales: MockRyze, form: str) -> None:
    alice = sales.contact("sales", ALICE, display_name="Alice Souza")
    profile = profile_of(api, form)
    assert profile == {"profilePicture": None, "profileName": "Alice Souza", "phoneNumber": ALICE,
                       "jid": ALICE_JID, "lid": alice["lid"]}


def test_a_contact_by_its_lid_is_the_same_person(api: CheckedClient, sales: MockRyze) -> None:
    alice = sales.contact("sales", ALICE, display_name="Alice Souza")
    assert profile_of(api, alice["lid"]) == profile_of(api, ALICE)


def test_a_contact_shows_what_the_address_book_knows(api: CheckedClient, sales: MockRyze) -> None:
    picture = "https://pps.whatsapp.net/v/alice.jpg"
    sales.contact("sales", ALICE, display_name="Alice Souza", pushName="Lice", picture=picture)
    assert profile_of(api, ALICE)["profileName"] == "Lice"  # the push name, not the address-book name
    assert profile_of(api, ALICE)["profilePicture"] == picture
    sales.contact("sales", ALICE, businessName="Doces da Alice")  # a business account shows its business name
    assert profile_of(api, ALICE)["profileName"] == "Doces da Alice"
    cleared = sales.client.post("/__mock__/instances/sales/contacts",
                                json={"number": ALICE, "businessName": "", "pushName": "", "picture": None})
    assert cleared.status_code == 200, cleared.text
    assert profile_of(api, ALICE) == profile_of(api, sales.contacts("sales")[0]["lid"])
    assert "profileName" not in profile_of(api, ALICE) and profile_of(api, ALICE)["profilePicture"] is None


def test_a_contact_picture_must_be_an_https_url(sales: MockRyze) -> None:
    response = sales.client.post("/__mock__/instances/sales/contacts",
                                 json={"number": ALICE, "picture": "ftp://x/alice.jpg"})
    assert response.status_code == 400 and sales.contacts("sales") == []


def test_a_number_never_seen_becomes_one_stable_contact(api: CheckedClient, sales: MockRyze) -> None:
    first = profile_of(api, "5521977776666")
    assert first["profileName"] and first["lid"].endswith("@lid") and first["profilePicture"] is None
    assert profile_of(api, "5521977776666") == first
    sent = api.post("/api/message/text/sales", json={"number": "5521977776666", "message": "Oi"})
    assert sent.status_code == 200
    [message] = sales.sent("sales", chat="5521977776666")
    assert message["chat"] == first["jid"]


def test_an_unknown_lid_has_no_phone(api: CheckedClient, sales: MockRyze) -> None:
    profile = profile_of(api, "333333333333333@lid")
    assert profile["lid"] == "333333333333333@lid"
    assert "jid" not in profile and "phoneNumber" not in profile and "profileStatus" not in profile


def test_own_number_is_the_own_profile(api: CheckedClient, sales: MockRyze) -> None:
    own = profile_of(api)
    assert profile_of(api, OWN_NUMBER) == own
    assert profile_of(api, own["lid"]) == own


@pytest.mark.parametrize(("number", "literal"), [
    ("12ab", literals.INVALID_NUMBER),
    ("120363000000000001@g.us", literals.RECIPIENT_NOT_SUPPORTED),
    ("120363000000000002@newsletter", literals.RECIPIENT_NOT_SUPPORTED),
    ("status@broadcast", literals.RECIPIENT_NOT_SUPPORTED),
])
def test_get_account_refuses_what_is_not_a_person(api: CheckedClient, sales: MockRyze, number: str,
                                                  literal: ErrorLiteral) -> None:
    assert error_of(api.get(GET_ACCOUNT, params={"number": number})) == literal


def test_get_account_of_a_contact_not_on_whatsapp(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", ALICE, on_whatsapp=False)
    assert error_of(api.get(GET_ACCOUNT, params={"number": ALICE})) == literals.NOT_ON_WHATSAPP


# --- account ----------------------------------------------------------------------------------
def update(api: CheckedClient, body: Doc) -> list[str]:
    response = api.post(ACCOUNT, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == literals.PROFILE_UPDATED
    fields: list[str] = response.json()["updatedFields"]
    return fields


def test_account_updates_name_and_about(api: CheckedClient, sales: MockRyze) -> None:
    assert update(api, {"profileName": "Loja Centro", "profileStatus": "Seg–Sex 9h–18h"}) == [
        "profileName", "profileStatus"]
    profile = profile_of(api)
    assert (profile["profileName"], profile["profileStatus"]) == ("Loja Centro", "Seg–Sex 9h–18h")
    assert sales.instance("sales")["pushName"] == "Loja Centro"  # one name: the push name
    # the same values again are a no-op; one changed field is reported alone
    assert update(api, {"profileName": "Loja Centro", "profileStatus": "Seg–Sex 9h–18h"}) == []
    assert update(api, {"profileName": "Loja Centro", "profileStatus": ""}) == ["profileStatus"]
    assert profile_of(api)["profileStatus"] == ""


def test_the_instance_list_and_our_messages_follow_the_profile(api: CheckedClient, sales: MockRyze) -> None:
    assert list_profile(api)["pictureUrl"] == ""
    update(api, {"profileName": "Loja Centro", "profilePicture": PICTURE})
    picture = profile_of(api)["profilePicture"]
    assert list_profile(api) == {"name": "Loja Centro", "pictureUrl": picture, "isBusiness": False,
                                 "businessName": ""}
    sent = api.post("/api/message/text/sales", json={"number": ALICE, "message": "Oi"}).json()["data"]
    [event] = [e for e in sales.events("sales", "message.exchange") if e["data"]["id"] == sent["messageId"]]
    assert event["data"]["sender"]["name"] == "Loja Centro"


def test_picture_set_replaced_and_removed(api: CheckedClient, sales: MockRyze) -> None:
    assert update(api, {"profilePicture": PICTURE}) == ["profilePicture"]
    first = profile_of(api)["profilePicture"]
    assert first.startswith(CDN) and first.endswith(".jpg")  # WhatsApp re-hosts it as a JPEG
    assert update(api, {"profilePicture": PICTURE}) == []  # the same upload: no-op
    assert profile_of(api)["profilePicture"] == first
    assert update(api, {"profilePicture": "data:image/png;base64,iVBORw0KGgo="}) == ["profilePicture"]
    second = profile_of(api)["profilePicture"]
    assert second.startswith(CDN) and second != first
    assert update(api, {"profilePicture": ""}) == ["profilePicture"]  # documented: "" removes it
    assert profile_of(api)["profilePicture"] is None and list_profile(api)["pictureUrl"] == ""
    assert update(api, {"profilePicture": ""}) == []  # nothing left to remove


@pytest.mark.parametrize(("body", "literal"), [
    ({}, literals.PROFILE_FIELD_REQUIRED),
    ({"name": "Loja"}, literals.PROFILE_FIELD_REQUIRED),
    ({"profileName": ""}, literals.INVALID_BODY),
    ({"profileName": 5}, literals.INVALID_BODY),
    ({"profileName": None}, literals.INVALID_BODY),
    ({"profileStatus": "x" * 140}, literals.INVALID_BODY),
    ({"profilePicture": "logo.png"}, literals.INVALID_BODY),
    ({"profilePicture": "ftp://files.example.org/logo.png"}, literals.INVALID_BODY),
    ({"profilePicture": "data:text/plain;base64,aGk="}, literals.INVALID_BODY),
    ({"profilePicture": "data:image/png;base64,AAA"}, literals.INVALID_BODY),  # not valid base64
    ({"profileName": "Loja", "profilePicture": "logo.png"}, literals.INVALID_BODY),  # nothing applied
])
def test_account_refusals_change_nothing(api: CheckedClient, sales: MockRyze, body: Doc,
                                         literal: ErrorLiteral) -> None:
    before = profile_of(api)
    assert error_of(api.post(ACCOUNT, json=body)) == literal
    assert profile_of(api) == before


def test_account_refuses_a_body_that_is_not_an_object(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(api.post(ACCOUNT, json=["profileName"])) == literals.INVALID_BODY


# --- privacy ----------------------------------------------------------------------------------
def test_fresh_privacy_is_all_all_and_both_reads_agree(api: CheckedClient, sales: MockRyze) -> None:
    assert privacy_of(api) == ALL_ALL
    assert privacy_of(api, PRIVACY) == ALL_ALL  # the alias


def test_privacy_update_answers_the_complete_snapshot(api: CheckedClient, sales: MockRyze) -> None:
    body = {"visibility": {"lastSeen": "contacts", "online": "match_last_seen"}, "privacy": {"readReceipts": "none"}}
    response = api.post(PRIVACY, json=body)
    assert response.status_code == 200 and response.json()["message"] == literals.PRIVACY_UPDATED
    expected = {"visibility": {"lastSeen": "contacts", "status": "all", "profile": "all", "online": "match_last_seen"},
                "privacy": {"readReceipts": "none"}, "permissions": {"callAdd": "all", "groupAdd": "all"}}
    assert response.json()["settings"] == expected
    assert privacy_of(api) == expected == privacy_of(api, PRIVACY)
    again = api.post(PRIVACY, json={"permissions": {"groupAdd": "contacts"}}).json()["settings"]
    assert again == {**expected, "permissions": {"callAdd": "all", "groupAdd": "contacts"}}


@pytest.mark.parametrize(("group", "key", "value"),
                         [(g, k, v) for (g, k), values in ALLOWED.items() for v in values])
def test_every_documented_privacy_value_is_accepted(api: CheckedClient, sales: MockRyze, group: str, key: str,
                                                    value: str) -> None:
    settings = api.post(PRIVACY, json={group: {key: value}}).json()["settings"]
    assert settings[group][key] == value
    assert privacy_of(api)[group][key] == value


OTHER_VALUES = ["all", "contacts", "contact_blacklist", "none", "match_last_seen", "known", "everyone", "ALL", ""]


@pytest.mark.parametrize(("group", "key", "value"),
                         [(g, k, v) for (g, k), values in ALLOWED.items() for v in OTHER_VALUES if v not in values]
                         + [("visibility", "lastSeen", None), ("privacy", "readReceipts", False)])
def test_privacy_values_outside_their_set_are_refused(api: CheckedClient, sales: MockRyze, group: str, key: str,
                                                      value: Any) -> None:
    valid = {"privacy": {"readReceipts": "none"}} if group != "privacy" else {"permissions": {"callAdd": "known"}}
    body = {**valid, group: {key: value}}  # a valid setting next to the invalid one: nothing is applied
    assert error_of(api.post(PRIVACY, json=body)) == literals.INVALID_BODY
    assert privacy_of(api) == ALL_ALL


@pytest.mark.parametrize("body", [{}, {"visibility": {}}, {"privacy": {"lastSeen": "all"}}, {"settings": ALL_ALL}])
def test_privacy_update_without_a_setting(api: CheckedClient, sales: MockRyze, body: Doc) -> None:
    assert error_of(api.post(PRIVACY, json=body)) == literals.PRIVACY_SETTING_REQUIRED
    assert privacy_of(api) == ALL_ALL


@pytest.mark.parametrize("body", [{"visibility": "all"}, {"permissions": ["known"]}])
def test_privacy_sub_objects_must_be_objects(api: CheckedClient, sales: MockRyze, body: Doc) -> None:
    assert error_of(api.post(PRIVACY, json=body)) == literals.INVALID_BODY


# --- not connected ----------------------------------------------------------------------------
ROUTES: list[tuple[str, str, Doc | None]] = [
    ("POST", ACCOUNT, {"profileName": "Loja"}),
    ("GET", GET_ACCOUNT, None),
    ("GET", f"{GET_ACCOUNT}?number={ALICE}", None),
    ("GET", GET_PRIVACY, None),
    ("GET", PRIVACY, None),
    ("POST", PRIVACY, {"privacy": {"readReceipts": "none"}}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("state", ["never-connected", "disconnected", "logged_out"])
def test_refused_while_not_connected(api: CheckedClient, ryze: MockRyze, method: str, path: str,
                                     body: Doc | None, state: str) -> None:
    ryze.create_instance("sales", connected=state != "never-connected")
    if state != "never-connected":
        ryze.set_state("sales", state)
    assert error_of(api.request(method, path, json=body)) == literals.PROFILE_NOT_CONNECTED
    assert literals.PROFILE_NOT_CONNECTED == (400, "Instance is not connected to WhatsApp")  # the profile pages: 400


def test_profile_and_privacy_survive_a_reconnect(api: CheckedClient, sales: MockRyze) -> None:
    update(api, {"profileStatus": "Fechado"})
    api.post(PRIVACY, json={"visibility": {"status": "none"}})
    sales.set_state("sales", "disconnected")
    sales.set_state("sales", "connected")
    assert profile_of(api)["profileStatus"] == "Fechado"
    assert privacy_of(api)["visibility"]["status"] == "none"


# --- what the settings change elsewhere --------------------------------------------------------
def read_receipts_of_a_send(api: CheckedClient, sales: MockRyze) -> list[str]:
    sent = api.post("/api/message/text/sales", json={"number": ALICE, "message": "Oi"}).json()["data"]["messageId"]
    sales.advance(60)
    return [e["data"]["status"] for e in sales.events("sales", "message.status") if sent in e["data"]["messageIds"]]


def test_read_receipts_off_hides_the_others_read_receipts(api: CheckedClient, sales: MockRyze) -> None:
    assert read_receipts_of_a_send(api, sales) == ["delivered", "read"]
    api.post(PRIVACY, json={"privacy": {"readReceipts": "none"}})
    assert read_receipts_of_a_send(api, sales) == ["delivered"]  # documented: reciprocity
    api.post(PRIVACY, json={"privacy": {"readReceipts": "all"}})
    assert read_receipts_of_a_send(api, sales) == ["delivered", "read"]
