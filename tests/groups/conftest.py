"""The events tests' real receivers, for the groups tests that go over real sockets."""

from tests.events.conftest import receivers

__all__ = ["receivers"]
