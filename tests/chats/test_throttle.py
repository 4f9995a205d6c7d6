"""The per-chat command bucket, on a fake clock."""

from bot.chats.throttle import CommandThrottle
from bot.core.audience import ChatRef

SPAMMER = ChatRef("telegram", "1")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_one_warning_then_silence_then_refill() -> None:
    clock = Clock()
    throttle = CommandThrottle(per_second=1.0, burst=3.0, monotonic=clock)
    verdicts = [throttle.check(SPAMMER) for _ in range(6)]
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert throttle.wait_seconds(SPAMMER) == 1.0
    clock.now = 1.0
    assert throttle.check(SPAMMER) == "ok"
    assert throttle.check(SPAMMER) == "warn"  # a new warning after a fresh answer


def test_full_buckets_are_forgotten_when_the_table_is_full() -> None:
    clock = Clock()
    throttle = CommandThrottle(burst=2.0, monotonic=clock, max_chats=10)
    for n in range(10):
        throttle.check(ChatRef("telegram", str(n)))
    clock.now = 100.0
    throttle.check(ChatRef("telegram", "new"))
    assert len(throttle._buckets) == 1
