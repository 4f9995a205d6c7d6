"""What is particular to the SQLite engine: the file, its migrations, its settings, its speed."""

import asyncio
import json
import os
import sqlite3
import sys
import textwrap
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store import (
    DeliveryStatus,
    OutboxItem,
    SchemaTooNew,
    SQLiteStore,
    StoreError,
    upgrade_database,
)
from bot.store.migrations import MIGRATIONS, Migration

T0 = datetime(2022, 4, 23, 10, 0, tzinfo=UTC)
LATEST = len(MIGRATIONS)
NICKNAME = Migration(LATEST + 1, "chat nicknames", ("ALTER TABLE chats ADD COLUMN nickname TEXT",))
ROOT = Path(__file__).resolve().parents[2]


def tg(n: int) -> ChatRef:
    return ChatRef("telegram", str(n))


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "pitboard.sqlite3"


# --- migrations ------------------------------------------------------------------------------


async def test_a_new_database_gets_every_migration_recorded(db: Path) -> None:
    async with SQLiteStore(db) as store:
        assert await store.schema_version() == LATEST
        assert await store.migrate() == 0
    assert rows(db, "SELECT version, name FROM schema_version ORDER BY version") == [
        (m.version, m.name) for m in MIGRATIONS
    ]


async def test_without_auto_migrate_the_schema_is_left_alone(db: Path) -> None:
    async with SQLiteStore(db, auto_migrate=False) as store:
        assert await store.schema_version() == 0
        assert await store.migrate() == LATEST
        assert await store.migrate() == 0
        assert await store.schema_version() == LATEST


async def test_upgrade_database_from_an_empty_file(db: Path) -> None:
    await asyncio.to_thread(db.touch)  # an empty file is an empty SQLite database
    assert await upgrade_database(db) == (0, LATEST)
    assert await upgrade_database(db) == (LATEST, LATEST)


async def test_an_upgrade_keeps_the_data(db: Path) -> None:
    async with SQLiteStore(db) as old:
        await old.set_subscription(Subscription(tg(1), series=frozenset({"stcc-2022"})))
    async with SQLiteStore(db, migrations=(*MIGRATIONS, NICKNAME)) as new:
        assert await new.schema_version() == LATEST + 1
        assert await new.get_subscription(tg(1)) == Subscription(
            tg(1), series=frozenset({"stcc-2022"})
        )
    assert rows(db, "SELECT chat_id, nickname FROM chats") == [("1", None)]


async def test_deliveries_of_a_version_1_database_start_with_no_part_sent(db: Path) -> None:
    async with SQLiteStore(db, migrations=MIGRATIONS[:1]) as old:
        # The chat as version 1 stored it (today's upsert_chat writes columns added since).
        with closing(sqlite3.connect(db)) as conn, conn:
            conn.execute(
                "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
                " spoiler_safe, active)"
                " VALUES ('telegram', '1', 'private', 'UTC', 'en', '[]', 0, 1)"
            )
        await old.enqueue(OutboxItem("k", "start", "s", T0, {}), [tg(1)])
    async with SQLiteStore(db) as new:
        assert await new.schema_version() == LATEST
        (delivery,) = await new.deliveries("k")
        assert (delivery.status, delivery.parts_sent) == (DeliveryStatus.PENDING, 0)


