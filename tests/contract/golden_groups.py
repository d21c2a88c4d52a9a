"""Golden rows of RyzeAPI's groups and communities modules (``/api/group/*``, ``/api/community/*``), from the
reference's groups pages. Texts the reference does not print are the mock's choice, marked ``# inferred``.
"""

from __future__ import annotations

from typing import Any

from tests.contract.golden import ALICE, Golden, Stage, call, connected, created, on_instance
from tests.contract.golden_messages import BODIES, NUMBERED

GROUP = "120363000000000001@g.us"  # the instance created it: its super-admin
THEIRS = "120363000000000002@g.us"  # someone else's: the instance is a plain member
UNKNOWN = "120363000000000999@g.us"
CODE = "AbCdEf123GhIjKl456MnOp"  # the invite code of a group the instance is not in
BOB = "5511900000002"
NOT_CONNECTED = ("GROUP_NOT_CONNECTED", 400, "Instance is not connected to WhatsApp")  # the module's own 400
NOT_MEMBER = ("GROUP_NOT_MEMBER", 404, "Group not found or you are not a member of this group")
UNPARSABLE = "a group id is 1-24 ASCII digits without a leading zero"  # the mock's reason  # inferred


def admin_group(stage: Stage) -> None:
    stage.ryze.create_group("sales", "Team", [ALICE, BOB], jid=GROUP)


def their_group(stage: Stage) -> None:
    stage.ryze.create_group("sales", "Theirs", [ALICE], jid=THEIRS, creator=BOB)


def invited(stage: Stage) -> None:
    stage.ryze.create_group("sales", "Invite", [ALICE], creator=BOB, member=False, invite_code=CODE)


def full(stage: Stage) -> None:
    """The group of the invite CODE has 1,024 members."""
    members = [f"55119{n:08d}" for n in range(1024)]
    stage.ryze.create_group("sales", "Full", members, creator=BOB, member=False, invite_code=CODE)


def community(stage: Stage) -> None:
    """A community of ``sales`` ({COMMUNITY}) and its announcement group ({ANNOUNCE})."""
    response = stage.call("POST", "/api/community/create/sales", json={"name": "Hub"})
    assert response.status_code == 200, response.text
    stage.saved["COMMUNITY"] = jid = response.json()["group"]["jid"]
    stage.saved["ANNOUNCE"] = next(g["jid"] for g in stage.ryze.groups("sales") if g["community"] == jid)


def old_code(stage: Stage) -> None:
    """The invite code of GROUP before an admin reset it ({OLD})."""
    stage.saved["OLD"] = stage.ryze.group("sales", GROUP)["inviteCode"]


def approval_needed(stage: Stage) -> None:
    """A group that asks an admin to approve joins, which ``sales`` left; its invite code fills {CODE}."""
    body = {"name": "Gated", "participants": [ALICE], "groupSettings": {"requireAdminApproval": True}}
    response = stage.call("POST", "/api/group/create/sales", json=body)
    assert response.status_code == 201, response.text
    group = response.json()["group"]
    stage.saved["CODE"] = group["inviteCode"]
    assert stage.call("DELETE", f"/api/group/leave/sales?identifier={group['jid']}").status_code == 200


def demoted(setting: str) -> Any:
    """THEIRS ({DEMOTED}) with ``setting`` off: BOB promoted ``sales``, which turned it off, then demoted it."""
    def step(stage: Stage) -> None:
        own = str(stage.ryze.instance("sales")["numberJid"]).split("@")[0]
        stage.ryze.group_member("sales", THEIRS, own, "promote", author=BOB)
        said = stage.call("POST", "/api/message/text/sales", json={"number": THEIRS, "message": "hi"})
        stage.saved["SAID"] = said.json()["data"]["messageId"]  # a message of ours in the group
        update = {"identifier": THEIRS, "groupSettings": {setting: False}}
        assert stage.call("PUT", "/api/group/update/sales", json=update).status_code == 200
        stage.ryze.group_member("sales", THEIRS, own, "demote", author=BOB)
        stage.saved["DEMOTED"] = THEIRS
    return step


