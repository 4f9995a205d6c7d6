"""Two processes' engines on one PostgreSQL store share the platform's limits (issue 14).

Each engine has a store handle of its own (its own connections, its own process name), its
own python-telegram-bot `Bot` and its own buckets in memory, as two processes would; the fake
Bot API on 127.0.0.1 counts every request in sliding one-second windows and answers 429 to one
over its limit. Nothing here asserts a duration: the fake's count and the order of events do.
"""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import TELEGRAM_LIMITS, DeliveryEngine
from bot.delivery.errors import RetryAfter
from bot.delivery.ratelimit import RateLimits
from bot.frontends.telegram.callbacks import CallbackRegistry
from bot.frontends.telegram.sender import TelegramSender
from bot.frontends.telegram.transport import AiohttpRequest
from bot.store import OutboxItem
from bot.store.postgres import PostgresStore
from tests.delivery.test_engine import eventually
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_faults import RateLimitRules

LIMIT = 20  # the fake's global limit: requests in any one second
# Each engine alone keeps 30 % under the limit (14 a second): two unshared engines send 28 a
# second, far over the limit whatever the machine's jitter; shared, they send 14 together.
LIMITS = RateLimits(global_per_second=LIMIT, global_margin=0.30)
CHATS = [ChatRef("telegram", str(700 + n)) for n in range(60)]
WITHIN = 60.0


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title="Race 1", blocks=(paragraph(str(item.payload["text"])),))


async def _engine(
    fake: FakeTelegram, store: PostgresStore, limits: RateLimits
) -> tuple[DeliveryEngine, Bot]:
    bot = Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest())
    await bot.initialize()
    sender = TelegramSender(bot, CallbackRegistry(store, SystemClock()))
    engine = DeliveryEngine(
        store, {"telegram": sender}, compose, {"telegram": limits}, SystemClock(),
        shared_pace=store,
    )  # fmt: skip
    return engine, bot


async def test_two_processes_together_never_exceed_the_platforms_limit(two_stores) -> None:
    first, second = two_stores
    for ref in CHATS:
        await first.upsert_chat(Chat(ref))
    item = OutboxItem("free|shared", "free", "free", SystemClock().now(), {"text": "Green flag."})
    assert await first.enqueue(item, CHATS)

    async with FakeTelegram(limits=RateLimitRules(global_per_second=LIMIT)) as fake:
        engines = [await _engine(fake, store, LIMITS) for store in (first, second)]
        for engine, _ in engines:
            await engine.start()
        try:
            await eventually(lambda: all(fake.sent(int(r.id)) for r in CHATS), within=WITHIN)
        finally:
            for engine, bot in engines:
                await engine.stop()
                await bot.shutdown()

        # No window of one second at the fake held more than LIMIT sends: none was refused.
        assert fake.stats.too_many_requests == 0
        assert all(len(fake.sent(int(r.id))) == 1 for r in CHATS)
        # Both processes sent (the limit was shared, not left to one of them) ...
        sent = [engine.stats("telegram").sent for engine, _ in engines]
        assert all(sent) and sum(sent) == len(CHATS)
        # ... and reserved their slots a batch at a time, not one round trip per send.
        pacers = [engine.limiter("telegram").shared for engine, _ in engines]
        assert all(p is not None for p in pacers)
        assert sum(p.stats.reservations for p in pacers if p) < len(CHATS)


async def test_a_chat_told_to_wait_in_one_process_waits_in_the_other(two_stores) -> None:
    first, second = two_stores
    refused, other, third = (ChatRef("telegram", n) for n in ("801", "802", "803"))
    for ref in (refused, other, third):
        await first.upsert_chat(Chat(ref))

    async with FakeTelegram(limits=RateLimitRules()) as fake:
        (one, bot_one), (two, bot_two) = [
            await _engine(fake, store, TELEGRAM_LIMITS) for store in (first, second)
        ]
        try:
            fake.fail_next(801, "flood", retry_after=600)
            with pytest.raises(RetryAfter):
                await one.reply(Chat(refused), Reply(title="Standings"))
            shared = one.limiter("telegram").shared
            assert shared is not None
            await shared.settle()

            # The other process's next send brings the pause along with its slot ...
            await two.reply(Chat(other), Reply(title="Next race"))
            assert two.limiter("telegram").chat_wait_estimate(Chat(refused)) > 500
            # ... so its reply to the refused chat waits, while others still go out.
            waiting = asyncio.create_task(two.reply(Chat(refused), Reply(title="Standings")))
            await two.reply(Chat(third), Reply(title="Next race"))
            assert not waiting.done()
            waiting.cancel()
            assert len([r for r in fake.requests if r.params.get("chat_id") in (801, "801")]) == 1
            assert fake.sent(802) and fake.sent(803) and not fake.sent(801)
        finally:
            await bot_one.shutdown()
            await bot_two.shutdown()
