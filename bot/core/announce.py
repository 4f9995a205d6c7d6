"""The post a chat sees for an announcement, composed when it goes out.

Composing at send time from the current catalog means a post always shows the latest data:
the true time left before a late reminder, the timetable as it stands. When the data no longer
backs the announcement (its session is gone, or it moved and a CHANGED post covers the move),
`compose` returns None and nothing is sent. Times are shown in the chat's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.audience import Chat, Subscription
from bot.core.catalog import Catalog
from bot.core.formatting import format_countdown, format_duration
from bot.core.i18n import _, pgettext, use_language
from bot.core.model import Entry, Event, Session, SessionKind, zone_info
from bot.core.plan import Announcement, AnnouncementKind, is_session_id, preview_start
from bot.core.queries import results_known
from bot.core.reply import (
    Block,
    Column,
    Fields,
    Line,
    Moment,
    MomentStyle,
    Reply,
    Table,
    bold,
    italic,
    line,
    paragraph,
)
from bot.core.results_view import result_label
from bot.core.standings import TableKind, driver_total, standings
from bot.core.views import (
    championship_text,
    event_heading,
    link_line,
    results_reply,
    standings_reply,
    timetable_reply,
    track_reply,
    when,
)

__all__ = ["FEW_ENTRIES", "compose"]

# A series follower sees the whole entry list in a preview when it is no longer than this.
FEW_ENTRIES = 10
# Within a minute of the start a session is "starting now"; after that it "started 4 min ago".
STARTING_NOW = timedelta(minutes=1)


def compose(
    announcement: Announcement,
    catalog: Catalog,
    chat: Chat,
    subscription: Subscription | None,
    now: datetime,
) -> Reply | None:
    """The reply to post to `chat`, or None when the announcement no longer holds; written in
    the chat's language, with its clock."""
    with use_language(chat.language, chat.clock_24h):
        return _compose(announcement, catalog, chat, subscription, now)


def _compose(
    announcement: Announcement,
    catalog: Catalog,
    chat: Chat,
    subscription: Subscription | None,
    now: datetime,
) -> Reply | None:
    match announcement.kind:
        case AnnouncementKind.PREVIEW:
            return _preview(announcement, catalog, chat.zone, subscription, now)
        case AnnouncementKind.REMINDER | AnnouncementKind.START:
            return _session_call(announcement, catalog, chat.zone, subscription, now)
        case AnnouncementKind.RESULTS:
            return _results(announcement, catalog, chat.zone, subscription, now)
        case AnnouncementKind.CHANGED:
            if is_session_id(announcement.subject):
                return _session_changed(announcement, catalog, chat.zone, now)
            return _weekend_changed(announcement, catalog, chat.zone, now)
        case AnnouncementKind.TOLD:
            return None  # a marker, never posted


# -- the weekend preview -------------------------------------------------------------------


def _preview(
    announcement: Announcement,
    catalog: Catalog,
    zone: str,
    subscription: Subscription | None,
    now: datetime,
) -> Reply | None:
    event = catalog.events.get(announcement.subject)
    if event is None:
        return None
    # Heading, timetable in the chat's zone, and where to watch, as /schedule shows them.
    blocks: list[Block] = list(timetable_reply(catalog, event, zone, now).blocks)
    blocks.extend(_entry_blocks(catalog, event, subscription))
    blocks.extend(_track_blocks(catalog, event))
    return Reply(title=_("Race weekend: {event}").format(event=event.name), blocks=tuple(blocks))


def _entry_blocks(catalog: Catalog, event: Event, subscription: Subscription | None) -> list[Block]:
    follows_series = subscription is None or event.series_id in subscription.series
    if follows_series and 0 < len(event.entries) <= FEW_ENTRIES:
        entries, heading = list(event.entries), _("Entry list")
    else:
        entries, heading = _followed_entries(event, subscription), _("Entries you follow")
    if not entries:
        return []
    with_class = any(entry.class_name for entry in entries)
    # The drivers go under their car: four names in one narrow column would be cut to pieces.
    columns = [
        Column(pgettext("column: car number", "No"), numeric=True),
        Column(_("Drivers"), below=True),
        Column(_("Team")),
        Column(_("Car")),
    ]
    if with_class:
        columns.append(Column(_("Class")))
    rows = []
    for entry in entries:
        row = [
            entry.number or "",
            _names(catalog, entry.drivers),
            entry.team or "",
            entry.car or "",
        ]
        if with_class:
            row.append(entry.class_name or "")
        rows.append(tuple(row))
    return [paragraph(line(bold(heading))), Table(tuple(columns), tuple(rows))]


def _track_blocks(catalog: Catalog, event: Event) -> list[Block]:
    track = catalog.tracks.get(event.track_id or "")
    if track is None:
        return []
    facts = track_reply(catalog, track, []).blocks
    if not any(isinstance(block, Fields) for block in facts):
        return []  # the track has no facts beyond its name, which the heading gives
    return [paragraph(line(bold(_("The track: {track}").format(track=track.name)))), *facts]


# -- reminder and start ----------------------------------------------------------------------


