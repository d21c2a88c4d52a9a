"""What integrators and our own tests drive the mock with: the Python API, the in-process
transports, the pytest plugin, Hypothesis strategies and a Faker provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockryze.testing.api import FIXED_START, IN_PROCESS_BASE_URL, Instance, MockRyze, RemoteRyze

__all__ = ["FIXED_START", "IN_PROCESS_BASE_URL", "Instance", "MockRyze", "RemoteRyze"]


def __getattr__(name: str) -> Any:  # lazy: the HTTP layer imports mockryze.testing.control without the API
    if name in __all__:
        from mockryze.testing import api

        return getattr(api, name)
    raise AttributeError(name)
