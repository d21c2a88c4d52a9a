"""The patches drop-in mode installs, and which world answers which host.

Every library adapter contributes :class:`Patch` rows (an attribute of a class or module and a function
that wraps its current value). They are installed when the first interception starts and removed
when the last one stops, each attribute put back exactly as it was (a value the owner did not define
itself is deleted again, so the inherited one shows through). Interceptions form a stack: the innermost
one that covers a host answers it, so nested worlds and ``ryze.intercept(hosts=[...])`` compose.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockryze.testing.intercept.gateway import Gateway

DEFAULT_HOSTS = ("ryzeapi.cloud",)
# One adapter module per library, tried in this order; a library that is not installed is skipped.
ADAPTERS = {"httpx": "httpx_patch", "requests": "requests_patch", "aiohttp": "aiohttp_patch",
            "websockets": "websockets_patch"}
_MISSING = object()


@dataclass(frozen=True)
class Patch:
    owner: Any
    name: str
    wrap: Callable[[Any], Any]  # the current value -> its replacement


@dataclass(frozen=True)
class Host:
    """A host (any port) or host:port that drop-in mode answers."""

    name: str
    port: int | None = None

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def parse(entry: str) -> Host:
        """``ryzeapi.cloud``, ``gw.example.com:8443`` or a base URL such as ``https://gw.example.com``."""
        import httpx

        url = httpx.URL(entry if "://" in entry else f"http://{entry}")
        if not url.host:
            raise ValueError(f"not a host or base URL: {entry!r}")
        return Host(url.host.lower(), url.port)

    def covers(self, host: str, port: int | None) -> bool:
        return host == self.name and (self.port is None or port == self.port)


class Interception:
    """One world answering some hosts, from :meth:`start` to :meth:`stop` (also a context manager)."""

    def __init__(self, gateway: Gateway, hosts: Iterable[str] | None = None) -> None:
        self.gateway = gateway
        self.hosts = tuple(Host.parse(h) for h in (DEFAULT_HOSTS if hosts is None else hosts))
        self.active = False
        self.thread = threading.get_ident()

    def covers(self, host: str, port: int | None) -> bool:
        return any(h.covers(host, port) for h in self.hosts)

    def start(self) -> Interception:
        self.thread = threading.get_ident()
        _activate(self)
        return self

    def stop(self) -> None:
        _deactivate(self)

    def __enter__(self) -> Interception:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_lock = threading.RLock()
_active: tuple[Interception, ...] = ()  # innermost last; replaced, never mutated, so readers need no lock
_saved: list[tuple[Any, str, Any]] = []  # owner, name, what owner.__dict__ held (or _MISSING)
_patched: set[str] = set()  # the libraries patched now


def route(host: str | None, port: int | None = None) -> Gateway | None:
    """The world that answers ``host:port``, or None: the request goes out as usual.

    The innermost interception started by this thread wins (tests running in parallel threads each
    reach their own world); failing that, the innermost one of any thread (a worker thread of the code
    under test reaches the world of the test that started it)."""
    if host:
        host = host.lower()
        mine = threading.get_ident()
        found = None
        for interception in reversed(_active):
            if interception.covers(host, port):
                if interception.thread == mine:
                    return interception.gateway
                if found is None:
                    found = interception.gateway
        return found
    return None


def active() -> tuple[Interception, ...]:
    return _active


def _activate(interception: Interception) -> None:
    global _active
    with _lock:
        if interception.active:
            return
        if not _active:
            _install()
        interception.active = True
        _active = (*_active, interception)


def _deactivate(interception: Interception) -> None:
    global _active
    with _lock:
        if not interception.active:
            return
        interception.active = False
        _active = tuple(i for i in _active if i is not interception)
        if not _active:
            _restore()


def _install() -> None:
    """Patch the libraries already imported; the others when (if ever) they are imported while active."""
    try:
        sys.meta_path.insert(0, _FINDER)
        for library in ADAPTERS:
            if library in sys.modules:
                _patch(library)
    except BaseException:
        _restore()
        raise


def _patch(library: str) -> None:
    _patched.add(library)
    for patch in _patches(library):
        current = getattr(patch.owner, patch.name)
        _saved.append((patch.owner, patch.name, vars(patch.owner).get(patch.name, _MISSING)))
        setattr(patch.owner, patch.name, patch.wrap(current))


def _restore() -> None:
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_FINDER)
    _patched.clear()
    while _saved:
        owner, name, saved = _saved.pop()
        if saved is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, saved)


@functools.cache
def _patches(library: str) -> tuple[Patch, ...]:
    module = importlib.import_module(f"mockryze.testing.intercept.{ADAPTERS[library]}")
    return tuple(module.patches())


def _imported(library: str) -> None:
    with _lock:
        if _active and library not in _patched:
            _patch(library)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches a library the moment it is first imported, when that happens while interception is on:
    importing all of them up front would cost the first test ~0.5 s for libraries it may never use."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in ADAPTERS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        run = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            run(module)
            _imported(fullname)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_FINDER = _PatchOnImport()
