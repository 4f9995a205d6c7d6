"""This process among the others on one store: who plans, and what each hears from the rest.

`Cluster` puts together the coordinator (bot.store.coordination), the planning leadership
(bot.scheduling.leadership) and this process's parts:

- leading: the announcer runs (and `on_lead`, a replay's pacer); losing the lead stops them,
  and a chat's new reminder offsets here are passed on to the leader as a REPLAN signal;
- enqueued here (by the leader's plan, or an admin's /announce in any process): ENQUEUED, and
  every other process's delivery engine wakes at once, after reading the audience again, so
  that a post it sends is composed for the chat's subscription as stored
  (`Store.audience_subscription`), not as some other process last knew it;
- reloaded here (/reload, an operator's edit, the folder watch): RELOADED, and every other
  process reloads the shared schedules folder unless it has already seen it as it is;
- a replay's clock moved by the leader: CLOCK, and every other process's clock follows it
  (bot.scheduling.shared_clock).

With SQLite the coordinator is local: the process leads at once and hears nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.scheduling.announcer import Announcer
from bot.scheduling.leadership import POLL_SECONDS, Leadership
from bot.scheduling.reloader import ScheduleReloader
from bot.store.coordination import CLOCK, ENQUEUED, RELOADED, REPLAN, Coordinator, Signal
from bot.store.protocol import Store

__all__ = ["Cluster"]

log = logging.getLogger("pitboard.scheduling")


class Cluster:
    def __init__(
        self,
        coordinator: Coordinator,
        store: Store,
        announcer: Announcer,
        reloader: ScheduleReloader,
        wake_delivery: Callable[[], None],
        *,
        on_lead: Callable[[], None] = lambda: None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.coordinator = coordinator
        self._store = store
        self._announcer = announcer
        self._reloader = reloader
        self._wake_delivery = wake_delivery
        self.on_lead = on_lead  # called on taking the lead (a replay's pacer starts then)
        # Called on losing the lead (a replay's pacer stops, its clock follows the new leader's).
        self.on_standby: Callable[[], Awaitable[None]] | None = None
        # Called when the leader signals a move of a replay's clock (bot.scheduling.shared_clock).
        self.on_clock: Callable[[], None] = lambda: None
        self.leadership = Leadership(
            coordinator, self._start_planning, self._stop_planning, poll_seconds=poll_seconds
        )
        self._tasks: set[asyncio.Task[object]] = set()
        self._audience_stale = False
        self._audience_reading: asyncio.Task[object] | None = None
        self.heard: dict[Signal, int] = {}  # signals heard from other processes, by kind

    async def start(self) -> None:
        await self.coordinator.open()
        self.coordinator.listen(self._heard)
        self._reloader.on_reloaded = lambda: self.coordinator.signal(RELOADED)
        self._announcer.follow(self._ask_leader)  # until this process leads
        # A process that does not plan has read no audience yet: its first sends need one.
        await self._store.audience()
        await self.leadership.start()

    async def stop(self) -> None:
        await self.leadership.stop()
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self._reloader.on_reloaded = None
        await self.coordinator.close()

    def enqueued(self) -> None:
        """Deliveries were enqueued in this process: wake its engine and tell the others."""
        self._wake_delivery()
        self._spawn(self.coordinator.signal(ENQUEUED))

    # --- leadership ------------------------------------------------------------------------

    async def _start_planning(self) -> None:
        self._announcer.follow(None)
        await self._announcer.start()
        self.on_lead()

    async def _stop_planning(self) -> None:
        await self._announcer.stop()
        self._announcer.follow(self._ask_leader)
        if self.on_standby is not None:
            await self.on_standby()

    async def _ask_leader(self) -> None:
        await self.coordinator.signal(REPLAN)

    # --- signals from the other processes --------------------------------------------------

    def _heard(self, signal: Signal) -> None:
        self.heard[signal] = self.heard.get(signal, 0) + 1
        if signal == ENQUEUED:
            self._read_audience_then_wake()
        elif signal == RELOADED:
            self._spawn(self._reloader.reload_if_changed())
        elif signal == REPLAN and self.leadership.planning:
            self._spawn(self._announcer.replan())
        elif signal == CLOCK and not self.leadership.planning:
            self.on_clock()

    def _read_audience_then_wake(self) -> None:
        """One read of the audience at a time; signals heard meanwhile take one more after."""
        self._audience_stale = True
        if self._audience_reading is None or self._audience_reading.done():
            self._audience_reading = self._spawn(self._refresh_audience())

    async def _refresh_audience(self) -> None:
        while self._audience_stale:
            self._audience_stale = False
            try:
                await self._store.audience()
            except Exception:
                log.exception("reading the audience after another process enqueued failed")
            self._wake_delivery()

    def _spawn(self, work: Awaitable[object]) -> asyncio.Task[object]:
        async def run() -> object:
            try:
                return await work
            except Exception:
                log.exception("handling a signal between processes failed")
                return None

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
