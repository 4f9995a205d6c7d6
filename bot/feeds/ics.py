"""The iCalendar text of a feed, made with icalendar.

One VEVENT per session, its UID derived from the session's id (`<id>@pitboard`), so a calendar
app that polls again updates the item it has. Times carry the track's zone (TZID, with its
VTIMEZONE in the feed) so an app shows "14:00 CEST at the track" correctly whatever its own
zone; a wall time that happens twice in the zone (the night summer time ends) is given in UTC,
which names one instant where a TZID could not. A TBA session is an all-day item on its date,
"time TBA". No results: a feed never spoils a race, and it holds only what the catalog says.

The text depends only on its inputs (no "now" in it unless the caller passes one as `stamp`),
so the same catalog gives the same bytes, and the web server's ETag stays put between polls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache

from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from bot.core.catalog import Catalog
from bot.core.i18n import _, format_day
from bot.core.model import Link, Session
from bot.feeds.versions import Version

PRODID = "-//Pitboard//Race calendar//EN"  # i18n: not user text (an iCalendar id)
UID_DOMAIN = "pitboard"
# How often a client should poll (RFC 7986, and the older Outlook/Apple property as text).
REFRESH = timedelta(hours=3)


def session_uid(session: Session) -> str:
    return f"{session.id}@{UID_DOMAIN}"


def build_feed(
    catalog: Catalog,
    sessions: Iterable[Session],
    *,
    name: str,
    versions: Mapping[str, Version],
    stamp: datetime,
) -> bytes:
    """The feed of `sessions` called `name`. A session without a version in `versions` (no
    store: the command line) gets SEQUENCE 0 and `stamp` as its DTSTAMP and LAST-MODIFIED."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # i18n: not user text (iCalendar values)
    calendar.add("calscale", "GREGORIAN")
    # i18n: not user text (iCalendar values)
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    # i18n: not user text (iCalendar values)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # i18n: not user text (iCalendar values)
    calendar.add("x-published-ttl", "PT3H")
    sessions = list(sessions)
    # A VTIMEZONE for each TZID used, from the zoneinfo rules the times were converted with,
    # first (where apps look for them), covering the feed's years only: from 1970 to 2038,
    # icalendar's default, one zone alone is 10 kB of rules and most of a feed's build time.
    zoned = [s for s in sessions if s.start is not None and _one_instant(s.start)]
    if zoned:
        first = date(min(s.day.year for s in zoned) - 1, 1, 1)
        last = date(max(s.day.year for s in zoned) + 2, 1, 1)
        for zone in sorted({s.timezone for s in zoned}):
            calendar.add_component(_vtimezone(zone, first, last))
    for session in sessions:
        version = versions.get(session.id) or Version("", 0, stamp)
        calendar.add_component(_vevent(catalog, session, version))
    return bytes(calendar.to_ical())


@cache
def _vtimezone(zone: str, first: date, last: date) -> Timezone:
    """Made once per zone and span (the process's zone rules do not change under it)."""
    return Timezone.from_tzid(zone, first_date=first, last_date=last)


def _vevent(catalog: Catalog, session: Session, version: Version) -> VEvent:
    event = catalog.event_of(session)
    series = catalog.series_of(session)
    item = VEvent()
    item.add("uid", session_uid(session))
    item.add("dtstamp", version.modified.astimezone(UTC))
    item.add("last-modified", version.modified.astimezone(UTC))
    item.add("sequence", version.sequence)
    series_name = series.short_name or series.name
    summary = f"{series_name}: {event.name} – {session.name}"
    start = session.start
    if start is None:
        # All day on its date: the day is published, the time is not.
        item.add("summary", _("{summary} (time TBA)").format(summary=summary))
        item.add("dtstart", session.day)
        item.add("dtend", session.day + timedelta(days=1))
        item.add("transp", "TRANSPARENT")  # i18n: not user text (an iCalendar value)
    else:
        item.add("summary", summary)
        shown = start if _one_instant(start) else start.astimezone(UTC)
        item.add("dtstart", shown)
        if session.duration:
            item.add("dtend", shown + session.duration)
    item.add("status", _status(session))
    item.add("categories", [session.kind.value])
    location = _location(catalog, session)
    if location:
        item.add("location", location)
    item.add("description", _description(catalog, session))
    url = _main_link(session)
    if url is not None:
        item.add("url", url.url)
    return item


def _one_instant(start: datetime) -> bool:
    """Whether the wall time in its zone names one instant (not the hour that repeats)."""
    other = start.replace(fold=1 - start.fold)
    return other.utcoffset() == start.utcoffset()


def _status(session: Session) -> str:
    # i18n: not user text (iCalendar statuses)
    if session.cancelled:
        return "CANCELLED"  # i18n: not user text (an iCalendar status)
    return "TENTATIVE" if session.is_tba else "CONFIRMED"  # i18n: not user text (statuses)


def _location(catalog: Catalog, session: Session) -> str | None:
    event = catalog.event_of(session)
    track = catalog.tracks.get(event.track_id) if event.track_id else None
    if track is None:
        return None
    return ", ".join(part for part in (track.name, track.location, track.country) if part)


def _description(catalog: Catalog, session: Session) -> str:
    event = catalog.event_of(session)
    series = catalog.series_of(session)
    lines = []
    if session.cancelled:
        lines.append(_("Cancelled."))
    names = {"series": series.name, "event": event.name, "session": session.name}
    if event.round:
        lines.append(
            _("Round {round} of {series}, {event}: {session}.").format(round=event.round, **names)
        )
    else:
        # i18n: not user text (names and punctuation only)
        lines.append("{series}, {event}: {session}.".format(**names))
    if session.is_tba:
        lines.append(
            _("Time TBA: the start on {day} is not published yet.").format(day=_day(session.day))
        )
    else:
        lines.append(_("Local time at the track: {zone}.").format(zone=session.timezone))
    for broadcast in session.broadcasts:
        lines.append(_("Watch: {label} {url}").format(label=broadcast.label, url=broadcast.url))
    if session.live_timing is not None:
        lines.append(_("Live timing: {url}").format(url=session.live_timing.url))
    if event.website:
        lines.append(_("Event: {url}").format(url=event.website))
    lines.append(_("Session id: {id}").format(id=session.id))
    return "\n".join(lines)


def _main_link(session: Session) -> Link | None:
    """The URL property: the stream, else the live timing."""
    if session.broadcasts:
        return session.broadcasts[0]
    return session.live_timing


def _day(day: date) -> str:
    """'Fri 13 May 2022', 'fre 13 maj 2022', 'Fr., 13. Mai 2022'."""
    return f"{format_day(day)} {day.year}"
