"""What moves a replay's clock in this process: the pacer while it leads, else the leader.

A replay's clock (`ScaledClock`, made unstarted) starts when the bot is ready. Only the planning
leader paces it (bot.scheduling.pacer). A process standing by starts pacing when it takes the
lead, from its first moment, so no replayed moment passes unpaced; meanwhile, on a store
shared with other processes (PostgreSQL), its clock follows the one the leader publishes
(bot.scheduling.shared_clock), and on taking the lead it continues from the last publication.
A leader that loses the lead (its database connection gone) stops pacing and follows again;
one that is stopped publishes its clock standing where it is.

Alone on its store (SQLite) the process always leads, and nothing is published or followed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core.clock import ScaledClock
from bot.scheduling.announcer import Announcer
from bot.scheduling.cluster import Cluster
from bot.scheduling.pacer import ReplayPacer
from bot.scheduling.shared_clock import ClockSharing

__all__ = ["ReplayDriver"]


class ReplayDriver:
    def __init__(
        self,
        clock: ScaledClock,
        announcer: Announcer,
        earliest_unsent: Callable[[], Awaitable[datetime | None]],
        wake: Callable[[], None],
        cluster: Cluster,
        sharing: ClockSharing | None,
    ) -> None:
        self.clock = clock
        self._announcer = announcer
        self._earliest_unsent = earliest_unsent
        self._wake = wake  # the delivery engine looks at the clock again
        self._cluster = cluster
        self.sharing = sharing
        self._until: datetime | None = None
        self._pacing = False
        self._stopping = False
        self._task: asyncio.Task[None] | None = None  # the pacer's (or the take-over's)
        cluster.on_standby = self._stand_by
        if sharing is not None:
            cluster.on_clock = sharing.heard

    @property
    def pacing(self) -> bool:
        return self._pacing

    async def adopt(self) -> None:
        """At start, before the announcer plans: take up a replay other processes run."""
        if self.sharing is not None:
            await self.sharing.adopt()

    def start(self, until: datetime | None = None) -> None:
        """Start the clock: paced here if this process leads, else following the leader's
        (once; again calling it changes nothing). `until`: the replay's --until."""
        if until is not None:
            self._until = until
        if self._pacing or self._stopping:
            return
        if not self._cluster.leadership.planning:
            self._cluster.on_lead = self.start
            if self.sharing is not None:
                self.sharing.follow()
            return
        self._pacing = True
        if self.sharing is None:
            self._pace()
        else:
            self._task = asyncio.create_task(self._take_over(self.sharing))

    async def _take_over(self, sharing: ClockSharing) -> None:
        await sharing.take_over()
        self._pace()  # the pacer's own task replaces this one as `_task`

    def _pace(self) -> None:
        sharing, wake = self.sharing, self._wake

        def moved() -> None:
            wake()
            if sharing is not None:
                sharing.moved()

        pacer = ReplayPacer(
            self.clock, self._announcer, self._earliest_unsent, moved, until=self._until
        )
        pacer.start_clock()
        if sharing is not None:
            sharing.moved()  # the clock started (held where it stands): the others see it
        self._task = asyncio.create_task(pacer.run())

    async def _stand_by(self) -> None:
        """The lead was lost (not at a stop): pacing stops here, the clock follows the new
        leader's publication."""
        if self._stopping or not self._pacing:
            return
        await self._stop_pacing()
        self.start()

    async def _stop_pacing(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._pacing = False

    async def stop(self) -> None:
        self._stopping = True
        leading = self._pacing and self._cluster.leadership.planning
        await self._stop_pacing()
        if self.sharing is not None:
            if leading:
                await self.sharing.publish_stop()
            await self.sharing.stop()
