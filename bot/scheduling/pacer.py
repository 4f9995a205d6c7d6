"""Pacing a replay: the replay clock never passes a due moment while posts due before it are
still going out.

A replay runs its clock hundreds of times faster than real time, while the platforms' rate
limits, their retry-afters and a slow machine stay in real time. Left alone, the clock would
outrun the fan-outs: a reminder still queued when its session starts is dropped as too late,
and the replay's result would depend on how fast the machine is. So the pacer holds the clock
(`ScaledClock.hold_at`) a little before the next moment an announcement is due while anything
due before that moment is still to be sent (pending, in flight, or waiting for a retry that
falls before it); once nothing is, the clock goes on to the moment, the announcement fires and
is enqueued, and its deliveries go out while the clock runs towards the next moment. A replay's
end (--until) is such a moment too: the clock reaches it once nothing is still going out. A
reminder is therefore never still queued when the clock shows its session's start.

A held clock cannot say when it will reach a moment beyond its hold (`real_seconds_until` is
infinite there), so each time the hold moves the announcer's jobs up to the new hold are timed
again and the delivery engine is woken to look at the clock again.

Every move is logged ("replay clock at X, runs to Y"): with the log's timestamps that line
gives the clock's reading at any later real time until the next one (bench/soak.py reads it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.core.clock import ScaledClock
from bot.scheduling.announcer import Announcer

log = logging.getLogger("pitboard.scheduling")

# Real seconds between looks while the clock stands at a hold or a job is firing.
HELD_POLL_SECONDS = 0.02
# The longest real sleep while the clock runs towards its hold: a replan may have planned a
# moment before it (a chat's new reminder offset, a changed schedule).
RUNNING_POLL_SECONDS = 0.1
# Where the clock waits for posts due before a moment: this much before the moment itself.
# Enough for a post failing there to use all its retries before the moment (the engine's
# backoff, counted in clock time, sums to at most 1 + 2 + ... + 64 = 127 s), so a reminder
# retried during a hold is not composed after its session started.
JUST_BEFORE = timedelta(seconds=150)


class ReplayPacer:
    def __init__(
        self,
        clock: ScaledClock,
        announcer: Announcer,
        earliest_unsent: Callable[[], Awaitable[datetime | None]],
        on_moved: Callable[[], None] = lambda: None,
        until: datetime | None = None,
    ) -> None:
        self._clock = clock
        self._announcer = announcer
        self._earliest_unsent = earliest_unsent
        self._on_moved = on_moved
        self._waiting_at: datetime | None = None
        # The replay ends there (--until): the clock never runs past it, or it could fire a
        # moment after the end before the end is noticed (a stopped bot's downtime begins
        # exactly at its --until).
        self._until = until

    def start_clock(self) -> None:
        """Start the clock held where it stands: the first `step` lets it on. Started first and
        paced after, a busy machine could let it run past a due moment before the first look
        (a replay, or the suite, then depended on the machine's speed)."""
        self._clock.hold_at(self._clock.now())
        self._clock.start()

    async def run(self) -> None:
        """Pace until cancelled. The clock should be started (`start_clock`); a failing step is
        logged and tried again (the clock stays held meanwhile, which delays a replay but loses
        nothing)."""
        while True:
            try:
                await asyncio.sleep(await self.step())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("pacing the replay clock failed; trying again")
                await asyncio.sleep(RUNNING_POLL_SECONDS)

    async def step(self) -> float:
        """Look once: move the hold if the clock may go on. Returns the real seconds to wait."""
        clock, announcer = self._clock, self._announcer
        now, hold = clock.now(), clock.hold
        upcoming = announcer.next_due()
        if announcer.firing or (upcoming is not None and upcoming <= now):
            return HELD_POLL_SECONDS  # an announcement is due here: let it be enqueued first
        end = self._until
        if end is not None and (upcoming is None or upcoming > end):
            # Nothing planned before the replay's end (nothing at all, or only moments after
            # it: a replay of one weekend still has the rest of the season planned): the end
            # is the next moment, and the clock does not reach it while posts are still going
            # out (the bot stops there: a post still queued then would be lost to the replay,
            # however slow the machine or long a restart after a kill).
            upcoming = end
        if upcoming is None:
            if hold is not None:
                self._move(now, None)  # nothing planned and no end: the clock runs freely
            return RUNNING_POLL_SECONDS
        earliest = await self._earliest_unsent()
        # Not even *at* the moment while posts due before it are out: a reminder still queued
        # when the clock shows its session's start would be dropped as too late.
        target = upcoming
        if earliest is not None and earliest < upcoming:
            # A retry due between the hold and the moment must still be reachable, or it
            # would wait for a clock that waits for it.
            target = max(upcoming - JUST_BEFORE, earliest)
        target = max(target, now)  # never back; at most `upcoming`, so never past the end
        if target != hold:
            self._move(now, target)
        elif now >= target and self._waiting_at != target:
            self._waiting_at = target
            log.info("replay clock held at %s: posts due before %s are still going out",
                     target.isoformat(), upcoming.isoformat())  # fmt: skip
        if now >= target:
            return HELD_POLL_SECONDS
        return min(RUNNING_POLL_SECONDS, clock.real_seconds_until(target))

    def _move(self, now: datetime, hold: datetime | None) -> None:
        self._clock.hold_at(hold)
        if hold is not None:
            self._announcer.retime(hold)
        self._on_moved()
        log.info(
            "replay clock at %s, runs to %s",
            now.isoformat(),
            hold.isoformat() if hold is not None else "the end",
        )
