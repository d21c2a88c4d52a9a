"""One control interface, two ways to reach it.

:class:`Control` holds every mock verb once, with its signature. Each verb is a row of the control
plane (:class:`mockryze.http.verbs.Verb`): :class:`LocalControl` runs the row's code on a world in
this process (the same code, and the same validation, as the ``/__mock__`` route), and
:class:`RemoteControl` sends the row's request to a running server. ``MockRyze`` and
``RemoteRyze`` are these two, so their verbs cannot drift apart.
"""

from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

import httpx

from mockryze.core import schemas
from mockryze.core.accounts import caller_for, require_account_token, target_instance
from mockryze.core.bus import lookup, wait_until
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.core.world import World
from mockryze.events.channels import Channels
from mockryze.http.auth import CONTROL_TOKEN_HEADER
from mockryze.http.envelope import DETAIL_HEADER
from mockryze.http.verbs import MOCK_PREFIX, Call

Payload = dict[str, Any]
Signal = Literal["events", "deliveries"]  # what a wait is woken by
POLL_SECONDS = 0.02  # how often a remote wait asks again


class Instance(NamedTuple):
    """An instance as a test holds it: its name and its TokenInstance."""

    name: str
    token: str


class ControlRefused(ApiError, AssertionError):
    """The server refused a control call (an ``ApiError`` locally; an ``AssertionError`` in a test)."""


def _present(**fields: Any) -> dict[str, Any]:
    """The JSON arguments of a call: the fields that were given."""
    return {k: v for k, v in fields.items() if v is not None}


