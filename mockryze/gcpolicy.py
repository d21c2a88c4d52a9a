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
none (none per request, successful or refused, in-process; 4 objects in 65,000 sends under
Hypercorn), so every ``thaw_every`` seconds the frozen objects are handed back and collected once:
one pause of a full collection (~0.1 s at the caps) every ten minutes.

Only ``serve`` installs it: the in-process fixture's worlds are short-lived and keep Python's defaults.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

FREEZE_EVERY = 0.05  # seconds between freezes: a young collection walks at most this much new work
THAW_EVERY = 600.0  # seconds between full collections over everything (frozen cycles cannot pile up)


class FreezeSurvivors:
    """The policy; ``start`` makes it the process's (``GET /__mock__/stats`` shows its counts under ``gc.policy``)."""

    def __init__(self, interval: float = FREEZE_EVERY, thaw_every: float = THAW_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.thaw_every = thaw_every
        self.clock = clock
        self.ticks = 0
        self.thaws = 0
        self.last_thaw = clock()

    def start(self) -> None:
        """Freeze what start-up built (modules, routes, settings): it lives as long as the process."""
        global _active
        gc.collect()
        gc.freeze()
        self.last_thaw = self.clock()
        _active = self

    def tick(self) -> None:
        self.ticks += 1
        if self.clock() - self.last_thaw >= self.thaw_every:
            gc.unfreeze()
            gc.collect()  # the one walk over everything: frozen cycles that became garbage go here
            self.thaws += 1
            self.last_thaw = self.clock()
        gc.freeze()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.tick()


_active: FreezeSurvivors | None = None


def active() -> FreezeSurvivors | None:
    """The policy this process runs, if any (only ``mockryze serve`` starts one)."""
    return _active
