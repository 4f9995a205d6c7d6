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


class CountedRef(ChatRef):
    """A ChatRef that counts how often it is hashed (a dict look-up hashes its key)."""

    __slots__ = ()
    hashed = 0

    def __hash__(self) -> int:
        CountedRef.hashed += 1
        return super().__hash__()


async def test_the_members_own_refs_in_order_are_recognised_without_a_look_up() -> None:
    refs = [CountedRef("telegram", f"{n:06}") for n in range(12_000)]
    cache = AudienceCache((Chat(ref), Subscription(ref)) for ref in refs)
    everyone = [chat.ref for chat, _ in cache.snapshot()]  # as an announcement to everyone
    CountedRef.hashed = 0
    assert await cache.holds_all(everyone)
    assert CountedRef.hashed == 0
    # Equal but other objects, or one not a member: looked up, and answered right.
    copies = [CountedRef(ref.platform, ref.id) for ref in refs]
    assert await cache.holds_all(copies)
    assert CountedRef.hashed == len(refs)
    stranger = CountedRef("telegram", "stranger")
    assert not await cache.holds_all([*everyone[:-1], stranger])
    # A member that moved in between (another task's change between two slices) is still
    # a member by identity; one that left is not, though its object is still in the list.
    cache.update({everyone[0]: None})
    assert not await cache.holds_all(everyone)
    assert await cache.holds_all(everyone[1:])
