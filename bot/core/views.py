"""Replies built from query answers: what each command shows, platform-neutral."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from bot.core import inferred
from bot.core.catalog import Catalog
from bot.core.formatting import format_duration, format_points
from bot.core.i18n import (
    N_,
    _,
    and_list,
    format_date_span,
    format_day,
    format_decimal_places,
    format_time_of_day,
    ordinal,
    pgettext,
)
from bot.core.model import (
    Driver,
    Event,
    Link,
    Session,
    Track,
    zone_info,
)
from bot.core.queries import DriverWeekend, is_live, results_known, zone_label
from bot.core.reply import (
    Column,
    Inline,
    Line,
    LinkText,
    Moment,
    MomentStyle,
    Paragraph,
    Reply,
    Table,
    ZoneNote,
    bold,
    fields,
    italic,
    line,
    paragraph,
)
from bot.core.results_view import result_label, results_table
from bot.core.standings import DriverTotal, Standings, TableKind


def series_label(catalog: Catalog, series_id: str) -> str:
    series = catalog.series[series_id]
    return f"{series.short_name or series.name} {series.season}"


def event_dates(event: Event) -> str:
    if event.start_date is None:
        if event.date_note:
            return _("dates TBA ({note})").format(note=event.date_note)
        return _("dates TBA")
    start, end = event.start_date, event.end_date or event.start_date
    return format_date_span(start, end)


def event_heading(catalog: Catalog, event: Event) -> str:
    series = catalog.series[event.series_id]
    name = f"{series.short_name or series.name} {series.season}"
    if event.round is None:
        return name
    if series.rounds:
        return _("{series}, round {round} of {rounds}").format(
            series=name, round=event.round, rounds=series.rounds
        )
    return _("{series}, round {round}").format(series=name, round=event.round)


def when(session: Session, zone: str, now: datetime | None = None) -> Line:
    """A session's time in `zone`, with a countdown when `now` is given."""
    start = session.start_utc
    if start is None:
        day = Moment(session.sort_key, session.timezone, MomentStyle.DATE)
        return (day, italic(" · " + _("time TBA")))
    parts: list[Inline] = [Moment(start, zone)]
    if now is not None:
        if is_live(session, now):
            parts.append(bold(" · " + _("LIVE NOW")))
        else:
            parts += [line(" · ")[0], Moment(start, zone, MomentStyle.RELATIVE, reference=now)]
    return tuple(parts)


def link_line(links: tuple[Link, ...], live_timing: Link | None) -> Line:
    parts: list[Inline] = []
    for item in (*links, *((live_timing,) if live_timing else ())):
        if parts:
            parts.append(line(" · ")[0])
        parts.append(LinkText(item.label, item.url))
    return tuple(parts)


def next_reply(
    catalog: Catalog,
    sessions: list[Session],
    untimed: list[Event],
    zone: str,
    now: datetime,
    title: str,
) -> Reply:
    """Upcoming sessions soonest first, then dated events whose times are not out yet."""
    lines: list[Line] = []
    for session in sessions:
        event = catalog.events[session.event_id]
        duration = f" ({format_duration(session.duration)})" if session.duration else ""
        lines.append(
            line(
                bold(f"{session.name}{duration}"),
                f" — {event.name}, {series_label(catalog, session.series_id)}",
            )
        )
        lines.append(line("  ", *when(session, zone, now)))
        links = link_line(session.broadcasts, session.live_timing)
        if links:
            lines.append(line("  ", *links))
    for event in untimed:
        heading = f" — {event_heading(catalog, event)}"
        lines.append(line(bold(event.name), heading))
        lines.append(
            line(f"  {event_dates(event)} · ", italic(_("session times not published yet")))
        )
    note = ZoneNote((line(italic(times_in(zone_label(zone, now)))),))
    return Reply(title=title, blocks=(Paragraph(tuple(lines)), note))


def timetable_reply(catalog: Catalog, event: Event, zone: str, now: datetime) -> Reply:
    track = catalog.tracks.get(event.track_id or "")
    about = [event_heading(catalog, event), event_dates(event)]
    if track:
        about.insert(1, track.name)
    blocks: list[Paragraph | Table] = [paragraph(" · ".join(about))]
    if event.sessions:
        blocks += _timetable_blocks(event, zone)
    else:
        blocks.append(paragraph(_("No session times published yet.")))
    links = link_line(event.broadcasts, event.live_timing)
    if links:
        blocks.append(Paragraph((line(_("Watch: "), *links),)))
    return Reply(title=event.name, blocks=tuple(blocks))


