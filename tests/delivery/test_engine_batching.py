"""What the delivery engine asks of its store per message, counted in SQL statements.

A fan-out used to cost a chat query and a commit per message; now the chats come with the
claim and the outcomes are written in batches. Counted with SQLite's own trace callback, never
timed, so the tests hold on any machine. The reliability around it (retries, parts, restarts)
is tested in test_engine.py, test_parts.py and test_crash_restart.py.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.core.audience import Chat
from bot.delivery.lane import Lane
from bot.delivery.ratelimit import PlatformLimiter
from bot.delivery.recorder import Recorder
from bot.store import DeliveryStatus, SQLiteStore
from bot.store.marks import MarkFailed, MarkSent
from tests.delivery.fake_sender import FakeSender, Part
from tests.delivery.test_engine import (
    CLOCK,
    add_chats,
    announce,
    engine_for,
    eventually,
    fake_for,
    limits,
    settled,
)

# What get_chat() runs: one chat row by its id (expanded by the trace: the values inline).
CHAT_BY_ID = re.compile(r"FROM chats c WHERE c\.platform = '")


class SlowToAnswer(FakeSender):
    """A platform whose every answer, "blocked" included, takes a while to come back."""

    async def send_part(self, chat: Chat, part: Part) -> str | None:
        await asyncio.sleep(0.05)
        return await super().send_part(chat, part)


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pitboard.db")
    await s.open()
    yield s
    await s.close()


async def traced(store: SQLiteStore) -> list[str]:
    statements: list[str] = []
    await store._connection().set_trace_callback(statements.append)
    return statements


def commits(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith(("COMMIT", "END")))


async def test_a_hundred_sends_are_recorded_in_one_commit(store):
    lim = limits(rate=10_000)
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(100)])
    await announce(store, "race-1|start", chats)
    # A linger longer than the test: every outcome waits for stop(), which writes them all.
    engine = engine_for(store, fake, lim, record_linger=3600)
    await engine.start()
    try:
        await eventually(lambda: len(fake.delivered) == 100)
        # Sent, and until written still in flight in the store: the crash window of
        # bot.delivery.recorder (a crash now would send these again, once each).
        assert (await store.delivery_counts())[DeliveryStatus.SENDING] == 100
        assert engine.recorder.waiting == 100
        statements = await traced(store)
    finally:
        await engine.stop()

    assert commits(statements) == 1, statements[:5]
    assert (engine.recorder.writes, engine.recorder.written) == (1, 100)
    assert (await store.delivery_counts())[DeliveryStatus.SENT] == 100
    sent = await store.deliveries("race-1|start")
    assert sorted(d.message_id for d in sent) == sorted(d.message_id for d in fake.delivered)


async def test_outcomes_waiting_are_written_on_request_while_the_engine_runs(store):
    lim = limits(rate=10_000)
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(10)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim, record_linger=3600)
    await engine.start()
    try:
        await eventually(lambda: len(fake.delivered) == 10)
        await engine.write_outcomes()  # what a benchmark does before reading the counts
        assert (await store.delivery_counts())[DeliveryStatus.SENT] == 10
        assert (engine.recorder.writes, engine.recorder.waiting) == (1, 0)
    finally:
        await engine.stop()


async def test_chat_rows_come_with_the_claim_not_one_query_per_message(store):
    lim = limits(rate=10_000)
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(150)])
    await announce(store, "race-1|start", chats)
    statements = await traced(store)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await settled(store)
    finally:
        await engine.stop()

    assert len(fake.delivered) == 150
    claims = [s for s in statements if s.startswith("UPDATE deliveries SET status = 'sending'")]
    chat_reads = [s for s in statements if "JOIN chats c" in s]
    assert 1 <= len(claims) < 150
    assert len(chat_reads) <= len(claims)  # at most one chat query per claim ...
    assert not [s for s in statements if CHAT_BY_ID.search(s)]  # ... and none per message


async def test_a_chat_blocked_meanwhile_is_read_again_before_its_next_post(store):
    # Three posts to chat 7 are claimed together, with the chat's row saying "active", and
    # taken by three workers at once. The first meets "blocked"; the others, waiting their
    # turn for the chat, must not go out on the strength of the stale row.
    lim = limits(rate=10_000, per_chat_per_second=50)
    fake = SlowToAnswer(
        "telegram", per_chat_per_second=50, chat_burst=2, rate_per_second=10_000, burst=401
    )
    fake.blocked.add("7")
    chats = await add_chats(store, ["7"])
    for key in ("race-1|start", "race-1|results", "race-2|start"):
        await announce(store, key, chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert Counter(chat_id for chat_id, _ in fake.attempts)["7"] == 1
    assert counts[DeliveryStatus.SKIPPED] == 3


async def test_a_retry_is_claimed_again_once_it_is_written(store):
    # A retry waits in the recorder like any outcome; the feeder hears of it when it is
    # written, and claims it when due.
    lim = limits(rate=10_000, per_chat_per_second=50)
    fake = fake_for(lim)
    fake.transient["3"] = 2
    chats = await add_chats(store, [str(n) for n in range(5)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim, backoff_base=0.01)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()
    assert counts[DeliveryStatus.SENT] == 5
    assert fake.texts_for("3") == ["race-1|start"]
    assert engine.stats("telegram").retried == 2


async def test_a_wait_cancelled_just_as_it_is_nudged_is_still_cancelled():
    """stop() cancels the feeder; a worker may nudge it in the same moment. Python 3.11's
    wait_for then returned normally and the feeder went on claiming until stop()'s grace
    (10 s) ran out."""
    lane = Lane("telegram", FakeSender(), PlatformLimiter(limits()), capacity=4)
    cancelled_in_time = 0
    for turns in range(6):  # the nudge lands some event-loop turns before the cancel
        waiting = asyncio.create_task(lane.wait(60))
        await asyncio.sleep(0)
        lane.nudge()
        for _ in range(turns):
            await asyncio.sleep(0)
        if waiting.cancel():  # False: it had ended on the nudge already, fairly
            cancelled_in_time += 1
            await asyncio.gather(waiting, return_exceptions=True)
            assert waiting.cancelled(), f"the cancel was lost {turns} turns after the nudge"
    assert cancelled_in_time >= 1


async def test_a_batch_the_store_refuses_is_written_mark_by_mark(store, caplog):
    # One mark names a delivery the store does not have (deleted meanwhile, say): the batch
    # fails as a whole, and the recorder writes the others one by one instead of losing them.
    chats = await add_chats(store, ["1", "2"])
    await announce(store, "race-1|start", chats)
    first, second = await store.claim(CLOCK.now(), 2)
    recorder = Recorder(store, linger=3600)
    recorder.start()
    recorder.add(MarkSent(first.id, "m1", CLOCK.now()))
    recorder.add(MarkSent(999_999, "lost", CLOCK.now()))
    recorder.add(MarkFailed(second.id, "PermanentError: too long"))
    await recorder.stop()

    found = {d.id: d.status for d in await store.deliveries("race-1|start")}
    assert found == {first.id: DeliveryStatus.SENT, second.id: DeliveryStatus.FAILED}
    assert recorder.written == 2
    assert "delivery 999999: recording MarkSent failed" in caplog.text
