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

    @classmethod
    def of(cls, sources: set[State] | frozenset[State], target: State, *events: str,
           session: bool = False) -> Transition:
        return cls(frozenset(sources), target, events, session)


TRANSITIONS: dict[str, Transition] = {
    # API side
    "connect_qr": Transition.of(ANY - {State.CONNECTED}, State.WAITING, "qr_ready"),
    "connect_pairing": Transition.of(ANY - {State.CONNECTED}, State.WAITING, "connecting"),
    "attempt_expired": Transition.of({State.WAITING}, State.DISCONNECTED, "disconnected"),
    "reconnect": Transition.of(ANY - {State.LOGGED_OUT}, State.CONNECTING, "manual_reconnect", "connecting",
                               session=True),
    "reconnected": Transition.of({State.CONNECTING}, State.CONNECTED, "connected", session=True),
    "logout": Transition.of(ANY - {State.LOGGED_OUT}, State.LOGGED_OUT, "logged_out"),
    # phone / WhatsApp side (control plane)
    "scan": Transition.of({State.WAITING}, State.CONNECTED, "pair_success", "connected"),
    "phone_logout": Transition.of(ANY - {State.LOGGED_OUT}, State.LOGGED_OUT, "logged_out"),
    "ban": Transition.of({State.CONNECTED, State.CONNECTING, State.DISCONNECTED}, State.TEMP_BANNED, "temp_banned",
                         session=True),
    "network_loss": Transition.of({State.CONNECTED, State.CONNECTING}, State.DISCONNECTED, "disconnected"),
    "recover": Transition.of({State.DISCONNECTED, State.CONNECTING, State.TEMP_BANNED}, State.CONNECTED, "connected",
                             session=True),
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
