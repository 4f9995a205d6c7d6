"""One replay clock for every process: what an engine that several processes share offers.

A replay (`pitboard run --at … --speed …`) runs a `ScaledClock` paced by the planning leader
(bot.scheduling.pacer): held before each due moment while posts due before it are still going
out. The other processes send those posts too, and must not run ahead of the leader's clock
(a follower's clock past the hold would find a reminder's session started and drop it). So
the leader publishes every move of its clock — the reading, the server's wall time of that
reading, the speed and the hold — and the others follow it (bot.scheduling.shared_clock).

The wall time is the database server's: the one clock every process shares. A reader gets the
published reading with how many seconds ago (by that same clock) it was published, and
projects it: `reading + age × speed`, never past the hold.

The PostgreSQL engine holds it (bot.store.postgres_replay_clock); the SQLite engine is one
process's and offers none of this: its replay clock is the leader's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["PublishedClock", "SharedReplayClock"]


@dataclass(frozen=True)
class PublishedClock:
    """The leader's clock as last published: it showed `reading`, `age` seconds ago by the
    server's clock, running at `speed` up to `hold` (None: no limit). `move` counts the
    publications: a reader that saw a later one ignores an earlier one read late."""

    reading: datetime
    hold: datetime | None
    speed: float
    age: float
    move: int

    def projected(self) -> datetime:
        """What the leader's clock shows now, as far as the publication tells: never past
        its hold, never before its reading (a server clock stepping back gives age < 0)."""
        running = self.reading + timedelta(seconds=max(0.0, self.age) * self.speed)
        return running if self.hold is None else min(running, self.hold)


@runtime_checkable
class SharedReplayClock(Protocol):
    async def publish_replay_clock(
        self, reading: datetime, hold: datetime | None, speed: float
    ) -> None:
        """The leader's clock shows `reading` now and runs at `speed` up to `hold`."""
        ...

    async def read_replay_clock(self) -> PublishedClock | None:
        """The last publication (None: no replay has published here yet)."""
        ...
