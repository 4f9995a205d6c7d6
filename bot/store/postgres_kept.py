"""The PostgreSQL engine's small tables: button callbacks (with an expiry), kept values and the
channels' problems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.store.postgres_base import PostgresBase, row_count
from bot.store.records import as_utc

__all__ = ["PostgresKept"]


class PostgresKept(PostgresBase):
    async def remember_callbacks(
        self, platform: str, pairs: Mapping[str, str], expires_at: datetime
    ) -> None:
        if not pairs:
            return
        until = as_utc(expires_at, "expires_at")
        async with self._transaction() as conn:
            await conn.executemany(
                "INSERT INTO callbacks (platform, key, command, expires_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (platform, key) DO UPDATE"
                " SET command = excluded.command,"
                " expires_at = greatest(callbacks.expires_at, excluded.expires_at)",
                [(platform, key, command, until) for key, command in pairs.items()],
            )

    async def find_callback(self, platform: str, key: str, now: datetime) -> str | None:
        rows = await self._fetch(
            "SELECT command FROM callbacks WHERE platform = $1 AND key = $2 AND expires_at > $3",
            platform,
            key,
            as_utc(now, "now"),
        )
        return str(rows[0][0]) if rows else None

    async def forget_expired_callbacks(self, now: datetime) -> int:
        async with self._transaction() as conn:
            status = await conn.execute(
                "DELETE FROM callbacks WHERE expires_at <= $1", as_utc(now, "now")
            )
        return row_count(status)

    async def get_value(self, key: str) -> str | None:
        rows = await self._fetch("SELECT value FROM kept_values WHERE key = $1", key)
        return str(rows[0][0]) if rows else None

    async def keep_value(self, key: str, value: str) -> str:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO kept_values (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                key,
                value,
            )
            stored = await conn.fetchval("SELECT value FROM kept_values WHERE key = $1", key)
        return str(stored)

    async def set_value(self, key: str, value: str) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO kept_values (key, value) VALUES ($1, $2)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key,
                value,
            )

    async def note_channel_problem(self, channel: str, problem: str | None) -> None:
        async with self._transaction() as conn:
            if problem is None:
                await conn.execute("DELETE FROM channel_problems WHERE channel = $1", channel)
            else:
                await conn.execute(
                    "INSERT INTO channel_problems (channel, problem) VALUES ($1, $2)"
                    " ON CONFLICT (channel) DO UPDATE SET problem = excluded.problem",
                    channel,
                    problem,
                )

    async def channel_problems(self) -> dict[str, str]:
        rows = await self._fetch("SELECT channel, problem FROM channel_problems ORDER BY channel")
        return {str(r["channel"]): str(r["problem"]) for r in rows}
