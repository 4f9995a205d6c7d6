"""Command throttling per fan and chat: one fan sending commands in a loop must not slow the bot
for everyone else. Each (chat, fan) has a small token bucket; over it, one "slow down" answer,
then silence until it has waited, and the commands cost no queries or database work meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class CommandThrottle:
    def __init__(
        self,
        *,
        per_second: float = 1.0,
        burst: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        max_chats: int = 10_000,
    ) -> None:
        self._rate = per_second
        self._burst = burst
        self._monotonic = monotonic
        self._max_chats = max_chats
        self._buckets: dict[Hashable, _Bucket] = {}

    def check(self, chat: Hashable) -> str:
        """ "ok" to answer; "warn" to say slow down (once); "drop" to answer nothing."""
        now = self._monotonic()
        bucket = self._buckets.get(chat)
        if bucket is None:
            if len(self._buckets) >= self._max_chats:
                self._forget_full(now)
            bucket = self._buckets[chat] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def wait_seconds(self, chat: Hashable) -> float:
        bucket = self._buckets.get(chat)
        return 0.0 if bucket is None else max(0.0, (1.0 - bucket.tokens) / self._rate)

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely is the same as a new one: drop those.
        full = [
            ref
            for ref, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self._rate >= self._burst
        ]
        for ref in full:
            del self._buckets[ref]
