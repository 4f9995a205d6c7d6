"""Where a table the organiser published contradicts our results: points and positions.

A row is checked only when the driver's total is known from the sessions of the events up to
and including the table's `after_event`: there every scoring session must be complete or have a
row for the driver, since those events have all been run. Such a driver's finishing positions
are known too, so the order of two known rows can be checked by count-back (`points.rank`):
the one with more points, or equal points and the better count-back, must be placed ahead, and
two rows count-back cannot separate share a position. When every one of those sessions is
complete, our whole table is known and each published position must be the one it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from bot.core.catalog import Catalog
from bot.core.formatting import format_points
from bot.core.model import PublishedRow, PublishedStandings, Series, Session, SessionKind
from bot.core.points import Tally, rank, scored_rows
from bot.core.standings import TableKind, driver_sum, event_order, table_lines

__all__ = ["Disagreement", "published_disagreements"]


@dataclass(frozen=True)
class Disagreement:
    series_id: str
    after_event: str
    driver_id: str
    published: Fraction  # the published points, or position for a `key` of "position"
    computed: Fraction
    key: Literal["points", "position"] = "points"
    reason: str = ""  # for a position: why the results place the row otherwise

    @property
    def message(self) -> str:
        if self.key == "position":
            return (
                # i18n: not user text (pitboard check: a schedule problem for the operator)
                f"published position {format_points(self.published)}, results give "
                f"{format_points(self.computed)}" + (f" ({self.reason})" if self.reason else "")
            )
        published, computed = format_points(self.published), format_points(self.computed)
        # i18n: not user text (pitboard check: a schedule problem for the operator)
        return f"published {published} points, results give {computed}"


def published_disagreements(catalog: Catalog) -> list[Disagreement]:
    found: list[Disagreement] = []
    for series in catalog.series.values():
        order = event_order(series)
        for table in series.published_standings:
            if table.after_event in order:
                found.extend(_check_table(catalog, series, table, order[table.after_event]))
    return found


def _check_table(
    catalog: Catalog, series: Series, table: PublishedStandings, last: int
) -> list[Disagreement]:
    sessions = [
        session
        for event in series.events[: last + 1]
        for session in event.sessions
        if session.points_scale is not None
    ]
    found: list[Disagreement] = []
    agreed: list[PublishedRow] = []  # known rows whose points agree: their order is checkable
    for row in table.rows:
        computed, known = driver_sum(catalog, sessions, row.driver, True)
        if not known:
            continue
        if computed != row.points:
            found.append(_disagree(table, row, row.points, computed))
        else:
            agreed.append(row)
    if all(session.results_complete for session in sessions):
        ours = {
            line.key: line.position for line in table_lines(catalog, sessions, TableKind.DRIVERS)
        }
        for row in agreed:
            if row.driver in ours and ours[row.driver] != row.position:
                expected = Fraction(ours[row.driver])
                found.append(_disagree(table, row, Fraction(row.position), expected, "position"))
        return found
    return found + _order_problems(catalog, table, sessions, agreed)


def _order_problems(
    catalog: Catalog, table: PublishedStandings, sessions: list[Session], rows: list[PublishedRow]
) -> list[Disagreement]:
    """Known rows placed against count-back, each reported once on the row placed too low."""
    tallies = {row.driver: Tally(row.driver, row.driver) for row in rows}
    for session in sessions:
        for result, points in scored_rows(catalog, session):
            for driver_id in result.drivers:
                tally = tallies.get(driver_id)
                if tally is None:
                    continue
                tally.points += points
                if session.kind is SessionKind.RACE and result.status.scores and result.position:
                    tally.finishes[result.position] += 1
    place = {tally.key: position for position, tally in rank(tallies.values())}
    found: list[Disagreement] = []
    for row in rows:
        ahead = [
            other
            for other in rows
            if other.position < row.position and place[other.driver] >= place[row.driver]
        ]
        if not ahead:
            continue
        other = ahead[0]
        if place[other.driver] == place[row.driver]:
            # i18n: not user text (pitboard check: a schedule problem for the operator)
            reason = f"count-back cannot separate it from {other.driver!r}: they share a position"
        elif tallies[row.driver].points > tallies[other.driver].points:
            # i18n: not user text (pitboard check: a schedule problem for the operator)
            reason = f"more points than {other.driver!r}"
        else:
            # i18n: not user text (pitboard check: a schedule problem for the operator)
            reason = f"equal points with {other.driver!r}, ahead by count-back"
        expected = Fraction(other.position)
        found.append(_disagree(table, row, Fraction(row.position), expected, "position", reason))
    return found


def _disagree(
    table: PublishedStandings,
    row: PublishedRow,
    published: Fraction,
    computed: Fraction,
    key: Literal["points", "position"] = "points",
    reason: str = "",
) -> Disagreement:
    return Disagreement(
        table.series_id, table.after_event, row.driver, published, computed, key, reason
    )
