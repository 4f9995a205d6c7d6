"""The PostgreSQL engine's outbox: announcements, their deliveries, leases, claiming, reporting.

Claims take their rows with FOR UPDATE SKIP LOCKED: claimers in several processes each get
different deliveries at once, without waiting for one another.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

from bot.core.audience import Chat, ChatRef
from bot.store.marks import DeliveryMark, MarkFailed, MarkPartSent, MarkRetry, MarkSent, MarkSkipped
from bot.store.postgres_base import Connection, row_count, to_json
from bot.store.postgres_leases import PENDING_IF_ACTIVE, PostgresLeases
from bot.store.postgres_rows import CHAT_COLUMNS, decode_chat
from bot.store.protocol import UnknownChat, UnknownDelivery
from bot.store.records import Backlog, Delivery, DeliveryStatus, OutboxItem, RecentError, as_utc

__all__ = ["PostgresOutbox"]

_DELIVERY_COLUMNS = (
    "id, key, platform, chat_id, status, attempts, last_error, next_attempt_at, sent_at,"
    " message_id, priority, parts_sent"
)
_CLAIM = (
    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, last_attempt_at = $1,"
    " lease_owner = $2, lease_expires_at = $3"
    " WHERE id IN (SELECT id FROM deliveries"
    "  WHERE status = 'pending' AND next_attempt_at <= $1{platform}"
    "  ORDER BY priority DESC, next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {_DELIVERY_COLUMNS}"
)
_CLAIM_ANY = _CLAIM.format(platform="")
_CLAIM_ON_PLATFORM = _CLAIM.format(platform=" AND platform = $5")
_CHATS_BY_REF = (
    f"SELECT {CHAT_COLUMNS} FROM unnest($1::text[], $2::text[]) AS r (platform, chat_id)"
    " JOIN chats c ON c.platform = r.platform AND c.chat_id = r.chat_id"
)
# Every mark_* change in one statement, chosen by the mark's kind ($1), run once per mark in
# order (as the SQLite engine's). $2 delivery id, $3 message id, $4 sent_at, $5 parts sent,
# $6 error or reason, $7 retry_at.
_MARK = (
    "UPDATE deliveries SET"
    " status = CASE $1::text WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed'"
    f"  WHEN 'skipped' THEN 'skipped' WHEN 'retry' THEN {PENDING_IF_ACTIVE} ELSE status END,"
    " message_id = CASE WHEN $1 IN ('sent', 'part') THEN $3::text ELSE message_id END,"
    " sent_at = CASE WHEN $1 = 'sent' THEN $4::timestamptz ELSE sent_at END,"
    " parts_sent = CASE WHEN $1 = 'part' THEN greatest(parts_sent, $5::integer)"
    "  ELSE parts_sent END,"
    " last_error = CASE WHEN $1 IN ('retry', 'failed', 'skipped') THEN $6::text"
    "  ELSE last_error END,"
    " next_attempt_at = CASE WHEN $1 = 'retry' THEN $7::timestamptz ELSE next_attempt_at END"
    " WHERE id = $2::bigint AND CASE $1 WHEN 'sent' THEN true"
    "  WHEN 'part' THEN status = 'sending' WHEN 'retry' THEN status = 'sending'"
    "  ELSE status IN ('pending', 'sending') END"
)
# Joining chats starts an inactive chat's delivery as SKIPPED and inserts nothing for a chat
# not stored (which the callers catch); deliveries get their ids in the recipients' order.
_INSERT_DELIVERIES = (
    "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at,"
    " last_error)"
    " SELECT $1, c.platform, c.chat_id, CASE WHEN c.active THEN 'pending' ELSE 'skipped' END,"
    "  $2, $3, CASE WHEN c.active THEN NULL"
    "  ELSE coalesce(c.inactive_reason, 'chat inactive') END"
    " FROM unnest($4::text[]) WITH ORDINALITY AS r (chat_id, n)"
    " JOIN chats c ON c.platform = $5 AND c.chat_id = r.chat_id"
    " ORDER BY r.n ON CONFLICT (key, platform, chat_id) DO NOTHING"
)
_ITEM_COLUMNS = "key, kind, subject, due_at, payload"


def _mark_params(mark: DeliveryMark) -> tuple[Any, ...]:
    match mark:
        case MarkSent(delivery_id, message_id, sent_at):
            return ("sent", delivery_id, message_id, as_utc(sent_at, "sent_at"), None, None, None)
        case MarkPartSent(delivery_id, parts_sent, message_id):
            return ("part", delivery_id, message_id, None, parts_sent, None, None)
        case MarkRetry(delivery_id, error, retry_at):
            return ("retry", delivery_id, None, None, None, error, as_utc(retry_at, "retry_at"))
        case MarkFailed(delivery_id, error):
            return ("failed", delivery_id, None, None, None, error, None)
        case MarkSkipped(delivery_id, reason):
            return ("skipped", delivery_id, None, None, None, reason, None)


def _chunks(recipients: Sequence[ChatRef], size: int) -> list[tuple[str, list[str]]]:
    """Consecutive recipients of one platform, up to `size` a chunk; one empty chunk for no
    recipients (the announcement's row is still written)."""
    chunks: list[tuple[str, list[str]]] = []
    for platform, group in groupby(recipients, key=attrgetter("platform")):
        ids = list(map(attrgetter("id"), group))
        chunks.extend((platform, ids[at : at + size]) for at in range(0, len(ids), size))
    return chunks or [("", [])]


def _item(row: Any) -> OutboxItem:
    return OutboxItem(row[0], row[1], row[2], row[3], json.loads(row[4]))


def _delivery(row: Any, items: dict[str, OutboxItem]) -> Delivery:
    return Delivery(
        id=row[0],
        item=items[row[1]],
        chat=ChatRef(row[2], row[3]),
        status=DeliveryStatus(row[4]),
        attempts=row[5],
        last_error=row[6],
        next_attempt_at=row[7],
        sent_at=row[8],
        message_id=row[9],
        priority=row[10],
        parts_sent=row[11],
    )


class PostgresOutbox(PostgresLeases):
    """The outbox half of `PostgresStore`."""

    # Deliveries written to one transaction. Other callers are served meanwhile anyway (each
    # transaction has a connection of its own); chunks keep one transaction's size bounded.
    enqueue_chunk = 5000

    async def enqueue(
        self,
        item: OutboxItem,
        recipients: Sequence[ChatRef],
        *,
        priority: int = 0,
        on_first_chunk: Callable[[], None] | None = None,
    ) -> bool:
        payload = to_json(dict(item.payload))  # a TypeError here, before anything is written
        chunks = _chunks(recipients, max(1, self.enqueue_chunk))
        if len(chunks) > 1:
            await self._check_stored(chunks)  # UnknownChat before anything is written
        async with self._transaction() as conn:
            status = await conn.execute(
                "INSERT INTO outbox (key, kind, subject, due_at, payload, complete)"
                " VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (key) DO NOTHING",
                item.key,
                item.kind,
                item.subject,
                item.due_at,
                payload,
                len(chunks) == 1,
            )
            resuming = row_count(status) == 0
            if resuming and await conn.fetchval(
                "SELECT complete FROM outbox WHERE key = $1", item.key
            ):
                return False
            platform, ids = chunks[0]
            inserted = await self._insert(conn, item, platform, ids, priority)
            if inserted != len(ids):
                await self._refuse_unknown(conn, item.key, platform, ids)
            if resuming and len(chunks) == 1:
                await self._mark_complete(conn, item.key)
        if on_first_chunk is not None and len(chunks) > 1:
            on_first_chunk()
        for platform, ids in chunks[1:]:
            await asyncio.sleep(0)
            async with self._transaction() as conn:
                await self._insert(conn, item, platform, ids, priority)
        if len(chunks) > 1:
            async with self._transaction() as conn:
                await self._mark_complete(conn, item.key)
        return True

    @staticmethod
    async def _insert(
        conn: Connection, item: OutboxItem, platform: str, ids: list[str], priority: int
    ) -> int:
        status = await conn.execute(
            _INSERT_DELIVERIES, item.key, priority, item.due_at, ids, platform
        )
        return row_count(status)

    async def _check_stored(self, chunks: list[tuple[str, list[str]]]) -> None:
        unknown: list[ChatRef] = []
        for platform, ids in chunks:
            rows = await self._fetch(
                "SELECT r.chat_id FROM unnest($1::text[]) AS r (chat_id) WHERE NOT EXISTS"
                " (SELECT 1 FROM chats c WHERE c.platform = $2 AND c.chat_id = r.chat_id)",
                ids,
                platform,
            )
            unknown += (ChatRef(platform, row[0]) for row in rows)
        if unknown:
            raise UnknownChat(list(dict.fromkeys(unknown)))

    @staticmethod
    async def _refuse_unknown(conn: Connection, key: str, platform: str, ids: list[str]) -> None:
        rows = await conn.fetch(
            "SELECT r.chat_id FROM unnest($1::text[]) AS r (chat_id) WHERE NOT EXISTS"
            " (SELECT 1 FROM deliveries d"
            "  WHERE d.key = $2 AND d.platform = $3 AND d.chat_id = r.chat_id)",
            ids,
            key,
            platform,
        )
        if rows:
            raise UnknownChat(list(dict.fromkeys(ChatRef(platform, row[0]) for row in rows)))

    @staticmethod
    async def _mark_complete(conn: Connection, key: str) -> None:
        await conn.execute("UPDATE outbox SET complete = true WHERE key = $1", key)

    async def unfinished_announcements(self) -> list[OutboxItem]:
        rows = await self._fetch(
            f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE NOT complete ORDER BY due_at, key"
        )
        return [_item(row) for row in rows]

    async def has_announcement(self, key: str) -> bool:
        return bool(await self._fetch("SELECT 1 FROM outbox WHERE key = $1", key))

    async def announcement_keys(self, prefix: str = "") -> set[str]:
        # left() rather than LIKE: a prefix is literal text; "_" and "%" match only themselves.
        rows = await self._fetch(
            "SELECT key FROM outbox WHERE left(key, char_length($1)) = $1", prefix
        )
        return {row[0] for row in rows}

    async def claim(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[Delivery]:
        at = as_utc(now, "now")
        if limit <= 0:
            return []
        async with self._transaction() as conn:
            return await self._claim_in(conn, at, limit, platform)

    async def claim_with_chats(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[tuple[Delivery, Chat | None]]:
        at = as_utc(now, "now")
        if limit <= 0:
            return []
        async with self._transaction() as conn:
            claimed = await self._claim_in(conn, at, limit, platform)
            refs = sorted({(d.chat.platform, d.chat.id) for d in claimed})
            rows = (
                await conn.fetch(_CHATS_BY_REF, [p for p, _ in refs], [i for _, i in refs])
                if refs
                else []
            )
        found = {chat.ref: chat for chat in map(decode_chat, rows)}
        return [(delivery, found.get(delivery.chat)) for delivery in claimed]

    async def _claim_in(
        self, conn: Connection, at: datetime, limit: int, platform: str | None
    ) -> list[Delivery]:
        until = await self._renew_and_reclaim(conn, at)
        if platform is None:
            rows = await conn.fetch(_CLAIM_ANY, at, self.lease_owner, until, limit)
        else:
            rows = await conn.fetch(
                _CLAIM_ON_PLATFORM, at, self.lease_owner, until, limit, platform
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
        if not marks:
            return
        params = [_mark_params(mark) for mark in marks]  # a ValueError here writes nothing
        ids = sorted({mark.delivery_id for mark in marks})
        async with self._transaction() as conn:
            # asyncpg's executemany reports no row counts: the ids are checked beforehand,
            # in the same transaction (a delivery is never deleted on its own).
            stored = await conn.fetch("SELECT id FROM deliveries WHERE id = ANY($1::bigint[])", ids)
            found = {row[0] for row in stored}
            unknown = [delivery_id for delivery_id in ids if delivery_id not in found]
            if unknown:
                raise UnknownDelivery(unknown[0])
            await conn.executemany(_MARK, params)

    async def next_due_at(self) -> datetime | None:
        rows = await self._fetch(
            "SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending'"
        )
        return rows[0][0]  # type: ignore[no-any-return]

    async def earliest_unsent_at(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        rows = await self._fetch(
            "SELECT min(next_attempt_at) FROM deliveries"
            " WHERE status IN ('pending', 'sending') AND platform = ANY($1::text[])",
            list(platforms),
        )
        return rows[0][0]  # type: ignore[no-any-return]

    # --- reporting -------------------------------------------------------------------------

    async def delivery_counts(self, key: str | None = None) -> dict[DeliveryStatus, int]:
        if key is None:
            rows = await self._fetch("SELECT status, count(*) FROM deliveries GROUP BY status")
        else:
            rows = await self._fetch(
                "SELECT status, count(*) FROM deliveries WHERE key = $1 GROUP BY status", key
            )
        counts = dict.fromkeys(DeliveryStatus, 0)
        counts.update((DeliveryStatus(status), int(count)) for status, count in rows)
        return counts

    async def backlog(self) -> dict[str, Backlog]:
        rows = await self._fetch(
            "SELECT d.platform, count(*), min(o.due_at) FROM deliveries d"
            " JOIN outbox o ON o.key = d.key WHERE d.status IN ('pending', 'sending')"
            " GROUP BY d.platform"
        )
        return {platform: Backlog(int(unsent), oldest) for platform, unsent, oldest in rows}

    async def recent_errors(self, limit: int = 10) -> list[RecentError]:
        rows = await self._fetch(
            "SELECT platform, chat_id, key, last_error, last_attempt_at FROM deliveries"
            " WHERE last_error IS NOT NULL AND last_attempt_at IS NOT NULL"
            "  AND status IN ('pending', 'sending', 'failed')"
            " ORDER BY last_attempt_at DESC, id DESC LIMIT $1",
            max(limit, 0),
        )
        return [
            RecentError(ChatRef(platform, chat_id), key, error, at)
            for platform, chat_id, key, error, at in rows
        ]

    async def deliveries(self, key: str) -> list[Delivery]:
        async with self._connection() as conn:
            rows = await conn.fetch(
                f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE key = $1 ORDER BY id", key
            )
            items = await self._items(conn, {key} if rows else set())
        return [_delivery(row, items) for row in rows]

    @staticmethod
    async def _items(conn: Connection, keys: set[str]) -> dict[str, OutboxItem]:
        if not keys:
            return {}
        rows = await conn.fetch(
            f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE key = ANY($1::text[])", sorted(keys)
        )
        return {row[0]: _item(row) for row in rows}