LIVE = (connected, admin_group, their_group, invited)
HUB = (*LIVE, community)
LINKED = (*HUB, call("POST /api/community/link/sales", {"communityJid": "{COMMUNITY}", "groupJid": [GROUP]}))


def group(route: str, query: str = "") -> str:
    method, rest = route.split(" ")
    return f"{method} /api/{rest}/sales{query}"


# route -> (a valid body, the world, the success literal, its text)
ROUTES: dict[str, tuple[Any, tuple[Any, ...], str, str]] = {
    group("POST group/create"): ({"name": "Ops", "participants": [ALICE]}, LIVE, "GROUP_CREATED",
                                 "Group created successfully"),  # inferred
    group("GET group/list"): (None, LIVE, "groups_found", "2 group(s) found"),  # inferred
    group("GET group/info", f"?identifier={GROUP}"): (None, LIVE, "GROUP_INFO_RETRIEVED",
                                                      "Group info retrieved successfully"),  # inferred
    group("PUT group/update"): ({"identifier": GROUP, "name": "Ops 2026"}, LIVE, "group_updated",
                                "Group updated: name"),  # inferred
    group("POST group/participants"): ({"action": "add", "identifier": GROUP, "participants": ["5511900000009"]},
                                       LIVE, "GROUP_PARTICIPANTS_UPDATED", "Participants updated: 1 of 1"),
    group("POST group/join"): ({"identifier": f"https://chat.whatsapp.com/{CODE}"}, LIVE, "GROUP_JOINED",
                               "Successfully joined group"),
    group("POST group/resetLink"): ({"identifier": GROUP}, LIVE, "GROUP_LINK_RESET",
                                    "Group invite link reset successfully"),
    group("GET group/requests", f"?identifier={GROUP}"): (None, LIVE, "pending_requests_found",
                                                          "0 pending requests found"),
    group("DELETE group/leave", f"?identifier={GROUP}"): (None, LIVE, "GROUP_LEFT", "Successfully left the group"),
    group("POST community/create"): ({"name": "Acme Hub"}, LIVE, "COMMUNITY_CREATED",
                                     "Community created successfully"),  # inferred
    group("POST community/link"): ({"communityJid": "{COMMUNITY}", "groupJid": [GROUP]}, HUB, "linked_groups",
                                   "Linked 1 of 1 groups to community"),
    group("POST community/unlink"): ({"communityJid": "{COMMUNITY}", "groupJid": [GROUP]}, LINKED,
                                     "unlinked_groups", "Unlinked 1 of 1 groups from community"),
    group("GET community/listSubGroups", "?communityJid={COMMUNITY}"): (None, LINKED, "subgroups_found",
                                                                       "2 subgroup(s) found"),
}
CREATED = {"GROUP_CREATED": 201}
WITH_IDENTIFIER = {"group/update": {"name": "x"}, "group/participants": {"action": "add", "participants": [BOB]},
                   "group/resetLink": {}}
BODY_ROUTES = [r for r, (body, *_) in ROUTES.items() if body is not None]


def path(route: str) -> str:
    return route.split("?")[0]


def identifier_rows(name: str, rest: dict[str, Any]) -> list[Golden]:
    route = group(f"{'PUT' if name == 'group/update' else 'POST'} {name}")
    return [
        Golden("IDENTIFIER_REQUIRED", 400, "Identifier is required", route, rest, LIVE),
        Golden(*NOT_MEMBER, route, {"identifier": UNKNOWN, **rest}, LIVE),
    ]


def query_rows(name: str, method: str) -> list[Golden]:
    return [
        Golden("IDENTIFIER_REQUIRED", 400, "Identifier is required", group(f"{method} {name}"), given=LIVE),
        Golden(*NOT_MEMBER, group(f"{method} {name}", f"?identifier={UNKNOWN}"), given=LIVE),
    ]


