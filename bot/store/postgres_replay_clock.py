"""The PostgreSQL engine's shared replay clock (bot.store.replay_clock): one row.

Written by the planning leader at each move of its clock, with the server's wall time of the
write; read by the others with the server's wall time of the read, so that the age of the
publication is measured by one clock, whichever machine each process runs on.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.postgres_base import PostgresBase
from bot.store.replay_clock import PublishedClock

__all__ = ["PostgresReplayClock"]

_NOW = "extract(epoch FROM clock_timestamp())::double precision"
_PUBLISH = (
    "INSERT INTO replay_clock AS c (one, reading, hold, speed, wall, move)"
    f" VALUES (true, $1, $2, $3, {_NOW}, 1)"
    " ON CONFLICT (one) DO UPDATE SET reading = excluded.reading, hold = excluded.hold,"
    " speed = excluded.speed, wall = excluded.wall, move = c.move + 1"
)
_READ = f"SELECT reading, hold, speed, {_NOW} - wall, move FROM replay_clock"


class PostgresReplayClock(PostgresBase):
    async def publish_replay_clock(
        self, reading: datetime, hold: datetime | None, speed: float
    ) -> None:
        if not speed > 0:
            raise ValueError(f"a replay clock's speed must be positive, not {speed}")
        async with self._connection() as conn:
            await conn.execute(_PUBLISH, reading, hold, float(speed))

    async def read_replay_clock(self) -> PublishedClock | None:
        async with self._connection() as conn:
            row = await conn.fetchrow(_READ)
        if row is None:
            return None
        reading, hold, speed, age, move = row
        return PublishedClock(reading, hold, float(speed), float(age), int(move))
