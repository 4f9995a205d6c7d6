"""The catalog's answers as plain data (dicts, lists, strings, numbers) for JSON.

`pitboard --json` prints these instead of the text layout: a script wants the sessions, the
rows and the points, not columns padded for a terminal. Times are ISO 8601: `start` in UTC and
`start_local` in the zone asked for; points are numbers (a shared dead-heat share may be a
fraction, given as a float).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction
from typing import Any

from bot.core.catalog import Catalog
from bot.core.model import Driver, Entry, Event, Link, Session, Track, zone_info
from bot.core.points import scored_rows
from bot.core.queries import DriverWeekend, results_known
from bot.core.standings import DriverTotal, Standings

Data = dict[str, Any]


def points(value: Fraction | int) -> int | float:
    fraction = Fraction(value)
    return int(fraction) if fraction.denominator == 1 else float(fraction)


def link(value: Link | None) -> Data | None:
    return None if value is None else {"label": value.label, "url": value.url}


def session(catalog: Catalog, item: Session, zone: str) -> Data:
    event = catalog.events[item.event_id]
    start = item.start_utc
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind.value,
        "event": event.id,
        "event_name": event.name,
        "series": item.series_id,
        "series_name": _series_name(catalog, item.series_id),
        "day": item.day.isoformat(),
        "time_tba": item.is_tba,
        "start": start.isoformat() if start else None,
        "start_local": start.astimezone(zone_info(zone)).isoformat() if start else None,
        "zone": zone,
        "duration_minutes": int(item.duration.total_seconds() // 60) if item.duration else None,
        "broadcasts": [link(b) for b in item.broadcasts],
        "live_timing": link(item.live_timing),
    }


def event(catalog: Catalog, item: Event, zone: str) -> Data:
    series = catalog.series.get(item.series_id)
    return {
        "id": item.id,
        "name": item.name,
        "series": item.series_id,
        "series_name": _series_name(catalog, item.series_id),
        "round": item.round,
        "rounds": series.rounds if series else None,
        "track": item.track_id,
        "start_date": item.start_date.isoformat() if item.start_date else None,
        "end_date": item.end_date.isoformat() if item.end_date else None,
        "date_note": item.date_note,
        "timezone": item.timezone,
        "sessions": [session(catalog, s, zone) for s in item.sessions],
    }


def entry(catalog: Catalog, event_item: Event, item: Entry) -> Data:
    return {
        "event": event_item.id,
        "event_name": event_item.name,
        "series": event_item.series_id,
        "number": item.number,
        "drivers": [_driver_ref(catalog, d) for d in item.drivers],
        "team": item.team,
        "car": item.car,
        "class": item.class_name,
    }


def standings(catalog: Catalog, table: Standings) -> Data:
    return {
        "series": table.series_id,
        "series_name": _series_name(catalog, table.series_id),
        "table": table.kind.value,
        "source": table.source,
        "complete": table.complete,
        "after_event": table.after_event,
        "rounds_done": table.rounds_done,
        "rounds_total": table.rounds_total,
        "note": table.note,
        "rows": [
            {
                "position": line.position,
                "id": line.key,
                "name": line.label,
                "points": points(line.points),
                "wins": line.wins,
                "country": line.country,
                "class": line.class_name,
            }
            for line in table.lines
        ],
    }


def results(catalog: Catalog, item: Session, now: datetime) -> Data:
    """The session's rows with the points each car scored; none before the results are in."""
    known = results_known(item, now)
    event_item = catalog.events[item.event_id]
    rows = []
    for row, earned in scored_rows(catalog, item) if known else ():
        car = next((e for e in event_item.entries if set(row.drivers) & set(e.drivers)), None)
        rows.append(
            {
                "position": row.position,
                "status": row.status.value,
                "drivers": [_driver_ref(catalog, d) for d in row.drivers],
                "car_number": row.car_number or (car.number if car else None),
                "team": car.team if car else None,
                "note": row.note,
                "points": points(earned),
                "class": row.class_name or (car.class_name if car else None),
                "laps": row.laps,
                "time": row.time,
                "gap": row.gap,
                "best_lap": row.best_lap,
                "fastest_lap": row.fastest_lap,
            }
        )
    rows.sort(key=lambda r: (r["position"] is None, r["position"] or 0))
    return {"known": known, "complete": known and item.results_complete, "rows": rows}


def driver(
    catalog: Catalog,
    item: Driver,
    weekend: DriverWeekend | None,
    total: DriverTotal | None,
    zone: str,
) -> Data:
    entries = [
        entry(catalog, catalog.events[event_id], found)
        for event_id, found in catalog.entries_by_driver.get(item.id, ())
    ]
    return {
        "id": item.id,
        "name": item.name,
        "country": item.country,
        "home_town": item.home_town,
        "highlights": list(item.highlights),
        "entries": entries,
        "weekend": None if weekend is None else _weekend(catalog, weekend, zone),
        "championship": None
        if total is None or weekend is None
        else {
            "series": weekend.event.series_id,
            "position": total.position,
            "points": points(total.points),
            "source": total.source,
        },
    }


def track(catalog: Catalog, item: Track, events: Iterable[Event], zone: str) -> Data:
    return {
        "id": item.id,
        "name": item.name,
        "location": item.location,
        "country": item.country,
        "length_km": item.length_km,
        "corners": item.corners,
        "lap_records": [
            {"class": r.class_name, "time": r.time, "holder": r.holder, "year": r.year}
            for r in item.lap_records
        ],
        "events": [event(catalog, e, zone) for e in events],
    }


def _weekend(catalog: Catalog, weekend: DriverWeekend, zone: str) -> Data:
    return {
        "event": weekend.event.id,
        "event_name": weekend.event.name,
        "entry": entry(catalog, weekend.event, weekend.entry),
        "sessions": [
            {
                "session": session(catalog, one.session, zone),
                "position": one.result.position if one.result else None,
                "status": one.result.status.value if one.result else None,
                "note": one.result.note if one.result else None,
                "fastest_lap": one.result.fastest_lap if one.result else False,
            }
            for one in weekend.items
        ],
    }


def _driver_ref(catalog: Catalog, driver_id: str) -> Data:
    found = catalog.drivers.get(driver_id)
    return {"id": driver_id, "name": found.name if found else driver_id}


def _series_name(catalog: Catalog, series_id: str) -> str:
    series = catalog.series.get(series_id)
    if series is None:
        return series_id
    return f"{series.short_name or series.name} {series.season}"
