"""HTTP face of RyzeAPI's groups module: its ``Endpoint`` rows and their thin handlers.

Routes: ``/api/group/*``. Data sits at the top level of the envelope (``group``, ``groups``,
``groupJid``, ``participants``, ``requests``), as the module documents.
"""

from __future__ import annotations

from typing import Any

from mockryze.communities import model as communities
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import (
    GROUP_NAME_REQUIRED,
    GROUP_NOT_CONNECTED,
    GROUP_NOT_FOUND,
    GROUP_NOT_MEMBER,
    GROUP_PARTICIPANTS_REQUIRED,
    GROUP_UPDATE_EMPTY,
    IDENTIFIER_REQUIRED,
    INVALID_BODY,
    INVALID_INVITE,
    INVITE_REVOKED,
    JOIN_NOT_ALLOWED,
    LEAVE_NOT_ALLOWED,
    PARTICIPANTS_NOT_ADMIN,
    PARTICIPANTS_NOT_SUPER_ADMIN,
    REQUESTS_NOT_ADMIN,
    RESET_NOT_ADMIN,
    UPDATE_NOT_ADMIN,
)
from mockryze.core.world import World
from mockryze.groups import model
from mockryze.groups.model import Group
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.model import Instance
from mockryze.instance.routes import ON_INSTANCE

TRUE_WORDS = frozenset({"true", "1", "yes"})
UPDATE_FIELDS = ("name", "description", "image", "removeImage", "groupSettings")


