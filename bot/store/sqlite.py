"""`SQLiteStore`: the `Store` on one SQLite file, the embedded default engine.

Its parts: sqlite_base (connection, transactions, migrations), sqlite_outbox (the outbox and
its deliveries), sqlite_kept (button callbacks, kept values) and, here, chats and subscriptions.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store.protocol import UnknownChat
from bot.store.sqlite_base import Row, fetch_all, to_json
from bot.store.sqlite_kept import SQLiteKept
from bot.store.sqlite_outbox import SQLiteOutbox

if TYPE_CHECKING:
    from bot.store.protocol import Store

__all__ = ["SQLiteStore", "upgrade_database"]

_CHAT_COLUMNS = (
    "c.platform, c.chat_id, c.kind, c.zone, c.language, c.reminder_minutes, c.spoiler_safe,"
    " c.active, c.mention_role, c.chart_with_results"
)
_SUBSCRIPTION_AT = 10  # an audience row: the chat's columns, then the subscription's


def _chat_params(chat: Chat) -> tuple[Any, ...]:
    return (
        chat.ref.platform,
        chat.ref.id,
        chat.kind.value,
        chat.zone,
        chat.language,
        to_json(list(chat.reminder_minutes)),
        int(chat.spoiler_safe),
        int(chat.active),
        chat.mention_role,
        int(chat.chart_with_results),
    )


class _Decoder:
    """Rows to records. Remembers decoded JSON lists: 100,000 subscriptions share a few
    hundred distinct ones; decoding each once makes audience() about three times faster, and
    the chats that follow the same series share one frozenset in memory."""

    def __init__(self) -> None:
        self._strings: dict[str, frozenset[str]] = {}
        self._kinds: dict[str, frozenset[SessionKind]] = {}
        self._minutes: dict[str, tuple[int, ...]] = {}

    def chat(self, row: Row) -> Chat:
        minutes = self._minutes.get(row[5])
        if minutes is None:
            minutes = self._minutes[row[5]] = tuple(json.loads(row[5]))
        return Chat(
            ref=ChatRef(row[0], row[1]),
            kind=ChatKind(row[2]),
            zone=row[3],
            language=row[4],
            reminder_minutes=minutes,
            spoiler_safe=bool(row[6]),
            active=bool(row[7]),
            mention_role=row[8],
            chart_with_results=bool(row[9]),
        )

    def subscription(self, ref: ChatRef, series: str, drivers: str, kinds: str) -> Subscription:
        session_kinds = self._kinds.get(kinds)
        if session_kinds is None:
            session_kinds = frozenset(SessionKind(k) for k in json.loads(kinds))
            self._kinds[kinds] = session_kinds
        return Subscription(ref, self._set(series), self._set(drivers), session_kinds)

    def _set(self, text: str) -> frozenset[str]:
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = frozenset(json.loads(text))
        return found


def _audience_from(rows: list[Row]) -> list[tuple[Chat, Subscription]]:
    decoder = _Decoder()
    found = []
    for row in rows:
        chat = decoder.chat(row)
        found.append(
            (chat, decoder.subscription(chat.ref, *row[_SUBSCRIPTION_AT : _SUBSCRIPTION_AT + 3]))
        )
    return found


def _moved_to(new: ChatRef) -> str:
    return f"moved to {new}"


class SQLiteStore(SQLiteOutbox, SQLiteKept):
    """The `Store` on one SQLite file: `SQLiteStore(path)`, then `open()` or `async with`."""

    # --- chats -----------------------------------------------------------------------------

    async def upsert_chat(self, chat: Chat) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
                " spoiler_safe, active, mention_role, chart_with_results)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, chat_id) DO UPDATE SET kind = excluded.kind,"
                " zone = excluded.zone, language = excluded.language,"
                " reminder_minutes = excluded.reminder_minutes,"
                " spoiler_safe = excluded.spoiler_safe, active = excluded.active,"
                " mention_role = excluded.mention_role,"
                " chart_with_results = excluded.chart_with_results,"
                " inactive_reason = CASE excluded.active WHEN 1 THEN NULL"
                "  ELSE chats.inactive_reason END",
                _chat_params(chat),
            )
            if not chat.active:
                await self._skip_pending(conn, chat.ref, "chat inactive")

    async def get_chat(self, ref: ChatRef) -> Chat | None:
        rows = await self._fetch(
            f"SELECT {_CHAT_COLUMNS} FROM chats c WHERE c.platform = ? AND c.chat_id = ?",
            (ref.platform, ref.id),
        )
        return _Decoder().chat(rows[0]) if rows else None

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
        decoder = _Decoder()
        return [decoder.chat(row) for row in rows]

    async def count_chats(self, *, active_only: bool = True) -> int:
        sql = "SELECT count(*) FROM chats" + (" WHERE active = 1" if active_only else "")
        rows = await self._fetch(sql)
        return int(rows[0][0])

    # --- subscriptions ---------------------------------------------------------------------

    async def set_subscription(self, sub: Subscription) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
                " spoiler_safe, active, mention_role, chart_with_results)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, chat_id) DO NOTHING",
                _chat_params(Chat(sub.chat)),
            )
            await conn.execute(
                "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) DO UPDATE SET"
                " series = excluded.series, drivers = excluded.drivers,"
                " session_kinds = excluded.session_kinds",
                (
                    sub.chat.platform,
                    sub.chat.id,
                    to_json(sorted(sub.series)),
                    to_json(sorted(sub.drivers)),
                    to_json(sorted(kind.value for kind in sub.session_kinds)),
                ),
            )

    async def get_subscription(self, ref: ChatRef) -> Subscription | None:
        rows = await self._fetch(
            "SELECT series, drivers, session_kinds FROM subscriptions"
            " WHERE platform = ? AND chat_id = ?",
            (ref.platform, ref.id),
        )
        return _Decoder().subscription(ref, *rows[0]) if rows else None

    async def remove_subscription(self, ref: ChatRef) -> bool:
        async with self._write() as conn:
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE platform = ? AND chat_id = ?",
                (ref.platform, ref.id),
            )
            return cursor.rowcount > 0

    async def audience(self) -> list[tuple[Chat, Subscription]]:
        rows = await self._fetch(
            f"SELECT {_CHAT_COLUMNS}, s.series, s.drivers, s.session_kinds"
            " FROM subscriptions s JOIN chats c"
            "  ON c.platform = s.platform AND c.chat_id = s.chat_id"
            " WHERE c.active = 1 ORDER BY s.platform, s.chat_id"
        )
        # 100,000 rows take most of a second to decode: off the event loop, which would
        # otherwise stall every sender and front-end for that long.
        return await asyncio.to_thread(_audience_from, rows)

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
            " mention_role, chart_with_results, active, inactive_reason) = (SELECT o.kind,"
            "  o.zone, o.language, o.reminder_minutes, o.spoiler_safe, o.mention_role,"
            "  o.chart_with_results,"
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
