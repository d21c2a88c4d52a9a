"""The collector policy of ``mockryze serve``: freeze what is alive; now and then, thaw and collect everything."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from mockryze import gcpolicy
from mockryze.gcpolicy import FreezeSurvivors


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector can free it


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[FreezeSurvivors]:
    monkeypatch.setattr(gcpolicy, "_active", None)  # put back afterwards: in-process worlds run no policy
    policy = FreezeSurvivors(thaw_every=600, clock=clock)
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


def test_a_frozen_cycle_is_collected_at_the_next_thaw(policy: FreezeSurvivors, clock: Clock) -> None:
    node = Node()
    dead = weakref.ref(node)
    policy.tick()
    del node
    gc.collect()
    assert dead() is not None  # frozen garbage: no collection sees it
    clock.now = 599.0
    policy.tick()
    assert dead() is not None and policy.thaws == 0
    clock.now = 600.0
    policy.tick()  # the thaw: everything is collected once, then frozen again
    assert dead() is None
    assert policy.thaws == 1


def test_thaws_come_once_per_interval(policy: FreezeSurvivors, clock: Clock) -> None:
    for second in range(0, 3000, 50):
        clock.now = float(second)
        policy.tick()
    assert policy.thaws == 4  # at 600, 1200, 1800 and 2400 s
    assert policy.ticks == 60


def test_run_ticks_once_per_interval(policy: FreezeSurvivors, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the loop's own sleep, without waiting: three ticks, then stop
        slept.append(seconds)
        if len(slept) > 3:
            raise asyncio.CancelledError

    monkeypatch.setattr(gcpolicy.asyncio, "sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(policy.run())
    assert slept == [policy.interval] * 4 and policy.interval == 0.05
    assert policy.ticks == 3