def _timetable_blocks(event: Event, zone: str) -> list[Paragraph | Table]:
    """The timetable in `zone`, and at the track when that is another zone.

    A weekend across a summer-time change has two abbreviations in one zone: then each row
    carries its own (a London reader must not read the 01:30 GMT row as BST), and the track's
    times get a column of their own instead of one label in the note."""
    starts = [s.start_utc for s in event.sessions if s.start_utc is not None]
    own_label = len({_abbreviation(zone, at) for at in starts}) > 1
    at_track = zone != event.timezone
    track_column = at_track and len({_abbreviation(event.timezone, at) for at in starts}) > 1
    rows = []
    for session in event.sessions:
        start = session.start_utc
        if session.cancelled:
            name = _("{session} (cancelled)").format(session=session.name)
        else:
            name = session.name
        if start is None:
            row = [format_day(session.day), _("TBA"), name, _length(session)]
        else:
            local = start.astimezone(zone_info(zone))
            row = [
                format_day(local),
                _clock(start, zone, own_label),
                name,
                _length(session),
            ]
        if track_column:
            row.append("" if start is None else _clock(start, event.timezone, True))
        rows.append(tuple(row))
    columns = [Column(_("Day")), Column(_("Time")), Column(_("Session")), Column(_("Length"))]
    if track_column:
        columns.append(Column(_("At the track")))
    # The zone's abbreviation that weekend (CEST in April), not today's.
    reference = min(s.sort_key for s in event.sessions)
    if own_label:
        note = _(
            "Times in {zone}, each with its own abbreviation: summer time changes that weekend."
        ).format(zone=zone)
    else:
        note = times_in(zone_label(zone, reference))
    if at_track and not track_column:
        track_zone = zone_label(event.timezone, reference)
        note += " " + _("At the track: {zone}.").format(zone=track_zone)
    return [Table(tuple(columns), tuple(rows)), paragraph(line(italic(note)))]


def _abbreviation(zone: str, at: datetime) -> str:
    return at.astimezone(zone_info(zone)).tzname() or zone


def _clock(at: datetime, zone: str, labelled: bool) -> str:
    """'13:00', or '13:00 BST' where one zone shows two abbreviations in one table."""
    local = at.astimezone(zone_info(zone))
    shown = format_time_of_day(local)
    return f"{shown} {_abbreviation(zone, at)}" if labelled else shown


def _length(session: Session) -> str:
    return format_duration(session.duration) if session.duration else ""


def watch_reply(catalog: Catalog, event: Event, zone: str, now: datetime) -> Reply:
    lines: list[Line] = [line(event_heading(catalog, event), " · ", event_dates(event))]
    event_links = link_line(event.broadcasts, event.live_timing)
    if event_links:
        lines.append(line(bold(_("Every session: ")), *event_links))
    for session in event.sessions:
        own = session.broadcasts != event.broadcasts or session.live_timing != event.live_timing
        if own and (session.broadcasts or session.live_timing):
            lines.append(
                line(bold(f"{session.name}: "), *link_line(session.broadcasts, session.live_timing))
            )
    if len(lines) == 1:
        lines.append(line(_("No streams or live timing published for this event yet.")))
    upcoming = [
        s for s in event.sessions if s.start_utc and (s.start_utc >= now or is_live(s, now))
    ]
    if upcoming:
        lines.append(
            line(_("Next: "), bold(upcoming[0].name), " · ", *when(upcoming[0], zone, now))
        )
    title = _("Where to watch: {event}").format(event=event.name)
    return Reply(title=title, blocks=(Paragraph(tuple(lines)),))


