"""Championship standings: computed from results where they are complete, published otherwise.

Tables (see `TableKind`):

- DRIVERS: every driver with a result row in a scoring session, by points. Equal points go to
  count-back (`bot.core.points.rank`): more race wins, then more 2nds, 3rds, ...; still equal
  over every race position, the drivers share the position, listed alphabetically.
- TEAMS: a car's points go to the team it was entered for at that event, once per car (a car
  shared by three drivers earns its team the car's points, not three times them).
- CLASSES: drivers ranked within each class, the class taken from their entry at each event;
  the lines are grouped by class, in the order the series lists its classes.

What counts: the sessions of the series that have a points scale and have finished by `until`
(the clock's now), or, for a results post, up to and including one session (`through`); see
`bot.core.cut` for when a session has finished. With neither, every result in the data.

Completeness: a computed table is complete only when every scoring session that has any results
has `results_complete`. When it is not, a DRIVERS table falls back to the latest table the
organiser published after an event that is over (`source="published"`); other tables are the
partial computation, flagged: its order is not the championship's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import Literal

from bot.core.catalog import Catalog
from bot.core.cut import Cut
from bot.core.drivers_table import TableLine, driver_lines, label, ranked_lines
from bot.core.entry_index import event_entries
from bot.core.i18n import N_
from bot.core.inferred import published_reasons, table_basis
from bot.core.model import (
    Entry,
    PublishedStandings,
    ResultRow,
    Series,
    Session,
    SessionKind,
)
from bot.core.points import SessionScore, session_points, session_score

__all__ = [
    "Cut",
    "DriverTotal",
    "Source",
    "Standings",
    "StandingsLine",
    "TableKind",
    "driver_total",
    "session_points",
    "standings",
]

Source = Literal["computed", "published"]

# Kept untranslated in the (cached, shared) table; translated where shown: _(table.note).
NOTE_PARTIAL = N_("computed from incomplete results")
NOTE_NO_RESULTS = N_("no results yet")


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
    rounds_done: int | None  # the round of `after_event`: "after round 1 of 7" once it is over
    rounds_total: int | None
    # Whether `after_event` is over; while it is not, `sessions_in` names the session ids of it
    # that are counted ("round 1 under way: after Qualifying 1 and Race 1").
    event_over: bool = True
    sessions_in: tuple[str, ...] = ()
    # What the table is built on that no source states (bot.core.inferred): the reasons given
    # for the points scales a computed table used, and for the rows it counts (result rows, or
    # a published table's own rows).
    inferred_scales: tuple[str, ...] = ()
    inferred_rows: tuple[str, ...] = ()


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
    # Whether `position` is a championship place: a partial computation's order is not.
    ranked: bool = True


def standings(
    catalog: Catalog,
    series_id: str,
    kind: TableKind = TableKind.DRIVERS,
    until: datetime | None = None,
    *,
    through: str | None = None,
) -> Standings:
    """The table for `series_id` with the sessions finished by `until` (aware), or, with
    `through` (a session id), as it stood once that session was over."""
    return table_at(catalog, series_id, kind, _cut(catalog, until, through))


def table_at(catalog: Catalog, series_id: str, kind: TableKind, cut: Cut) -> Standings:
    series = catalog.series[series_id]
    sessions = scoring_sessions(catalog, series, cut)
    run = [s for s in sessions if s.has_results]
    total = series.rounds or len(series.events) or None
    if not run:
        return Standings(series_id, kind, (), "computed", True, None, NOTE_NO_RESULTS, 0, total)
    complete = all(s.results_complete for s in run)
    if not complete and kind is TableKind.DRIVERS:
        published = _latest_published(catalog, series, cut)
        if published is not None:
            return _published_table(catalog, series, published, total)
    last_event = max((s.event_id for s in run), key=event_order(series).__getitem__)
    inferred_scales, inferred_rows = table_basis(catalog, run)
    over = cut.event_over(catalog, catalog.events[last_event])
    return Standings(
        series_id=series_id,
        kind=kind,
        # The sessions counted identify the table: a repeated question (every fan asking
        # between two sessions) costs a lookup, not a recount.
        lines=catalog.derived(
            ("standings", kind, tuple(s.id for s in sessions)),
            lambda: table_lines(catalog, sessions, kind),
        ),
        source="computed",
        complete=complete,
        after_event=last_event,
        note=None if complete else NOTE_PARTIAL,
        rounds_done=_round_of(series, last_event),
        rounds_total=total,
        event_over=over,
        sessions_in=() if over else tuple(s.id for s in run if s.event_id == last_event),
        inferred_scales=inferred_scales,
        inferred_rows=inferred_rows,
    )


def driver_total(
    catalog: Catalog,
    series_id: str,
    driver_id: str,
    until: datetime | None = None,
    *,
    through: str | None = None,
) -> DriverTotal:
    series = catalog.series[series_id]
    cut = _cut(catalog, until, through)
    points, known = driver_sum(catalog, scoring_sessions(catalog, series, cut), driver_id, False)
    table = table_at(catalog, series_id, TableKind.DRIVERS, cut)
    line = next((line for line in table.lines if line.key == driver_id), None)
    if line is not None and not known and table.source == "published":
        # Our sum is short of sessions we have no account of; the organiser's figure is not.
        points = line.points
    position = None if line is None else line.position
    ranked = table.complete or table.source == "published"
    return DriverTotal(points, known, position, table.source, ranked)


def _cut(catalog: Catalog, until: datetime | None, through: str | None) -> Cut:
    if through is not None:
        return Cut.through(catalog, catalog.sessions[through])
    return Cut.at(until)


def scoring_sessions(catalog: Catalog, series: Series, cut: Cut) -> list[Session]:
    return [
        session
        for event in series.events
        for session in event.sessions
        if session.points_scale is not None and cut.counts(catalog, session)
    ]


def driver_sum(
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


def table_lines(
    catalog: Catalog, sessions: list[Session], kind: TableKind
) -> tuple[StandingsLine, ...]:
    if kind is TableKind.DRIVERS:
        lines, denominator = driver_lines(catalog, sessions)
        groups = {"": lines}
    else:
        scores = [session_score(catalog, session) for session in sessions]
        # Points are added as integers over one denominator for the whole table: exact, like
        # Fractions, without a Fraction operation per result row.
        denominator = lcm(*(score.denominator for score in scores))
        credited = _credited_lines(catalog, sessions, scores, denominator, kind)
        groups = {group: list(lines.values()) for group, lines in credited.items()}
    order = _class_order(catalog, sessions) if kind is TableKind.CLASSES else [""]
    return tuple(
        _line(
            position,
            line.key,
            line.label,
            _exact(line.points, denominator),
            line.finishes.count(1),
            _country(catalog, line.key) if kind is not TableKind.TEAMS else None,
            group or None,
        )
        for group in order
        if group in groups
        for position, line in ranked_lines(groups[group])
    )


def _line(
    position: int,
    key: str,
    label: str,
    points: Fraction,
    wins: int,
    country: str | None,
    class_name: str | None,
) -> StandingsLine:
    """`StandingsLine(...)` for a computed table, made without the frozen dataclass's
    `__init__`, which sets each field through `object.__setattr__` (a tenth of a first
    table's time). Frozen only guards attribute assignment; the fields are the same."""
    line = object.__new__(StandingsLine)
    fields = {
        "position": position,
        "key": key,
        "label": label,
        "points": points,
        "wins": wins,
        "country": country,
        "class_name": class_name,
    }
    object.__setattr__(line, "__dict__", fields)
    return line


def _exact(numerator: int, denominator: int) -> Fraction:
    # Fraction(n) skips the gcd that Fraction(n, d) works out, and d is 1 but after a dead heat.
    return _whole(numerator) if denominator == 1 else Fraction(numerator, denominator)


@lru_cache(maxsize=1024)
def _whole(points: int) -> Fraction:
    """Fraction(points), shared (a Fraction never changes): building one runs Python code, and
    the same totals recur in every table."""
    return Fraction(points)


def _credited_lines(
    catalog: Catalog,
    sessions: list[Session],
    scores: list[SessionScore],
    denominator: int,
    kind: TableKind,
) -> dict[str, dict[str, TableLine]]:
    """Group (class name, or "" for TEAMS) -> key (team name, or driver id) -> line."""
    groups: dict[str, dict[str, TableLine]] = {}
    for session, score in zip(sessions, scores, strict=True):
        entries = event_entries(catalog, catalog.events[session.event_id])
        factor = denominator // score.denominator
        race = session.kind is SessionKind.RACE
        for row, numerator, position in zip(
            session.results, score.numerators, score.positions, strict=True
        ):
            for group, key in _credited(entries.for_row(row), row, kind):
                lines = groups.setdefault(group, {})
                line = lines.get(key)
                if line is None:
                    name = key if kind is TableKind.TEAMS else label(catalog, key)
                    line = lines[key] = TableLine(key, name)
                line.points += numerator * factor
                if race and position:
                    line.finishes.append(position)
    return groups


def _credited(entries: Sequence[Entry], row: ResultRow, kind: TableKind) -> list[tuple[str, str]]:
    """Who a row's points go to in a TEAMS or CLASSES table, given the entries it belongs to:
    (group, key) each."""
    if kind is TableKind.TEAMS:
        # Once per team, in entry order: a car shared by three drivers earns its team once.
        return [("", team) for team in dict.fromkeys(e.team for e in entries if e.team)]
    credited = []
    for driver_id in row.drivers:
        # Each driver in the class of their own entry (or of the car's first entry).
        own = [e for e in entries if driver_id in e.drivers] or entries
        class_name = own[0].class_name if own else None
        if class_name:
            credited.append((class_name, driver_id))
    return credited


def _class_order(catalog: Catalog, sessions: list[Session]) -> list[str]:
    """Classes as the series lists them (event classes, then entries), first mention first."""
    names: dict[str, None] = {}
    for event_id in dict.fromkeys(s.event_id for s in sessions):
        event = catalog.events[event_id]
        names.update(dict.fromkeys(c.name for c in event.classes))
        names.update(dict.fromkeys(e.class_name for e in event.entries if e.class_name))
    return list(names)


def _country(catalog: Catalog, driver_id: str) -> str | None:
    driver = catalog.drivers.get(driver_id)
    return driver.country if driver is not None else None


def event_order(series: Series) -> dict[str, int]:
    return {event.id: index for index, event in enumerate(series.events)}


def _round_of(series: Series, event_id: str) -> int:
    index = event_order(series)[event_id]
    return series.events[index].round or index + 1


def _latest_published(catalog: Catalog, series: Series, cut: Cut) -> PublishedStandings | None:
    order = event_order(series)
    eligible = [
        (order[table.after_event], index, table)
        for index, table in enumerate(series.published_standings)
        if table.after_event in order and cut.event_over(catalog, catalog.events[table.after_event])
    ]
    return max(eligible, key=lambda item: item[:2])[2] if eligible else None


def _published_table(
    catalog: Catalog, series: Series, table: PublishedStandings, total: int | None
) -> Standings:
    lines = tuple(
        StandingsLine(
            position=row.position,
            key=row.driver,
            label=label(catalog, row.driver),
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
        inferred_rows=published_reasons(catalog, table),
    )
