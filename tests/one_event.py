"""A series with one event, for the tests of points, count-back and the drivers' table: every
session in it is a results session on the same Saturday, scored by the scale it names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bot.core.catalog import Catalog
from bot.core.model import (
    Driver,
    Entry,
    Event,
    PointsScale,
    ResultRow,
    Series,
    Session,
    SessionKind,
)

# The usual race scale (TCR's): the one `results_session` names by default.
RACE = PointsScale("race", "Race", (25, 20, 16, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1))


def results_session(
    slug: str,
    results: tuple[ResultRow, ...],
    scale: str | None = "race",
    kind: SessionKind = SessionKind.RACE,
) -> Session:
    """A session of event `s/e` with its results complete."""
    return Session(
        id=f"s/e/{slug}",
        slug=slug,
        event_id="s/e",
        series_id="s",
        name=slug,
        short_name=slug,
        kind=kind,
        day=date(2022, 4, 23),
        local_time=None,
        timezone="Europe/Berlin",
        points_scale=scale,
        results=results,
        results_complete=True,
    )


def one_event_catalog(
    drivers: Iterable[Driver],
    sessions: Sequence[Session],
    scales: Iterable[PointsScale],
    entries: tuple[Entry, ...] = (),
) -> Catalog:
    """Series `s` (2022) with the one event `s/e` holding `sessions`."""
    event = Event(
        id="s/e",
        slug="e",
        series_id="s",
        name="E",
        timezone="Europe/Berlin",
        sessions=tuple(sessions),
        entries=entries,
    )
    series = Series(id="s", name="S", season=2022, events=(event,))
    return Catalog.build([series], list(drivers), [], list(scales))
