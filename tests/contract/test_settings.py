"""The options' contract with their users: which values each accepts, the one-line refusals, precedence.

Every option is given through ``Settings(...)``, ``Settings.from_sources`` (``MOCKRYZE_*`` variables)
or the CLI; these are the texts and boundaries a user meets there. Fast, in-process: this file is
also the mutation-test selection for ``mockryze/core/settings.py``.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mockryze.core import settings as options
from mockryze.core.settings import SettingError, Settings

# option -> (the least value accepted, the first refused, the refusal's "must be …")
BOUNDS: dict[str, tuple[Any, Any, str]] = {
    "instance_limit": (0, -1, "at least 0"),
    "rate_limit_global": (0, -1, "at least 0"),
    "rate_limit_create": (0, -1, "at least 0"),
    "rate_window": (0.001, 0.0009, "at least 0.001"),
    "auto_scan_delay": (0.0, -0.5, "at least 0"),
    "qr_timeout_seconds": (1.0, 0.99, "at least 1"),
    "reconnect_delay": (0.0, -1.0, "at least 0"),
    "message_store_limit": (1, 0, "at least 1"),
    "receipt_delivered_delay": (0.0, -1.0, "at least 0"),
    "receipt_read_delay": (0.0, -1.0, "at least 0"),
    "receipt_played_delay": (0.0, -1.0, "at least 0"),
    "webhook_timeout": (0.1, 0.09, "at least 0.1"),
    "webhook_max_pending": (1, 0, "at least 1"),
    "delivery_journal_limit": (0, -1, "at least 0"),
    "event_record_limit": (0, -1, "at least 0"),
    "request_journal_limit": (0, -1, "at least 0"),
    "websocket_queue_size": (1, 0, "at least 1"),
    "inbox_item_limit": (1, 0, "at least 1"),
    "inbox_byte_limit": (1, 0, "at least 1"),
    "max_body_size": (1, 0, "at least 1"),
    "body_read_timeout": (0.1, 0.05, "at least 0.1"),
    "port": (1, 0, "between 1 and 65535"),
    "start_time": (0.0, -1.0, "epoch seconds between 0 and 221845392000 (year 9000)"),
}


def refusal(**values: Any) -> str:
    with pytest.raises(SettingError) as caught:
        Settings(**values)
    return str(caught.value)


@pytest.mark.parametrize("option", BOUNDS)
def test_each_option_accepts_its_least_value_and_refuses_the_next_one_down(option: str) -> None:
    least, refused, expected = BOUNDS[option]
    assert getattr(Settings(**{option: least}), option) == least
    assert refusal(**{option: refused}) == f"{option}: must be {expected}, not {refused!r}"


def test_upper_bounds() -> None:
    assert Settings(port=65535).port == 65535
    assert refusal(port=65536) == "port: must be between 1 and 65535, not 65536"
    assert Settings(start_time=221_845_392_000.0).start_time == 221_845_392_000.0
    assert refusal(start_time=221_845_392_001.0).startswith("start_time: must be epoch seconds between 0 and")


def test_qr_rotation_is_off_at_0_or_at_least_1() -> None:
    assert Settings(qr_rotate_seconds=0).qr_rotate_seconds == 0
    assert Settings(qr_rotate_seconds=1).qr_rotate_seconds == 1
    assert refusal(qr_rotate_seconds=0.5) == "qr_rotate_seconds: must be 0 (off) or at least 1, not 0.5"
    assert refusal(qr_rotate_seconds=-1) == "qr_rotate_seconds: must be 0 (off) or at least 1, not -1"


@pytest.mark.parametrize(("option", "value", "message"), [
    ("seed", "7", "seed: expected an integer, not '7'"),
    ("seed", True, "seed: expected an integer, not True"),
    ("seed", None, "seed: expected an integer, not None"),
    ("seed", 1.5, "seed: expected an integer, not 1.5"),
    ("rate_window", math.nan, "rate_window: expected a finite number, not nan"),
    ("rate_window", math.inf, "rate_window: expected a finite number, not inf"),
    ("rate_window", "60", "rate_window: expected a finite number, not '60'"),
    ("rate_limits", 1, "rate_limits: expected on or off (a bool), not 1"),
    ("profile", 1, "profile: expected a string, not 1"),
])
def test_a_value_of_the_wrong_type_is_refused_in_one_line(option: str, value: Any, message: str) -> None:
    assert refusal(**{option: value}) == message


def test_numbers_of_either_kind_fill_a_float_option_and_none_fills_an_optional_one() -> None:
    assert Settings(rate_window=2).rate_window == 2
    assert Settings(account_token=None, start_time=None).account_token is None


@pytest.mark.parametrize(("option", "good", "bad", "expected"), [
    ("profile", "docs", "Live", "one of live, docs"),
    ("log_level", "DEBUG", "verbose", "one of debug, info, warning, error"),
    ("timezone", "UTC", "Mars/Base", "an IANA time zone such as America/Sao_Paulo, or UTC"),
    ("timezone", "America/Sao_Paulo", "America", "an IANA time zone such as America/Sao_Paulo, or UTC"),
    ("cors_origins", "http://a.test, http://b.test", "http://a.test,,http://b.test",
     "* or comma-separated origins such as http://localhost:3000"),
    ("webhook_retry_delays", "0,1.5, 3", "1,-2", "comma-separated non-negative seconds, e.g. 1,2,4,8,16"),
    ("webhook_retry_delays", "", "1,x", "comma-separated non-negative seconds, e.g. 1,2,4,8,16"),
    ("webhook_retry_delays", "1", "1,inf", "comma-separated non-negative seconds, e.g. 1,2,4,8,16"),
])
def test_text_options(option: str, good: str, bad: str, expected: str) -> None:
    assert getattr(Settings(**{option: good}), option) == good
    assert refusal(**{option: bad}) == f"{option}: must be {expected}, not {bad!r}"


def test_retry_delays_are_read_as_seconds() -> None:
    assert Settings(webhook_retry_delays="0, 1.5,,3").retry_delays == (0.0, 1.5, 3.0)
    assert Settings(webhook_retry_delays="").retry_delays == ()


def test_settings_are_frozen_and_replace_makes_a_checked_copy() -> None:
    shipped = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        shipped.seed = 1  # type: ignore[misc]
    assert shipped.replace(seed=3).seed == 3 and shipped.seed == 0
    with pytest.raises(SettingError, match=r"^port: must be between 1 and 65535, not 0$"):
        shipped.replace(port=0)


# --- MOCKRYZE_* variables and precedence ------------------------------------------------------------
def test_variables_are_parsed_to_the_options_type() -> None:
    got = Settings.from_sources(env={"MOCKRYZE_SEED": "7", "MOCKRYZE_RATE_WINDOW": "2.5", "MOCKRYZE_PROFILE": "docs",
                                     "MOCKRYZE_RATE_LIMITS": "off", "MOCKRYZE_AUTO_SCAN": "yes"})
    assert (got.seed, got.rate_window, got.profile, got.rate_limits, got.auto_scan) == (7, 2.5, "docs", False, True)


def test_explicit_beats_variable_beats_base_beats_default() -> None:
    env = {"MOCKRYZE_SEED": "7", "MOCKRYZE_PORT": "9000"}
    assert Settings.from_sources(env=env, seed=8).seed == 8
    assert Settings.from_sources(env=env, seed=None).seed == 7  # None: not given
    assert Settings.from_sources(env=env, base={"seed": 5, "port": 1234}).port == 9000
    assert Settings.from_sources(env={}, base={"seed": 5}).seed == 5
    assert Settings.from_sources(env={"MOCKRYZE_SEED": ""}).seed == 0  # an empty variable is unset
    assert Settings.from_sources(env={"MOCKRYZE_OTHER": "1", "SEED": "4"}).seed == 0


@pytest.mark.parametrize(("variable", "raw", "message"), [
    ("MOCKRYZE_PORT", "abc", "MOCKRYZE_PORT (--port): invalid integer value: 'abc'"),
    ("MOCKRYZE_PORT", "0", "MOCKRYZE_PORT (--port): must be between 1 and 65535, not 0"),
    ("MOCKRYZE_RATE_WINDOW", "soon", "MOCKRYZE_RATE_WINDOW (--rate-window): invalid number value: 'soon'"),
    ("MOCKRYZE_RATE_LIMITS", "maybe", "MOCKRYZE_RATE_LIMITS (--rate-limits): invalid on|off value: 'maybe'"),
    ("MOCKRYZE_PROFILE", "live2", "MOCKRYZE_PROFILE (--profile): must be one of live, docs, not 'live2'"),
])
def test_a_bad_variable_is_one_line_naming_it_and_its_flag(variable: str, raw: str, message: str) -> None:
    with pytest.raises(SettingError) as caught:
        Settings.from_sources(env={variable: raw})
    assert str(caught.value) == message


@pytest.mark.parametrize(("raw", "value"), [
    ("1", True), ("true", True), ("on", True), ("yes", True), (" ON ", True), ("True", True),
    ("0", False), ("false", False), ("off", False), ("no", False), ("No", False),
])
def test_switch_spellings(raw: str, value: bool) -> None:
    assert options.parse_bool(raw) is value


def test_an_unknown_switch_spelling_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match=r"^expected on/off, true/false or 1/0, not 'maybe'$"):
        options.parse_bool("maybe")


# --- how options are shown (--help, the CLI's messages) ---------------------------------------------
def field(name: str) -> dataclasses.Field[Any]:
    return next(f for f in options.option_fields() if f.name == name)


def test_flags_metavars_and_shown_values() -> None:
    assert options.flag_name(field("rate_limit_global")) == "rate-limit-global"
    assert [options.metavar(field(n)) for n in ("rate_limits", "profile", "port", "log_level")] == \
        ["on|off", "live|docs", "PORT", "LOG_LEVEL"]
    assert [options.is_switch(field(n)) for n in ("rate_limits", "frozen_clock", "seed")] == [True, True, False]
    assert [options.show_value(v) for v in (None, True, False, 0, 2.5, "live")] == \
        ["unset", "on", "off", "0", "2.5", "live"]
    assert [options.kind_of(field(n)).word for n in ("rate_limits", "seed", "rate_window", "start_time", "profile",
                                                    "account_token")] == \
        ["on|off", "integer", "number", "number", "string", "string"]
    assert options.ENV_PREFIX == "MOCKRYZE_" and options.MIB == 1_048_576
    assert options.PROFILES == ("live", "docs") and options.LOG_LEVELS == ("debug", "info", "warning", "error")


def test_every_option_has_its_help_and_rule_in_its_metadata() -> None:
    for f in options.option_fields():
        assert f.metadata["help"], f.name
        # the list option (``quirks``) also says its flag, that it repeats and its metavar
        assert {"help", "choices", "rule"} <= set(f.metadata) <= {"help", "choices", "rule", "flag", "repeatable",
                                                                   "metavar"}, f.name
    assert field("profile").metadata["choices"] == ("live", "docs")
    assert field("profile").metadata["rule"].expected == "one of live, docs"
    assert field("seed").metadata["rule"] is None


def test_setting_error_keeps_its_reason_and_names_the_option() -> None:
    error = SettingError("bad", "--port")
    assert (str(error), error.reason) == ("--port: bad", "bad")
    assert str(SettingError("bad")) == "bad"


@pytest.mark.parametrize(("name", "zone"), [("UTC", UTC), ("utc", UTC), ("Z", UTC), ("Etc/UTC", UTC),
                                             ("America/Sao_Paulo", ZoneInfo("America/Sao_Paulo"))])
def test_time_zones(name: str, zone: Any) -> None:
    assert options.zone(name) == zone


def test_a_repeatable_option_adds_its_flags_pairs_to_the_variables() -> None:
    env = {"MOCKRYZE_QUIRKS": "reply_field=off"}
    assert Settings.from_sources(env=env, quirks="qr_data_uri=on").quirks == "reply_field=off,qr_data_uri=on"
    assert Settings.from_sources(env=env).quirks == "reply_field=off"
    assert Settings.from_sources(env={}, quirks="qr_data_uri=on").quirks == "qr_data_uri=on"


def test_help_names_an_options_value_and_its_default_as_typed() -> None:
    by_name = {f.name: f for f in options.option_fields()}
    assert options.metavar(by_name["quirks"]) == "NAME=VALUE"
    assert options.metavar(by_name["seed"]) == "SEED"
    assert options.metavar(by_name["profile"]) == "live|docs"
    assert [options.show_value(v) for v in (None, "", True, False, 7)] == ["unset", "none", "on", "off", "7"]
