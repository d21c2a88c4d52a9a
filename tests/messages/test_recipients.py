"""Recipient normalisation of the send pipeline, through ``POST /api/message/text/:instance``.

Every accepted spelling of a recipient ends up as one canonical chat JID (``data.chat.jid``) and one
stored contact; the refusals carry the catalog literals. A refused send stores and emits nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockryze.core import jid, literals
from mockryze.messages import model
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

TEXT = "/api/message/text/sales"
REACTION = "/api/message/reaction/sales"
MESSAGES = "/__mock__/instances/sales/messages"

PHONE = "5511987654321@s.whatsapp.net"  # a Brazilian mobile, stored with its 9th digit
GROUP = "120363000000000001@g.us"
LEGACY_GROUP = "5511987654321-1587654321@g.us"
CHANNEL = "120363000000000002@newsletter"
LID = "204918273645510@lid"
UNKNOWN_ID = "3EB0" + "0123456789ABCDEF"


@pytest.fixture
def sales(ryze: MockRyze) -> MockRyze:
    ryze.create_instance("sales", connected=True)
    ryze.create_group("sales", "Equipe", ["5511911112222", "5511933334444"], jid=GROUP)
    ryze.create_group("sales", "Antigo", ["5511911112222"], jid=LEGACY_GROUP)
    return ryze


def send(api: CheckedClient, number: str, **fields: Any) -> httpx.Response:
    return api.post(TEXT, json={"number": number, "message": "Olá!", **fields})


def sent_chat(api: CheckedClient, number: str, **fields: Any) -> dict[str, Any]:
    response = send(api, number, **fields)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == literals.MESSAGE_SENT
    data: dict[str, Any] = body["data"]
    return data


def stored(api: CheckedClient) -> list[dict[str, Any]]:
    response = api.get(MESSAGES)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["messages"]
    return found


def exchanges(ryze: MockRyze) -> list[dict[str, Any]]:
    return [e["data"] for e in ryze.events("sales", "message.exchange")]


# --- accepted forms -----------------------------------------------------------------------------

ACCEPTED: list[tuple[str, str]] = [
    ("5511987654321", PHONE),
    ("+5511987654321", PHONE),
    ("+55 (11) 98765-4321", PHONE),
    ("55 11 98765.4321", PHONE),
    ("  5511987654321  ", PHONE),
    ("551187654321", PHONE),  # without the Brazilian 9th digit
    ("+55 (11) 8765-4321", PHONE),
    ("5511987654321@s.whatsapp.net", PHONE),
    ("551187654321@s.whatsapp.net", PHONE),
    ("5511987654321:12@s.whatsapp.net", PHONE),  # a device suffix is not part of the chat
    ("551123456789", "551123456789@s.whatsapp.net"),  # a landline has no 9th-digit twin
    ("+1 (415) 555-0100", "14155550100@s.whatsapp.net"),
    ("14155550100@s.whatsapp.net", "14155550100@s.whatsapp.net"),
    (LID, LID),
    ("204918273645510:57@lid", LID),
    (GROUP, GROUP),
    (LEGACY_GROUP, LEGACY_GROUP),
    (CHANNEL, CHANNEL),
]


@pytest.mark.parametrize(("number", "chat_jid"), ACCEPTED)
def test_accepted_recipient_forms(api: CheckedClient, sales: MockRyze, number: str, chat_jid: str) -> None:
    data = sent_chat(api, number)
    assert data["chat"]["jid"] == chat_jid
    [message] = stored(api)
    assert message["chat"] == chat_jid
    assert message["id"] == data["messageId"]
    [event] = exchanges(sales)
    assert event["chat"]["jid"] == chat_jid
    assert event["id"] == data["messageId"]


@pytest.mark.parametrize(("number", "chat_type"), [
    ("5511987654321", "private"), (LID, "private"), (GROUP, "group"), (CHANNEL, "newsletter"),
])
def test_chat_type_follows_the_recipient_kind(api: CheckedClient, sales: MockRyze, number: str,
                                              chat_type: str) -> None:
    sent_chat(api, number)
    [message] = stored(api)
    assert message["chatType"] == chat_type
    [event] = exchanges(sales)
    assert event["chat"]["type"] == chat_type


def test_group_send_names_the_group(api: CheckedClient, sales: MockRyze) -> None:
    data = sent_chat(api, GROUP)
    assert data["chat"] == {"jid": GROUP, "groupName": "Equipe"}
    [event] = exchanges(sales)
    assert event["chat"]["name"] == "Equipe"
    assert event["recipient"] is None  # a group message has no single recipient
    assert "mentions" not in event  # nobody is mentioned unless asked


def test_private_send_has_no_group_name(api: CheckedClient, sales: MockRyze) -> None:
    data = sent_chat(api, "5511987654321")
    assert data["chat"] == {"jid": PHONE}
    [event] = exchanges(sales)
    assert event["recipient"]["jid"] == PHONE  # a private message's recipient is its chat


@pytest.mark.parametrize("variants", [
    ("5511987654321", "551187654321"),
    ("551187654321@s.whatsapp.net", "+55 (11) 98765-4321"),
    ("5511987654321:3@s.whatsapp.net", "551187654321"),
])
def test_brazilian_variants_reach_one_chat_and_one_contact(api: CheckedClient, sales: MockRyze,
                                                           variants: tuple[str, str]) -> None:
    first, second = (sent_chat(api, v) for v in variants)
    assert first["chat"]["jid"] == second["chat"]["jid"] == PHONE
    a, b = exchanges(sales)
    assert a["chat"] == b["chat"]  # same JID, same LID, same (Faker) name: one stored contact
    assert a["recipient"] == b["recipient"]
    assert a["chat"]["lid"].endswith("@lid")
    assert sales.world.default_account.instances["sales"].contacts.keys() >= {PHONE}
    assert not any(k.startswith("551187654321") for k in sales.world.default_account.instances["sales"].contacts)
    assert [m["id"] for m in sales.messages("sales", chat="551187654321")] == [first["messageId"],
                                                                               second["messageId"]]


def test_contact_set_up_with_one_variant_is_found_with_the_other(api: CheckedClient, sales: MockRyze) -> None:
    response = api.post("/__mock__/instances/sales/contacts", json={"number": "551187654321", "name": "Ana Souza"})
    assert response.status_code == 200, response.text
    contact = response.json()["contact"]
    assert contact["jid"] == PHONE
    sent_chat(api, "+55 11 98765-4321")
    [event] = exchanges(sales)
    assert event["chat"] == {"jid": PHONE, "lid": contact["lid"], "name": "Ana Souza", "type": "private"}


def test_lid_recipient_has_no_phone_and_keeps_its_lid(api: CheckedClient, sales: MockRyze) -> None:
    sent_chat(api, LID)
    [event] = exchanges(sales)
    assert event["chat"]["jid"] == LID
    assert event["chat"]["lid"] == LID


# --- refused forms ------------------------------------------------------------------------------

INVALID: list[str] = [
    "abc",
    "   ",
    "0511987654321",  # trunk prefix
    "005511987654321",  # international prefix
    "1234567",  # 7 digits
    "1234567890123456",  # 16 digits
    "+55+11987654321",
    "55_11_98765_4321",
    "٥٥١١٩٨٧٦٥٤٣٢١",  # not ASCII digits
    "5511987654321@c.us",
    "5511987654321@S.WHATSAPP.NET",
    "+5511987654321@s.whatsapp.net",
    "55 11 98765-4321@s.whatsapp.net",
    "a@b@s.whatsapp.net",
    "5511987654321:012@s.whatsapp.net",
    "5511987654321:99999@s.whatsapp.net",
    "120363000000000001:3@g.us",
    "0123@g.us",
    "abc@newsletter",
    "0204918273645510@lid",
    "other@broadcast",
    "@s.whatsapp.net",
]


@pytest.mark.parametrize("number", INVALID)
def test_invalid_recipient_forms_are_refused(api: CheckedClient, sales: MockRyze, number: str) -> None:
    assert error_of(send(api, number)) == literals.INVALID_NUMBER
    assert stored(api) == []
    assert exchanges(sales) == []


def test_status_broadcast_is_not_a_text_recipient(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(send(api, "status@broadcast")) == literals.RECIPIENT_NOT_SUPPORTED
    assert stored(api) == []


@pytest.mark.parametrize("number", ["120363999999999999@g.us", "5511900000000-1500000000@g.us"])
def test_unknown_group_is_404(api: CheckedClient, sales: MockRyze, number: str) -> None:
    assert error_of(send(api, number)) == literals.GROUP_NOT_FOUND
    assert stored(api) == []
    assert exchanges(sales) == []


def test_group_of_another_instance_is_404(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_instance("support", connected=True)
    other = sales.create_group("support", "Suporte", ["5511911112222"])
    assert error_of(send(api, other)) == literals.GROUP_NOT_FOUND


@pytest.mark.parametrize(("registered_as", "addressed_as"), [
    ("5511987654321", "5511987654321"),
    ("5511987654321", "551187654321"),
    ("551187654321", "+55 (11) 98765-4321"),
    ("551187654321", "5511987654321:7@s.whatsapp.net"),
    (LID, LID),
])
def test_contact_not_on_whatsapp_is_refused(api: CheckedClient, sales: MockRyze, registered_as: str,
                                            addressed_as: str) -> None:
    response = api.post("/__mock__/instances/sales/contacts", json={"number": registered_as, "onWhatsApp": False})
    assert response.status_code == 200, response.text
    assert response.json()["contact"]["onWhatsApp"] is False
    assert error_of(send(api, addressed_as)) == literals.NOT_ON_WHATSAPP
    assert stored(api) == []
    assert exchanges(sales) == []


def test_contact_back_on_whatsapp_can_be_reached(api: CheckedClient, sales: MockRyze) -> None:
    sales.contact("sales", "5511987654321", on_whatsapp=False)
    assert error_of(send(api, "5511987654321")) == literals.NOT_ON_WHATSAPP
    sales.contact("sales", "551187654321", on_whatsapp=True)
    assert sent_chat(api, "5511987654321")["chat"]["jid"] == PHONE


def test_reaction_to_a_newsletter_is_not_supported(api: CheckedClient, sales: MockRyze) -> None:
    target = sent_chat(api, "5511987654321")["messageId"]
    response = api.post(REACTION, json={"number": CHANNEL, "messageId": target, "reaction": "👍"})
    assert error_of(response) == literals.RECIPIENT_NOT_SUPPORTED
    assert [m["id"] for m in stored(api)] == [target]
    assert len(exchanges(sales)) == 1


def test_the_send_routes_name_only_known_recipient_kinds() -> None:
    known = set(jid.KIND_BY_SERVER.values())
    for kinds in (model.SEND_KINDS, model.REACTION_KINDS, model.STORY_KINDS, model.GROUP_KINDS):
        assert kinds <= known


def test_text_to_a_newsletter_is_supported(api: CheckedClient, sales: MockRyze) -> None:
    assert sent_chat(api, CHANNEL)["chat"] == {"jid": CHANNEL}


@pytest.mark.parametrize("number", ["5511987654321", LID, CHANNEL])
@pytest.mark.parametrize("fields", [{"mention": ["5511911112222"]}, {"mentionAll": True}])
def test_mentions_outside_a_group_are_refused(api: CheckedClient, sales: MockRyze, number: str,
                                              fields: dict[str, Any]) -> None:
    assert error_of(send(api, number, **fields)) == literals.MENTIONS_GROUP_ONLY
    assert stored(api) == []
    assert exchanges(sales) == []


def test_mentions_in_a_group_are_normalised(api: CheckedClient, sales: MockRyze) -> None:
    for member in ("+55 (11) 3333-4444", "551187654321", "204918273645510@lid"):  # mentions name members
        sales.group_member("sales", GROUP, member, "join")
    data = sent_chat(api, GROUP, mention=["+55 (11) 3333-4444", "551187654321", "204918273645510@lid"])
    assert data["mentions"] == ["551133334444", "5511987654321", LID]
    [event] = exchanges(sales)
    assert event["mentions"] == {"mentionedUsers": ["551133334444@s.whatsapp.net", PHONE, LID]}


def test_mention_all_mentions_every_participant(api: CheckedClient, sales: MockRyze) -> None:
    data = sent_chat(api, GROUP, mentionAll=True)
    assert data["mentions"] == ["5511911112222", "5511933334444"]


def test_unknown_reply_to_is_404(api: CheckedClient, sales: MockRyze) -> None:
    assert error_of(send(api, "5511987654321", replyTo=UNKNOWN_ID)) == literals.MESSAGE_NOT_FOUND
    assert stored(api) == []
    assert exchanges(sales) == []


def test_reply_to_a_message_of_another_instance_is_404(api: CheckedClient, sales: MockRyze) -> None:
    sales.create_instance("support", connected=True)
    other = sales.inbound("support", from_="5511987654321", text="oi")
    assert other is not None
    assert error_of(send(api, "5511987654321", replyTo=other["id"])) == literals.MESSAGE_NOT_FOUND


def test_reply_quotes_the_stored_message(api: CheckedClient, sales: MockRyze) -> None:
    quoted = sales.inbound("sales", from_="5511987654321", text="Qual o horário?")
    assert quoted is not None
    data = sent_chat(api, "551187654321", replyTo=quoted["id"])
    assert data["replyTo"] == quoted["id"]
    assert data["chat"]["jid"] == PHONE
    event = exchanges(sales)[-1]
    assert event["message"]["context"] == {"message_id": quoted["id"], "text": "Qual o horário?"}


def test_reply_private_to_an_incoming_group_message_goes_to_the_author(api: CheckedClient,
                                                                       sales: MockRyze) -> None:
    quoted = sales.inbound("sales", from_="5511933334444", group=GROUP, text="Alguém aí?", pushName="Bia")
    assert quoted is not None
    data = sent_chat(api, GROUP, replyTo=quoted["id"], replyPrivate=True)
    author = "5511933334444@s.whatsapp.net"
    assert data["chat"] == {"jid": author}
    assert data["replyTo"] == quoted["id"]
    [mine] = sales.sent("sales")
    assert (mine["chat"], mine["chatType"]) == (author, "private")
    event = exchanges(sales)[-1]
    assert event["chat"]["jid"] == author
    assert event["chat"]["name"] == "Bia"
    assert event["recipient"]["jid"] == author
    assert event["message"]["context"]["message_id"] == quoted["id"]


def test_reply_private_without_a_group_quote_stays_in_the_chat(api: CheckedClient, sales: MockRyze) -> None:
    private = sales.inbound("sales", from_="5511933334444", text="oi")
    assert private is not None
    assert sent_chat(api, "5511933334444", replyTo=private["id"], replyPrivate=True)["chat"] == {
        "jid": "5511933334444@s.whatsapp.net"}
    ours = sent_chat(api, GROUP)
    assert sent_chat(api, GROUP, replyTo=ours["messageId"], replyPrivate=True)["chat"]["jid"] == GROUP


def test_reply_private_false_stays_in_the_group(api: CheckedClient, sales: MockRyze) -> None:
    quoted = sales.inbound("sales", from_="5511933334444", group=GROUP, text="Alguém aí?")
    assert quoted is not None
    assert sent_chat(api, GROUP, replyTo=quoted["id"])["chat"]["jid"] == GROUP


@pytest.mark.parametrize(("number", "detail"), [
    ("5511987654321@c.us",
     "unknown server 'c.us' (known: @s.whatsapp.net, @lid, @g.us, @newsletter, @broadcast)"),
    ("1234567", "a phone number has 8-15 digits, this one has 7"),
    ("other@broadcast", "only 'status@broadcast' is accepted"),
])
def test_a_refused_recipient_says_why_in_the_detail_header(api: CheckedClient, sales: MockRyze, number: str,
                                                           detail: str) -> None:
    response = send(api, number)
    assert error_of(response) == literals.INVALID_NUMBER
    assert response.headers["X-Mockryze-Detail"] == detail
