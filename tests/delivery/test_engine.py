"""The delivery engine against a real SQLite store and a fake platform that enforces limits."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest

from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import ChatBlocked, DeliveryEngine, RateLimits
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore
from tests.delivery.fake_sender import FakeSender

CLOCK = SystemClock()


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title=str(item.payload["title"]), blocks=(paragraph(f"for {chat.ref.id}"),))


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pitboard.db")
    await s.open()
    yield s
    await s.close()


async def add_chats(
    store: SQLiteStore, ids: Sequence[str], kind: ChatKind = ChatKind.PRIVATE
) -> list[Chat]:
    chats = [Chat(ChatRef("telegram", i), kind=kind) for i in ids]
    for chat in chats:
        await store.upsert_chat(chat)
    return chats


async def announce(
    store: SQLiteStore, key: str, chats: Sequence[Chat], *, due_in: float = 0.0
) -> OutboxItem:
    item = OutboxItem(
        key=key,
        kind="start",
        subject="tcr-germany-2022/oschersleben/race-1",
        due_at=CLOCK.now() + timedelta(seconds=due_in),
        payload={"title": key},
    )
    assert await store.enqueue(item, [c.ref for c in chats])
    return item


def limits(rate: float = 400, **kw: Any) -> RateLimits:
    return RateLimits(global_per_second=rate, **kw)


def fake_for(lim: RateLimits, **kw: Any) -> FakeSender:
    """A platform enforcing `lim`, with one token of slack for scheduling jitter."""
    return FakeSender(
        "telegram",
        rate_per_second=lim.global_per_second,
        burst=lim.effective_global_bulk_burst() + 1,
        per_chat_per_second=lim.per_chat_per_second,
        chat_burst=lim.chat_burst + 1,
        **kw,
    )


def engine_for(store: SQLiteStore, fake: FakeSender, lim: RateLimits, **kw: Any) -> DeliveryEngine:
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("rng", random.Random(7))
    return DeliveryEngine(store, {"telegram": fake}, compose, {"telegram": lim}, CLOCK, **kw)


async def settled(store: SQLiteStore, within: float = 10.0) -> dict[DeliveryStatus, int]:
    """Wait until no delivery is pending or in flight; return the counts."""
    deadline = time.monotonic() + within
    while True:
        counts = await store.delivery_counts()
        if counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.SENDING] == 0:
            return counts
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries still open after {within} s: {counts}")
        await asyncio.sleep(0.02)


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def most_in_any_window(times: Sequence[float], window: float) -> int:
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_sends_that_arrive_late_never_crowd_a_second_past_the_limit(store):
    # The first 150 chats' messages take 0.3 s to reach the platform, the rest a moment.
    # Counted from their tokens, the slow ones would arrive in the same second as the next
    # 0.3 s of prompt ones: about 520 arrivals in one second at 400/s. Counted until their
    # answers, they hold back the sends after them instead.
    lim = limits(rate=400)
    fake = FakeSender("telegram", slow={str(n): 0.3 for n in range(1, 151)})
    chats = await add_chats(store, [str(n) for n in range(1, 601)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim, workers_per_platform=200)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 600
    assert most_in_any_window([d.at for d in fake.delivered], 1.0) <= 400


async def test_200_chats_each_get_the_post_exactly_once_within_the_limit(store):
    lim = limits(rate=400)
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(1, 201)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 200
    received = Counter(d.chat_id for d in fake.delivered)
    assert set(received) == {c.ref.id for c in chats}
    assert set(received.values()) == {1}
    assert fake.retry_afters == 0
    # No quarter second saw more than the limit allows (plus what a broadcast may burst).
    arrivals = [d.at for d in fake.delivered]
    assert most_in_any_window(arrivals, 0.25) <= 400 * 0.25 + lim.effective_global_bulk_burst() + 1
    sent = await store.deliveries("race-1|start")
    assert all(d.message_id for d in sent)


async def test_a_global_retry_after_pauses_the_whole_platform(store):
    lim = limits(rate=200)
    fake = fake_for(lim)
    fake.throttle_next(0.4)  # the platform refuses every send for 0.4 s, and says it is global
    chats = await add_chats(store, [str(n) for n in range(50)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 50
    assert sorted(d.chat_id for d in fake.delivered) == sorted(c.ref.id for c in chats)
    [(paused_at, until)] = fake.pauses
    # The first refusal pauses every send: none is tried again before the pause is over.
    assert fake.pause_violations == 0
    assert not [d for d in fake.delivered if paused_at <= d.at < until]
    assert engine.stats("telegram").rate_limited == 1


async def test_a_transient_failure_is_retried_until_it_succeeds(store):
    lim = limits(per_chat_per_second=20)  # retries to one chat need not wait a second
    fake = fake_for(lim)
    fake.transient["5"] = 2
    chats = await add_chats(store, [str(n) for n in range(10)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await settled(store)
    finally:
        await engine.stop()

    assert fake.texts_for("5") == ["race-1|start"]
    [five] = [d for d in await store.deliveries("race-1|start") if d.chat.id == "5"]
    assert (five.status, five.attempts) == (DeliveryStatus.SENT, 3)
    assert [t for chat_id, t in fake.attempts if chat_id == "5"].__len__() == 3


async def test_transient_failures_give_up_after_max_attempts(store):
    lim = limits(per_chat_per_second=20)  # retries to one chat need not wait a second
    fake = fake_for(lim)
    fake.transient["5"] = 100
    chats = await add_chats(store, [str(n) for n in range(3)] + ["5"])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim, max_attempts=4, backoff_base=0.01)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.FAILED]) == (3, 1)
    [five] = [d for d in await store.deliveries("race-1|start") if d.chat.id == "5"]
    assert five.attempts == 4
    assert five.last_error is not None and "502" in five.last_error
    assert sum(1 for chat_id, _ in fake.attempts if chat_id == "5") == 4


async def test_an_unexpected_sender_exception_is_retried_and_the_engine_keeps_going(store):
    lim = limits(per_chat_per_second=20)  # retries to one chat need not wait a second
    fake = fake_for(lim)
    fake.crash["3"] = 1
    chats = await add_chats(store, [str(n) for n in range(10)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 10
    assert fake.texts_for("3") == ["race-1|start"]


async def test_a_blocked_chat_is_deactivated_at_once_and_never_tried_again(store):
    lim = limits(per_chat_per_second=20)  # retries to one chat need not wait a second
    fake = fake_for(lim)
    fake.blocked.add("7")
    chats = await add_chats(store, [str(n) for n in range(10)])
    # Two announcements queued together, a third after the block.
    await announce(store, "race-1|start", chats)
    await announce(store, "race-1|results", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await settled(store)
        await announce(store, "race-2|start", chats)
        engine.wake()
        counts = await settled(store)
    finally:
        await engine.stop()

    chat7 = await store.get_chat(ChatRef("telegram", "7"))
    assert chat7 is not None and not chat7.active
    assert sum(1 for chat_id, _ in fake.attempts if chat_id == "7") == 1
    assert counts[DeliveryStatus.SENT] == 27
    assert counts[DeliveryStatus.SKIPPED] == 3
    assert counts[DeliveryStatus.FAILED] == 0
    assert fake.texts_for("6") == ["race-1|start", "race-1|results", "race-2|start"]


async def test_a_migrated_group_is_rewritten_and_keeps_getting_posts(store):
    lim = limits(per_chat_per_second=20, per_group_per_minute=1200)
    fake = fake_for(lim)
    fake.migrations["-100"] = "-1009"
    chats = await add_chats(store, ["-100", "-200"], kind=ChatKind.GROUP)
    await announce(store, "race-1|start", chats)
    await announce(store, "race-1|results", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await settled(store)
        await announce(store, "race-2|start", [Chat(ChatRef("telegram", "-1009"))])
        engine.wake()
        counts = await settled(store)
    finally:
        await engine.stop()

    assert fake.texts_for("-1009") == ["race-1|start", "race-1|results", "race-2|start"]
    assert fake.texts_for("-100") == []
    assert fake.migrated_answers == 1
    assert await store.get_chat(ChatRef("telegram", "-100")) is None
    moved = await store.get_chat(ChatRef("telegram", "-1009"))
    assert moved is not None and moved.kind is ChatKind.GROUP and moved.active
    assert counts[DeliveryStatus.SENT] == 5
    assert engine.stats("telegram").migrated == 1


async def test_a_busy_group_gets_its_posts_in_order_without_stalling_everyone_else(store):
    lim = limits(per_group_per_minute=60)  # one post a second to a group
    fake = fake_for(lim)
    group = await add_chats(store, ["-100"], kind=ChatKind.GROUP)
    fans = await add_chats(store, [str(n) for n in range(60)])
    for key in ("race-1|start", "race-1|results", "race-2|start"):
        await announce(store, key, group + fans[:20] if key == "race-1|start" else group)
    await announce(store, "race-2|results", fans[20:])
    engine = engine_for(store, fake, lim, workers_per_platform=2)
    await engine.start()
    try:
        await settled(store)
    finally:
        await engine.stop()

    to_group = [d for d in fake.delivered if d.chat_id == "-100"]
    assert [d.title for d in to_group] == ["race-1|start", "race-1|results", "race-2|start"]
    gaps = [b.at - a.at for a, b in itertools.pairwise(to_group)]
    assert min(gaps) >= 0.99
    # With only two workers, the other 60 chats were served while the group's posts waited.
    last_fan = max(d.at for d in fake.delivered if d.chat_id != "-100")
    assert last_fan < to_group[1].at
    assert engine.stats("telegram").parked >= 1


async def test_a_permanent_error_is_recorded_and_not_retried(store):
    lim = limits()
    fake = fake_for(lim)
    fake.permanent.add("9")
    chats = await add_chats(store, [str(n) for n in range(10)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.FAILED]) == (9, 1)
    [nine] = [d for d in await store.deliveries("race-1|start") if d.chat.id == "9"]
    assert nine.attempts == 1
    assert nine.last_error is not None and "message is too long" in nine.last_error
    assert sum(1 for chat_id, _ in fake.attempts if chat_id == "9") == 1
    chat9 = await store.get_chat(ChatRef("telegram", "9"))
    assert chat9 is not None and chat9.active


async def test_a_command_reply_mid_fan_out_goes_before_the_remaining_broadcast(store):
    lim = limits(rate=50)
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(100)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await eventually(lambda: len(fake.delivered) >= 20)
        asked = time.monotonic()
        fan = Chat(ChatRef("telegram", "fan-42"))
        message_id = await engine.reply(fan, Reply(title="Next: Race 1 at 13:55"))
        answered = time.monotonic() - asked
        await settled(store)
    finally:
        await engine.stop()

    titles = [d.title for d in fake.delivered]
    position = titles.index("Next: Race 1 at 13:55")
    assert message_id == fake.delivered[position].message_id
    assert len(titles) - position - 1 >= 60  # most of the broadcast still to go
    assert answered < 0.2  # a token or two at 50/s, not the 1.6 s the rest of the queue takes
    assert fake.retry_afters == 0


async def test_a_reply_to_a_chat_that_blocked_the_bot_deactivates_it(store):
    lim = limits()
    fake = fake_for(lim)
    fake.blocked.add("7")
    [chat] = await add_chats(store, ["7"])
    engine = engine_for(store, fake, lim)
    with pytest.raises(ChatBlocked):
        await engine.reply(chat, Reply(title="Standings"))
    stored = await store.get_chat(chat.ref)
    assert stored is not None and not stored.active


async def test_deliveries_left_in_flight_by_a_dead_process_are_resumed(store):
    lim = limits()
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(20)])
    await announce(store, "race-1|start", chats)
    # A previous process claimed five and died before sending them.
    orphans = await store.claim(CLOCK.now(), 5)
    assert (await store.delivery_counts())[DeliveryStatus.SENDING] == 5

    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 20
    received = Counter(d.chat_id for d in fake.delivered)
    assert set(received.values()) == {1} and len(received) == 20
    assert {o.chat.id for o in orphans} <= set(received)


async def test_stop_lets_sends_in_flight_finish_and_a_restart_finishes_the_rest(store):
    lim = limits(rate=100)
    fake = fake_for(lim, latency=0.1)
    chats = await add_chats(store, [str(n) for n in range(40)])
    await announce(store, "race-1|start", chats)
    engine = engine_for(store, fake, lim, workers_per_platform=4)
    await engine.start()
    await eventually(lambda: len(fake.delivered) >= 5)
    await engine.stop()

    # Everything the platform received is recorded as sent: nothing will be sent twice.
    sent = {d.chat.id for d in await store.deliveries("race-1|start") if d.status == "sent"}
    assert sent == {d.chat_id for d in fake.delivered}
    assert len(sent) < 40

    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()
    assert counts[DeliveryStatus.SENT] == 40
    assert set(Counter(d.chat_id for d in fake.delivered).values()) == {1}


async def test_a_post_due_later_waits_and_new_work_is_picked_up_on_wake(store):
    lim = limits()
    fake = fake_for(lim)
    chats = await add_chats(store, ["1", "2"])
    engine = engine_for(store, fake, lim)
    await engine.start()
    try:
        await asyncio.sleep(0.1)  # the engine is idle now, sleeping for up to 5 s
        start = time.monotonic()
        await announce(store, "race-1|reminder", chats, due_in=0.6)
        await announce(store, "race-1|preview", chats)
        engine.wake()
        await eventually(lambda: len(fake.delivered) >= 2, within=1.0)
        assert time.monotonic() - start < 0.5
        assert {d.title for d in fake.delivered} == {"race-1|preview"}
        await eventually(lambda: len(fake.delivered) >= 4, within=3.0)
        assert fake.delivered[-1].at - start >= 0.6
    finally:
        await engine.stop()


async def test_a_composer_that_has_nothing_for_a_chat_skips_it(store):
    lim = limits()
    fake = fake_for(lim)
    chats = await add_chats(store, [str(n) for n in range(6)])
    await announce(store, "race-1|start", chats)

    def picky(item: OutboxItem, chat: Chat) -> Reply | None:
        if chat.ref.id == "3":
            raise KeyError("a bug in the composer")
        return None if int(chat.ref.id) % 2 else compose(item, chat)

    engine = DeliveryEngine(store, {"telegram": fake}, picky, {"telegram": lim}, CLOCK)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()
    assert sorted(d.chat_id for d in fake.delivered) == ["0", "2", "4"]
    assert (counts[DeliveryStatus.SKIPPED], counts[DeliveryStatus.FAILED]) == (2, 1)


def test_backoff_doubles_with_jitter_and_is_capped():
    engine = DeliveryEngine(
        None,  # type: ignore[arg-type]
        {},
        compose,
        {},
        CLOCK,
        backoff_base=1.0,
        backoff_max=60.0,
        rng=random.Random(1),
    )
    for attempts, ceiling in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (30, 60)]:
        waits = [engine.backoff(attempts) for _ in range(200)]
        assert ceiling / 2 <= min(waits) and max(waits) <= ceiling
        assert max(waits) - min(waits) > ceiling / 10  # jittered, not all the same


def test_an_engine_needs_limits_for_every_platform_it_sends_to():
    with pytest.raises(ValueError, match="telegram"):
        DeliveryEngine(None, {"telegram": FakeSender()}, compose, {}, CLOCK)  # type: ignore[arg-type]
