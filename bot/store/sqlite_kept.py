"""The SQLite engine's small tables: button callbacks (with an expiry), kept values and the
channels' problems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.store.sqlite_base import SQLiteBase, micros

__all__ = ["SQLiteKept"]


class SQLiteKept(SQLiteBase):
    async def remember_callbacks(
        self, platform: str, pairs: Mapping[str, str], expires_at: datetime
    ) -> None:
        if not pairs:
            return
        until = micros(expires_at, "expires_at")
        async with self._write() as conn:
            await conn.executemany(
                "INSERT INTO callbacks (platform, key, command, expires_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (platform, key) DO UPDATE SET command = excluded.command,"
                " expires_at = max(callbacks.expires_at, excluded.expires_at)",
                [(platform, key, command, until) for key, command in pairs.items()],
            )

    async def find_callback(self, platform: str, key: str, now: datetime) -> str | None:
        rows = await self._fetch(
            "SELECT command FROM callbacks WHERE platform = ? AND key = ? AND expires_at > ?",
            (platform, key, micros(now, "now")),
        )
        return str(rows[0][0]) if rows else None

    async def forget_expired_callbacks(self, now: datetime) -> int:
        async with self._write() as conn:
            cursor = await conn.execute(
                "DELETE FROM callbacks WHERE expires_at <= ?", (micros(now, "now"),)
            )
            return cursor.rowcount

    async def get_value(self, key: str) -> str | None:
        rows = await self._fetch("SELECT value FROM kept_values WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    async def keep_value(self, key: str, value: str) -> str:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO kept_values (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
            cursor = await conn.execute("SELECT value FROM kept_values WHERE key = ?", (key,))
            row = await cursor.fetchone()
        assert row is not None  # written just above, in the same transaction
        return str(row[0])

    async def set_value(self, key: str, value: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO kept_values (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    async def note_channel_problem(self, channel: str, problem: str | None) -> None:
        async with self._write() as conn:
            if problem is None:
                await conn.execute("DELETE FROM channel_problems WHERE channel = ?", (channel,))
            else:
                await conn.execute(
                    "INSERT INTO channel_problems (channel, problem) VALUES (?, ?)"
                    " ON CONFLICT (channel) DO UPDATE SET problem = excluded.problem",
                    (channel, problem),
                )

    async def channel_problems(self) -> dict[str, str]:
        rows = await self._fetch("SELECT channel, problem FROM channel_problems ORDER BY channel")
        return {str(channel): str(problem) for channel, problem in rows}
