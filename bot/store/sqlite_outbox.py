"""The SQLite engine's outbox: announcements, their deliveries, claiming and reporting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

import aiosqlite

from bot.core.audience import ChatRef
from bot.store.protocol import UnknownChat, UnknownDelivery
from bot.store.records import Delivery, DeliveryStatus, OutboxItem, RecentError
from bot.store.sqlite_base import Row, SQLiteBase, fetch_all, instant, micros, to_json

__all__ = ["SQLiteOutbox"]

_DELIVERY_COLUMNS = (
    "id, key, platform, chat_id, status, attempts, last_error, next_attempt_at, sent_at,"
    " message_id, priority, parts_sent"
)
# A delivery may go back to PENDING only while its chat is active (the protocol's invariant).
_PENDING_IF_ACTIVE = (
    "CASE (SELECT active FROM chats c"
    " WHERE c.platform = deliveries.platform AND c.chat_id = deliveries.chat_id)"
    " WHEN 1 THEN 'pending' ELSE 'skipped' END"
)
_CLAIM = (
    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, last_attempt_at = ?"
    " WHERE id IN (SELECT id FROM deliveries"
    "  WHERE status = 'pending' AND next_attempt_at <= ?{platform}"
    "  ORDER BY priority DESC, next_attempt_at, id LIMIT ?)"
    f" RETURNING {_DELIVERY_COLUMNS}"
)
_CLAIM_ANY = _CLAIM.format(platform="")
_CLAIM_ON_PLATFORM = _CLAIM.format(platform=" AND platform = ?")


_INSERT_DELIVERIES = (
    "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at,"
    " last_error)"
    " SELECT ?1, c.platform, c.chat_id, CASE c.active WHEN 1 THEN 'pending' ELSE 'skipped' END,"
    "  ?2, ?3, CASE c.active WHEN 1 THEN NULL"
    "  ELSE coalesce(c.inactive_reason, 'chat inactive') END"
    " FROM json_each(?4) j CROSS JOIN chats c ON c.platform = ?5 AND c.chat_id = j.value"
    # CROSS JOIN keeps the list the outer loop (a lookup in chats per id, never a scan);
    # ORDER BY: deliveries get their ids (the claim's tie-break) in the recipients' order.
    " WHERE 1 ORDER BY j.key ON CONFLICT (key, platform, chat_id) DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Recipients written in one transaction: chats of one platform, their ids as one JSON
    array (one parameter, however many; SQLite reads it with json_each)."""

    platform: str
    ids: str
    size: int


def _chunks(recipients: Sequence[ChatRef], size: int) -> list[_Chunk]:
    """Consecutive recipients of one platform, up to `size` a chunk; one empty chunk for no
    recipients (the announcement's row is still written)."""
    chunks: list[_Chunk] = []
    # map() and slices rather than a loop per recipient: 100,000 of them take a few ms.
    for platform, group in groupby(recipients, key=attrgetter("platform")):
        ids = list(map(attrgetter("id"), group))
        for at in range(0, len(ids), size):
            part = ids[at : at + size]
            chunks.append(_Chunk(platform, to_json(part), len(part)))
    return chunks or [_Chunk("", "[]", 0)]


def _item(row: Row) -> OutboxItem:
    key, kind, subject, due_at, payload = row
    return OutboxItem(key, kind, subject, instant(due_at), json.loads(payload))


def _delivery(row: Row, items: dict[str, OutboxItem]) -> Delivery:
    return Delivery(
        id=row[0],
        item=items[row[1]],
        chat=ChatRef(row[2], row[3]),
        status=DeliveryStatus(row[4]),
        attempts=row[5],
        last_error=row[6],
        next_attempt_at=instant(row[7]),
        sent_at=None if row[8] is None else instant(row[8]),
        message_id=row[9],
        priority=row[10],
        parts_sent=row[11],
    )