ROWS: list[Golden] = [
    *[Golden(literal, CREATED.get(literal, 200), text, route, body, given)
      for route, (body, given, literal, text) in ROUTES.items()],
    *[Golden(*NOT_CONNECTED, route, body, (created,)) for route, (body, *_) in ROUTES.items()],
    *[row for route, (body, given, *_) in ROUTES.items() for row in on_instance(path(route), body, given)],
    *[Golden("INVALID_BODY", 400, "Invalid request body", path(route), b"{", LIVE) for route in BODY_ROUTES],
    *[row for name, rest in WITH_IDENTIFIER.items() for row in identifier_rows(name, rest)],
    *[row for name in ("group/info", "group/requests") for row in query_rows(name, "GET")],
    *query_rows("group/leave", "DELETE"),
    # --- create -----------------------------------------------------------------------------------
    Golden("GROUP_NAME_REQUIRED", 400, "Group name is required", group("POST group/create"),
           {"participants": [ALICE]}, LIVE),  # inferred
    Golden("GROUP_PARTICIPANTS_REQUIRED", 400, "Participants are required", group("POST group/create"),
           {"name": "Ops", "participants": []}, LIVE),  # inferred
    Golden(*NOT_MEMBER, group("POST group/create"), {"name": "Ops", "participants": [ALICE], "communityJid": UNKNOWN},
           LIVE, note="an unknown community"),
    Golden("community_jid_unparsable", 400, f"error parse community jid: {UNPARSABLE}", group("POST group/create"),
           {"name": "Ops", "participants": [ALICE], "communityJid": "nope"}, LIVE),
    Golden("community_jid_unparsable", 400, f"error parse community jid: '{ALICE}@s.whatsapp.net' is not a group "
           "JID (@g.us)", group("POST group/create"),
           {"name": "Ops", "participants": [ALICE], "communityJid": f"{ALICE}@s.whatsapp.net"}, LIVE,
           note="a person's JID"),  # inferred: the mock's reason
    # --- update, participants, join, reset, requests, leave ----------------------------------------
    Golden("group_updated", 200, "Group updated: name, description", group("PUT group/update"),
           {"identifier": GROUP, "name": "Ops", "description": "Daily"}, LIVE, note="two fields"),  # inferred
    Golden("group_updated", 200, "Group updated: nothing changed", group("PUT group/update"),
           {"identifier": GROUP, "name": "Team"}, LIVE, note="the same name"),  # inferred
    Golden("GROUP_UPDATE_EMPTY", 400, "At least one field to update must be provided", group("PUT group/update"),
           {"identifier": GROUP}, LIVE),  # inferred
    Golden("UPDATE_NOT_ADMIN", 403, "Not authorized to update group info (must be admin)", group("PUT group/update"),
           {"identifier": "{DEMOTED}", "name": "Mine now"}, (*LIVE, demoted("membersCanEditInfo"))),  # inferred
    Golden("GROUP_PARTICIPANTS_REQUIRED", 400, "Participants are required", group("POST group/participants"),
           {"action": "add", "identifier": GROUP, "participants": []}, LIVE),  # inferred
    Golden("PARTICIPANTS_NOT_ADMIN", 403, "Not authorized to manage group participants (must be admin)",
           group("POST group/participants"), {"action": "add", "identifier": THEIRS, "participants": [BOB]},
           LIVE),  # inferred
    Golden("PARTICIPANTS_NOT_SUPER_ADMIN", 403,
           "Not authorized to promote or demote participants (must be super admin)", group("POST group/participants"),
           {"action": "promote", "identifier": THEIRS, "participants": [ALICE]}, LIVE),  # inferred
    Golden("GROUP_JOIN_REQUESTED", 200, "Join request sent, waiting for admin approval", group("POST group/join"),
           {"identifier": "{CODE}"}, (*LIVE, approval_needed)),  # inferred
    Golden("IDENTIFIER_REQUIRED", 400, "Identifier is required", group("POST group/join"), {}, LIVE),
    Golden("INVALID_INVITE", 400, "Invalid invite link or code", group("POST group/join"),
           {"identifier": "not a code!"}, LIVE),
    Golden("INVITE_REVOKED", 400, "Invite link has been revoked or expired", group("POST group/join"),
           {"identifier": "{OLD}"}, (*LIVE, old_code, call("POST /api/group/resetLink/sales", {"identifier": GROUP}))),
    Golden("GROUP_NOT_FOUND", 404, "Group not found", group("POST group/join"),
           {"identifier": "ZzYyXx987WwVvUu654TtSs"}, LIVE),
    Golden("RESET_NOT_ADMIN", 403, "Not authorized to reset group invite link (must be admin)",
           group("POST group/resetLink"), {"identifier": THEIRS}, LIVE),
    Golden("REQUESTS_NOT_ADMIN", 403, "Not authorized to view group requests (must be admin)",
           group("GET group/requests", f"?identifier={THEIRS}"), given=LIVE),
    Golden("LEAVE_NOT_ALLOWED", 403, "Not allowed to leave this group",
           group("DELETE group/leave", "?identifier={ANNOUNCE}"),
           given=HUB),
    # --- communities ------------------------------------------------------------------------------
    Golden("COMMUNITY_NAME_REQUIRED", 400, "Community name is required", group("POST community/create"), {},
           LIVE),  # inferred
    Golden("COMMUNITY_NAME_TOO_LONG", 400, "Community name must be at most 25 characters",
           group("POST community/create"), {"name": "x" * 26}, LIVE),  # inferred
    *[row for name in ("community/link", "community/unlink") for row in [
        Golden("COMMUNITY_JID_REQUIRED", 400, "community jid is required", group(f"POST {name}"),
               {"groupJid": [GROUP]}, HUB),
        Golden("GROUP_JID_REQUIRED", 400, "group jid is required", group(f"POST {name}"),
               {"communityJid": "{COMMUNITY}", "groupJid": []}, HUB),
        Golden("community_jid_unparsable", 400, f"error parse community jid: {UNPARSABLE}", group(f"POST {name}"),
               {"communityJid": "nope", "groupJid": [GROUP]}, HUB),
        Golden(*NOT_MEMBER, group(f"POST {name}"), {"communityJid": UNKNOWN, "groupJid": [GROUP]}, HUB),
        Golden("COMMUNITY_NOT_FOUND", 404, NOT_MEMBER[2], group(f"POST {name}"),
               {"communityJid": UNKNOWN, "groupJid": [GROUP]}, HUB, note="not a community", source="inferred"),
    ]],
    Golden("COMMUNITY_QUERY_REQUIRED", 400, "communityJid query parameter is required",
           group("GET community/listSubGroups"), given=HUB),
    Golden("invalid_community_jid", 400, f"invalid community JID: {UNPARSABLE}",
           group("GET community/listSubGroups", "?communityJid=nope"), given=HUB),
    # --- sending to a group -----------------------------------------------------------------------
    *[Golden("ADMINS_ONLY_SEND", 403, "Only admins can send messages to this group", f"POST /api/message/{kind}/sales",
             {**BODIES[kind], "number": "{DEMOTED}", **({"messageId": "{SAID}"} if kind == "reaction" else {})},
             (*LIVE, demoted("membersCanSendMessages"))) for kind in NUMBERED],  # inferred
    Golden("MENTION_NOT_PARTICIPANT", 400, "Mentioned number is not a participant of this group",
           "POST /api/message/media/sales", {**BODIES["media"], "number": GROUP, "mention": ["5511900000077"]},
           LIVE),  # inferred
    Golden("JOIN_NOT_ALLOWED", 403, "Not allowed to join this group", group("POST group/join"), {"identifier": CODE},
           (connected, full)),  # the group is full: 1,024 members (inferred)
    Golden("MENTION_NOT_PARTICIPANT", 400, "Mentioned number is not a participant of this group",
           "POST /api/message/text/sales", {"number": GROUP, "message": "hi @5511900000077",
                                            "mention": ["5511900000077"]}, LIVE),  # inferred
]
