"""Token buckets on virtual time: rates, bursts, priority ahead of bulk, pauses, pruning."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.core.audience import Chat, ChatKind, ChatRef
from bot.delivery.ratelimit import PlatformLimiter, RateLimits, TokenBucket


class VirtualTime:
    """A monotonic clock and sleep that only move when every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(w) for w in work]
        while True:
            for _ in range(50):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                return [task.result() for task in tasks]
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleepers
            if not self._sleepers:
                raise AssertionError("deadlock: tasks wait but nobody sleeps")
            at, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            future.set_result(None)

    async def at(self, moment: float, work: Awaitable[Any]) -> Any:
        await self.sleep(moment - self.now)
        return await work


class LateWakeups(VirtualTime):
    """Virtual time in which every sleep ends `lateness` seconds late, as on a busy loop."""

    def __init__(self, lateness: float) -> None:
        super().__init__()
        self.lateness = lateness

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.lateness)


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def bucket(vt: VirtualTime, rate: float, burst: float = 1.0) -> TokenBucket:
    return TokenBucket(rate, burst, monotonic=vt.monotonic, sleep=vt.sleep)


async def take_times(
    vt: VirtualTime, b: TokenBucket, n: int, priority: bool = False
) -> list[float]:
    times = []
    for _ in range(n):
        await b.acquire(priority)
        times.append(vt.now)
    return times


async def test_a_bucket_hands_out_tokens_at_its_rate(vt):
    b = bucket(vt, rate=10)
    [times] = await vt.run(take_times(vt, b, 21))
    assert times == pytest.approx([i / 10 for i in range(21)])


async def test_a_full_bucket_allows_a_burst_then_the_rate(vt):
    b = bucket(vt, rate=5, burst=3)
    [times] = await vt.run(take_times(vt, b, 6))
    assert times == pytest.approx([0, 0, 0, 0.2, 0.4, 0.6])


async def test_idle_time_refills_only_up_to_the_burst(vt):
    b = bucket(vt, rate=5, burst=3)
    await vt.run(take_times(vt, b, 3))

    async def later():
        await vt.sleep(100)
        return await take_times(vt, b, 5)

    [times] = await vt.run(later())
    assert times == pytest.approx([100, 100, 100, 100.2, 100.4])


async def test_concurrent_callers_share_the_rate_in_arrival_order(vt):
    b = bucket(vt, rate=4)
    order: list[tuple[str, float]] = []

    async def caller(name: str):
        await b.acquire()
        order.append((name, vt.now))

    await vt.run(*(caller(n) for n in "abcde"))
    assert [name for name, _ in order] == list("abcde")
    assert [t for _, t in order] == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])


async def test_a_priority_caller_goes_ahead_of_queued_bulk_callers(vt):
    b = bucket(vt, rate=10)
    order: list[tuple[str, float]] = []

    async def caller(name: str, priority: bool = False):
        await b.acquire(priority)
        order.append((name, vt.now))

    bulk = [caller(f"bulk{i}") for i in range(5)]
    # The reply arrives while four bulk sends are still waiting for tokens.
    reply = vt.at(0.05, caller("reply", priority=True))
    await vt.run(*bulk, reply)

    assert [name for name, _ in order] == ["bulk0", "reply", "bulk1", "bulk2", "bulk3", "bulk4"]
    assert [t for _, t in order] == pytest.approx([0, 0.1, 0.2, 0.3, 0.4, 0.5])


async def test_priority_callers_keep_their_own_order(vt):
    b = bucket(vt, rate=10)
    order: list[str] = []

    async def caller(name: str, priority: bool):
        await b.acquire(priority)
        order.append(name)

    await vt.run(
        caller("bulk0", False), caller("bulk1", False), caller("p0", True), caller("p1", True)
    )
    # bulk0 found a free token; everything that had to queue went priority first.
    assert order == ["bulk0", "p0", "p1", "bulk1"]


async def test_a_flood_of_priority_callers_cannot_starve_bulk_callers(vt):
    b = bucket(vt, rate=10)
    grants: list[str] = []

    async def caller(kind: str, n: int):
        for _ in range(n):
            await b.acquire(kind == "reply")
            grants.append(kind)

    # More replies than the bucket has tokens for, all the time.
    await vt.run(caller("bulk", 10), *(caller("reply", 15) for _ in range(4)))
    both_waiting = grants[:40]
    assert both_waiting[:10] == ["bulk", *["reply"] * 4, "bulk", *["reply"] * 4]
    assert both_waiting.count("bulk") == 8  # one grant in five
    assert max(_runs(both_waiting, "reply")) == 4
    assert grants.count("bulk") == 10


