"""A Hypothesis state machine over one group's membership, driven through the API and the control plane.

The instance creates a group, then adds, removes, promotes and demotes contacts (API); contacts join,
leave, get promoted or ask to join (control plane); the instance approves requests, leaves and comes
back through the invite link. After every step, against a model: the participants and their roles
(``GET /api/group/info``) are the model's, admins ⊆ participants, the creator (the instance) is
super-admin for as long as it is in the group, ``participantCount`` and the list's ``memberCount``
match, and every group.flow so far is valid. A refused request changes nothing.

Budget: ``MOCKRYZE_GROUP_STATE_EXAMPLES`` (default 15) runs of up to ``MOCKRYZE_GROUP_STATE_STEPS`` (20) steps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockryze.core import schemas
from mockryze.core.errors import ApiError
from mockryze.testing.api import MockRyze

EXAMPLES = int(os.environ.get("MOCKRYZE_GROUP_STATE_EXAMPLES", "15"))
STEPS = int(os.environ.get("MOCKRYZE_GROUP_STATE_STEPS", "20"))
PEOPLE = ("5511911110001", "5511911110002", "5511911110003", "5511911110004", "5511911110005")
people = st.sampled_from(PEOPLE)


def jid_of(number: str) -> str:
    return f"{number}@s.whatsapp.net"


@dataclass
class Model:
    me: str
    member: bool = True
    creator: bool = True  # the instance created the group and has not left it since (super-admin)
    approval: bool = False  # requireAdminApproval: a contact's request waits, so does the instance's join
    members: dict[str, bool] = field(default_factory=dict)  # contact JID -> admin
    requests: set[str] = field(default_factory=set)  # contact JIDs waiting for approval


class Membership(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.ryze = MockRyze(seed=3)
        self.ryze.create_instance("sales", connected=True)
        self.headers = {"token": self.ryze.account_token}
        self.model = Model(me=str(self.ryze.instance("sales")["numberJid"]))
        created = self.api("POST", "create", json={"name": "Squad", "participants": list(PEOPLE[:2])})
        assert created.status_code == 201
        self.group = created.json()["group"]["jid"]
        self.model.members = {jid_of(p): False for p in PEOPLE[:2]}

    def teardown(self) -> None:
        if hasattr(self, "ryze"):
            self.ryze.close()

    def api(self, method: str, route: str, **kwargs: Any) -> Any:
        response = self.ryze.client.request(method, f"/api/group/{route}/sales", headers=self.headers, **kwargs)
        assert response.status_code < 500, response.text
        schemas.validate("common/error" if response.status_code >= 400 else
                         {"create": "groups/create.response", "participants": "groups/participants.response",
                          "leave": "groups/leave.response", "join": "groups/join.response",
                          "info": "groups/info.response", "list": "groups/list.response"}[route], response.json())
        return response

    def act(self, action: str, number: str) -> dict[str, Any]:
        """One participant action; a plain member (the creator came back through the link) is refused
        with 403 as a whole, which the model reads as an item that did not succeed."""
        before = self.ryze.group("sales", self.group)
        response = self.api("POST", "participants", json={"action": action, "identifier": self.group,
                                                          "participants": [number]})
        if not self.model.creator:
            assert response.status_code == 403, response.text
            assert self.ryze.group("sales", self.group) == before
            return {"success": False, "refused": True}
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["participants"][0]
        return result

    # --- the instance, through the API ----------------------------------------------------------
    @precondition(lambda self: self.model.member)
    @rule(number=people)
    def add(self, number: str) -> None:
        result = self.act("add", number)
        ok = result["success"]
        assert ok == (jid_of(number) not in self.model.members) or "refused" in result
        if ok:
            self.model.members[jid_of(number)] = False
            self.model.requests.discard(jid_of(number))

    @precondition(lambda self: self.model.member)
    @rule(number=people)
    def remove(self, number: str) -> None:
        result = self.act("remove", number)
        assert result["success"] == (jid_of(number) in self.model.members) or "refused" in result
        if result["success"]:
            del self.model.members[jid_of(number)]

    @precondition(lambda self: self.model.member)
    @rule(number=people, promote=st.booleans())
    def change_role(self, number: str, promote: bool) -> None:
        result = self.act("promote" if promote else "demote", number)
        ok = result["success"]
        admin = self.model.members.get(jid_of(number))
        assert ok == (admin is not None and admin != promote) or "refused" in result
        if ok:
            self.model.members[jid_of(number)] = promote

    @precondition(lambda self: self.model.member)
    @rule(number=people)
    def approve(self, number: str) -> None:
        result = self.act("approve", number)
        ok = result["success"]
        assert ok == (jid_of(number) in self.model.requests) or "refused" in result
        if ok:
            self.model.requests.discard(jid_of(number))
            self.model.members[jid_of(number)] = False

    @precondition(lambda self: self.model.member)
    @rule()
    def leave(self) -> None:
        assert self.api("DELETE", "leave", params={"identifier": self.group}).status_code == 200
        self.model.member = self.model.creator = False

    @precondition(lambda self: self.model.creator)
    @rule(approval=st.booleans())
    def set_approval(self, approval: bool) -> None:
        body = {"identifier": self.group, "groupSettings": {"requireAdminApproval": approval}}
        assert self.ryze.client.put("/api/group/update/sales", headers=self.headers, json=body).status_code == 200
        self.model.approval = approval

    @precondition(lambda self: not self.model.member)
    @rule()
    def come_back(self) -> None:
        link = self.ryze.group("sales", self.group)["inviteLink"]
        waits = self.api("POST", "join", json={"identifier": link}).json()["requiresApproval"]
        assert waits == self.model.approval
        self.model.member = not waits

    # --- contacts, through the control plane ----------------------------------------------------
    @rule(number=people, action=st.sampled_from(("join", "leave", "promote", "request")))
    def contact(self, number: str, action: str) -> None:
        admin = self.model.members.get(jid_of(number))
        sent = action
        if action == "request" and not self.model.approval:
            action = "join"  # an open group takes the requester at once
        possible = {"join": admin is None, "leave": admin is not None, "promote": admin is False,
                    "request": admin is None and jid_of(number) not in self.model.requests}[action]
        try:
            self.ryze.group_member("sales", self.group, number, sent)
        except ApiError:
            assert not possible
            return
        assert possible
        if action == "join":
            self.model.members[jid_of(number)] = False
            self.model.requests.discard(jid_of(number))
        elif action == "leave":
            del self.model.members[jid_of(number)]
        elif action == "promote":
            self.model.members[jid_of(number)] = True
        else:
            self.model.requests.add(jid_of(number))

    # --- invariants -----------------------------------------------------------------------------
    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "group"):
            return
        seen = self.ryze.group("sales", self.group)
        assert seen["member"] == self.model.member
        assert {p: p in seen["admins"] for p in seen["participants"]} == self.model.members
        assert set(seen["admins"]) <= set(seen["participants"])
        assert seen["count"] == len(self.model.members) + self.model.member
        if not self.model.member:
            assert self.api("GET", "info", params={"identifier": self.group}).status_code == 404
            return
        detail = self.api("GET", "info", params={"identifier": self.group}).json()["group"]
        roles = {p["jid"]: (p["isAdmin"], p["isSuperAdmin"]) for p in detail["participants"]}
        # The creator stays super-admin until it leaves; back through the link, it is a plain member.
        assert roles[self.model.me] == ((True, True) if self.model.creator else (False, False))
        assert {k: v[0] for k, v in roles.items() if k != self.model.me} == self.model.members
        assert all(admin for admin, superior in roles.values() if superior)
        assert detail["participantCount"] == len(detail["participants"]) == len(self.model.members) + 1
        listed = self.api("GET", "list").json()["groups"]
        assert [g["memberCount"] for g in listed] == [detail["participantCount"]]

    @invariant()
    def events_are_valid(self) -> None:
        if hasattr(self, "ryze"):
            for envelope in self.ryze.events("sales", "group.flow"):
                schemas.validate_event(envelope)


Membership.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                                        suppress_health_check=list(HealthCheck))
TestMembership = Membership.TestCase
