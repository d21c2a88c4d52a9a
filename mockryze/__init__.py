"""mockryze: a local, stateful mock of RyzeAPI (a hosted WhatsApp HTTP API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mockryze.core.settings import Settings
    from mockryze.http.app import create_app
    from mockryze.testing.api import MockRyze, RemoteRyze
    from mockryze.testing.intercept import mock_ryze

__all__ = ["MockRyze", "RemoteRyze", "Settings", "__version__", "create_app", "mock_ryze"]

_EXPORTS = {
    "MockRyze": "mockryze.testing.api", "RemoteRyze": "mockryze.testing.api",
    "Settings": "mockryze.core.settings", "create_app": "mockryze.http.app",
    "mock_ryze": "mockryze.testing.intercept",
}


def __getattr__(name: str) -> Any:  # lazy, so `import mockryze` stays cheap
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