class Control(ABC):
    """The mock-only verbs, reached in-process (:class:`LocalControl`) or over HTTP (:class:`RemoteControl`).

    Instance-scoped verbs act for ``account_token`` (a TokenAccount or a TokenInstance) when given,
    else for this control's own account.
    """

    @property
    @abstractmethod
    def account_token(self) -> str: ...

    @property
    @abstractmethod
    def base_url(self) -> str: ...

    @abstractmethod
    def invoke(self, verb: str, params: dict[str, str], args: dict[str, Any],
               account_token: str | None = None) -> tuple[int, Payload]:
        """Run one control-plane verb; refusals raise :class:`ApiError`."""

    @abstractmethod
    def _wait(self, signal: Signal, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block (real time, at most ``timeout``) until ``predicate()`` holds."""

    def _result(self, verb: str, params: dict[str, str], args: dict[str, Any],
                account_token: str | None = None) -> Any:
        from mockryze.modules import VERBS

        _, payload = self.invoke(verb, params, args, account_token)
        member = VERBS[verb].result
        return payload if member is None else payload.get(member)

    # --- the emulated API's own verbs, as a shortcut -----------------------------------------
    @abstractmethod
    def create_instance(self, name: str, *, account_token: str | None = None, connected: bool = False,
                        number: str | None = None, **inline: Any) -> Instance:
        """Create an instance exactly as ``POST /api/instance/new`` would (same rules, same events).

        ``inline`` takes the API's body fields (``webhookURL=...``, ``autoRejectCalls=True``…).
        ``connected=True`` also connects it and scans the QR code.
        """

    @abstractmethod
    def connect(self, name: str, number: str | None = None, *, account_token: str | None = None) -> str:
        """Start a connect attempt; returns the QR payload (or the pairing code with ``number``)."""

    # --- the world --------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty the world (on a server: every account's); the default account and its token stay."""
        self.invoke("reset", {}, {})

    def new_account(self, token: str | None = None, instance_limit: int | None = None, *,
                    strict_fields: bool | None = None, quirks: dict[str, str] | None = None) -> str:
        """An isolated account (``strict_fields``: unknown body keys refused with 400; ``quirks``: its own
        values over the server's, e.g. ``{"reply_field": "off"}``); returns its TokenAccount."""
        args = _present(token=token, instanceLimit=instance_limit, strictFields=strict_fields, quirks=quirks)
        return str(self._result("new_account", {}, args))

    def quirks(self, *, account_token: str | None = None) -> dict[str, Payload]:
        """Each quirk by name: its ``value`` for the account, ``setBy`` (profile, server or account), its
        value in each profile and the alternatives with their sources."""
        listed = self._result("quirks", {}, {}, account_token)
        return {item["name"]: dict(item) for item in listed}

    def clock(self) -> Payload:
        """The virtual clock: ``now`` (epoch seconds), ``iso`` and ``frozen``."""
        return dict(self._result("clock", {}, {}))

    def move_clock(self, advance: float | None = None, freeze: bool | None = None) -> Payload:
        """Advance and/or (un)freeze the virtual clock; due timers fire. Returns the clock."""
        return dict(self._result("move_clock", {}, _present(advance=advance, freeze=freeze)))

    def advance(self, seconds: float) -> None:
        """Move the virtual clock; due timers (QR rotation, auto-scan, expiry, receipts) fire."""
        self.move_clock(advance=seconds)

    def stats(self) -> Payload:
        """Cumulative ``counters`` (eventsPublished, timersFired, webhookAttempts, websocketFrames, messagesStored,
        messagesEvicted), what the world ``held`` against its caps, and the process's ``gc`` collections and
        pauses (pauses only under ``mockryze serve``, which times them)."""
        return dict(self._result("stats", {}, {}))

    def contract(self) -> Payload:
        """Per route, each behaviour and its source (documented, observed-live, client-expects, inferred)."""
        return dict(self._result("contract", {}, {}))

    # --- instance ---------------------------------------------------------------------------
    def instance(self, name: str, *, account_token: str | None = None) -> Payload:
        """The instance's lifecycle state, number, push name and saved session."""
        return dict(self._result("instance", {"name": name}, {}, account_token))

    def scan(self, name: str, number: str | None = None, push_name: str | None = None, *,
             account_token: str | None = None) -> Payload:
        """The phone scans the pending QR code / types the pairing code."""
        args = _present(number=number, pushName=push_name)
        return dict(self._result("scan", {"name": name}, args, account_token))

    def set_state(self, name: str, state: str, *, account_token: str | None = None) -> Payload:
        """The phone or WhatsApp changes the session: logged_out, temp_banned, disconnected, connected."""
        return dict(self._result("set_state", {"name": name}, {"state": state}, account_token))

    # --- events -----------------------------------------------------------------------------
    def events(self, instance: str | None = None, event: str | None = None, *,
               account_token: str | None = None) -> list[Payload]:
        """Recorded events, envelopes exactly as delivered, oldest first."""
        return list(self._result("events", {}, _present(instance=instance, event=event), account_token))

    def emit(self, name: str, event: str, data: Payload, *, account_token: str | None = None) -> Payload:
        """Emit any catalog event for an instance (checked against its schema); returns the envelope."""
        return dict(self._result("emit", {"name": name}, {"event": event, "data": data}, account_token))

    def deliveries(self, instance: str | None = None, event: str | None = None, status: str | None = None, *,
                   account_token: str | None = None) -> list[Payload]:
        """The webhook delivery journal (``status``: pending, delivered or dead)."""
        args = _present(instance=instance, event=event, status=status)
        return list(self._result("deliveries", {}, args, account_token))

    def redeliver(self, delivery_id: str, *, account_token: str | None = None) -> Payload:
        """Queue a journaled delivery again; returns the new delivery."""
        return dict(self._result("redeliver", {"id": delivery_id}, {}, account_token))

    def websocket_clients(self, name: str, *, account_token: str | None = None) -> int:
        """How many WebSocket clients are connected to the instance's ``/ws`` right now."""
        return int(self._result("websocket_clients", {"name": name}, {}, account_token))

    def inbox(self, key: str) -> list[Payload]:
        """What arrived at the capture inbox ``{base_url}/__mock__/inbox/{key}``."""
        return list(self._result("inbox", {"key": key}, {}))

    def clear_inbox(self, key: str) -> None:
        self.invoke("clear_inbox", {"key": key}, {})

    def inbox_url(self, key: str) -> str:
        return f"{self.base_url}{MOCK_PREFIX}/inbox/{key}"

    def wait_for_event(self, event: str, *, instance: str | None = None, timeout: float = 1.0,
                       account_token: str | None = None, **fields: Any) -> Payload:
        """The first recorded event of this type whose ``data`` has ``fields`` (``a__b`` = nested key).

        Blocks up to ``timeout`` real seconds; fails with what did arrive, so a wrong field shows.
        """
        def first() -> Payload | None:
            for envelope in self.events(instance, event, account_token=account_token):
                if all(lookup(envelope["data"], k) == v for k, v in fields.items()):
                    return envelope
            return None

        if not self._wait("events", lambda: first() is not None, timeout):
            raise AssertionError(_no_match(event, instance, fields, self.events(account_token=account_token)))
        found = first()
        assert found is not None
        return found

    def wait_for_deliveries(self, count: int, *, status: str | None = None, timeout: float = 5.0,
                            instance: str | None = None, event: str | None = None,
                            account_token: str | None = None) -> list[Payload]:
        """Block until ``count`` journaled deliveries match (e.g. ``status="delivered"``), or fail."""
        def matching() -> list[Payload]:
            return self.deliveries(instance, event, status, account_token=account_token)

        if not self._wait("deliveries", lambda: len(matching()) >= count, timeout):
            seen = [(d["id"], d["event"], d["status"])
                    for d in self.deliveries(instance, event, account_token=account_token)]
            raise AssertionError(f"expected {count} deliveries with status={status!r}, journal has: {seen}")
        return matching()

    # --- messages: simulated contacts --------------------------------------------------------
    def contact(self, name: str, number: str, *, display_name: str | None = None, on_whatsapp: bool | None = None,
                receipts: str | None = None, account_token: str | None = None, **book: Any) -> Payload:
        """Set up a simulated contact: its name, whether it is on WhatsApp, how it sends receipts; ``book``
        takes what the address book shows (``lid=``, ``firstName=``, ``pushName=``, ``businessName=``,
        ``picture=``)."""
        args = _present(number=number, name=display_name, onWhatsApp=on_whatsapp, receipts=receipts, **book)
        return dict(self._result("contact", {"name": name}, args, account_token))

    # --- groups -----------------------------------------------------------------------------
    def create_group(self, name: str, subject: str, participants: list[str] | None = None, *,
                     jid: str | None = None, creator: str | None = None, member: bool | None = None,
                     invite_code: str | None = None, ephemeral: bool | None = None,
                     account_token: str | None = None) -> str:
        """A group the instance is in (its super-admin), or one ``creator`` made with the instance a plain
        member (``member=False``: not in it, known by its invite ``invite_code``); ``ephemeral``: disappearing
        messages on. Returns its JID."""
        args = _present(subject=subject, participants=participants or [], jid=jid, creator=creator, member=member,
                        inviteCode=invite_code, ephemeral=ephemeral)
        return str(self._result("create_group", {"name": name}, args, account_token)["jid"])

    def groups(self, name: str, *, account_token: str | None = None) -> list[Payload]:
        """Every group the instance knows (``member`` says whether it is in it)."""
        return list(self._result("groups", {"name": name}, {}, account_token))

    def group(self, name: str, jid: str, *, account_token: str | None = None) -> Payload:
        """One group the instance knows: participants, admins, pending requests, invite code, settings."""
        return dict(self._result("group", {"name": name, "jid": jid}, {}, account_token))

    def group_member(self, name: str, jid: str, number: str, action: str, *, author: str | None = None,
                     account_token: str | None = None) -> Payload:
        """A simulated contact ``join``s, ``leave``s, is ``promote``d / ``demote``d (by ``author``, default
        the creator) or ``request``s to join (listed by GET /api/group/requests); returns the group."""
        args = _present(number=number, action=action, author=author)
        return dict(self._result("group_member", {"name": name, "jid": jid}, args, account_token))

    def inbound(self, name: str, /, *, from_: str, type: str = "text", account_token: str | None = None,
                **fields: Any) -> Payload | None:
        """A contact sends the instance a message (``text=``, ``group=``, ``caption=``, …); None if ignored."""
        args = {"from": from_, "type": type, **fields}
        found = self._result("inbound", {"name": name}, args, account_token)
        return None if found is None else dict(found)

    def receipt(self, name: str, message_id: str, status: str, *, from_: str | None = None,
                account_token: str | None = None) -> Payload:
        """A contact's receipt (delivered, read, played…) for a message; returns the message."""
        args = _present(messageId=message_id, status=status, **{"from": from_})
        return dict(self._result("receipt", {"name": name}, args, account_token))

    def call(self, name: str, /, *, from_: str, account_token: str | None = None, **fields: Any) -> Payload:
        """An incoming call (``isVideo=``, ``group=``, ``status=``); returns the call.update data."""
        return dict(self._result("call", {"name": name}, {"from": from_, **fields}, account_token))

    def messages(self, name: str, *, direction: str | None = None, chat: str | None = None,
                 account_token: str | None = None) -> list[Payload]:
        """The instance's message store (sent and received, with receipts), oldest first."""
        args = _present(direction=direction, chat=chat)
        return list(self._result("messages", {"name": name}, args, account_token))

    def sent(self, name: str, *, chat: str | None = None, account_token: str | None = None) -> list[Payload]:
        """What the integrator sent through this instance (outgoing messages, oldest first)."""
        return self.messages(name, direction="outgoing", chat=chat, account_token=account_token)

    # --- chat state -------------------------------------------------------------------------
    def address_book(self, name: str, contacts: list[Payload], *, account_token: str | None = None) -> list[Payload]:
        """Seed the address book in one call: ``[{number, name?, lid?, pushName?, businessName?, picture?, …}]``."""
        return list(self._result("address_book", {"name": name}, {"contacts": contacts}, account_token))

    def chats(self, name: str, *, account_token: str | None = None) -> list[Payload]:
        """The instance's chats (archived, pinned, favorite, muted, unreadCount, labels, presence, blocked)."""
        return list(self._result("chats", {"name": name}, {}, account_token))

    def labels(self, name: str, *, account_token: str | None = None) -> list[Payload]:
        """The instance's labels, deleted ones included (``deleted: true``)."""
        return list(self._result("labels", {"name": name}, {}, account_token))

    def contacts(self, name: str, *, account_token: str | None = None) -> list[Payload]:
        """The instance's contacts: address-book names, picture, on WhatsApp, receipt behaviour."""
        return list(self._result("contacts", {"name": name}, {}, account_token))

    # --- the request journal ----------------------------------------------------------------
    def requests(self, instance: str | None = None, route: str | None = None, status: int | None = None, *,
                 account_token: str | None = None) -> list[Payload]:
        """What the emulated API received, oldest first; ``route`` is e.g. ``POST /api/message/text/:instance``."""
        args = _present(instance=instance, route=route, status=None if status is None else str(status))
        return list(self._result("requests", {}, args, account_token))

    def clear_requests(self, *, account_token: str | None = None) -> None:
        """Empty the request journal (of ``account_token``'s account, or of this control's)."""
        self.invoke("clear_requests", {}, {}, account_token)

    def assert_requested(self, route: str, *, times: int | None = None, instance: str | None = None,
                         json_contains: Payload | None = None, account_token: str | None = None) -> list[Payload]:
        """Assert that ``route`` was requested (exactly ``times`` times when given) with a body holding
        ``json_contains``; the failure message shows the closest requests and how they differ."""
        every = self.requests(instance=instance, account_token=account_token)
        wanted = json_contains or {}
        matching = [r for r in every if r["route"] == route and not body_differences(wanted, r["body"])]
        if (times is None and matching) or (times is not None and len(matching) == times):
            return matching
        raise AssertionError(near_miss(route, times, wanted, matching, every))

    # --- newsletters and Chatwoot ------------------------------------------------------------
    def newsletter(self, name: str, channel_name: str | None = None, *, description: str | None = None,
                   jid: str | None = None, invite_code: str | None = None, state: str | None = None,
                   subscribers: int | None = None, picture_url: str | None = None, following: bool | None = None,
                   account_token: str | None = None) -> Payload:
        """A channel someone else owns, which the instance can find by JID, link or code (and already
        follows with ``following=True``); returns it with its ``inviteCode`` and the instance's ``role``."""
        args = _present(name=channel_name, description=description, jid=jid, inviteCode=invite_code, state=state,
                        subscriberCount=subscribers, pictureUrl=picture_url, following=following)
        return dict(self._result("newsletter", {"name": name}, args, account_token))

    def newsletters(self, name: str, *, account_token: str | None = None) -> list[Payload]:
        """Every channel the instance knows (``role``: owner, subscriber, or None once left / only looked up)."""
        return list(self._result("newsletters", {"name": name}, {}, account_token))

    def newsletter_post(self, name: str, newsletter: str, text: str | None = None, *,
                        account_token: str | None = None) -> Payload:
        """An admin posts ``text`` in a channel the instance owns or follows (JID, link or code): an incoming
        ``message.exchange`` with ``chat.type: newsletter``; returns the stored message."""
        return dict(self._result("newsletter_post", {"name": name}, _present(newsletter=newsletter, text=text),
                                 account_token))

    def chatwoot_server(self, base_url: str, answer: str, *, detail: str | None = None) -> Payload:
        """How the Chatwoot server at ``base_url`` answers ``POST /api/chatwoot/set`` from now on (every instance,
        every account): ``ok`` (the default), ``account_not_found``, ``invalid``, ``token_rejected``, ``forbidden``;
        ``detail`` is the raw cause after ``Detail:``."""
        return dict(self._result("chatwoot_server", {}, _present(baseUrl=base_url, answer=answer, detail=detail)))

    def chatwoot_status(self, name: str, status: str, last_error: str | None = None, *,
                        account_token: str | None = None) -> Payload:
        """The bridge reports the Chatwoot integration's health (``active``, ``paused``, ``error``);
        returns the row as ``GET /api/chatwoot/list`` shows it."""
        args = _present(status=status, lastError=last_error)
        return dict(self._result("chatwoot_status", {"name": name}, args, account_token))


    # --- named faults and scenarios ---------------------------------------------------------
    def add_fault(self, fault: str, *, route: str | None = None, instance: str | None = None,
                  contact: str | None = None, times: int | None = None, probability: float | None = None,
                  seconds: float | None = None, real: bool | None = None,
                  account_token: str | None = None) -> Payload:
        """Switch a named fault on (``rate_limited``, ``timeout``, ``phone_offline``…); returns it with its ``id``.
        ``seconds``: ``slow``'s latency (``real=True``: real seconds) or how long ``timeout`` holds."""
        args = _present(fault=fault, route=route, instance=instance, contact=contact, times=times,
                        probability=probability, seconds=seconds, real=real)
        return dict(self._result("add_fault", {}, args, account_token))

    def faults(self, *, account_token: str | None = None) -> list[Payload]:
        """The faults switched on, with ``hits`` (times fired) and ``seen`` (requests in scope)."""
        return list(self._result("faults", {}, {}, account_token))

    def remove_fault(self, fault_id: str, *, account_token: str | None = None) -> None:
        self.invoke("remove_fault", {"id": fault_id}, {}, account_token)

    def clear_faults(self, *, account_token: str | None = None) -> None:
        self.invoke("clear_faults", {}, {}, account_token)

    @contextmanager
    def fault(self, fault: str, *, account_token: str | None = None, **scope: Any) -> Iterator[ActiveFault]:
        """``with ryze.fault("rate_limited", route="POST /api/message/text/:instance", times=3) as f:`` — on
        inside the block, off after it; ``f.hits`` reads its hit count."""
        made = self.add_fault(fault, account_token=account_token, **scope)
        try:
            yield ActiveFault(self, str(made["id"]), account_token)
        finally:
            with contextlib.suppress(ApiError):
                self.remove_fault(str(made["id"]), account_token=account_token)

    def load_scenario(self, document: Payload, *, account_token: str | None = None) -> Payload:
        """Load a scenario document (``POST /__mock__/scenarios``): its world is set up, its timeline starts."""
        return dict(self._result("load_scenario", {}, document, account_token))

    def scenarios(self, *, account_token: str | None = None) -> list[Payload]:
        """The loaded scenarios: steps done, the next step's time, errors, replies sent."""
        return list(self._result("scenarios", {}, {}, account_token))

    def shipped_scenarios(self) -> list[Payload]:
        """The scenarios shipped with mockryze (name, description, steps, end, instances, ``document``)."""
        return list(self._result("shipped_scenarios", {}, {}, None))

    def play(self, source: str | Path | Payload, *, run: bool = True, account_token: str | None = None) -> Payload:
        """Load a scenario (a YAML / JSON file, or a dict) and, with ``run``, advance the virtual clock to
        the end of its timeline. Returns the scenario's state (``GET /__mock__/scenarios``)."""
        from mockryze.scenarios import loader

        loaded = self.load_scenario(loader.read(source), account_token=account_token)
        if run:
            self.advance(float(loaded["end"]))
        return next(s for s in self.scenarios(account_token=account_token) if s["id"] == loaded["id"])

    def expect(self, event: str, *, within: float = 30.0, step: float = 1.0, instance: str | None = None,
               only_new: bool = False, account_token: str | None = None, **fields: Any) -> Payload:
        """The first recorded event of this type whose ``data`` has ``fields`` (``a__b`` = nested key),
        advancing the virtual clock ``step`` seconds at a time for at most ``within`` seconds; fails with
        what did arrive. ``only_new``: ignore the events recorded before the call."""
        spent, skip = 0.0, len(self.events(instance, event, account_token=account_token)) if only_new else 0
        while True:
            for envelope in self.events(instance, event, account_token=account_token)[skip:]:
                if all(lookup(envelope["data"], k) == v for k, v in fields.items()):
                    return envelope
            if spent >= within:
                raise AssertionError(f"within {within:g} virtual seconds: "
                                     + _no_match(event, instance, fields, self.events(account_token=account_token)))
            move = min(step, within - spent)
            self.advance(move)
            spent += move


class ActiveFault(NamedTuple):
    """A fault switched on by ``with ryze.fault(...)``."""

    control: Control
    id: str
    account_token: str | None

    @property
    def hits(self) -> int:
        found = [f for f in self.control.faults(account_token=self.account_token) if f["id"] == self.id]
        return int(found[0]["hits"]) if found else 0


class LocalControl(Control):
    """The verbs on a world in this process: each runs its row's code under the world lock."""

    def __init__(self, world: World, channels: Channels) -> None:
        self.world = world
        self.channels = channels

    @property
    def account_token(self) -> str:
        return self.world.default_account.token

    @property
    def base_url(self) -> str:
        return self.world.base_url

    def invoke(self, verb: str, params: dict[str, str], args: dict[str, Any],
               account_token: str | None = None) -> tuple[int, Payload]:
        from mockryze.modules import VERBS

        row = VERBS[verb]
        with self.world.lock:
            if row.request_schema:
                schemas.check_request(row.request_schema, args)
            answer = row.run(Call(self.world, self.channels, row.caller(self.world, account_token), params, args))
            self.world.checkpoint()  # --state: on disk before the verb returns
            return answer

    def _wait(self, signal: Signal, predicate: Callable[[], bool], timeout: float) -> bool:
        condition = self.world.bus.published if signal == "events" else self.channels.delivery.changed
        return wait_until(condition, predicate, timeout)

    def create_instance(self, name: str, *, account_token: str | None = None, connected: bool = False,
                        number: str | None = None, **inline: Any) -> Instance:
        from mockryze.instance import model as instances

        body = {"name": name, **inline}
        with self.world.lock:
            schemas.check_request("instance/new.request", body)
            caller = caller_for(self.world, account_token)
            require_account_token(caller)  # as POST /api/instance/new: a TokenInstance gets 401
            created, _ = instances.create(self.world, caller.account, body)
            if connected:
                instances.connect(self.world, created)
                instances.scan(self.world, created, number)
            self.world.checkpoint()
        return Instance(created.name, created.token)

    def connect(self, name: str, number: str | None = None, *, account_token: str | None = None) -> str:
        from mockryze.instance import model as instances

        with self.world.lock:
            target = target_instance(caller_for(self.world, account_token), name)
            pending = instances.connect(self.world, target, number)
            self.world.checkpoint(target)
            return pending.code if pending else ""


class RemoteControl(Control):
    """The verbs against a running ``mockryze serve`` (or ``ryze.serve()``): each sends its row's request."""

    def __init__(self, base_url: str, account_token: str, control_token: str | None = None) -> None:
        """``control_token``: the server's ``--control-token``, sent with every request when given."""
        self._base_url = base_url.rstrip("/")
        self._account_token = account_token
        headers = {"token": account_token, **control_headers(control_token)}
        self.client = httpx.Client(base_url=self._base_url, headers=headers, timeout=10)

    @property
    def account_token(self) -> str:
        return self._account_token

    @property
    def base_url(self) -> str:
        return self._base_url

    def close(self) -> None:
        self.client.close()

    def invoke(self, verb: str, params: dict[str, str], args: dict[str, Any],
               account_token: str | None = None) -> tuple[int, Payload]:
        from mockryze.modules import VERBS

        row = VERBS[verb]
        path = MOCK_PREFIX + row.path.format(**{k: quote(v, safe="") for k, v in params.items()})
        sent: dict[str, Any] = {"params": args} if row.method == "GET" else {"json": args} if args else {}
        response = self.client.request(row.method, path, headers={"token": account_token or self.account_token},
                                       **sent)
        return answer(response)

    def _wait(self, signal: Signal, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    def create_instance(self, name: str, *, account_token: str | None = None, connected: bool = False,
                        number: str | None = None, **inline: Any) -> Instance:
        response = self.client.post("/api/instance/new", json={"name": name, **inline},
                                    headers={"token": account_token or self.account_token})
        token = answer(response)[1]["instance"]["token"]
        if connected:
            self.connect(name, account_token=account_token)
            self.scan(name, number, account_token=account_token)
        return Instance(name, token)

    def connect(self, name: str, number: str | None = None, *, account_token: str | None = None) -> str:
        response = self.client.get(f"/api/instance/connect/{quote(name, safe='')}", params=_present(number=number),
                                   headers={"token": account_token or self.account_token})
        body = answer(response)[1]
        return str(body.get("pairingCode") or body.get("qrCode") or "")


def control_headers(control_token: str | None) -> dict[str, str]:
    return {} if control_token is None else {CONTROL_TOKEN_HEADER: control_token}


def answer(response: httpx.Response) -> tuple[int, Payload]:
    if response.status_code >= 400:
        try:
            message = str(response.json()["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = response.text
        request = response.request
        why = response.headers.get(DETAIL_HEADER)
        raise ControlRefused(ErrorLiteral(response.status_code, message),
                             f"{request.method} {request.url.path} -> {response.status_code}: {response.text}"
                             + (f" ({DETAIL_HEADER}: {why})" if why else ""))
    payload: Payload = response.json()
    return response.status_code, payload


def _no_match(event: str, instance: str | None, fields: dict[str, Any], envelopes: list[Payload]) -> str:
    wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items()) or "any data"
    lines = [f"no {event} event{f' of {instance!r}' if instance else ''} with {wanted} arrived"]
    numbered = list(enumerate(envelopes, start=1))
    same_type = [(n, e) for n, e in numbered
                 if e["event"] == event and (instance is None or e["instanceData"]["instance"] == instance)]
    if not same_type:
        arrived = sorted({e["event"] for e in envelopes}) or ["nothing"]
        lines.append(f"events that did arrive: {', '.join(arrived)}")
    for number, envelope in same_type[-10:]:
        diffs = [f"{k}={lookup(envelope['data'], k)!r}" for k, v in fields.items()
                 if lookup(envelope["data"], k) != v]
        lines.append(f"  #{number} {envelope['instanceData']['instance']}: " + (", ".join(diffs) or "matches"))
    return "\n".join(lines)


def body_differences(wanted: Payload, body: Any, prefix: str = "") -> list[str]:
    """How ``body`` falls short of holding ``wanted``: missing keys and different values (nested as ``a.b``)."""
    if not isinstance(body, dict):
        return [f"body is {body!r}, not a JSON object"]
    found: list[str] = []
    for key, value in wanted.items():
        where = prefix + key
        if key not in body:
            found.append(f"missing {where}")
        elif isinstance(value, dict) and isinstance(body[key], dict):
            found += body_differences(value, body[key], where + ".")
        elif body[key] != value:
            found.append(f"{where}: expected {value!r}, got {body[key]!r}")
    return found


def near_miss(route: str, times: int | None, wanted: Payload, matching: list[Payload], every: list[Payload]) -> str:
    """Why ``assert_requested`` failed: the count, then the closest requests and their differences."""
    holding = f" with a body holding {wanted!r}" if wanted else ""
    expected = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
    lines = [f"expected {route}{holding} {expected}, found {len(matching)}"]
    same_route = [r for r in every if r["route"] == route]
    if not same_route:
        received = sorted({r["route"] for r in every}) or ["nothing"]
        lines.append(f"routes that were requested: {', '.join(received)}")
    candidates = same_route or every
    closest = sorted(candidates, key=lambda r: len(body_differences(wanted, r["body"])))[:5]
    for request in closest:
        differences = body_differences(wanted, request["body"]) if wanted else []
        lines.append(f"  #{request['id']} {request['method']} {request['path']} -> {request['status']}: "
                     + ("; ".join(differences) or "matches"))
    return "\n".join(lines)
