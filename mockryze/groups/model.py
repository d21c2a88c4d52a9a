"""RyzeAPI's groups module, as a model: the groups an instance knows, who is in them, and the rules
every change obeys.

A group belongs to the instance's view of WhatsApp (``inst.groups``, by JID). The instance itself is
a member while ``Group.own`` is set; a group it left (or only knows by its invite) stays known but
unreachable through the JID routes. Every function checks everything before the first change, so a
refusal changes nothing; every change emits its ``group.flow`` (:mod:`mockryze.groups.flow`).
Member changes cost O(changed participants): members are a dict keyed by the contact's JID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from mockryze.core import jid, literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.groups import flow
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance
from mockryze.messages.model import Contact, contact_for

MAX_MEMBERS = 1024  # WhatsApp's group size limit
INVITE_BASE = "https://chat.whatsapp.com/"
CODE = re.compile(r"[A-Za-z0-9]{6,32}")
LINK = re.compile(r"https?://chat\.whatsapp\.com/(?:invite/)?([A-Za-z0-9]{6,32})/?")
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
PICTURE_CDN = "https://pps.whatsapp.net/v/t61.24694-24/"
ACTIONS = ("add", "remove", "promote", "demote", "approve", "reject")
SUPER_ADMIN_ACTIONS = frozenset({"promote", "demote"})
Purpose = Literal["member", "preview", "join"]
PERMISSION_KEYS = ("membersCanEditInfo", "membersCanSendMessages", "membersCanAddOthers", "requireAdminApproval")


@dataclass
class Member:
    """A participant other than the instance: a simulated contact."""

    contact: Contact
    admin: bool = False
    super_admin: bool = False


@dataclass
class Role:
    """The instance's own membership of a group."""

    admin: bool = False
    super_admin: bool = False


@dataclass
class JoinRequest:
    contact: Contact
    requested_at: float


@dataclass
class Group:
    jid: str
    subject: str
    creator: str | None  # a contact's JID; None: the instance created it
    created_at: float
    invite_code: str
    own: Role | None = None  # None: the instance is not (or no longer) a member
    members: dict[str, Member] = field(default_factory=dict)  # contact JID -> member, in joining order
    description: str = ""
    picture: str | None = None
    permissions: dict[str, bool] = field(default_factory=lambda: {
        "membersCanEditInfo": True, "membersCanSendMessages": True, "membersCanAddOthers": False,
        "requireAdminApproval": False})
    requests: dict[str, JoinRequest] = field(default_factory=dict)  # requester's LID -> request
    revoked_codes: set[str] = field(default_factory=set)
    ephemeral: bool = False
    is_community: bool = False
    is_default_subgroup: bool = False
    community: str | None = None  # the parent community's JID (subgroups and the announcement group)
    subgroups: list[str] = field(default_factory=list)  # a community's linked groups (announcement first)
    changed_by: dict[str, str] = field(default_factory=dict)  # "name" / "description" -> author JID

    # What the messages module reads: the other participants' JIDs and the admins'.
    @property
    def participants(self) -> list[str]:
        return list(self.members)

    @property
    def admins(self) -> list[str]:
        return [k for k, m in self.members.items() if m.admin]

    @property
    def member(self) -> bool:
        return self.own is not None

    @property
    def is_admin(self) -> bool:
        return self.own is not None and self.own.admin

    @property
    def is_super_admin(self) -> bool:
        return self.own is not None and self.own.super_admin

    @property
    def invite_link(self) -> str:
        return INVITE_BASE + self.invite_code

    def count(self) -> int:
        return len(self.members) + (1 if self.own is not None else 0)


# --- preconditions ------------------------------------------------------------------------------
def require_connected(inst: Instance) -> None:
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.GROUP_NOT_CONNECTED, f"instance is {inst.state.rest}")


def new_code(world: World) -> str:
    return "".join(CODE_ALPHABET[world.ids.integer(6) % len(CODE_ALPHABET)] for _ in range(22))


def group_jid(world: World) -> str:
    return f"120363{world.ids.digits(12)}@g.us"


def group_key(raw: str) -> str:
    """A group JID as stored; a bare numeric id gets ``@g.us``; ValueError(reason) when it is none."""
    text = raw.strip()
    try:
        parsed = jid.parse(text if "@" in text else f"{text}@g.us")
    except jid.InvalidRecipient as exc:
        raise ValueError(exc.reason) from None
    if parsed.kind != "group":
        raise ValueError(f"{text!r} is not a group JID (@g.us)")
    return str(parsed.bare())


