"""The instance state machine, as one table.

States are spelled as the REST API spells them (``GET /api/instance/list``); the ``instance.state``
event values a transition emits use the event spellings (``logged_out``, ``qr_ready``…).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    DISCONNECTED = "disconnected"
    WAITING = "qr"  # a QR code or pairing code waits for the phone (REST spelling `qr`)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LOGGED_OUT = "loggedout"
    TEMP_BANNED = "temp_banned"

    @property
    def rest(self) -> str:
        """How ``connection.state`` / ``status`` show the state. WhatsApp bans have no documented
        REST spelling; the socket is down, so the list shows ``disconnected`` (inferred)."""
        return "disconnected" if self is State.TEMP_BANNED else self.value


ANY = frozenset(State)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State
    events: tuple[str, ...]
    needs_session: bool = False


def _t(sources: set[State] | frozenset[State], target: State, *events: str, session: bool = False) -> Transition:
    return Transition(frozenset(sources), target, events, session)


S = State
TRANSITIONS: dict[str, Transition] = {
    # API side
    "connect_qr": _t(ANY - {S.CONNECTED}, S.WAITING, "qr_ready"),
    "connect_pairing": _t(ANY - {S.CONNECTED}, S.WAITING, "connecting"),
    "attempt_expired": _t({S.WAITING}, S.DISCONNECTED, "disconnected"),
    "reconnect": _t(ANY - {S.LOGGED_OUT}, S.CONNECTING, "manual_reconnect", "connecting", session=True),
    "reconnected": _t({S.CONNECTING}, S.CONNECTED, "connected", session=True),
    "logout": _t(ANY - {S.LOGGED_OUT}, S.LOGGED_OUT, "logged_out"),
    # phone / WhatsApp side (control plane)
    "scan": _t({S.WAITING}, S.CONNECTED, "pair_success", "connected"),
    "phone_logout": _t(ANY - {S.LOGGED_OUT}, S.LOGGED_OUT, "logged_out"),
    "ban": _t({S.CONNECTED, S.CONNECTING, S.DISCONNECTED}, S.TEMP_BANNED, "temp_banned", session=True),
    "network_loss": _t({S.CONNECTED, S.CONNECTING}, S.DISCONNECTED, "disconnected"),
    "recover": _t({S.DISCONNECTED, S.CONNECTING, S.TEMP_BANNED}, S.CONNECTED, "connected", session=True),
}

# `POST /__mock__/instances/{name}/state` targets → the phone-side trigger that reaches them.
PHONE_SIDE_TRIGGERS: dict[str, str] = {
    "logged_out": "phone_logout",
    "temp_banned": "ban",
    "disconnected": "network_loss",
    "connected": "recover",
}


class IllegalTransition(Exception):
    def __init__(self, trigger: str, state: State) -> None:
        super().__init__(f"cannot {trigger.replace('_', ' ')} an instance that is {state.value}")
        self.trigger = trigger
        self.state = state


def next_state(trigger: str, state: State, has_session: bool) -> Transition:
    transition = TRANSITIONS[trigger]
    if state not in transition.sources or (transition.needs_session and not has_session):
        raise IllegalTransition(trigger, state)
    return transition
