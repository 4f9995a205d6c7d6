"""How the SQLite engine checks an announcement's deliveries as it writes them (issue 11),
proved by the statements it runs and by what it writes, never by timing:

- the deliveries' status CHECK is coded as comparisons, not a temporary B-tree built per row
  (migration 10), and a database of the version before keeps every delivery through it;
- the chunks after the first are written with SQLite's per-row foreign key checks off and the
  same checks made once by the statement: a chunk of chats the audience in memory vouches for
  reads no chat row, and any change to the chats since it was vouched for (by this store or by
  another process) is seen inside the chunk's own transaction;
- the foreign key checks are on again after every chunk, whatever happened in it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.core.audience import ChatRef
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore
from bot.store.migrations import MIGRATIONS
from tests.store.test_sqlite_chunks import CHATS, ITEM, T0, WITHIN, PausingStore, subscribed

BEFORE_REBUILD = 9  # the last migration before deliveries were rebuilt (migration 10)


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


async def traced(store: SQLiteStore) -> list[str]:
    statements: list[str] = []
    await store._connection().set_trace_callback(statements.append)
    return statements


def delivery_inserts(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().startswith("INSERT INTO deliveries")]


async def foreign_keys_on(store: SQLiteStore) -> bool:
    return bool((await store._fetch("PRAGMA foreign_keys"))[0][0])


# --- the status CHECK, and the migration that rewrote it ------------------------------------


async def test_writing_a_delivery_builds_no_temporary_table_for_its_status_check(
    tmp_path: Path,
) -> None:
    """`status IN (five values)` made SQLite build a temporary B-tree of the five for every row
    written (OpenEphemeral in the program); as comparisons it builds none."""
    path = tmp_path / "db.sqlite3"
    async with SQLiteStore(path):
        pass
    program = rows(
        path,
        "EXPLAIN INSERT INTO deliveries (key, platform, chat_id, status, priority,"
        " next_attempt_at) VALUES ('k', 'telegram', '1', 'pending', 0, 0)",
    )
    claim = rows(path, "EXPLAIN UPDATE deliveries SET status = 'sending' WHERE id = 1")
    assert [op for op in program + claim if op[1] == "OpenEphemeral"] == []
    with closing(sqlite3.connect(path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO deliveries (key, platform, chat_id, status, priority, next_attempt_at)"
            " VALUES ('k', 'telegram', '1', 'lost', 0, 0)"
        )


async def test_a_database_of_the_version_before_keeps_every_delivery_through_the_rebuild(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    async with SQLiteStore(path, migrations=MIGRATIONS[:BEFORE_REBUILD]) as old:
        await subscribed(old, CHATS[:3])
        await old.set_active(CHATS[2], False, "blocked the bot")
        await old.enqueue(ITEM, CHATS[:3], priority=1)
        (claimed,) = await old.claim(T0, 1, platform="telegram")
        await old.mark_part_sent(claimed.id, 2, "m-1")
    everything = "SELECT * FROM deliveries ORDER BY id"
    before = rows(path, everything)
    async with SQLiteStore(path) as new:
        assert await new.schema_version() == len(MIGRATIONS)
        deliveries = await new.deliveries(ITEM.key)
    assert rows(path, everything) == before  # every column of every row, ids included
    assert [d.status for d in deliveries] == [
        DeliveryStatus.SENDING,
        DeliveryStatus.PENDING,
        DeliveryStatus.SKIPPED,
    ]
    assert deliveries[0].parts_sent == 2
    assert rows(path, "PRAGMA foreign_key_check") == []
    # The same indexes as a database created at the latest version.
    fresh = tmp_path / "fresh.sqlite3"
    async with SQLiteStore(fresh):
        pass
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert _normalized(rows(path, indexes)) == _normalized(rows(fresh, indexes))
    assert rows(path, "PRAGMA table_info(deliveries)") == rows(
        fresh, "PRAGMA table_info(deliveries)"
    )


def _normalized(found: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    return [(name, " ".join(str(sql).split())) for name, sql in found]


# --- the chunks after the first -------------------------------------------------------------


async def test_chunks_the_audience_vouches_for_read_no_chat_row_and_check_on(
    tmp_path: Path,
) -> None:
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        store.enqueue_chunk = 500
        await subscribed(store)
        refs = [chat.ref for chat, _ in await store.audience()]
        statements = await traced(store)
        assert await store.enqueue(ITEM, refs)
        await store._connection().set_trace_callback(None)
        deliveries = await store.deliveries(ITEM.key)
        assert await foreign_keys_on(store)
    inserts = delivery_inserts(statements)
    # 1,200 chats: the first chunk beside the announcement's row, then two vouched for.
    assert len(inserts) == 3
    assert "JOIN chats" in inserts[0]
    assert ["JOIN chats" in s for s in inserts[1:]] == [False, False]
    said = [s.strip().rstrip(";") for s in statements]
    switches = [s for s in said if s.startswith("PRAGMA foreign_keys")]
    assert switches == ["PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"] * 2
    assert [d.chat for d in deliveries] == refs  # each once, ids in the recipients' order
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}


class CountingLookUps(SQLiteStore):
    """Counts the chunks whose chats are looked up in the audience in memory again."""

    looked_up = 0

    def _vouched_version(self, refs: Sequence[ChatRef], known: int | None) -> int | None:
        if known != self._audience_changes:
            self.looked_up += 1
        return super()._vouched_version(refs, known)


async def test_chunks_are_looked_up_again_only_once_the_audience_has_changed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    async with CountingLookUps(path) as store:
        store.enqueue_chunk = 500
        await subscribed(store)
        refs = [chat.ref for chat, _ in await store.audience()]
        assert await store.enqueue(ITEM, refs)
        assert store.looked_up == 0  # the whole list was found in it, and nothing changed
        await store.set_active(CHATS[0], False, "blocked the bot")
        other = OutboxItem("race-1|end", "end", "race-1", T0, {})
        assert await store.enqueue(other, refs)  # CHATS[0] is not in the audience now
        assert store.looked_up == 2  # so each later chunk is looked up on its own
        deliveries = await store.deliveries(other.key)
    assert deliveries[0].status == DeliveryStatus.SKIPPED
    assert {d.status for d in deliveries[1:]} == {DeliveryStatus.PENDING}


async def test_a_chat_deactivated_between_two_chunks_starts_skipped(tmp_path: Path) -> None:
    async with PausingStore(tmp_path / "db.sqlite3") as store:
        await subscribed(store)
        await store.audience()
        store.go_on.clear()
        enqueue = asyncio.create_task(store.enqueue(ITEM, CHATS))
        await asyncio.wait_for(store.paused.wait(), WITHIN)
        await store.set_active(CHATS[-1], False, "blocked the bot")  # in the last chunk
        store.go_on.set()
        assert await asyncio.wait_for(enqueue, WITHIN)
        deliveries = await store.deliveries(ITEM.key)
    assert [d.chat for d in deliveries] == CHATS
    last = deliveries[-1]
    assert (last.status, last.last_error) == (DeliveryStatus.SKIPPED, "blocked the bot")
    assert {d.status for d in deliveries[:-1]} == {DeliveryStatus.PENDING}


async def test_another_process_deactivating_a_chat_between_two_chunks_is_seen(
    tmp_path: Path,
) -> None:
    """The audience in memory knows nothing of another process's commit: the chunk's own
    transaction sees the database's version has moved on and reads the chats' rows."""
    path = tmp_path / "db.sqlite3"
    async with PausingStore(path) as store, SQLiteStore(path) as other_process:
        await subscribed(store)
        await store.audience()
        store.go_on.clear()
        enqueue = asyncio.create_task(store.enqueue(ITEM, CHATS))
        await asyncio.wait_for(store.paused.wait(), WITHIN)
        await other_process.set_active(CHATS[-1], False, "blocked the bot")
        statements = await traced(store)
        store.go_on.set()
        assert await asyncio.wait_for(enqueue, WITHIN)
        await store._connection().set_trace_callback(None)
        deliveries = await store.deliveries(ITEM.key)
    last = deliveries[-1]
    assert (last.status, last.last_error) == (DeliveryStatus.SKIPPED, "blocked the bot")
    assert [d.chat for d in deliveries] == CHATS
    # Each later chunk tried as vouched for, wrote nothing, and read the chats' rows instead.
    assert ["JOIN chats" in s for s in delivery_inserts(statements)] == [False, True] * 2


class FailingChunk(SQLiteStore):
    """Its first enqueue fails inside the second chunk's transaction, once the rows are in."""

    failed = False

    async def _insert_chunk(self, *args: Any) -> None:
        await super()._insert_chunk(*args)
        if not self.failed:
            self.failed = True
            raise RuntimeError("the disk is full")