# --- views --------------------------------------------------------------------------------------
def participant_views(inst: Instance, group: Group, *, lid: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if group.own is not None and inst.jid:
        own: dict[str, Any] = {"jid": inst.jid}
        if lid and inst.lid:
            own["lid"] = inst.lid
        out.append({**own, "isAdmin": group.own.admin, "isSuperAdmin": group.own.super_admin})
    for key, member in group.members.items():
        row: dict[str, Any] = {"jid": key}
        if lid:
            row["lid"] = member.contact.lid
        out.append({**row, "isAdmin": member.admin, "isSuperAdmin": member.super_admin})
    return out


def group_info(inst: Instance, group: Group, *, members: bool = True) -> dict[str, Any]:
    """GroupInfo (create, update, list); ``groupJid`` and ``memberCount`` are what list clients read."""
    info: dict[str, Any] = {
        "name": group.subject, "jid": group.jid, "groupJid": group.jid, "description": group.description,
        "inviteCode": group.invite_code, "inviteLink": group.invite_link, "createdBy": group.creator or inst.jid or "",
        "participantCount": group.count(), "memberCount": group.count(),
    }
    if members:
        info["participants"] = participant_views(inst, group, lid=False)
    info["groupSettings"] = dict(group.permissions)
    return info


def group_detail(world: World, inst: Instance, group: Group, *, members: bool = True) -> dict[str, Any]:
    """GroupDetail (info): GroupInfo plus the picture, creation time, authorship and flags; members with ``lid``."""
    detail = group_info(inst, group, members=False)
    detail.update({"image": group.picture or "", "createdAt": world.iso(group.created_at),
                   "metadata": {f"{k}ChangedBy": v for k, v in group.changed_by.items()},
                   "isEphemeral": group.ephemeral, "isIncognito": False, "isSuspended": False,
                   "isDefaultSubGroup": group.is_default_subgroup, "isCommunity": group.is_community})
    if group.community:
        detail["communityJid"] = group.community
    if members:
        detail["participants"] = participant_views(inst, group, lid=True)
    return detail


def _flag(ctx: Context, name: str, default: bool) -> bool:
    raw = ctx.query.get(name)
    return default if raw is None else raw.strip().lower() in TRUE_WORDS


# --- handlers ------------------------------------------------------------------------------------
def create_group(ctx: Context) -> Result:
    inst, body = ctx.target, ctx.body
    model.require_connected(inst)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(GROUP_NAME_REQUIRED)
    if not body.get("participants"):
        raise ApiError(GROUP_PARTICIPANTS_REQUIRED)
    community = communities.find_community(inst, body["communityJid"]) if body.get("communityJid") else None
    group = model.create(ctx.world, inst, subject=name.strip(), participants=list(body["participants"]))
    model.update(ctx.world, inst, group, {k: body[k] for k in ("description", "image", "groupSettings") if k in body})
    if community is not None:
        communities.link(inst, community, group)
    return 201, {"success": True, "message": literals.GROUP_CREATED, "group": group_info(inst, group)}


def list_groups(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    members = _flag(ctx, "includeMembers", True)
    found = [group_info(inst, g, members=members) for g in inst.groups.values() if g.member]
    return 200, {"success": True, "message": literals.groups_found(len(found)), "groups": found}


def group_info_route(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    group = model.resolve(inst, ctx.query.get("identifier"), "preview")
    detail = group_detail(ctx.world, inst, group, members=_flag(ctx, "participants", True))
    return 200, {"success": True, "message": literals.GROUP_INFO_RETRIEVED, "group": detail}


def update_group(ctx: Context) -> Result:
    inst, body = ctx.target, ctx.body
    model.require_connected(inst)
    group = model.resolve(inst, body.get("identifier"))
    if not any(k in body for k in UPDATE_FIELDS):
        raise ApiError(GROUP_UPDATE_EMPTY)
    changed = model.update(ctx.world, inst, group, body)
    return 200, {"success": True, "message": literals.group_updated(changed), "group": group_info(inst, group)}


def participants(ctx: Context) -> Result:
    inst, body = ctx.target, ctx.body
    model.require_connected(inst)
    group = model.resolve(inst, body.get("identifier"))
    entries = body.get("participants") or []
    if not entries:
        raise ApiError(GROUP_PARTICIPANTS_REQUIRED)
    outcomes = model.participants(ctx.world, inst, group, body["action"], list(entries))
    done = sum(o.error is None for o in outcomes)
    return 200, {"success": True, "message": f"{literals.GROUP_PARTICIPANTS_UPDATED}: {done} of {len(outcomes)}",
                 "groupJid": group.jid, "action": body["action"], "participants": [o.view() for o in outcomes]}


def join(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    group = model.resolve(inst, ctx.body.get("identifier"), "join")
    waiting = model.join(ctx.world, inst, group)
    message = literals.GROUP_JOIN_REQUESTED if waiting else literals.GROUP_JOINED
    return 200, {"success": True, "message": message, "groupJid": group.jid, "requiresApproval": waiting}


def reset_link(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    group = model.resolve(inst, ctx.body.get("identifier"))
    model.reset_link(ctx.world, inst, group)
    return 200, {"success": True, "message": literals.GROUP_LINK_RESET, "groupJid": group.jid,
                 "inviteCode": group.invite_code, "inviteLink": group.invite_link}


def requests(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    group = model.resolve(inst, ctx.query.get("identifier"))
    if not group.is_admin:
        raise ApiError(REQUESTS_NOT_ADMIN)
    found = [{"jid": r.contact.lid, "phoneNumber": r.contact.jid if r.contact.phone else None,
              "requestedAt": ctx.world.iso(r.requested_at)} for r in group.requests.values()]
    return 200, {"success": True, "message": literals.pending_requests_found(len(found)), "groupJid": group.jid,
                 "requests": found, "meta": {"total": len(found)}}


def leave(ctx: Context) -> Result:
    inst = ctx.target
    model.require_connected(inst)
    group = model.resolve(inst, ctx.query.get("identifier"))
    model.leave(ctx.world, inst, group)
    return 200, {"success": True, "message": literals.GROUP_LEFT, "groupJid": group.jid}


# --- the route table -----------------------------------------------------------------------------
PREFIX = "/api/group"
LIVE = (*ON_INSTANCE, GROUP_NOT_CONNECTED)
BY_IDENTIFIER = (*LIVE, IDENTIFIER_REQUIRED, GROUP_NOT_MEMBER)
IDENTIFIER_QUERY = {"identifier": "group JID, invite code or full invite link (URL-encoded)"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{PREFIX}/create/:instance", create_group, "Create a group",
             request_schema="groups/create.request", responses={201: "groups/create.response"},
             errors=(*LIVE, INVALID_BODY, GROUP_NAME_REQUIRED, GROUP_PARTICIPANTS_REQUIRED, GROUP_NOT_MEMBER,
                     literals.community_jid_unparsable("<reason>"))),
    Endpoint("GET", f"{PREFIX}/list/:instance", list_groups, "List the groups the instance is in",
             responses={200: "groups/list.response"}, errors=LIVE,
             query={"includeMembers": "true (default) lists each group's participants"}),
    Endpoint("GET", f"{PREFIX}/info/:instance", group_info_route, "Group details (GroupDetail)",
             responses={200: "groups/info.response"}, errors=BY_IDENTIFIER,
             query={**IDENTIFIER_QUERY, "participants": "false omits the member list (default true)"}),
    Endpoint("PUT", f"{PREFIX}/update/:instance", update_group, "Update name, description, picture, permissions",
             request_schema="groups/update.request", responses={200: "groups/update.response"},
             errors=(*BY_IDENTIFIER, INVALID_BODY, GROUP_UPDATE_EMPTY, UPDATE_NOT_ADMIN)),
    Endpoint("POST", f"{PREFIX}/participants/:instance", participants,
             "Add, remove, promote, demote, approve or reject participants (per-item results)",
             request_schema="groups/participants.request", responses={200: "groups/participants.response"},
             errors=(*BY_IDENTIFIER, INVALID_BODY, GROUP_PARTICIPANTS_REQUIRED, PARTICIPANTS_NOT_ADMIN,
                     PARTICIPANTS_NOT_SUPER_ADMIN)),
    Endpoint("POST", f"{PREFIX}/join/:instance", join, "Join a group through its invite code or link",
             request_schema="groups/join.request", responses={200: "groups/join.response"},
             errors=(*LIVE, INVALID_BODY, IDENTIFIER_REQUIRED, INVALID_INVITE, INVITE_REVOKED, JOIN_NOT_ALLOWED,
                     GROUP_NOT_FOUND)),
    Endpoint("POST", f"{PREFIX}/resetLink/:instance", reset_link, "Revoke and regenerate the invite link",
             request_schema="groups/resetLink.request", responses={200: "groups/resetLink.response"},
             errors=(*BY_IDENTIFIER, INVALID_BODY, RESET_NOT_ADMIN)),
    Endpoint("GET", f"{PREFIX}/requests/:instance", requests, "List pending join requests",
             responses={200: "groups/requests.response"}, errors=(*BY_IDENTIFIER, REQUESTS_NOT_ADMIN),
             query=IDENTIFIER_QUERY),
    Endpoint("DELETE", f"{PREFIX}/leave/:instance", leave, "Leave a group",
             responses={200: "groups/leave.response"}, errors=(*BY_IDENTIFIER, LEAVE_NOT_ALLOWED),
             query=IDENTIFIER_QUERY),
)
