"""A Hypothesis state machine over the public API and the control plane, against a simple model.

Two accounts create and delete instances, connect them (QR or pairing code), have the phone scan,
log out, reconnect, get banned, disconnected or recovered (``/__mock__/.../state``), configure
webhooks aimed at the capture inbox, send and receive text messages, read a sent message's delivery
state and the stored message (``/api/chat/status``, ``/api/chat/getMessage``), rename the instance
(``POST /api/profile/account``), and move the clock. Every
request goes through ``ryze.client`` (the real app over HTTP semantics).

After every step: each account's ``GET /api/instance/list`` is the model (names and
``connection.state``); webhooks, stored messages and profile names are the model's; every recorded event is
valid and belongs to the instance it names; instance tokens see only their instance and another
account's token finds nothing; the event journal only grows. A refused request changes nothing.

Budget: ``MOCKRYZE_STATEFUL_EXAMPLES`` (default 50) runs of up to ``MOCKRYZE_STATEFUL_STEPS`` (30) steps.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockryze.core import literals, schemas
from mockryze.instance.lifecycle import State
from mockryze.testing.api import MockRyze

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("MOCKRYZE_STATEFUL_EXAMPLES", "50"))
STEPS = int(os.environ.get("MOCKRYZE_STATEFUL_STEPS", "30"))

ACCOUNTS = ("a", "b")
NAMES = ("alpha", "beta", "gamma")  # the same names in both accounts: isolation is by account
LABELS = ("default", "crm", "ops", "audit")  # four labels for a limit of three enabled webhooks
NUMBERS = ("5511987654321", "5521912345678")
QR_TIMEOUT = 60.0  # Settings.qr_timeout_seconds
LIST = "/api/instance/list"
UNKNOWN_TOKEN = "stateful-unknown-token"

accounts = st.sampled_from(ACCOUNTS)
names = st.sampled_from(NAMES)
# Either token an owner holds: the account's TokenAccount or the instance's own TokenInstance.
owner_kinds = st.sampled_from(("account", "instance"))


@dataclass
class Model:
    token: str
    state: State = State.DISCONNECTED
    session: bool = False
    waiting_since: float | None = None  # virtual time of the last connect (the QR expires 60 s later)
    webhooks: dict[str, bool] = field(default_factory=dict)  # label -> enabled
    messages: int = 0
    profile_name: str | None = None  # set by POST /api/profile/account; None: the name the phone paired with
    sent: dict[str, int] = field(default_factory=dict)  # our sent message ids -> furthest status code seen
    # chat module: label id -> deleted; chat JID -> its label ids / unread count; blocked JIDs
    labels: dict[str, bool] = field(default_factory=dict)
    chat_labels: dict[str, set[str]] = field(default_factory=dict)
    unread: dict[str, int] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)

    @property
    def rest(self) -> str:
        return self.state.rest


class RyzeMachine(RuleBasedStateMachine):
    # (account, name) pairs that were created: most rules aim at them (deleted ones stay: 404 paths).
    instances = Bundle("instances")

    def __init__(self) -> None:
        super().__init__()
        self.ryze = MockRyze(seed=3)
        self.http = self.ryze.client
        self.account_tokens = {"a": self.ryze.account_token, "b": self.ryze.new_account()}
        self.model: dict[str, dict[str, Model]] = {a: {} for a in ACCOUNTS}
        self.ever: dict[str, set[tuple[str, str]]] = {a: set() for a in ACCOUNTS}  # (name, token) that existed
        self.journal: dict[str, list[dict[str, Any]]] = {a: [] for a in ACCOUNTS}
        self.now = self.ryze.world.now()

    def teardown(self) -> None:
        self.ryze.close()

    # --- helpers ------------------------------------------------------------------------------
    def call(self, method: str, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
        headers = {"token": token} if token is not None else {}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.headers["content-type"].startswith("application/json"), response.text
        if response.status_code >= 400:
            schemas.validate("common/error", response.json())
        return response

    def token_for(self, account: str, name: str, kind: str) -> str:
        found = self.model[account].get(name)
        return found.token if kind == "instance" and found is not None else self.account_tokens[account]

    def snapshot(self) -> Any:
        """Everything a refused request must leave alone: both accounts' lists (over HTTP), their
        event records, stored messages and webhooks (read through the Python API, which is cheaper)."""
        taken = []
        for account in ACCOUNTS:
            token = self.account_tokens[account]
            taken.append(self.call("GET", LIST, token).json())
            taken.append(len(self.ryze.events(account_token=token)))
            for name in sorted(self.model[account]):
                taken.append(self.ryze.messages(name, account_token=token))
                found = self.ryze.world.accounts[token].instances[name]
                taken.append({label: row.view() for label, row in found.webhooks.items()})
        return taken

    @staticmethod
    def record(method: str, path: str, response: httpx.Response) -> None:
        """What the rules did, for ``--hypothesis-show-statistics``."""
        event(f"{method} {re.sub('|'.join(NAMES), '{name}', path)} -> {response.status_code}")

    def expect_refusal(self, literal: literals.ErrorLiteral, method: str, path: str, token: str | None,
                       **kwargs: Any) -> None:
        before = self.snapshot()
        response = self.call(method, path, token, **kwargs)
        self.record(method, path, response)
        assert (response.status_code, response.json()["error"]["message"]) == literal, (
            f"{method} {path}: expected {literal}, got {response.status_code} {response.text}")
        assert self.snapshot() == before, f"refused {method} {path} changed the world"

    def expect_ok(self, status: int, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, path, token, **kwargs)
        self.record(method, path, response)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        body: dict[str, Any] = response.json()
        return body

    def missing(self, account: str, name: str, method: str, path: str, kind: str = "account",
                **kwargs: Any) -> bool:
        """Aimed at a name the account does not have: 404, nothing changes. True if it was missing."""
        if name in self.model[account]:
            return False
        self.expect_refusal(literals.INSTANCE_NOT_FOUND, method, path, self.account_tokens[account], **kwargs)
        return True

    # --- instance lifecycle (public API) -------------------------------------------------------
    @rule(target=instances, account=accounts, name=names)
    def create(self, account: str, name: str) -> tuple[str, str]:
        path = "/api/instance/new"
        if name in self.model[account]:
            self.expect_refusal(literals.INSTANCE_NAME_TAKEN, "POST", path, self.account_tokens[account],
                                json={"name": name})
            return account, name
        body = self.expect_ok(201, "POST", path, self.account_tokens[account], json={"name": name})
        token = body["instance"]["token"]
        self.model[account][name] = Model(token)
        self.ever[account].add((name, token))
        return account, name

    # Every run starts with an instance in each account, one of them connected (then anything goes).
    @initialize(target=instances, name=names)
    def first_instance(self, name: str) -> tuple[str, str]:
        return self.create("a", name)

    @initialize(target=instances, name=names)
    def first_connected_instance(self, name: str) -> tuple[str, str]:
        which = self.create("b", name)
        self.pair(which)
        return which

    @rule(account=accounts, name=names)
    def missing_name(self, account: str, name: str) -> None:
        """Any name, existing or not, read with the account token (404 where it does not exist)."""
        path = f"/api/instance/getSettings/{name}"
        if not self.missing(account, name, "GET", path):
            self.expect_ok(200, "GET", path, self.account_tokens[account])

    @rule(which=instances, kind=owner_kinds)
    def delete(self, which: tuple[str, str], kind: str) -> None:
        account, name = which
        path = f"/api/instance/delete/{name}"
        if self.missing(account, name, "DELETE", path):
            return
        if kind == "instance":  # only the TokenAccount deletes
            self.expect_refusal(literals.INVALID_TOKEN, "DELETE", path, self.token_for(account, name, kind))
            return
        self.expect_ok(200, "DELETE", path, self.account_tokens[account])
        del self.model[account][name]

    @rule(which=instances, kind=owner_kinds, pairing=st.booleans())
    def connect(self, which: tuple[str, str], kind: str, pairing: bool) -> None:
        account, name = which
        path = f"/api/instance/connect/{name}"
        params = {"number": NUMBERS[0]} if pairing else {}
        if self.missing(account, name, "GET", path, params=params):
            return
        body = self.expect_ok(200, "GET", path, self.token_for(account, name, kind), params=params)
        found = self.model[account][name]
        if found.state is State.CONNECTED:
            assert body["message"] == literals.ALREADY_CONNECTED
            return
        assert ("pairingCode" if pairing else "qrCode") in body
        found.state, found.waiting_since = State.WAITING, self.now

    @rule(which=instances)
    def pair(self, which: tuple[str, str]) -> None:
        """Connect and have the phone scan the QR code straight away."""
        self.connect(which, "account", pairing=False)
        self.scan(which)

    @rule(which=instances, kind=owner_kinds)
    def logout(self, which: tuple[str, str], kind: str) -> None:
        account, name = which
        path = f"/api/instance/logout/{name}"
        if self.missing(account, name, "DELETE", path):
            return
        self.expect_ok(200, "DELETE", path, self.token_for(account, name, kind))
        found = self.model[account][name]
        found.state, found.session = State.LOGGED_OUT, False

    @rule(which=instances, kind=owner_kinds)
    def reconnect(self, which: tuple[str, str], kind: str) -> None:
        account, name = which
        path = f"/api/instance/reconnect/{name}"
        if self.missing(account, name, "POST", path):
            return
        found = self.model[account][name]
        token = self.token_for(account, name, kind)
        if not found.session or found.state is State.LOGGED_OUT:
            self.expect_refusal(literals.NO_SAVED_SESSION, "POST", path, token)
            return
        self.expect_ok(200, "POST", path, token)
        found.state = State.CONNECTED  # reconnect_delay 0: connected by the next request

    # --- the phone / WhatsApp side (control plane) --------------------------------------------
    @rule(which=instances)
    def scan(self, which: tuple[str, str]) -> None:
        account, name = which
        path = f"/__mock__/instances/{name}/scan"
        if self.missing(account, name, "POST", path, json={}):
            return
        found = self.model[account][name]
        if found.state is not State.WAITING:
            self.expect_refusal(literals.MOCK_NOTHING_PENDING, "POST", path, self.account_tokens[account], json={})
            return
        self.expect_ok(200, "POST", path, self.account_tokens[account], json={})
        found.state, found.session, found.profile_name = State.CONNECTED, True, None  # a pairing names it anew

    @rule(which=instances, change=st.sampled_from(("logged_out", "temp_banned", "disconnected",
                                                                 "connected")))
    def set_state(self, which: tuple[str, str], change: str) -> None:
        account, name = which
        path = f"/__mock__/instances/{name}/state"
        if self.missing(account, name, "POST", path, json={"state": change}):
            return
        found = self.model[account][name]
        allowed, new = self.phone_side(found, change)
        if not allowed:
            self.expect_refusal(literals.MOCK_ILLEGAL_STATE, "POST", path, self.account_tokens[account],
                                json={"state": change})
            return
        self.expect_ok(200, "POST", path, self.account_tokens[account], json={"state": change})
        found.state = new
        if new is State.LOGGED_OUT:
            found.session = False

    @staticmethod
    def phone_side(found: Model, target: str) -> tuple[bool, State]:
        """The model's reading of the lifecycle table for a phone-side change."""
        s, session = found.state, found.session
        if target == "logged_out":
            return True, State.LOGGED_OUT  # idempotent
        if target == "temp_banned":
            return s in (State.CONNECTED, State.DISCONNECTED) and session, State.TEMP_BANNED
        if target == "disconnected":
            return s is State.CONNECTED, State.DISCONNECTED
        return s in (State.DISCONNECTED, State.TEMP_BANNED) and session, State.CONNECTED

    @rule(seconds=st.sampled_from((1, 19, 20, 45, 59, 60, 61, 120)))
    def advance(self, seconds: int) -> None:
        self.expect_ok(200, "POST", "/__mock__/clock", self.account_tokens["a"], json={"advance": seconds})
        self.now += seconds
        for instances in self.model.values():
            for found in instances.values():
                if found.state is State.WAITING and found.waiting_since is not None \
                        and self.now - found.waiting_since >= QR_TIMEOUT:
                    found.state = State.DISCONNECTED

    # --- webhooks and messages -----------------------------------------------------------------
    @rule(which=instances, kind=owner_kinds, label=st.sampled_from(LABELS), enabled=st.booleans())
    def webhook(self, which: tuple[str, str], kind: str, label: str, enabled: bool) -> None:
        account, name = which
        path = f"/api/events/webhook/{name}"
        body = {"label": label, "enabled": enabled, "url": self.ryze.inbox_url(f"{account}-{name}-{label}")}
        if self.missing(account, name, "POST", path, json=body):
            return
        found = self.model[account][name]
        token = self.token_for(account, name, kind)
        others = [k for k, on in found.webhooks.items() if on and k != label]
        if enabled and len(others) >= 3:
            self.expect_refusal(literals.WEBHOOK_LIMIT, "POST", path, token, json=body)
            return
        answer = self.expect_ok(200, "POST", path, token, json=body)
        assert answer["webhook"]["label"] == label and answer["webhook"]["enabled"] is enabled
        found.webhooks[label] = enabled

    @rule(which=instances, kind=owner_kinds, number=st.sampled_from(NUMBERS))
    def send_text(self, which: tuple[str, str], kind: str, number: str) -> None:
        account, name = which
        path = f"/api/message/text/{name}"
        body = {"number": number, "message": f"hello {number}"}
        if self.missing(account, name, "POST", path, json=body):
            return
        found = self.model[account][name]
        token = self.token_for(account, name, kind)
        if found.state is not State.CONNECTED:
            self.expect_refusal(literals.NOT_CONNECTED, "POST", path, token, json=body)
            return
        answer = self.expect_ok(200, "POST", path, token, json=body)
        assert answer["message"] == literals.MESSAGE_SENT
        found.messages += 1
        found.sent[answer["data"]["messageId"]] = 1  # `sent`

    @precondition(lambda self: any(m.sent for models in self.model.values() for m in models.values()))
    @rule(data=st.data(), kind=owner_kinds)
    def message_status(self, data: st.DataObject, kind: str) -> None:
        """A sent message's delivery state (any connection) and the stored message (connected only):
        the same state in both, and it never goes back."""
        account, name = data.draw(st.sampled_from(sorted(
            (a, n) for a, models in self.model.items() for n, m in models.items() if m.sent)))
        found = self.model[account][name]
        message_id = data.draw(st.sampled_from(sorted(found.sent)))
        token = self.token_for(account, name, kind)
        status = self.expect_ok(200, "GET", f"/api/chat/status/{name}", token, params={"messageId": message_id})
        schemas.validate("chat/status.response", status)
        assert status["direction"] == "sent" and status["status"] in ("sent", "delivered", "read")
        assert status["status_code"] >= found.sent[message_id], "the delivery state went back"
        found.sent[message_id] = status["status_code"]
        path = f"/api/chat/getMessage/{name}"
        if found.state is not State.CONNECTED:
            self.expect_refusal(literals.NOT_CONNECTED, "GET", path, token, params={"messageId": message_id})
            return
        stored = self.expect_ok(200, "GET", path, token, params={"messageId": message_id})
        schemas.validate("chat/getMessage.response", stored)
        assert stored["data"]["status"] == status["status"] and stored["data"]["fromMe"] is True

    @rule(which=instances, number=st.sampled_from(NUMBERS))
    def inbound(self, which: tuple[str, str], number: str) -> None:
        account, name = which
        path = f"/__mock__/instances/{name}/inbound"
        body = {"from": number, "type": "text", "text": "hi there"}
        if self.missing(account, name, "POST", path, json=body):
            return
        found = self.model[account][name]
        if found.state is not State.CONNECTED:
            self.expect_refusal(literals.NOT_CONNECTED, "POST", path, self.account_tokens[account], json=body)
            return
        if f"{number}@s.whatsapp.net" in found.blocked:  # WhatsApp drops it: nothing stored, no event
            before = len(self.ryze.events(account_token=self.account_tokens[account]))
            answer = self.expect_ok(200, "POST", path, self.account_tokens[account], json=body)
            assert answer["dropped"] is True
            assert len(self.ryze.events(account_token=self.account_tokens[account])) == before
            return
        answer = self.expect_ok(201, "POST", path, self.account_tokens[account], json=body)
        assert answer["ignored"] is False
        found.messages += 1
        chat = f"{number}@s.whatsapp.net"
        found.unread[chat] = found.unread.get(chat, 0) + 1

    # --- chat state: labels, read marks, blocking ----------------------------------------------
    def connected_or_refused(self, account: str, name: str, method: str, path: str, token: str,
                             **kwargs: Any) -> Model | None:
        """The instance's model when the chat route can act; else its refusal (404 / 503) was checked."""
        if self.missing(account, name, method, path, **kwargs):
            return None
        found = self.model[account][name]
        if found.state is not State.CONNECTED:
            self.expect_refusal(literals.NOT_CONNECTED, method, path, token, **kwargs)
            return None
        return found

    @rule(which=instances, kind=owner_kinds, color=st.integers(-2, 12))
    def create_tag(self, which: tuple[str, str], kind: str, color: int) -> None:
        account, name = which
        path, token = f"/api/chat/tag/{name}", self.token_for(account, name, kind)
        body = {"name": f"label {color}", "color": color}
        found = self.connected_or_refused(account, name, "POST", path, token, json=body)
        if found is None:
            return
        tag = self.expect_ok(200, "POST", path, token, json=body)["tag"]
        assert tag["id"] == str(len(found.labels) + 1) and tag["color"] == (color if 0 <= color <= 10 else 0)
        found.labels[tag["id"]] = False

    @rule(which=instances, data=st.data())
    def delete_tag(self, which: tuple[str, str], data: st.DataObject) -> None:
        account, name = which
        found = self.model[account].get(name)
        tag = data.draw(st.sampled_from([*sorted(found.labels), "99"] if found else ["1"]))
        path, token = f"/api/chat/tag/{name}", self.account_tokens[account]
        if self.connected_or_refused(account, name, "DELETE", path, token, params={"tagId": tag}) is None:
            return
        assert found is not None
        if tag not in found.labels:
            self.expect_refusal(literals.TAG_NOT_FOUND, "DELETE", path, token, params={"tagId": tag})
            return
        self.expect_ok(200, "DELETE", path, token, params={"tagId": tag})
        found.labels[tag] = True
        for labels in found.chat_labels.values():
            labels.discard(tag)

    @rule(which=instances, number=st.sampled_from(NUMBERS), on=st.booleans(), data=st.data())
    def assign_tag(self, which: tuple[str, str], number: str, on: bool, data: st.DataObject) -> None:
        account, name = which
        found = self.model[account].get(name)
        tag = data.draw(st.sampled_from([*sorted(found.labels), "99"] if found else ["1"]))
        path, token = f"/api/chat/assignTag/{name}", self.account_tokens[account]
        method, request = ("POST", {"json": {"number": number, "tagId": tag}}) if on else \
            ("DELETE", {"params": {"number": number, "tagId": tag}})
        if self.connected_or_refused(account, name, method, path, token, **request) is None:
            return
        assert found is not None
        if found.labels.get(tag, True):  # unknown or deleted
            self.expect_refusal(literals.TAG_NOT_FOUND, method, path, token, **request)
            return
        self.expect_ok(200, method, path, token, **request)
        labels = found.chat_labels.setdefault(f"{number}@s.whatsapp.net", set())
        (labels.add if on else labels.discard)(tag)

    @rule(which=instances, number=st.sampled_from(NUMBERS))
    def mark_chat_read(self, which: tuple[str, str], number: str) -> None:
        account, name = which
        path, token = f"/api/chat/markChatRead/{name}", self.account_tokens[account]
        body = {"number": number, "read": True}
        found = self.connected_or_refused(account, name, "POST", path, token, json=body)
        if found is None:
            return
        self.expect_ok(200, "POST", path, token, json=body)
        found.unread.pop(f"{number}@s.whatsapp.net", None)

    @rule(which=instances, number=st.sampled_from(NUMBERS), on=st.booleans())
    def block(self, which: tuple[str, str], number: str, on: bool) -> None:
        account, name = which
        path, token = f"/api/chat/block/{name}", self.account_tokens[account]
        body = {"number": number, "block": on}
        found = self.connected_or_refused(account, name, "POST", path, token, json=body)
        if found is None:
            return
        (found.blocked.add if on else found.blocked.discard)(f"{number}@s.whatsapp.net")
        answer = self.expect_ok(200, "POST", path, token, json=body)
        assert answer["blocked_count"] == len(found.blocked)

    @rule(which=instances, kind=owner_kinds, profile_name=st.sampled_from(("Loja Centro", "Sales Desk")))
    def rename(self, which: tuple[str, str], kind: str, profile_name: str) -> None:
        account, name = which
        path = f"/api/profile/account/{name}"
        body = {"profileName": profile_name}
        if self.missing(account, name, "POST", path, json=body):
            return
        found = self.model[account][name]
        token = self.token_for(account, name, kind)
        if found.state is not State.CONNECTED:
            self.expect_refusal(literals.PROFILE_NOT_CONNECTED, "POST", path, token, json=body)
            return
        answer = self.expect_ok(200, "POST", path, token, json=body)
        if found.profile_name is not None:
            assert answer["updatedFields"] == ([] if found.profile_name == profile_name else ["profileName"])
        found.profile_name = profile_name

    # --- tokens that must be refused -----------------------------------------------------------
    @precondition(lambda self: any(self.model.values()))
    @rule(data=st.data(), route=st.sampled_from((
        ("GET", "/api/instance/getSettings/{}"), ("GET", "/api/instance/connect/{}"),
        ("DELETE", "/api/instance/logout/{}"), ("POST", "/api/instance/reconnect/{}"),
        ("GET", "/api/events/getWebhook/{}"))))
    def foreign_token(self, data: st.DataObject, route: tuple[str, str]) -> None:
        account = data.draw(st.sampled_from([a for a in ACCOUNTS if self.model[a]]))
        name = data.draw(st.sampled_from(sorted(self.model[account])))
        method, template = route
        path = template.format(name)
        other = "b" if account == "a" else "a"
        siblings = [m.token for n, m in self.model[account].items() if n != name]
        if siblings:
            self.expect_refusal(literals.TOKEN_INSTANCE_MISMATCH, method, path, data.draw(st.sampled_from(siblings)))
        if name not in self.model[other]:  # (where the other account has that name too, it is its own)
            self.expect_refusal(literals.INSTANCE_NOT_FOUND, method, path, self.account_tokens[other])
            strangers = [m.token for m in self.model[other].values()]
            if strangers:  # another account's TokenInstance finds nothing here
                self.expect_refusal(literals.INSTANCE_NOT_FOUND, method, path, data.draw(st.sampled_from(strangers)))
        self.expect_refusal(literals.INVALID_TOKEN, method, path, data.draw(st.sampled_from((UNKNOWN_TOKEN, None))))

    # --- invariants ----------------------------------------------------------------------------
    @invariant()
    def lists_match_the_model(self) -> None:
        for account in ACCOUNTS:
            response = self.call("GET", LIST, self.account_tokens[account])
            schemas.validate("instance/list.response", response.json())
            listed = {item["name"]: item["connection"]["state"] for item in response.json()["instances"]}
            assert listed == {n: m.rest for n, m in self.model[account].items()}, account
            tokens = {item["name"]: item["token"] for item in response.json()["instances"]}
            assert tokens == {n: m.token for n, m in self.model[account].items()}
            profiles = {item["name"]: item["profile"]["name"] for item in response.json()["instances"]}
            assert all(profiles[n] == m.profile_name for n, m in self.model[account].items() if m.profile_name)

    @invariant()
    def instance_tokens_see_only_their_instance(self) -> None:
        for account in ACCOUNTS:
            for name, found in self.model[account].items():
                items = self.call("GET", LIST, found.token).json()["instances"]
                assert [(i["name"], i["token"]) for i in items] == [(name, found.token)]

    @invariant()
    def webhooks_and_messages_match_the_model(self) -> None:
        for account in ACCOUNTS:
            token = self.account_tokens[account]
            for name, found in self.model[account].items():
                rows = self.call("GET", f"/api/events/getWebhook/{name}", token).json()["webhooks"]
                assert {r["label"]: r["enabled"] for r in rows} == found.webhooks
                stored = self.call("GET", f"/__mock__/instances/{name}/messages", token).json()
                assert stored["count"] == found.messages

    @invariant()
    def chat_state_matches_the_model(self) -> None:
        for account in ACCOUNTS:
            token = self.account_tokens[account]
            for name, found in self.model[account].items():
                labels = self.call("GET", f"/__mock__/instances/{name}/labels", token).json()["labels"]
                assert {label["id"]: label["deleted"] for label in labels} == found.labels
                chats = self.call("GET", f"/__mock__/instances/{name}/chats", token).json()["chats"]
                assert {c["jid"]: c["unreadCount"] for c in chats if c["unreadCount"]} == \
                    {jid: n for jid, n in found.unread.items() if n}
                assert {c["jid"]: set(c["labels"]) for c in chats if c["labels"]} == \
                    {jid: ids for jid, ids in found.chat_labels.items() if ids}

    @invariant()
    def events_are_valid_owned_and_append_only(self) -> None:
        for account in ACCOUNTS:
            envelopes = self.call("GET", "/__mock__/events", self.account_tokens[account]).json()["events"]
            previous = self.journal[account]
            assert envelopes[: len(previous)] == previous, "the event journal was rewritten"
            for envelope in envelopes[len(previous):]:
                schemas.validate_event(envelope)
                owner = (envelope["instanceData"]["instance"], envelope["instanceData"]["token"])
                assert owner in self.ever[account], f"{owner} is not an instance of account {account}"
                if envelope["event"] == "instance.state":
                    assert envelope["data"]["instance"] == owner[0]
            self.journal[account] = envelopes


RyzeMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=False, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestRyzeMachine = RyzeMachine.TestCase
