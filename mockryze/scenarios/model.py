"""A scenario, typed: the world it starts, its contacts and their reply rules, its timeline and faults.

Built by :mod:`mockryze.scenarios.loader` from a document that matched ``schemas/scenario.json``
and passed the checks a schema cannot make (references, regexes, each step's own arguments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

MatchKind = Literal["any", "text", "regex"]
TAIL_SECONDS = 10.0  # after the last step: room for the last replies and receipts


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    connected: bool
    number: str | None
    push_name: str | None
    inline: dict[str, Any]  # fields of POST /api/instance/new (webhookURL, websocketEnabled…)


@dataclass(frozen=True)
class ReplyRule:
    kind: MatchKind
    text: str = ""
    regex: re.Pattern[str] | None = None
    reply: dict[str, Any] = field(default_factory=dict)  # an inbound body, without `from`
    after: float = 0.0
    times: int | None = None

    def matches(self, content: str) -> bool:
        if self.kind == "text":
            return content == self.text
        if self.kind == "regex":
            return self.regex is not None and self.regex.search(content) is not None
        return True


@dataclass(frozen=True)
class ContactSpec:
    alias: str
    number: str
    instances: tuple[str, ...]
    book: dict[str, Any]  # the body of POST /__mock__/instances/{name}/contacts
    read_delay: float | None = None
    typing: float = 0.0
    rules: tuple[ReplyRule, ...] = ()


@dataclass(frozen=True)
class Step:
    index: int
    at: float
    action: str  # a control-plane verb's name, or `connect`
    instance: str | None
    params: dict[str, str]  # the verb's path parameters other than {name}
    args: dict[str, Any]


@dataclass(frozen=True)
class FaultSpec:
    args: dict[str, Any]  # the body of POST /__mock__/faults
    at: float | None = None
    until: float | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seed: int
    duration: float | None
    instances: tuple[InstanceSpec, ...]
    contacts: tuple[ContactSpec, ...]
    steps: tuple[Step, ...]
    faults: tuple[FaultSpec, ...]

    @property
    def end(self) -> float:
        """Virtual seconds from the start to the end of the timeline."""
        if self.duration is not None:
            return self.duration
        moments = [s.at for s in self.steps] + [t for f in self.faults for t in (f.at, f.until) if t is not None]
        return max(moments, default=0.0) + TAIL_SECONDS
