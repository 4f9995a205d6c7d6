"""A graceful stop gives back what the process claimed and did not send (issue 14).

Two engines on one PostgreSQL database, as two processes. Both clocks stand still at the
announcement's due time, so no lease ever runs out here: the only way the second engine can
send what the first one claimed is that the first one gave it back when it stopped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.core.audience import Chat, ChatRef
from bot.core.clock import FixedClock
from bot.core.reply import Reply
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import DeliveryStatus, OutboxItem
from bot.store.postgres import PostgresStore
from tests.delivery.fake_sender import FakeSender
from tests.delivery.test_engine import eventually

T0 = datetime(2026, 5, 13, 14, 0, tzinfo=UTC)
CHATS = [ChatRef("telegram", str(900 + n)) for n in range(5)]
KEY = "tcr|race-1|start"
WITHIN = 60.0


async def eventually_true(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + WITHIN
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title="Lights out")


def _engine(store: PostgresStore) -> tuple[DeliveryEngine, FakeSender]:
    sender = FakeSender()
    engine = DeliveryEngine(
        store, {"telegram": sender}, compose, {"telegram": RateLimits()}, FixedClock(T0)
    )
    return engine, sender


async def test_a_stopped_process_gives_back_its_claims_and_another_sends_them_at_once(
    two_stores,
) -> None:
    first, second = two_stores
    for ref in CHATS:
        await first.upsert_chat(Chat(ref))
    assert await first.enqueue(OutboxItem(KEY, "start", "race-1", T0, {}), CHATS)

    stopping, sent_by_stopping = _engine(first)
    # Telegram told this process to wait ten minutes: it claims everything, sends nothing.
    stopping.limiter("telegram").pause(600)
    await stopping.start()

    async def all_claimed() -> bool:
        return (await first.delivery_counts(KEY))[DeliveryStatus.SENDING] == len(CHATS)

    await eventually_true(all_claimed)
    taking_over, sent_by_other = _engine(second)
    await taking_over.start()  # nothing to take back: every lease is the first one's, alive

    await stopping.stop()  # SIGTERM: a graceful stop

    await eventually(lambda: len(sent_by_other.delivered) == len(CHATS), within=WITHIN)
    await taking_over.stop()
    assert sorted(d.chat_id for d in sent_by_other.delivered) == sorted(r.id for r in CHATS)
    assert sent_by_stopping.delivered == []
    assert (await second.delivery_counts(KEY))[DeliveryStatus.SENT] == len(CHATS)
