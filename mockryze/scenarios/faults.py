"""Named faults in WhatsApp terms: what goes wrong, where, how often; seeded, counted, listed.

A fault belongs to an account. It is scoped by route pattern (``POST /api/message/*``), instance and
contact, fires at most ``times`` times and, with ``probability``, on a seeded draw (the same world
seed and fault id give the same draws). The HTTP wrapper asks :func:`intercept` before a handler
acts, so a faulted request changes nothing but what the fault itself does (a logout, a ban); the
receipts pipeline asks :func:`holds_receipts` (``phone_offline``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.core.perworld import PerWorld

if TYPE_CHECKING:
    from mockryze.core.world import World
    from mockryze.instance.model import Instance

Drop = Literal["timeout", "connection_reset"]
FAULT_HEADER = "X-Mockryze-Fault"  # on every faulted answer: which fault answered (mock-only)
DEFAULT_SLOW_SECONDS = 5.0
DEFAULT_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class FaultKind:
    """What a named fault does to a request in its scope."""

    answer: ErrorLiteral | None = None  # answered instead of the handler
    drop: Drop | None = None  # the connection is held / cut instead of answered
    delay: bool = False  # the handler runs after ``seconds`` of latency
    phone: str | None = None  # what the phone or WhatsApp does first (a phone-side state change)
    receipts: bool = False  # acts on the receipts pipeline, not on requests


FAULT_KINDS: dict[str, FaultKind] = {
    "rate_limited": FaultKind(answer=literals.RATE_LIMITED),
    "not_connected": FaultKind(answer=literals.NOT_CONNECTED),
    "server_error": FaultKind(answer=literals.INTERNAL_ERROR),
    "slow": FaultKind(delay=True),
    "timeout": FaultKind(drop="timeout"),
    "connection_reset": FaultKind(drop="connection_reset"),
    "phone_offline": FaultKind(receipts=True),
    "not_on_whatsapp": FaultKind(answer=literals.NOT_ON_WHATSAPP),
    "logged_out_mid_send": FaultKind(answer=literals.NOT_CONNECTED, phone="logged_out"),
    "temp_banned": FaultKind(answer=literals.NOT_CONNECTED, phone="temp_banned"),
}
FAULT_NAMES: tuple[str, ...] = tuple(FAULT_KINDS)
CONTACT_FIELDS = ("number", "to", "chatId", "groupJid")  # where a request names the contact


@dataclass
class Fault:
    id: str
    name: str
    route: str | None
    instance: str | None
    contact: str | None  # digits
    times: int | None
    probability: float | None
    seconds: float | None
    real: bool  # `slow`: real seconds, not the mock's clock
    created_at: str
    rng: random.Random
    hits: int = 0
    seen: int = 0  # requests (or messages) in scope, fired or not
    switched_off: bool = False  # a scenario's `until` passed: listed with its counts, inactive

    @property
    def kind(self) -> FaultKind:
        return FAULT_KINDS[self.name]

    @property
    def active(self) -> bool:
        return not self.switched_off and (self.times is None or self.hits < self.times)

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "fault": self.name, "route": self.route, "instance": self.instance,
                "contact": self.contact, "times": self.times, "probability": self.probability,
                "seconds": self.seconds, "real": self.real, "hits": self.hits, "seen": self.seen, "active": self.active,
                "createdAt": self.created_at}

    def fires(self) -> bool:
        """One request in scope: count it, draw, and count the hit."""
        self.seen += 1
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        self.hits += 1
        return True


@dataclass(frozen=True)
class Interception:
    """What the wrapper does instead of (or before) the handler."""

    fault: str
    answer: ErrorLiteral | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: Drop | None = None
    delay: float = 0.0
    real: bool = False  # the delay in real seconds
    since: float = 0.0  # the virtual moment the fault fired: a delay counts from then


@dataclass
class _Faults:
    by_account: dict[str, dict[str, Fault]] = field(default_factory=dict)
    seq: int = 0

    def empty(self) -> None:
        self.by_account.clear()
        self.seq = 0


_state = PerWorld(_Faults, _Faults.empty)


def digits(raw: Any) -> str:
    """The digits of a number or JID's user part (``55 11 9…``, ``5511…@s.whatsapp.net``)."""
    return re.sub(r"\D", "", str(raw).partition("@")[0]) if raw is not None else ""


