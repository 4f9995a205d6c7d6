"""The championship as it grew: each driver's points after every round (or, while only one
round has results, after every session of that weekend), for the standings chart.

Nothing here decides what counts: the sessions are the scoring sessions the time-true standings
count (`scoring_sessions` with `Cut.at(until)`, or `Cut.through` a session for a results post),
and each step's points are the standings table as it stood once that step's last session was
over (`standings(..., through=...)`). So the chart's last step is the table `/standings`
shows, published fallback included, and a point is missing (None) where that table does not
say: a partial computation or a published top three has no figure for a driver it leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Literal

from bot.core.catalog import Catalog
from bot.core.cut import Cut, finished_at
from bot.core.i18n import N_, _, current_language
from bot.core.inferred import scale_note
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, bold, italic, line, paragraph
from bot.core.standings import Standings, TableKind, scoring_sessions, standings, table_at
from bot.core.views import series_label, standings_heading

__all__ = [
    "DEFAULT_TOP",
    "DriverLine",
    "Progression",
    "Step",
    "alt_text",
    "chart_caption",
    "no_chart_reply",
    "progression",
]

DEFAULT_TOP = 6
# The first step's label, translated when the progression is built (in the reader's language).
START_LABEL = N_("Start")

StepKind = Literal["start", "round", "session"]


@dataclass(frozen=True)
class Step:
    label: str  # "R1 Oschersleben", "Race 1", or "Start"
    kind: StepKind
    # The last session of the step: its table is the one `through` it (None for the start).
    through: str | None


@dataclass(frozen=True)
class DriverLine:
    driver_id: str
    label: str
    points: tuple[Fraction | None, ...]  # one per step; None: the step's table does not say
    position: int | None  # in the last step's table
    highlighted: bool


@dataclass(frozen=True)
class Progression:
    series_id: str
    title: str  # "TCR Germany 2022"
    heading: str  # "After round 1 of 7 (Oschersleben)", as /standings says it
    steps: tuple[Step, ...]
    drivers: tuple[DriverLine, ...]  # top drivers by the last table, then the highlighted
    table: Standings  # the last step's table: what /standings answers at the same moment
    # The sessions counted: with the highlighted drivers, what identifies one chart.
    sessions_counted: tuple[str, ...]
    # Why the points scales of the computed steps are inferred, when any is (bot.core.inferred).
    inferred_scales: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return len(self.steps) <= 1 or not self.drivers

    @property
    def key(self) -> tuple[object, ...]:
        highlighted = tuple(d.driver_id for d in self.drivers if d.highlighted)
        return (self.series_id, self.sessions_counted, highlighted)


def progression(
    catalog: Catalog,
    series_id: str,
    until: datetime | None = None,
    *,
    through: str | None = None,
    highlight: Iterable[str] = (),
    top: int = DEFAULT_TOP,
) -> Progression:
    """The progression of `series_id` with the sessions finished by `until` (or as it stood
    once the session `through` was over), for the top `top` drivers and `highlight`."""
    series = catalog.series[series_id]
    cut = Cut.through(catalog, catalog.sessions[through]) if through else Cut.at(until)
    counted = [s for s in scoring_sessions(catalog, series, cut) if s.has_results]
    wanted = tuple(sorted(set(highlight)))
    # Its labels and heading are in the reader's language: one progression per language.
    language = current_language()
    key = ("progression", language, series_id, tuple(s.id for s in counted), wanted, top)
    return catalog.derived(key, lambda: _build(catalog, series_id, counted, wanted, top, cut))


def _build(
    catalog: Catalog,
    series_id: str,
    counted: list[Session],
    highlight: tuple[str, ...],
    top: int,
    cut: Cut,
) -> Progression:
    steps = (Step(_(START_LABEL), "start", None), *_steps(catalog, counted))
    tables = [
        standings(catalog, series_id, TableKind.DRIVERS, through=step.through)
        for step in steps[1:]
        if step.through is not None
    ]
    last = tables[-1] if tables else _table_at(catalog, series_id, cut)
    listed: dict[str, str] = {}
    for table in tables:
        listed.update((line.key, line.label) for line in table.lines)
    chosen = [line.key for line in last.lines[:top]]
    chosen += [driver for driver in highlight if driver in listed and driver not in chosen]
    positions = {line.key: line.position for line in last.lines}
    drivers = tuple(
        DriverLine(
            driver_id=driver,
            label=listed[driver],
            points=(Fraction(0), *(_points(table, driver) for table in tables)),
            position=positions.get(driver),
            highlighted=driver in highlight,
        )
        for driver in chosen
    )
    return Progression(
        series_id=series_id,
        title=series_label(catalog, series_id),
        heading=standings_heading(catalog, last),
        steps=steps if tables else (),
        drivers=drivers,
        table=last,
        sessions_counted=tuple(s.id for s in counted),
        inferred_scales=tuple(
            dict.fromkeys(
                reason
                for table in (*tables, last)
                if table.source == "computed"
                for reason in table.inferred_scales
            )
        ),
    )


def _steps(catalog: Catalog, counted: list[Session]) -> list[Step]:
    """A step per round; while every counted session is of one round, a step per session."""
    events = list(dict.fromkeys(s.event_id for s in counted))
    if len(events) == 1:
        return [Step(s.name, "session", s.id) for s in counted]
    last_of: dict[str, Session] = {}
    for session in counted:  # the round's last session to finish: the table after the round
        held = last_of.get(session.event_id)
        if held is None or finished_at(session) >= finished_at(held):
            last_of[session.event_id] = session
    steps = []
    for event_id in events:
        event = catalog.events[event_id]
        label = (
            _("R{round} {event}").format(round=event.round, event=event.name)
            if event.round
            else event.name
        )
        steps.append(Step(label, "round", last_of[event_id].id))
    return steps


def _points(table: Standings, driver_id: str) -> Fraction | None:
    for row in table.lines:
        if row.key == driver_id:
            return row.points
    # Off a complete computed table a driver has no points yet; off any other, we do not know.
    return Fraction(0) if table.complete and table.source == "computed" else None


def _table_at(catalog: Catalog, series_id: str, cut: Cut) -> Standings:
    return table_at(catalog, series_id, TableKind.DRIVERS, cut)


def chart_caption(progression: Progression) -> Reply:
    """The words that go with the chart: the series, and how far the championship has got in
    the words /standings uses ("After round 1 of 7 (Oschersleben)")."""
    lines = [line(bold(_("{series} — drivers’ championship").format(series=progression.title)))]
    if progression.heading:
        lines.append(line(progression.heading))
    table = progression.table
    if table.source == "published":
        lines.append(line(italic(_("The last points are the organiser’s published table."))))
    elif not table.complete:
        lines.append(line(italic(_("From incomplete results: not the championship order."))))
    if progression.inferred_scales:
        lines.append(line(italic(scale_note(progression.inferred_scales))))
    return Reply(title=None, blocks=(paragraph(*lines),), contains_results=True)


def alt_text(progression: Progression) -> str:
    """The image described in words, for screen readers: "TCR Germany 2022: championship
    points after round 1 of 7 (Oschersleben)"."""
    heading = progression.heading
    if current_language() != "de":  # German nouns keep their capital mid-sentence
        heading = heading[:1].lower() + heading[1:]
    text = (
        _("{series}: championship points {after}")
        if heading
        else _("{series}: championship points")
    )
    return text.format(series=progression.title, after=heading)


def no_chart_reply(catalog: Catalog, series_id: str) -> Reply:
    """For a series with nothing to draw yet: what to ask instead."""
    name = series_label(catalog, series_id)
    message = _(
        "No results in {series} yet, so there is no chart to draw: it starts after the first "
        "session that scores points. /next {series_id} says when that is."
    ).format(series=name, series_id=series_id)
    return Reply(title=None, blocks=(paragraph(message),), status=ReplyStatus.EMPTY)