def _session_call(
    announcement: Announcement,
    catalog: Catalog,
    zone: str,
    subscription: Subscription | None,
    now: datetime,
) -> Reply | None:
    session = catalog.sessions.get(announcement.subject)
    if session is None or session.start_utc is None:
        return None
    start = session.start_utc
    if start != announcement.planned_start:
        return None  # it moved: the CHANGED post and the new start's own posts cover it
    if announcement.kind is AnnouncementKind.REMINDER and now >= start:
        return None  # delivered too late to remind anyone: the start post says it is live
    event = catalog.event_of(session)
    lines: list[Line] = [_event_line(catalog, event)]
    duration = f" · {format_duration(session.duration)}" if session.duration else ""
    lines.append(line(bold(_("Start: ")), Moment(start, zone), duration))
    if _offset_at(zone, start) != _offset_at(session.timezone, start):
        lines.append(
            line(italic(_("At the track: ")), Moment(start, session.timezone, MomentStyle.TIME))
        )
    lines.extend(_following_lines(catalog, event, subscription))
    lines.append(_watch_line(session, live=announcement.kind is AnnouncementKind.START))
    return Reply(title=_call_title(session.name, start, now), blocks=(paragraph(*lines),))


def _call_title(name: str, start: datetime, now: datetime) -> str:
    """'Race starts in 15 min' (the true time left), 'is starting now', 'is live now (...)'."""
    if start - now >= STARTING_NOW:
        return _("{session} starts {countdown}").format(
            session=name, countdown=format_countdown(start - now)
        )
    if now - start <= STARTING_NOW:
        return _("{session} is starting now").format(session=name)
    return _("{session} is live now (started {countdown})").format(
        session=name, countdown=format_countdown(start - now)
    )


def _watch_line(session: Session, *, live: bool) -> Line:
    links = link_line(session.broadcasts, session.live_timing)
    if not links:
        return line(italic(_("No stream or live timing published for this session.")))
    return line(bold(_("Watch live: ") if live else _("Watch: ")), *links)


def _following_lines(
    catalog: Catalog, event: Event, subscription: Subscription | None
) -> list[Line]:
    """'Following: Andreas Bäckman · #120 Lestrup Racing Team, Audi RS 3 LMS TCR'."""
    found = []
    for entry in _followed_entries(event, subscription):
        followed = [d for d in entry.drivers if subscription and d in subscription.drivers]
        number = f"#{entry.number}" if entry.number else None
        team = " ".join(part for part in (number, entry.team) if part)
        car = ", ".join(part for part in (team, entry.car) if part)
        found.append(
            line(bold(_("Following: ")), _names(catalog, followed), f" · {car}" if car else "")
        )
    return found


# -- results ---------------------------------------------------------------------------------


def _results(
    announcement: Announcement,
    catalog: Catalog,
    zone: str,
    subscription: Subscription | None,
    now: datetime,
) -> Reply | None:
    session = catalog.sessions.get(announcement.subject)
    if session is None or not results_known(session, now):
        return None
    event = catalog.event_of(session)
    follows_series = subscription is None or session.series_id in subscription.series
    race = session.kind is SessionKind.RACE
    title = _("Results: {session} — {event}").format(session=session.name, event=event.name)
    # The heading, the known rows and a note on partial results, as /results shows them.
    full = results_reply(catalog, session, zone, now).blocks
    blocks: list[Block] = [full[0]]
    mine = _driver_result_lines(catalog, session, subscription, now, with_championship=race)
    if mine:
        blocks.append(paragraph(*mine))
    if follows_series:
        blocks.extend(full[1:])
        if race:
            blocks.extend(_standings_blocks(catalog, session.series_id, session.id))
    elif not mine:
        return None  # nothing this chat follows took part
    return Reply(title=title, blocks=tuple(blocks), contains_results=True)


def _driver_result_lines(
    catalog: Catalog,
    session: Session,
    subscription: Subscription | None,
    now: datetime,
    *,
    with_championship: bool,
) -> list[Line]:
    """'Jessica Bäckman: WIN — 33 pts from the results known so far' for each followed driver."""
    if subscription is None:
        return []
    event = catalog.event_of(session)
    entered = [d for entry in event.entries for d in entry.drivers]
    in_rows = [d for row in session.results for d in row.drivers]
    found = []
    for driver_id in dict.fromkeys(entered + in_rows):
        if driver_id not in subscription.drivers:
            continue
        row = next((r for r in session.results if driver_id in r.drivers), None)
        text = result_label(session, row) if row else _("no result published")
        if with_championship:
            championship = _championship(catalog, session.series_id, driver_id, session.id)
            text += f" — {championship}" if championship else ""
        found.append(line(bold(f"{_names(catalog, (driver_id,))}: "), text))
    return found


def _championship(catalog: Catalog, series_id: str, driver_id: str, session_id: str) -> str | None:
    """The driver's place and points as they stood once `session_id` was over."""
    total = driver_total(catalog, series_id, driver_id, through=session_id)
    table = standings(catalog, series_id, TableKind.DRIVERS, through=session_id)
    return championship_text(total, table)


