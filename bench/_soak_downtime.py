"""The soak's downtime: the bot off across due moments, restarted later than the clock it reached.

Like bench/_soak_due.py this imports nothing from `bot`: what should happen to a post whose
moment fell while the bot was off is worked out here from the rules as the README states them
to fans, not from `bot.core.plan.catch_up`, so a catch-up bug shows in the ledger:

- a reminder goes out late (with the true time left) only if its session has not started, and
  a chat gets one late reminder per session: the one nearest the start among those it wanted;
- a start post goes out late ("live now") within the live grace after the start (10 min);
- results go out late within the results grace (3 days);
- a weekend preview goes out late only before the weekend's first session starts;
- everything else that fell in the gap is missed, as expected.

Posts due at or after the restart are due as usual (the bot is up by then).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bench._soak_due import Expected
from bench._soak_support import Stretch

# The defaults the config the soak writes keeps (announcements.live_grace_minutes, ...).
LIVE_GRACE = timedelta(minutes=10)
RESULTS_GRACE = timedelta(days=3)
# Clock time the bot is off: 70 minutes first, then the nearest others, until one gap
# exercises every rule (a chat with two reminders of one session in it, something skipped).
GAPS = tuple(timedelta(minutes=m) for m in (70, 65, 75, 60, 80, 55, 85, 50, 90, 45, 100, 120))
# The stopped run's --until: this long before the first moment of the gap. The bot's pacer
# holds its clock 150 s before a moment while posts due earlier are still going out, so
# the clock cannot reach this --until, however slow the machine, before they are all out.
STOP_BEFORE = timedelta(seconds=60)
SHORTEST_QUIET = timedelta(minutes=5)  # between the last moment before the stop and the next

P = TypeVar("P", bound=Hashable)


@dataclass(frozen=True)
class Downtime:
    stretch: int  # index, in the plan with the downtime, of the run stopped before the gap
    down_from: datetime  # the stopped run's --until: its clock reached this at the latest,
    # and nothing was due between the moment before it and it
    back_at: datetime  # the restarted run's --at

    def covers(self, item: Expected) -> bool:
        return self.down_from < item.due < self.back_at


def sent_late(item: Expected, now: datetime) -> bool:
    """Whether a post whose moment the bot missed still goes out when it is back at `now`."""
    if item.kind == "results":
        return now - item.due <= RESULTS_GRACE
    if item.start is None:
        return False
    if item.kind == "start":
        return now - item.start <= LIVE_GRACE
    return now < item.start  # a reminder, a preview


def after_downtime(
    due: dict[P, Expected], down: Downtime, chat_of: dict[P, Hashable]
) -> tuple[dict[P, Expected], dict[P, Expected]]:
    """(still due, missed as expected): posts in the gap that go out late stay due; of one
    session's late reminders a chat keeps only the one due last (nearest the start)."""
    kept: dict[P, Expected] = {}
    missed: dict[P, Expected] = {}
    nearest: dict[tuple[Hashable, str | None], P] = {}
    for post, item in due.items():
        if not down.covers(item):
            kept[post] = item
        elif not sent_late(item, down.back_at):
            missed[post] = item
        elif item.kind != "reminder":
            kept[post] = item
        else:
            slot = (chat_of[post], item.session)
            other = nearest.get(slot)
            if other is None or due[other].due < item.due:
                if other is not None:
                    missed[other] = due[other]
                nearest[slot] = post
            else:
                missed[post] = item
    kept.update({post: due[post] for post in nearest.values()})
    return kept, missed


def choose(
    plan_: list[Stretch], due: dict[P, Expected], chat_of: dict[P, Hashable]
) -> Downtime | None:
    """The gap that exercises the catch-up rules, chosen from the schedules alone (the same on
    every machine): the bot stopped just before one of a stretch's moments and restarted a
    gap later, still inside the stretch. The first gap (in GAPS' order, then in time) where a
    chat had two reminders of one session (one goes late, one is covered) and something is
    skipped; else the one with most late posts."""
    ordered = sorted(due.items(), key=lambda pair: pair[1].due)
    dues = [item.due for _, item in ordered]
    best: tuple[tuple[bool, bool, int], Downtime] | None = None
    for gap in GAPS:
        for n, stretch in enumerate(plan_):
            moments = [m for m, _ in stretch.moments]
            for moment, following in itertools.pairwise(moments):
                down = Downtime(n, following - STOP_BEFORE, following - STOP_BEFORE + gap)
                if following - moment < SHORTEST_QUIET or down.back_at >= stretch.until:
                    continue
                inside = ordered[
                    bisect_right(dues, down.down_from) : bisect_left(dues, down.back_at)
                ]
                kept, missed = after_downtime(dict(inside), down, chat_of)
                covered = sum(sent_late(item, down.back_at) for item in missed.values())
                score = (covered > 0, len(missed) > covered, len(kept))
                if score[:2] == (True, True):
                    return down
                if kept and (best is None or score > best[0]):
                    best = (score, down)
    return best[1] if best else None


def split(plan_: list[Stretch], down: Downtime, due: dict[P, Expected]) -> list[Stretch]:
    """The plan with the chosen stretch cut in two around the gap; `due` is what is still due
    after the downtime (the late posts go out at the restart)."""
    stretch = plan_[down.stretch]
    before = tuple((m, c) for m, c in stretch.moments if m <= down.down_from)
    later = Counter(
        max(item.due, down.back_at)
        for item in due.values()
        if down.down_from < item.due < stretch.until
    )
    return [
        *plan_[: down.stretch],
        Stretch(stretch.at, down.down_from, before),
        Stretch(down.back_at, stretch.until, tuple(sorted(later.items()))),
        *plan_[down.stretch + 1 :],
    ]
