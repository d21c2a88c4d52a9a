"""RyzeAPI's chat module, as a model: what it stores and the rules it enforces.

Every function takes the world and plain values and raises :class:`ApiError` with a literal of
:mod:`mockryze.core.literals` when it refuses; a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance


@dataclass(frozen=True)
class Example:
    """A record of the module (the scaffold's example: replace it with what the module keeps)."""

    instance: str
    status: str
    checked_at: float  # epoch seconds on the world's clock; a route renders it with world.iso()


def example(world: World, inst: Instance) -> Example:
    """The example record of ``inst``; refused while the instance has no WhatsApp session."""
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.NOT_CONNECTED, f"instance is {inst.state.rest}")
    return Example(instance=inst.name, status=inst.state.rest, checked_at=world.now())
