"""The event bus: every event of every instance is recorded here, in emission order.

Delivery (webhooks, WebSocket) subscribes to the bus; the record itself is what
``GET /__mock__/events`` shows, envelopes exactly as they are delivered.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mockryze.core.stats import Counters

EVENT_TYPES: tuple[str, ...] = (
    "message.exchange",
    "message.status",
    "group.flow",
    "instance.state",
    "call.update",
    "label.update",
)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    seq: int
    account_token: str
    instance: str
    envelope: dict[str, Any]

    @property
    def event(self) -> str:
        return str(self.envelope["event"])


Subscriber = Callable[[RecordedEvent], None]


class EventBus:
    def __init__(self, limit: int | None = None, counters: Counters | None = None) -> None:
        self.counters = counters or Counters()  # the world's, when it made this bus
        # Bounded per account (oldest dropped first): one busy account never evicts another's events.
        self._limit = limit
        self._records: dict[str, deque[RecordedEvent]] = {}
        self._seq = itertools.count(1)
        self._subscribers: list[Subscriber] = []
        self.published = threading.Condition()  # notified after every event (for waiting tests)

    def publish(
        self, *, account_token: str, instance: str, event: str, data: dict[str, Any], instance_data: dict[str, Any]
    ) -> RecordedEvent:
        if event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event!r}")
        envelope = {"event": event, "data": data, "instanceData": instance_data}
        record = RecordedEvent(next(self._seq), account_token, instance, envelope)
        kept = self._records.get(account_token)
        if kept is None:
            kept = self._records[account_token] = deque(maxlen=self._limit)
        kept.append(record)
        self.counters.events_published += 1
        for subscriber in list(self._subscribers):
            subscriber(record)
        with self.published:
            self.published.notify_all()
        return record

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def records(
        self, *, account_token: str | None = None, instance: str | None = None, event: str | None = None
    ) -> list[RecordedEvent]:
        scanned: Iterable[RecordedEvent] = (
            heapq.merge(*self._records.values(), key=lambda r: r.seq) if account_token is None
            else self._records.get(account_token, ())
        )
        return [
            r
            for r in scanned
            if (instance is None or r.instance == instance) and (event is None or r.event == event)
        ]

    def size(self) -> int:
        """How many events are recorded, over every account."""
        return sum(len(kept) for kept in self._records.values())

    def clear(self) -> None:
        self._records.clear()
        self._seq = itertools.count(1)


def matches(record: RecordedEvent, event: str | None, instance: str | None, fields: dict[str, Any]) -> bool:
    """``fields`` name ``data`` keys; ``__`` walks into nested objects (``message__type="text"``)."""
    if (event is not None and record.event != event) or (instance is not None and record.instance != instance):
        return False
    return all(lookup(record.envelope["data"], key) == value for key, value in fields.items())


def wait_until(condition: threading.Condition, predicate: Callable[[], bool], timeout: float) -> bool:
    """Block (real time) until ``predicate()`` holds, re-checking whenever ``condition`` is notified."""
    deadline = time.monotonic() + timeout
    with condition:
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            condition.wait(remaining)
    return True


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def lookup(data: Any, dotted: str) -> Any:
    for part in dotted.split("__"):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data
