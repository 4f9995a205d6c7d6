"""The PostgreSQL engine's hand-over of Telegram updates between webhook workers
(bot.store.relay).

An update kept is announced with the insert's commit (NOTIFY, the partition as payload) on a
channel of the schema's own, which only the webhook workers listen on: each with a
connection of its own, outside the pool (a `PostgresCoordinator` with the "relay" topic).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from bot.store.postgres_base import PostgresBase
from bot.store.postgres_coordination import PostgresCoordinator

__all__ = ["PostgresRelay"]

log = logging.getLogger("pitboard.store")

TOPIC = "relay"

# Taken updates are kept this long (in update ids) to recognise a push Telegram retries.
KEEP_TAKEN = 10_000

_TAKE = (
    "UPDATE relayed_updates SET taken = true WHERE update_id IN ("
    " SELECT update_id FROM relayed_updates WHERE part = $1 AND NOT taken"
    " ORDER BY update_id LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " RETURNING update_id, body"
)
# Kept and told in one statement: the notification goes out with its commit, once the
# update can be taken, and only for an update not kept before.
_KEEP = (
    "WITH kept AS (INSERT INTO relayed_updates (update_id, part, body) VALUES ($1, $2, $3)"
    "  ON CONFLICT (update_id) DO NOTHING RETURNING part),"
    " told AS (SELECT pg_notify('pitboard.relay.' || current_schema(), part::text) FROM kept)"
    " SELECT count(*) FROM told"
)
_FORGET = (
    "DELETE FROM relayed_updates WHERE taken AND part = $1 AND update_id < $2::bigint - $3::bigint"
)


class PostgresRelay(PostgresBase):
    _relay_listener: PostgresCoordinator | None = None
    _relay_wakers: dict[int, list[Callable[[], None]]]

    async def relay_update(self, update_id: int, part: int, body: str) -> bool:
        async with self._connection() as conn:
            kept = await conn.fetchval(_KEEP, update_id, part, body)
        return bool(kept)

    async def watch_relayed_updates(self, part: int, wake: Callable[[], None]) -> bool:
        if self._relay_listener is None:
            self._relay_wakers = {}
            self._relay_listener = PostgresCoordinator(self._url, schema=self._schema, topic=TOPIC)
            self._relay_listener.listen(self._relayed)
        wakers = self._relay_wakers.setdefault(part, [])
        if wake not in wakers:
            wakers.append(wake)
        try:
            return await self._relay_listener.keep_listening()
        except Exception as error:  # the connection broke while it listened again
            log.warning("cannot listen for relayed updates: %s", type(error).__name__)
            return False

    def _relayed(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            for wake in self._relay_wakers.get(int(payload), ()):
                wake()

    async def close(self) -> None:
        listener, self._relay_listener = self._relay_listener, None
        if listener is not None:
            await listener.close()
        await super().close()

    async def take_relayed_updates(self, part: int, limit: int) -> list[tuple[int, str]]:
        async with self._transaction() as conn:
            rows = await conn.fetch(_TAKE, part, limit)
            taken = sorted((int(r["update_id"]), str(r["body"])) for r in rows)
            if taken:
                await conn.execute(_FORGET, part, taken[-1][0], KEEP_TAKEN)
        return taken