def _runs(grants: list[str], kind: str) -> list[int]:
    runs, current = [], 0
    for grant in grants:
        current = current + 1 if grant == kind else 0
        runs.append(current)
    return runs


async def test_a_pause_stops_everyone_until_it_ends_then_resumes_at_the_rate(vt):
    b = bucket(vt, rate=10, burst=5)
    times: list[float] = []

    async def sender():
        for _ in range(6):
            await b.acquire()
            times.append(vt.now)
            if len(times) == 2:
                b.pause(3.0)  # the platform said "retry after 3 s"

    await vt.run(sender())
    assert times[:2] == pytest.approx([0, 0])
    # Nothing during the pause; then a single token, not a refilled burst of five.
    assert times[2:] == pytest.approx([3.0, 3.1, 3.2, 3.3])


async def test_a_shorter_pause_does_not_cut_a_longer_one_short(vt):
    b = bucket(vt, rate=10)
    await vt.run(b.acquire())
    b.pause(5.0)
    b.pause(1.0)
    assert b.paused_for() == pytest.approx(5.0)
    [times] = await vt.run(take_times(vt, b, 1))
    assert times == pytest.approx([5.0])


async def test_a_cancelled_waiter_does_not_hold_up_the_queue(vt):
    b = bucket(vt, rate=1)
    got: list[str] = []

    async def caller(name: str):
        await b.acquire()
        got.append(name)

    async def scenario():
        first = asyncio.ensure_future(caller("first"))
        doomed = asyncio.ensure_future(caller("doomed"))
        last = asyncio.ensure_future(caller("last"))
        await vt.sleep(0.5)
        doomed.cancel()
        await asyncio.gather(first, last)
        return vt.now

    [finished] = await vt.run(scenario())
    assert got == ["first", "last"]
    assert finished == pytest.approx(1.0)


def test_rates_and_bursts_must_make_sense():
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(ValueError):
        TokenBucket(float("inf"))
    with pytest.raises(ValueError):
        TokenBucket(1, burst=0.5)


def test_telegram_limits_are_the_defaults():
    limits = RateLimits()
    assert (limits.global_per_second, limits.per_chat_per_second) == (30, 1)
    assert limits.per_group_per_minute == 20
    # Burst 7.5 (a quarter of a second's sends; a broadcast may use 1.2 of it), refilled at
    # 30/s less a 1 % margin, at most 30 sends counted in any one second, each counted until
    # its answer and a second beyond.
    assert limits.effective_global_burst() == pytest.approx(7.5)
    assert limits.effective_global_bulk_burst() == pytest.approx(1.2)
    assert limits.global_refill_per_second() == pytest.approx(29.7)
    assert limits.global_window_cap() == 30
    # A chat gets one message every 1.1 s, a group one every 3.3 s: 10 % under the limits.
    assert limits.chat_refill_per_second() == pytest.approx(1 / 1.1)
    assert limits.group_refill_per_second() == pytest.approx(1 / 3.3)


def chat(n: int, kind: ChatKind = ChatKind.PRIVATE) -> Chat:
    return Chat(ChatRef("telegram", str(n)), kind=kind)


def limiter(vt: VirtualTime, limits: RateLimits, **kw: Any) -> PlatformLimiter:
    return PlatformLimiter(limits, monotonic=vt.monotonic, sleep=vt.sleep, **kw)


async def test_one_chat_gets_one_message_a_second_while_others_go_at_the_global_rate(vt):
    lim = limiter(vt, RateLimits(global_per_second=100, global_burst=1, global_margin=0))
    sent: list[tuple[int, float]] = []

    async def send(n: int):
        await lim.acquire(chat(n))
        sent.append((n, vt.now))

    await vt.run(*(send(n) for n in [1, 1, 1, 2, 3, 4]))
    to_one = [t for n, t in sent if n == 1]
    # One a second, with the 10 % margin: 1.1 s apart.
    assert to_one == pytest.approx([0, 1.1, 2.2])
    others = sorted(t for n, t in sent if n != 1)
    # The global bucket refills at the limit (no margin here): 100/s.
    assert others == pytest.approx([1 / 100, 2 / 100, 3 / 100])


async def test_a_group_gets_twenty_messages_a_minute(vt):
    lim = limiter(vt, RateLimits())
    times: list[float] = []

    async def send():
        await lim.acquire(chat(-100, ChatKind.GROUP))
        times.append(vt.now)

    await vt.run(*(send() for _ in range(4)))
    # One every three seconds, with the 10 % margin.
    assert sorted(times) == pytest.approx([0, 3.3, 6.6, 9.9])
    assert lim.chat_wait_estimate(chat(-100, ChatKind.GROUP)) == pytest.approx(3.3)


