"""The PostgreSQL engine's hand-over of Telegram updates between webhook workers
(bot.store.relay)."""

from __future__ import annotations

from bot.store.postgres_base import PostgresBase

__all__ = ["PostgresRelay"]

# Taken updates are kept this long (in update ids) to recognise a push Telegram retries.
KEEP_TAKEN = 10_000

_TAKE = (
    "UPDATE relayed_updates SET taken = true WHERE update_id IN ("
    " SELECT update_id FROM relayed_updates WHERE part = $1 AND NOT taken"
    " ORDER BY update_id LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " RETURNING update_id, body"
)
_FORGET = (
    "DELETE FROM relayed_updates WHERE taken AND part = $1 AND update_id < $2::bigint - $3::bigint"
)


class PostgresRelay(PostgresBase):
    async def relay_update(self, update_id: int, part: int, body: str) -> bool:
        async with self._connection() as conn:
            status = await conn.execute(
                "INSERT INTO relayed_updates (update_id, part, body) VALUES ($1, $2, $3)"
                " ON CONFLICT (update_id) DO NOTHING",
                update_id,
                part,
                body,
            )
        return bool(status.endswith(" 1"))

    async def take_relayed_updates(self, part: int, limit: int) -> list[tuple[int, str]]:
        async with self._transaction() as conn:
            rows = await conn.fetch(_TAKE, part, limit)
            taken = sorted((int(r["update_id"]), str(r["body"])) for r in rows)
            if taken:
                await conn.execute(_FORGET, part, taken[-1][0], KEEP_TAKEN)
        return taken
