"""Injected time: nothing in Pitboard reads the system clock except `SystemClock`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def real_seconds_until(self, moment: datetime) -> float:
        """How many real seconds pass before this clock shows `moment` (0 if it already has;
        infinity for a clock that never moves by itself)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.now()).total_seconds())


class FixedClock:
    """A clock that stands still until told to move: for tests and `--at`."""

    def __init__(self, at: datetime) -> None:
        self._at = require_aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = require_aware(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def real_seconds_until(self, moment: datetime) -> float:
        # It only moves when a test moves it: waiting for it in real time would be forever.
        return 0.0 if moment <= self._at else math.inf


def require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; give an offset such as +02:00")
    return moment.astimezone(UTC)


class ScaledClock:
    """Starts at a chosen instant and runs `speed` times faster than real time.

    `pitboard run --at … --speed 3600` replays a race weekend with it; speed 1 is simply "now
    is then". It reads only a monotonic counter, so system clock changes cannot make it jump.
    """

    def __init__(
        self, start: datetime, speed: float = 1.0, monotonic: Callable[[], float] | None = None
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = require_aware(start)
        self.speed = speed
        self._monotonic = monotonic or time.monotonic
        self._origin = self._monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(self._monotonic() - self._origin) * self.speed)

    def real_seconds_until(self, moment: datetime) -> float:
        """How long to really wait for the clock to show `moment` (0 if already past)."""
        return max(0.0, (moment - self.now()).total_seconds() / self.speed)
