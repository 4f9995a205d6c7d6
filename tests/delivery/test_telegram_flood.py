"""Telegram's 429s against the real sender, python-telegram-bot and the fake Bot API.

A 429 ("retry after") from Telegram does not say which limit was hit. The engine treats it as
the refused chat's own: that chat waits, every other chat's posts keep going (issue 11: any
429 used to pause every send for a second or more, and three bunched together always did).
And a chat's sends keep a margin under its one-a-second limit, so arrival jitter does not turn
into 429s. Nothing here asserts how long anything took: the fake's request log gives the order
of events, and the fake's clock is the limiter's own virtual clock. The bot sends through
Pitboard's aiohttp transport, as in production, so its 429s are PTB's `RetryAfter` too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import TELEGRAM_LIMITS, DeliveryEngine
from bot.delivery.ratelimit import PlatformLimiter, RateLimits
from bot.frontends.telegram.callbacks import CallbackRegistry
from bot.frontends.telegram.sender import TelegramSender
from bot.frontends.telegram.transport import AiohttpRequest
from bot.store import OutboxItem, SQLiteStore
from tests.delivery.test_engine import eventually
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_faults import ManualClock, RateLimitRules

FLOODED = (501, 502, 503)  # three chats refused at once: once taken for the global limit
OTHERS = tuple(range(601, 661))
# Far longer than the others take to go out even on a busy machine: the test waits for them
# (up to OTHERS_WITHIN seconds) and never for the refused chats' retries.
RETRY_AFTER = 60
OTHERS_WITHIN = 45.0


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title="Race 2", blocks=(paragraph(str(item.payload["text"])),))


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pitboard.db")
    await s.open()
    yield s
    await s.close()


async def test_chats_refused_by_flood_control_wait_while_every_other_chat_is_sent_to(
    store,
) -> None:
    refs = [ChatRef("telegram", str(n)) for n in (*FLOODED, *OTHERS)]
    for ref in refs:
        await store.upsert_chat(Chat(ref))
    item = OutboxItem("free|delay", "free", "free", SystemClock().now(), {"text": "Delayed."})
    assert await store.enqueue(item, refs)

    async with FakeTelegram(limits=RateLimitRules()) as fake:
        for chat_id in FLOODED:
            fake.fail_next(chat_id, "flood", retry_after=RETRY_AFTER)
        bot = Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest())
        await bot.initialize()
        engine = DeliveryEngine(
            store,
            {"telegram": TelegramSender(bot, CallbackRegistry(store, SystemClock()))},
            compose,
            {"telegram": TELEGRAM_LIMITS},
            SystemClock(),
        )
        await engine.start()
        try:
            # Had the refusals paused every send, nothing more would go out for a minute.
            await eventually(
                lambda: all(fake.sent(chat_id) for chat_id in OTHERS), within=OTHERS_WITHIN
            )
        finally:
            await engine.stop()
            await bot.shutdown()

        sends = [
            (int(r.params["chat_id"]), r.status) for r in fake.requests if r.method == "sendMessage"
        ]
        refused = [n for n, (_, status) in enumerate(sends) if status == 429]
        assert sorted(sends[n][0] for n in refused) == list(FLOODED)
        # The three refusals came first, and every other chat was sent to after them ...
        assert len([1 for chat_id, _ in sends[max(refused) :] if chat_id in OTHERS]) > 8
        # ... while the refused chats were not asked again before their minute was up.
        assert [chat_id for chat_id, _ in sends].count(501) == 1
        assert all(len(fake.sent(chat_id)) == 1 for chat_id in OTHERS)
        assert fake.stats.too_many_requests == len(FLOODED)
        assert engine.limiter("telegram").paused_for() == 0


class StepClock:
    """The limiter's virtual time: a sleep moves it on at once (one sender, no real waiting)."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(max(0.0, seconds))
        await asyncio.sleep(0)


async def test_a_chats_sends_keep_a_margin_that_absorbs_arrival_jitter(store) -> None:
    clock = ManualClock()
    steps = StepClock(clock)
    lateness = {"next": 0.0}
    # Every other request reaches Telegram 90 ms later than it left: without a margin, a late
    # one followed by a prompt one a second later arrive 0.91 s apart, and the second is a 429.
    async with FakeTelegram(
        limits=RateLimitRules(global_per_second=None),
        clock=lambda: clock() + lateness["next"],
    ) as fake:
        bot = Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest())
        await bot.initialize()
        sender = TelegramSender(bot, CallbackRegistry(store, SystemClock()))
        limiter = PlatformLimiter(RateLimits(), monotonic=clock, sleep=steps.sleep)
        fan = Chat(ChatRef("telegram", "701"))
        try:
            for number in range(8):
                lateness["next"] = 0.09 if number % 2 == 0 else 0.0
                await limiter.acquire(fan)
                message = sender.split(fan, Reply(title=f"Lap {number}", blocks=()))[0]
                await sender.send_part(fan, message)
        finally:
            await bot.shutdown()

        assert fake.stats.too_many_requests == 0
        assert len(fake.sent(701)) == 8