# --- identifiers: JID, invite code or invite link, in one place ----------------------------------
def resolve(inst: Instance, identifier: str | None, purpose: Purpose = "member") -> Group:
    """The group ``identifier`` names, for ``purpose``:

    - ``member``: a JID, code or link of a group the instance is in (else 404 not found / not a member);
    - ``preview``: as ``member``, but a code or link also finds a group the instance is not in;
    - ``join``: a code or link only (never a JID); revoked codes and unknown ones refused as documented.
    """
    text = (identifier or "").strip()
    if not text:
        raise ApiError(literals.IDENTIFIER_REQUIRED)
    code = _invite_code(text)
    if purpose == "join":
        return _by_code_for_join(inst, code, text)
    if code is None:
        group = _by_jid(inst, text)
    else:
        group = next((g for g in inst.groups.values() if g.invite_code == code), None)
    if group is None or (not group.member and (purpose == "member" or code is None)):
        raise ApiError(literals.GROUP_NOT_MEMBER, f"{text!r} names no group this instance is in")
    return group


def _invite_code(text: str) -> str | None:
    """The invite code a code or link carries; ``None`` for anything else (a JID, a malformed link)."""
    link = LINK.fullmatch(text)
    if link:
        return link.group(1)
    return text if CODE.fullmatch(text) and not text.isdigit() else None


def _by_jid(inst: Instance, text: str) -> Group | None:
    try:
        return inst.groups.get(group_key(text))
    except ValueError:
        return None


def _by_code_for_join(inst: Instance, code: str | None, text: str) -> Group:
    if code is None:
        raise ApiError(literals.INVALID_INVITE, f"{text!r} is neither an invite code nor an invite link")
    for group in inst.groups.values():
        if group.invite_code == code:
            return group
        if code in group.revoked_codes:
            raise ApiError(literals.INVITE_REVOKED, f"{code} was reset by an admin of {group.jid}")
    raise ApiError(literals.GROUP_NOT_FOUND, f"no group has the invite code {code}")


# --- creation -------------------------------------------------------------------------------------
def person(world: World, inst: Instance, raw: str) -> Contact:
    """The contact a participant entry (number, phone JID or @lid) names; ApiError when it is none."""
    try:
        parsed = jid.parse(raw)
    except jid.InvalidRecipient as exc:
        raise ApiError(literals.INVALID_NUMBER, exc.reason) from None
    if parsed.kind not in ("user", "lid"):
        raise ApiError(literals.INVALID_NUMBER, f"{raw!r} is not a person")
    return contact_for(world, inst, parsed)


def create(world: World, inst: Instance, *, subject: str, participants: list[str], creator: str | None = None,
           member: bool = True, group_jid_: str | None = None, invite_code: str | None = None,
           strict: bool = False) -> Group:
    """A new group: created by the instance (``creator=None``: it is the super-admin) or by a simulated
    contact (with the instance a plain member, or — ``member=False`` — not in it, known by its invite).
    Participants not on WhatsApp are left out, and so are unparseable ones unless ``strict``."""
    founder = person(world, inst, creator) if creator else None
    contacts: list[Contact] = []
    for raw in participants:
        try:
            contacts.append(person(world, inst, raw))
        except ApiError:
            if strict:
                raise
    key = group_jid_ or group_jid(world)
    group = Group(jid=key, subject=subject, creator=founder.jid if founder else None,
                  created_at=world.now(), invite_code=invite_code or new_code(world))
    if founder is not None:
        group.members[founder.jid] = Member(founder, admin=True, super_admin=True)
        group.own = Role() if member else None
    else:
        group.own = Role(admin=True, super_admin=True)
    joined = [founder] if founder else []
    for contact in contacts:
        if contact.on_whatsapp and contact.jid not in group.members and group.count() < MAX_MEMBERS:
            group.members[contact.jid] = Member(contact)
            joined.append(contact)
    inst.groups[key] = group
    if group.member:
        flow.emit(world, inst, group, "joined", [*flow.own_entry(inst), *(flow.entry(c) for c in joined)],
                  author=group.creator or inst.jid)
    return group


# --- metadata -------------------------------------------------------------------------------------
def picture_url(world: World) -> str:
    return f"{PICTURE_CDN}{world.ids.digits(8)}_{world.ids.digits(15)}_n.jpg"


