"""The PostgreSQL engine's audit log of operator edits (the `edits` table)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import asyncpg

from bot.store.postgres_base import PostgresBase, to_json
from bot.store.protocol import EditIdTaken
from bot.store.records import EDIT_COLUMNS, EditRecord, as_utc, edit_record

__all__ = ["PostgresEdits"]


class PostgresEdits(PostgresBase):
    async def record_edit(
        self,
        *,
        edit_id: int,
        at: datetime,
        actor: str,
        action: str,
        target: str,
        summary: str,
        files: Mapping[str, tuple[str | None, str]],
    ) -> int:
        stamp = as_utc(at, "at")
        texts = to_json({path: list(pair) for path, pair in files.items()})
        try:
            async with self._transaction() as conn:
                await conn.execute(
                    f"INSERT INTO edits ({EDIT_COLUMNS})"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, NULL)",
                    edit_id,
                    stamp,
                    actor,
                    action,
                    target,
                    summary,
                    texts,
                )
        except asyncpg.UniqueViolationError:
            raise EditIdTaken(edit_id) from None
        return edit_id

    async def next_edit_id(self) -> int:
        rows = await self._fetch("SELECT coalesce(max(id), 0) + 1 FROM edits")
        return int(rows[0][0])

    async def recent_edits(self, limit: int = 10) -> list[EditRecord]:
        rows = await self._fetch(
            f"SELECT {EDIT_COLUMNS} FROM edits ORDER BY id DESC LIMIT $1", max(0, limit)
        )
        return [edit_record(row) for row in rows]

    async def get_edit(self, edit_id: int) -> EditRecord | None:
        rows = await self._fetch(f"SELECT {EDIT_COLUMNS} FROM edits WHERE id = $1", edit_id)
        return edit_record(rows[0]) if rows else None

    async def mark_undone(self, edit_id: int, by_id: int) -> None:
        async with self._transaction() as conn:
            await conn.execute("UPDATE edits SET undone_by = $1 WHERE id = $2", by_id, edit_id)
