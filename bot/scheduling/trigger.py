"""An APScheduler trigger that fires when the *injected* clock reaches a moment.

APScheduler measures time with its own real-time clock. The trigger translates: when the job
is added it asks the injected clock how many real seconds remain until the due moment and
fires that long after APScheduler's own `now`. For the system clock that is the due moment
itself; for a replay at 3600× speed an hour of race weekend passes in one real second; a
fixed test clock never fires by itself (the job waits until the clock is moved and the plan
re-made).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

from bot.core.clock import Clock

# APScheduler needs a date for a job that never fires by itself; far enough to mean "never".
NEVER = timedelta(days=3650)


class ClockTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    __slots__ = ("clock", "due")

    def __init__(self, clock: Clock, due: datetime) -> None:
        self.clock = clock
        self.due = due

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is not None:
            return None  # once only
        seconds = self.clock.real_seconds_until(self.due)
        return now + (NEVER if math.isinf(seconds) else timedelta(seconds=seconds))

    def __str__(self) -> str:
        return f"clock[{self.due.isoformat()}]"
