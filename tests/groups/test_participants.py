"""POST /api/group/participants: who may do what, per-item results (partial success), and one
group.flow per call naming exactly the participants that changed."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of
from tests.groups.helpers import (
    ALICE,
    BOB,
    CARLA,
    DIEGO,
    GHOST,
    PARTICIPANTS,
    act,
    create,
    flows,
    info,
    jid_of,
    roles,
)


def test_partial_success_is_200_with_one_result_per_entry(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    before = len(flows(ryze))
    response = act(api, "add", group["jid"], CARLA, GHOST)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Participants updated: 1 of 2"
    assert body["participants"] == [{"jid": jid_of(CARLA), "success": True},
                                    {"jid": jid_of(GHOST), "success": False, "error": "not on WhatsApp"}]
    assert [(f["type"], [p["jid"] for p in f["participants"]]) for f in flows(ryze)[before:]] == [
        ("joined", [jid_of(CARLA)])]
    assert jid_of(GHOST) not in roles(info(api, group["jid"]))


def test_per_item_reasons(api: CheckedClient, me: str) -> None:
    group = create(api)
    results = act(api, "add", group["jid"], ALICE, "not-a-number", me).json()["participants"]
    assert [(r["success"], r.get("error")) for r in results] == [
        (False, "already a member"), (False, "invalid number"),
        (False, "cannot act on the instance itself (use leave)")]
    assert act(api, "remove", group["jid"], CARLA).json()["participants"][0]["error"] == "not a member"
    assert act(api, "demote", group["jid"], ALICE).json()["participants"][0]["error"] == "not an admin"
    act(api, "promote", group["jid"], ALICE)
    assert act(api, "promote", group["jid"], ALICE).json()["participants"][0]["error"] == "already an admin"


def test_more_per_item_reasons(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    results = act(api, "add", group["jid"], me, CARLA).json()["participants"]
    assert [(r["success"], r.get("error")) for r in results] == [
        (False, "cannot act on the instance itself (use leave)"), (True, None)]  # the entry after is still done
    for action in ("promote", "demote"):
        assert act(api, action, group["jid"], DIEGO).json()["participants"][0]["error"] == "not a member"


def test_a_plain_admin_removes_members_but_not_a_super_admin(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ryze.group_member("sales", theirs, me, "promote", author=BOB)
    results = act(api, "remove", theirs, ALICE, BOB).json()["participants"]
    assert [(r["success"], r.get("error")) for r in results] == [(True, None), (False, "cannot remove a super admin")]


def test_adding_to_a_full_group(api: CheckedClient, me: str) -> None:
    group = create(api, participants=[f"55119{n:08d}" for n in range(1023)])  # with the instance: 1,024
    results = act(api, "add", group["jid"], CARLA).json()["participants"]
    assert [(r["success"], r.get("error")) for r in results] == [(False, "group is full")]


def test_the_control_plane_cannot_demote_the_creator(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    refused = ryze.client.post(f"/__mock__/instances/sales/groups/{theirs}/members",
                               json={"number": BOB, "action": "demote"}, headers={"token": ryze.account_token})
    assert error_of(refused) == (400, "Invalid request body: cannot demote the group creator")
    assert roles(info(api, theirs))[jid_of(BOB)] == (True, True)


def test_a_demoted_member_loses_both_roles_and_the_creator_is_the_default_author(api: CheckedClient, ryze: MockRyze,
                                                                                 me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ryze.group_member("sales", theirs, ALICE, "promote")
    assert flows(ryze)[-1]["author"] == jid_of(BOB)  # no author named: the group's creator acts
    ryze.group_member("sales", theirs, ALICE, "demote")
    assert roles(info(api, theirs))[jid_of(ALICE)] == (False, False)


def test_approving_without_a_request_or_into_a_full_group(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api, participants=[f"55119{n:08d}" for n in range(1023)],
                   groupSettings={"requireAdminApproval": True})
    assert act(api, "approve", group["jid"], CARLA).json()["participants"][0]["error"] == "no pending join request"
    ryze.group_member("sales", group["jid"], CARLA, "request")
    assert act(api, "approve", group["jid"], CARLA).json()["participants"][0]["error"] == "group is full"


def test_a_contact_asks_once_and_the_creator_may_leave(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ryze.group_member("sales", theirs, me, "promote", author=BOB)
    api.request("PUT", "/api/group/update/sales", json={"identifier": theirs,
                                                         "groupSettings": {"requireAdminApproval": True}})
    ryze.group_member("sales", theirs, CARLA, "request")
    again = ryze.client.post(f"/__mock__/instances/sales/groups/{theirs}/members",
                             json={"number": CARLA, "action": "request"}, headers={"token": ryze.account_token})
    assert error_of(again) == (400, "Invalid request body: already a member or already waiting")
    ryze.group_member("sales", theirs, BOB, "leave")  # the creator, a super admin, leaves his own group
    assert jid_of(BOB) not in roles(info(api, theirs))


def member_verb(ryze: MockRyze, group: str, number: str, action: str) -> tuple[int, Any]:
    """``POST /__mock__/…/members``: the status, and the instance's admin flag (or the refusal's text)."""
    response = ryze.client.post(f"/__mock__/instances/sales/groups/{group}/members",
                                json={"number": number, "action": action}, headers={"token": ryze.account_token})
    return response.status_code, response.json()["group"]["admin"] if response.status_code == 200 else error_of(
        response)[1]


def test_others_change_the_instances_own_membership(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    club = ryze.create_group("sales", "Club", [ALICE], creator=BOB, member=False, invite_code="ClubCode12345")
    seen = []
    for action in ("join", "join", "promote", "promote", "demote", "demote", "request", "leave", "leave"):
        status, shown = member_verb(ryze, club, me, action)
        seen.append((action, status, shown if status != 200 else (shown, ryze.group("sales", club)["member"])))
    cannot = "Invalid request body: the instance cannot {} here"
    assert seen == [
        ("join", 200, (False, True)), ("join", 400, cannot.format("join")),
        ("promote", 200, (True, True)), ("promote", 400, cannot.format("promote")),
        ("demote", 200, (False, True)), ("demote", 400, cannot.format("demote")),
        ("request", 400, cannot.format("request")),
        ("leave", 200, (False, False)), ("leave", 400, cannot.format("leave"))]
    own = [(f["type"], f["author"], [p["jid"] for p in f["participants"]]) for f in flows(ryze)]
    assert own == [(kind, jid_of(BOB), [me]) for kind in ("joined", "promoted", "demoted", "left")]
    mine = create(api)
    assert member_verb(ryze, mine["jid"], me, "demote") == (400, cannot.format("demote"))  # no creator above it
    assert member_verb(ryze, mine["jid"], "not-a-number", "join") == (400, "Invalid number format")


def test_what_contacts_do_is_told_by_group_flow(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE, CARLA], creator=BOB)
    before = len(flows(ryze))
    ryze.group_member("sales", theirs, ALICE, "promote")
    ryze.group_member("sales", theirs, ALICE, "demote")
    ryze.group_member("sales", theirs, CARLA, "leave")
    assert member_verb(ryze, theirs, CARLA, "leave") == (400, "Invalid request body: not a member")
    assert [(f["type"], f["author"]) for f in flows(ryze)[before:]] == [
        ("promoted", jid_of(BOB)), ("demoted", jid_of(BOB)), ("left", jid_of(CARLA))]


def test_a_creator_who_left_and_came_back_is_a_plain_member(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    for action in ("leave", "join", "promote", "demote"):
        ryze.group_member("sales", theirs, BOB, action)  # demoting him is no longer refused
    assert roles(info(api, theirs))[jid_of(BOB)] == (False, False)


def test_a_non_admin_instance_cannot_add_or_remove(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    before = ryze.group("sales", theirs)
    for action in ("add", "remove", "approve", "reject"):
        refused = act(api, action, theirs, CARLA)
        assert error_of(refused) == literals.PARTICIPANTS_NOT_ADMIN
        assert error_of(refused) == (403, "Not authorized to manage group participants (must be admin)")
    assert ryze.group("sales", theirs) == before


def test_members_may_add_when_the_group_allows_it(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE], creator=BOB)
    ryze.group_member("sales", theirs, me, "promote")  # an admin now: may change settings
    api.request("PUT", "/api/group/update/sales", json={"identifier": theirs,
                                                         "groupSettings": {"membersCanAddOthers": True}})
    ryze.group_member("sales", theirs, me, "demote", author=BOB)
    assert ryze.group("sales", theirs)["admin"] is False
    assert act(api, "add", theirs, CARLA).json()["participants"][0]["success"] is True
    assert error_of(act(api, "remove", theirs, CARLA)) == literals.PARTICIPANTS_NOT_ADMIN


def test_only_a_super_admin_promotes_or_demotes(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    theirs = ryze.create_group("sales", "Theirs", [ALICE, CARLA], creator=BOB)
    ryze.group_member("sales", theirs, me, "promote")  # admin, not super-admin
    assert ryze.group("sales", theirs)["admin"] is True and ryze.group("sales", theirs)["superAdmin"] is False
    for action in ("promote", "demote"):
        assert error_of(act(api, action, theirs, ALICE)) == literals.PARTICIPANTS_NOT_SUPER_ADMIN
    assert act(api, "add", theirs, DIEGO).json()["participants"][0]["success"] is True  # admin may add
    assert act(api, "remove", theirs, BOB).json()["participants"][0]["error"] == "cannot remove a super admin"


def test_the_creator_stays_super_admin(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    act(api, "promote", group["jid"], ALICE)
    assert roles(info(api, group["jid"]))[jid_of(ALICE)] == (True, False)
    assert act(api, "demote", group["jid"], me).json()["participants"][0]["success"] is False
    assert roles(info(api, group["jid"]))[me] == (True, True)


def test_lids_name_the_same_person(api: CheckedClient, me: str) -> None:
    group = create(api)
    alice_lid = next(p["lid"] for p in info(api, group["jid"])["participants"] if p["jid"] == jid_of(ALICE))
    assert act(api, "promote", group["jid"], alice_lid).json()["participants"] == [
        {"jid": jid_of(ALICE), "success": True}]


def test_bad_requests(api: CheckedClient, me: str) -> None:
    group = create(api)
    assert error_of(api.post(PARTICIPANTS, json={"action": "kick", "identifier": group["jid"],
                                                 "participants": [ALICE]})) == literals.INVALID_BODY
    assert error_of(api.post(PARTICIPANTS, json={"action": "add", "identifier": group["jid"]})) == \
        literals.GROUP_PARTICIPANTS_REQUIRED
    assert error_of(act(api, "add", group["jid"])) == literals.GROUP_PARTICIPANTS_REQUIRED
    assert error_of(api.post(PARTICIPANTS, json={"action": "add", "participants": [ALICE]})) == \
        literals.IDENTIFIER_REQUIRED
    assert error_of(act(api, "add", "120363000000000099@g.us", ALICE)) == literals.GROUP_NOT_MEMBER


def test_one_event_per_call_names_every_changed_participant(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    before = len(flows(ryze))
    act(api, "add", group["jid"], CARLA, DIEGO, ALICE)  # ALICE already in: not in the event
    act(api, "promote", group["jid"], CARLA, DIEGO)
    act(api, "demote", group["jid"], DIEGO)
    act(api, "remove", group["jid"], CARLA, DIEGO)
    got = [(f["type"], [p["jid"] for p in f["participants"]], f["author"]) for f in flows(ryze)[before:]]
    assert got == [("joined", [jid_of(CARLA), jid_of(DIEGO)], me), ("promoted", [jid_of(CARLA), jid_of(DIEGO)], me),
                   ("demoted", [jid_of(DIEGO)], me), ("left", [jid_of(CARLA), jid_of(DIEGO)], me)]
    act(api, "remove", group["jid"], CARLA)  # nothing changed: no event
    assert len(flows(ryze)) == before + 4


@pytest.mark.ryze(profile="docs")
def test_the_docs_profile_emits_the_catalog_layout(api: CheckedClient, ryze: MockRyze, me: str) -> None:
    group = create(api)
    act(api, "add", group["jid"], CARLA)
    api.request("PUT", "/api/group/update/sales", json={"identifier": group["jid"], "name": "Renamed"})
    docs = [e["data"] for e in ryze.events("sales", "group.flow")]  # validated by flows() below
    flows(ryze)
    assert docs[-2] == {"groupJid": group["jid"], "action": "joined", "participants": [jid_of(CARLA)],
                        "author": me, "timestamp": docs[-2]["timestamp"]}
    assert docs[-1]["action"] == "name" and docs[-1]["value"] == "Renamed" and docs[-1]["participants"] == []
