"""An injectable clock: real time by default, or a virtual one that tests freeze and advance."""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    """Seconds since the epoch, as a float.

    ``frozen`` clocks stand still until :meth:`advance` moves them; running clocks follow the
    wall clock plus whatever has been advanced. Listeners run after every advance so timers
    (QR rotation, retries, rate-limit windows) fire without anyone sleeping.
    """

    def __init__(self, start: float | None = None, frozen: bool = False) -> None:
        self._offset = 0.0 if start is None else start - time.time()
        self._frozen_at: float | None = None
        self._listeners: list[Callable[[], None]] = []
        if frozen:  # exactly at ``start``: now() - time.time() + start would add float noise
            self._frozen_at = time.time() if start is None else float(start)

    def now(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self) -> None:
        if self._frozen_at is None:
            self._frozen_at = self.now()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds
        for listener in list(self._listeners):
            listener()

    def state(self) -> dict[str, float | None]:
        """What ``restore`` needs to bring this clock back after a restart (``--state``)."""
        return {"offset": self._offset, "frozen_at": self._frozen_at}

    def restore(self, state: dict[str, float | None]) -> None:
        self._offset = float(state["offset"] or 0.0)
        self._frozen_at = state["frozen_at"]

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)
