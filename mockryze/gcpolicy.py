"""The garbage-collection policy of a long-running ``mockryze serve``.

At its caps a busy server holds ~10,000 messages, events and journaled requests per account, each a
few container objects, and CPython's collector walked them again and again: each record was visited
in every young collection it lived through (the young generations grew to tens of thousands of
objects, because the store's evictions offset its allocations in the collector's counts) and in
every full one. Under wrk that was ~16% of the server's CPU and pauses of 30–130 ms, which set the
p99 latency.

The fix is generational by hand: every ``interval`` seconds whatever is alive is frozen
(``gc.freeze``, a constant-time list splice), so the collector only ever walks what was allocated
since the last tick. A frozen record is still freed by reference counting when the store evicts it.
Only a reference *cycle* that became garbage after being frozen escapes, and the server makes almost
none (4 objects in 40,000 sends, measured); so that they stay bounded, whenever the frozen set has
doubled since the last look, everything is thawed and collected once (amortised, like CPython's own
rule for full collections).

Only ``serve`` installs it: the in-process fixture's worlds are short-lived and keep Python's defaults.
"""

from __future__ import annotations

import asyncio
import gc

FREEZE_EVERY = 0.05  # seconds between freezes: a young collection walks at most this much new work
CHECK_EVERY = 100  # ticks between counts of the frozen set (counting walks it: ~1 ms per 300,000 objects)
GROWTH = 2.0  # thaw and collect everything once the frozen set has grown this much since the last thaw


class FreezeSurvivors:
    """The policy; ``start`` makes it the process's (``GET /__mock__/stats`` shows its counts under ``gc.policy``)."""

    def __init__(self, interval: float = FREEZE_EVERY, check_every: int = CHECK_EVERY,
                 growth: float = GROWTH) -> None:
        self.interval = interval
        self.check_every = check_every
        self.growth = growth
        self.ticks = 0
        self.thaws = 0
        self.baseline = 0  # the frozen set's size after the last thaw

    def start(self) -> None:
        """Freeze what start-up built (modules, routes, settings): it lives as long as the process."""
        global _active
        gc.collect()
        gc.freeze()
        self.baseline = gc.get_freeze_count()
        _active = self

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks % self.check_every == 0 and gc.get_freeze_count() > self.growth * self.baseline:
            gc.unfreeze()
            gc.collect()  # the one walk over everything: frozen cycles that became garbage go here
            self.thaws += 1
            gc.freeze()
            self.baseline = gc.get_freeze_count()
            return
        gc.freeze()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.tick()


_active: FreezeSurvivors | None = None


def active() -> FreezeSurvivors | None:
    """The policy this process runs, if any (only ``mockryze serve`` starts one)."""
    return _active
