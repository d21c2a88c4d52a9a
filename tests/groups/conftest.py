"""The events tests' real receivers, for the groups tests that go over real sockets, and ``me``: the
connected instance most group tests act as (its number JID)."""

import pytest

from mockryze.testing.api import MockRyze
from tests.events.conftest import receivers
from tests.groups.helpers import connected

__all__ = ["receivers"]


@pytest.fixture
def me(ryze: MockRyze) -> str:
    return connected(ryze)
