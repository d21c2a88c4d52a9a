"""One settings object for every option, settable from the Python API, the CLI and the environment.

Each field below is one option. Its CLI flag is ``--field-name`` and its environment variable is
``MOCKRYZE_FIELD_NAME``; precedence is: explicit argument > CLI flag > environment > default
(``quirks``, a list, is the exception: its repeatable ``--quirk`` flags add to the variable's pairs).
Every value is checked against its field's type and ``rule`` wherever it enters (a flag, a variable,
``Settings(...)``); a refusal is one :class:`SettingError` line naming the option as it was given.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from mockryze.core import quirks

PROFILES: tuple[str, ...] = quirks.PROFILES
LOG_LEVELS: tuple[str, ...] = ("debug", "info", "warning", "error")

ENV_PREFIX = "MOCKRYZE_"
MIB = 1024 * 1024


class SettingError(ValueError):
    """A refused option value: one line, naming the option when the caller knows how it was given."""

    def __init__(self, reason: str, option: str | None = None) -> None:
        self.reason = reason
        super().__init__(f"{option}: {reason}" if option else reason)


@dataclass(frozen=True)
class Rule:
    """The values one option accepts beyond its type; ``expected`` completes "must be …"."""

    accepts: Callable[[Any], bool]
    expected: str
    explain: Callable[[Any], str | None] | None = None  # a refusal's own reason, when "must be …" says too little


def at_least(minimum: float) -> Rule:
    return Rule(lambda value: value >= minimum, f"at least {minimum:g}")


def between(low: int, high: int) -> Rule:
    return Rule(lambda value: low <= value <= high, f"between {low} and {high}")


def off_or_at_least(minimum: float) -> Rule:
    """0 turns the option off; anything else is at least ``minimum`` (no timer that fires in a tight loop)."""
    return Rule(lambda value: value == 0 or value >= minimum, f"0 (off) or at least {minimum:g}")


def one_of(choices: tuple[str, ...], ignore_case: bool = False) -> Rule:
    return Rule(lambda value: (value.lower() if ignore_case else value) in choices, "one of " + ", ".join(choices))


def opt(default: Any, help: str, choices: tuple[str, ...] | None = None, rule: Rule | None = None,
        **extra: Any) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices,
                                            "rule": rule or (one_of(choices) if choices else None), **extra})


def _is_time_zone(name: str) -> bool:
    try:
        zone(name)
    except (KeyError, ValueError, OSError):  # unknown key, malformed key, a directory of zones
        return False
    return True


def _are_retry_delays(text: str) -> bool:
    try:
        return all(math.isfinite(delay) and delay >= 0 for delay in _delays(text))
    except ValueError:
        return False


LATEST_EPOCH = 221_845_392_000.0  # 9000-01-01T00:00:00Z: every timestamp the clock stamps stays renderable
TIME_ZONE = Rule(_is_time_zone, "an IANA time zone such as America/Sao_Paulo, or UTC")
EPOCH = Rule(lambda value: 0 <= value <= LATEST_EPOCH, f"epoch seconds between 0 and {LATEST_EPOCH:.0f} (year 9000)")
CORS_ORIGINS = Rule(lambda text: all(origin.strip() for origin in text.split(",")),
                    "* or comma-separated origins such as http://localhost:3000")
QUIRK_LIST = Rule(lambda text: quirks.explain(text) is None, "comma-separated NAME=VALUE quirks",
                  explain=quirks.explain)
RETRY_DELAYS = Rule(_are_retry_delays, "comma-separated non-negative seconds, e.g. 1,2,4,8,16")


@dataclass(frozen=True)
class Settings:
    seed: int = opt(0, "seed for ids, tokens, QR payloads and fake data")
    account_token: str | None = opt(None, "TokenAccount of the default account (derived from the seed if unset)")
    control_token: str | None = opt(None, "when set, every /__mock__ route needs it in the X-Mockryze-Control-Token"
                                          " header (reads of an account or instance also take its own token)")
    instance_limit: int = opt(10, "instance quota of each account", rule=at_least(0))
    rate_limits: bool = opt(True, "enforce RyzeAPI's per-token rate limits")
    rate_limit_global: int = opt(100, "requests per minute per token on most routes", rule=at_least(0))
    rate_limit_create: int = opt(20, "instance creations per minute per token", rule=at_least(0))
    rate_window: float = opt(60.0, "rate-limit window in seconds", rule=at_least(0.001))
    cors_origins: str = opt("*", "origins browsers may call /api/ from: * or a comma-separated list (echoed back)",
                            rule=CORS_ORIGINS)
    profile: str = opt("live", "live (as observed on the service) or docs: a bundle of quirk values", choices=PROFILES)
    quirks: str = opt("", "NAME=VALUE: one live-vs-docs difference set on its own, over the profile (repeatable;"
                          " the variable takes a=b,c=d); see GET /__mock__/quirks", rule=QUIRK_LIST,
                      flag="quirk", repeatable=True, metavar="NAME=VALUE")
    timezone: str = opt("America/Sao_Paulo", "time zone of timestamps (IANA name or UTC)", rule=TIME_ZONE)
    start_time: float | None = opt(None, "virtual epoch seconds to start the clock at", rule=EPOCH)
    frozen_clock: bool = opt(False, "start with the virtual clock frozen")
    auto_scan: bool = opt(False, "complete every connect by itself, as if the QR was scanned")
    auto_scan_delay: float = opt(0.0, "virtual seconds between connect and the automatic scan", rule=at_least(0))
    qr_rotate_seconds: float = opt(20.0, "a waiting QR code is replaced after this long", rule=off_or_at_least(1))
    qr_timeout_seconds: float = opt(60.0, "an unscanned connect attempt expires after this long", rule=at_least(1))
    reconnect_delay: float = opt(0.0, "virtual seconds from reconnect to connected", rule=at_least(0))
    message_store_limit: int = opt(10_000, "messages kept per instance (oldest evicted first)", rule=at_least(1))
    receipt_delivered_delay: float = opt(1.0, "virtual seconds from send to the 'delivered' receipt", rule=at_least(0))
    receipt_read_delay: float = opt(2.0, "virtual seconds from 'delivered' to 'read'", rule=at_least(0))
    receipt_played_delay: float = opt(1.0, "virtual seconds from 'read' to 'played' (contacts that play voice notes)",
                                      rule=at_least(0))
    webhook_timeout: float = opt(10.0, "seconds a webhook receiver has to answer 2xx (real time)", rule=at_least(0.1))
    webhook_retry_delays: str = opt("1,2,4,8,16", "virtual seconds before each webhook retry, comma-separated",
                                    rule=RETRY_DELAYS)
    webhook_max_pending: int = opt(1_000, "deliveries waiting per webhook before the oldest is dead-lettered",
                                   rule=at_least(1))
    delivery_journal_limit: int = opt(10_000, "finished deliveries kept in the journal (oldest dropped first)",
                                      rule=at_least(0))
    event_record_limit: int = opt(10_000, "events kept per account behind /__mock__/events (oldest dropped first)",
                                  rule=at_least(0))
    request_journal_limit: int = opt(10_000, "requests kept per account in /__mock__/requests (oldest dropped first)",
                                     rule=at_least(0))
    strict_fields: bool = opt(False, "refuse body keys the route's schema does not declare (400)")
    websocket_queue_size: int = opt(1_000, "frames queued per WebSocket client before it is closed as too slow",
                                    rule=at_least(1))
    inbox_item_limit: int = opt(1_000, "requests kept per capture inbox key (oldest dropped first)", rule=at_least(1))
    inbox_byte_limit: int = opt(64 * MIB, "bytes (bodies, headers) kept per capture inbox key (oldest dropped first)",
                                rule=at_least(1))
    max_body_size: int = opt(25 * MIB, "largest request body in bytes (larger: 413, refused unread)", rule=at_least(1))
    body_read_timeout: float = opt(30.0, "seconds a client has to send a request body after its headers (then 408)",
                                   rule=at_least(0.1))
    chatwoot_gateway: bool = opt(True, "the Chatwoot bridge is configured (off: every /api/chatwoot route answers 503)")
    base_url: str = opt("http://127.0.0.1:8080", "public base URL (instanceData.baseUrl)")
    host: str = opt("127.0.0.1", "address to listen on (serve)")
    port: int = opt(8080, "port to listen on (serve)", rule=between(1, 65535))
    log_level: str = opt("info", "debug, info, warning or error", rule=one_of(LOG_LEVELS, ignore_case=True))
    state: str | None = opt(None, "SQLite file the world is kept in and reloaded from at start (off: in memory)")
    sandbox: bool = opt(True, "serve the demo sandbox page at / (to browsers) and /sandbox/; off: / is the JSON"
                              " index only")

    def __post_init__(self) -> None:
        for f in fields(self):
            try:
                check_value(f, getattr(self, f.name))
            except SettingError as error:
                raise SettingError(error.reason, f.name) from None

    @property
    def retry_delays(self) -> tuple[float, ...]:
        return _delays(self.webhook_retry_delays)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_sources(
        cls, env: Mapping[str, str] | None = None, base: Mapping[str, Any] | None = None, **explicit: Any
    ) -> Settings:
        """``base`` (or the field defaults), overridden by ``MOCKRYZE_*`` variables, then by ``explicit``."""
        env = os.environ if env is None else env
        values: dict[str, Any] = dict(base or {})
        for f in fields(cls):
            variable = ENV_PREFIX + f.name.upper()
            raw = env.get(variable)
            given = explicit.get(f.name)
            if raw is not None and raw != "" and (given is None or f.metadata.get("repeatable")):
                try:
                    values[f.name] = checked_value(f, raw)
                except SettingError as error:
                    raise SettingError(error.reason, f"{variable} (--{flag_name(f)})") from None
                if given is not None:  # a repeatable option adds its flags' pairs to the variable's
                    explicit = {**explicit, f.name: f"{raw},{given}"}
        values.update({k: v for k, v in explicit.items() if v is not None})
        return cls(**values)


def option_fields() -> list[dataclasses.Field[Any]]:
    return list(fields(Settings))


def flag_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("flag") or f.name.replace("_", "-"))


def is_switch(f: dataclasses.Field[Any]) -> bool:
    return "bool" in str(f.type)


def metavar(f: dataclasses.Field[Any]) -> str:
    """How ``--help`` names an option's value: ``on|off``, the choices (``live|docs``) or the option's name."""
    if is_switch(f):
        return "on|off"
    choices: tuple[str, ...] | None = f.metadata.get("choices")
    return "|".join(choices) if choices else str(f.metadata.get("metavar") or f.name.upper())


def show_value(value: Any) -> str:
    """An option's value as it is typed on the command line (``on``/``off`` for switches)."""
    if value is None:
        return "unset"
    if value == "":
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "on", "yes"}:
        return True
    if lowered in {"0", "false", "off", "no"}:
        return False
    raise ValueError(f"expected on/off, true/false or 1/0, not {raw!r}")


