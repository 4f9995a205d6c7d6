"""The SQLite engine's audit log of operator edits (the `edits` table)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from bot.store.protocol import EditIdTaken
from bot.store.records import EDIT_COLUMNS, EditRecord, as_utc, edit_record
from bot.store.sqlite_base import SQLiteBase, to_json

__all__ = ["SQLiteEdits"]


class SQLiteEdits(SQLiteBase):
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
        stamp = as_utc(at, "at").isoformat()
        texts = to_json({path: list(pair) for path, pair in files.items()})
        try:
            async with self._write() as conn:
                await conn.execute(
                    f"INSERT INTO edits ({EDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                    (edit_id, stamp, actor, action, target, summary, texts),
                )
        except sqlite3.IntegrityError:
            raise EditIdTaken(edit_id) from None
        return edit_id

    async def next_edit_id(self) -> int:
        rows = await self._fetch("SELECT coalesce(max(id), 0) + 1 FROM edits")
        return int(rows[0][0])

    async def recent_edits(self, limit: int = 10) -> list[EditRecord]:
        rows = await self._fetch(
            f"SELECT {EDIT_COLUMNS} FROM edits ORDER BY id DESC LIMIT ?", (max(0, limit),)
        )
        return [edit_record(row) for row in rows]

    async def get_edit(self, edit_id: int) -> EditRecord | None:
        rows = await self._fetch(f"SELECT {EDIT_COLUMNS} FROM edits WHERE id = ?", (edit_id,))
        return edit_record(rows[0]) if rows else None

    async def mark_undone(self, edit_id: int, by_id: int) -> None:
        async with self._write() as conn:
            await conn.execute("UPDATE edits SET undone_by = ? WHERE id = ?", (by_id, edit_id))
