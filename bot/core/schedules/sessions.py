"""[[events.sessions]]: one session's time, links, points scale and results."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.model import Link, Session, SessionKind, wall_time_problem
from bot.core.provenance import FactKind
from bot.core.schedules import formats
from bot.core.schedules.links import parse_links
from bot.core.schedules.problems import KeyPath
from bot.core.schedules.provenance import PROVENANCE_KEYS, record, record_listed
from bot.core.schedules.reader import Node
from bot.core.schedules.results import Roster, SharedRows, parse_results

SESSION_KEYS = (
    "id", "name", "short", "kind", "date", "time", "duration", "part", "utc_offset", "points",
    "live_timing", "results_complete", "broadcasts", "results", "cancelled", *PROVENANCE_KEYS,
)  # fmt: skip


@dataclass(frozen=True)
class EventScope:
    """What a session inherits from its event and series; what its results are checked with."""

    series_id: str
    event_id: str
    timezone: str | None  # None when the event's zone is missing or bad (already reported)
    start_date: date | None
    end_date: date | None
    broadcasts: tuple[Link, ...]
    live_timing: Link | None
    series_scales: Mapping[SessionKind, str]
    scale_ids: Collection[str]
    driver_ids: Collection[str]
    roster: Roster
    shared_rows: SharedRows  # one per file: see SharedRows


@dataclass(frozen=True)
class ParsedSession:
    session: Session
    path: KeyPath
    settled: bool  # its start is one clear instant (no summer-time gap or fold left open)


def parse_session(node: Node, scope: EventScope) -> ParsedSession | None:
    node.check_keys(SESSION_KEYS)
    slug = node.formatted("id", formats.slug, required=True)
    name = node.text("name", required=True)
    short = node.text("short")
    kind = node.choice("kind", SessionKind, required=True)
    day = node.formatted("date", formats.day, required=True)
    clock = node.formatted("time", formats.session_time, required=True)
    duration = node.formatted("duration", formats.duration)
    part = node.integer("part", minimum=1)
    offset = node.formatted("utc_offset", formats.utc_offset)
    points = _points_scale(node, kind, scope)
    live = node.formatted("live_timing", formats.url)
    complete = node.flag("results_complete") or False
    cancelled = node.flag("cancelled") or False
    broadcasts = parse_links(node, "broadcasts") if node.has("broadcasts") else scope.broadcasts
    results = parse_results(node, scope.roster, scope.driver_ids, complete, scope.shared_rows)
    local_time = clock if isinstance(clock, time) else None
    session_id = f"{scope.event_id}/{slug or node.path[-1]}"
    record(node, (FactKind.SESSION, session_id, -1))
    record_listed(node, "results", FactKind.RESULT, session_id)

    start, end = scope.start_date, scope.end_date
    if day is not None and start and end and not start <= day <= end:
        dates = f"{start.isoformat()} to {end.isoformat()}"
        node.report("date", f"{day.isoformat()} is outside the event's dates ({dates})")
    if clock == formats.TBA and node.has("utc_offset"):
        node.report("utc_offset", "utc_offset needs a time; the time is TBA")
    settled = _settled(node, day, local_time, offset, scope.timezone)

    if slug is None or name is None or kind is None or day is None or clock is None:
        return None
    if scope.timezone is None:
        return None
    session = Session(
        id=session_id,
        slug=slug,
        event_id=scope.event_id,
        series_id=scope.series_id,
        name=name,
        short_name=short or name,
        kind=kind,
        day=day,
        local_time=local_time,
        timezone=scope.timezone,
        utc_offset=offset,
        duration=duration,
        part=part,
        broadcasts=broadcasts,
        live_timing=Link("Live timing", live) if live else scope.live_timing,
        points_scale=points,
        results=results,
        results_complete=complete,
        cancelled=cancelled,
    )
    return ParsedSession(session, node.path, settled)


def _points_scale(node: Node, kind: SessionKind | None, scope: EventScope) -> str | None:
    """The session's own `points`, false for none, else the series' scale for its kind."""
    value = node.data.get("points")
    if value is None:
        return scope.series_scales.get(kind) if kind else None
    if value is False:
        return None
    if not isinstance(value, str):
        node.report("points", f"expected a scale id or false, got {formats.describe(value)}")
        return None
    return node.reference("points", scope.scale_ids, "scale")


def _settled(
    node: Node,
    day: date | None,
    local_time: time | None,
    offset: timedelta | None,
    zone: str | None,
) -> bool:
    """Report a wall time that summer time makes vanish or happen twice; True when it is clear."""
    if day is None or local_time is None or zone is None:
        return False
    if node.has("utc_offset") and offset is None:
        return False  # the offset itself is malformed and already reported
    problem = wall_time_problem(datetime.combine(day, local_time), zone, offset)
    if problem is None:
        return True
    node.report("utc_offset" if problem.startswith("utc_offset") else "time", problem)
    return False
