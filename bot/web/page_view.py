"""What the public page shows, as plain data for its templates: true at the clock's now.

The results and the standings come from the same views the chat commands use
(`views.results_reply`, `views.standings_reply` over `standings(..., until=now)`), turned into
blocks a template can walk. A time is a `TimeText`: the UTC instant for `<time datetime>` and
the track-local text a browser without JavaScript shows; the page's script rewrites it in the
visitor's own zone.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core import views
from bot.core.catalog import Catalog
from bot.core.cut import finished_at
from bot.core.formatting import format_duration, format_moment
from bot.core.i18n import DEFAULT_LANGUAGE, _, current_language, format_date_span
from bot.core.model import Event, Link, Series, Session, localize, zone_info
from bot.core.queries import results_known, zone_label
from bot.core.reply import (
    Line,
    LinkText,
    Moment,
    MomentStyle,
    Paragraph,
    Reply,
    Style,
    Table,
    ZoneNote,
)
from bot.core.standings import TableKind, standings


@dataclass(frozen=True)
class TimeText:
    """`<time datetime=iso>fallback</time>`; `convert`: a full instant the browser may show in
    the visitor's zone (a TBA session's day is a date, and stays as the track gives it)."""

    iso: str
    fallback: str
    convert: bool


@dataclass(frozen=True)
class Piece:
    """One inline piece of a paragraph: text (with a style), a link or a time."""

    text: str = ""
    style: str = Style.PLAIN.value
    url: str | None = None
    time: TimeText | None = None


@dataclass(frozen=True)
class Block:
    """A paragraph (`lines`) or a table (`headers`, `numeric`, `rows`)."""

    lines: tuple[tuple[Piece, ...], ...] = ()
    headers: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def is_table(self) -> bool:
        return bool(self.headers)


@dataclass(frozen=True)
class Section:
    """A reply from the shared views: a title and its blocks."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class SessionRow:
    name: str
    when: TimeText
    tba: bool
    length: str
    cancelled: bool


