from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockryze.core import jid, schemas
from mockryze.http.app import EMULATED
from mockryze.testing import strategies as ryze_st
from mockryze.testing.faker import WhatsAppProvider

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
BODY_ROUTES = [f"{s.method} {s.path}" for s in EMULATED if s.request_schema]


def fake_for(locale: str, seed: int = 7) -> Faker:
    fake = Faker(locale)
    fake.add_provider(WhatsAppProvider)
    Faker.seed(seed)
    return fake


# --- mockryze.faker -------------------------------------------------------------------------------
@pytest.mark.parametrize(("locale", "country"), [("pt_BR", "55"), ("en_US", "1"), ("de_DE", "49"), ("ja_JP", "55")])
def test_numbers_follow_the_locale_and_parse(locale: str, country: str) -> None:
    fake = fake_for(locale)
    for _ in range(20):
        number = fake.whatsapp_number()
        assert number.startswith(country)
        assert jid.parse(number).phone == number


def test_brazilian_numbers_are_mobiles_with_the_ninth_digit() -> None:
    fake = fake_for("pt_BR")
    for _ in range(50):
        number = fake.whatsapp_number()
        assert len(number) == 13 and number[4] == "9"
        assert len(jid.brazilian_variants(number)) == 2


def test_faker_seed_replays_every_value() -> None:
    def draw(seed: int) -> list[str]:
        fake = fake_for("pt_BR", seed=seed)
        return [fake.whatsapp_number(), fake.jid(), fake.lid_jid(), fake.group_jid(), fake.newsletter_jid(),
                fake.message_id(), fake.push_name(), fake.pairing_code()]
    assert draw(11) == draw(11)
    assert draw(11) != draw(12)


def test_faker_values_have_whatsapp_shapes() -> None:
    fake = fake_for("pt_BR")
    assert jid.parse(fake.jid()).kind == "user"
    assert jid.parse(fake.lid_jid()).kind == "lid"
    assert jid.parse(fake.group_jid()).kind == "group"
    assert jid.parse(fake.newsletter_jid()).kind == "newsletter"
    assert len(fake.message_id()) == 20 and fake.message_id().startswith("3EB0")
    code = fake.pairing_code()
    assert len(code) == 8 and code.isalnum() and code.upper() == code
    assert fake.push_name().strip()


# --- mockryze.strategies --------------------------------------------------------------------------
@pytest.mark.parametrize("route", BODY_ROUTES)
def test_request_bodies_are_valid_for_their_route(route: str) -> None:
    name = ryze_st._request_schema_for(route)

    @FAST
    @given(ryze_st.request_bodies(route))
    def check(body: dict[str, Any]) -> None:
        schemas.validate(name, body)

    check()


@pytest.mark.parametrize("profile", ["live", "docs"])
@pytest.mark.parametrize("event", ryze_st.EVENT_TYPES)
def test_event_envelopes_match_their_schema(event: str, profile: str) -> None:
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ryze_st.events(event, profile=profile))
    def check(envelope: dict[str, Any]) -> None:
        assert envelope["event"] == event
        schemas.validate_event(envelope)

    check()


@FAST
@given(ryze_st.jids(), ryze_st.typed_numbers(), ryze_st.brazilian_mobiles(ninth_digit=False))
def test_generated_identifiers_parse(any_jid: str, typed: str, without_nine: str) -> None:
    assert str(jid.parse(any_jid)) == any_jid
    assert jid.parse(typed).kind == "user"
    assert len(without_nine) == 12 and len(jid.brazilian_variants(without_nine)) == 2


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        ryze_st.events("message.sent")


def test_unknown_route_is_refused() -> None:
    with pytest.raises(KeyError):
        ryze_st.request_bodies("POST /api/nothing")


# --- mockryze.schemas -----------------------------------------------------------------------------
def test_validate_event_says_which_field_is_wrong() -> None:
    envelope = schemas.schema("events/message.status")["examples"][0]
    broken = {**envelope, "data": {**envelope["data"], "status": "seen"}}
    with pytest.raises(schemas.SchemaViolation, match="data/status"):
        schemas.validate_event(broken)


@given(st.sampled_from(schemas.schema("events/call.update")["examples"]))
def test_catalog_examples_validate(envelope: dict[str, Any]) -> None:
    schemas.validate_event(envelope)


def test_the_example_integrator_test_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "examples")],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
