"""The collector policy of ``mockryze serve``: freeze what is alive, thaw and collect once the frozen set doubled."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from mockryze import gcpolicy
from mockryze.gcpolicy import FreezeSurvivors


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector can free it


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[FreezeSurvivors]:
    monkeypatch.setattr(gcpolicy, "_active", None)  # put back afterwards: in-process worlds run no policy
    policy = FreezeSurvivors(check_every=1)
    policy.start()
    yield policy
    gc.unfreeze()
    gc.collect()


def in_a_generation(obj: object) -> bool:
    return any(any(o is obj for o in gc.get_objects(generation=g)) for g in range(3))


def test_a_tick_freezes_what_is_alive(policy: FreezeSurvivors) -> None:
    node = Node()
    assert in_a_generation(node)
    policy.tick()
    assert not in_a_generation(node)  # frozen: the collector no longer walks it
    assert policy.thaws == 0
    assert gcpolicy.active() is policy


def test_a_frozen_cycle_survives_until_the_frozen_set_doubles(policy: FreezeSurvivors) -> None:
    node = Node()
    dead = weakref.ref(node)
    policy.tick()
    del node
    gc.collect()
    assert dead() is not None  # frozen garbage: no collection sees it
    policy.growth = 0.5  # the frozen set is "doubled": the next tick thaws and collects everything once
    policy.tick()
    assert dead() is None
    assert policy.thaws == 1


def test_no_thaw_while_the_frozen_set_is_steady(policy: FreezeSurvivors) -> None:
    for _ in range(5):
        policy.tick()
    assert policy.thaws == 0
    assert policy.ticks == 5
