"""The one-sort count-back and the integer points of a table, against the rules written out the
long way: every position's count compared in turn, points added as Fractions.

The reference implementations below are the rules as they stood before the table was made
fast (a tuple of counts over every position anyone reached, compared whole); random fields with
many ties, dead heats, shared cars and non-finishers must come out line for line the same.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.catalog import Catalog
from bot.core.model import (
    Driver,
    Entry,
    PointsScale,
    ResultRow,
    ResultStatus,
    Session,
    SessionKind,
)
from bot.core.points import Tally, count_back, rank, scored_rows
from bot.core.standings import TableKind, table_lines
from tests.one_event import RACE, one_event_catalog, results_session

QUALIFYING = PointsScale("qualifying", "Qualifying", (10, 8, 6, 5, 4, 3, 2, 1))
TOP_TWO = PointsScale("top-two", "Top two", (3, 1))
SCALES = {scale.id: scale for scale in (RACE, QUALIFYING, TOP_TWO)}
# Few names, some differing only in case, so equal merit and equal labels both occur.
LABELS = ("Ada", "ada", "Bea", "Cleo", "cleo", "Dora")
TEAMS = ("Red", "Blue", "Green", None)


def reference_rank(tallies: list[Tally]) -> list[tuple[int, Tally]]:
    """The count-back spelt out: counts of every position from 1 to the deepest reached."""
    lines = list(tallies)
    deepest = max((max(t.finishes, default=0) for t in lines), default=0)

    def merit(tally: Tally) -> tuple[Fraction, tuple[int, ...]]:
        return tally.points, tuple(tally.finishes[p] for p in range(1, deepest + 1))

    lines.sort(key=lambda t: t.label.casefold())
    lines.sort(key=merit, reverse=True)
    ranked: list[tuple[int, Tally]] = []
    for index, tally in enumerate(lines):
        if ranked and merit(ranked[-1][1]) == merit(tally):
            ranked.append((ranked[-1][0], tally))
        else:
            ranked.append((index + 1, tally))
    return ranked


tallies = st.lists(
    st.builds(
        lambda index, label, points, finishes: Tally(
            f"line-{index}", label, points, Counter(finishes)
        ),
        st.integers(0, 10**6),
        st.sampled_from(LABELS),
        st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(25), Fraction(51, 2)]),
        st.lists(st.integers(1, 6), max_size=6),
    ),
    max_size=14,
    unique_by=lambda tally: tally.key,
)


@settings(max_examples=200, deadline=None)
@given(tallies)
def test_rank_agrees_with_the_count_back_spelt_out(lines: list[Tally]) -> None:
    expected = [(position, tally.key) for position, tally in reference_rank(lines)]
    assert [(position, tally.key) for position, tally in rank(lines)] == expected


def test_count_back_keys_compare_as_counts_of_each_position() -> None:
    # A win beats any number of seconds; more of a position beats fewer; having a further
    # finish beats having none.
    assert count_back([1]) < count_back([2, 2, 2])
    assert count_back([2, 2, 9]) < count_back([2, 3])
    assert count_back([1, 5]) < count_back([1])
    assert count_back([3, 1, 2]) == count_back([1, 2, 3])


# --- whole tables ------------------------------------------------------------------------------


def reference_table(catalog: Catalog, sessions: list[Session]) -> list[tuple[int, str, Fraction]]:
    """A DRIVERS table the long way: Fraction points per row (dead heats share the pool of the
    positions they cover), race finishes counted per position, `reference_rank`."""
    tallies: dict[str, Tally] = {}
    for session in sessions:
        scale = catalog.scales[session.points_scale or ""]
        classified = [
            (row.position, index)
            for index, row in enumerate(session.results)
            if row.status is ResultStatus.CLASSIFIED and row.position is not None
        ]
        earned = [Fraction(0)] * len(session.results)
        for position in {position for position, _ in classified}:
            tied = [index for p, index in classified if p == position]
            pool = sum(scale.points_for(position + i) for i in range(len(tied)))
            for index in tied:
                earned[index] = Fraction(pool, len(tied))
        for row, points in zip(session.results, earned, strict=True):
            for driver_id in row.drivers:
                tally = tallies.setdefault(
                    driver_id, Tally(driver_id, label_of(catalog, driver_id))
                )
                tally.points += points
                scored = row.status is ResultStatus.CLASSIFIED
                if session.kind is SessionKind.RACE and scored and row.position:
                    tally.finishes[row.position] += 1
    return [(pos, t.key, t.points) for pos, t in reference_rank(list(tallies.values()))]


def label_of(catalog: Catalog, driver_id: str) -> str:
    return catalog.drivers[driver_id].name


@st.composite
def fields(draw: st.DrawFn) -> tuple[Catalog, list[Session]]:
    """A random series round: a handful of drivers, sessions of random kinds and scales whose
    rows hold dead heats, shared cars, non-finishers and unclassified rows."""
    drivers = [
        Driver(id=f"d{n}", name=draw(st.sampled_from(LABELS)), country=None)
        for n in range(draw(st.integers(1, 8)))
    ]
    ids = [driver.id for driver in drivers]
    sessions = []
    for number in range(draw(st.integers(1, 5))):
        rows = []
        for _ in range(draw(st.integers(0, 8))):
            status = draw(st.sampled_from(list(ResultStatus)))
            classified = status is ResultStatus.CLASSIFIED
            position = draw(st.integers(1, 5)) if classified else None
            crew = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)))
            rows.append(ResultRow(drivers=crew, status=status, position=position))
        kind = draw(st.sampled_from([SessionKind.RACE, SessionKind.QUALIFYING]))
        sessions.append(
            results_session(f"s{number}", tuple(rows), draw(st.sampled_from(list(SCALES))), kind)
        )
    entries = tuple(
        Entry(drivers=(driver_id,), team=draw(st.sampled_from(TEAMS))) for driver_id in ids
    )
    return one_event_catalog(drivers, sessions, SCALES.values(), entries), sessions


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields())
def test_a_drivers_table_agrees_with_the_rules_spelt_out(
    drawn: tuple[Catalog, list[Session]],
) -> None:
    catalog, sessions = drawn
    lines = table_lines(catalog, sessions, TableKind.DRIVERS)
    assert [(line.position, line.key, line.points) for line in lines] == reference_table(
        catalog, sessions
    )
    for line in lines:
        assert type(line.points) is Fraction  # exact, as the rest of the bot expects
        wins = sum(
            1
            for s in sessions
            if s.kind is SessionKind.RACE
            for row in s.results
            if line.key in row.drivers and row.position == 1 and row.status.scores
        )
        assert line.wins == wins


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields())
def test_a_teams_table_credits_each_team_once_per_car(drawn: tuple[Catalog, list[Session]]) -> None:
    catalog, sessions = drawn
    event = catalog.events["s/e"]
    team_of = {entry.drivers[0]: entry.team for entry in event.entries}
    expected: dict[str, Fraction] = {}
    points = {
        (s.id, index): line_points
        for s in sessions
        for index, line_points in enumerate(row_points(catalog, s))
    }
    for s in sessions:
        for index, row in enumerate(s.results):
            teams = dict.fromkeys(team_of[d] for d in row.drivers if team_of[d])
            for team in teams:
                expected[team] = expected.get(team, Fraction(0)) + points[(s.id, index)]
    lines = table_lines(catalog, sessions, TableKind.TEAMS)
    assert {line.key: line.points for line in lines} == expected


def row_points(catalog: Catalog, session: Session) -> list[Fraction]:
    return [points for _, points in scored_rows(catalog, session)]
