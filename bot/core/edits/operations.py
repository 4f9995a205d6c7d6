"""The edit operations an operator can make, as plain values.

Each is a frozen dataclass that says what to change, by catalog id, and nothing of how: turning
one into new schedule-file text is `bot.core.edits.apply`. `summary()` is the one line the audit
log and the answers show; `action` names the kind of edit in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.model import SessionKind

ResultsMode = Literal["replace", "merge"]


def _when(day: date | None, at: time | None) -> str:
    shown_time = "TBA" if at is None else at.strftime("%H:%M")
    return shown_time if day is None else f"{day.isoformat()} {shown_time}"


@dataclass(frozen=True)
class SetSessionTime:
    """Set a session's start: a time for a TBA one, a moved session, or a new day."""

    session_id: str
    day: date | None  # None: keep the day
    time: time | None  # None: TBA
    utc_offset: timedelta | None = None  # settles a wall time that happens twice

    action = "time"

    @property
    def target(self) -> str:
        return self.session_id

    def summary(self) -> str:
        return f"{self.session_id}: time set to {_when(self.day, self.time)}"


@dataclass(frozen=True)
class CancelSession:
    session_id: str
    cancelled: bool = True  # False: reinstate it

    @property
    def action(self) -> str:
        return "cancel" if self.cancelled else "reinstate"

    @property
    def target(self) -> str:
        return self.session_id

    def summary(self) -> str:
        return f"{self.session_id}: {'cancelled' if self.cancelled else 'reinstated'}"


@dataclass(frozen=True)
class PostponeSession:
    """The time becomes TBA, on a new day when given."""

    session_id: str
    day: date | None = None

    action = "postpone"

    @property
    def target(self) -> str:
        return self.session_id

    def summary(self) -> str:
        where = f" to {self.day.isoformat()}" if self.day else ""
        return f"{self.session_id}: postponed{where}, time TBA"


@dataclass(frozen=True)
class AddEvent:
    series_id: str
    slug: str
    name: str
    round: int | None
    track: str | None
    timezone: str
    start_date: date | None
    end_date: date | None

    action = "add-event"

    @property
    def target(self) -> str:
        return f"{self.series_id}/{self.slug}"

    def summary(self) -> str:
        dates = (
            f"{self.start_date.isoformat()} to {self.end_date.isoformat()}"
            if self.start_date and self.end_date
            else "dates TBA"
        )
        return f"{self.target}: event added ({self.name}, {dates})"


@dataclass(frozen=True)
class AddSession:
    event_id: str
    slug: str
    name: str
    kind: SessionKind
    day: date
    time: time | None  # None: TBA
    duration: timedelta | None = None

    action = "add-session"

    @property
    def target(self) -> str:
        return f"{self.event_id}/{self.slug}"

    def summary(self) -> str:
        return f"{self.target}: session added ({self.name}, {_when(self.day, self.time)})"


@dataclass(frozen=True)
class EnterResults:
    """A session's results: `replace` writes these rows as the whole list; `merge` corrects or
    adds rows (matched by car number, else driver, else position), the incremental path."""

    session_id: str
    rows: tuple[ResultRowInput, ...]
    mode: ResultsMode = "merge"
    complete: bool | None = None  # None: leave results_complete as it is

    action = "results"

    @property
    def target(self) -> str:
        return self.session_id

    def summary(self) -> str:
        verb = "replaced with" if self.mode == "replace" else "entered:"
        done = {True: ", complete", False: ", incomplete", None: ""}[self.complete]
        count = len(self.rows)
        return f"{self.session_id}: results {verb} {count} row{'s' * (count != 1)}{done}"


@dataclass(frozen=True)
class StandingsRowInput:
    line: int
    position: int
    driver_id: str
    points: str  # as published: "44", "12.5"
    column: int | None = None


@dataclass(frozen=True)
class EnterStandings:
    """A standings table as published after an event (replaces one given for that event)."""

    series_id: str
    after_event_id: str
    rows: tuple[StandingsRowInput, ...]
    note: str | None = None

    action = "standings"

    @property
    def target(self) -> str:
        return self.series_id

    def summary(self) -> str:
        return (
            f"{self.series_id}: standings after {self.after_event_id} entered "
            f"({len(self.rows)} rows)"
        )


@dataclass(frozen=True)
class AddEntries:
    """Cars entered in an event, and the drivers among them not yet in drivers.toml."""

    event_id: str
    entries: tuple[EntryInput, ...]
    new_drivers: tuple[DriverInput, ...] = ()

    action = "entries"

    @property
    def target(self) -> str:
        return self.event_id

    def summary(self) -> str:
        entries = _count(len(self.entries), "entry", "entries")
        added = f", {_count(len(self.new_drivers), 'new driver', 'new drivers')}"
        return f"{self.event_id}: {entries} added{added if self.new_drivers else ''}"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


Edit = (
    SetSessionTime
    | CancelSession
    | PostponeSession
    | AddEvent
    | AddSession
    | EnterResults
    | EnterStandings
    | AddEntries
)
