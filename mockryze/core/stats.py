"""Cumulative counters behind ``GET /__mock__/stats``: what the world did since it was made, and how
long the process's garbage collections paused it.

The counters are plain integers on a ``__slots__`` object the world holds (one attribute increment
where the thing happens, nothing else on the hot path); a reader subtracts two readings to get a
rate. GC pauses are timed by a ``gc.callbacks`` hook that ``mockryze serve`` installs once per
process (:func:`track_gc_pauses`); without it only the collection counts are known.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from time import perf_counter_ns
from typing import Any

from mockryze import gcpolicy

# Upper bounds (ms) of the pause histogram's buckets; one more bucket counts the longer pauses.
PAUSE_BUCKETS_MS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0)
_BUCKETS_NS = tuple(int(bound * 1e6) for bound in PAUSE_BUCKETS_MS)
GENERATIONS = 3


class Counters:
    """What one world did since it was made; a reset of the world keeps counting."""

    __slots__ = ("events_published", "messages_evicted", "messages_stored", "timers_fired", "webhook_attempts",
                 "websocket_frames")

    def __init__(self) -> None:
        self.events_published = 0  # EventBus.publish
        self.timers_fired = 0  # World.run_due, every timer (receipts, QR rotation, wake-ups, retry sleeps)
        self.webhook_attempts = 0  # one POST tried by the dispatcher, whatever its outcome
        self.websocket_frames = 0  # one text frame written to a WebSocket client
        self.messages_stored = 0  # messages.model.store
        self.messages_evicted = 0  # dropped from a full store (message_store_limit), oldest first

    def view(self) -> dict[str, int]:
        return {"eventsPublished": self.events_published, "timersFired": self.timers_fired,
                "webhookAttempts": self.webhook_attempts, "websocketFrames": self.websocket_frames,
                "messagesStored": self.messages_stored, "messagesEvicted": self.messages_evicted}


class _GcPauses:
    """The process's collector pauses per generation, from the moment the hook was installed."""

    __slots__ = ("histogram", "installed", "max_ns", "started", "total_ns")

    def __init__(self) -> None:
        self.installed = False
        self.started = 0
        self.total_ns = [0] * GENERATIONS
        self.max_ns = [0] * GENERATIONS
        self.histogram = [[0] * (len(_BUCKETS_NS) + 1) for _ in range(GENERATIONS)]


_GC = _GcPauses()


def _on_gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _GC.started = perf_counter_ns()
        return
    pause = perf_counter_ns() - _GC.started
    generation = info["generation"]
    _GC.total_ns[generation] += pause
    if pause > _GC.max_ns[generation]:
        _GC.max_ns[generation] = pause
    _GC.histogram[generation][bisect_left(_BUCKETS_NS, pause)] += 1


def track_gc_pauses() -> None:
    """Time every garbage collection of this process from now on (idempotent)."""
    if not _GC.installed:
        gc.callbacks.append(_on_gc)
        _GC.installed = True


def gc_view() -> dict[str, Any]:
    """Collections per generation since the process started (``gc.get_stats``) and, when the hook is
    installed, their pauses since then: total, longest, and a histogram over ``bucketsMs``."""
    collected = gc.get_stats()
    generations = []
    for generation in range(GENERATIONS):
        row: dict[str, Any] = {"generation": generation, "collections": collected[generation]["collections"]}
        if _GC.installed:
            row |= {"pauseMsTotal": round(_GC.total_ns[generation] / 1e6, 3),
                    "pauseMsMax": round(_GC.max_ns[generation] / 1e6, 3),
                    "pauseCounts": list(_GC.histogram[generation])}
        generations.append(row)
    view: dict[str, Any] = {"pausesTracked": _GC.installed, "bucketsMs": list(PAUSE_BUCKETS_MS),
                            "generations": generations}
    policy = gcpolicy.active()
    if policy is not None:
        view["policy"] = {"freezeEverySeconds": policy.interval, "thawEverySeconds": policy.thaw_every,
                          "freezes": policy.ticks, "thaws": policy.thaws}
    return view
