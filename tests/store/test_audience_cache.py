"""The audience in memory vouching for chats (bot.store.audience_cache): the right answer, and
other tasks let run while it looks up a big list, observed by the order of events."""

from __future__ import annotations

import asyncio

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store.audience_cache import AudienceCache

REFS = [ChatRef("telegram", f"{n:06}") for n in range(20_000)]
CACHE = AudienceCache((Chat(ref), Subscription(ref)) for ref in REFS)


async def test_holds_all_is_true_only_when_every_chat_is_a_member() -> None:
    assert await CACHE.holds_all(REFS)
    assert await CACHE.holds_all([])
    assert not await CACHE.holds_all([*REFS, ChatRef("telegram", "stranger")])
    assert not await CACHE.holds_all([ChatRef("discord", REFS[0].id)])


async def test_other_tasks_run_while_a_big_list_is_looked_up() -> None:
    events: list[str] = []

    async def command() -> None:
        events.append("command answered")

    async def look_up() -> None:
        assert await CACHE.holds_all(REFS)
        events.append("looked up")

    looking = asyncio.create_task(look_up())
    await asyncio.sleep(0)  # the look-up starts first
    await asyncio.gather(looking, command())
    assert events == ["command answered", "looked up"]
