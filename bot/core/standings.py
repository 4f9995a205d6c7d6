"""Championship standings: computed from results where they are complete, published otherwise.

Tables (see `TableKind`):

- DRIVERS: every driver with a result row in a scoring session, by points. Equal points go to
  count-back (`bot.core.points.rank`): more race wins, then more 2nds, 3rds, ...; still equal
  over every race position, the drivers share the position, listed alphabetically.
- TEAMS: a car's points go to the team it was entered for at that event, once per car (a car
  shared by three drivers earns its team the car's points, not three times them).
- CLASSES: drivers ranked within each class, the class taken from their entry at each event;
  the lines are grouped by class, in the order the series lists its classes.

What counts: the sessions of the series that have a points scale and started before `until`
(for a TBA session, the start of its day); with no `until`, every result in the data. Results
in the data mean the session has been run.

Completeness: a computed table is complete only when every scoring session that has any results
has `results_complete`. When it is not, a DRIVERS table falls back to the latest table the
organiser published (`source="published"`); other tables are the partial computation, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from bot.core.catalog import Catalog
from bot.core.model import (
    Entry,
    Event,
    PublishedStandings,
    ResultRow,
    Series,
    Session,
    SessionKind,
    localize,
)
from bot.core.points import Tally, rank, scored_rows, session_points

__all__ = [
    "Disagreement",
    "DriverTotal",
    "Source",
    "Standings",
    "StandingsLine",
    "TableKind",
    "driver_total",
    "published_disagreements",
    "session_points",
    "standings",
]

Source = Literal["computed", "published"]

NOTE_PARTIAL = "computed from incomplete results"
NOTE_NO_RESULTS = "no results yet"


class TableKind(StrEnum):
    DRIVERS = "drivers"
    TEAMS = "teams"
    CLASSES = "classes"


@dataclass(frozen=True)
class StandingsLine:
    position: int  # shared on a full tie (count-back could not separate the lines)
    key: str  # driver id for DRIVERS and CLASSES; team name for TEAMS
    label: str  # display name: "Jessica Bäckman", "ROJA Motorsport"
    points: Fraction
    wins: int  # race wins; 0 on a published table, which does not say
    country: str | None = None
    class_name: str | None = None  # CLASSES tables: the class this line is ranked in


@dataclass(frozen=True)
class Standings:
    series_id: str
    kind: TableKind
    lines: tuple[StandingsLine, ...]
    source: Source
    complete: bool  # False: our results are incomplete (published table, or partial computation)
    after_event: str | None  # event id of the last event counted / published after
    note: str | None  # the published table's note, or why the table is partial
    rounds_done: int | None  # "after 1 of 7 rounds"
    rounds_total: int | None


@dataclass(frozen=True)
class DriverTotal:
    """A driver's championship total, shown in their weekend summary.

    `points` is computed from our results when `known`; when it is not and the table shown is a
    published one that lists the driver, it is the published figure, so points and position
    always come from the same place as far as the data allows.
    """

    points: Fraction
    known: bool  # every scoring session with results is complete or has a row for the driver
    position: int | None  # from the table `standings()` returns; None when not in it
    source: Source  # which table `position` comes from


@dataclass(frozen=True)
class Disagreement:
    series_id: str
    after_event: str
    driver_id: str
    published: Fraction
    computed: Fraction


def standings(
    catalog: Catalog,
    series_id: str,
    kind: TableKind = TableKind.DRIVERS,
    until: datetime | None = None,
) -> Standings:
    """The table for `series_id`; `until` (aware) keeps only sessions that started before it."""
    series = catalog.series[series_id]
    sessions = _scoring_sessions(series, until)
    run = [s for s in sessions if s.has_results]
    total = series.rounds or len(series.events) or None
    if not run:
        return Standings(series_id, kind, (), "computed", True, None, NOTE_NO_RESULTS, 0, total)
    complete = all(s.results_complete for s in run)
    if not complete and kind is TableKind.DRIVERS:
        published = _latest_published(catalog, series, until)
        if published is not None:
            return _published_table(catalog, series, published, total)
    last_event = max((s.event_id for s in run), key=_event_order(series).__getitem__)
    return Standings(
        series_id=series_id,
        kind=kind,
        # The sessions counted identify the table: a repeated question (every fan asking
        # between two sessions) costs a lookup, not a recount.
        lines=catalog.derived(
            ("standings", kind, tuple(s.id for s in sessions)),
            lambda: _lines(catalog, sessions, kind),
        ),
        source="computed",
        complete=complete,
        after_event=last_event,
        note=None if complete else NOTE_PARTIAL,
        rounds_done=_round_of(series, last_event),
        rounds_total=total,
    )


def driver_total(
    catalog: Catalog, series_id: str, driver_id: str, until: datetime | None = None
) -> DriverTotal:
    series = catalog.series[series_id]
    points, known = _driver_sum(catalog, _scoring_sessions(series, until), driver_id, False)
    table = standings(catalog, series_id, TableKind.DRIVERS, until)
    line = next((line for line in table.lines if line.key == driver_id), None)
    if line is not None and not known and table.source == "published":
        # Our sum is short of sessions we have no account of; the organiser's figure is not.
        points = line.points
    position = None if line is None else line.position
    return DriverTotal(points=points, known=known, position=position, source=table.source)


def published_disagreements(catalog: Catalog) -> list[Disagreement]:
    """Published rows that our complete-enough results contradict.

    A row is checked only when the driver's total is known from the sessions of the events up
    to and including the table's `after_event`: there every scoring session must be complete
    or have a row for the driver, since those events have all been run.
    """
    found: list[Disagreement] = []
    for series in catalog.series.values():
        order = _event_order(series)
        for table in series.published_standings:
            if table.after_event not in order:
                continue
            sessions = [
                session
                for event in series.events[: order[table.after_event] + 1]
                for session in event.sessions
                if session.points_scale is not None
            ]
            for row in table.rows:
                computed, known = _driver_sum(catalog, sessions, row.driver, True)
                if known and computed != row.points:
                    found.append(
                        Disagreement(series.id, table.after_event, row.driver, row.points, computed)
                    )
    return found


def _scoring_sessions(series: Series, until: datetime | None) -> list[Session]:
    return [
        session
        for event in series.events
        for session in event.sessions
        if session.points_scale is not None and (until is None or session.sort_key < until)
    ]


def _driver_sum(
    catalog: Catalog, sessions: list[Session], driver_id: str, every_session: bool
) -> tuple[Fraction, bool]:
    """(points, known); `every_session` also demands an account of sessions without results."""
    points, known = Fraction(0), True
    for session in sessions:
        scored = session_points(catalog, session)
        points += scored.get(driver_id, Fraction(0))
        if (every_session or session.has_results) and not session.results_complete:
            known = known and driver_id in scored
    return points, known


def _lines(catalog: Catalog, sessions: list[Session], kind: TableKind) -> tuple[StandingsLine, ...]:
    # group (class name, or "" for the one group of DRIVERS / TEAMS) -> key -> tally
    groups: dict[str, dict[str, Tally]] = {}
    for session in sessions:
        event = catalog.events[session.event_id]
        for row, car_points in scored_rows(catalog, session):
            for group, key, label in _credited(catalog, event, row, kind):
                tally = groups.setdefault(group, {}).setdefault(key, Tally(key, label))
                tally.points += car_points
                if session.kind is SessionKind.RACE and row.status.scores and row.position:
                    tally.finishes[row.position] += 1
    order = _class_order(catalog, sessions) if kind is TableKind.CLASSES else [""]
    return tuple(
        StandingsLine(
            position=position,
            key=tally.key,
            label=tally.label,
            points=tally.points,
            wins=tally.wins,
            country=_country(catalog, tally.key) if kind is not TableKind.TEAMS else None,
            class_name=group or None,
        )
        for group in order
        if group in groups
        for position, tally in rank(groups[group].values())
    )


def _credited(
    catalog: Catalog, event: Event, row: ResultRow, kind: TableKind
) -> list[tuple[str, str, str]]:
    """Who a result row's points go to in a table of `kind`: (group, key, label) each."""
    if kind is TableKind.DRIVERS:  # the hot path: no entry lookup needed
        return [("", driver_id, _label(catalog, driver_id)) for driver_id in row.drivers]
    entries = _entries_for(event, row)
    if kind is TableKind.TEAMS:
        teams = dict.fromkeys(e.team for e in entries if e.team)  # once per team, in order
        return [("", team, team) for team in teams]
    credited = []
    for driver_id in row.drivers:
        own = [e for e in entries if driver_id in e.drivers] or entries
        class_name = own[0].class_name if own else None
        if class_name:
            credited.append((class_name, driver_id, _label(catalog, driver_id)))
    return credited


