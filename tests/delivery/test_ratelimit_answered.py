"""A chat's next send is due a whole interval after its last send was answered (issue 11: the
10 % margin covers only a tenth of jitter between a send leaving and arriving; an answer proves
arrival): sooner than the refill after a quick answer, later after a slow one."""

from __future__ import annotations

import pytest

from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply, paragraph
from bot.delivery import DeliveryEngine
from bot.delivery.ratelimit import DISCORD_LIMITS, PlatformLimiter, RateLimits
from bot.store import SQLiteStore
from tests.delivery.fake_sender import FakeSender
from tests.delivery.test_ratelimit import VirtualTime


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def fan(n: int = 7, kind: ChatKind = ChatKind.PRIVATE) -> Chat:
    return Chat(ChatRef("telegram", str(n)), kind=kind)


def limiter(vt: VirtualTime, limits: RateLimits | None = None) -> PlatformLimiter:
    limits = limits or RateLimits(global_per_second=1000)
    return PlatformLimiter(limits, monotonic=vt.monotonic, sleep=vt.sleep)


async def second_send_after(
    vt: VirtualTime, lim: PlatformLimiter, chat: Chat, answered_after: float | None
) -> float:
    """Send at 0, its answer after `answered_after` seconds (None: never told), then the
    chat's next send: when it may leave."""

    async def sends() -> float:
        grant = await lim.acquire(chat, priority=True)
        if answered_after is not None:
            await vt.sleep(answered_after)
            lim.answered(chat, grant)
        await lim.acquire(chat, priority=True)
        return vt.now

    [second] = await vt.run(sends())
    return second


async def test_a_quick_answer_lets_the_next_reply_go_a_second_after_it(vt):
    # Answered 20 ms after it left: it arrived by then, and a second after that is safe.
    assert await second_send_after(vt, limiter(vt), fan(), 0.02) == pytest.approx(1.02)


async def test_without_an_answer_the_margin_keeps_its_tenth(vt):
    assert await second_send_after(vt, limiter(vt), fan(), None) == pytest.approx(1.1)


async def test_after_a_slow_answer_the_next_send_waits_a_whole_interval_from_it(vt):
    # Answered after 0.5 s: the send may have arrived only then, and the refill's 1.1 s
    # could put the next arrival within a second of it (a 429 on a busy machine).
    assert await second_send_after(vt, limiter(vt), fan(), 0.5) == pytest.approx(1.5)


async def test_an_answer_to_an_earlier_send_changes_nothing(vt):
    lim = limiter(vt)
    chat = fan()

    async def sends() -> float:
        first = await lim.acquire(chat, priority=True)
        await lim.acquire(chat, priority=True)  # at 1.1 s, before the first's answer
        lim.answered(chat, first)  # late news of the first: the second's answer will say
        await lim.acquire(chat, priority=True)
        return vt.now

    [third] = await vt.run(sends())
    assert third == pytest.approx(2.2)


async def test_an_answer_does_not_cut_a_retry_after_short(vt):
    lim = limiter(vt)
    chat = fan()

    async def sends() -> float:
        grant = await lim.acquire(chat, priority=True)
        lim.refused(chat, 3.0)  # a 429 for this chat: it waits three seconds
        lim.answered(chat, grant)
        await lim.acquire(chat, priority=True)
        return vt.now

    [second] = await vt.run(sends())
    assert second >= 3.0


async def test_groups_and_limits_with_a_burst_keep_their_margin(vt):
    group = fan(-100, ChatKind.GROUP)
    # A group: one every 3.3 s (20 a minute with the margin), answered or not.
    assert await second_send_after(vt, limiter(vt), group, 0.02) == pytest.approx(3.3)
    # Discord's channels allow a burst of five: a count per window, not a spacing.
    discord = limiter(vt, DISCORD_LIMITS)
    start = vt.now
    channel = Chat(ChatRef("discord", "5"))

    async def six() -> float:
        for _ in range(6):
            grant = await discord.acquire(channel, priority=True)
            discord.answered(channel, grant)
        return vt.now - start

    [sixth] = await vt.run(six())
    assert sixth == pytest.approx(1.1)


async def test_a_command_reply_tells_the_limiter_it_was_answered(tmp_path):
    """A command reply reports its answer to the limiter: on a clock that
    stands still, the chat's next send is due exactly one interval later, not 1.1."""

    limits = RateLimits(global_per_second=1000)
    sender = FakeSender("telegram", rate_per_second=1000, burst=100)
    async with SQLiteStore(tmp_path / "pitboard.db") as store:
        engine = DeliveryEngine(
            store,
            {"telegram": sender},
            lambda item, chat: None,
            {"telegram": limits},
            SystemClock(),
        )
        still = PlatformLimiter(limits, monotonic=lambda: 50.0)
        engine._lane("telegram").limiter = still
        chat = fan()
        await engine.reply(chat, Reply(title="Next up", blocks=(paragraph("Free Practice"),)))
        assert still.chat_wait_estimate(chat) == pytest.approx(1.0)
