"""The SQLite engine's enqueue: an announcement's row and one delivery per recipient, written in
chunks so that commands get the store in between, each chunk checked once rather than per row."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

import aiosqlite

from bot.core.audience import ChatRef
from bot.store.protocol import UnknownChat
from bot.store.records import OutboxItem
from bot.store.sqlite_base import fetch_all, micros, to_json
from bot.store.sqlite_leases import SQLiteLeases

__all__ = ["SQLiteEnqueue"]

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


class SQLiteEnqueue(SQLiteLeases):
    """Enqueueing, the first half of `SQLiteOutbox`."""

    # Deliveries written to one transaction: 100,000 in one would hold the store for seconds
    # while every command waits; in chunks of this many (some 10-20 ms of SQLite's time each
    # on a 2-core machine), commands get it between two chunks. Each commit writes every page
    # its chunk touched, and a chunk's rows land all over the chats' index, so fewer, larger
    # chunks write far fewer pages: 100,000 deliveries took 0.9-1.0 s of CPU in chunks of 500,
    # 0.8 in chunks of 1,000, 0.65-0.75 in chunks of 2,000 and 0.64 in chunks of 5,000.
    enqueue_chunk = 2000

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
        if len(chunks) == 1:
            return await self._enqueue_chunks(item, payload, chunks, priority)
        known = await self._known_stored(recipients)
        if known is None:
            await self._check_stored(chunks)  # UnknownChat before anything is written
        async with self._checkpoints_deferred():
            return await self._enqueue_chunks(
                item, payload, chunks, priority, known, on_first_chunk
            )

    async def _enqueue_chunks(
        self,
        item: OutboxItem,
        payload: str,
        chunks: list[_Chunk],
        priority: int,
        known: int | None = None,
        on_first_chunk: Callable[[], None] | None = None,
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
        if on_first_chunk is not None and len(chunks) > 1:
            on_first_chunk()
        for chunk in chunks[1:]:
            await self._between_enqueue_chunks()
            # Every check the foreign keys make per row is made by the statements themselves.
            async with self._write(foreign_keys_checked_by_caller=True) as conn:
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
