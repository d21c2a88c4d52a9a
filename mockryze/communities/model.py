"""RyzeAPI's communities module, as a model: a community is a parent group (``Group.is_community``)
with an announcement subgroup created with it and up to 50 linked groups.

Linking and unlinking are per group: one failure never aborts the batch (partial success).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.groups import model as groups
from mockryze.groups.model import Group
from mockryze.instance.model import Instance

MAX_NAME = 25
MAX_SUBGROUPS = 50  # linked groups, the announcement group not counted
ANNOUNCEMENTS = "Announcements"  # inferred: the name WhatsApp gives the announcement group


@dataclass
class Batch:
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def find_community(inst: Instance, raw: str) -> Group:
    """A community the instance is in, by JID (create's ``communityJid``; link / unlink)."""
    try:
        key = groups.group_key(raw)
    except ValueError as exc:
        raise ApiError(literals.community_jid_unparsable(str(exc))) from None
    found = inst.groups.get(key)
    if found is None or not found.member:
        raise ApiError(literals.COMMUNITY_NOT_FOUND, f"{key} is not a community this instance is in")
    return found


def create(world: World, inst: Instance, name: str, *, description: str = "", image: str | None = None,
           approval: bool = False) -> tuple[Group, str]:
    """The parent group and its announcement group, both with the instance as super-admin; returns the
    parent and the image error (``""`` when the picture was applied or none was asked for)."""
    groups.require_connected(inst)
    text = name.strip()
    if not text:
        raise ApiError(literals.COMMUNITY_NAME_REQUIRED)
    if len(text) > MAX_NAME:
        raise ApiError(literals.COMMUNITY_NAME_TOO_LONG, f"{len(text)} characters")
    parent = groups.create(world, inst, subject=text, participants=[])
    parent.is_community = True
    announcements = groups.create(world, inst, subject=ANNOUNCEMENTS, participants=[])
    announcements.is_default_subgroup = True
    announcements.community = parent.jid
    announcements.permissions["membersCanSendMessages"] = False  # only admins post
    parent.subgroups.append(announcements.jid)
    changes: dict[str, object] = {"description": description}
    image_error = ""
    if image is not None:
        if image.startswith(("http://", "https://", "data:")) or _looks_base64(image):
            changes["image"] = image
        else:
            image_error = "image must be a public URL or base64 data"  # inferred
    if approval:
        changes["groupSettings"] = {"requireAdminApproval": True}
    groups.update(world, inst, parent, changes)
    return parent, image_error


def _looks_base64(text: str) -> bool:
    return len(text) >= 16 and all(c.isalnum() or c in "+/=\n" for c in text)


def link(inst: Instance, community: Group, group: Group) -> str | None:
    """Make ``group`` a subgroup of ``community``; the reason when it cannot be."""
    reason = _why_not_link(inst, community, group)
    if reason is None:
        community.subgroups.append(group.jid)
        group.community = community.jid
    return reason


def _why_not_link(inst: Instance, community: Group, group: Group) -> str | None:
    if not community.is_community:
        return "not a community"
    if not community.is_admin:
        return "not an admin of the community"
    if group.is_community or group.is_default_subgroup:
        return "cannot be linked"
    if not group.member or not group.is_admin:
        return "not an admin of the group"
    if group.community is not None:
        return "already in a community"
    if len(community.subgroups) - 1 >= MAX_SUBGROUPS:
        return "the community has 50 subgroups"
    return None


def unlink(community: Group, group: Group) -> str | None:
    if group.community != community.jid or group.is_default_subgroup:
        return "not a linked subgroup of this community"
    community.subgroups.remove(group.jid)
    group.community = None
    return None


def batch(inst: Instance, community: Group, raws: list[str], linking: bool) -> Batch:
    """Link or unlink every group of ``raws`` (in order); each failure only fails its own item."""
    out = Batch()
    for raw in raws:
        try:
            group = inst.groups.get(groups.group_key(raw))
        except ValueError:
            group = None
        reason = "group not found" if group is None else (link(inst, community, group) if linking
                                                             else unlink(community, group))
        (out.done if reason is None else out.failed).append(group.jid if group is not None else raw)
    return out


def subgroups(inst: Instance, raw: str) -> tuple[str, list[Group]]:
    """The normalized community JID and its subgroups the instance is in (the announcement group first)."""
    try:
        key = groups.group_key(raw)
    except ValueError as exc:
        raise ApiError(literals.invalid_community_jid(str(exc))) from None
    community = inst.groups.get(key)
    if community is None or not community.member or not community.is_community:
        return key, []
    found = [inst.groups[s] for s in community.subgroups if s in inst.groups]
    return key, [g for g in found if g.member or g.is_default_subgroup]

