"""A replay's end (--until) is paced like a due moment: with nothing planned before it (nothing
at all, or only moments after it), the clock does not reach it while posts are still going out
(the bot stops there, and a post still queued would be lost to the replay). The clock's
monotonic counter is moved by hand: readings are asserted exactly, never timed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ScaledClock
from bot.scheduling.pacer import JUST_BEFORE, ReplayPacer

START = datetime(2022, 5, 15, 10, 5, tzinfo=UTC)  # just after the weekend's last moment
UNTIL = START + timedelta(hours=12)


class NothingPlanned:
    """The announcer after the last moment of the replay: nothing more is due."""

    firing = False

    def next_due(self) -> datetime | None:
        return None

    def retime(self, hold: datetime) -> None:
        return None


class PlannedAfterTheEnd:
    """The announcer after a weekend's last moment in a replay of that weekend: the rest of the
    season is still planned, the next moment days after the replay's end."""

    firing = False

    def next_due(self) -> datetime | None:
        return UNTIL + timedelta(days=2)

    def retime(self, hold: datetime) -> None:
        return None


@pytest.mark.parametrize(
    ("planned", "unsent_at"),
    [
        (NothingPlanned(), START),  # a start post waiting for its retry
        # The multi-process soak under load: a start post to a Discord channel, claimed by a
        # process restarted after a kill and not yet connected, waited for its retry while the
        # clock ran on to --until (the next planned moment lay beyond it), and both processes
        # stopped there with the post still pending.
        (PlannedAfterTheEnd(), START + timedelta(seconds=2)),
    ],
    ids=["nothing-planned", "planned-after-the-end"],
)
async def test_the_clock_waits_short_of_the_end_while_posts_are_out(
    planned: NothingPlanned | PlannedAfterTheEnd, unsent_at: datetime
) -> None:
    ticks = [0.0]
    clock = ScaledClock(START, speed=4500, monotonic=lambda: ticks[0], started=False)
    unsent: list[datetime | None] = [unsent_at]

    async def earliest_unsent() -> datetime | None:
        return unsent[0]

    pacer = ReplayPacer(clock, planned, earliest_unsent, until=UNTIL)  # type: ignore[arg-type]
    pacer.start_clock()
    await pacer.step()
    assert clock.hold == UNTIL - JUST_BEFORE
    ticks[0] += 1_000_000  # however long the post takes (a restart after a kill, say)
    assert clock.now() == UNTIL - JUST_BEFORE

    unsent[0] = None  # it went out: the clock goes on to the end, not past it
    await pacer.step()
    assert clock.hold == UNTIL
    ticks[0] += 1_000_000
    assert clock.now() == UNTIL


async def test_without_an_end_the_clock_runs_freely_when_nothing_is_planned() -> None:
    ticks = [0.0]
    clock = ScaledClock(START, speed=4500, monotonic=lambda: ticks[0], started=False)

    async def earliest_unsent() -> datetime | None:
        return START

    pacer = ReplayPacer(clock, NothingPlanned(), earliest_unsent)  # type: ignore[arg-type]
    pacer.start_clock()
    await pacer.step()
    assert clock.hold is None
    ticks[0] += 10
    assert clock.now() == START + timedelta(seconds=45_000)
