"""`SQLiteStore`: the `Store` on one SQLite file, the embedded default engine.

Its parts: sqlite_base (connection, transactions, migrations), sqlite_enqueue and
sqlite_outbox (the outbox and its deliveries), sqlite_kept (button callbacks, kept values) and,
here, chats and subscriptions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import aiosqlite

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store.audience_cache import AudienceCache, Member
from bot.store.chat_rows import ChatRows
from bot.store.protocol import UnknownChat
from bot.store.sqlite_base import Row, fetch_all, is_file_path, to_json
from bot.store.sqlite_edits import SQLiteEdits
from bot.store.sqlite_kept import SQLiteKept
from bot.store.sqlite_outbox import SQLiteOutbox
from bot.store.sqlite_rows import Decoder, Encoder, chat_params

if TYPE_CHECKING:
    from bot.store.protocol import Store

__all__ = ["SQLiteStore", "upgrade_database"]

_CHAT_COLUMNS = (
    "c.platform, c.chat_id, c.kind, c.zone, c.language, c.reminder_minutes, c.spoiler_safe,"
    " c.active, c.mention_role, c.chart_with_results, c.clock"
)


_AUDIENCE = (
    f"SELECT {_CHAT_COLUMNS}, s.series, s.drivers, s.session_kinds"
    " FROM subscriptions s JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id"
    " WHERE c.active = 1"
)
# Chats given as one JSON array of [platform, id] pairs: one statement for any number of them.
_THESE_CHATS = (
    " AND (s.platform, s.chat_id) IN"
    " (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"
)
# Subscriptions are written this many to a transaction: each commits on its own, and between
# two of them the store is free for the commands waiting on it.
SUBSCRIPTION_BATCH = 2000
_SET_SUBSCRIPTION = (
    "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) DO UPDATE SET"
    " series = excluded.series, drivers = excluded.drivers,"
    " session_kinds = excluded.session_kinds"
)
# The chats table's columns in chat_params' order.
_CHAT_PARAM_COLUMNS = (
    "platform", "chat_id", "kind", "zone", "language", "reminder_minutes", "spoiler_safe",
    "active", "mention_role", "chart_with_results", "clock",
)  # fmt: skip


def _new_chats_insert(defaults: Chat) -> tuple[str, tuple[Any, ...]]:
    """The statement inserting a new chat with `defaults`' settings (any platform and id
    bound first), and those settings. Settings that are NULL are left to the column's own
    default (NULL): the sqlite3 module binds a None by trying to adapt it, an exception
    made and dropped each time, and two of them a row were 5 % of storing 100,000
    subscriptions (issue 11)."""
    pairs = [
        (column, value)
        for column, value in zip(_CHAT_PARAM_COLUMNS[2:], chat_params(defaults)[2:], strict=True)
        if value is not None
    ]
    columns = ", ".join(["platform", "chat_id", *(column for column, _value in pairs)])
    sql = (
        f"INSERT INTO chats ({columns}) VALUES ({', '.join('?' * (len(pairs) + 2))})"
        " ON CONFLICT (platform, chat_id) DO NOTHING"
    )
    return sql, tuple(value for _column, value in pairs)


def _refs_json(refs: Sequence[ChatRef]) -> str:
    return to_json([[ref.platform, ref.id] for ref in refs])


def _moved_to(new: ChatRef) -> str:
    return f"moved to {new}"


class SQLiteStore(SQLiteOutbox, SQLiteKept, SQLiteEdits):
    """The `Store` on one SQLite file: `SQLiteStore(path)`, then `open()` or `async with`."""

    # The audience in memory (bot.store.audience_cache), read on the first audience() call,
    # and SQLite's data_version when it was read: another connection's commit (a second
    # process) changes that number, and the audience is then read again.
    _audience: AudienceCache | None = None
    _audience_version: int = -1
    # Changes applied to the audience in memory (or reads of it) so far: a list found wholly
    # in it when this was N is still wholly in it while this is N.
    _audience_changes: int = 0
    _decoder: Decoder | None = None
    _chat_rows: ChatRows | None = None

    # --- chats -----------------------------------------------------------------------------

    async def upsert_chat(self, chat: Chat) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
                " spoiler_safe, active, mention_role, chart_with_results, clock)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, chat_id) DO UPDATE SET kind = excluded.kind,"
                " zone = excluded.zone, language = excluded.language,"
                " reminder_minutes = excluded.reminder_minutes,"
                " spoiler_safe = excluded.spoiler_safe, active = excluded.active,"
                " mention_role = excluded.mention_role,"
                " chart_with_results = excluded.chart_with_results, clock = excluded.clock,"
                " inactive_reason = CASE excluded.active WHEN 1 THEN NULL"
                "  ELSE chats.inactive_reason END",
                chat_params(chat),
            )
            if not chat.active:
                await self._skip_pending(conn, chat.ref, "chat inactive")
            changed = await self._members(conn, [chat.ref])
        self._remember(changed)

    async def get_chat(self, ref: ChatRef) -> Chat | None:
        # From memory while nothing was committed since it was read (bot.store.chat_rows).
        cache = self._chat_cache()
        kept, read_at = cache.get(ref) if cache is not None else (None, None)
        if kept is not None:
            return kept
        rows = await self._fetch(
            f"SELECT {_CHAT_COLUMNS} FROM chats c WHERE c.platform = ? AND c.chat_id = ?",
            (ref.platform, ref.id),
        )
        chat = Decoder().chat(rows[0]) if rows else None
        if cache is not None and chat is not None:
            cache.keep(chat, read_at)
        return chat

    def _chat_cache(self) -> ChatRows | None:
        if self._chat_rows is None and self._conn is not None and is_file_path(self._path):
            self._chat_rows = ChatRows.open(Path(self._path))
        return self._chat_rows

    async def close(self) -> None:
        rows, self._chat_rows = self._chat_rows, None
        if rows is not None:
            rows.close()
        await super().close()

    async def set_active(self, ref: ChatRef, active: bool, reason: str | None = None) -> None:
        async with self._write() as conn:
            cursor = await conn.execute(
                "UPDATE chats SET active = ?, inactive_reason = ?"
                " WHERE platform = ? AND chat_id = ?",
                (int(active), None if active else reason, ref.platform, ref.id),
            )
            if cursor.rowcount == 0:
                raise UnknownChat([ref])
            if not active:
                await self._skip_pending(conn, ref, reason or "chat inactive")
            changed = await self._members(conn, [ref])
        self._remember(changed)

    async def rewrite_chat(self, old: ChatRef, new: ChatRef) -> None:
        if old == new:
            return
        if old.platform != new.platform:
            raise ValueError(f"a chat cannot move from {old.platform} to {new.platform}")
        async with self._write() as conn:
            old_reason = await self._inactive_reason(conn, old)
            new_stored = await self._inactive_reason(conn, new) is not None
            if old_reason is None:
                if new_stored:
                    return  # moved already: a second report of the same migration
                raise UnknownChat([old, new])
            if not new_stored:
                # The foreign keys' ON UPDATE CASCADE carries subscription and deliveries along.
                await conn.execute(
                    "UPDATE chats SET chat_id = ? WHERE platform = ? AND chat_id = ?",
                    (new.id, old.platform, old.id),
                )
            elif old_reason != _moved_to(new):  # not merged already
                await self._merge_chat(conn, old, new)
            changed = await self._members(conn, [old, new])
        self._remember(changed)

    async def chats(self, *, platform: str | None = None, active_only: bool = True) -> list[Chat]:
        conditions = ["1 = 1"]
        params: list[Any] = []
        if platform is not None:
            conditions.append("c.platform = ?")
            params.append(platform)
        if active_only:
            conditions.append("c.active = 1")
        rows = await self._fetch(
            f"SELECT {_CHAT_COLUMNS} FROM chats c WHERE {' AND '.join(conditions)}"
            " ORDER BY c.platform, c.chat_id",
            params,
        )
        decoder = Decoder()
        return [decoder.chat(row) for row in rows]

    async def count_chats(self, *, active_only: bool = True) -> int:
        sql = "SELECT count(*) FROM chats" + (" WHERE active = 1" if active_only else "")
        rows = await self._fetch(sql)
        return int(rows[0][0])

    # --- subscriptions ---------------------------------------------------------------------

    async def set_subscription(self, sub: Subscription) -> None:
        await self.set_subscriptions([sub])

    async def set_subscriptions(self, subs: Sequence[Subscription]) -> None:
        # A chat repeated in `subs` ends with its last subscription, as one call each would
        # leave it; the rows go in SUBSCRIPTION_BATCH to a transaction, two statements each.
        last = {sub.chat: sub for sub in subs}
        if not last:
            return
        if len(last) <= SUBSCRIPTION_BATCH:
            await self._write_subscriptions(list(last.values()), Encoder())
            return
        async with self._checkpoints_deferred():
            await self._set_in_batches(last.values())

    async def _set_in_batches(self, subs: Iterable[Subscription]) -> None:
        encoder = Encoder()
        batch: list[Subscription] = []
        for sub in subs:
            batch.append(sub)
            if len(batch) == SUBSCRIPTION_BATCH:
                await self._write_subscriptions(batch, encoder)
                batch = []
                await asyncio.sleep(0)  # let the commands waiting on the store have it
        if batch:
            await self._write_subscriptions(batch, encoder)

    async def _write_subscriptions(self, batch: list[Subscription], encoder: Encoder) -> None:
        new_chat, settings = _new_chats_insert(Chat(batch[0].chat))  # a new chat's defaults
        async with self._write() as conn:
            await conn.executemany(
                new_chat, ((sub.chat.platform, sub.chat.id, *settings) for sub in batch)
            )
            await conn.executemany(_SET_SUBSCRIPTION, (encoder.row(sub) for sub in batch))
            changed = await self._members(conn, [sub.chat for sub in batch])
        self._remember(changed)

    async def get_subscription(self, ref: ChatRef) -> Subscription | None:
        rows = await self._fetch(
            "SELECT series, drivers, session_kinds FROM subscriptions"
            " WHERE platform = ? AND chat_id = ?",
            (ref.platform, ref.id),
        )
        return Decoder().subscription(ref, *rows[0]) if rows else None

    async def remove_subscription(self, ref: ChatRef) -> bool:
        async with self._write() as conn:
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?",
                (ref.platform, ref.id),
            )
            removed = cursor.rowcount > 0
        self._remember({ref: None} if self._audience is not None else None)
        return removed

    async def audience(self) -> list[tuple[Chat, Subscription]]:
        async with self._lock:
            conn = self._connection()
            version = await self._data_version(conn)
            if self._audience is None or version != self._audience_version:
                self._audience = await self._read_audience(conn)
                self._audience_version = version
                self._audience_changes += 1
            return self._audience.snapshot()

    async def _known_stored(self, recipients: Sequence[ChatRef]) -> int | None:
        """An announcement goes to the audience's chats, and the audience in memory holds
        stored chats only, so checking them in the database again (100,000 look-ups) is
        skipped, unless another connection has committed since the audience was read."""
        if self._audience is None:
            return None
        # Taken before the look-ups, which let other tasks run (and change the audience).
        changes = self._audience_changes
        async with self._lock:
            version = await self._data_version(self._connection())
        if version != self._audience_version or not await self._audience.holds_all(recipients):
            return None
        return changes

    def _vouched_version(self, refs: Sequence[ChatRef], known: int | None) -> int | None:
        """The audience in memory holds active, stored chats only, as of the database's
        version `_audience_version` (this connection's own changes applied as committed).
        Looked up again only if it has changed since the whole list was found in it."""
        if self._audience is None:
            return None
        if known != self._audience_changes and not self._audience.holds_now(refs):
            return None
        return self._audience_version

    def audience_subscription(self, ref: ChatRef) -> Subscription | None:
        return None if self._audience is None else self._audience.subscription(ref)

    async def _read_audience(self, conn: aiosqlite.Connection) -> AudienceCache:
        """Streamed a few thousand rows at a time and decoded as they come, so that the raw
        rows of 100,000 subscriptions are never all alive at once."""
        decoder = self._decoder = Decoder()
        members: list[Member] = []
        async with conn.execute(f"{_AUDIENCE} ORDER BY s.platform, s.chat_id") as cursor:
            # The default row factory yields plain tuples; aiosqlite types them as sqlite3.Row.
            while rows := cast(list[Row], await cursor.fetchmany(SUBSCRIPTION_BATCH)):
                members.extend(decoder.member(row) for row in rows)
        return AudienceCache(members)

    async def _members(
        self, conn: aiosqlite.Connection, refs: Sequence[ChatRef]
    ) -> dict[ChatRef, Member | None] | None:
        """What the audience holds for `refs` after a change, read inside the changing
        transaction (None for a chat no longer in it); None when the audience is not kept."""
        if self._audience is None or self._decoder is None:
            return None
        changed: dict[ChatRef, Member | None] = dict.fromkeys(refs)
        rows = await fetch_all(conn, _AUDIENCE + _THESE_CHATS, (_refs_json(refs),))
        for row in rows:
            member = self._decoder.member(row)
            changed[member[0].ref] = member
        return changed

    def _remember(self, changed: dict[ChatRef, Member | None] | None) -> None:
        """Apply a committed change to the audience. Called right after the transaction with
        no await in between, so no other change to the same chats can come in between."""
        if self._chat_rows is not None:
            # The commit changed the database's version anyway; said here for the reader.
            self._chat_rows.forget()
        if changed is not None and self._audience is not None:
            self._audience.update(changed)
            self._audience_changes += 1

    @staticmethod
    async def _data_version(conn: aiosqlite.Connection) -> int:
        rows = await fetch_all(conn, "PRAGMA data_version")
        return int(rows[0][0])

    @staticmethod
    async def _inactive_reason(conn: aiosqlite.Connection, ref: ChatRef) -> str | None:
        """None when the chat is not stored; "" for an active chat."""
        rows = await fetch_all(
            conn,
            "SELECT coalesce(inactive_reason, '') FROM chats WHERE platform = ? AND chat_id = ?",
            (ref.platform, ref.id),
        )
        return str(rows[0][0]) if rows else None

    @staticmethod
    async def _merge_chat(conn: aiosqlite.Connection, old: ChatRef, new: ChatRef) -> None:
        """Both ids are stored: something wrote the new one first, typically a command sent
        in the new chat. The new row takes the old settings and stays active if either was;
        its own subscription, a fresher choice, beats the old one. The old deliveries move,
        except those of announcements the new id has already: those stay behind, skipped, on
        the old row, which is kept inactive as a marker ("moved to ...") while anything
        refers to it. A delivery in flight there is then not retried, nor sent twice."""
        old_key, new_key = (old.platform, old.id), (new.platform, new.id)
        await conn.execute(
            "UPDATE chats SET (kind, zone, language, reminder_minutes, spoiler_safe,"
            " mention_role, chart_with_results, clock, active, inactive_reason) = (SELECT o.kind,"
            "  o.zone, o.language, o.reminder_minutes, o.spoiler_safe, o.mention_role,"
            "  o.chart_with_results, o.clock,"
            "  max(o.active, chats.active), CASE WHEN max(o.active, chats.active) = 1 THEN NULL"
            "  ELSE o.inactive_reason END"
            "  FROM chats o WHERE o.platform = ? AND o.chat_id = ?)"
            " WHERE platform = ? AND chat_id = ?",
            (*old_key, *new_key),
        )
        await conn.execute(
            "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE platform = ? AND chat_id = ?",
            (new.id, *old_key),
        )
        await conn.execute("DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?", old_key)
        await conn.execute(
            "UPDATE deliveries SET chat_id = ? WHERE platform = ? AND chat_id = ? AND key NOT IN"
            " (SELECT key FROM deliveries WHERE platform = ? AND chat_id = ?)",
            (new.id, *old_key, *new_key),
        )
        left = await fetch_all(
            conn, "SELECT count(*) FROM deliveries WHERE platform = ? AND chat_id = ?", old_key
        )
        if left[0][0] == 0:
            await conn.execute("DELETE FROM chats WHERE platform = ? AND chat_id = ?", old_key)
            return
        reason = _moved_to(new)
        await conn.execute(
            "UPDATE chats SET active = 0, inactive_reason = ? WHERE platform = ? AND chat_id = ?",
            (reason, *old_key),
        )
        await SQLiteStore._skip_pending(conn, old, f"{reason}, which has this one already")

    @staticmethod
    async def _skip_pending(conn: aiosqlite.Connection, ref: ChatRef, reason: str) -> None:
        """An inactive chat keeps no PENDING delivery (the protocol's invariant)."""
        await conn.execute(
            "UPDATE deliveries SET status = 'skipped', last_error = ?"
            " WHERE platform = ? AND chat_id = ? AND status = 'pending'",
            (reason, ref.platform, ref.id),
        )


async def upgrade_database(path: Path) -> tuple[int, int]:
    """`pitboard db upgrade`: apply pending migrations to an existing database file.
    Returns the schema version before and after. A missing file is an error here (a typo
    would otherwise create an empty database); `pitboard run` creates one on first start."""
    # A thread for the stat call: blocking the event loop even briefly is refused on principle.
    if not await asyncio.to_thread(Path(path).is_file):
        raise FileNotFoundError(f"no database at {path}")
    async with SQLiteStore(path, auto_migrate=False) as store:
        before = await store.schema_version()
        await store.migrate()
        return before, await store.schema_version()


if TYPE_CHECKING:
    _conforms: type[Store] = SQLiteStore  # mypy checks here that SQLiteStore is a Store
