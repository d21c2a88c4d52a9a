"""The groups module's mock-only verbs: groups made by the instance or by someone else, and what
simulated contacts do in them (join, leave, get promoted or demoted, ask to join)."""

from __future__ import annotations

from typing import Any

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_NUMBER, INVALID_TOKEN
from mockryze.groups import model
from mockryze.groups.model import Group
from mockryze.http.verbs import Call, Verb, listing, ok

ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, literals.TOKEN_INSTANCE_MISMATCH)
MEMBER_ACTIONS = ("join", "leave", "promote", "demote", "request")


def group_view(group: Group) -> dict[str, Any]:
    """A group as the control plane shows it: the instance's own role apart from the other participants."""
    return {
        "jid": group.jid, "subject": group.subject, "description": group.description, "creator": group.creator,
        "inviteCode": group.invite_code, "inviteLink": group.invite_link, "member": group.member,
        "admin": group.is_admin, "superAdmin": group.is_super_admin, "participants": group.participants,
        "admins": group.admins, "superAdmins": [k for k, m in group.members.items() if m.super_admin],
        "requests": list(group.requests), "groupSettings": dict(group.permissions), "count": group.count(),
        "isCommunity": group.is_community, "community": group.community,
    }


def _group(call: Call) -> Group:
    found = call.target().groups.get(call.params["jid"])
    if found is None:
        raise ApiError(literals.GROUP_NOT_FOUND, f"the instance knows no group {call.params['jid']}")
    return found


def create_group(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    made = model.create(call.world, call.target(), subject=args["subject"], participants=args.get("participants", []),
                        creator=args.get("creator"), member=args.get("member", True),
                        group_jid_=_group_key(args.get("jid")), invite_code=args.get("inviteCode"), strict=True)
    made.ephemeral = bool(args.get("ephemeral", False))
    return 201, ok("Group created", group=group_view(made))


def _group_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return model.group_key(raw)
    except ValueError as exc:
        raise ApiError(INVALID_NUMBER, str(exc)) from None


def groups(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("groups", [group_view(g) for g in call.target().groups.values()])


def group(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, ok("Group found", group=group_view(_group(call)))


def group_member(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    found = _group(call)
    model.contact_acts(call.world, call.target(), found, args["action"], args["number"], args.get("author"))
    return 200, ok("Done", group=group_view(found))


GROUP_PATH = "/instances/{name}/groups/{jid}"
VERBS: tuple[Verb, ...] = (
    Verb("create_group", "POST", "/instances/{name}/groups", create_group,
         "A group: made by the instance, or by someone else (`creator`) with the instance in it (or not: `member`)",
         result="group", request_schema="mock/group.request", responses={201: "mock/group.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER)),
    Verb("groups", "GET", "/instances/{name}/groups", groups, "Every group the instance knows (member or not)",
         result="groups", responses={200: "mock/groups.response"}, errors=ON_NAME),
    Verb("group", "GET", GROUP_PATH, group, "One group the instance knows", result="group",
         responses={200: "mock/group.response"}, errors=(*ON_NAME, literals.GROUP_NOT_FOUND)),
    Verb("group_member", "POST", f"{GROUP_PATH}/members", group_member,
         "A simulated contact joins, leaves, is promoted / demoted, or asks to join (`request`)", result="group",
         request_schema="mock/group-member.request", responses={200: "mock/group.response"},
         errors=(*ON_NAME, INVALID_BODY, INVALID_NUMBER, literals.GROUP_NOT_FOUND)),
)