def _standings_blocks(catalog: Catalog, series_id: str, session_id: str) -> list[Block]:
    """The table as of this session, not as of the moment the post goes out: a replay or a
    late post must not carry results of sessions run after it."""
    table = standings(catalog, series_id, TableKind.DRIVERS, through=session_id)
    if not table.lines:
        return []
    reply = standings_reply(catalog, table)
    heading = _("Standings: {table}").format(table=reply.title)
    return [paragraph(line(bold(heading))), *reply.blocks]


# -- time changes ----------------------------------------------------------------------------


def _session_changed(
    announcement: Announcement, catalog: Catalog, zone: str, now: datetime
) -> Reply | None:
    session = catalog.sessions.get(announcement.subject)
    current = None if session is None or session.cancelled else session.start_utc
    if current != announcement.planned_start:
        return None  # it changed again since: the newer CHANGED post says so
    event = catalog.events.get(announcement.event_id)
    name = session.name if session else _name_from_id(announcement.subject)
    lines: list[Line] = []
    if event is not None:
        lines.append(_event_line(catalog, event))
    was = announcement.previous_start
    # No previous start: fans were last told it was cancelled or its time was to be announced.
    earlier = _at(was, zone) if was else line(italic(_("cancelled or time TBA")))
    lines.append(line(bold(_("Was: ")), *earlier))
    if session is None:
        title = _("Cancelled: {name}")
        lines.append(line(bold(_("Now: ")), _("off the schedule (cancelled or postponed)")))
    elif session.cancelled:
        title = _("Cancelled: {name}")
        lines.append(line(bold(_("Now: ")), _("cancelled")))
    elif current is None:
        title = _("Time to be announced: {name}")
        lines.append(line(bold(_("Now: ")), *when(session, zone)))
    else:
        title = _("Time changed: {name}") if was else _("Back on the schedule: {name}")
        lines.append(line(bold(_("Now: ")), *when(session, zone, now)))
        lines.append(_watch_line(session, live=False))
    return Reply(title=title.format(name=name), blocks=(paragraph(*lines),))


def _weekend_changed(
    announcement: Announcement, catalog: Catalog, zone: str, now: datetime
) -> Reply | None:
    """A previewed weekend whose first start moved, that got its times, or lost its dates."""
    event = catalog.events.get(announcement.subject)
    current = None if event is None else preview_start(event)
    if current != announcement.planned_start:
        return None
    name = event.name if event else _name_from_id(announcement.subject)
    was = announcement.previous_start
    earlier = _weekend_at(was, event, zone) if was else line(_("dates TBA"))
    was_line = line(bold(_("Was: ")), *earlier)
    if event is None or current is None:
        now_text = _("off the calendar") if event is None else _("dates to be announced")
        title = _("Cancelled: {name}") if event is None else _("Dates to be announced: {name}")
        gone = (paragraph(was_line, line(bold(_("Now: ")), now_text)),)
        return Reply(title=title.format(name=name), blocks=gone)
    now_line = line(bold(_("Now: ")), *_weekend_at(current, event, zone))
    published = was is not None and _untimed(was, event) and not _untimed(current, event)
    title = _("Times published: {name}") if published else _("Schedule changed: {name}")
    title = title.format(name=name)
    blocks = (paragraph(was_line, now_line), *timetable_reply(catalog, event, zone, now).blocks)
    return Reply(title=title, blocks=blocks)


def _weekend_at(at: datetime, event: Event | None, zone: str) -> Line:
    """A weekend's first start, or its first day when it had no session times."""
    if event is not None and _untimed(at, event):
        return (Moment(at, event.timezone, MomentStyle.DATE), italic(" · " + _("times TBA")))
    return _at(at, zone)


def _untimed(at: datetime, event: Event) -> bool:
    """Midnight at the track, and no session then: the stand-in start of a day without times."""
    local = at.astimezone(zone_info(event.timezone))
    midnight = (local.hour, local.minute) == (0, 0)
    return midnight and not any(session.start_utc == at for session in event.sessions)


# -- shared pieces ---------------------------------------------------------------------------


def _at(at: datetime, zone: str) -> Line:
    return (Moment(at, zone),)


def _event_line(catalog: Catalog, event: Event) -> Line:
    return line(bold(event.name), " · ", event_heading(catalog, event))


def _followed_entries(event: Event, subscription: Subscription | None) -> list[Entry]:
    if subscription is None or not subscription.drivers:
        return []
    return [entry for entry in event.entries if subscription.drivers.intersection(entry.drivers)]


def _names(catalog: Catalog, driver_ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(catalog.drivers[d].name if d in catalog.drivers else d for d in driver_ids)


def _name_from_id(subject: str) -> str:
    """A readable name for a subject gone from the data: 'race-part-1' -> 'Race part 1'."""
    return subject.rsplit("/", 1)[-1].replace("-", " ").capitalize()


def _offset_at(zone: str, at: datetime) -> timedelta | None:
    return at.astimezone(zone_info(zone)).utcoffset()
