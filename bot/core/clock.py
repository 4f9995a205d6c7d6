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

    Made with `started=False` it shows its start instant until `start()`: the runtime starts
    it when the bot is ready, so that no replayed moment passes while the bot is still
    logging in. A replay is also paced (`bot.scheduling.pacer`): `hold_at(moment)` lets the
    clock run up to `moment` and no further until the hold is moved, so it never passes a due
    moment while the posts due before it are still going out.
    """

    def __init__(
        self,
        start: datetime,
        speed: float = 1.0,
        monotonic: Callable[[], float] | None = None,
        *,
        started: bool = True,
    ) -> None:
        if not speed > 0 or math.isinf(speed):
            raise ValueError("speed must be a positive number")
        self._start = require_aware(start)
        self.speed = speed
        self._monotonic = monotonic or time.monotonic
        self._origin: float | None = self._monotonic() if started else None
        self._hold: datetime | None = None

    @property
    def started(self) -> bool:
        return self._origin is not None

    @property
    def hold(self) -> datetime | None:
        """The moment the clock may not pass (None: it runs freely)."""
        return self._hold

    def start(self) -> None:
        """Let the clock run from its start instant (again calling it changes nothing)."""
        if self._origin is None:
            self._origin = self._monotonic()

    def now(self) -> datetime:
        if self._origin is None:
            return self._start
        running = self._start + timedelta(seconds=(self._monotonic() - self._origin) * self.speed)
        return running if self._hold is None else min(running, self._hold)

    def hold_at(self, moment: datetime | None) -> None:
        """Run at most up to `moment` (None: no limit). A clock standing at its old hold moves
        on from there, not from where it would have been without the hold: holding never makes
        the clock jump, and it never goes back (a moment already passed holds it where it is)."""
        if moment is not None:
            moment = require_aware(moment)
        if self._origin is not None:
            # Restart the run from where the clock stands now: time spent held is not made up.
            self._start, self._origin = self.now(), self._monotonic()
            if moment is not None:
                moment = max(moment, self._start)
        self._hold = moment

    def follow(self, reading: datetime, hold: datetime | None, speed: float) -> None:
        """Show `reading` now and run at `speed` up to `hold`: another process's clock, as it
        published it (bot.scheduling.shared_clock). Started if it was not. It never passes the
        hold, and does not go back from where it stands unless it stands past the new hold."""
        reading = require_aware(reading)
        if hold is not None:
            hold = require_aware(hold)
        if not speed > 0 or math.isinf(speed):
            raise ValueError("speed must be a positive number")
        shown = max(self.now(), reading) if self.started else reading
        self._start = shown if hold is None else min(shown, hold)
        self._origin = self._monotonic()
        self.speed = speed
        self._hold = hold

    def real_seconds_until(self, moment: datetime) -> float:
        """How long to really wait for the clock to show `moment` (0 if already past); infinity
        while it is not started or held before `moment`: only a later call can tell."""
        now = self.now()
        if moment <= now:
            return 0.0
        if self._origin is None or (self._hold is not None and moment > self._hold):
            return math.inf
        return (moment - now).total_seconds() / self.speed