def update(world: World, inst: Instance, group: Group, changes: dict[str, Any], *, author: str | None = None,
           check: bool = True) -> list[str]:
    """Apply ``name`` / ``description`` / ``image`` / ``removeImage`` / ``groupSettings``; returns the
    fields that really changed (one ``group.flow`` each). ``check``: the instance's permissions apply."""
    settings = {k: bool(v) for k, v in (changes.get("groupSettings") or {}).items() if k in PERMISSION_KEYS}
    info = any(k in changes for k in ("name", "description", "image", "removeImage"))
    if check and ((settings and not group.is_admin)
                  or (info and not group.is_admin and not group.permissions["membersCanEditInfo"])):
        raise ApiError(literals.UPDATE_NOT_ADMIN)
    who = author if author is not None else inst.jid
    changed: list[str] = []
    name = changes.get("name")
    if isinstance(name, str) and name and name != group.subject:
        group.subject = name
        group.changed_by["name"] = who or ""
        changed.append("name")
        flow.emit(world, inst, group, "name", [], author=who)
    description = changes.get("description")
    if isinstance(description, str) and description != group.description:
        group.description = description
        group.changed_by["description"] = who or ""
        changed.append("description")
        flow.emit(world, inst, group, "description", [], author=who, description=description)
    _update_picture(world, inst, group, changes, who, changed)
    for key, value in settings.items():
        if group.permissions[key] != value:
            group.permissions[key] = value
            changed.append(key)
            flow.emit_setting(world, inst, group, key, value, author=who)
    return changed


def _update_picture(world: World, inst: Instance, group: Group, changes: dict[str, Any], who: str | None,
                    changed: list[str]) -> None:
    if changes.get("removeImage"):
        if group.picture is None:
            return
        group.picture = None
    elif isinstance(changes.get("image"), str) and changes["image"]:
        group.picture = picture_url(world)
    else:
        return
    changed.append("image")
    flow.emit(world, inst, group, "picture", [], author=who, pictureUrl=group.picture)


def reset_link(world: World, inst: Instance, group: Group) -> str:
    if not group.is_admin:
        raise ApiError(literals.RESET_NOT_ADMIN)
    group.revoked_codes.add(group.invite_code)
    group.invite_code = new_code(world)
    flow.emit(world, inst, group, "invite_link", [], author=inst.jid, inviteLink=group.invite_link)
    return group.invite_code


# --- participants ---------------------------------------------------------------------------------
@dataclass
class Outcome:
    jid: str  # the person an entry named (the entry itself when it names no one)
    error: str | None = None

    def view(self) -> dict[str, Any]:
        out: dict[str, Any] = {"jid": self.jid, "success": self.error is None}
        if self.error is not None:
            out["error"] = self.error
        return out


def participants(world: World, inst: Instance, group: Group, action: str, entries: list[str]) -> list[Outcome]:
    """``add`` / ``remove`` / ``promote`` / ``demote`` / ``approve`` / ``reject``: refused as a whole
    without the permission the action needs; otherwise one outcome per entry (partial success), and
    one ``group.flow`` naming every participant that changed."""
    if action in SUPER_ADMIN_ACTIONS and not group.is_super_admin:
        raise ApiError(literals.PARTICIPANTS_NOT_SUPER_ADMIN)
    may_add = action == "add" and group.permissions["membersCanAddOthers"] and group.member
    if action not in SUPER_ADMIN_ACTIONS and not group.is_admin and not may_add:
        raise ApiError(literals.PARTICIPANTS_NOT_ADMIN)
    outcomes: list[Outcome] = []
    changed: list[Contact] = []
    for raw in entries:
        try:
            contact = person(world, inst, raw)
        except ApiError:
            outcomes.append(Outcome(raw, "invalid number"))
            continue
        if contact.jid == inst.jid:
            outcomes.append(Outcome(contact.jid, "cannot act on the instance itself (use leave)"))
            continue
        error = ACTING[action](group, contact)
        outcomes.append(Outcome(contact.jid, error))
        if error is None:
            changed.append(contact)
    if changed:
        flow.emit(world, inst, group, EVENT_OF[action], [flow.entry(c) for c in changed], author=inst.jid)
    return outcomes


def _add(group: Group, contact: Contact) -> str | None:
    if not contact.on_whatsapp:
        return "not on WhatsApp"
    if contact.jid in group.members:
        return "already a member"
    if group.count() >= MAX_MEMBERS:
        return "group is full"
    group.requests.pop(contact.lid, None)
    group.members[contact.jid] = Member(contact)
    return None


def _remove(group: Group, contact: Contact) -> str | None:
    found = group.members.get(contact.jid)
    if found is None:
        return "not a member"
    if found.super_admin and not group.is_super_admin:
        return "cannot remove a super admin"
    del group.members[contact.jid]
    return None


def _promote(group: Group, contact: Contact) -> str | None:
    found = group.members.get(contact.jid)
    if found is None:
        return "not a member"
    if found.admin:
        return "already an admin"
    found.admin = True
    return None


def _demote(group: Group, contact: Contact) -> str | None:
    found = group.members.get(contact.jid)
    if found is None:
        return "not a member"
    if not found.admin:
        return "not an admin"
    if found.super_admin and contact.jid == group.creator:
        return "cannot demote the group creator"
    found.admin = found.super_admin = False
    return None


