"""Group traffic through the messages module: sends to a group JID, inbound group messages from the
control plane (a participant only, a group the instance is in only), mentions checked against members."""

from __future__ import annotations

import pytest

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.groups.helpers import ALICE, BOB, CARLA, LEAVE, create, jid_of

TEXT = "/api/message/text/sales"


@pytest.fixture
def me(ryze: MockRyze) -> str:
    ryze.create_instance("sales", connected=True)
    return str(ryze.instance("sales")["numberJid"])


def test_a_send_to_a_group_carries_its_type_and_name(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    data = api.post(TEXT, json={"number": group, "message": "hi @5511911110001", "mention": [ALICE]}).json()["data"]
    assert data["chat"] == {"jid": group, "groupName": "Squad"} and data["mentions"] == [ALICE]
    exchange = ryze.events("sales", "message.exchange")[-1]["data"]
    assert exchange["chat"] == {"jid": group, "name": "Squad", "type": "group"}


def test_mentions_must_be_participants(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    before = ryze.events("sales", "message.exchange")
    refused = api.post(TEXT, json={"number": group, "message": "hi", "mention": [ALICE, CARLA]})
    assert error_of(refused) == literals.MENTION_NOT_PARTICIPANT
    assert ryze.events("sales", "message.exchange") == before and ryze.sent("sales") == []
    assert api.post(TEXT, json={"number": group, "message": "me", "mention": [me]}).status_code == 200


def test_inbound_group_messages_come_from_a_participant(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, "Squad")["jid"]
    received = ryze.inbound("sales", from_=BOB, group=group, text="oi")
    assert received is not None and received["chat"] == group and received["sender"] == jid_of(BOB)
    event = ryze.events("sales", "message.exchange")[-1]["data"]
    assert event["sender"]["lid"].endswith("@lid") and event["chat"]["type"] == "group"
    with pytest.raises(ApiError) as refused:
        ryze.inbound("sales", from_=CARLA, group=group, text="not a member")
    assert refused.value.status == 400
    api.request("DELETE", LEAVE, params={"identifier": group})
    with pytest.raises(ApiError) as gone:
        ryze.inbound("sales", from_=BOB, group=group, text="after leave")
    assert (gone.value.status, gone.value.message) == literals.GROUP_NOT_FOUND


def test_an_announcement_group_takes_sends_from_admins_only(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "News", [ALICE], creator=BOB)
    assert api.post(TEXT, json={"number": theirs, "message": "open"}).status_code == 200
    ryze.group_member("sales", theirs, me, "promote")
    api.request("PUT", "/api/group/update/sales", json={"identifier": theirs,
                                                         "groupSettings": {"membersCanSendMessages": False}})
    assert api.post(TEXT, json={"number": theirs, "message": "admin"}).status_code == 200
    ryze.group_member("sales", theirs, me, "demote", author=BOB)
    assert error_of(api.post(TEXT, json={"number": theirs, "message": "no"})) == literals.ADMINS_ONLY_SEND