def standings_reply(catalog: Catalog, table: Standings) -> Reply:
    series = catalog.series[table.series_id]
    title = f"{series.name} {series.season} — {table_name(table.kind)}"
    blocks: list[Paragraph | Table] = []
    heading = standings_heading(catalog, table)
    if heading:
        blocks.append(paragraph(heading))
    if not table.lines:
        empty = table.note.capitalize() + "." if table.note else _("No results yet.")
        blocks.append(paragraph(empty))
        return Reply(title=title, blocks=tuple(blocks))
    # A partial computation's order is not the championship's: it gets no positions, and says
    # so before the table rather than under it.
    ranked = table.complete or table.source == "published"
    if not ranked:
        blocks.append(paragraph(line(bold(_(PARTIAL_WARNING)))))
    blocks.append(_standings_table(table, ranked))
    if table.source == "published":
        if table.note:
            note = _(
                "Published standings: our results for this series are incomplete ({note})."
            ).format(note=table.note)
        else:
            note = _("Published standings: our results for this series are incomplete.")
        blocks.append(paragraph(line(italic(note))))
    notes = inferred.standings_notes(table.source, table.inferred_scales, table.inferred_rows)
    if notes:
        blocks.append(paragraph(*(line(italic(note)) for note in notes)))
    return Reply(title=title, blocks=tuple(blocks), contains_results=True)


PARTIAL_WARNING = N_(
    "Incomplete: points from the results we have only, not the championship order."
)


def table_name(kind: TableKind) -> str:
    """A standings table's name in a title: "drivers", "förare", "Fahrer"."""
    return {
        TableKind.DRIVERS: pgettext("standings table", "drivers"),
        TableKind.TEAMS: pgettext("standings table", "teams"),
        TableKind.CLASSES: pgettext("standings table", "classes"),
    }[kind]


def times_in(zone: str) -> str:
    return _("Times in {zone}.").format(zone=zone)


def standings_heading(catalog: Catalog, table: Standings) -> str:
    """'After round 1 of 7 (Oschersleben)' once the round is over; while it is not, the
    sessions of it that are in: 'Round 1 of 7 (Oschersleben) under way: after Race 1'."""
    if not table.after_event:
        return ""
    event = catalog.events[table.after_event]
    names = [catalog.sessions[s].name for s in table.sessions_in if s in catalog.sessions]
    done, total = table.rounds_done, table.rounds_total
    if table.event_over:
        if done and total:
            text = _("After round {done} of {total} ({event})")
        elif done:
            text = _("After round {done} ({event})")
        else:
            text = _("After {event}")
    elif done and total:
        text = _("Round {done} of {total} ({event}) under way: after {sessions}")
    elif done:
        text = _("Round {done} ({event}) under way: after {sessions}")
    else:
        text = _("{event} under way: after {sessions}")
    return text.format(done=done, total=total, event=event.name, sessions=and_list(names))


def _standings_table(table: Standings, ranked: bool) -> Table:
    name_header = _("Team") if table.kind is TableKind.TEAMS else _("Driver")
    columns = [Column(name_header)]
    if ranked:
        columns.insert(0, Column(_("Pos"), numeric=True))
    if table.kind is TableKind.CLASSES:
        columns.insert(0, Column(_("Class")))
    if table.kind is not TableKind.TEAMS:
        columns.append(Column(pgettext("column: nationality", "Nat")))
    columns.append(Column(pgettext("column: points", "Pts"), numeric=True))
    rows = []
    for item in table.lines:
        row = [item.label]
        if ranked:
            row.insert(0, str(item.position))
        if table.kind is TableKind.CLASSES:
            row.insert(0, item.class_name or "")
        if table.kind is not TableKind.TEAMS:
            row.append(item.country or "")
        row.append(format_points(item.points))
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows))


def championship_text(total: DriverTotal, table: Standings) -> str | None:
    """'3rd in the championship, 44 pts', or '33 pts from the results known so far' when the
    only table is a partial computation (its order is not the championship's); None before
    the series has any points to show."""
    if not table.lines:
        return None
    points = points_text(total.points)
    if total.position is not None and total.ranked:
        text = _("{position} in the championship, {points}").format(
            position=ordinal(total.position), points=points
        )
    else:
        text = _("{points} from the results known so far").format(points=points)
    if table.source == "computed" and table.inferred_scales:
        text += f" ({inferred.SCALE_MARK})"
    return text


def points_text(points: Fraction | int) -> str:
    """'44 pts', '44 p.', '44 Pkt.'."""
    return _("{points} pts").format(points=format_points(points))