async def test_a_pause_holds_every_chat_on_the_platform(vt):
    lim = limiter(vt, RateLimits(global_per_second=100, global_burst=1))
    times: list[float] = []

    async def send(n: int):
        await lim.acquire(chat(n))
        times.append(vt.now)

    await vt.run(send(1))
    lim.pause(2.0)
    await vt.run(*(send(n) for n in range(2, 5)))
    assert min(times[1:]) >= 2.0


async def test_a_refusal_for_one_chat_holds_that_chat_and_nobody_else(vt):
    lim = limiter(vt, RateLimits(global_per_second=100, global_burst=1))
    times: dict[int, float] = {}

    async def send(n: int):
        await lim.acquire(chat(n))
        times[n] = vt.now

    await vt.run(send(1))
    assert lim.refused(chat(1), 30.0) is False
    await vt.run(send(2), send(3), send(1))
    assert times[2] < 1.0 and times[3] < 1.0
    assert times[1] >= 30.0
    assert lim.paused_for() == 0


async def test_refusals_for_several_chats_at_once_hold_only_those_chats(vt):
    lim = limiter(vt, RateLimits(global_per_second=100, global_burst=1))
    times: dict[int, float] = {}

    async def send(n: int):
        await lim.acquire(chat(n))
        times[n] = vt.now

    # Telegram's 429 does not say which limit was hit: a few refusals bunched together are
    # the chats' own flood control (or arrival jitter), not a reason to stop everyone.
    for n in (1, 2, 3, 4):
        assert lim.refused(chat(n), 5.0) is False
    assert lim.paused_for() == 0
    await vt.run(*(send(n) for n in range(1, 9)))
    assert all(times[n] < 1.0 for n in range(5, 9))
    assert all(times[n] >= 5.0 for n in range(1, 5))


async def test_a_refusal_the_platform_calls_global_holds_every_chat(vt):
    lim = limiter(vt, RateLimits(global_per_second=100, global_burst=1))
    times: dict[int, float] = {}

    async def send(n: int):
        await lim.acquire(chat(n))
        times[n] = vt.now

    assert lim.refused(chat(1), 5.0, platform_wide=True) is True
    assert lim.paused_for() == pytest.approx(5.0)
    await vt.run(*(send(n) for n in range(1, 5)))
    assert min(times.values()) >= 5.0


async def test_a_reply_overtakes_a_fan_out_waiting_for_the_global_limit(vt):
    lim = limiter(vt, RateLimits(global_per_second=10, global_burst=1, global_margin=0))
    order: list[str] = []

    async def send(n: int, priority: bool = False):
        await lim.acquire(chat(n), priority=priority)
        order.append("reply" if priority else str(n))

    bulk = [send(n) for n in range(1, 21)]
    await vt.run(*bulk, vt.at(0.55, send(999, priority=True)))
    # Refilled at 10/s: at 0.55 s six bulk sends had gone (0, 0.1 .. 0.5); the reply took
    # the next token.
    assert order.index("reply") == 6


async def test_a_chat_never_gets_two_messages_within_its_limit_plus_the_margin(vt):
    lim = limiter(vt, RateLimits(global_per_second=1000))
    times: list[float] = []

    async def send():
        await lim.acquire(chat(7))
        times.append(vt.now)

    await vt.run(*(send() for _ in range(10)))
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 1.1 - 1e-9


async def test_workers_that_wake_late_catch_up_within_the_global_limit():
    late = LateWakeups(lateness=0.005)
    lim = PlatformLimiter(
        RateLimits(global_per_second=100), monotonic=late.monotonic, sleep=late.sleep
    )
    times: list[float] = []

    async def send(n: int):
        await lim.acquire(chat(n))
        times.append(late.now)

    await late.run(*(send(n) for n in range(400)))
    # Every sleep ends 5 ms late, half a token at this rate. With a burst of one token the
    # overslept half was lost each time: 400 sends took 6 s (66/s). The burst of four keeps
    # it, so the rate stays at the limit less its margin ...
    assert times[-1] < 400 / 95
    # ... and the cap keeps any one second within the limit.
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest <= 100


async def test_no_one_second_window_exceeds_the_global_limit(vt):
    lim = limiter(vt, RateLimits(global_per_second=30))
    times: list[float] = []

    async def send(n: int):
        await lim.acquire(chat(n))
        times.append(vt.now)

    await vt.run(*(send(n) for n in range(200)))
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest <= 30


