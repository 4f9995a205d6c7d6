"""The domain model: frozen dataclasses built once from the schedule files.

Ids are stable and human: a series `tcr-germany-2022`, an event `tcr-germany-2022/oschersleben`,
a session `tcr-germany-2022/oschersleben/race-1`. Drivers, tracks and points scales have their
own flat ids (`jessica-backman`, `hockenheimring`, `tcr-germany-race`).

Future sessions keep the organiser's local wall time plus the event's IANA zone; the UTC instant
is derived when asked for, so a change in a zone's rules never leaves a stale instant behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo


class SessionKind(StrEnum):
    PRACTICE = "practice"
    QUALIFYING = "qualifying"
    RACE = "race"
    WARMUP = "warmup"
    OTHER = "other"


class ResultStatus(StrEnum):
    CLASSIFIED = "classified"
    DNF = "dnf"
    DNS = "dns"
    DSQ = "dsq"
    DNQ = "dnq"  # did not qualify: entered, but not in the race

    @property
    def scores(self) -> bool:
        """Only a classified finish scores; DNF, DNS, DSQ and DNQ score nothing."""
        return self is ResultStatus.CLASSIFIED


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class LapRecord:
    class_name: str
    time: str  # as published, e.g. "1:47.095"
    holder: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    location: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    length_km: float | None = None
    corners: int | None = None
    lap_records: tuple[LapRecord, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Driver:
    id: str
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2
    home_town: str | None = None
    highlights: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointsScale:
    id: str
    name: str
    points: tuple[int, ...]  # points[0] is for first place

    def points_for(self, position: int) -> int:
        return self.points[position - 1] if 1 <= position <= len(self.points) else 0


@dataclass(frozen=True)
class Entry:
    drivers: tuple[str, ...]  # driver ids
    number: str | None = None
    team: str | None = None
    car: str | None = None
    class_name: str | None = None


# slots: a row's fields are read for every row of every table a /standings computes, and a slot
# is read at once where a dict-held attribute is looked up (the bench catalog holds 72,000 rows).
@dataclass(frozen=True, slots=True)
class ResultRow:
    drivers: tuple[str, ...]  # everyone who shared the car
    status: ResultStatus
    position: int | None = None  # None only for a row that is not classified
    note: str | None = None
    car_number: str | None = None
    # As the timing sheet gives them; shown, never computed with.
    laps: int | None = None
    time: str | None = None  # total time, e.g. "5:44'41.101"
    gap: str | None = None  # to the leader, e.g. "+1.234" or "1 lap"
    best_lap: str | None = None  # e.g. "1:47.095"
    fastest_lap: bool = False  # the session's (or its class's) fastest lap
    class_name: str | None = None


@dataclass(frozen=True)
class Session:
    id: str  # "series/event/session"
    slug: str  # "race-1"
    event_id: str
    series_id: str
    name: str  # "Race 1"
    short_name: str  # "R1", used in a driver's weekend line
    kind: SessionKind
    day: date
    local_time: time | None  # None: time to be announced (TBA)
    timezone: str  # IANA zone of the event
    utc_offset: timedelta | None = None  # only to settle a wall time that happens twice
    duration: timedelta | None = None
    part: int | None = None  # a race run in parts over several days
    broadcasts: tuple[Link, ...] = ()  # effective: the session's own, else the event's
    live_timing: Link | None = None  # effective: the session's own, else the event's
    points_scale: str | None = None  # effective scale id, None when the session scores nothing
    results: tuple[ResultRow, ...] = ()
    results_complete: bool = False
    # Called off, said so in the data (`cancelled = true`); a session missing from the files
    # is not cancelled, only absent (a file can vanish for a moment during a save).
    cancelled: bool = False

    @property
    def is_tba(self) -> bool:
        return self.local_time is None

    @property
    def has_results(self) -> bool:
        return bool(self.results)

    @property
    def start(self) -> datetime | None:
        """The start in the event's zone, or None while the time is TBA."""
        if self.local_time is None:
            return None
        return localize(datetime.combine(self.day, self.local_time), self.timezone, self.utc_offset)

    @property
    def start_utc(self) -> datetime | None:
        start = self.start
        return None if start is None else start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime | None:
        start = self.start_utc
        if start is None or self.duration is None:
            return None
        return start + self.duration

    @property
    def sort_key(self) -> datetime:
        """When to list it: its start, or the start of its day for a TBA session."""
        start = self.start_utc
        if start is not None:
            return start
        return localize(datetime.combine(self.day, time(0, 0)), self.timezone, None).astimezone(UTC)