def _entries_for(event: Event, row: ResultRow) -> list[Entry]:
    """The event entries a result row belongs to: by car number, else by its drivers."""
    if row.car_number is not None:
        numbered = [e for e in event.entries if e.number == row.car_number]
        if numbered:
            return numbered
    return [e for e in event.entries if set(e.drivers) & set(row.drivers)]


def _class_order(catalog: Catalog, sessions: list[Session]) -> list[str]:
    """Classes as the series lists them (event classes, then entries), first mention first."""
    names: dict[str, None] = {}
    for event_id in dict.fromkeys(s.event_id for s in sessions):
        event = catalog.events[event_id]
        names.update(dict.fromkeys(c.name for c in event.classes))
        names.update(dict.fromkeys(e.class_name for e in event.entries if e.class_name))
    return list(names)


def _label(catalog: Catalog, driver_id: str) -> str:
    driver = catalog.drivers.get(driver_id)
    return driver.name if driver is not None else driver_id


def _country(catalog: Catalog, driver_id: str) -> str | None:
    driver = catalog.drivers.get(driver_id)
    return driver.country if driver is not None else None


def _event_order(series: Series) -> dict[str, int]:
    return {event.id: index for index, event in enumerate(series.events)}


def _round_of(series: Series, event_id: str) -> int:
    index = _event_order(series)[event_id]
    return series.events[index].round or index + 1


