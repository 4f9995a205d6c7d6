"""The PostgreSQL engine's shared send slots and pauses (bot.store.pace).

One row per bucket holds the instant its next slot starts, by the server's clock. A
reservation is one atomic statement: the row's lock orders concurrent reservations, each
takes `count` slots from max(next slot, now) on and moves the row past them. The pauses in
force come back with it, in the same round trip.
"""

from __future__ import annotations

from bot.store.pace import SendSlots
from bot.store.postgres_base import PostgresBase

__all__ = ["PostgresPace"]

_NOW = "extract(epoch FROM clock_timestamp())::double precision"
_RESERVE = (
    f"WITH now AS (SELECT {_NOW} AS t), ask AS (SELECT $2::float8 * $3::float8 AS span),"
    " slot AS ("
    "  INSERT INTO send_pace AS p (bucket, next_at)"
    "  SELECT $1::text, now.t + ask.span FROM now, ask"
    "  ON CONFLICT (bucket) DO UPDATE"
    "  SET next_at = greatest(p.next_at, excluded.next_at - $2::float8 * $3::float8)"
    "   + $2::float8 * $3::float8"
    "  RETURNING next_at)"
    " SELECT greatest(0, (SELECT next_at FROM slot) - ask.span - now.t),"
    "  coalesce((SELECT array_agg(chat_id ORDER BY chat_id) FROM send_pauses"
    "   WHERE bucket = $1 AND until > now.t), '{}'),"
    "  coalesce((SELECT array_agg(until - now.t ORDER BY chat_id) FROM send_pauses"
    "   WHERE bucket = $1 AND until > now.t), '{}')"
    " FROM now, ask"
)
_PAUSE = (
    "INSERT INTO send_pauses AS p (bucket, chat_id, until)"
    f" VALUES ($1, $2, {_NOW} + $3::float8)"
    " ON CONFLICT (bucket, chat_id) DO UPDATE SET until = greatest(p.until, excluded.until)"
)
# Pauses long over are forgotten as new ones are noted: the table holds only recent ones.
_FORGET_PAUSES = f"DELETE FROM send_pauses WHERE bucket = $1 AND until < {_NOW} - 60"


class PostgresPace(PostgresBase):
    async def reserve_send_slots(self, bucket: str, count: int, spacing: float) -> SendSlots:
        if count < 1 or not spacing > 0:
            raise ValueError(f"need at least one slot and a positive spacing: {count}, {spacing}")
        async with self._connection() as conn:
            first_in, chats, seconds = await conn.fetchrow(
                _RESERVE, bucket, float(count), float(spacing)
            )
        return SendSlots(
            float(first_in), count, float(spacing), tuple(zip(chats, seconds, strict=True))
        )

    async def note_send_pause(self, bucket: str, chat_id: str, seconds: float) -> None:
        async with self._transaction() as conn:
            await conn.execute(_FORGET_PAUSES, bucket)
            await conn.execute(_PAUSE, bucket, chat_id, max(0.0, float(seconds)))
