"""Every default the mock ships with, as documented (or decided where the reference is silent).

Plain data, written from the reference: ``test_defaults.py`` checks ``Settings()`` against it and
runs the timing defaults end to end on the virtual clock, with no option overridden. A new option
needs a row here (the test lists the options that have none).
"""

from __future__ import annotations

from typing import Any

MIB = 1024 * 1024

# option -> (default, where it comes from)
DEFAULTS: dict[str, tuple[Any, str]] = {
    # rate limits (guide: rate limit & CORS): per token, per minute
    "rate_limits": (True, "documented"),
    "rate_limit_global": (100, "documented: Global (100/min)"),
    "rate_limit_create": (20, "documented: POST /api/instance/new 20/min"),
    "rate_window": (60.0, "documented: per minute"),
    # the instance lifecycle (D3): QR rotation and expiry
    "qr_rotate_seconds": (20.0, "inferred from the docs' ~20 s rotation"),
    "qr_timeout_seconds": (60.0, "inferred from the docs' ~60 s timeout"),
    "auto_scan": (False, "mock-only"),
    "auto_scan_delay": (0.0, "mock-only"),
    "reconnect_delay": (0.0, "inferred: reconnect answers `connecting`, connected right after"),
    # receipts simulated contacts send back (virtual seconds)
    "receipt_delivered_delay": (1.0, "inferred"),
    "receipt_read_delay": (2.0, "inferred: after `delivered`"),
    "receipt_played_delay": (1.0, "inferred: after `read`"),
    # webhook delivery (D5)
    "webhook_timeout": (10.0, "inferred (D5): any 2xx within 10 s"),
    "webhook_retry_delays": ("1,2,4,8,16", "inferred (D5): 5 retries after 1, 2, 4, 8, 16 s, then dead letter"),
    "webhook_max_pending": (1_000, "inferred"),
    # caps
    "instance_limit": (10, "inferred: the account quota"),
    "message_store_limit": (10_000, "inferred"),
    "delivery_journal_limit": (10_000, "mock-only"),
    "event_record_limit": (10_000, "mock-only"),
    "request_journal_limit": (10_000, "mock-only"),
    "websocket_queue_size": (1_000, "inferred"),
    "inbox_item_limit": (1_000, "mock-only"),
    "inbox_byte_limit": (64 * MIB, "mock-only"),
    "max_body_size": (25 * MIB, "inferred"),
    "body_read_timeout": (30.0, "inferred"),
    # the rest
    "seed": (0, "mock-only"),
    "account_token": (None, "mock-only: derived from the seed"),
    "control_token": (None, "mock-only: the control plane is open"),
    "cors_origins": ("*", "inferred (D8)"),
    "profile": ("live", "D1: behave as the live service"),
    "timezone": ("America/Sao_Paulo", "observed-live (D2): -03:00 offsets"),
    "start_time": (None, "mock-only: the real time"),
    "frozen_clock": (False, "mock-only"),
    "strict_fields": (False, "inferred: unknown body keys are ignored"),
    "base_url": ("http://127.0.0.1:8080", "mock-only"),
    "host": ("127.0.0.1", "mock-only"),
    "port": (8080, "mock-only"),
    "log_level": ("info", "mock-only"),
    "quirks": ("", "mock-only: no quirk set over the profile"),
    "chatwoot_gateway": (True, "inferred: the Chatwoot bridge is configured"),
    "sandbox": (True, "mock-only: the demo page is served at /"),
    "state": (None, "mock-only: the world lives in memory only (no --state file)"),
}

WEBHOOK_LIMIT = 3  # enabled webhooks per instance (events overview: "up to 3 enabled webhooks")
HISTORY_COUNT = 50  # messages a history page holds when `count` is absent (chat history: "default 50")
