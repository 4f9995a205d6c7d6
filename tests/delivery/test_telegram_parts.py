"""A long admin post on Telegram: the real sender and python-telegram-bot against the fake Bot
API with Telegram's published limits (one message a second per chat).

Reproduces issue 9: a 4,086-character /announce renders as two messages; sent whole, the
second met the per-chat limit (429) and the retry sent the first again, thirty-eight times in
forty seconds. Nothing here asserts how long anything took.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import TELEGRAM_LIMITS, DeliveryEngine
from bot.frontends.telegram.sender import TelegramSender
from bot.store import DeliveryStatus, OutboxItem, SQLiteStore
from tests.delivery.test_engine import settled
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_faults import RateLimitRules

FAN = 1001
# The fake's clock runs a quarter faster than the engine's: sends the engine spaces a second
# apart arrive at least 0.8 s apart in real time however late the event loop wakes, and are
# still a second apart for the fake; sends made back to back stay back to back.
FAKE_SPEEDUP = 1.25


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title="From Pitboard", blocks=(paragraph(str(item.payload["text"])),))


def announcement_text(length: int) -> str:
    words = ("Safety", "car", "at", "Oschersleben;", "race", "restarts", "on", "lap", "12.")
    text, n = "", 0
    while len(text) < length:
        text += words[n % len(words)] + " "
        n += 1
    return text[:length].rstrip()


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pitboard.db")
    await s.open()
    yield s
    await s.close()


async def test_a_4086_character_announcement_reaches_a_fan_once_in_two_messages(store) -> None:
    text = announcement_text(4086)
    await store.upsert_chat(Chat(ChatRef("telegram", str(FAN))))
    item = OutboxItem("free|long", "free", "free", SystemClock().now(), {"text": text})
    assert await store.enqueue(item, [ChatRef("telegram", str(FAN))])

    async with FakeTelegram(
        limits=RateLimitRules(), clock=lambda: time.monotonic() * FAKE_SPEEDUP
    ) as fake:
        bot = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        await bot.initialize()
        sender = TelegramSender(bot, {})
        engine = DeliveryEngine(
            store, {"telegram": sender}, compose, {"telegram": TELEGRAM_LIMITS}, SystemClock()
        )
        await engine.start()
        try:
            counts = await settled(store, within=30)
        finally:
            await engine.stop()
            await bot.shutdown()

        assert counts[DeliveryStatus.SENT] == 1
        messages = fake.sent(FAN)
        assert len(messages) == 2
        assert fake.stats.too_many_requests == 0
        received = " ".join(m.text for m in messages)
        assert received.split() == ["From", "Pitboard", *text.split()]
        (delivery,) = await store.deliveries("free|long")
        assert (delivery.attempts, delivery.parts_sent) == (1, 1)
