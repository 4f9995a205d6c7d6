"""The SQLite engine under 100,000 subscribers (issue 11), checked by counting and by the order
of events, never by timing: the audience is read once and then kept, subscriptions are written
in batches, and an announcement's deliveries in chunks with the store free in between; an
enqueue interrupted between two chunks is finished by enqueueing it again, each chat once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store import OutboxItem, SQLiteStore, UnknownChat

T0 = datetime(2022, 4, 23, 10, 0, tzinfo=UTC)
TCR = frozenset({"tcr-germany-2022"})
ITEM = OutboxItem("race-1|start", "start", "race-1", T0, {"title": "Race 1: lights out"})
CHATS = [ChatRef("telegram", f"{n:04}") for n in range(1_200)]
WITHIN = 30.0  # seconds: generous, for a busy machine; nothing is timed


class Crash(BaseException):
    """The process dying: nothing after it runs, what was committed stays."""


class PausingStore(SQLiteStore):
    """Records each pause between two chunks of an enqueue, and can hold it there or die."""

    def __init__(self, path: Path, *, crash_after: int | None = None) -> None:
        super().__init__(path)
        self.enqueue_chunk = 500
        self.crash_after = crash_after
        self.pauses = 0
        self.paused = asyncio.Event()
        self.go_on = asyncio.Event()
        self.go_on.set()

    async def _between_enqueue_chunks(self) -> None:
        self.pauses += 1
        if self.pauses == self.crash_after:
            raise Crash
        self.paused.set()
        await self.go_on.wait()
        await super()._between_enqueue_chunks()


async def subscribed(store: SQLiteStore, chats: list[ChatRef] = CHATS) -> None:
    await store.set_subscriptions([Subscription(ref, series=TCR) for ref in chats])


async def traced(store: SQLiteStore) -> list[str]:
    statements: list[str] = []
    await store._connection().set_trace_callback(statements.append)
    return statements


async def test_the_audience_is_read_once_and_then_kept(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        await subscribed(store)
        assert len(await store.audience()) == len(CHATS)
        statements = await traced(store)
        await store.set_subscription(Subscription(ChatRef("telegram", "new"), series=TCR))
        await store.upsert_chat(Chat(CHATS[0], zone="Europe/Berlin"))
        audience = await store.audience()
    assert len(audience) == len(CHATS) + 1 and audience[0][0].zone == "Europe/Berlin"
    # Each change read back only its own chat; nothing read every subscription again.
    whole = [s for s in statements if "ORDER BY s.platform" in s]
    assert whole == [], whole


async def test_subscriptions_are_written_one_transaction_per_batch(tmp_path: Path) -> None:
    many = [ChatRef("telegram", str(n)) for n in range(5_000)]
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        statements = await traced(store)
        await subscribed(store, many)
        await store._connection().set_trace_callback(None)
        assert len(await store.audience()) == 5_000
    commits = [s for s in statements if s.strip().upper() == "COMMIT"]
    assert len(commits) == 3  # batches of 2,000: 2,000 + 2,000 + 1,000


async def test_new_chats_are_stored_with_their_defaults_and_no_null_bound_per_row(
    tmp_path: Path,
) -> None:
    # Binding a None costs the sqlite3 module an adaptation attempt (an exception made and
    # dropped) per row: a new chat's NULL settings are left to the columns' own default.
    many = [ChatRef("telegram", str(n)) for n in range(3)]
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        statements = await traced(store)
        await subscribed(store, many)
        await store._connection().set_trace_callback(None)
        inserts = [s for s in statements if s.lstrip().startswith("INSERT INTO chats")]
        assert len(inserts) == 3
        assert not [s for s in inserts if "NULL" in s]
        for ref in many:  # the same row as a default Chat's
            assert await store.get_chat(ref) == Chat(ref)


async def test_a_command_is_answered_between_two_chunks_of_an_enqueue(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with PausingStore(path) as store, SQLiteStore(path) as onlooker:
        await subscribed(store)
        store.go_on.clear()
        events: list[str] = []
        enqueue = asyncio.create_task(store.enqueue(ITEM, CHATS))
        enqueue.add_done_callback(lambda _: events.append("enqueue done"))
        await asyncio.wait_for(store.paused.wait(), WITHIN)
        events.append("first chunk written")
        # The first chunk is committed and visible to another connection; the rest is not.
        assert len(await onlooker.deliveries(ITEM.key)) == 500
        chat = await asyncio.wait_for(store.get_chat(CHATS[-1]), WITHIN)  # a fan's command
        sub = await asyncio.wait_for(store.get_subscription(CHATS[-1]), WITHIN)
        events.append("command answered")
        assert (chat, sub) == (Chat(CHATS[-1]), Subscription(CHATS[-1], series=TCR))
        store.go_on.set()
        assert await asyncio.wait_for(enqueue, WITHIN)
    assert events == ["first chunk written", "command answered", "enqueue done"]
    assert store.pauses == 2  # 1,200 chats in chunks of 500: 500 + 500 + 200


@pytest.mark.parametrize("crash_after", [1, 2])
async def test_an_enqueue_cut_between_chunks_is_finished_once_after_a_restart(
    tmp_path: Path, crash_after: int
) -> None:
    path = tmp_path / "db.sqlite3"
    async with PausingStore(path, crash_after=crash_after) as store:
        await subscribed(store)
        with pytest.raises(Crash):
            await store.enqueue(ITEM, CHATS)
    async with SQLiteStore(path) as restarted:
        written = await restarted.deliveries(ITEM.key)
        assert len(written) == 500 * crash_after  # the chunks committed before the crash
        assert await restarted.has_announcement(ITEM.key)  # planning will not redo it...
        assert await restarted.unfinished_announcements() == [ITEM]  # ...this finishes it
        assert await restarted.enqueue(ITEM, CHATS)
        assert await restarted.enqueue(ITEM, CHATS) is False  # complete now
        deliveries = await restarted.deliveries(ITEM.key)
        assert await restarted.unfinished_announcements() == []
    assert [d.chat for d in deliveries] == CHATS  # every chat once, in order
    assert [d.id for d in deliveries[: len(written)]] == [d.id for d in written]


class SmallLogStore(PausingStore):
    """Checkpoints after 10 pages of log (SQLite's default is 1,000), so that 1,500 chats
    make a log long enough to be checkpointed in the middle of their enqueue; records the
    log's size at each pause."""

    autocheckpoint_pages = 10

    def __init__(self, path: Path, *, crash_after: int | None = None) -> None:
        super().__init__(path, crash_after=crash_after)
        self.log_sizes: list[int] = []
        self.autocheckpoint_seen: list[int] = []

    async def _between_enqueue_chunks(self) -> None:
        self.log_sizes.append(wal_size(self._path))
        self.autocheckpoint_seen.append(await autocheckpoint(self))
        await super()._between_enqueue_chunks()


def wal_size(path: object) -> int:
    log = Path(f"{path}-wal")
    return log.stat().st_size if log.exists() else 0


async def autocheckpoint(store: SQLiteStore) -> int:
    rows = await store._fetch("PRAGMA wal_autocheckpoint")
    return int(rows[0][0])


async def test_no_checkpoint_runs_in_the_middle_of_an_enqueue(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    chats = [ChatRef("telegram", f"{n:04}") for n in range(1_500)]  # three chunks of 500
    async with SmallLogStore(path) as store:
        await subscribed(store, chats)
        await store.checkpoint_settled()
        await store._fetch("PRAGMA wal_checkpoint(TRUNCATE)")  # the log starts empty
        assert await autocheckpoint(store) == 10  # set on open
        assert await store.enqueue(ITEM, chats)
        after = wal_size(path)
        database_before_checkpoint = path.stat().st_size
        await store.checkpoint_settled()
        # The automatic checkpoint was off while the chunks were written, and is back on.
        assert store.autocheckpoint_seen == [0, 0]
        assert await autocheckpoint(store) == 10
        database_after_checkpoint = path.stat().st_size
        assert len(await store.deliveries(ITEM.key)) == 1_500
    # A checkpoint restarts the log, which each later chunk then writes over from its start:
    # with one after each chunk, the log would stay as long as one chunk's pages. It kept
    # every chunk instead, and the checkpoint that followed the enqueue copied them into the
    # database file.
    first = store.log_sizes[0]
    assert store.log_sizes[1] > first and after > 2 * first, (store.log_sizes, after)
    assert database_after_checkpoint > database_before_checkpoint


async def test_a_crash_between_chunks_leaves_the_checkpoint_on(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with SmallLogStore(path, crash_after=1) as store:
        await subscribed(store)
        with pytest.raises(Crash):
            await store.enqueue(ITEM, CHATS)
        assert store.autocheckpoint_seen == [0]
        assert await autocheckpoint(store) == 10
        await store.checkpoint_settled()
        assert len(await store.deliveries(ITEM.key)) == 500


async def test_subscriptions_in_batches_are_written_with_the_checkpoint_deferred(
    tmp_path: Path,
) -> None:
    many = [ChatRef("telegram", str(n)) for n in range(5_000)]
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        statements = await traced(store)
        await subscribed(store, many)
        await store._connection().set_trace_callback(None)
        assert await autocheckpoint(store) == SQLiteStore.autocheckpoint_pages
    pragmas = [s for s in statements if "wal_autocheckpoint" in s]
    assert pragmas == ["PRAGMA wal_autocheckpoint = 0", "PRAGMA wal_autocheckpoint = 1000"]


def existence_checks(statements: list[str]) -> list[str]:
    return [s for s in statements if "NOT EXISTS (SELECT 1 FROM chats" in s]


async def test_the_audience_in_memory_vouches_for_its_chats(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        store.enqueue_chunk = 500  # several chunks: the multi-chunk path checks first
        await subscribed(store)
        refs = [chat.ref for chat, _ in await store.audience()]
        statements = await traced(store)
        assert await store.enqueue(ITEM, refs)
        await store._connection().set_trace_callback(None)
        assert len(await store.deliveries(ITEM.key)) == len(CHATS)
    assert existence_checks(statements) == []  # no look-up per recipient before the insert


async def test_a_chat_outside_the_audience_is_still_checked_and_refused(tmp_path: Path) -> None:
    unknown = ChatRef("telegram", "never-seen")
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        store.enqueue_chunk = 500  # several chunks: the multi-chunk path checks first
        await subscribed(store)
        await store.audience()
        statements = await traced(store)
        with pytest.raises(UnknownChat) as refused:
            await store.enqueue(ITEM, [*CHATS, unknown])
        assert refused.value.refs == (unknown,)
        assert existence_checks(statements) != []
        assert not await store.has_announcement(ITEM.key)  # nothing written


async def test_another_connections_commit_makes_the_enqueue_check_again(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with SQLiteStore(path) as store, SQLiteStore(path) as other_process:
        store.enqueue_chunk = 500  # several chunks: the multi-chunk path checks first
        await subscribed(store)
        await store.audience()
        await other_process.set_active(CHATS[0], False, "blocked the bot")
        statements = await traced(store)
        assert await store.enqueue(ITEM, CHATS)
        await store._connection().set_trace_callback(None)
    assert existence_checks(statements) != []


async def test_the_first_chunks_deliveries_are_there_while_the_rest_are_written(
    tmp_path: Path,
) -> None:
    async with PausingStore(tmp_path / "db.sqlite3") as store:
        await subscribed(store)
        store.go_on.clear()
        told: list[int] = []
        enqueue = asyncio.create_task(
            store.enqueue(ITEM, CHATS, on_first_chunk=lambda: told.append(store.pauses))
        )
        await asyncio.wait_for(store.paused.wait(), WITHIN)
        # Told after the first chunk went in, before the pause after it ...
        assert told == [0]
        # ... and its deliveries are stored (and can be claimed) while the enqueue waits.
        assert len(await store.deliveries(ITEM.key)) == store.enqueue_chunk
        store.go_on.set()
        assert await asyncio.wait_for(enqueue, WITHIN)
    assert told == [0]
