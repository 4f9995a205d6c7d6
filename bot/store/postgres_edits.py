"""The PostgreSQL engine's audit log of operator edits (the `edits` table)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from bot.store.postgres_base import PostgresBase, to_json
from bot.store.protocol import EditIdTaken
from bot.store.records import EditRecord, as_utc

__all__ = ["PostgresEdits"]

_COLUMNS = "id, at, actor, action, target, summary, files, undone_by"


def _record(row: Any) -> EditRecord:
    files = {
        str(path): (None if pair[0] is None else str(pair[0]), str(pair[1]))
        for path, pair in json.loads(row[6]).items()
    }
    return EditRecord(
        id=int(row[0]),
        at=row[1],
        actor=row[2],
        action=row[3],
        target=row[4],
        summary=row[5],
        files=files,
        undone_by=None if row[7] is None else int(row[7]),
    )


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
                    f"INSERT INTO edits ({_COLUMNS})"
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
            f"SELECT {_COLUMNS} FROM edits ORDER BY id DESC LIMIT $1", max(0, limit)
        )
        return [_record(row) for row in rows]

    async def get_edit(self, edit_id: int) -> EditRecord | None:
        rows = await self._fetch(f"SELECT {_COLUMNS} FROM edits WHERE id = $1", edit_id)
        return _record(rows[0]) if rows else None

    async def mark_undone(self, edit_id: int, by_id: int) -> None:
        async with self._transaction() as conn:
            await conn.execute("UPDATE edits SET undone_by = $1 WHERE id = $2", by_id, edit_id)
