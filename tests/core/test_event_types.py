"""The event types are named once in code (``core.bus.EVENT_TYPES``) and once in the contract
(``common/defs.json#/$defs/eventName``, which webhook and WebSocket configuration validate against)."""

from __future__ import annotations

import pytest

from mockryze.core import schemas
from mockryze.core.bus import EVENT_TYPES, EventBus
from mockryze.testing import strategies as ryze_st


def test_the_schema_names_the_event_types_the_bus_publishes() -> None:
    assert schemas.schema("common/defs")["$defs"]["eventName"]["enum"] == list(EVENT_TYPES)


def test_every_event_type_has_a_payload_schema() -> None:
    assert {f"events/{event}" for event in EVENT_TYPES} <= set(schemas.names())


def test_the_strategies_offer_the_same_event_types() -> None:
    assert ryze_st.EVENT_TYPES == EVENT_TYPES


def test_the_bus_refuses_an_unknown_event_type() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        EventBus().publish(account_token="t", instance="sales", event="message.upsert", data={}, instance_data={})
