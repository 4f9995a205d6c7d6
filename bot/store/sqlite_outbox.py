"""The SQLite engine's outbox: announcements, their deliveries, claiming and reporting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.audience import ChatRef
from bot.store.protocol import UnknownChat, UnknownDelivery
from bot.store.records import Backlog, Delivery, DeliveryStatus, OutboxItem, RecentError
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

    async def enqueue(
        self, item: OutboxItem, recipients: Sequence[ChatRef], *, priority: int = 0
    ) -> bool:
        payload = to_json(dict(item.payload))  # a TypeError here, before anything is written
        unique = list(dict.fromkeys(recipients))
        due = micros(item.due_at)
        async with self._write() as conn:
            cursor = await conn.execute(
                "INSERT INTO outbox (key, kind, subject, due_at, payload) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO NOTHING",
                (item.key, item.kind, item.subject, due, payload),
            )
            if cursor.rowcount == 0:
                return False
            # Selecting from chats both starts an inactive chat's delivery as SKIPPED and
            # inserts nothing for a chat that is not stored, which the count below catches.
            cursor = await conn.executemany(
                "INSERT INTO deliveries (key, platform, chat_id, status, priority,"
                " next_attempt_at, last_error)"
                " SELECT ?, platform, chat_id,"
                "  CASE active WHEN 1 THEN 'pending' ELSE 'skipped' END, ?, ?,"
                "  CASE active WHEN 1 THEN NULL"
                "  ELSE coalesce(inactive_reason, 'chat inactive') END"
                " FROM chats WHERE platform = ? AND chat_id = ?",
                ((item.key, priority, due, ref.platform, ref.id) for ref in unique),
            )
            if cursor.rowcount != len(unique):
                rows = await fetch_all(
                    conn, "SELECT platform, chat_id FROM deliveries WHERE key = ?", (item.key,)
                )
                stored = {ChatRef(platform, chat_id) for platform, chat_id in rows}
                raise UnknownChat([ref for ref in unique if ref not in stored])
        return True

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

    async def backlog(self) -> dict[str, Backlog]:
        # One query per status, each told to read its partial index (as small as the queue):
        # left to itself SQLite reads the index on (platform, chat_id) for the GROUP BY,
        # which scans the whole delivery log at every health check.
        found: dict[str, Backlog] = {}
        for status, index in (
            ("pending", "deliveries_to_claim"),
            ("sending", "deliveries_in_flight"),
        ):
            rows = await self._fetch(
                f"SELECT d.platform, count(*), min(o.due_at) FROM deliveries AS d"
                f" INDEXED BY {index} JOIN outbox AS o ON o.key = d.key"
                f" WHERE d.status = '{status}' GROUP BY d.platform"
            )
            for platform, unsent, oldest in rows:
                due = instant(oldest)
                if platform in found:
                    before = found[platform]
                    found[platform] = Backlog(before.unsent + unsent, min(before.oldest_due, due))
                else:
                    found[platform] = Backlog(unsent, due)
        return found

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
