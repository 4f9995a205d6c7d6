"""Points for one session, and the count-back that orders a championship table.

Scoring (`scored_rows`, `session_points`):

- A session scores by its `points_scale` (an id into `catalog.scales`); a session without one
  scores nothing.
- Only a classified finish scores; DNF, DNS and DSQ score 0.
- Every driver of a shared car gets the car's points.
- A dead heat shares points: k rows classified at the same position p share the points for
  positions p .. p+k-1 equally, so two cars at P2 on a 25-20-16-13 scale get 18 each and the
  next car is P4 with 13. Shares are exact `Fraction`s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby

from bot.core.catalog import Catalog
from bot.core.model import PointsScale, ResultRow, Session


def scale_of(catalog: Catalog, session: Session) -> PointsScale | None:
    """The session's points scale, or None when the session scores nothing."""
    if session.points_scale is None:
        return None
    try:
        return catalog.scales[session.points_scale]
    except KeyError:
        # The schedule checker should have caught this; say which session names which scale.
        raise ValueError(
            f"session {session.id} names unknown points scale {session.points_scale!r}"
        ) from None


def scored_rows(catalog: Catalog, session: Session) -> tuple[tuple[ResultRow, Fraction], ...]:
    """Every result row of the session with the points its car scored (0 when it scores none)."""
    return catalog.derived(("scored_rows", session.id), lambda: _score(catalog, session))


def _score(catalog: Catalog, session: Session) -> tuple[tuple[ResultRow, Fraction], ...]:
    scale = scale_of(catalog, session)
    earned = [Fraction(0)] * len(session.results)
    if scale is not None:
        # Indexes, not rows, as keys: two equal rows (a data slip) must still score separately.
        classified = sorted(
            (
                (row.position, index)
                for index, row in enumerate(session.results)
                if row.status.scores and row.position is not None
            ),
        )
        for position, group in groupby(classified, key=lambda pair: pair[0]):
            tied = [index for _, index in group]
            pool = sum(scale.points_for(position + i) for i in range(len(tied)))
            for index in tied:
                earned[index] = Fraction(pool, len(tied))
    return tuple(zip(session.results, earned, strict=True))


def session_points(catalog: Catalog, session: Session) -> dict[str, Fraction]:
    """Driver id -> points scored in `session`, for every driver with a result row (0 included).

    The dict is shared per catalog and session: read it, never change it."""
    return catalog.derived(("session_points", session.id), lambda: _driver_points(catalog, session))


def _driver_points(catalog: Catalog, session: Session) -> dict[str, Fraction]:
    points: dict[str, Fraction] = {}
    for row, car_points in scored_rows(catalog, session):
        for driver_id in row.drivers:
            points[driver_id] = points.get(driver_id, Fraction(0)) + car_points
    return points


@dataclass
class Tally:
    """What one table line (a driver, a team, a driver within a class) has gathered so far."""

    key: str
    label: str
    points: Fraction = Fraction(0)
    # Finishing positions in the races that count, for the count-back: position -> how many.
    finishes: Counter[int] = field(default_factory=Counter)

    @property
    def wins(self) -> int:
        return self.finishes[1]


def rank(tallies: Iterable[Tally]) -> list[tuple[int, Tally]]:
    """Order a table and give each line its position, ties broken by count-back.

    Count-back: on equal points the line with more race wins is ahead; if those are equal too,
    more 2nd places, then more 3rd places, and so on down every position reached. Only
    finishing positions in races (sessions of kind RACE that score) count, not qualifying.
    Lines that are still equal over every position share the position (1, 2, 2, 4: the next
    line skips the shared places) and are listed alphabetically by label.
    """
    lines = list(tallies)
    deepest = max((max(t.finishes, default=0) for t in lines), default=0)

    def merit(tally: Tally) -> tuple[Fraction, tuple[int, ...]]:
        return tally.points, tuple(tally.finishes[p] for p in range(1, deepest + 1))

    lines.sort(key=lambda t: t.label.casefold())
    lines.sort(key=merit, reverse=True)  # stable: equal merit stays alphabetical
    ranked: list[tuple[int, Tally]] = []
    for index, tally in enumerate(lines):
        if ranked and merit(ranked[-1][1]) == merit(tally):
            ranked.append((ranked[-1][0], tally))
        else:
            ranked.append((index + 1, tally))
    return ranked