def add(world: World, account: str, args: dict[str, Any]) -> Fault:
    state = _state(world)
    name = args["fault"]
    state.seq += 1
    fault_id = f"flt_{state.seq:06d}"
    contact = digits(args["contact"]) if args.get("contact") is not None else None
    if contact == "":
        raise ApiError(literals.INVALID_NUMBER, "contact: no digits in it")
    seconds = args.get("seconds")
    if seconds is None and FAULT_KINDS[name].delay:
        seconds = DEFAULT_SLOW_SECONDS
    fault = Fault(fault_id, name, args.get("route"), args.get("instance"), contact, args.get("times"),
                  args.get("probability"), seconds, bool(args.get("real", False)), world.iso(),
                  random.Random(f"{world.settings.seed}:{fault_id}"))
    state.by_account.setdefault(account, {})[fault_id] = fault
    return fault


def listed(world: World, account: str, instance: str | None = None) -> list[Fault]:
    return [f for f in _state(world).by_account.get(account, {}).values()
            if instance is None or f.instance == instance]


def remove(world: World, account: str, fault_id: str, instance: str | None = None) -> Fault:
    faults = _state(world).by_account.get(account, {})
    found = faults.get(fault_id)
    if found is None or (instance is not None and found.instance != instance):
        raise ApiError(literals.MOCK_FAULT_NOT_FOUND, f"no fault {fault_id!r} in this account")
    return faults.pop(fault_id)


def switch_off(world: World, account: str, fault_id: str) -> None:
    """Off, but still listed with its counts (a scenario fault's ``until``)."""
    found = _state(world).by_account.get(account, {}).get(fault_id)
    if found is not None:
        found.switched_off = True


def clear(world: World, account: str, instance: str | None = None) -> int:
    faults = _state(world).by_account.get(account, {})
    gone = [k for k, f in faults.items() if instance is None or f.instance == instance]
    for key in gone:
        del faults[key]
    return len(gone)


# --- requests ---------------------------------------------------------------------------------
def intercept(world: World, account: str, route: str, instance: Instance | None, body: dict[str, Any],
              query: Callable[[], Any]) -> Interception | None:
    """The first fault whose scope holds this request and that fires, as an :class:`Interception`.
    ``query`` gives the query parameters, parsed only when the account has faults armed."""
    faults = _state(world).by_account.get(account)
    if not faults:
        return None
    named = {digits(source.get(key)) for source in (body, query()) for key in CONTACT_FIELDS
             if isinstance(source.get(key), str | int)}
    for fault in list(faults.values()):
        if fault.kind.receipts or not fault.active or not _in_scope(fault, route, instance, named):
            continue
        if fault.fires():
            return _interception(world, fault, instance)
    return None


def _in_scope(fault: Fault, route: str, instance: Instance | None, named: set[str]) -> bool:
    return ((fault.route is None or fnmatch.fnmatchcase(route, fault.route))
            and (fault.instance is None or (instance is not None and instance.name == fault.instance))
            and (fault.contact is None or fault.contact in named))


def _interception(world: World, fault: Fault, instance: Instance | None) -> Interception:
    kind = fault.kind
    if kind.phone and instance is not None:
        _phone_side(world, instance, kind.phone)
    if kind.delay:
        return Interception(fault.name, delay=fault.seconds or 0.0, real=fault.real, since=world.now())
    if kind.drop:
        return Interception(fault.name, drop=kind.drop, delay=fault.seconds or DEFAULT_TIMEOUT_SECONDS,
                            since=world.now())
    headers = _rate_headers(world) if kind.answer == literals.RATE_LIMITED else {}
    return Interception(fault.name, answer=kind.answer, headers=headers)


def _phone_side(world: World, instance: Instance, target: str) -> None:
    from mockryze.instance import model as instances

    with contextlib.suppress(ApiError):  # already logged out / banned: the fault still refuses the request
        instances.phone_side_change(world, instance, target)


def _rate_headers(world: World) -> dict[str, str]:
    """The documented headers of a 429: the window is spent until its reset (and ``Retry-After``)."""
    window = world.settings.rate_window
    reset = math.ceil(world.now() + window)
    return {"X-RateLimit-Limit": str(world.settings.rate_limit_global), "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset), "Retry-After": str(max(math.ceil(window), 1))}


# --- receipts ---------------------------------------------------------------------------------
def holds_receipts(world: World, instance: Instance, chat_jid: str) -> bool:
    """Whether a ``phone_offline`` fault keeps this message at ``sent`` (counted as a hit)."""
    faults = _state(world).by_account.get(instance.account.token)
    if not faults:
        return False
    chat = digits(chat_jid)
    for fault in list(faults.values()):
        if (fault.kind.receipts and fault.active and (fault.instance in (None, instance.name))
                and fault.contact in (None, chat) and fault.fires()):
            return True
    return False
