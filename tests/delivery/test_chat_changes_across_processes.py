"""A chat one process finds blocked, or moved, is known to the others (issue 14).

Two engines on one PostgreSQL database, as two processes, each with its own fake platform
(what each one sent is its own). The first sends a post and finds one chat blocked and a
group upgraded to a supergroup; the second then sends the next post, already waiting for
those chats: it sends nothing to the blocked chat and goes straight to the supergroup.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.clock import FixedClock
from bot.core.reply import Reply
from bot.delivery import DeliveryEngine, RateLimits
from bot.store import DeliveryStatus, OutboxItem
from bot.store.postgres import PostgresStore
from tests.delivery.fake_sender import FakeSender

T0 = datetime(2026, 5, 13, 14, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
FAN, BLOCKED = ChatRef("telegram", "11"), ChatRef("telegram", "12")
GROUP, SUPERGROUP = ChatRef("telegram", "-13"), ChatRef("telegram", "-10013")
WITHIN = 60.0


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title=item.key)


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + WITHIN
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def _engine(store: PostgresStore, sender: FakeSender, at: datetime) -> DeliveryEngine:
    limits = {"telegram": RateLimits(per_chat_per_second=100, per_group_per_minute=6000)}
    return DeliveryEngine(store, {"telegram": sender}, compose, limits, FixedClock(at))


async def _send_all(engine: DeliveryEngine, store: PostgresStore, key: str) -> None:
    async def done() -> bool:
        await engine.write_outcomes()
        counts = await store.delivery_counts(key)
        return counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.SENDING] == 0

    await engine.start()
    try:
        await until(done)
    finally:
        await engine.stop()


async def test_a_chat_found_blocked_or_moved_by_one_process_is_known_to_the_other(
    two_stores,
) -> None:
    first, second = two_stores
    await first.upsert_chat(Chat(FAN))
    await first.upsert_chat(Chat(BLOCKED))
    await first.upsert_chat(Chat(GROUP, kind=ChatKind.GROUP))
    chats = [FAN, BLOCKED, GROUP]
    assert await first.enqueue(OutboxItem("preview", "preview", "w", T0, {}), chats)
    # The next post is already waiting, for the same chats, due an hour later.
    assert await first.enqueue(OutboxItem("start", "start", "s", T1, {}), chats)

    finding = FakeSender(blocked={BLOCKED.id}, migrations={GROUP.id: SUPERGROUP.id})
    await _send_all(_engine(first, finding, T0), first, "preview")
    assert sorted(finding.texts_for(SUPERGROUP.id)) == ["preview"]

    # An hour later another process sends the next post: it knows what the first one found.
    other = FakeSender()
    await _send_all(_engine(second, other, T1), second, "start")
    assert other.texts_for(FAN.id) == ["start"]
    assert other.texts_for(SUPERGROUP.id) == ["start"]
    tried = {chat_id for chat_id, _ in other.attempts}
    assert BLOCKED.id not in tried and GROUP.id not in tried
    blocked = await second.get_chat(BLOCKED)
    assert blocked is not None and not blocked.active
