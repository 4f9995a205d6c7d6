"""The SQLite store keeps chats' rows in memory between commands (issue 11: every command read
its chat's row through aiosqlite's thread) and forgets them at any commit, its own or another
connection's: a changed setting is what the very next read sees."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store import SQLiteStore
from bot.store.chat_rows import ChatRows

FAN = ChatRef("telegram", "42")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    async with SQLiteStore(tmp_path / "pitboard.db") as opened:
        yield opened


async def chat_selects(store: SQLiteStore) -> list[str]:
    """Every statement reading the chats table from now on, as SQLite runs it."""
    seen: list[str] = []
    conn = store._conn
    assert conn is not None

    def trace(statement: str) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM chats" in statement:
            seen.append(statement)

    await conn.set_trace_callback(trace)
    return seen


async def test_an_unchanged_chat_is_read_from_the_database_once(store: SQLiteStore) -> None:
    await store.upsert_chat(Chat(FAN, zone="Europe/Berlin"))
    selects = await chat_selects(store)
    first = await store.get_chat(FAN)
    again = await store.get_chat(FAN)
    assert first == again == Chat(FAN, zone="Europe/Berlin")
    assert len(selects) == 1


async def test_a_changed_setting_is_what_the_next_read_sees(store: SQLiteStore) -> None:
    await store.upsert_chat(Chat(FAN, zone="Europe/Berlin"))
    assert (await store.get_chat(FAN)) == Chat(FAN, zone="Europe/Berlin")  # kept now
    await store.upsert_chat(Chat(FAN, zone="America/New_York", spoiler_safe=True))
    assert (await store.get_chat(FAN)) == Chat(FAN, zone="America/New_York", spoiler_safe=True)
    await store.set_active(FAN, False, "blocked the bot")
    stored = await store.get_chat(FAN)
    assert stored is not None and not stored.active
    moved = ChatRef("telegram", "-1001")
    await store.rewrite_chat(FAN, moved)
    assert await store.get_chat(FAN) is None
    assert await store.get_chat(moved) is not None


async def test_any_commit_forgets_the_rows_kept(store: SQLiteStore) -> None:
    """Not only chat writes: a subscription (or a delivery's outcome) commits too, and the
    rows are read again after it; an idle store answers from memory."""
    await store.upsert_chat(Chat(FAN))
    await store.get_chat(FAN)
    selects = await chat_selects(store)
    await store.set_subscription(Subscription(FAN, series=frozenset({"tcr-germany-2022"})))
    await store.get_chat(FAN)
    await store.get_chat(FAN)
    assert len(selects) == 1


async def test_another_connections_change_is_seen_at_once(
    store: SQLiteStore, tmp_path: Path
) -> None:
    """A second process on the same file (an operator's CLI) writes without this store
    knowing: SQLite's data_version tells it."""
    await store.upsert_chat(Chat(FAN, zone="Europe/Berlin"))
    assert (await store.get_chat(FAN)) == Chat(FAN, zone="Europe/Berlin")
    async with SQLiteStore(tmp_path / "pitboard.db") as other:
        kept = await other.get_chat(FAN)
        assert kept is not None
        await other.upsert_chat(replace(kept, zone="Asia/Tokyo"))
    assert (await store.get_chat(FAN)) == Chat(FAN, zone="Asia/Tokyo")


def test_a_row_read_before_a_commit_is_not_kept(tmp_path: Path) -> None:
    """A row read while another connection committed may be the old one: the version taken
    before the read no longer matches, so it is returned to its reader but never kept."""
    path = tmp_path / "pitboard.db"
    with closing(sqlite3.connect(path)) as writer:
        writer.execute("CREATE TABLE t (x)")
        rows = ChatRows.open(path)
        assert rows is not None
        try:
            read_at = rows.version()
            writer.execute("INSERT INTO t VALUES (1)")  # commits between the read and keep
            writer.commit()
            rows.keep(Chat(FAN), read_at)
            assert rows.get(FAN)[0] is None
            read_at = rows.version()
            rows.keep(Chat(FAN), read_at)  # nothing committed since: kept
            assert rows.get(FAN)[0] == Chat(FAN)
        finally:
            rows.close()


async def test_an_in_memory_database_reads_every_time() -> None:
    async with SQLiteStore(":memory:") as memory:
        await memory.upsert_chat(Chat(FAN))
        selects = await chat_selects(memory)
        await memory.get_chat(FAN)
        await memory.get_chat(FAN)
        assert len(selects) == 2