async def test_a_failing_migration_leaves_nothing_half_done(db: Path) -> None:
    broken = Migration(LATEST + 1, "broken", ("CREATE TABLE extra (x)", "NOT SQL AT ALL"))
    async with SQLiteStore(db):
        pass
    with pytest.raises(sqlite3.OperationalError):
        async with SQLiteStore(db, migrations=(*MIGRATIONS, broken)):
            pass
    assert rows(db, "SELECT max(version) FROM schema_version") == [(LATEST,)]
    assert rows(db, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []


async def test_a_database_from_a_newer_pitboard_is_refused(db: Path) -> None:
    async with SQLiteStore(db, migrations=(*MIGRATIONS, NICKNAME)):
        pass
    with pytest.raises(SchemaTooNew, match=f"version {LATEST + 1}"):
        async with SQLiteStore(db):
            pass
    with pytest.raises(SchemaTooNew):
        await upgrade_database(db)


async def test_processes_starting_together_migrate_once(db: Path) -> None:
    stores = [SQLiteStore(db) for _ in range(4)]  # four connections, as four processes
    try:
        await asyncio.gather(*(store.open() for store in stores))
        assert [await store.schema_version() for store in stores] == [LATEST] * 4
    finally:
        for store in stores:
            await store.close()
    assert rows(db, "SELECT count(*) FROM schema_version") == [(LATEST,)]


async def test_upgrading_a_missing_file_or_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await upgrade_database(tmp_path / "typo.sqlite3")
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database, just some text that is long enough " * 20)
    with pytest.raises(StoreError, match=r"notes\.txt"):
        await upgrade_database(garbage)


# --- the connection ----------------------------------------------------------------------------


async def test_wal_foreign_keys_and_synchronous_normal(db: Path) -> None:
    async with SQLiteStore(db) as store:
        conn = store._connection()  # the engine's own test may look inside
        pragmas = {
            name: next(iter(await conn.execute_fetchall(f"PRAGMA {name}")))[0]
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,
        "busy_timeout": 5000,
    }


async def test_a_closed_store_says_so(db: Path) -> None:
    store = SQLiteStore(db)
    with pytest.raises(StoreError, match="not open"):
        await store.count_chats()
    await store.open()
    await store.close()
    await store.close()  # twice is fine
    with pytest.raises(StoreError, match="not open"):
        await store.audience()


async def test_everything_survives_closing_and_reopening(db: Path) -> None:
    sub = Subscription(
        tg(1), series=frozenset({"tcr-germany-2022"}), session_kinds=frozenset({SessionKind.RACE})
    )
    item = OutboxItem("k", "start", "tcr-germany-2022/oschersleben/race-1", T0, {"n": 1})
    async with SQLiteStore(db) as store:
        await store.upsert_chat(Chat(tg(1), zone="Europe/Berlin"))
        await store.set_subscription(sub)
        await store.enqueue(item, [tg(1)])
    async with SQLiteStore(db) as store:
        assert await store.audience() == [(Chat(tg(1), zone="Europe/Berlin"), sub)]
        assert await store.has_announcement("k")
        (delivery,) = await store.claim(T0, 10)
        assert delivery.item == item


async def test_a_killed_process_loses_no_commit(db: Path) -> None:
    """SIGKILL right after the last commit: WAL with synchronous=NORMAL has every commit,
    and only what was in flight is sent again."""
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from datetime import datetime, UTC
        from bot.core.audience import Chat, ChatRef
        from bot.store import OutboxItem, SQLiteStore

        async def main():
            store = SQLiteStore({str(db)!r})
            await store.open()
            refs = [ChatRef("telegram", str(n)) for n in range(50)]
            for ref in refs:
                await store.upsert_chat(Chat(ref))
            at = datetime(2022, 4, 23, 10, tzinfo=UTC)
            await store.enqueue(OutboxItem("k", "start", "s", at, {{}}), refs)
            for delivery in (await store.claim(at, 20))[:15]:
                await store.mark_sent(delivery.id, "m", at)
            os.kill(os.getpid(), signal.SIGKILL)  # 5 claimed deliveries are in flight

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == -9, stderr.decode()
    async with SQLiteStore(db) as store:
        # The same process started again (a SQLite file's one sender): its earlier run's
        # claims are taken back at once, their leases not expired yet.
        assert await store.reclaim_expired_leases(T0) == 5
        counts = await store.delivery_counts("k")
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.PENDING]) == (15, 35)


async def test_lists_are_stored_as_sorted_json(db: Path) -> None:
    sub = Subscription(
        tg(1),
        series=frozenset({"tcr-germany-2022", "24h-series-2022"}),
        session_kinds=frozenset({SessionKind.RACE, SessionKind.QUALIFYING}),
    )
    async with SQLiteStore(db) as store:
        await store.upsert_chat(Chat(tg(1), reminder_minutes=(60, 15)))
        await store.set_subscription(sub)
    ((series, drivers, kinds),) = rows(
        db, "SELECT series, drivers, session_kinds FROM subscriptions"
    )
    assert json.loads(series) == ["24h-series-2022", "tcr-germany-2022"]
    assert (json.loads(drivers), json.loads(kinds)) == ([], ["qualifying", "race"])
    assert rows(db, "SELECT reminder_minutes FROM chats") == [("[60,15]",)]