@dataclass(frozen=True)
class ClassInfo:
    name: str
    cars: int | None = None


@dataclass(frozen=True)
class Event:
    id: str  # "series/event"
    slug: str
    series_id: str
    name: str
    timezone: str
    round: int | None = None
    track_id: str | None = None
    start_date: date | None = None  # None: dates to be announced
    end_date: date | None = None
    date_note: str | None = None  # what is known of a TBA date, e.g. "end of October"
    sessions: tuple[Session, ...] = ()
    entries: tuple[Entry, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    broadcasts: tuple[Link, ...] = ()
    live_timing: Link | None = None
    website: str | None = None

    @property
    def is_tba(self) -> bool:
        return self.start_date is None


@dataclass(frozen=True)
class PublishedRow:
    position: int
    driver: str  # driver id
    points: Fraction


@dataclass(frozen=True)
class PublishedStandings:
    """A table as the organiser published it, for when our results are incomplete."""

    series_id: str
    after_event: str  # event id
    rows: tuple[PublishedRow, ...]
    note: str | None = None  # e.g. "top three only"


@dataclass(frozen=True)
class Series:
    id: str  # "tcr-germany-2022"
    name: str  # "ADAC TCR Germany"
    season: int
    short_name: str | None = None
    rounds: int | None = None
    scales: tuple[tuple[SessionKind, str], ...] = ()  # session kind -> points scale id
    events: tuple[Event, ...] = ()
    published_standings: tuple[PublishedStandings, ...] = ()
    website: str | None = None

    def scale_for(self, kind: SessionKind) -> str | None:
        return next((scale for k, scale in self.scales if k is kind), None)


@cache
def zone_info(name: str) -> ZoneInfo:
    """ZoneInfo keeps only a handful of zones in its own cache; a catalog spanning more would
    re-read zone files from disk on every conversion."""
    return ZoneInfo(name)


def localize(wall: datetime, zone: str, utc_offset: timedelta | None) -> datetime:
    """Attach `zone` to a wall time; an explicit offset settles a time that happens twice."""
    tz = zone_info(zone)
    if utc_offset is not None:
        for fold in (0, 1):
            candidate = wall.replace(tzinfo=tz, fold=fold)
            if candidate.utcoffset() == utc_offset:
                return candidate
    return wall.replace(tzinfo=tz)


def wall_time_problem(wall: datetime, zone: str, utc_offset: timedelta | None) -> str | None:
    """Why a wall time cannot be pinned to one instant in `zone`, or None when it can.

    Summer time makes some wall times not exist (clocks jump from 02:00 to 03:00) and others
    happen twice (03:00 back to 02:00); a schedule must say which instant it means.
    """
    tz = zone_info(zone)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != wall:
        # i18n: not user text (a schedule file's problem, for the data's authors)
        return f"{wall:%Y-%m-%d %H:%M} does not exist in {zone} (summer time starts that night)"
    offsets = {first.utcoffset(), second.utcoffset()}
    if len(offsets) > 1:
        if utc_offset in offsets:
            return None
        shown = " or ".join(sorted(format_offset(o) for o in offsets if o is not None))
        if utc_offset is not None:  # the key is there but names neither instant: blame it
            return (
                # i18n: not user text (a schedule file's problem, for the data's authors)
                f"utc_offset {format_offset(utc_offset)} is neither of {zone}'s offsets at "
                f"{wall:%Y-%m-%d %H:%M} (it happens twice); use {shown}"
            )
        # i18n: not user text (a schedule file's problem, for the data's authors)
        return f"{wall:%Y-%m-%d %H:%M} happens twice in {zone}; add utc_offset = {shown}"
    if utc_offset is not None and utc_offset not in offsets:
        shown_offset = format_offset(utc_offset)
        # i18n: not user text (a schedule file's problem, for the data's authors)
        return f"utc_offset {shown_offset} is not {zone}'s offset at {wall:%Y-%m-%d %H:%M}"
    return None


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f'"{sign}{hours:02d}:{mins:02d}"'
