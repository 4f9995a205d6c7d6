"""A lane's feeder: keeps the lane's queue topped up with due deliveries from the store.

It claims in batches, each delivery with its chat's row (`Store.claim_with_chats`, kept by
`ClaimedChats` for the worker), when the queue is half empty (each claim renews this process's
leases; with a full queue it renews them without claiming); and sleeps while nothing is due:
until the next delivery falls due, a parked one comes back, or `Lane.nudge()` (new work, a
retry written).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.delivery.claimed import ClaimedChats
from bot.delivery.errors import describe
from bot.delivery.lane import Lane
from bot.store.protocol import Store

__all__ = ["MAX_IDLE_SECONDS", "Feeder"]

log = logging.getLogger("pitboard.delivery")

# The feeder's longest sleep even with nothing due: a safety net for work enqueued by another
# process (which cannot call wake()) and for clocks that run faster than real time.
MAX_IDLE_SECONDS = 5.0
# How often, at most, a feeder with a full queue renews its process's leases (which last a
# minute by default, bot.store.leases): a renewal is a write, and wake-ups can come often.
RENEW_EVERY = timedelta(seconds=5)


class Feeder:
    def __init__(self, store: Store, clock: Clock, claimed: ClaimedChats) -> None:
        self.store = store
        self.clock = clock
        self._claimed = claimed
        self._renewed_at: datetime | None = None  # the last claim or renewal, by the clock

    async def run(self, lane: Lane) -> None:
        """Keep the lane's queue topped up with due deliveries; sleep while nothing is due."""
        while True:
            lane.release_parked()
            room = lane.room()
            claimed = 0
            if room > 0:
                try:
                    now = self.clock.now()
                    batch = await self.store.claim_with_chats(now, room, platform=lane.platform)
                    self._renewed_at = now
                except Exception as error:
                    log.error("claiming %s deliveries failed: %s", lane.platform, describe(error))
                    await lane.wait(1.0)
                    continue
                lane.enqueue(self._claimed.keep(batch))
                claimed = len(batch)
                if claimed == room:
                    continue  # there may be more due right now
            else:
                await self._renew_leases(lane)
            await lane.wait(await self._idle_seconds(lane, room_left=room > 0, claimed=claimed))

    async def _renew_leases(self, lane: Lane) -> None:
        """A full queue claims nothing, and a claim is what renews this process's leases
        (bot.store.leases): renew them here, or a long wait (a flood limit) would let them
        expire and another process send what this one still holds."""
        now = self.clock.now()
        if self._renewed_at is not None and now - self._renewed_at < RENEW_EVERY:
            return
        try:
            await self.store.renew_leases(now)
            self._renewed_at = now
        except Exception as error:
            log.error("renewing the %s leases failed: %s", lane.platform, describe(error))

    async def _idle_seconds(self, lane: Lane, *, room_left: bool, claimed: int) -> float:
        waits = [MAX_IDLE_SECONDS]
        parked = lane.next_parked_in()
        if parked is not None:
            waits.append(parked)
        if room_left:
            try:
                due = await self.store.next_due_at()
            except Exception as error:
                log.error("reading the next due time failed: %s", describe(error))
                due = None
            if due is not None:
                seconds = self._real_seconds_until(due)
                # Due now yet nothing claimed: due work of a platform without a sender here
                # (or of another process). Poll slowly rather than spin.
                waits.append(seconds if seconds > 0 or claimed else 1.0)
        return max(0.0, min(waits))

    def _real_seconds_until(self, moment: datetime) -> float:
        # A clock that runs faster than real time (ScaledClock) knows how long to really wait.
        real_seconds_until = getattr(self.clock, "real_seconds_until", None)
        if callable(real_seconds_until):
            return float(real_seconds_until(moment))
        return max(0.0, (moment - self.clock.now()).total_seconds())
