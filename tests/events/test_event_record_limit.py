"""``--event-record-limit`` bounds each account's record: a busy account never evicts another's events."""

from __future__ import annotations

import pytest

from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient

EVENTS = "/__mock__/events"


def recorded(api: CheckedClient, token: str) -> list[tuple[str, str]]:
    response = api.get(EVENTS, token=token)
    assert response.status_code == 200, response.text
    return [(e["instanceData"]["instance"], e["data"].get("state", "")) for e in response.json()["events"]]


@pytest.mark.ryze(event_record_limit=4)
def test_a_busy_account_does_not_evict_another_accounts_events(api: CheckedClient, ryze: MockRyze) -> None:
    quiet = ryze.new_account()
    ryze.create_instance("quiet", account_token=quiet, connected=True)  # qr_ready, pair_success, connected
    before = recorded(api, quiet)
    assert len(before) == 3

    busy = ryze.new_account()
    for n in range(5):
        ryze.create_instance(f"busy{n}", account_token=busy, connected=True)

    assert recorded(api, quiet) == before
    assert recorded(api, busy) == [("busy3", "connected"), ("busy4", "qr_ready"), ("busy4", "pair_success"),
                                   ("busy4", "connected")]
