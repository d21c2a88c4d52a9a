"""HTTP face of RyzeAPI's communities module: its ``Endpoint`` rows and their thin handlers.

Routes: ``/api/community/*``. Link and unlink share one answer (the unlinked JIDs sit under
``linked`` too, as documented).
"""

from __future__ import annotations

from mockryze.communities import model
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import (
    COMMUNITY_JID_REQUIRED,
    COMMUNITY_NAME_REQUIRED,
    COMMUNITY_NAME_TOO_LONG,
    COMMUNITY_NOT_FOUND,
    COMMUNITY_QUERY_REQUIRED,
    GROUP_JID_REQUIRED,
    GROUP_NOT_CONNECTED,
    INVALID_BODY,
)
from mockryze.groups import model as groups
from mockryze.groups.routes import group_info
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.routes import ON_INSTANCE


def create(ctx: Context) -> Result:
    inst, body = ctx.target, ctx.body
    parent, image_error = model.create(
        ctx.world, inst, body.get("name") or "", description=body.get("description") or "", image=body.get("image"),
        approval=body.get("membershipApprovalMode") == "request_required")
    result = model.batch(inst, parent, list(body.get("groupJid") or []), linking=True)
    return 200, {"success": True, "message": literals.COMMUNITY_CREATED, "group": group_info(inst, parent),
                 "isCommunity": True, "linkedGroups": result.done, "failedGroups": result.failed,
                 "imageError": image_error}


def _relink(ctx: Context, linking: bool) -> Result:
    inst, body = ctx.target, ctx.body
    if not body.get("communityJid"):
        raise ApiError(COMMUNITY_JID_REQUIRED)
    if not body.get("groupJid"):
        raise ApiError(GROUP_JID_REQUIRED)
    groups.require_connected(inst)
    community = model.find_community(inst, body["communityJid"])
    asked = list(body["groupJid"])
    result = model.batch(inst, community, asked, linking)
    message = (literals.linked_groups if linking else literals.unlinked_groups)(len(result.done), len(asked))
    return 200, {"success": bool(result.done), "message": message, "linked": result.done, "failed": result.failed}


def link(ctx: Context) -> Result:
    return _relink(ctx, linking=True)


def unlink(ctx: Context) -> Result:
    return _relink(ctx, linking=False)


def list_subgroups(ctx: Context) -> Result:
    inst = ctx.target
    raw = (ctx.query.get("communityJid") or "").strip()
    if not raw:
        raise ApiError(COMMUNITY_QUERY_REQUIRED)
    groups.require_connected(inst)
    key, found = model.subgroups(inst, raw)
    items = [{"jid": g.jid, "name": g.subject, "isDefaultSubGroup": g.is_default_subgroup} for g in found]
    return 200, {"success": True, "message": literals.subgroups_found(len(items)), "communityJid": key,
                 "subgroups": items}


# --- the route table -----------------------------------------------------------------------------
PREFIX = "/api/community"
LIVE = (*ON_INSTANCE, GROUP_NOT_CONNECTED)
# Dynamic literals (the reason is appended): listed by their fixed start for the docs.
UNPARSABLE = literals.community_jid_unparsable("<reason>")
INVALID_JID = literals.invalid_community_jid("<reason>")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{PREFIX}/create/:instance", create, "Create a community (and its announcement group)",
             request_schema="communities/create.request", responses={200: "communities/create.response"},
             errors=(*LIVE, INVALID_BODY, COMMUNITY_NAME_REQUIRED, COMMUNITY_NAME_TOO_LONG)),
    Endpoint("POST", f"{PREFIX}/link/:instance", link, "Link groups to a community (per-group results)",
             request_schema="communities/link.request", responses={200: "communities/link.response"},
             errors=(*LIVE, INVALID_BODY, COMMUNITY_JID_REQUIRED, GROUP_JID_REQUIRED, UNPARSABLE,
                     COMMUNITY_NOT_FOUND)),
    Endpoint("POST", f"{PREFIX}/unlink/:instance", unlink, "Unlink groups from a community (per-group results)",
             request_schema="communities/unlink.request", responses={200: "communities/link.response"},
             errors=(*LIVE, INVALID_BODY, COMMUNITY_JID_REQUIRED, GROUP_JID_REQUIRED, UNPARSABLE,
                     COMMUNITY_NOT_FOUND)),
    Endpoint("GET", f"{PREFIX}/listSubGroups/:instance", list_subgroups, "List a community's subgroups",
             responses={200: "communities/listSubGroups.response"},
             errors=(*LIVE, COMMUNITY_QUERY_REQUIRED, INVALID_JID),
             query={"communityJid": "community JID; a bare numeric id gets @g.us"}),
)
