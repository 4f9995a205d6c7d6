"""One planning leader among the processes sharing a store.

The announcer (and with it a replay's pacer) runs in exactly one process: two planners would
each enqueue every announcement's changes and retries, and each hold a replay clock. Every
process runs a `Leadership`: a standby asks the coordinator for the lead every `poll_seconds`
(real seconds: the lead is about processes, not about the bot's clock) and, once it has it,
starts planning; a leader that loses its hold (its database connection gone) stops planning
and stands by again. With SQLite (one process) the first try succeeds and never ends.

The takeover time after a leader dies is about `poll_seconds` plus the server noticing the
dead connection (at once for a killed process: its socket closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.store.coordination import Coordinator

__all__ = ["POLL_SECONDS", "Leadership"]

log = logging.getLogger("pitboard.scheduling")

POLL_SECONDS = 1.0


class Leadership:
    def __init__(
        self,
        coordinator: Coordinator,
        start_planning: Callable[[], Awaitable[None]],
        stop_planning: Callable[[], Awaitable[None]],
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._coordinator = coordinator
        self._start_planning = start_planning
        self._stop_planning = stop_planning
        self._poll_seconds = poll_seconds
        self._planning = False
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()  # set at every start or stop of planning
        self.takeovers = 0  # times this process became the leader

    @property
    def planning(self) -> bool:
        """Whether this process is the leader and plans now."""
        return self._planning

    async def start(self) -> None:
        """Try for the lead once now (a lone process plans before start() returns), then keep
        trying, or keep watching the hold, in the background."""
        await self.step()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._planning:
            await self._stop_planning()
            self._planning = False

    async def wait_changed(self) -> None:
        """Until planning starts or stops here next (for tests and the soak)."""
        self._changed.clear()
        await self._changed.wait()

    async def step(self) -> None:
        """One look: take the lead if free, or step down if the hold was lost."""
        if self._planning:
            if self._coordinator.leading():
                return
            log.warning("planning leadership lost: this process stops planning")
            self._planning = False
            self._changed.set()
            await self._stop_planning()
            return
        if await self._coordinator.try_lead():
            log.info("this process is the planning leader")
            self._planning = True
            self.takeovers += 1
            self._changed.set()
            await self._start_planning()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._poll_seconds)
            try:
                await self.step()
            except Exception:
                log.exception("taking or keeping the planning lead failed; trying again")
