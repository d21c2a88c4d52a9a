"""The world's timers: a sleeper on the virtual clock wakes however the clock moves around it."""

from __future__ import annotations

import asyncio
import threading

from mockryze.core.settings import Settings
from mockryze.core.world import World


def _frozen_world() -> World:
    return World(Settings(frozen_clock=True, start_time=1_767_268_800.0))


def test_a_sleeper_wakes_when_the_clock_passes_its_due_time_while_it_is_falling_asleep() -> None:
    """Another thread may advance the clock between the sleeper's check and its wake-up timer;
    the wake-up is then already due and must fire (it used to be scheduled a step too late)."""
    world = _frozen_world()
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        for _ in range(300):
            done = asyncio.run_coroutine_threadsafe(world.sleep_until(world.now() + 1), loop)
            world.clock.advance(1)
            world.run_due()
            done.result(timeout=5)  # a sleeper that missed its wake-up would wait for ever
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(timeout=5)


def test_a_blocked_thread_wakes_when_the_clock_passes_its_due_time() -> None:
    world = _frozen_world()
    for _ in range(300):
        due = world.now() + 1
        sleeper = threading.Thread(target=world.block_until, args=(due,), daemon=True)
        sleeper.start()
        world.clock.advance(1)
        world.run_due()
        sleeper.join(timeout=5)
        assert not sleeper.is_alive(), "the blocked thread missed its wake-up"


def test_a_timer_scheduled_at_a_moment_already_past_fires_on_the_next_run() -> None:
    world = _frozen_world()
    fired: list[float] = []
    world.schedule_at(world.now() - 5, lambda: fired.append(world.now()))
    world.run_due()
    assert fired == [world.clock.now() - 5]  # it runs at the moment it was due