@dataclass(frozen=True)
class EventView:
    id: str
    slug: str
    name: str
    heading: str  # "TCR Germany 2022, round 1 of 7"
    dates: str
    track: str | None
    zone_note: str  # "Europe/Berlin (CEST)": what the fallback times are in
    sessions: tuple[SessionRow, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class SeriesView:
    id: str
    name: str  # "ADAC TCR Germany 2022"
    events: tuple[EventView, ...]
    results: tuple[Section, ...] = ()
    standings: tuple[Section, ...] = ()
    website: str | None = None


@dataclass(frozen=True)
class IndexEntry:
    id: str
    url: str
    name: str
    events: int
    dates: str


@dataclass(frozen=True)
class Buttons:
    calendar_https: str
    calendar_webcal: str
    telegram: str | None
    discord: str | None


# --- the cut: what, of the clock's now, changes the page ----------------------------------------


def counted(catalog: Catalog, now: datetime) -> int:
    """How many of the moments that change what counts (a session finishing, a session-less
    event's last day ending) have passed by `now`: two nows with the same count show the same
    results and standings, so the page rendered for one serves the other."""
    moments = catalog.derived("web.page.moments", lambda: _moments(catalog))
    return bisect.bisect_right(moments, now)


def _moments(catalog: Catalog) -> list[datetime]:
    found = [finished_at(session) for session in catalog.sessions.values()]
    for event in catalog.events.values():
        if not event.sessions and event.end_date is not None:
            day_after = datetime.combine(event.end_date + timedelta(days=1), time(0, 0))
            found.append(localize(day_after, event.timezone, None).astimezone(UTC))
    return sorted(found)


# --- building ---------------------------------------------------------------------------------


def index_entries(catalog: Catalog, link: Callable[[str], str]) -> list[IndexEntry]:
    """Every series, the latest season first; `link` makes a page's URL from its path."""
    ordered = sorted(catalog.series.values(), key=lambda s: (-s.season, s.name))
    return [
        IndexEntry(
            s.id, link(f"/s/{s.id}"), f"{s.name} {s.season}", len(s.events), _season_dates(s)
        )
        for s in ordered
    ]


def series_view(catalog: Catalog, series: Series, now: datetime) -> SeriesView:
    events = tuple(event_view(catalog, event) for event in series.events)
    latest = _latest_with_results(catalog, series.events, now)
    results = (
        (_section(views.results_reply(catalog, latest, latest.timezone, now)),) if latest else ()
    )
    return SeriesView(
        series.id,
        f"{series.name} {series.season}",
        events,
        results,
        standings_sections(catalog, series.id, now),
        series.website,
    )


def event_page_view(catalog: Catalog, event: Event, now: datetime) -> SeriesView:
    """The event's page: its timetable, every session of it with results known by `now`."""
    series = catalog.series[event.series_id]
    results = tuple(
        _section(views.results_reply(catalog, session, session.timezone, now))
        for session in event.sessions
        if results_known(session, now)
    )
    return SeriesView(
        series.id,
        f"{series.name} {series.season}",
        (event_view(catalog, event),),
        results,
        standings_sections(catalog, series.id, now),
        event.website or series.website,
    )


def event_view(catalog: Catalog, event: Event) -> EventView:
    track = catalog.tracks.get(event.track_id or "")
    reference = min((s.sort_key for s in event.sessions), default=None)
    zone_note = zone_label(event.timezone, reference) if reference else event.timezone
    return EventView(
        event.id,
        event.slug,
        event.name,
        views.event_heading(catalog, event),
        views.event_dates(event),
        track.name if track else None,
        zone_note,
        tuple(_session_row(session) for session in event.sessions),
        (*event.broadcasts, *((event.live_timing,) if event.live_timing else ())),
    )


def standings_sections(catalog: Catalog, series_id: str, now: datetime) -> tuple[Section, ...]:
    """The drivers' table, and the teams' when there is one, as `/standings` shows them now."""
    sections = []
    for kind in (TableKind.DRIVERS, TableKind.TEAMS):
        table = standings(catalog, series_id, kind, until=now)
        if kind is TableKind.DRIVERS or table.lines:
            sections.append(_section(views.standings_reply(catalog, table)))
    return tuple(sections)


def time_text(moment: Moment) -> TimeText:
    if moment.style is MomentStyle.DATE:
        day = moment.at.astimezone(zone_info(moment.zone)).date()
        return TimeText(day.isoformat(), format_moment(moment), False)
    return TimeText(_utc_iso(moment.at), format_moment(moment), True)


def _session_row(session: Session) -> SessionRow:
    start = session.start_utc
    if start is None:
        when = time_text(Moment(session.sort_key, session.timezone, MomentStyle.DATE))
    else:
        when = time_text(Moment(start, session.timezone))
    length = format_duration(session.duration) if session.duration else ""
    return SessionRow(session.name, when, start is None, length, session.cancelled)


def _latest_with_results(
    catalog: Catalog, events: Sequence[Event], now: datetime
) -> Session | None:
    ids = {event.id for event in events}
    for session in reversed(catalog.timeline):
        if session.event_id in ids and results_known(session, now):
            return session
    return None


def _season_dates(series: Series) -> str:
    days = sorted(e.start_date for e in series.events if e.start_date is not None)
    ends = sorted((e.end_date or e.start_date) for e in series.events if e.start_date is not None)
    if not days or not ends:
        return _("dates TBA")
    first, last = days[0], ends[-1]
    if current_language() != DEFAULT_LANGUAGE:
        return format_date_span(first, last)
    return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"  # the page's English shape


def _section(reply: Reply) -> Section:
    blocks: list[Block] = []
    for block in reply.blocks:
        if isinstance(block, Table):
            blocks.append(
                Block(
                    headers=tuple(c.header for c in block.columns),
                    numeric=tuple(c.numeric for c in block.columns),
                    rows=block.rows,
                )
            )
        elif isinstance(block, Paragraph) and not isinstance(block, ZoneNote):
            blocks.append(Block(lines=tuple(_pieces(line) for line in block.lines)))
    return Section(reply.title or "", tuple(blocks))


def _pieces(line: Line) -> tuple[Piece, ...]:
    pieces = []
    for part in line:
        if isinstance(part, LinkText):
            pieces.append(Piece(part.label, url=part.url))
        elif isinstance(part, Moment):
            pieces.append(Piece(time=time_text(part)))
        else:
            pieces.append(Piece(part.text, part.style.value))
    return tuple(pieces)


def _utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