def _approve(group: Group, contact: Contact) -> str | None:
    if contact.lid not in group.requests:
        return "no pending join request"
    if group.count() >= MAX_MEMBERS:
        return "group is full"
    del group.requests[contact.lid]
    group.members[contact.jid] = Member(contact)
    return None


def _reject(group: Group, contact: Contact) -> str | None:
    if group.requests.pop(contact.lid, None) is None:
        return "no pending join request"
    return None


ACTING = {"add": _add, "remove": _remove, "promote": _promote, "demote": _demote, "approve": _approve,
          "reject": _reject}
EVENT_OF = {"add": "joined", "remove": "left", "promote": "promoted", "demote": "demoted", "approve": "joined",
            "reject": "rejected"}


# --- the instance joins and leaves ------------------------------------------------------------------
def join(world: World, inst: Instance, group: Group) -> bool:
    """Join through an invite; returns True when it waits for an admin's approval."""
    if group.member:
        return False  # repeating a join on a group already joined answers the same
    if group.count() >= MAX_MEMBERS:
        raise ApiError(literals.JOIN_NOT_ALLOWED, "the group is full")
    if group.permissions["requireAdminApproval"]:
        return True  # the request waits on WhatsApp's side; the instance is not a member yet
    group.own = Role()
    flow.emit(world, inst, group, "joined", flow.own_entry(inst))
    return False


def leave(world: World, inst: Instance, group: Group) -> list[Group]:
    """The instance leaves ``group`` (and, for a community, the subgroups it is in); returns what it left."""
    if group.is_default_subgroup:
        raise ApiError(literals.LEAVE_NOT_ALLOWED, "leave the community instead of its announcement group")
    left = [group]
    if group.is_community:
        left += [inst.groups[s] for s in group.subgroups if s in inst.groups and inst.groups[s].member]
    for each in left:
        each.own = None
        flow.emit(world, inst, each, "left", flow.own_entry(inst), author=inst.jid)
    return left


# --- what simulated contacts do -------------------------------------------------------------------
def contact_acts(world: World, inst: Instance, group: Group, action: str, raw: str,
                 author: str | None = None) -> Contact | None:
    """A simulated contact ``join``s, ``leave``s, is ``promote``d or ``demote``d (by ``author`` or the
    creator), or ``request``s to join (a pending request when the group needs approval, else a join);
    refused with the reason when the change is impossible. Naming the
    instance's own number acts on the instance (someone adds, removes, promotes or demotes it)."""
    by = person(world, inst, author).jid if author else group.creator or inst.jid
    if _is_self(inst, raw):
        _own_acts(world, inst, group, action, by)
        return None
    contact = person(world, inst, raw)
    if action == "request" and group.permissions["requireAdminApproval"]:
        if contact.jid in group.members or contact.lid in group.requests:
            raise ApiError(literals.invalid_body_detail("already a member or already waiting"))
        group.requests[contact.lid] = JoinRequest(contact, world.now())
        return contact
    action = "join" if action == "request" else action  # an open group takes the requester at once
    acting = {"join": _add, "leave": _remove, "promote": _promote, "demote": _demote}[action]
    error = acting(group, contact) if action != "leave" else _leave_self(group, contact)
    if error is not None:
        raise ApiError(literals.invalid_body_detail(error))
    kind = {"join": "joined", "leave": "left", "promote": "promoted", "demote": "demoted"}[action]
    if group.member:
        author_of = {"join": None, "leave": contact.jid}.get(action, by)
        flow.emit(world, inst, group, kind, [flow.entry(contact)], author=author_of)
    return contact


def _leave_self(group: Group, contact: Contact) -> str | None:
    if contact.jid not in group.members:
        return "not a member"
    del group.members[contact.jid]
    return None


def _is_self(inst: Instance, raw: str) -> bool:
    try:
        parsed = str(jid.identity(jid.parse(raw)))
    except jid.InvalidRecipient:
        return False
    return bool(inst.jid) and parsed in (inst.jid, inst.lid)


def _own_acts(world: World, inst: Instance, group: Group, action: str, by: str | None) -> None:
    """Someone else changes the instance's own membership."""
    own = group.own
    refusal = {"join": own is not None, "leave": own is None, "promote": own is None or own.admin,
               "demote": own is None or not own.admin or group.creator is None, "request": True}[action]
    if refusal:
        raise ApiError(literals.invalid_body_detail(f"the instance cannot {action} here"))
    if action == "join":
        group.own = Role()
    elif action == "leave":
        group.own = None
    else:
        assert own is not None
        own.admin = action == "promote"
        own.super_admin = False
    kind = {"join": "joined", "leave": "left", "promote": "promoted", "demote": "demoted"}[action]
    flow.emit(world, inst, group, kind, flow.own_entry(inst), author=by)
