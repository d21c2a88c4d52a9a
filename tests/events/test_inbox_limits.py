"""The capture inbox keeps at most ``inbox_item_limit`` requests and ``inbox_byte_limit`` bytes per
key, dropping the oldest first, and records a body no route would hold as the text that arrived."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CheckedClient

INBOX = "/__mock__/inbox"


def capture(api: CheckedClient, key: str, body: bytes) -> None:
    assert api.post(f"{INBOX}/{key}", content=body, headers={"content-type": "application/json"}).status_code == 200


def bodies(api: CheckedClient, key: str) -> list[Any]:
    return [item["body"] for item in api.get(f"{INBOX}/{key}").json()["items"]]


@pytest.mark.ryze(inbox_item_limit=3)
def test_an_inbox_keeps_its_newest_items_up_to_the_item_limit(api: CheckedClient) -> None:
    for n in range(5):
        capture(api, "busy", b'{"n": %d}' % n)
    capture(api, "quiet", b'{"n": 0}')
    assert bodies(api, "busy") == [{"n": 2}, {"n": 3}, {"n": 4}]
    assert bodies(api, "quiet") == [{"n": 0}]  # per key


@pytest.mark.ryze(inbox_byte_limit=2_000)
def test_an_inbox_drops_its_oldest_items_past_the_byte_limit(api: CheckedClient) -> None:
    for n in range(4):
        capture(api, "big", b'{"n": %d, "pad": "%s"}' % (n, b"x" * 600))
    kept = [body["n"] for body in bodies(api, "big")]
    assert kept == [2, 3]  # ~700 bytes each with the headers: two fit in 2,000
    capture(api, "big", b'{"pad": "%s"}' % (b"y" * 3_000))  # alone over the limit: kept, alone
    assert len(bodies(api, "big")) == 1


def test_a_body_no_route_would_hold_is_kept_as_the_text_that_arrived(api: CheckedClient) -> None:
    surrogate = b'{"text": "\\ud800"}'
    deep = b"[" * 100 + b"]" * 100
    for body in (surrogate, deep, b"NaN", b'{"n": ' + b"1" * 5_000 + b"}"):
        capture(api, "odd", body)
    assert bodies(api, "odd") == [surrogate.decode(), deep.decode(), "NaN", '{"n": ' + "1" * 5_000 + "}"]
