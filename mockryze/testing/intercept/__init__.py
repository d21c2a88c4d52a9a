"""Drop-in mode: code that calls ``https://ryzeapi.cloud`` (httpx, requests, aiohttp, websockets) is
answered by an in-process world, unchanged.

On by default wherever a world is entered (``with MockRyze() as ryze``, the ``ryze`` fixture,
``@mock_ryze``); ``MockRyze(intercept=False)`` or ``@pytest.mark.ryze(intercept=False)`` opts out,
``hosts=[...]`` / ``ryze.intercept(hosts=[...])`` answers other hosts too (a self-hosted gateway).
Requests to any other host go out as usual; an intercepted host never sees the network: a route the
mock does not emulate answers its 404 ``Route not found``.
"""

from __future__ import annotations

import functools
import inspect
import unittest
from collections.abc import Callable
from typing import Any, TypeVar, overload

from mockryze.testing.intercept.gateway import Gateway
from mockryze.testing.intercept.registry import DEFAULT_HOSTS, Host, Interception, active, route
from mockryze.testing.intercept.webhooks import deliver_to

__all__ = ["DEFAULT_HOSTS", "Gateway", "Host", "Interception", "active", "deliver_to", "mock_ryze", "route"]

F = TypeVar("F", bound=Callable[..., Any])


@overload
def mock_ryze(func: F, /) -> F: ...
@overload
def mock_ryze(func: None = None, /, **options: Any) -> Callable[[F], F]: ...


def mock_ryze(func: Any = None, /, **options: Any) -> Any:
    """Run a test function (sync or async), or every ``test*`` method of a class, inside a fresh
    ``MockRyze(**options)`` with interception on. A function with a ``ryze`` parameter receives the world;
    a ``unittest.TestCase`` gets it as ``self.ryze`` from ``setUp`` to the end of its cleanups.

    >>> @mock_ryze
    ... def test_sends(ryze): ...
    >>> @mock_ryze(seed=7, hosts=["gw.example.com"])
    ... class TestBot(unittest.TestCase): ...
    """
    def decorate(target: Any) -> Any:
        if inspect.isclass(target) and issubclass(target, unittest.TestCase):
            return _wrap_test_case(target, options)
        if inspect.isclass(target):
            for name, member in list(vars(target).items()):
                if name.startswith("test") and callable(member):
                    setattr(target, name, decorate(member))
            return target
        return _wrap_function(target, options)

    return decorate(func) if func is not None else decorate


def _wrap_test_case(case: type[unittest.TestCase], options: dict[str, Any]) -> type[unittest.TestCase]:
    set_up = case.setUp

    @functools.wraps(set_up)
    def setUp(self: unittest.TestCase) -> None:
        from mockryze.testing.api import MockRyze

        ryze = MockRyze(**options).__enter__()
        self.addCleanup(ryze.close)
        self.ryze = ryze  # type: ignore[attr-defined]
        set_up(self)

    case.setUp = setUp  # type: ignore[method-assign]
    return case


def _wrap_function(func: Callable[..., Any], options: dict[str, Any]) -> Callable[..., Any]:
    wants_world = "ryze" in inspect.signature(func).parameters

    def world() -> Any:
        from mockryze.testing.api import MockRyze

        return MockRyze(**options)

    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with world() as ryze:
                return await func(*args, **({**kwargs, "ryze": ryze} if wants_world else kwargs))

        return _hide_world(run_async, wants_world)

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with world() as ryze:
            return func(*args, **({**kwargs, "ryze": ryze} if wants_world else kwargs))

    return _hide_world(run, wants_world)


def _hide_world(wrapper: Callable[..., Any], wants_world: bool) -> Callable[..., Any]:
    """pytest must not look for a ``ryze`` fixture for a parameter the decorator fills in."""
    if wants_world:
        signature = inspect.signature(wrapper)
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for p in signature.parameters.values() if p.name != "ryze"])
    return wrapper
