"""The in-memory world: accounts own instances; one clock, one id factory, one event bus.

Nothing here knows about HTTP. The world is guarded by one re-entrant lock because the live
server and a test thread (``ryze.serve()``) may act on it at the same time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from mockryze.core import literals
from mockryze.core.bus import EventBus, RecordedEvent
from mockryze.core.clock import Clock
from mockryze.core.errors import ApiError
from mockryze.core.ids import IdFactory
from mockryze.core.quirks import Quirks, of_profile, resolve
from mockryze.core.settings import Settings, zone
from mockryze.core.stats import Counters

if TYPE_CHECKING:
    from faker import Faker

    from mockryze.core.persist import Store
    from mockryze.instance.model import Instance


@dataclass
class Account:
    token: str
    instance_limit: int
    instances: dict[str, Instance] = field(default_factory=dict)
    quirks: Quirks = field(default_factory=lambda: of_profile("live"))  # resolved once
    quirk_overrides: dict[str, str] = field(default_factory=dict)  # the account's own (POST /__mock__/accounts)


class _Timer(NamedTuple):  # a tuple, so the heap compares (due, seq) natively; seq is unique
    due: float
    seq: int
    action: Callable[[], None]
    survives_reset: bool = False


class World:
    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self.clock = clock or Clock(self.settings.start_time, frozen=self.settings.frozen_clock)
        self.clock.on_advance(self.run_due)
        self.lock = threading.RLock()
        self.stats = Counters()  # GET /__mock__/stats; kept through resets
        self.bus = EventBus(self.settings.event_record_limit, self.stats)
        self.tz = zone(self.settings.timezone)
        self.base_url = self.settings.base_url
        self.quirks = resolve(self.settings.profile, self.settings.quirks)  # every account's base
        self._reset_hooks: list[Callable[[], None]] = []  # e.g. the delivery journal empties with the world
        self._forget_hooks: list[Callable[[Instance], None]] = []  # e.g. the instance's WebSockets close
        self._firing_at: float | None = None  # while a timer runs, "now" is the moment it was due
        self._timer_seq = itertools.count()
        self._timers: list[_Timer] = []
        self._iso_cache: tuple[float, str] = (math.inf, "")
        self.store: Store | None = None  # the --state file, when there is one
        self.reset()
        if self.settings.state:
            from mockryze.core.persist import attach

            attach(self, self.settings.state)

    # --- accounts ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty world with the default account (same token), ids re-seeded."""
        with self.lock:
            self.ids = IdFactory(self.settings.seed)
            # Timers of the old world die with it; the delivery engine's retry sleeps survive.
            self._timers = [t for t in self._timers if t.survives_reset]
            heapq.heapify(self._timers)
            self.bus.clear()
            for hook in self._reset_hooks:
                hook()
            self.inboxes: dict[str, list[dict[str, Any]]] = {}
            self.accounts: dict[str, Account] = {}
            self._tokens: dict[str, Instance] = {}
            default_token = self.settings.account_token or self.ids.token()
            self.default_account = self.add_account(default_token, self.settings.instance_limit)

    def on_reset(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` whenever the world is reset (state kept outside the world empties with it)."""
        self._reset_hooks.append(hook)

    def add_account(self, token: str | None = None, instance_limit: int | None = None,
                    quirk_overrides: dict[str, str] | None = None) -> Account:
        """``quirk_overrides`` (checked by ``quirks.checked``) override the server's quirk values."""
        with self.lock:
            token = token or self.ids.token(self.token_in_use)
            if self.token_in_use(token):
                raise ApiError(literals.MOCK_ACCOUNT_EXISTS)
            limit = self.settings.instance_limit if instance_limit is None else instance_limit
            own = dict(quirk_overrides or {})
            account = Account(token, limit, quirks=self.quirks.changed(own), quirk_overrides=own)
            self.accounts[token] = account
            return account

    # --- token lookup -----------------------------------------------------------------------
    def token_in_use(self, token: str) -> bool:
        """Every token, account or instance, generated or custom, is unique across the server."""
        return token in self.accounts or token in self._tokens

    def instance_by_token(self, token: str) -> Instance | None:
        return self._tokens.get(token)

    def register_token(self, instance: Instance) -> None:
        self._tokens[instance.token] = instance

    def forget_token(self, instance: Instance) -> None:
        self._tokens.pop(instance.token, None)
        for hook in self._forget_hooks:
            hook(instance)

    def on_forget(self, hook: Callable[[Instance], None]) -> None:
        """Run ``hook`` when an instance's token stops authenticating (the instance is deleted)."""
        self._forget_hooks.append(hook)

    # --- time -------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now() if self._firing_at is None else self._firing_at

    def iso(self, epoch: float | None = None) -> str:
        """ISO-8601 with the configured zone's offset (``Z`` for UTC), never epoch.

        Whole seconds only, so each second is formatted once; within a millisecond of the next
        second it is not cached (microsecond rounding may already show that one).
        """
        moment = self.now() if epoch is None else epoch
        second, text = self._iso_cache
        if second <= moment < second + 0.999:
            return text
        text = datetime.fromtimestamp(moment, self.tz).isoformat(timespec="seconds")
        text = text.replace("+00:00", "Z") if self.tz is UTC else text
        if moment % 1 < 0.999:
            self._iso_cache = (math.floor(moment), text)
        return text

    def schedule(self, delay: float, action: Callable[[], None], *, survives_reset: bool = False) -> None:
        with self.lock:
            self.schedule_at(self.now() + delay, action, survives_reset=survives_reset)

    def schedule_at(self, due: float, action: Callable[[], None], *, survives_reset: bool = False) -> None:
        with self.lock:
            heapq.heappush(self._timers, _Timer(due, next(self._timer_seq), action, survives_reset))

    def run_due(self, save: bool = True) -> None:
        """Fire every timer whose virtual time has come, in due order.

        Each timer runs at the moment it was due: what it schedules and stamps counts from then, so
        one big clock jump fires a repeating timer (QR rotation) as often as small steps would.
        With ``--state`` what the timers changed is written (``save``) or left to the caller's own write.
        """
        with self.lock:
            fired = False
            while self._timers and self._timers[0].due <= self.clock.now():
                timer = heapq.heappop(self._timers)
                self.stats.timers_fired += 1
                outer, self._firing_at = self._firing_at, timer.due
                fired = fired or not timer.survives_reset  # world timers, not wake-ups and retry sleeps
                try:
                    timer.action()
                finally:
                    self._firing_at = outer
            if self.store is not None and self._firing_at is None:
                if fired:
                    self.store.everything()
                if save and self.store.pending:  # a request saves what its timers did with its own changes
                    self.store.flush()

    def checkpoint(self, *instances: Instance) -> None:
        """Write what changed to the --state file: ``instances`` only, or everything when none are named."""
        if self.store is None:
            return
        with self.lock:
            if instances:
                self.store.touched(instances)
            else:
                self.store.everything()
            self.store.flush()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the mock's clock: a frozen clock waits for someone to advance it."""
        await self.sleep_until(self.now() + seconds)

    async def sleep_until(self, due: float) -> None:
        loop = asyncio.get_running_loop()
        while self.now() < due:
            woken: asyncio.Future[None] = loop.create_future()

            def settle(future: asyncio.Future[None] = woken) -> None:
                if not future.done():
                    future.set_result(None)

            def wake(future: asyncio.Future[None] = woken) -> None:
                loop.call_soon_threadsafe(settle, future)

            self._wake_at(due, wake)
            timeout = None if self.clock.frozen else max(due - self.now(), 0.0)
            await asyncio.wait({woken}, timeout=timeout)
            self.run_due()

    def block_until(self, due: float) -> None:
        """``sleep_until`` for a caller with no event loop to yield to: blocks this thread instead."""
        while self.now() < due:
            woken = threading.Event()
            self._wake_at(due, woken.set)
            woken.wait(None if self.clock.frozen else max(due - self.now(), 0.0))
            self.run_due()

    def _wake_at(self, due: float, wake: Callable[[], None]) -> None:
        """A wake-up at ``due``, fired at once if the clock passed it while the caller was not
        looking (another thread may advance it between the caller's check and this call)."""
        self.schedule_at(due, wake, survives_reset=True)
        self.run_due()

    # --- fake data --------------------------------------------------------------------------
    def faker(self) -> Faker:
        """A Faker seeded from the world's own sequence, so fake data replays under the seed."""
        fake = _shared_faker()
        fake.seed_instance(self.ids.integer())
        return fake

    # --- events -----------------------------------------------------------------------------
    def emit(self, instance: Instance, event: str, data: dict[str, Any]) -> RecordedEvent:
        return self.bus.publish(
            account_token=instance.account.token,
            instance=instance.name,
            event=event,
            data=data,
            instance_data={"baseUrl": self.base_url, "instance": instance.name, "token": instance.token},
        )


@cache
def _shared_faker() -> Faker:
    from faker import Faker  # imported lazily: building a Faker costs ~40 ms

    return Faker("pt_BR")