@dataclass(frozen=True)
class Kind:
    """A field's value type: how a text becomes one, what is one, and how messages say it."""

    annotation: str  # found in the field's annotation: "int" in "int", "float" in "float | None"
    word: str  # "invalid integer value: 'abc'"
    expected: str  # "expected an integer, not 'abc'"
    parse: Callable[[str], Any]
    holds: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


KINDS: tuple[Kind, ...] = (  # the first whose annotation the field's contains
    Kind("bool", "on|off", "on or off (a bool)", parse_bool, lambda value: isinstance(value, bool)),
    Kind("int", "integer", "an integer", int, _is_int),
    Kind("float", "number", "a finite number", float, _is_number),
    Kind("str", "string", "a string", str, lambda value: isinstance(value, str)),
)


def kind_of(f: dataclasses.Field[Any]) -> Kind:
    annotation = str(f.type)
    return next(kind for kind in KINDS if kind.annotation in annotation)


def parse_value(f: dataclasses.Field[Any], raw: str) -> Any:
    """Parse one textual option (CLI or environment) into the field's type."""
    kind = kind_of(f)
    try:
        return kind.parse(raw)
    except ValueError:
        raise SettingError(f"invalid {kind.word} value: {raw!r}") from None


def check_value(f: dataclasses.Field[Any], value: Any) -> None:
    """Refuse a value of the wrong type (or not finite) or outside the field's rule."""
    if value is None and "None" in str(f.type):
        return
    kind = kind_of(f)
    if not kind.holds(value):
        raise SettingError(f"expected {kind.expected}, not {value!r}")
    rule: Rule | None = f.metadata.get("rule")
    if rule is not None and not rule.accepts(value):
        reason = rule.explain(value) if rule.explain else None
        raise SettingError(reason or f"must be {rule.expected}, not {value!r}")


def checked_value(f: dataclasses.Field[Any], raw: str) -> Any:
    """A textual option parsed and checked: what a flag or an environment variable gives."""
    value = parse_value(f, raw)
    check_value(f, value)
    return value


def _delays(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


@cache
def zone(name: str) -> tzinfo:
    """The time zone of ``name`` (``UTC``, ``Z`` or an IANA key)."""
    return UTC if name.upper() in {"UTC", "Z", "ETC/UTC"} else ZoneInfo(name)
