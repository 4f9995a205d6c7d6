"""The questions fans ask, answered as data (the service turns the answers into replies).

Every query takes `now` from the caller's injected clock: results and standings are what was
known at that moment, so `--at 2022-04-23T12:00+02:00` shows the season as it stood then.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core.catalog import Catalog
from bot.core.model import Entry, Event, ResultRow, Session, localize, zone_info


def session_end_or_start(session: Session) -> datetime:
    """When a session is over as far as we can tell: its end, its start, or its day's end."""
    end = session.end_utc or session.start_utc
    if end is not None:
        return end
    day_end = datetime.combine(session.day, time(0, 0)) + timedelta(days=1)
    return localize(day_end, session.timezone, None).astimezone(UTC)


def results_known(session: Session, now: datetime) -> bool:
    """Results count from the moment the session is over, so a replay reveals them in order."""
    return session.has_results and session_end_or_start(session) <= now


def is_live(session: Session, now: datetime) -> bool:
    start, end = session.start_utc, session.end_utc
    return start is not None and end is not None and start <= now < end


def is_ahead(session: Session, now: datetime) -> bool:
    """Not started yet, under way, or a TBA session whose day has not passed; not cancelled."""
    if session.cancelled:
        return False
    start = session.start_utc
    if start is None:
        return session_end_or_start(session) > now
    return start >= now or is_live(session, now)


def driver_event_ids(catalog: Catalog, driver_id: str) -> set[str]:
    return {event_id for event_id, _ in catalog.entries_by_driver.get(driver_id, ())}


def upcoming_sessions(
    catalog: Catalog,
    now: datetime,
    *,
    series_id: str | None = None,
    driver_id: str | None = None,
    limit: int = 5,
) -> list[Session]:
    events = driver_event_ids(catalog, driver_id) if driver_id else None
    found: list[Session] = []
    # Sessions that started more than the longest session ago are over: skip them by bisection
    # (a TBA session sorts at its day's midnight, so allow one more day for it).
    earliest = now - catalog.longest_session - timedelta(days=1)
    first = bisect.bisect_left(catalog.timeline_keys, earliest)
    for session in catalog.timeline[first:]:
        if series_id and session.series_id != series_id:
            continue
        if events is not None and session.event_id not in events:
            continue
        if is_ahead(session, now):
            found.append(session)
            if len(found) >= limit:
                break
    return found


def event_window(event: Event) -> tuple[datetime, datetime] | None:
    """The event's first and last instants from its dates (whole days in its zone)."""
    if event.start_date is None:
        return None
    end_date = event.end_date or event.start_date
    start = localize(datetime.combine(event.start_date, time(0, 0)), event.timezone, None)
    end = localize(datetime.combine(end_date + timedelta(days=1), time(0, 0)), event.timezone, None)
    return start.astimezone(UTC), end.astimezone(UTC)


def upcoming_events(
    catalog: Catalog, now: datetime, *, series_id: str | None = None
) -> list[Event]:
    """Dated events not yet over, soonest first."""
    return [
        event
        for event, (_, end) in _dated_events(catalog)
        if end > now and (series_id is None or event.series_id == series_id)
    ]


def _dated_events(catalog: Catalog) -> list[tuple[Event, tuple[datetime, datetime]]]:
    def compute() -> list[tuple[Event, tuple[datetime, datetime]]]:
        pairs = ((event, event_window(event)) for event in catalog.events_in_order())
        return [(event, window) for event, window in pairs if window is not None]

    return catalog.derived("dated_events", compute)


def upcoming_events_without_times(
    catalog: Catalog,
    now: datetime,
    *,
    series_id: str | None = None,
    driver_id: str | None = None,
) -> list[Event]:
    """Dated events ahead whose timetable is not published: a fan still wants to know."""
    events = driver_event_ids(catalog, driver_id) if driver_id else None
    return [
        event
        for event in upcoming_events(catalog, now, series_id=series_id)
        if not event.sessions and (events is None or event.id in events)
    ]


def last_dated_event(catalog: Catalog, now: datetime) -> Event | None:
    past = [e for e in catalog.events_in_order() if (w := event_window(e)) and w[1] <= now]
    return past[-1] if past else None


def undated_events(catalog: Catalog) -> list[Event]:
    return [event for event in catalog.events_in_order() if event.is_tba]


def next_event_to_watch(catalog: Catalog, now: datetime) -> Event | None:
    """The next event that has streams or live timing, else the next event at all."""
    ahead = upcoming_events(catalog, now)
    with_links = [e for e in ahead if e.broadcasts or e.live_timing or _sessions_have_links(e)]
    candidates = with_links or ahead
    return candidates[0] if candidates else None


def _sessions_have_links(event: Event) -> bool:
    return any(s.broadcasts or s.live_timing for s in event.sessions)


@dataclass(frozen=True)
class WeekendItem:
    session: Session
    result: ResultRow | None  # None: no result known for the driver (yet)


@dataclass(frozen=True)
class DriverWeekend:
    event: Event
    entry: Entry
    items: tuple[WeekendItem, ...]


def driver_weekend(
    catalog: Catalog, driver_id: str, event_id: str, now: datetime
) -> DriverWeekend | None:
    event = catalog.events.get(event_id)
    entry = _entry_for(catalog, driver_id, event_id)
    if event is None or entry is None:
        return None
    items = tuple(
        WeekendItem(session, _row_for(session, driver_id) if results_known(session, now) else None)
        for session in event.sessions
    )
    return DriverWeekend(event, entry, items)


def default_weekend_event(catalog: Catalog, driver_id: str, now: datetime) -> str | None:
    """The latest weekend with a result known for the driver, else the next one entered."""
    entered = [event_id for event_id, _ in catalog.entries_by_driver.get(driver_id, ())]
    with_results = [
        event_id
        for event_id in entered
        if any(
            results_known(s, now) and _row_for(s, driver_id)
            for s in catalog.events[event_id].sessions
        )
    ]
    if with_results:
        return with_results[-1]
    ahead = {e.id for e in upcoming_events(catalog, now)}
    return next(
        (event_id for event_id in entered if event_id in ahead), entered[-1] if entered else None
    )


def _entry_for(catalog: Catalog, driver_id: str, event_id: str) -> Entry | None:
    return next(
        (e for eid, e in catalog.entries_by_driver.get(driver_id, ()) if eid == event_id), None
    )


def _row_for(session: Session, driver_id: str) -> ResultRow | None:
    return next((row for row in session.results if driver_id in row.drivers), None)


def events_at_track(catalog: Catalog, track_id: str) -> list[Event]:
    return [event for event in catalog.events_in_order() if event.track_id == track_id]


def zone_label(zone: str, at: datetime) -> str:
    """'Europe/Stockholm (CEST)' — the zone's name with the abbreviation in force at `at`."""
    abbreviation = at.astimezone(zone_info(zone)).tzname()
    return f"{zone} ({abbreviation})" if abbreviation and abbreviation != zone else zone


def sessions_of(events: Iterable[Event]) -> list[Session]:
    return [session for event in events for session in event.sessions]