def _latest_published(
    catalog: Catalog, series: Series, until: datetime | None
) -> PublishedStandings | None:
    order = _event_order(series)
    eligible = [
        (order[table.after_event], index, table)
        for index, table in enumerate(series.published_standings)
        if table.after_event in order
        and (until is None or _event_over(catalog.events[table.after_event], until))
    ]
    return max(eligible, key=lambda item: item[:2])[2] if eligible else None


def _event_over(event: Event, until: datetime) -> bool:
    """Whether the event had run by `until`, by the same measure as its sessions."""
    if event.sessions:
        return max(s.sort_key for s in event.sessions) < until
    if event.end_date is None:
        return False
    day_after = datetime.combine(event.end_date + timedelta(days=1), time(0, 0))
    return localize(day_after, event.timezone, None) <= until


def _published_table(
    catalog: Catalog, series: Series, table: PublishedStandings, total: int | None
) -> Standings:
    lines = tuple(
        StandingsLine(
            position=row.position,
            key=row.driver,
            label=_label(catalog, row.driver),
            points=row.points,
            wins=0,
            country=_country(catalog, row.driver),
        )
        for row in sorted(table.rows, key=lambda r: r.position)
    )
    return Standings(
        series_id=series.id,
        kind=TableKind.DRIVERS,
        lines=lines,
        source="published",
        complete=False,
        after_event=table.after_event,
        note=table.note,
        rounds_done=_round_of(series, table.after_event),
        rounds_total=total,
    )
