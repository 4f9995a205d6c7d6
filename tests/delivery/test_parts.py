"""Posts of several messages, and "retry after" answers, against the fake platform.

The fake refuses (429) a message that breaks its per-chat limit, the way Telegram does; the
engine must never meet that refusal: each message of a post takes its own tokens. Nothing here
asserts how long anything took: the tests wait for outcomes and check what arrived.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import Delivery, DeliveryStatus, OutboxItem, SQLiteStore
from tests.delivery.fake_sender import FakeSender
from tests.delivery.test_engine import add_chats, eventually, settled

CLOCK = SystemClock()
CHUNK = 100  # characters per message on the fake platform


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title=item.key, blocks=(paragraph(str(item.payload["text"])),))


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pitboard.db")
    await s.open()
    yield s
    await s.close()


async def post(store: SQLiteStore, key: str, chats: Sequence[Chat], text: str) -> None:
    item = OutboxItem(key, "free", "free", CLOCK.now(), {"text": text})
    assert await store.enqueue(item, [c.ref for c in chats])


def long_text(messages: int) -> str:
    return "".join(chr(ord("a") + n) * CHUNK for n in range(messages))


def engine_for(
    store: SQLiteStore, fake: FakeSender, limits: RateLimits, **kw: Any
) -> DeliveryEngine:
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("rng", random.Random(7))
    composer = kw.pop("composer", compose)
    return DeliveryEngine(store, {"telegram": fake}, composer, {"telegram": limits}, CLOCK, **kw)


def parts_for(fake: FakeSender, chat_id: str) -> list[int]:
    return [d.part for d in fake.delivered if d.chat_id == chat_id]


async def only_delivery(store: SQLiteStore, key: str) -> Delivery:
    (delivery,) = await store.deliveries(key)
    return delivery


# --- every message takes its own tokens --------------------------------------------------------


async def test_each_message_of_a_post_waits_for_the_chats_limit_and_goes_out_once(store):
    # The engine allows a chat a message every 0.5 s (and keeps a margin on top); the platform
    # refuses a second message within 0.1 s. A sender handed the whole post sends its messages
    # back to back (microseconds apart): 429. The wide gap between the two is what keeps a busy
    # machine out of it: only a stall of over 0.4 s between one send's token and its request,
    # with none before the next, could bring two arrivals within 0.1 s.
    fake = FakeSender(per_chat_per_second=10, chat_burst=1, max_length=CHUNK)
    chats = await add_chats(store, ["1", "2", "3"])
    await post(store, "free|long", chats, long_text(3))
    engine = engine_for(store, fake, RateLimits(per_chat_per_second=2))
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 3
    assert fake.retry_afters == 0
    for chat in chats:
        assert parts_for(fake, chat.ref.id) == [0, 1, 2]
    assert {d.parts_sent for d in await store.deliveries("free|long")} == {2}


async def test_the_rest_of_a_post_waits_aside_while_other_chats_get_theirs(store):
    # Telegram's own limit of one message a second per chat: the rest of each post is set
    # aside (parked) for the chat's next token instead of holding one of the two workers.
    fake = FakeSender(per_chat_per_second=1.25, chat_burst=1, max_length=CHUNK)
    chats = await add_chats(store, [str(n) for n in range(6)])
    await post(store, "free|long", chats, long_text(2))
    engine = engine_for(store, fake, RateLimits(), workers_per_platform=2)
    await engine.start()
    try:
        counts = await settled(store, within=30)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 6
    assert fake.retry_afters == 0
    assert Counter((d.chat_id, d.part) for d in fake.delivered) == Counter(
        {(c.ref.id, part): 1 for c in chats for part in (0, 1)}
    )
    for chat in chats:
        assert parts_for(fake, chat.ref.id) == [0, 1]
    assert engine.stats("telegram").parked == 6


# --- a retry resends only what did not go out ----------------------------------------------------


async def test_a_retry_sends_only_the_messages_that_did_not_go_out_as_first_composed(store):
    composed: list[int] = []

    def countdown(item: OutboxItem, chat: Chat) -> Reply | None:
        # Composed again, the post would read differently (a countdown moved on).
        composed.append(1)
        text = long_text(3) if len(composed) == 1 else long_text(3).upper()
        return Reply(title=item.key, blocks=(paragraph(text),))

    fake = FakeSender(max_length=CHUNK)
    fake.transient_parts[("1", 1)] = 1  # the second message fails once
    chats = await add_chats(store, ["1"])
    await post(store, "free|long", chats, "unused")
    engine = engine_for(store, fake, RateLimits(per_chat_per_second=50), composer=countdown)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 1
    assert parts_for(fake, "1") == [0, 1, 2]
    assert "".join(d.text for d in fake.delivered) == long_text(3)
    delivery = await only_delivery(store, "free|long")
    assert (delivery.attempts, delivery.parts_sent) == (2, 2)


async def test_a_post_half_sent_when_the_process_died_sends_only_the_rest(store):
    chats = await add_chats(store, ["1"])
    await post(store, "free|long", chats, long_text(3))
    (claimed,) = await store.claim(CLOCK.now(), 1)
    await store.mark_part_sent(claimed.id, 1, "41")  # then the process died

    fake = FakeSender(max_length=CHUNK)
    engine = engine_for(store, fake, RateLimits(per_chat_per_second=50))
    await engine.start()  # requeues what the dead process left in flight
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert counts[DeliveryStatus.SENT] == 1
    assert parts_for(fake, "1") == [1, 2]


# --- "retry after" ------------------------------------------------------------------------------


async def test_a_chat_that_keeps_answering_retry_after_is_given_up_on(store):
    fake = FakeSender()
    fake.throttle_chat("1", 0.01, times=float("inf"))
    chats = await add_chats(store, ["1", "2"])
    await post(store, "free|short", chats, "hello")
    engine = engine_for(store, fake, RateLimits(per_chat_per_second=50), max_attempts=3)
    await engine.start()
    try:
        counts = await settled(store)
    finally:
        await engine.stop()

    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.FAILED]) == (1, 1)
    refused, sent = await store.deliveries("free|short")
    assert refused.chat == ChatRef("telegram", "1") and refused.attempts == 3
    assert refused.last_error is not None and "gave up after 3 attempts" in refused.last_error
    assert sent.status is DeliveryStatus.SENT
    assert [chat_id for chat_id, _ in fake.attempts].count("1") == 3


async def test_retry_after_for_one_chat_pauses_that_chat_and_nobody_else(store):
    fake = FakeSender()
    fake.throttle_chat("1", 60)  # that chat's flood control: a minute
    chats = await add_chats(store, ["1", "2", "3"])
    await post(store, "free|first", chats[:1], "for one")
    engine = engine_for(store, fake, RateLimits())
    await engine.start()
    try:
        await eventually(lambda: fake.retry_afters == 1)
        await post(store, "free|second", chats[1:], "for the others")
        engine.wake()
        await eventually(lambda: len(fake.delivered) == 2, within=20)
        # A fan's command in another chat is answered at once, not after the minute.
        reply = Reply(title="/next", blocks=(paragraph("Race 1"),))
        assert await asyncio.wait_for(engine.reply(chats[1], reply), timeout=20)
        limiter = engine.limiter("telegram")
        assert limiter.paused_for() == 0
        assert limiter.chat_wait_estimate(chats[0]) > 50
    finally:
        await engine.stop()

    waiting = await only_delivery(store, "free|first")
    assert waiting.status is DeliveryStatus.PENDING
    assert waiting.next_attempt_at > CLOCK.now() + timedelta(seconds=50)
    assert {d.chat_id for d in fake.delivered} == {"2", "3"}
    assert fake.chat_pause_violations == 0
