"""Points for one session, and the count-back that orders a championship table.

Scoring (`session_score`, `scored_rows`, `session_points`):

- A session scores by its `points_scale` (an id into `catalog.scales`); a session without one
  scores nothing.
- Only a classified finish scores; DNF, DNS, DSQ and DNQ score 0.
- Every driver of a shared car gets the car's points.
- A dead heat shares points: k rows classified at the same position p share the points for
  positions p .. p+k-1 equally, so two cars at P2 on a 25-20-16-13 scale get 18 each and the
  next car is P4 with 13. Shares are exact: integers over one denominator per session
  (`SessionScore`), `Fraction`s where a caller wants a number.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from math import lcm
from operator import itemgetter
from typing import TypeVar

from bot.core.catalog import Catalog
from bot.core.model import PointsScale, ResultRow, ResultStatus, Session

T = TypeVar("T")

# Ends every count-back key: a line with no further finishes is behind one that has any.
NO_MORE_FINISHES = sys.maxsize


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


@dataclass(frozen=True, slots=True)
class SessionScore:
    """What each result row of a session scored, by index into `session.results`.

    Points are `numerators[i] / denominator`: the denominator is the least common multiple of
    the session's dead-heat sizes (1 without a dead heat), so a table adds integers and divides
    once at the end, exactly. `positions[i]` is the row's classified position, None for a row
    that does not score (DNF, DNS, DSQ): what a race's count-back counts."""

    numerators: tuple[int, ...]
    positions: tuple[int | None, ...]
    denominator: int = 1


# The statuses that score, by the model's own rule: `status in SCORING` is an identity test,
# where the property costs a call per result row of every table.
SCORING = tuple(status for status in ResultStatus if status.scores)


def session_score(catalog: Catalog, session: Session) -> SessionScore:
    """Every result row's points and scoring position (see `SessionScore`)."""
    return catalog.derived(("session_score", session.id), lambda: _score(catalog, session))


def _score(catalog: Catalog, session: Session) -> SessionScore:
    positions = tuple([row.position if row.status in SCORING else None for row in session.results])
    scale = scale_of(catalog, session)
    if scale is None:
        return SessionScore((0,) * len(positions), positions)
    points_at = _points_by_position(catalog, scale)
    distinct = set(positions)
    distinct.discard(None)
    if len(distinct) == len(positions) - positions.count(None):
        # No dead heat (the usual case): each row scores its own position's points.
        return SessionScore(tuple(map(points_at.get, positions, repeat(0))), positions)
    # Indexes, not rows: two equal rows (a data slip) must still score separately.
    at_position: dict[int, list[int]] = {}
    for index, position in enumerate(positions):
        if position is not None:
            at_position.setdefault(position, []).append(index)
    denominator = lcm(*(len(tied) for tied in at_position.values()))
    numerators = [0] * len(positions)
    for position, tied in at_position.items():
        pool = sum(scale.points_for(position + i) for i in range(len(tied)))
        for index in tied:
            numerators[index] = pool * (denominator // len(tied))
    return SessionScore(tuple(numerators), positions, denominator)


def _points_by_position(catalog: Catalog, scale: PointsScale) -> Mapping[int | None, int]:
    """`scale.points_for` as a mapping (positions it does not list are missing: 0 points)."""
    return catalog.derived(
        ("points_by_position", scale.id),
        lambda: {
            position: scale.points_for(position) for position in range(1, len(scale.points) + 1)
        },
    )


def scored_rows(catalog: Catalog, session: Session) -> tuple[tuple[ResultRow, Fraction], ...]:
    """Every result row of the session with the points its car scored (0 when it scores none)."""
    return catalog.derived(("scored_rows", session.id), lambda: _as_fractions(catalog, session))


def _as_fractions(catalog: Catalog, session: Session) -> tuple[tuple[ResultRow, Fraction], ...]:
    score = session_score(catalog, session)
    earned = (Fraction(numerator, score.denominator) for numerator in score.numerators)
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


def count_back(finishes: Iterable[int]) -> tuple[int, ...]:
    """A line's count-back as a key that sorts the better line first: its race finishing
    positions, best first, then `NO_MORE_FINISHES`.

    Comparing two such keys compares the lines' numbers of wins, then of 2nd places, and so on:
    at the first place where they differ, the one with more of that position holds that
    position in its key while the other holds a worse one (or the end mark). Two lines tie only
    when they finished every position equally often. The key is as long as the line's own list
    of finishes, not as long as the deepest position anyone reached, so ranking a table costs
    time in proportion to its results, not to entries squared."""
    ordered = sorted(finishes)
    if ordered and ordered[0] < 1:  # not a position (only hand-built data has one): ignored
        ordered = [position for position in ordered if position >= 1]
    return (*ordered, NO_MORE_FINISHES)


Merit = tuple[int | Fraction, tuple[int, ...]]  # (minus the points, count-back): less is ahead
_MERIT_AND_LABEL = itemgetter(0, 1)


def ranked(
    lines: Iterable[T], merit: Callable[[T], Merit], label: Callable[[T], str]
) -> list[tuple[int, T]]:
    """`lines` in table order, each with its position (see `rank` for the rules): by `merit`,
    lines of equal merit share a position and are listed alphabetically by `label`."""
    keyed = [(merit(line), label(line).casefold(), line) for line in lines]
    # One sort on (merit, label); the sort is stable, so equal labels keep the order given.
    keyed.sort(key=_MERIT_AND_LABEL)
    placed: list[tuple[int, T]] = []
    previous: Merit | None = None
    for index, (line_merit, _, line) in enumerate(keyed):
        shared = previous is not None and line_merit == previous
        placed.append((placed[-1][0] if shared else index + 1, line))
        previous = line_merit
    return placed


def rank(tallies: Iterable[Tally]) -> list[tuple[int, Tally]]:
    """Order a table and give each line its position, ties broken by count-back.

    Count-back: on equal points the line with more race wins is ahead; if those are equal too,
    more 2nd places, then more 3rd places, and so on down every position reached. Only
    finishing positions in races (sessions of kind RACE that score) count, not qualifying.
    Lines that are still equal over every position share the position (1, 2, 2, 4: the next
    line skips the shared places) and are listed alphabetically by label.
    """
    return ranked(
        tallies,
        lambda tally: (-tally.points, count_back(tally.finishes.elements())),
        lambda tally: tally.label,
    )