# --- speed --------------------------------------------------------------------------------------


async def test_enqueue_to_ten_thousand_chats_commits_once_per_chunk(db: Path) -> None:
    refs = [tg(n) for n in range(10_000)]
    await seed(db, refs)
    async with SQLiteStore(db) as store:
        statements: list[str] = []
        await store._connection().set_trace_callback(statements.append)
        assert await store.enqueue(OutboxItem("k", "results", "s", T0, {}), refs)
        await store._connection().set_trace_callback(None)
        counts = await store.delivery_counts("k")
        assert await store.unfinished_announcements() == []
    assert counts[DeliveryStatus.PENDING] == 10_000
    # What makes a fan-out slow is a commit per row (a sync to disk each); counted, not timed,
    # so the check holds on any machine: one commit per chunk (2,000 deliveries) (so that
    # commands are answered between two), and one marking the announcement complete.
    commits = [s for s in statements if s.strip().upper().startswith(("COMMIT", "END"))]
    assert len(commits) == 10_000 // SQLiteStore.enqueue_chunk + 1, commits[:5]


async def test_the_audience_of_100_000_subscriptions_loads_in_one_go(db: Path) -> None:
    refs = [tg(n) for n in range(100_000)]
    await seed(db, refs, subscribed=True)
    async with SQLiteStore(db) as store:
        statements: list[str] = []
        await store._connection().set_trace_callback(statements.append)
        started = time.perf_counter()
        audience = await store.audience()
        took = time.perf_counter() - started
    print(f"audience() of 100,000 subscriptions: {took * 1000:.0f} ms")
    assert len(audience) == 100_000
    chat, sub = audience[-1]
    assert chat == Chat(tg(99_999))
    assert sub.series == frozenset({f"series-{99_999 % 7}", "tcr-germany-2022"})
    assert sub.session_kinds == frozenset({SessionKind.RACE})
    # One query, whatever the machine's speed (a query per chat would be 100,001): counted,
    # not timed, so a busy machine cannot fail it. (The other statement asks SQLite whether
    # another connection changed the database since: the audience is kept in memory.)
    assert [s for s in statements if "JOIN" in s] == statements[-1:]
    assert len(statements) == 2 and "data_version" in statements[0]


async def seed(db: Path, refs: list[ChatRef], *, subscribed: bool = False) -> None:
    """The schema by the store's own migrations, then bulk rows straight into the file: the
    store writes one chat per transaction, and these tests are about reading and fanning out,
    not about seeding."""
    async with SQLiteStore(db):
        pass
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO chats (platform, chat_id, kind, zone, language, reminder_minutes,"
            " spoiler_safe, active) VALUES (?, ?, 'private', 'Europe/Stockholm', 'en', '[60,15]',"
            " 0, 1)",
            [(ref.platform, ref.id) for ref in refs],
        )
        if subscribed:
            conn.executemany(
                "INSERT INTO subscriptions (platform, chat_id, series, drivers, session_kinds)"
                " VALUES (?, ?, ?, '[]', '[\"race\"]')",
                [
                    (ref.platform, ref.id, json.dumps([f"series-{n % 7}", "tcr-germany-2022"]))
                    for n, ref in enumerate(refs)
                ],
            )


async def test_a_write_cancelled_while_beginning_leaves_no_transaction_open(tmp_path) -> None:
    """The delivery engine cancels its feeder mid-claim when it stops; the next write must work."""
    import asyncio
    from datetime import UTC, datetime

    from bot.core.audience import Chat, ChatRef
    from bot.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "cancel.sqlite3")
    await store.open()
    try:
        for attempt in range(50):
            task = asyncio.create_task(store.claim(datetime.now(UTC), 10))
            await asyncio.sleep(0 if attempt % 2 else 0.0001)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await store.upsert_chat(Chat(ChatRef("telegram", str(attempt))))
        assert await store.count_chats() == 50
    finally:
        await store.close()
