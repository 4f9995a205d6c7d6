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

from bot.core.audience import Chat, ChatRef
from bot.store.marks import (
    DeliveryMark,
    MarkFailed,
    MarkPartSent,
    MarkRetry,
    MarkSent,
    MarkSkipped,
)
from bot.store.protocol import UnknownChat, UnknownDelivery
from bot.store.records import Backlog, Delivery, DeliveryStatus, OutboxItem, RecentError
from bot.store.sqlite_base import Row, fetch_all, instant, micros, to_json
from bot.store.sqlite_leases import PENDING_IF_ACTIVE, SQLiteLeases
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


_INSERT_DELIVERIES = (
    "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at,"
    " last_error)"
    " SELECT ?1, c.platform, c.chat_id, CASE c.active WHEN 1 THEN 'pending' ELSE 'skipped' END,"
    "  ?2, ?3, CASE c.active WHEN 1 THEN NULL"
    "  ELSE coalesce(c.inactive_reason, 'chat inactive') END"
    " FROM json_each(?4) j CROSS JOIN chats c ON c.platform = ?5 AND c.chat_id = j.value"
    # CROSS JOIN keeps the list the outer loop (a lookup in chats per id, never a scan);
    # the outbox row looked up once, for the chunks written with the foreign key checks off;
    # ORDER BY: deliveries get their ids (the claim's tie-break) in the recipients' order.
    " WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.key = ?1)"
    " ORDER BY j.key ON CONFLICT (key, platform, chat_id) DO NOTHING"
)

# A chunk of chats the audience in memory vouches for (stored and active when the database
# was at version ?6: SQLiteStore._vouched_version) needs no look-up in chats per recipient:
# a PENDING delivery each. Written only if the database is still at that version inside
# this transaction (no other connection has committed since), else nothing: the caller then
# inserts the chunk by the statement above. With the per-row foreign key checks off (those
# were half the enqueue's B-tree look-ups), the outbox row is looked up once here.
_INSERT_VOUCHED = (
    "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at)"
    " SELECT ?1, ?5, j.value, 'pending', ?2, ?3 FROM json_each(?4) j"
    " WHERE (SELECT data_version FROM pragma_data_version()) = ?6"
    "  AND EXISTS (SELECT 1 FROM outbox o WHERE o.key = ?1)"
    " ORDER BY j.key ON CONFLICT (key, platform, chat_id) DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Recipients written in one transaction: chats of one platform, given to SQLite as one
    JSON array (one parameter, however many; SQLite reads it with json_each). Encoded when
    written, not all up front: 100,000 ids at once held the event loop for tens of ms."""

    platform: str
    chat_ids: list[str]
    refs: Sequence[ChatRef]

    @property
    def size(self) -> int:
        return len(self.chat_ids)

    @property
    def ids(self) -> str:
        return to_json(self.chat_ids)


def _chunks(recipients: Sequence[ChatRef], size: int) -> list[_Chunk]:
    """Consecutive recipients of one platform, up to `size` a chunk; one empty chunk for no
    recipients (the announcement's row is still written)."""
    chunks: list[_Chunk] = []
    # map() and slices rather than a loop per recipient: 100,000 of them take a few ms.
    for platform, group in groupby(recipients, key=attrgetter("platform")):
        refs = list(group)
        ids = list(map(attrgetter("id"), refs))
        chunks.extend(
            _Chunk(platform, ids[at : at + size], refs[at : at + size])
            for at in range(0, len(ids), size)
        )
    return chunks or [_Chunk("", [], [])]


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


class SQLiteOutbox(SQLiteLeases):
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
        if len(chunks) == 1:
            return await self._enqueue_chunks(item, payload, chunks, priority)
        known = await self._known_stored(recipients)
        if known is None:
            await self._check_stored(chunks)  # UnknownChat before anything is written
        async with self._checkpoints_deferred():
            return await self._enqueue_chunks(item, payload, chunks, priority, known)

    async def _enqueue_chunks(
        self,
        item: OutboxItem,
        payload: str,
        chunks: list[_Chunk],
        priority: int,
        known: int | None = None,
    ) -> bool:
        """`enqueue` once the payload is encoded, the recipients cut into chunks and, if
        more than one, known to be stored (`known`: what `_known_stored` said)."""
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
            # Every check the foreign keys make per row is made by the statements themselves.
            async with self._write_checked_by_caller() as conn:
                await self._insert_chunk(conn, item.key, chunk, priority, due, known)
        if len(chunks) > 1:
            async with self._write() as conn:
                await self._mark_complete(conn, item.key)
        return True

    async def _insert_chunk(
        self,
        conn: aiosqlite.Connection,
        key: str,
        chunk: _Chunk,
        priority: int,
        due: int,
        known: int | None,
    ) -> None:
        """A chunk after the first: its chats were known to be stored when the enqueue began.
        Fewer rows than refs: a chat moved since (its new id is then in the list, or gets the
        post by its moved deliveries), or a resumed enqueue."""
        # Asked with the lock held and no await before the statement: the audience in memory
        # changes only after a commit, so it says here what the transaction sees.
        version = self._vouched_version(chunk.refs, known)
        if version is not None:
            cursor = await conn.execute(
                _INSERT_VOUCHED, (key, priority, due, chunk.ids, chunk.platform, version)
            )
            if cursor.rowcount == chunk.size:
                return
        # Not vouched for, or not wholly inserted (another connection committed meanwhile,
        # or some are there already): the chats' rows say, and what is there stays.
        await self._insert_deliveries(conn, key, chunk, priority, due)

    def _vouched_version(self, refs: Sequence[ChatRef], known: int | None) -> int | None:
        """The database version at which every one of `refs` was a stored, active chat, if
        that is known without asking the database; the store that keeps the audience in
        memory knows it of the audience's chats. `known`: what `_known_stored` said of the
        whole list the chunk is part of."""
        return None

    async def unfinished_announcements(self) -> list[OutboxItem]:
        rows = await self._fetch(
            "SELECT key, kind, subject, due_at, payload FROM outbox WHERE complete = 0"
            " ORDER BY due_at, key"
        )
        return [_item(row) for row in rows]

    async def _between_enqueue_chunks(self) -> None:
        """Yield to the event loop: the tasks queued for the store's lock go first."""
        await asyncio.sleep(0)

    async def _known_stored(self, recipients: Sequence[ChatRef]) -> int | None:
        """Whether every recipient is known to be stored without asking the database: None
        if not, else a mark for `_vouched_version`. The store that keeps the audience in
        memory knows it of the audience's chats."""
        return None

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