def weekend_summary(weekend: DriverWeekend, championship: str | None) -> str:
    """'FP1 2nd · … · Race 2 5th — 3rd in the championship, 44 pts'."""
    parts = [
        f"{item.session.short_name} {result_label(item.session, item.result)}"
        for item in weekend.items
        if item.result
    ]
    text = " · ".join(parts) if parts else _("no results yet")
    return f"{text} — {championship}" if championship else text


def results_reply(catalog: Catalog, session: Session, zone: str, now: datetime) -> Reply:
    event = catalog.events[session.event_id]
    title = f"{session.name} — {event.name}"
    heading = paragraph(line(event_heading(catalog, event), " · ", *when(session, zone)))
    if not results_known(session, now):
        return Reply(title=title, blocks=(heading, paragraph(_("No results yet."))))
    table, fastest = results_table(catalog, event, session)
    blocks: list[Paragraph | Table] = [heading, table]
    if fastest:
        blocks.append(paragraph(*fastest))
    if not session.results_complete:
        blocks.append(paragraph(line(italic(_("Partial results: not the whole classification.")))))
    reasons = inferred.result_reasons(catalog, (session,))
    if reasons:
        blocks.append(paragraph(line(italic(inferred.results_note(reasons)))))
    return Reply(title=title, blocks=tuple(blocks), contains_results=True)


def driver_reply(
    catalog: Catalog,
    driver: Driver,
    weekend: DriverWeekend | None,
    championship: str | None,
) -> Reply:
    facts: list[tuple[str, Line | str]] = []
    if driver.country:
        facts.append((_("Country"), driver.country))
    if driver.home_town:
        facts.append((_("Home"), driver.home_town))
    for event_id, entry in catalog.entries_by_driver.get(driver.id, ()):
        event = catalog.events[event_id]
        car = " · ".join(
            p
            for p in (f"#{entry.number}" if entry.number else "", entry.team or "", entry.car or "")
            if p
        )
        if inferred.entry_reason(catalog, event_id, entry):
            car += f" ({inferred.ENTRY_MARK})"
        facts.append((series_label(catalog, event.series_id), f"{event.name}: {car}"))
    blocks: list[Paragraph | Table] = []
    if facts:
        blocks.append(
            paragraph(
                *(
                    line(bold(f"{label}: "), *(value if isinstance(value, tuple) else line(value)))
                    for label, value in facts
                )
            )
        )
    if weekend is not None:
        weekend_lines: list[Line | str] = [
            line(bold(f"{weekend.event.name} ({event_heading(catalog, weekend.event)}): ")),
            weekend_summary(weekend, championship),
        ]
        entry_reason = inferred.entry_reason(catalog, weekend.event.id, weekend.entry)
        if entry_reason:
            weekend_lines.append(line(italic(inferred.entry_note(entry_reason))))
        blocks.append(paragraph(*weekend_lines))
    if driver.highlights:
        highlights = (f"• {h}" for h in driver.highlights)
        blocks.append(paragraph(line(bold(_("Highlights"))), *highlights))
    return Reply(title=driver.name, blocks=tuple(blocks), contains_results=weekend is not None)


def track_reply(catalog: Catalog, track: Track, events: list[Event]) -> Reply:
    items: list[tuple[str, Line | str]] = []
    if track.location or track.country:
        items.append((_("Location"), ", ".join(p for p in (track.location, track.country) if p)))
    if track.length_km is not None:
        items.append((_("Length"), f"{format_decimal_places(track.length_km, 3)} km"))
    if track.corners is not None:
        items.append((_("Corners"), str(track.corners)))
    for record in track.lap_records:
        holder = (
            f" ({record.holder}{', ' + str(record.year) if record.year else ''})"
            if record.holder
            else ""
        )
        label = _("Lap record ({class_name})").format(class_name=record.class_name)
        items.append((label, f"{record.time}{holder}"))
    for event in events:
        items.append((event_heading(catalog, event), f"{event.name}, {event_dates(event)}"))
    reason = inferred.track_reason(catalog, track.id)
    if reason:
        items.append((_("Inferred"), reason))
    if not items:
        return Reply(
            title=track.name,
            blocks=(paragraph(_("No facts about this track in the data yet.")),),
        )
    return Reply(title=track.name, blocks=(fields(items),))
