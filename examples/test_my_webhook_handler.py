"""An integrator's test, as it would look in their own repository (copy it and adapt).

`pip install mockryze` registers the `ryze` fixture; `mockryze.strategies` feeds Hypothesis with
every event the mock can deliver, `mockryze.faker` fakes WhatsApp data, `mockryze.schemas`
checks what a handler is given.
"""

from __future__ import annotations

from typing import Any

from faker import Faker
from hypothesis import HealthCheck, given, settings

from mockryze.core import schemas
from mockryze.testing import strategies as ryze_st
from mockryze.testing.api import MockRyze
from mockryze.testing.faker import WhatsAppProvider


def my_webhook_handler(envelope: dict[str, Any]) -> str | None:
    """The code under test: returns the text to log for a message, None for anything else."""
    if envelope["event"] != "message.exchange":
        return None
    data = envelope["data"]
    message = data["message"]
    content = message.get("content", "")
    text = content["text"] if isinstance(content, dict) else content  # docs vs live layout
    direction = data.get("direction") or message.get("direction")
    return f"{direction}: {text}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ryze_st.events())
def test_handler_survives_every_event_the_api_can_send(envelope: dict[str, Any]) -> None:
    schemas.validate_event(envelope)  # what the handler is given is a real RyzeAPI envelope
    result = my_webhook_handler(envelope)
    assert (result is None) == (envelope["event"] != "message.exchange")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ryze_st.events("message.exchange", profile="docs"))
def test_handler_reads_the_documented_layout_too(envelope: dict[str, Any]) -> None:
    assert my_webhook_handler(envelope) is not None


def test_handler_on_a_real_inbound_message(ryze: MockRyze) -> None:
    fake = Faker("pt_BR")
    fake.add_provider(WhatsAppProvider)
    Faker.seed(3)
    ryze.create_instance("shop", connected=True)
    ryze.inbound("shop", from_=fake.whatsapp_number(), text="Vocês abrem no feriado?")
    envelope = ryze.wait_for_event("message.exchange", direction="incoming")
    assert my_webhook_handler(envelope) == "incoming: Vocês abrem no feriado?"
