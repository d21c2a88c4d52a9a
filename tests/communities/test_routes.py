"""The four community routes: create (with its announcement group), link / unlink (partial success,
the 50-subgroup cap), listSubGroups (bare ids get @g.us), and their documented refusals."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.groups.helpers import ALICE, BOB, connected, create, flows, info

CREATE, LINK, UNLINK, SUBGROUPS = ("/api/community/create/sales", "/api/community/link/sales",
                                   "/api/community/unlink/sales", "/api/community/listSubGroups/sales")


@pytest.fixture
def me(ryze: MockRyze) -> str:
    return connected(ryze)


def community(api: CheckedClient, name: str = "Acme Hub", **fields: Any) -> dict[str, Any]:
    response = api.post(CREATE, json={"name": name, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def subgroups(api: CheckedClient, community_jid: str) -> list[tuple[str, bool]]:
    body = api.get(SUBGROUPS, params={"communityJid": community_jid}).json()
    return [(s["jid"], s["isDefaultSubGroup"]) for s in body["subgroups"]]


def test_create_makes_the_parent_and_its_announcement_group(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    support = create(api, "Support")["jid"]
    body = community(api, groupJid=[support, "120363000000000099@g.us"], membershipApprovalMode="request_required",
                     description="All of Acme", image="https://cdn.example/logo.png")
    assert body["isCommunity"] is True and body["imageError"] == ""
    assert body["linkedGroups"] == [support] and body["failedGroups"] == ["120363000000000099@g.us"]
    parent = body["group"]
    assert parent["groupSettings"]["requireAdminApproval"] is True and parent["description"] == "All of Acme"
    listed = api.get(SUBGROUPS, params={"communityJid": parent["jid"]}).json()
    assert listed["message"] == "2 subgroup(s) found" and listed["communityJid"] == parent["jid"]
    assert [(s["name"], s["isDefaultSubGroup"]) for s in listed["subgroups"]] == [("Announcements", True),
                                                                                 ("Support", False)]
    announcements = listed["subgroups"][0]["jid"]
    assert info(api, announcements)["groupSettings"]["membersCanSendMessages"] is False
    assert info(api, support)["communityJid"] == parent["jid"]
    assert info(api, parent["jid"])["isCommunity"] is True
    assert {f["groupJid"] for f in flows(ryze) if f["type"] == "joined"} >= {parent["jid"], announcements}


@pytest.mark.parametrize(("body", "refusal"), [
    ({"name": "A" * 26}, literals.COMMUNITY_NAME_TOO_LONG),
    ({"name": " "}, literals.COMMUNITY_NAME_REQUIRED),
    ({}, literals.COMMUNITY_NAME_REQUIRED),
])
def test_create_refusals(api: CheckedClient, ryze: MockRyze, me: str, body: dict[str, Any],
                         refusal: tuple[int, str]) -> None:
    assert error_of(api.post(CREATE, json=body)) == refusal
    assert ryze.groups("sales") == []


def test_a_name_of_25_characters_is_fine_and_a_bad_image_does_not_abort(api: CheckedClient, me: str) -> None:
    body = community(api, "A" * 25, image="not a picture!")
    assert body["group"]["name"] == "A" * 25 and body["imageError"]


def test_link_and_unlink_report_each_group(api: CheckedClient, me: str) -> None:
    hub = community(api)["group"]["jid"]
    one, two = create(api, "One")["jid"], create(api, "Two")["jid"]
    linked = api.post(LINK, json={"communityJid": hub, "groupJid": [one, "120363000000000099@g.us"]}).json()
    assert linked == {"success": True, "message": "Linked 1 of 2 groups to community", "linked": [one],
                      "failed": ["120363000000000099@g.us"]}
    again = api.post(LINK, json={"communityJid": hub, "groupJid": [one]}).json()
    assert again["success"] is False and again["failed"] == [one]  # already in a community
    api.post(LINK, json={"communityJid": hub, "groupJid": [two]})
    bare = hub.removesuffix("@g.us")
    assert [j for j, _ in subgroups(api, bare)][1:] == [one, two]  # a bare id gets @g.us
    unlinked = api.post(UNLINK, json={"communityJid": hub, "groupJid": [one, two]}).json()
    assert unlinked["message"] == "Unlinked 2 of 2 groups from community"
    assert unlinked["linked"] == [one, two] and unlinked["failed"] == []  # the shared DTO's field name
    announcements = subgroups(api, hub)
    assert [d for _, d in announcements] == [True]
    refused = api.post(UNLINK, json={"communityJid": hub, "groupJid": [announcements[0][0]]}).json()
    assert refused["success"] is False and refused["message"] == "Unlinked 0 of 1 groups from community"


def test_link_needs_admin_of_the_group(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    hub = community(api)["group"]["jid"]
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    assert api.post(LINK, json={"communityJid": hub, "groupJid": [theirs]}).json()["failed"] == [theirs]


def test_a_community_holds_at_most_50_subgroups(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    hub = community(api)["group"]["jid"]
    made = [ryze.create_group("sales", f"G{n}", [ALICE]) for n in range(51)]
    body = api.post(LINK, json={"communityJid": hub, "groupJid": made}).json()
    assert body["linked"] == made[:50] and body["failed"] == made[50:]
    assert len(subgroups(api, hub)) == 51  # the announcement group is not counted


@pytest.mark.parametrize(("body", "refusal"), [
    ({"groupJid": ["120363000000000011@g.us"]}, literals.COMMUNITY_JID_REQUIRED),
    ({"communityJid": "", "groupJid": ["120363000000000011@g.us"]}, literals.COMMUNITY_JID_REQUIRED),
    ({"communityJid": "120363000000000010@g.us"}, literals.GROUP_JID_REQUIRED),
    ({"communityJid": "120363000000000010@g.us", "groupJid": []}, literals.GROUP_JID_REQUIRED),
    ({"communityJid": "120363000000000010@g.us", "groupJid": ["1@g.us"]}, literals.COMMUNITY_NOT_FOUND),
])
@pytest.mark.parametrize("route", [LINK, UNLINK])
def test_link_refusals(api: CheckedClient, me: str, route: str, body: dict[str, Any],
                       refusal: tuple[int, str]) -> None:
    assert error_of(api.post(route, json=body)) == refusal


def test_an_unparsable_community_jid(api: CheckedClient, me: str) -> None:
    status, message = error_of(api.post(LINK, json={"communityJid": "abc@x", "groupJid": ["1@g.us"]}))
    assert status == 400 and message.startswith("error parse community jid: ")
    status, message = error_of(api.get(SUBGROUPS, params={"communityJid": "not a jid"}))
    assert status == 400 and message.startswith("invalid community JID: ")


def test_list_subgroups_refusals_and_unknown_community(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    assert error_of(api.get(SUBGROUPS)) == literals.COMMUNITY_QUERY_REQUIRED
    empty = api.get(SUBGROUPS, params={"communityJid": "120363000000000010"}).json()
    assert empty["communityJid"] == "120363000000000010@g.us" and empty["subgroups"] == []
    assert empty["message"] == "0 subgroup(s) found"


def test_routes_need_a_connected_instance(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    expected = (400, "Instance is not connected to WhatsApp")
    assert error_of(api.post(CREATE, json={"name": "Hub"})) == expected
    assert error_of(api.post(LINK, json={"communityJid": "120363000000000010@g.us", "groupJid": ["1@g.us"]})) == \
        expected
    assert error_of(api.get(SUBGROUPS, params={"communityJid": "120363000000000010"})) == expected


def test_leaving_the_community_leaves_its_subgroups(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    support = create(api, "Support")["jid"]
    hub = community(api, groupJid=[support])["group"]["jid"]
    announcements = subgroups(api, hub)[0][0]
    assert error_of(api.request("DELETE", "/api/group/leave/sales", params={"identifier": announcements})) == \
        literals.LEAVE_NOT_ALLOWED
    assert api.request("DELETE", "/api/group/leave/sales", params={"identifier": hub}).status_code == 200
    assert api.get("/api/group/list/sales").json()["groups"] == []
    assert [f["groupJid"] for f in flows(ryze) if f["type"] == "left"] == [hub, announcements, support]


def test_leaving_the_community_skips_a_subgroup_already_left(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    support, sales = create(api, "Support")["jid"], create(api, "Sales")["jid"]
    hub = community(api, groupJid=[support, sales])["group"]["jid"]
    announcements = subgroups(api, hub)[0][0]
    assert api.request("DELETE", "/api/group/leave/sales", params={"identifier": support}).status_code == 200
    assert api.request("DELETE", "/api/group/leave/sales", params={"identifier": hub}).status_code == 200
    assert [f["groupJid"] for f in flows(ryze) if f["type"] == "left"] == [support, hub, announcements, sales]


def test_create_group_straight_into_a_community(api: CheckedClient, me: str) -> None:
    hub = community(api)["group"]["jid"]
    made = create(api, "Inside", communityJid=hub)
    assert made["jid"] in [j for j, _ in subgroups(api, hub)]
