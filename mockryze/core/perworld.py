"""State a module keeps beside each world, without the world knowing the module."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from mockryze.core.world import World

T = TypeVar("T")


class PerWorld(Generic[T]):
    """``state = PerWorld(make, empty)``; ``state(world)`` is that world's, made on first use (then
    ``attach(world, it)``, if given) and emptied by ``empty(it)`` whenever the world is reset. It goes
    with its world: nothing here keeps a world alive."""

    def __init__(self, make: Callable[[], T], empty: Callable[[T], None],
                 attach: Callable[[World, T], None] | None = None) -> None:
        self._make = make
        self._empty = empty
        self._attach = attach
        self._states: WeakKeyDictionary[World, T] = WeakKeyDictionary()

    def __call__(self, world: World) -> T:
        state = self._states.get(world)
        if state is None:
            state = self._states[world] = self._make()
            world.on_reset(partial(self._empty, state))
            if self._attach is not None:
                self._attach(world, state)
        return state
