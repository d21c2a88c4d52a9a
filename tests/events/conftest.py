"""Fixtures shared by the events tests.

``ryze`` is the plugin's fixture with fast webhook settings (a 0.3 s timeout; retries after 1, 2
and 4 virtual seconds) unless the test's ``ryze`` marker says otherwise. A test that also asks for
``hooks`` gets a world whose webhook deliveries go to those virtual receivers (the injected
transport) instead of the network; ``receivers`` are real HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockryze.testing.api import MockRyze
from tests.events.receivers import ReceiverPool, VirtualReceivers

FAST: dict[str, Any] = {"webhook_timeout": 0.3, "webhook_retry_delays": "1,2,4"}


@pytest.fixture
def receivers() -> Iterator[ReceiverPool]:
    with ReceiverPool() as pool:
        yield pool


@pytest.fixture
def hooks() -> VirtualReceivers:
    return VirtualReceivers()


@pytest.fixture
def ryze(request: pytest.FixtureRequest) -> Iterator[MockRyze]:
    marker = request.node.get_closest_marker("ryze")
    options = {**FAST, **(marker.kwargs if marker else {})}
    if "hooks" in request.fixturenames:
        options["webhook_transport"] = request.getfixturevalue("hooks")
    with MockRyze(**options) as mock:
        yield mock