async def test_a_send_counts_in_the_last_second_until_its_answer_however_late(vt):
    # Sends in the first half second take 0.3 s to arrive (a stalled connection, a busy
    # event loop), later ones a millisecond. Counted only from their tokens, the slow ones
    # would arrive in the same second as 0.3 s more of prompt ones: about 130 at 100/s.
    lim = limiter(vt, RateLimits(global_per_second=100))
    arrivals: list[float] = []

    async def send(n: int):
        grant = await lim.acquire(chat(n))
        await vt.sleep(0.3 if vt.now < 0.5 else 0.001)  # on its way
        arrivals.append(vt.now)
        await vt.sleep(0.001)  # the answer on its way back
        lim.finished(grant)

    await vt.run(*(send(n) for n in range(400)))
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals)
    assert busiest <= 100


async def test_a_crowd_of_replies_goes_at_once_while_a_broadcast_bursts_a_little(vt):
    b = TokenBucket(100, 25, monotonic=vt.monotonic, sleep=vt.sleep, bulk_burst=4)
    fan_out, replies = await vt.run(take_times(vt, b, 30), vt.at(0.05, take_times(vt, b, 12, True)))
    # The broadcast takes four at once, then one every 10 ms; twelve replies at 50 ms take
    # the tokens it left and go at once (the broadcast gets its turn among them, one in five).
    assert fan_out[:4] == [0.0] * 4
    assert fan_out[4:6] == pytest.approx([0.01, 0.02])
    assert replies == [0.05] * 12


async def test_a_broadcast_held_back_by_the_count_of_the_last_second_does_not_bunch_up(vt):
    # Answers take 5 ms, so each second's count holds a little more than the pace puts in
    # it and now and then holds the broadcast back. Were all the tokens that refill meanwhile
    # spent at once when it lets go, fifty sends would leave together and then nothing for a
    # quarter second, every second.
    limits = RateLimits(global_per_second=200)
    lim = limiter(vt, limits)
    sent: list[float] = []
    queue = list(range(1600))

    async def worker():
        while queue:
            grant = await lim.acquire(chat(queue.pop()))
            sent.append(vt.now)
            await vt.sleep(0.005)
            lim.finished(grant)

    await vt.run(*(worker() for _ in range(100)))
    steady = [t for t in sent if t >= 1.0]
    most_in_10_ms = max(sum(1 for t in steady if start <= t < start + 0.01) for start in steady)
    assert most_in_10_ms <= limits.effective_global_bulk_burst() + 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(steady)]
    assert max(gaps) < 0.05


async def test_finishing_a_send_twice_or_one_never_granted_counts_nothing_more(vt):
    b = TokenBucket(1000, 10, monotonic=vt.monotonic, sleep=vt.sleep, window_cap=10)
    grants = [await b.acquire() for _ in range(10)]  # all at 0
    vt.now = 0.5
    b.finished(grants[0])  # counted from 0.5 on instead
    b.finished(grants[0])
    b.finished(grants[-1] + 1000)
    times = await vt.run(take_times(vt, b, 10))
    # Nine of the ten leave the last second at 1.0, the finished one at 1.5.
    assert times[0] == [1.0] * 9 + [1.5]


async def test_sends_never_finished_are_not_remembered_for_ever(vt):
    # A send taken but never finished (its chat moved while it waited, say) leaves a stamp;
    # 5,000 of them over five seconds leave no more than a second's worth beyond the first
    # thousand.
    b = TokenBucket(1000, 1, monotonic=vt.monotonic, sleep=vt.sleep, window_cap=1000)
    await vt.run(take_times(vt, b, 5000))
    assert vt.now >= 4.9
    assert len(b._stamps) <= 1024 + 1000


async def test_buckets_of_chats_not_sent_to_lately_are_forgotten(vt):
    lim = limiter(vt, RateLimits(global_per_second=1000), keep_idle_buckets=100)
    most = 0

    async def fan_out():
        nonlocal most
        for n in range(10_000):
            await lim.acquire(chat(n))
            most = max(most, lim.tracked_buckets)

    await vt.run(fan_out())
    # Only chats sent to in the last 1.1 s (a chat's bucket refills in a second plus its
    # margin: about 1,100 at this rate, and a broadcast's burst at the start) can still be
    # refilling.
    limits = RateLimits(global_per_second=1000)
    assert most <= 1100 + limits.effective_global_bulk_burst() + 100 + 10
    expected = (10_000 - limits.effective_global_bulk_burst()) / limits.global_refill_per_second()
    assert vt.now == pytest.approx(expected, rel=0.02)
