"""The bot's replay clock as the soak sees it from outside: read from the bot's log.

A paced replay clock (bot.scheduling.pacer) is held while posts are still going out, so its
reading is no longer "--at + real time x speed". The pacer logs every move:

    2026-12-03 00:42:08,294 INFO pitboard.scheduling: replay clock at X, runs to Y

and from that line on, until the next, the clock shows min(X + (t - logged) x speed, Y). Before
the first line the clock stands at --at (it starts when the bot is ready). The log's
timestamps are local wall time to the millisecond, the soak's arrivals `time.time()`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

_MOVE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO pitboard\.scheduling: "
    r"replay clock at (\S+), runs to (.+)$"
)


@dataclass
class BotClock:
    log: Path
    at: datetime  # --at
    speed: float
    walls: list[float] = field(default_factory=list)
    moves: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    _offset: int = 0
    _partial: str = ""

    @property
    def started(self) -> float | None:
        """Wall time the clock started (its first move), None before."""
        return self.walls[0] if self.walls else None

    def refresh(self) -> None:
        """Read what the bot logged since the last call."""
        try:
            with self.log.open("rb") as stream:
                stream.seek(self._offset)
                chunk = stream.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        text = self._partial + chunk.decode(errors="replace")
        lines = text.split("\n")
        self._partial = lines.pop()
        for line in lines:
            found = _MOVE.match(line)
            if found:
                wall = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                hold = (
                    None if found.group(3) == "the end" else datetime.fromisoformat(found.group(3))
                )
                self.walls.append(wall)
                self.moves.append((datetime.fromisoformat(found.group(2)), hold))

    def reading(self, wall: float) -> datetime:
        """What the bot's clock showed at `wall`."""
        n = bisect.bisect_right(self.walls, wall) - 1
        if n < 0:
            return self.at
        shown, hold = self.moves[n]
        running = shown + timedelta(seconds=(wall - self.walls[n]) * self.speed)
        return running if hold is None else min(running, hold)
