"""Which sessions a feed holds: a series', a driver's, or what one chat follows.

Only the catalog's sessions, in timetable order (TBA sessions at the start of their day).
"""

from __future__ import annotations

from bot.core.audience import Subscription
from bot.core.catalog import Catalog
from bot.core.model import Session


def series_sessions(catalog: Catalog, series_id: str) -> list[Session]:
    return [s for s in catalog.timeline if s.series_id == series_id]


def driver_sessions(catalog: Catalog, driver_id: str) -> list[Session]:
    """Every session of the events the driver is entered in."""
    events = {event_id for event_id, _ in catalog.entries_by_driver.get(driver_id, ())}
    return [s for s in catalog.timeline if s.event_id in events]


def followed_sessions(catalog: Catalog, subscription: Subscription | None) -> list[Session]:
    """What the chat's posts would cover: its series and drivers, narrowed by its session
    kinds (the same rule as the announcements, `Subscription.follows`)."""
    if subscription is None:
        return []
    entered: dict[str, frozenset[str]] = {}
    found = []
    for session in catalog.timeline:
        drivers = entered.get(session.event_id)
        if drivers is None:
            event = catalog.events[session.event_id]
            drivers = frozenset(d for entry in event.entries for d in entry.drivers)
            entered[session.event_id] = drivers
        if subscription.follows(session.series_id, drivers, session.kind):
            found.append(session)
    return found


def feed_name(catalog: Catalog, kind: str, item: str) -> str:
    """The calendar's name as apps list it."""
    if kind == "series":
        series = catalog.series[item]
        season = "" if str(series.season) in series.name else f" {series.season}"
        return f"{series.name}{season} (Pitboard)"
    return f"{catalog.drivers[item].name} (Pitboard)"


def feed_sessions(catalog: Catalog, kind: str, item: str) -> list[Session]:
    return series_sessions(catalog, item) if kind == "series" else driver_sessions(catalog, item)
