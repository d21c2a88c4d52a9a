"""The nine group routes through the in-process app: success bodies (schema-checked by the client),
the documented refusals with their literals, identifier forms, and what each change emits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.groups.helpers import (
    ALICE,
    BOB,
    CARLA,
    CREATE,
    GHOST,
    INFO,
    JOIN,
    LEAVE,
    LIST,
    REQUESTS,
    RESET,
    UPDATE,
    act,
    create,
    flows,
    info,
    jid_of,
    roles,
)


# --- create / list / info ------------------------------------------------------------------------
def test_create_makes_the_instance_super_admin_and_applies_the_extras(api: CheckedClient, ryze: MockRyze,
                                                                       me: str) -> None:
    group = create(api, participants=[ALICE, jid_of(BOB), GHOST], description="Daily ops", image="https://x.y/p.jpg",
                   groupSettings={"membersCanSendMessages": False})
    assert group["jid"].endswith("@g.us") and group["groupJid"] == group["jid"]
    assert group["inviteLink"] == f"https://chat.whatsapp.com/{group['inviteCode']}"
    assert group["createdBy"] == me and group["description"] == "Daily ops"
    assert roles(group) == {me: (True, True), jid_of(ALICE): (False, False), jid_of(BOB): (False, False)}
    assert group["participantCount"] == group["memberCount"] == 3  # GHOST is not on WhatsApp: left out
    assert group["groupSettings"]["membersCanSendMessages"] is False
    assert [f["type"] for f in flows(ryze)] == ["joined", "description", "picture", "announce"]
    joined = flows(ryze)[0]
    assert [p["jid"] for p in joined["participants"]] == [me, jid_of(ALICE), jid_of(BOB)]
    assert joined["author"] == me and joined["groupName"] == "Ops"
    assert flows(ryze)[3]["announce"] is True
    assert info(api, group["jid"])["image"].startswith("https://")


@pytest.mark.parametrize(("body", "refusal"), [
    ({"participants": [ALICE]}, literals.GROUP_NAME_REQUIRED),
    ({"name": "  ", "participants": [ALICE]}, literals.GROUP_NAME_REQUIRED),
    ({"name": "Ops"}, literals.GROUP_PARTICIPANTS_REQUIRED),
    ({"name": "Ops", "participants": []}, literals.GROUP_PARTICIPANTS_REQUIRED),
    ({"name": "Ops", "participants": "5511"}, literals.INVALID_BODY),
    ({"name": "Ops", "participants": [ALICE], "communityJid": "120363999999999999@g.us"}, literals.GROUP_NOT_MEMBER),
])
def test_create_refusals_change_nothing(api: CheckedClient, ryze: MockRyze, me: str, body: dict[str, Any],
                                        refusal: tuple[int, str]) -> None:
    assert error_of(api.post(CREATE, json=body)) == refusal
    assert ryze.groups("sales") == [] and flows(ryze) == []


def test_every_route_needs_a_connected_instance(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    expected = literals.GROUP_NOT_CONNECTED
    assert expected == (400, "Instance is not connected to WhatsApp")
    assert error_of(api.post(CREATE, json={"name": "Ops", "participants": [ALICE]})) == expected
    assert error_of(api.get(LIST)) == expected
    assert error_of(api.get(INFO, params={"identifier": "120363000000000001@g.us"})) == expected
    assert error_of(api.post(JOIN, json={"identifier": "AbCdEf123"})) == expected


def test_list_shows_the_groups_the_instance_is_in(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    first = create(api, "One")
    create(api, "Two", [CARLA])
    ryze.create_group("sales", "Elsewhere", [ALICE], creator=BOB, member=False)
    body = api.get(LIST).json()
    assert body["message"] == "2 group(s) found"
    assert [(g["name"], g["memberCount"]) for g in body["groups"]] == [("One", 3), ("Two", 2)]
    assert body["groups"][0]["participants"] == first["participants"]
    lean = api.get(LIST, params={"includeMembers": "false"}).json()["groups"]
    assert all("participants" not in g for g in lean) and lean[0]["groupJid"] == first["jid"]


@pytest.mark.parametrize("form", ["jid", "code", "link"])
def test_info_takes_every_identifier_form(api: CheckedClient, me: str, form: str) -> None:
    group = create(api)
    identifier = {"jid": group["jid"], "code": group["inviteCode"], "link": group["inviteLink"]}[form]
    detail = info(api, identifier)
    assert detail["jid"] == group["jid"] and detail["name"] == "Ops"
    assert all(p["lid"].endswith("@lid") for p in detail["participants"])
    assert detail["isDefaultSubGroup"] is False and detail["metadata"] == {}
    assert "participants" not in info(api, identifier, participants="false")


def test_info_previews_a_group_by_invite_but_not_by_jid(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    outside = ryze.create_group("sales", "Club", [ALICE], creator=BOB, member=False, invite_code="ClubCode12345")
    assert info(api, "ClubCode12345")["jid"] == outside
    assert error_of(api.get(INFO, params={"identifier": outside})) == literals.GROUP_NOT_MEMBER
    for identifier in ("ClubCode12345", "https://chat.whatsapp.com/ClubCode12345"):  # acting needs membership
        assert error_of(api.post(RESET, json={"identifier": identifier})) == literals.GROUP_NOT_MEMBER


@pytest.mark.parametrize("params", [{}, {"identifier": ""}, {"identifier": "  "}])
def test_info_needs_an_identifier(api: CheckedClient, me: str, params: dict[str, str]) -> None:
    assert error_of(api.get(INFO, params=params)) == literals.IDENTIFIER_REQUIRED


@pytest.mark.parametrize("identifier", ["120363000000000099@g.us", "NoSuchCode123", "https://chat.whatsapp.com/Nope12345",
                                        "5511911110001@s.whatsapp.net", "https://example.com/x", "@@"])
def test_unknown_identifiers_are_not_found(api: CheckedClient, me: str, identifier: str) -> None:
    assert error_of(api.get(INFO, params={"identifier": identifier})) == literals.GROUP_NOT_MEMBER
    assert error_of(api.post(RESET, json={"identifier": identifier})) == literals.GROUP_NOT_MEMBER


# --- update --------------------------------------------------------------------------------------
def test_update_changes_only_what_differs_and_says_so(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, description="old")
    before = len(flows(ryze))
    response = api.request("PUT", UPDATE, json={"identifier": group["inviteLink"], "name": "Ops 2", "description": "",
                                                "groupSettings": {"membersCanEditInfo": False,
                                                                  "membersCanAddOthers": False}})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Group updated: name, description, membersCanEditInfo"
    assert body["group"]["name"] == "Ops 2" and body["group"]["description"] == ""
    assert [(f["type"], f["groupName"]) for f in flows(ryze)[before:]] == [
        ("name", "Ops 2"), ("description", "Ops 2"), ("locked", "Ops 2")]
    assert flows(ryze)[-1]["locked"] is True
    assert info(api, group["jid"])["metadata"] == {"nameChangedBy": me, "descriptionChangedBy": me}
    again = api.request("PUT", UPDATE, json={"identifier": group["jid"], "name": "Ops 2"})
    assert again.json()["message"] == "Group updated: nothing changed"
    assert len(flows(ryze)) == before + 3


def test_update_picture_and_remove_image_wins(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    added = api.request("PUT", UPDATE, json={"identifier": group["jid"], "image": "https://cdn.example/a.jpg"})
    assert added.json()["message"] == "Group updated: image"
    picture = info(api, group["jid"])["image"]
    assert re.fullmatch(r"https://pps\.whatsapp\.net/v/t61\.24694-24/\d{8}_\d{15}_n\.jpg", picture), picture
    api.request("PUT", UPDATE, json={"identifier": group["jid"], "image": "https://cdn.example/b.jpg",
                                     "removeImage": True})
    assert info(api, group["jid"])["image"] == ""
    assert [f.get("pictureUrl", "-") for f in flows(ryze) if f["type"] == "picture"][1] is None


def test_create_leaves_out_an_entry_that_names_no_one(api: CheckedClient, me: str) -> None:
    group = create(api, participants=[ALICE, "not a number"])
    assert roles(group) == {me: (True, True), jid_of(ALICE): (False, False)}


def test_a_group_a_contact_created_has_it_as_super_admin(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    club = ryze.create_group("sales", "Club", [ALICE], creator=BOB)
    assert roles(info(api, club)) == {jid_of(BOB): (True, True), me: (False, False), jid_of(ALICE): (False, False)}


def test_a_group_is_created_with_at_most_1024_members(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    club = ryze.create_group("sales", "Club", [f"55119{n:08d}" for n in range(1024)], creator=BOB)
    assert info(api, club)["participantCount"] == 1024  # BOB, the instance and the first 1,022 entries


def test_joining_a_group_already_joined_answers_joined(api: CheckedClient, me: str) -> None:
    group = create(api, groupSettings={"requireAdminApproval": True})
    again = api.post(JOIN, json={"identifier": group["inviteCode"]}).json()
    assert (again["message"], again["requiresApproval"]) == ("Successfully joined group", False)


def test_group_ids_look_like_whatsapps(api: CheckedClient, me: str) -> None:
    for group in (create(api), create(api, name="Ops 2")):
        assert re.fullmatch(r"120363\d{12}@g\.us", group["jid"]), group["jid"]  # 18 digits, as WhatsApp's
        assert re.fullmatch(r"[A-Za-z0-9]{22}", group["inviteCode"]), group["inviteCode"]


def test_a_new_group_has_no_description_and_no_picture(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    assert (group["description"], info(api, group["jid"])["description"]) == ("", "")
    assert info(api, group["jid"])["image"] == ""
    before = len(flows(ryze))
    removed = api.request("PUT", UPDATE, json={"identifier": group["jid"], "removeImage": True})
    assert removed.json()["message"] == "Group updated: nothing changed"  # there was no picture to remove
    assert len(flows(ryze)) == before


def test_update_refusals(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    assert error_of(api.request("PUT", UPDATE, json={"name": "x"})) == literals.IDENTIFIER_REQUIRED
    assert error_of(api.request("PUT", UPDATE, json={"identifier": group["jid"]})) == literals.GROUP_UPDATE_EMPTY
    member_only = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ok = api.request("PUT", UPDATE, json={"identifier": member_only, "description": "members may edit"})
    assert ok.status_code == 200  # membersCanEditInfo is on by default
    refused = api.request("PUT", UPDATE, json={"identifier": member_only,
                                               "groupSettings": {"membersCanEditInfo": False}})
    assert error_of(refused) == literals.UPDATE_NOT_ADMIN


def test_a_plain_member_cannot_edit_locked_info(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ryze.group_member("sales", theirs, me, "promote", author=BOB)
    locked = api.request("PUT", UPDATE, json={"identifier": theirs, "groupSettings": {"membersCanEditInfo": False}})
    assert locked.status_code == 200, locked.text
    ryze.group_member("sales", theirs, me, "demote", author=BOB)
    every = {"name": "Mine", "description": "mine", "image": "https://x.y/p.jpg", "removeImage": True}
    for change in [{key: value} for key, value in every.items()] + [every]:
        assert error_of(api.request("PUT", UPDATE, json={"identifier": theirs, **change})) == literals.UPDATE_NOT_ADMIN


# --- join / resetLink / requests / leave ---------------------------------------------------------
@pytest.mark.parametrize("form", ["code", "link"])
def test_join_by_code_or_link(api: CheckedClient, ryze: MockRyze, me: str, form: str) -> None:
    group = ryze.create_group("sales", "Club", [ALICE], creator=BOB, member=False, invite_code="ClubCode12345")
    identifier = "ClubCode12345" if form == "code" else "https://chat.whatsapp.com/ClubCode12345"
    body = api.post(JOIN, json={"identifier": identifier}).json()
    assert body == {"success": True, "message": "Successfully joined group", "groupJid": group,
                    "requiresApproval": False}
    assert [(f["type"], [p["jid"] for p in f["participants"]]) for f in flows(ryze)] == [("joined", [me])]
    assert api.post(JOIN, json={"identifier": identifier}).json()["groupJid"] == group  # again: same answer
    assert len(flows(ryze)) == 1
    assert roles(info(api, group))[me] == (False, False)


@pytest.mark.parametrize(("identifier", "refusal"), [
    ("120363000000000001@g.us", literals.INVALID_INVITE),  # a JID is never accepted by join
    ("https://example.com/ClubCode12345", literals.INVALID_INVITE),
    ("no spaces allowed", literals.INVALID_INVITE),
    ("UnknownCode99", literals.GROUP_NOT_FOUND),
    ("", literals.IDENTIFIER_REQUIRED),
])
def test_join_refusals(api: CheckedClient, ryze: MockRyze, me: str, identifier: str,
                       refusal: tuple[int, str]) -> None:
    ryze.create_group("sales", "Club", [ALICE], creator=BOB, member=False, invite_code="ClubCode12345",
                      jid="120363000000000001@g.us")
    assert error_of(api.post(JOIN, json={"identifier": identifier})) == refusal
    assert flows(ryze) == []


def test_join_refuses_a_missing_identifier(api: CheckedClient, me: str) -> None:
    assert error_of(api.post(JOIN, json={})) == literals.IDENTIFIER_REQUIRED


def test_reset_link_revokes_the_old_code(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    response = api.post(RESET, json={"identifier": group["inviteCode"]})
    body = response.json()
    assert body["message"] == "Group invite link reset successfully"
    assert body["inviteCode"] != group["inviteCode"] and body["inviteLink"].endswith(body["inviteCode"])
    assert flows(ryze)[-1]["type"] == "invite_link" and flows(ryze)[-1]["inviteLink"] == body["inviteLink"]
    assert info(api, group["jid"])["inviteLink"] == body["inviteLink"]
    api.request("DELETE", LEAVE, params={"identifier": group["jid"]})
    assert error_of(api.post(JOIN, json={"identifier": group["inviteLink"]})) == literals.INVITE_REVOKED
    assert api.post(JOIN, json={"identifier": body["inviteLink"]}).json()["groupJid"] == group["jid"]


def test_reset_link_and_requests_need_an_admin(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    assert error_of(api.post(RESET, json={"identifier": theirs})) == literals.RESET_NOT_ADMIN
    assert error_of(api.get(REQUESTS, params={"identifier": theirs})) == literals.REQUESTS_NOT_ADMIN
    assert error_of(api.post(RESET, json={})) == literals.IDENTIFIER_REQUIRED
    assert error_of(api.get(REQUESTS)) == literals.IDENTIFIER_REQUIRED


def test_join_requests_are_listed_and_approved_or_rejected(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, groupSettings={"requireAdminApproval": True})
    carla = ryze.group_member("sales", group["jid"], CARLA, "request")
    assert carla["requests"] and len(ryze.group("sales", group["jid"])["requests"]) == 1
    ryze.group_member("sales", group["jid"], "5511911110005", "request")
    body = api.get(REQUESTS, params={"identifier": group["jid"]}).json()
    assert body["message"] == "2 pending requests found" and body["meta"] == {"total": 2}
    assert [r["phoneNumber"] for r in body["requests"]] == [jid_of(CARLA), jid_of("5511911110005")]
    assert all(r["jid"].endswith("@lid") for r in body["requests"])
    approved = act(api, "approve", group["jid"], body["requests"][0]["jid"]).json()  # by LID
    assert approved["participants"] == [{"jid": jid_of(CARLA), "success": True}]
    rejected = act(api, "reject", group["jid"], "5511911110005", ALICE).json()  # by phone number
    assert [p["success"] for p in rejected["participants"]] == [True, False]
    assert rejected["participants"][1]["error"] == "no pending join request"
    assert api.get(REQUESTS, params={"identifier": group["jid"]}).json()["requests"] == []
    assert [f["type"] for f in flows(ryze)][-2:] == ["joined", "rejected"]
    assert jid_of(CARLA) in roles(info(api, group["jid"]))


def test_joining_a_group_that_needs_approval_waits(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, groupSettings={"requireAdminApproval": True})
    api.request("DELETE", LEAVE, params={"identifier": group["jid"]})
    before = len(flows(ryze))
    body = api.post(JOIN, json={"identifier": group["inviteCode"]}).json()
    assert body["requiresApproval"] is True and body["groupJid"] == group["jid"]
    assert body["message"] == "Join request sent, waiting for admin approval"
    assert ryze.group("sales", group["jid"])["member"] is False and len(flows(ryze)) == before


def test_leave_makes_the_group_unreachable(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    response = api.request("DELETE", LEAVE, params={"identifier": group["inviteLink"]})
    assert response.json() == {"success": True, "message": "Successfully left the group", "groupJid": group["jid"]}
    assert flows(ryze)[-1]["type"] == "left" and flows(ryze)[-1]["participants"][0]["jid"] == me
    assert error_of(api.request("DELETE", LEAVE, params={"identifier": group["jid"]})) == literals.GROUP_NOT_MEMBER
    assert error_of(api.get(INFO, params={"identifier": group["jid"]})) == literals.GROUP_NOT_MEMBER
    assert api.get(LIST).json()["groups"] == []
    sent = api.post("/api/message/text/sales", json={"number": group["jid"], "message": "hi"})
    assert error_of(sent) == literals.GROUP_NOT_FOUND
    assert error_of(api.request("DELETE", LEAVE)) == literals.IDENTIFIER_REQUIRED


def test_a_request_to_an_open_group_is_a_join(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    joined = ryze.group_member("sales", group["jid"], CARLA, "request")
    assert jid_of(CARLA) in joined["participants"] and joined["requests"] == []
    assert flows(ryze)[-1]["type"] == "joined" and "author" not in flows(ryze)[-1]


def test_an_ephemeral_group_says_so(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = ryze.create_group("sales", "Vanishing", [ALICE], ephemeral=True)
    assert info(api, group)["isEphemeral"] is True
    assert info(api, create(api)["jid"])["isEphemeral"] is False
