"""One settings object for every option, settable from the Python API, the CLI and the environment.

Each field below is one option. Its CLI flag is ``--field-name`` and its environment variable is
``MOCKRYZE_FIELD_NAME``; precedence is: explicit argument > CLI flag > environment > default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

PROFILES: tuple[str, ...] = ("live", "docs")

ENV_PREFIX = "MOCKRYZE_"
MIB = 1024 * 1024


def opt(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class Settings:
    seed: int = opt(0, "seed for ids, tokens, QR payloads and fake data")
    account_token: str | None = opt(None, "TokenAccount of the default account (derived from the seed if unset)")
    instance_limit: int = opt(10, "instance quota of each account")
    rate_limits: bool = opt(True, "enforce RyzeAPI's per-token rate limits")
    rate_limit_global: int = opt(100, "requests per minute per token on most routes")
    rate_limit_create: int = opt(20, "instance creations per minute per token")
    rate_window: float = opt(60.0, "rate-limit window in seconds")
    profile: str = opt("live", "live (as observed on the service) or docs", choices=PROFILES)
    timezone: str = opt("America/Sao_Paulo", "time zone of timestamps (IANA name or UTC)")
    start_time: float | None = opt(None, "virtual epoch seconds to start the clock at")
    frozen_clock: bool = opt(False, "start with the virtual clock frozen")
    auto_scan: bool = opt(False, "complete every connect by itself, as if the QR was scanned")
    auto_scan_delay: float = opt(0.0, "virtual seconds between connect and the automatic scan")
    qr_rotate_seconds: float = opt(20.0, "a waiting QR code is replaced after this long")
    qr_timeout_seconds: float = opt(60.0, "an unscanned connect attempt expires after this long")
    reconnect_delay: float = opt(0.0, "virtual seconds from reconnect to connected")
    message_store_limit: int = opt(10_000, "messages kept per instance (oldest evicted first)")
    receipt_delivered_delay: float = opt(1.0, "virtual seconds from send to the 'delivered' receipt")
    receipt_read_delay: float = opt(2.0, "virtual seconds from 'delivered' to 'read'")
    receipt_played_delay: float = opt(1.0, "virtual seconds from 'read' to 'played' (contacts that play voice notes)")
    webhook_timeout: float = opt(10.0, "seconds a webhook receiver has to answer 2xx (real time)")
    webhook_retry_delays: str = opt("1,2,4,8,16", "virtual seconds before each webhook retry, comma-separated")
    delivery_journal_limit: int = opt(10_000, "finished deliveries kept in the journal (oldest dropped first)")
    event_record_limit: int = opt(10_000, "events kept in the record behind /__mock__/events (oldest dropped first)")
    websocket_queue_size: int = opt(1_000, "frames queued per WebSocket client before it is closed as too slow")
    inbox_item_limit: int = opt(1_000, "requests kept per capture inbox key (oldest dropped first)")
    inbox_byte_limit: int = opt(64 * MIB, "bytes (bodies, headers) kept per capture inbox key (oldest dropped first)")
    max_body_size: int = opt(25 * MIB, "largest request body in bytes (larger: 413, refused unread)")
    body_read_timeout: float = opt(30.0, "seconds a client has to send a request body after its headers (then 408)")
    base_url: str = opt("http://127.0.0.1:8080", "public base URL (instanceData.baseUrl)")
    host: str = opt("127.0.0.1", "address to listen on (serve)")
    port: int = opt(8080, "port to listen on (serve)")
    log_level: str = opt("info", "debug, info, warning or error")

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, not {self.profile!r}")
        if self.instance_limit < 0:
            raise ValueError("instance_limit must be >= 0")
        if any(delay < 0 for delay in self.retry_delays):
            raise ValueError("webhook_retry_delays must be non-negative numbers, e.g. 1,2,4,8,16")

    @property
    def retry_delays(self) -> tuple[float, ...]:
        return tuple(float(part) for part in self.webhook_retry_delays.split(",") if part.strip())

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
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = parse_value(f, raw)
        values.update({k: v for k, v in explicit.items() if v is not None})
        return cls(**values)


def option_fields() -> list[dataclasses.Field[Any]]:
    return list(fields(Settings))


def is_switch(f: dataclasses.Field[Any]) -> bool:
    return "bool" in str(f.type)


def metavar(f: dataclasses.Field[Any]) -> str:
    """How ``--help`` names an option's value: ``on|off``, the choices (``live|docs``) or the option's name."""
    if is_switch(f):
        return "on|off"
    choices: tuple[str, ...] | None = f.metadata.get("choices")
    return "|".join(choices) if choices else f.name.upper()


def show_value(value: Any) -> str:
    """An option's value as it is typed on the command line (``on``/``off`` for switches)."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def parse_value(f: dataclasses.Field[Any], raw: str) -> Any:
    """Parse one textual option (CLI or environment) into the field's type."""
    kind = str(f.type)
    if is_switch(f):
        return parse_bool(raw)
    if "int" in kind:
        return int(raw)
    if "float" in kind:
        return float(raw)
    return raw


def parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "on", "yes"}:
        return True
    if lowered in {"0", "false", "off", "no"}:
        return False
    raise ValueError(f"expected on/off, true/false or 1/0, not {raw!r}")
