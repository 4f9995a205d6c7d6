"""The SQLite engine's outbox: announcements, their deliveries, claiming and reporting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.audience import Chat, ChatRef
from bot.store.marks import (
    DeliveryMark,
    MarkFailed,
    MarkPartSent,
    MarkRetry,
    MarkSent,
    MarkSkipped,
)
from bot.store.protocol import UnknownDelivery
from bot.store.records import Backlog, Delivery, DeliveryStatus, OutboxItem, RecentError
from bot.store.sqlite_base import Row, fetch_all, instant, micros, to_json
from bot.store.sqlite_enqueue import SQLiteEnqueue
from bot.store.sqlite_leases import PENDING_IF_ACTIVE
from bot.store.sqlite_rows import Decoder

__all__ = ["SQLiteOutbox"]

_DELIVERY_COLUMNS = (
    "id, key, platform, chat_id, status, attempts, last_error, next_attempt_at, sent_at,"
    " message_id, priority, parts_sent"
)
_CLAIM = (
    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, last_attempt_at = ?,"
    " lease_owner = ?, lease_expires_at = ?"
    " WHERE id IN (SELECT id FROM deliveries"
    "  WHERE status = 'pending' AND next_attempt_at <= ?{platform}"
    "  ORDER BY priority DESC, next_attempt_at, id LIMIT ?)"
    f" RETURNING {_DELIVERY_COLUMNS}"
)
_CLAIM_ANY = _CLAIM.format(platform="")
_CLAIM_ON_PLATFORM = _CLAIM.format(platform=" AND platform = ?")

# Every mark_* change in one statement, chosen by the mark's kind (?1), so that a batch of
# different marks runs as one executemany, in order. Parameters: ?1 kind, ?2 delivery id,
# ?3 message id, ?4 sent_at, ?5 parts sent, ?6 error or reason, ?7 retry_at.
# Per kind, exactly what the protocol says: "sent" wins over any state; "part" and "retry"
# change only a delivery in flight; "failed" and "skipped" only one not final yet.
_MARK = (
    "UPDATE deliveries SET"
    " status = CASE ?1 WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed'"
    f"  WHEN 'skipped' THEN 'skipped' WHEN 'retry' THEN {PENDING_IF_ACTIVE} ELSE status END,"
    " message_id = CASE WHEN ?1 IN ('sent', 'part') THEN ?3 ELSE message_id END,"
    " sent_at = CASE ?1 WHEN 'sent' THEN ?4 ELSE sent_at END,"
    " parts_sent = CASE ?1 WHEN 'part' THEN max(parts_sent, ?5) ELSE parts_sent END,"
    " last_error = CASE WHEN ?1 IN ('retry', 'failed', 'skipped') THEN ?6 ELSE last_error END,"
    " next_attempt_at = CASE ?1 WHEN 'retry' THEN ?7 ELSE next_attempt_at END"
    " WHERE id = ?2 AND CASE ?1 WHEN 'sent' THEN 1"
    "  WHEN 'part' THEN status = 'sending' WHEN 'retry' THEN status = 'sending'"
    "  ELSE status IN ('pending', 'sending') END"
)


def _mark_params(mark: DeliveryMark) -> tuple[Any, ...]:
    match mark:
        case MarkSent(delivery_id, message_id, sent_at):
            return ("sent", delivery_id, message_id, micros(sent_at, "sent_at"), None, None, None)
        case MarkPartSent(delivery_id, parts_sent, message_id):
            return ("part", delivery_id, message_id, None, parts_sent, None, None)
        case MarkRetry(delivery_id, error, retry_at):
            return ("retry", delivery_id, None, None, None, error, micros(retry_at, "retry_at"))
        case MarkFailed(delivery_id, error):
            return ("failed", delivery_id, None, None, None, error, None)
        case MarkSkipped(delivery_id, reason):
            return ("skipped", delivery_id, None, None, None, reason, None)


# The claimed deliveries' chats, given as one JSON array of [platform, id] pairs: one query.
_CHATS_BY_REF = (
    "SELECT c.platform, c.chat_id, c.kind, c.zone, c.language, c.reminder_minutes,"
    " c.spoiler_safe, c.active, c.mention_role, c.chart_with_results, c.clock"
    " FROM json_each(?) j JOIN chats c"
    " ON c.platform = json_extract(j.value, '$[0]') AND c.chat_id = json_extract(j.value, '$[1]')"
)


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


class SQLiteOutbox(SQLiteEnqueue):
    """The outbox half of `SQLiteStore` (enqueueing: SQLiteEnqueue)."""

    # --- outbox ----------------------------------------------------------------------------

    async def unfinished_announcements(self) -> list[OutboxItem]:
        rows = await self._fetch(
            "SELECT key, kind, subject, due_at, payload FROM outbox WHERE complete = 0"
            " ORDER BY due_at, key"
        )
        return [_item(row) for row in rows]

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
            return await self._claim_in(conn, at, limit, platform)

    async def claim_with_chats(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[tuple[Delivery, Chat | None]]:
        at = micros(now, "now")
        if limit <= 0:
            return []
        async with self._write() as conn:
            claimed = await self._claim_in(conn, at, limit, platform)
            refs = sorted({(d.chat.platform, d.chat.id) for d in claimed})
            rows = await fetch_all(conn, _CHATS_BY_REF, (to_json(refs),)) if refs else []
        chats = Decoder()  # SQLiteStore's own decoding: the same columns, in the same order
        found = {chat.ref: chat for chat in map(chats.chat, rows)}
        return [(delivery, found.get(delivery.chat)) for delivery in claimed]

    async def _claim_in(
        self, conn: aiosqlite.Connection, at: int, limit: int, platform: str | None
    ) -> list[Delivery]:
        """`claim` inside the caller's write transaction: renew, reclaim, then claim."""
        owner, until = self.lease_owner, await self._renew_and_reclaim(conn, at)
        if platform is None:
            rows = await fetch_all(conn, _CLAIM_ANY, (at, owner, until, at, limit))
        else:
            rows = await fetch_all(
                conn, _CLAIM_ON_PLATFORM, (at, owner, until, at, platform, limit)
            )
        items = await self._items(conn, {row[1] for row in rows})
        claimed = [_delivery(row, items) for row in rows]
        # RETURNING promises no order, so the claim order is restored here.
        claimed.sort(key=lambda d: (-d.priority, d.next_attempt_at, d.id))
        return claimed

    async def mark_sent(self, delivery_id: int, message_id: str | None, sent_at: datetime) -> None:
        await self.record_marks([MarkSent(delivery_id, message_id, sent_at)])

    async def mark_part_sent(
        self, delivery_id: int, parts_sent: int, message_id: str | None
    ) -> None:
        await self.record_marks([MarkPartSent(delivery_id, parts_sent, message_id)])

    async def mark_retry(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        await self.record_marks([MarkRetry(delivery_id, error, retry_at)])

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self.record_marks([MarkFailed(delivery_id, error)])

    async def mark_skipped(self, delivery_id: int, reason: str) -> None:
        await self.record_marks([MarkSkipped(delivery_id, reason)])

    async def record_marks(self, marks: Sequence[DeliveryMark]) -> None:
        """Every mark in one statement run once per mark (one call to the database thread, in
        the order given); a change a delivery's state refuses is left alone, as by mark_*."""
        if not marks:
            return
        params = [_mark_params(mark) for mark in marks]  # a ValueError here writes nothing
        async with self._write() as conn:
            cursor = await conn.executemany(_MARK, params)
            if cursor.rowcount == len(params):
                return  # every mark changed its delivery, so every id is stored
            ids = sorted({mark.delivery_id for mark in marks})
            rows = await fetch_all(
                conn,
                "SELECT id FROM deliveries WHERE id IN (SELECT value FROM json_each(?))",
                (to_json(ids),),
            )
            stored = {row[0] for row in rows}
            unknown = [delivery_id for delivery_id in ids if delivery_id not in stored]
            if unknown:
                raise UnknownDelivery(unknown[0])

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
