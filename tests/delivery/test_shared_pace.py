"""The shared pacer's edges, with a store double: a failing database, pauses coming back, late
slots dropped rather than spent."""

from __future__ import annotations

from bot.core.audience import Chat, ChatRef
from bot.delivery.ratelimit import PlatformLimiter, RateLimits
from bot.delivery.shared_pace import SharedPacer, shared_pacer
from bot.store.pace import EVERY_CHAT, SendSlots

LIMITS = RateLimits(global_per_second=1000.0)


class AwayStore:
    async def reserve_send_slots(self, bucket: str, count: int, spacing: float) -> SendSlots:
        raise ConnectionError("database away")

    async def note_send_pause(self, bucket: str, chat_id: str, seconds: float) -> None:
        raise ConnectionError("database away")


class SlotStore:
    """Hands out slots at once, with the pauses it is given."""

    def __init__(self, pauses: tuple[tuple[str, float], ...] = ()) -> None:
        self.pauses = pauses
        self.asked: list[int] = []

    async def reserve_send_slots(self, bucket: str, count: int, spacing: float) -> SendSlots:
        self.asked.append(count)
        return SendSlots(0.0, count, spacing, self.pauses)

    async def note_send_pause(self, bucket: str, chat_id: str, seconds: float) -> None:
        pass


async def test_a_send_keeps_to_its_own_buckets_when_the_database_is_away() -> None:
    limiter = PlatformLimiter(LIMITS)
    limiter.share(shared_pacer(AwayStore(), "telegram", limiter))
    await limiter.acquire(Chat(ChatRef("telegram", "1")))
    limiter.refused(Chat(ChatRef("telegram", "1")), 30)  # noting it fails, logged, no raise
    assert limiter.shared is not None
    await limiter.shared.settle()
    assert limiter.shared.stats.unshared == 1 and limiter.shared.stats.pauses_noted == 0


async def test_pauses_learnt_with_a_reservation_pause_this_processs_chats() -> None:
    limiter = PlatformLimiter(LIMITS)
    store = SlotStore(pauses=(("42", 600.0), (EVERY_CHAT, 0.0)))
    limiter.share(shared_pacer(store, "telegram", limiter))
    await limiter.acquire(Chat(ChatRef("telegram", "1")))
    assert limiter.chat_wait_estimate(Chat(ChatRef("telegram", "42"))) > 500
    assert limiter.chat_wait_estimate(Chat(ChatRef("telegram", "1"))) < 500


async def test_a_slot_missed_by_more_than_its_spacing_is_dropped_not_spent() -> None:
    now = [100.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    store = SlotStore()
    pacer = SharedPacer(
        store, "telegram", 100.0, on_pause=lambda *_: None, monotonic=lambda: now[0], sleep=sleep
    )
    await pacer.take(demand=3)  # four slots, 10 ms apart from 100.0; the first taken
    assert store.asked == [4]
    now[0] += 0.5  # the process fell behind: the other three are long past
    await pacer.take()
    assert pacer.stats.dropped == 3 and store.asked[-1] >= 1 and pacer.stats.reservations == 2
