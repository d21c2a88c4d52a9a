"""The event bus: every event of every instance is recorded here, in emission order.

Delivery (webhooks, WebSocket) subscribes to the bus; the record itself is what
``GET /__mock__/events`` shows, envelopes exactly as they are delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EVENT_TYPES: tuple[str, ...] = (
    "message.exchange",
    "message.status",
    "group.flow",
    "instance.state",
    "call.update",
    "label.update",
)


@dataclass(frozen=True)
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
    def __init__(self) -> None:
        self._records: list[RecordedEvent] = []
        self._subscribers: list[Subscriber] = []

    def publish(
        self, *, account_token: str, instance: str, event: str, data: dict[str, Any], instance_data: dict[str, Any]
    ) -> RecordedEvent:
        if event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event!r}")
        envelope = {"event": event, "data": data, "instanceData": instance_data}
        record = RecordedEvent(len(self._records) + 1, account_token, instance, envelope)
        self._records.append(record)
        for subscriber in list(self._subscribers):
            subscriber(record)
        return record

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def records(
        self, *, account_token: str | None = None, instance: str | None = None, event: str | None = None
    ) -> list[RecordedEvent]:
        return [
            r
            for r in self._records
            if (account_token is None or r.account_token == account_token)
            and (instance is None or r.instance == instance)
            and (event is None or r.event == event)
        ]

    def clear(self) -> None:
        self._records.clear()
