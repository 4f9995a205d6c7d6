"""The edit operations an operator can make, as plain values.

Each is a frozen dataclass that says what to change, by catalog id, and nothing of how: turning
one into new schedule-file text is `bot.core.edits.apply`. `summary()` is the one line the audit
log and the answers show, in the current language (the editor records it in English: the audit
log is a record, read as written); `action` names the kind of edit in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.i18n import _, ngettext
from bot.core.model import SessionKind

ResultsMode = Literal["replace", "merge"]


def _when(day: date | None, at: time | None) -> str:
    # "TBA" as the schedule files write it and as the operator types it: a keyword.
    shown_time = "TBA" if at is None else at.strftime("%H:%M")  # i18n: not user text (keyword)
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
        return _("{session}: time set to {when}").format(
            session=self.session_id, when=_when(self.day, self.time)
        )


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
        if self.cancelled:
            return _("{session}: cancelled").format(session=self.session_id)
        return _("{session}: reinstated").format(session=self.session_id)


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
        if self.day:
            return _("{session}: postponed to {day}, time TBA").format(
                session=self.session_id, day=self.day.isoformat()
            )
        return _("{session}: postponed, time TBA").format(session=self.session_id)


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
        if self.start_date and self.end_date:
            return _("{event}: event added ({name}, {start} to {end})").format(
                event=self.target,
                name=self.name,
                start=self.start_date.isoformat(),
                end=self.end_date.isoformat(),
            )
        return _("{event}: event added ({name}, dates TBA)").format(
            event=self.target, name=self.name
        )


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
        return _("{session}: session added ({name}, {when})").format(
            session=self.target, name=self.name, when=_when(self.day, self.time)
        )


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
        n = len(self.rows)
        replaced = self.mode == "replace"
        # One sentence per variant, so that each language can word it whole.
        if self.complete is None:
            text = (
                ngettext(
                    "{session}: results replaced with {n} row",
                    "{session}: results replaced with {n} rows",
                    n,
                )
                if replaced
                else ngettext(
                    "{session}: results entered: {n} row", "{session}: results entered: {n} rows", n
                )
            )
        elif self.complete:
            text = (
                ngettext(
                    "{session}: results replaced with {n} row, complete",
                    "{session}: results replaced with {n} rows, complete",
                    n,
                )
                if replaced
                else ngettext(
                    "{session}: results entered: {n} row, complete",
                    "{session}: results entered: {n} rows, complete",
                    n,
                )
            )
        else:
            text = (
                ngettext(
                    "{session}: results replaced with {n} row, incomplete",
                    "{session}: results replaced with {n} rows, incomplete",
                    n,
                )
                if replaced
                else ngettext(
                    "{session}: results entered: {n} row, incomplete",
                    "{session}: results entered: {n} rows, incomplete",
                    n,
                )
            )
        return text.format(session=self.session_id, n=n)


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
        return _("{series}: standings after {event} entered ({n} rows)").format(
            series=self.series_id, event=self.after_event_id, n=len(self.rows)
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
        entries = ngettext("{n} entry added", "{n} entries added", len(self.entries))
        said = [entries.format(n=len(self.entries))]
        if self.new_drivers:
            drivers = ngettext("{n} new driver", "{n} new drivers", len(self.new_drivers))
            said.append(drivers.format(n=len(self.new_drivers)))
        return f"{self.event_id}: {', '.join(said)}"


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
