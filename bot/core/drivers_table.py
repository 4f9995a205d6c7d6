"""The lines of a computed table before they become `StandingsLine`s: every driver's points
and race finishes over the sessions counted (`driver_lines`), and the ranking of any table's
lines (`ranked_lines`).

The first /standings after a reload adds up a whole season here (1,200 result rows on the
bench catalog), so the work is one pass over the rows (`_one_pass`), shaped for CPython: the
usual results sheet (row i classified at position i, one driver per car) goes through a loop
of a few steps per row, its points straight from the scale; any other row goes through a loop
that takes every case, and notes when classified positions do not follow on from one another.
Only then can a session hold a dead heat, and only a table with one is worked out the general
way (`_shared_points`), from each session's `SessionScore`: exact, and rare enough that its
second pass costs nothing worth counting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import lcm

from bot.core.catalog import Catalog
from bot.core.model import ResultRow, ResultStatus, Session, SessionKind
from bot.core.points import SCORING, count_back, scale_of, session_score

__all__ = ["TableLine", "driver_lines", "label", "ranked_lines"]


@dataclass(slots=True)
class TableLine:
    """What one table line has gathered: points over the table's denominator, and its finishing
    positions in the races that count (for the count-back)."""

    key: str
    label: str
    points: int = 0
    finishes: list[int] = field(default_factory=list)


def driver_lines(catalog: Catalog, sessions: list[Session]) -> tuple[list[TableLine], int]:
    """(a line for every driver with a result row in `sessions`, first mention first; the
    denominator of their points). Every driver of a car gets the car's points."""
    lines = _one_pass(catalog, sessions)
    if lines is not None:
        return list(lines.values()), 1
    return _shared_points(catalog, sessions)


# The loops test `row.status is CLASSIFIED`, the one status that scores (`SCORING`): checked
# here, so that a new scoring status cannot slip past them.
CLASSIFIED = ResultStatus.CLASSIFIED
if SCORING != (CLASSIFIED,):
    raise ImportError(f"bot.core.drivers_table counts {CLASSIFIED} alone as scoring: {SCORING}")


def _one_pass(catalog: Catalog, sessions: list[Session]) -> dict[str, TableLine] | None:
    """Driver id -> line, in one pass over the rows; None when a session has a dead heat."""
    lines: dict[str, TableLine] = {}
    for session in sessions:
        scale = scale_of(catalog, session)
        points = scale.points if scale is not None else ()  # None: scores nothing
        race = session.kind is SessionKind.RACE  # the count-back counts race finishes only
        rows = session.results
        done = _add_in_order(catalog, lines, rows, points, race)
        if (
            done < len(rows)
            and _add_any_order(catalog, lines, rows[done:], done, points, race)
            and session_score(catalog, session).denominator != 1  # a dead heat shares points
        ):
            return None
    return lines


def _add_in_order(
    catalog: Catalog,
    lines: dict[str, TableLine],
    rows: Sequence[ResultRow],
    points: tuple[int, ...],
    race: bool,
) -> int:
    """Add the rows of a session for as long as row i (from 1) is classified at position i
    with one driver, the usual results sheet; returns how many rows that was.

    The rows within the points (`points`) and those behind them (which add no points, a line
    and a race finish only) get a loop each, kept to the fewest steps per row: these are the
    loops a first table spends its time in."""
    classified = CLASSIFIED
    scoring = min(len(points), len(rows))
    for position, row, earned in zip(range(1, scoring + 1), rows, points, strict=False):
        if row.position != position or row.status is not classified:
            return position - 1
        try:
            # One driver: unpacked in one step, where a loop over the crew costs an iterator.
            (driver_id,) = row.drivers
        except ValueError:  # a shared car (or none): the row-by-row loop takes it from here
            return position - 1
        try:
            line = lines[driver_id]
        except KeyError:  # the driver's first row: once per line, not per row
            line = lines[driver_id] = TableLine(driver_id, label(catalog, driver_id))
        line.points += earned
        if race:
            line.finishes.append(position)
    for position, row in enumerate(rows[scoring:], scoring + 1):
        if row.position != position or row.status is not classified:
            return position - 1
        try:
            (driver_id,) = row.drivers
        except ValueError:
            return position - 1
        try:
            line = lines[driver_id]
        except KeyError:
            line = lines[driver_id] = TableLine(driver_id, label(catalog, driver_id))
        if race:
            line.finishes.append(position)
    return len(rows)


def _add_any_order(
    catalog: Catalog,
    lines: dict[str, TableLine],
    rows: Sequence[ResultRow],
    done: int,
    points: tuple[int, ...],
    race: bool,
) -> bool:
    """Add the rest of a session (after `done` rows in order: non-finishers, or positions out
    of order) row by row; True when a classified position did not follow on from the one
    before (a dead heat possible: the caller checks)."""
    expected = done + 1
    out_of_order = False
    for row in rows:
        position = row.position
        if position is None or row.status is not CLASSIFIED:
            earned, position = 0, None
        else:
            out_of_order = out_of_order or position != expected
            expected = position + 1
            earned = points[position - 1] if 0 < position <= len(points) else 0
        for driver_id in row.drivers:
            line = lines.get(driver_id)
            if line is None:
                line = lines[driver_id] = TableLine(driver_id, label(catalog, driver_id))
            line.points += earned
            if race and position:
                line.finishes.append(position)
    return out_of_order


def _shared_points(catalog: Catalog, sessions: list[Session]) -> tuple[list[TableLine], int]:
    """The lines when a dead heat shares points: each session's `SessionScore` (numerators over
    its denominator) added over the table's denominator."""
    scores = [session_score(catalog, session) for session in sessions]
    denominator = lcm(*(score.denominator for score in scores))
    lines: dict[str, TableLine] = {}
    for session, score in zip(sessions, scores, strict=True):
        factor = denominator // score.denominator
        race = session.kind is SessionKind.RACE
        for row, numerator, position in zip(
            session.results, score.numerators, score.positions, strict=True
        ):
            for driver_id in row.drivers:
                line = lines.get(driver_id)
                if line is None:
                    line = lines[driver_id] = TableLine(driver_id, label(catalog, driver_id))
                line.points += numerator * factor
                if race and position:
                    line.finishes.append(position)
    return list(lines.values()), denominator


def ranked_lines(lines: list[TableLine]) -> list[tuple[int, TableLine]]:
    """`lines` in table order with their positions, by the rules of `bot.core.points.rank`:
    by points, then count-back; lines equal on both share the position and are listed
    alphabetically by label, then in the order given.

    A count-back only ever compares lines on equal points, so only those get one: sorting
    every line's finishes would be most of the cost of ranking a table. The keys are plain
    tuples (ending in the line's index, so two lines are never compared) sorted as they are."""
    tied = {
        points for points, count in Counter([line.points for line in lines]).items() if count > 1
    }
    keyed = [
        (
            -line.points,
            count_back(line.finishes) if line.points in tied else (),
            line.label.casefold(),
            index,
        )
        for index, line in enumerate(lines)
    ]
    keyed.sort()
    placed: list[tuple[int, TableLine]] = []
    previous: tuple[int, tuple[int, ...]] | None = None
    for place, (minus_points, back, _, index) in enumerate(keyed, 1):
        merit = (minus_points, back)
        placed.append((placed[-1][0] if merit == previous else place, lines[index]))
        previous = merit
    return placed


def label(catalog: Catalog, driver_id: str) -> str:
    """A driver's display name; their id when the catalog does not know them."""
    driver = catalog.drivers.get(driver_id)
    return driver.name if driver is not None else driver_id
