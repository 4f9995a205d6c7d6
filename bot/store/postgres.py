"""`PostgresStore`: the `Store` on a PostgreSQL server, for deployments of several processes.

Selected by a `postgresql://` database URL (bot.store.engines). Its parts: postgres_base
(pool, transactions, migrations), postgres_outbox and postgres_leases (the outbox and its
deliveries), postgres_kept (button callbacks, kept values), postgres_edits (the audit log of
operator edits), postgres_pace (the platforms' limits, shared by every process),
postgres_relay (Telegram updates handed between webhook workers), postgres_replay_clock (a
replay's clock, published by the planning leader) and, here, chats and subscriptions.

The audience is read from the server at every `audience()` call, not kept between calls as the
SQLite engine keeps it: other processes change it too, and nothing here would hear of that.
`audience_subscription` answers from the last read and this handle's own changes since.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store.audience_cache import AudienceCache, Member
from bot.store.postgres_base import Connection, row_count
from bot.store.postgres_edits import PostgresEdits
from bot.store.postgres_kept import PostgresKept
from bot.store.postgres_outbox import PostgresOutbox
from bot.store.postgres_pace import PostgresPace
from bot.store.postgres_relay import PostgresRelay
from bot.store.postgres_replay_clock import PostgresReplayClock
from bot.store.postgres_rows import (
    CHAT_COLUMNS,
    Decoder,
    chat_params,
    decode_chat,
    subscription_params,
)
from bot.store.protocol import UnknownChat

if TYPE_CHECKING:
    from bot.store.protocol import Store

__all__ = ["PostgresStore"]

_AUDIENCE = (
    f"SELECT {CHAT_COLUMNS}, s.series, s.drivers, s.session_kinds"
    " FROM subscriptions s JOIN chats c ON c.platform = s.platform AND c.chat_id = s.chat_id"
    " WHERE c.active"
)
_THESE_CHATS = " AND (s.platform, s.chat_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))"
_CHAT_VALUES = (
    "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
    " spoiler_safe, active, mention_role, chart_with_results, clock)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)
_SET_SUBSCRIPTION = (
    "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, chat_id) DO UPDATE SET"
    " series = excluded.series, drivers = excluded.drivers,"
    " session_kinds = excluded.session_kinds"
)
SUBSCRIPTION_BATCH = 2000


def _moved_to(new: ChatRef) -> str:
    return f"moved to {new}"


class PostgresStore(
    PostgresOutbox, PostgresKept, PostgresEdits, PostgresPace, PostgresRelay, PostgresReplayClock
):
    """The `Store` on PostgreSQL: `PostgresStore(url)`, then `open()` or `async with`."""

    _audience: AudienceCache | None = None

    # --- chats -----------------------------------------------------------------------------

    async def upsert_chat(self, chat: Chat) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                _CHAT_VALUES + " ON CONFLICT (platform, chat_id) DO UPDATE SET"
                " kind = excluded.kind, zone = excluded.zone, language = excluded.language,"
                " reminder_minutes = excluded.reminder_minutes,"
                " spoiler_safe = excluded.spoiler_safe, active = excluded.active,"
                " mention_role = excluded.mention_role,"
                " chart_with_results = excluded.chart_with_results, clock = excluded.clock,"
                " inactive_reason = CASE WHEN excluded.active THEN NULL"
                "  ELSE chats.inactive_reason END",
                *chat_params(chat),
            )
            if not chat.active:
                await self._skip_pending(conn, chat.ref, "chat inactive")
            changed = await self._members(conn, [chat.ref])
        self._remember(changed)

    async def get_chat(self, ref: ChatRef) -> Chat | None:
        rows = await self._fetch(
            f"SELECT {CHAT_COLUMNS} FROM chats c WHERE c.platform = $1 AND c.chat_id = $2",
            ref.platform,
            ref.id,
        )
        return decode_chat(rows[0]) if rows else None

    async def set_active(self, ref: ChatRef, active: bool, reason: str | None = None) -> None:
        async with self._transaction() as conn:
            status = await conn.execute(
                "UPDATE chats SET active = $1, inactive_reason = $2"
                " WHERE platform = $3 AND chat_id = $4",
                active,
                None if active else reason,
                ref.platform,
                ref.id,
            )
            if row_count(status) == 0:
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
        async with self._transaction() as conn:
            # Both rows locked, in a fixed order: two processes told of the same move agree.
            rows = await conn.fetch(
                "SELECT chat_id, coalesce(inactive_reason, '') FROM chats"
                " WHERE platform = $1 AND chat_id IN ($2, $3) ORDER BY chat_id FOR UPDATE",
                old.platform,
                old.id,
                new.id,
            )
            reasons = {row[0]: row[1] for row in rows}
            old_reason, new_stored = reasons.get(old.id), new.id in reasons
            if old_reason is None:
                if new_stored:
                    return  # moved already: a second report of the same migration
                raise UnknownChat([old, new])
            if not new_stored:
                # The foreign keys' ON UPDATE CASCADE carries subscription and deliveries along.
                await conn.execute(
                    "UPDATE chats SET chat_id = $1 WHERE platform = $2 AND chat_id = $3",
                    new.id,
                    old.platform,
                    old.id,
                )
            elif old_reason != _moved_to(new):  # not merged already
                await self._merge_chat(conn, old, new)
            changed = await self._members(conn, [old, new])
        self._remember(changed)

    async def chats(self, *, platform: str | None = None, active_only: bool = True) -> list[Chat]:
        rows = await self._fetch(
            f"SELECT {CHAT_COLUMNS} FROM chats c WHERE ($1::text IS NULL OR c.platform = $1)"
            " AND (c.active OR NOT $2) ORDER BY c.platform, c.chat_id",
            platform,
            active_only,
        )
        decoder = Decoder()
        return [decoder.chat(row) for row in rows]

    async def count_chats(self, *, active_only: bool = True) -> int:
        rows = await self._fetch("SELECT count(*) FROM chats WHERE active OR NOT $1", active_only)
        return int(rows[0][0])

    # --- subscriptions ---------------------------------------------------------------------

    async def set_subscription(self, sub: Subscription) -> None:
        await self.set_subscriptions([sub])

    async def set_subscriptions(self, subs: Sequence[Subscription]) -> None:
        last = list({sub.chat: sub for sub in subs}.values())
        for at in range(0, len(last), SUBSCRIPTION_BATCH):
            await self._write_subscriptions(last[at : at + SUBSCRIPTION_BATCH])
            await asyncio.sleep(0)

    async def _write_subscriptions(self, batch: list[Subscription]) -> None:
        defaults = chat_params(Chat(batch[0].chat))[2:]  # a new chat's settings
        async with self._transaction() as conn:
            await conn.executemany(
                _CHAT_VALUES + " ON CONFLICT (platform, chat_id) DO NOTHING",
                [(sub.chat.platform, sub.chat.id, *defaults) for sub in batch],
            )
            await conn.executemany(_SET_SUBSCRIPTION, [subscription_params(s) for s in batch])
            changed = await self._members(conn, [sub.chat for sub in batch])
        self._remember(changed)

    async def get_subscription(self, ref: ChatRef) -> Subscription | None:
        rows = await self._fetch(
            "SELECT series, drivers, session_kinds FROM subscriptions"
            " WHERE platform = $1 AND chat_id = $2",
            ref.platform,
            ref.id,
        )
        return Decoder().subscription(ref, *rows[0]) if rows else None

    async def remove_subscription(self, ref: ChatRef) -> bool:
        async with self._transaction() as conn:
            status = await conn.execute(
                "DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2",
                ref.platform,
                ref.id,
            )
        self._remember({ref: None})
        return row_count(status) > 0

    async def audience(self) -> list[tuple[Chat, Subscription]]:
        decoder = Decoder()
        async with self._connection() as conn:
            rows = await conn.fetch(f"{_AUDIENCE} ORDER BY s.platform, s.chat_id")
        self._audience = AudienceCache(decoder.member(row) for row in rows)
        return self._audience.snapshot()

    def audience_subscription(self, ref: ChatRef) -> Subscription | None:
        return None if self._audience is None else self._audience.subscription(ref)

    async def _members(
        self, conn: Connection, refs: Sequence[ChatRef]
    ) -> dict[ChatRef, Member | None]:
        """What the audience holds for `refs` after a change, read inside the changing
        transaction (None for a chat no longer in it)."""
        changed: dict[ChatRef, Member | None] = dict.fromkeys(refs)
        if self._audience is None:
            return changed
        decoder = Decoder()
        rows = await conn.fetch(
            _AUDIENCE + _THESE_CHATS, [r.platform for r in refs], [r.id for r in refs]
        )
        for row in rows:
            member = decoder.member(row)
            changed[member[0].ref] = member
        return changed

    def _remember(self, changed: dict[ChatRef, Member | None]) -> None:
        if self._audience is not None:
            self._audience.update(changed)

    @staticmethod
    async def _merge_chat(conn: Connection, old: ChatRef, new: ChatRef) -> None:
        """Both ids are stored (see SQLiteStore._merge_chat for why each step): the new row
        takes the old settings, keeps its own subscription if it has one, and gets the old
        deliveries but those of announcements it has already, which stay behind, skipped, on
        the old row, kept inactive as a marker while anything refers to it."""
        platform = old.platform
        await conn.execute(
            "UPDATE chats n SET kind = o.kind, zone = o.zone, language = o.language,"
            " reminder_minutes = o.reminder_minutes, spoiler_safe = o.spoiler_safe,"
            " mention_role = o.mention_role, chart_with_results = o.chart_with_results,"
            " clock = o.clock, active = o.active OR n.active,"
            " inactive_reason = CASE WHEN o.active OR n.active THEN NULL"
            "  ELSE o.inactive_reason END"
            " FROM chats o WHERE o.platform = $1 AND o.chat_id = $2"
            " AND n.platform = $1 AND n.chat_id = $3",
            platform,
            old.id,
            new.id,
        )
        await conn.execute(
            "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
            " SELECT platform, $3, series, drivers, session_kinds FROM subscriptions"
            " WHERE platform = $1 AND chat_id = $2 ON CONFLICT (platform, chat_id) DO NOTHING",
            platform,
            old.id,
            new.id,
        )
        await conn.execute(
            "DELETE FROM subscriptions WHERE platform = $1 AND chat_id = $2", platform, old.id
        )
        await conn.execute(
            "UPDATE deliveries SET chat_id = $3 WHERE platform = $1 AND chat_id = $2"
            " AND key NOT IN (SELECT key FROM deliveries WHERE platform = $1 AND chat_id = $3)",
            platform,
            old.id,
            new.id,
        )
        left = await conn.fetchval(
            "SELECT count(*) FROM deliveries WHERE platform = $1 AND chat_id = $2",
            platform,
            old.id,
        )
        if left == 0:
            await conn.execute(
                "DELETE FROM chats WHERE platform = $1 AND chat_id = $2", platform, old.id
            )
            return
        reason = _moved_to(new)
        await conn.execute(
            "UPDATE chats SET active = false, inactive_reason = $3"
            " WHERE platform = $1 AND chat_id = $2",
            platform,
            old.id,
            reason,
        )
        await PostgresStore._skip_pending(conn, old, f"{reason}, which has this one already")

    @staticmethod
    async def _skip_pending(conn: Connection, ref: ChatRef, reason: str) -> None:
        """An inactive chat keeps no PENDING delivery (the protocol's invariant)."""
        await conn.execute(
            "UPDATE deliveries SET status = 'skipped', last_error = $1"
            " WHERE platform = $2 AND chat_id = $3 AND status = 'pending'",
            reason,
            ref.platform,
            ref.id,
        )


if TYPE_CHECKING:
    _conforms: type[Store] = PostgresStore  # mypy checks here that PostgresStore is a Store