class SQLiteOutbox(SQLiteBase):
    """The outbox half of `SQLiteStore`."""

    # --- outbox ----------------------------------------------------------------------------

    # Deliveries written to one transaction: 100,000 in one would hold the store for seconds
    # while every command waits; in chunks of this many (some 10-50 ms of SQLite's time each),
    # commands get it between two chunks.
    enqueue_chunk = 500

    async def enqueue(
        self, item: OutboxItem, recipients: Sequence[ChatRef], *, priority: int = 0
    ) -> bool:
        payload = to_json(dict(item.payload))  # a TypeError here, before anything is written
        chunks = _chunks(recipients, max(1, self.enqueue_chunk))
        if len(chunks) > 1:
            await self._check_stored(chunks)  # UnknownChat before anything is written
        due = micros(item.due_at)
        async with self._write() as conn:
            # `complete` keeps its default (1) when this one transaction writes everything.
            unfinished = ("", "") if len(chunks) == 1 else (", complete", ", 0")
            cursor = await conn.execute(
                f"INSERT INTO outbox (key, kind, subject, due_at, payload{unfinished[0]})"
                f" VALUES (?, ?, ?, ?, ?{unfinished[1]}) ON CONFLICT (key) DO NOTHING",
                (item.key, item.kind, item.subject, due, payload),
            )
            resuming = cursor.rowcount == 0
            if resuming and await self._complete(conn, item.key):
                return False
            inserted = await self._insert_deliveries(conn, item.key, chunks[0], priority, due)
            if inserted != chunks[0].size:
                await self._refuse_unknown(conn, item.key, chunks[0])
            if resuming and len(chunks) == 1:
                await self._mark_complete(conn, item.key)
        for chunk in chunks[1:]:
            await self._between_enqueue_chunks()
            async with self._write() as conn:
                # Fewer rows than refs: a chat moved since the check (its new id is then in
                # the list, or gets the post by its moved deliveries), or a resumed enqueue.
                await self._insert_deliveries(conn, item.key, chunk, priority, due)
        if len(chunks) > 1:
            async with self._write() as conn:
                await self._mark_complete(conn, item.key)
        return True

    async def unfinished_announcements(self) -> list[OutboxItem]:
        rows = await self._fetch(
            "SELECT key, kind, subject, due_at, payload FROM outbox WHERE complete = 0"
            " ORDER BY due_at, key"
        )
        return [_item(row) for row in rows]

    async def _between_enqueue_chunks(self) -> None:
        """Yield to the event loop: the tasks queued for the store's lock go first."""
        await asyncio.sleep(0)

    async def _check_stored(self, chunks: list[_Chunk]) -> None:
        """Raise UnknownChat for the chats of `chunks` not stored."""
        unknown: list[ChatRef] = []
        for chunk in chunks:
            rows = await self._fetch(
                "SELECT value FROM json_each(?) WHERE NOT EXISTS"
                " (SELECT 1 FROM chats c WHERE c.platform = ? AND c.chat_id = value)",
                (chunk.ids, chunk.platform),
            )
            unknown += (ChatRef(chunk.platform, chat_id) for (chat_id,) in rows)
            await asyncio.sleep(0)
        if unknown:
            raise UnknownChat(list(dict.fromkeys(unknown)))

    @staticmethod
    async def _insert_deliveries(
        conn: aiosqlite.Connection, key: str, chunk: _Chunk, priority: int, due: int
    ) -> int:
        """Insert the chunk's deliveries not stored yet, in its order; returns how many were
        inserted. One statement for the chunk: SQLite walks the list itself, twice as fast
        as a statement per row."""
        # Joining chats both starts an inactive chat's delivery as SKIPPED and inserts nothing
        # for a chat that is not stored, which the callers catch.
        cursor = await conn.execute(
            _INSERT_DELIVERIES, (key, priority, due, chunk.ids, chunk.platform)
        )
        return cursor.rowcount

    @staticmethod
    async def _refuse_unknown(conn: aiosqlite.Connection, key: str, chunk: _Chunk) -> None:
        rows = await fetch_all(
            conn,
            "SELECT value FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM deliveries d"
            " WHERE d.key = ? AND d.platform = ? AND d.chat_id = value)",
            (chunk.ids, key, chunk.platform),
        )
        if rows:
            raise UnknownChat([ChatRef(chunk.platform, chat_id) for (chat_id,) in rows])

    @staticmethod
    async def _complete(conn: aiosqlite.Connection, key: str) -> bool:
        rows = await fetch_all(conn, "SELECT complete FROM outbox WHERE key = ?", (key,))
        return bool(rows[0][0])

    @staticmethod
    async def _mark_complete(conn: aiosqlite.Connection, key: str) -> None:
        await conn.execute("UPDATE outbox SET complete = 1 WHERE key = ?", (key,))

    async def has_announcement(self, key: str) -> bool:
        return bool(await self._fetch("SELECT 1 FROM outbox WHERE key = ?", (key,)))

    async def announcement_keys(self, prefix: str = "") -> set[str]:
        # substr() rather than LIKE: a prefix is literal text, and "_" or "%" must not match
        # anything else.
        rows = await self._fetch(
            "SELECT key FROM outbox WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return {row[0] for row in rows}

    async def claim(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[Delivery]:
        at = micros(now, "now")
        if limit <= 0:
            return []
        async with self._write() as conn:
            if platform is None:
                rows = await fetch_all(conn, _CLAIM_ANY, (at, at, limit))
            else:
                rows = await fetch_all(conn, _CLAIM_ON_PLATFORM, (at, at, platform, limit))
            items = await self._items(conn, {row[1] for row in rows})
        claimed = [_delivery(row, items) for row in rows]
        # RETURNING promises no order, so the claim order is restored here.
        claimed.sort(key=lambda d: (-d.priority, d.next_attempt_at, d.id))
        return claimed

    async def mark_sent(self, delivery_id: int, message_id: str | None, sent_at: datetime) -> None:
        await self._mark(
            delivery_id,
            "UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ? WHERE id = ?",
            (message_id, micros(sent_at, "sent_at"), delivery_id),
        )

    async def mark_part_sent(
        self, delivery_id: int, parts_sent: int, message_id: str | None
    ) -> None:
        if parts_sent < 1:
            raise ValueError(f"parts_sent must be at least 1, not {parts_sent}")
        await self._mark(
            delivery_id,
            "UPDATE deliveries SET parts_sent = max(parts_sent, ?), message_id = ?"
            " WHERE id = ? AND status = 'sending'",
            (parts_sent, message_id, delivery_id),
        )

    async def mark_retry(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        await self._mark(
            delivery_id,
            f"UPDATE deliveries SET status = {_PENDING_IF_ACTIVE}, last_error = ?,"
            " next_attempt_at = ? WHERE id = ? AND status = 'sending'",
            (error, micros(retry_at, "retry_at"), delivery_id),
        )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._mark(
            delivery_id,
            "UPDATE deliveries SET status = 'failed', last_error = ?"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (error, delivery_id),
        )

    async def mark_skipped(self, delivery_id: int, reason: str) -> None:
        await self._mark(
            delivery_id,
            "UPDATE deliveries SET status = 'skipped', last_error = ?"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (reason, delivery_id),
        )

    async def requeue_in_flight(self) -> int:
        async with self._write() as conn:
            cursor = await conn.execute(
                f"UPDATE deliveries SET status = {_PENDING_IF_ACTIVE} WHERE status = 'sending'"
            )
            return cursor.rowcount

    async def next_due_at(self) -> datetime | None:
        rows = await self._fetch(
            "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'"
        )
        return None if rows[0][0] is None else instant(rows[0][0])

    async def earliest_unsent_at(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        marks = ", ".join("?" * len(platforms))
        rows = await self._fetch(
            "SELECT min(next_attempt_at) FROM deliveries"
            f" WHERE status IN ('pending', 'sending') AND platform IN ({marks})",
            tuple(platforms),
        )
        return None if rows[0][0] is None else instant(rows[0][0])

    # --- reporting -------------------------------------------------------------------------

    async def delivery_counts(self, key: str | None = None) -> dict[DeliveryStatus, int]:
        if key is None:
            rows = await self._fetch("SELECT status, count(*) FROM deliveries GROUP BY status")
        else:
            rows = await self._fetch(
                "SELECT status, count(*) FROM deliveries WHERE key = ? GROUP BY status", (key,)
            )
        counts = dict.fromkeys(DeliveryStatus, 0)
        counts.update((DeliveryStatus(status), count) for status, count in rows)
        return counts

    async def recent_errors(self, limit: int = 10) -> list[RecentError]:
        rows = await self._fetch(
            "SELECT platform, chat_id, key, last_error, last_attempt_at FROM deliveries"
            " WHERE last_error IS NOT NULL AND last_attempt_at IS NOT NULL"
            "  AND status IN ('pending', 'sending', 'failed')"
            " ORDER BY last_attempt_at DESC, id DESC LIMIT ?",
            (max(limit, 0),),  # SQLite reads a negative LIMIT as "no limit"
        )
        return [
            RecentError(ChatRef(platform, chat_id), key, error, instant(at))
            for platform, chat_id, key, error, at in rows
        ]

    async def deliveries(self, key: str) -> list[Delivery]:
        async with self._lock:
            conn = self._connection()
            rows = await fetch_all(
                conn,
                f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE key = ? ORDER BY id",
                (key,),
            )
            items = await self._items(conn, {key} if rows else set())
        return [_delivery(row, items) for row in rows]

    async def _items(self, conn: aiosqlite.Connection, keys: set[str]) -> dict[str, OutboxItem]:
        if not keys:
            return {}
        rows = await fetch_all(
            conn,
            "SELECT key, kind, subject, due_at, payload FROM outbox"
            " WHERE key IN (SELECT value FROM json_each(?))",
            (to_json(sorted(keys)),),
        )
        return {row[0]: _item(row) for row in rows}

    async def _mark(self, delivery_id: int, sql: str, params: tuple[Any, ...]) -> None:
        """Run one delivery's state change; a change refused by its state is left alone."""
        async with self._write() as conn:
            cursor = await conn.execute(sql, params)
            if cursor.rowcount == 0 and not await fetch_all(
                conn, "SELECT 1 FROM deliveries WHERE id = ?", (delivery_id,)
            ):
                raise UnknownDelivery(delivery_id)
