"""TEMPORARY stand-in for helper A's Editor API (SPEC16 §5, §7), deleted once e16a is merged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal, Protocol

from bot.core.catalog import Catalog
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.model import Session, SessionKind


@dataclass(frozen=True)
class Actor:
    platform: str
    user_id: str | None
    display: str | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class SetSessionTime:
    session_id: str
    day: date | None
    time: time | None
    utc_offset: timedelta | None = None

    def summary(self) -> str:
        return f"{self.session_id}: {self.day} {self.time or 'TBA'}"


@dataclass(frozen=True)
class CancelSession:
    session_id: str
    cancelled: bool = True

    def summary(self) -> str:
        return f"{'cancel' if self.cancelled else 'reinstate'} {self.session_id}"


@dataclass(frozen=True)
class PostponeSession:
    session_id: str
    day: date | None

    def summary(self) -> str:
        return f"postpone {self.session_id}"


ResultsMode = Literal["replace", "merge"]


@dataclass(frozen=True)
class EnterResults:
    session_id: str
    rows: tuple[ResultRowInput, ...]
    mode: ResultsMode = "merge"
    complete: bool | None = None

    def summary(self) -> str:
        return f"results of {self.session_id}"


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

    def summary(self) -> str:
        return f"add {self.slug}"


@dataclass(frozen=True)
class AddSession:
    event_id: str
    slug: str
    name: str
    kind: SessionKind
    day: date
    time: time | None
    duration: timedelta | None = None

    def summary(self) -> str:
        return f"add {self.slug}"


@dataclass(frozen=True)
class StandingsRowInput:
    line: int
    position: int
    driver_id: str
    points: str
    column: int | None = None


@dataclass(frozen=True)
class EnterStandings:
    series_id: str
    after_event_id: str
    rows: tuple[StandingsRowInput, ...]
    note: str | None = None

    def summary(self) -> str:
        return "standings"


@dataclass(frozen=True)
class AddEntries:
    event_id: str
    entries: tuple[EntryInput, ...]
    new_drivers: tuple[DriverInput, ...] = ()

    def summary(self) -> str:
        return "entries"


Edit = (
    SetSessionTime
    | CancelSession
    | PostponeSession
    | EnterResults
    | AddEvent
    | AddSession
    | EnterStandings
    | AddEntries
)
Edits = Edit | Sequence[Edit]


@dataclass(frozen=True)
class EditPreview:
    ok: bool
    summary: str
    lines: tuple[str, ...] = ()
    problems: tuple[object, ...] = ()


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    summary: str
    edit_id: int | None = None
    problems: tuple[object, ...] = ()
    lines: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


class Editor(Protocol):
    async def preview(self, edit: Edits, actor: Actor) -> EditPreview: ...

    async def apply(
        self, edit: Edits, actor: Actor, *, source_file: str | None = None
    ) -> EditOutcome: ...


def parse_rows(
    text: str, session: Session, catalog: Catalog
) -> tuple[tuple[ResultRowInput, ...], tuple[str, ...]]:
    raise NotImplementedError