class CancelledChunk(SQLiteStore):
    """Its first enqueue is cancelled inside the second chunk's transaction (the delivery
    engine or the bot stopping meanwhile)."""

    cancelled = False

    def _vouched_version(self, refs: Sequence[ChatRef], known: int | None) -> int | None:
        if not self.cancelled:
            self.cancelled = True
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
        return super()._vouched_version(refs, known)


@pytest.mark.parametrize(
    ("engine", "error"), [(FailingChunk, RuntimeError), (CancelledChunk, asyncio.CancelledError)]
)
async def test_the_foreign_key_checks_are_on_again_after_a_chunk_fails(
    tmp_path: Path, engine: type[SQLiteStore], error: type[BaseException]
) -> None:
    async with engine(tmp_path / "db.sqlite3") as store:
        store.enqueue_chunk = 500
        await subscribed(store)
        await store.audience()
        with pytest.raises(error):
            await store.enqueue(ITEM, CHATS)
        assert await foreign_keys_on(store)
        assert len(await store.deliveries(ITEM.key)) == 500  # the failed chunk rolled back
        # And they are enforced: a delivery for a chat that is not stored is refused.
        with pytest.raises(sqlite3.IntegrityError):
            async with store._write() as conn:
                await conn.execute(
                    "INSERT INTO deliveries (key, platform, chat_id, status, priority,"
                    " next_attempt_at) VALUES (?, 'telegram', 'nobody', 'pending', 0, 0)",
                    (ITEM.key,),
                )
        other = OutboxItem("race-1|end", "end", "race-1", T0, {})
        assert await store.enqueue(other, CHATS)  # the store goes on working
        assert len(await store.deliveries(other.key)) == len(CHATS)
