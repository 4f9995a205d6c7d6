"""The replay clock: started when the bot is ready, held where the pacer says, never jumping."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ScaledClock

T0 = datetime(2022, 5, 13, 13, 0, tzinfo=UTC)


class Ticks:
    """A monotonic counter the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_unstarted_clock_stands_at_its_start_until_started() -> None:
    ticks = Ticks()
    clock = ScaledClock(T0, speed=60, monotonic=ticks, started=False)
    ticks.now += 30  # start-up takes half a minute: no replayed time passes meanwhile
    assert clock.now() == T0 and not clock.started
    assert math.isinf(clock.real_seconds_until(T0 + timedelta(minutes=1)))
    clock.start()
    assert clock.real_seconds_until(T0 + timedelta(minutes=1)) == 1.0
    ticks.now += 2
    assert clock.now() == T0 + timedelta(minutes=2)
    clock.start()  # once only
    assert clock.now() == T0 + timedelta(minutes=2)


def test_a_held_clock_stops_at_its_hold_and_moves_on_from_there() -> None:
    ticks = Ticks()
    clock = ScaledClock(T0, speed=60, monotonic=ticks)
    hold = T0 + timedelta(minutes=5)
    clock.hold_at(hold)
    assert clock.real_seconds_until(hold) == 5.0
    assert math.isinf(clock.real_seconds_until(hold + timedelta(seconds=1)))
    ticks.now += 60  # an hour of clock, were it not held
    assert clock.now() == hold
    clock.hold_at(hold + timedelta(minutes=10))
    assert clock.now() == hold  # no jump: the held time is not made up
    ticks.now += 1
    assert clock.now() == hold + timedelta(minutes=1)
    clock.hold_at(None)
    ticks.now += 30
    assert clock.now() == hold + timedelta(minutes=31)


def test_a_hold_already_passed_holds_the_clock_where_it_is() -> None:
    ticks = Ticks()
    clock = ScaledClock(T0, speed=60, monotonic=ticks)
    ticks.now += 10
    clock.hold_at(T0)
    assert clock.now() == T0 + timedelta(minutes=10)
    ticks.now += 10
    assert clock.now() == T0 + timedelta(minutes=10)


@pytest.mark.parametrize("speed", [0.0, -1.0, math.inf, math.nan])
def test_a_speed_must_be_a_positive_number(speed: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(T0, speed=speed)


def test_a_following_clock_shows_the_reading_runs_to_the_hold_and_never_goes_back() -> None:
    """`follow`: another process's clock as it published it (bot.scheduling.shared_clock)."""
    ticks = [0.0]
    start = datetime(2022, 5, 13, 12, 0, tzinfo=UTC)
    clock = ScaledClock(start, speed=60, monotonic=lambda: ticks[0], started=False)
    clock.follow(start + timedelta(minutes=10), start + timedelta(minutes=30), 60)
    assert clock.started and clock.now() == start + timedelta(minutes=10)
    ticks[0] += 5  # five real seconds: five clock minutes
    assert clock.now() == start + timedelta(minutes=15)
    ticks[0] += 1_000
    assert clock.now() == start + timedelta(minutes=30)  # never past the hold
    # A publication read late (behind where the clock stands) does not take it back...
    clock.follow(start + timedelta(minutes=20), start + timedelta(minutes=40), 60)
    assert clock.now() == start + timedelta(minutes=30)
    # ...but a new hold before where it stands does: the hold is never passed.
    clock.follow(start + timedelta(minutes=20), start + timedelta(minutes=25), 60)
    assert clock.now() == start + timedelta(minutes=25)
