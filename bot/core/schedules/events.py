"""[[events]]: one race weekend, its entries, classes and sessions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.core.model import ClassInfo, Entry, Event, Link, SessionKind
from bot.core.provenance import FactKind
from bot.core.schedules import formats
from bot.core.schedules.links import parse_links
from bot.core.schedules.problems import KeyPath, format_path
from bot.core.schedules.provenance import PROVENANCE_KEYS, record, record_listed
from bot.core.schedules.reader import Node, unknown_reference
from bot.core.schedules.results import Roster, SharedRows
from bot.core.schedules.sessions import EventScope, ParsedSession, parse_session
from bot.core.schedules.shared import Shared

EVENT_KEYS = (
    "id", "name", "round", "track", "timezone", "start_date", "end_date", "date_note",
    "live_timing", "website", "broadcasts", "classes", "sessions", "entries", *PROVENANCE_KEYS,
)  # fmt: skip
ENTRY_KEYS = ("number", "team", "car", "class", "drivers", *PROVENANCE_KEYS)
_ENTRY_KEY_SET = frozenset(ENTRY_KEYS)
CLASS_KEYS = ("name", "cars")


def parse_event(
    node: Node,
    series_id: str,
    series_scales: Mapping[SessionKind, str],
    shared: Shared,
    shared_rows: SharedRows,
) -> Event | None:
    node.check_keys(EVENT_KEYS)
    slug = node.formatted("id", formats.slug, required=True)
    name = node.text("name", required=True)
    round_number = node.integer("round", minimum=1)
    track = node.reference("track", shared.track_ids, "track")
    zone = node.formatted("timezone", formats.timezone, required=True)
    start_date, end_date = _dates(node)
    date_note = node.text("date_note")
    live = node.formatted("live_timing", formats.url)
    website = node.formatted("website", formats.url)
    broadcasts = parse_links(node, "broadcasts")
    classes = _classes(node)
    class_names = {c.name for c in classes}
    entries, roster = _entries(node, shared.driver_ids, class_names, shared_rows)
    roster = replace(roster, classes=frozenset(class_names))
    event_id = f"{series_id}/{slug or node.path[-1]}"
    record(node, (FactKind.EVENT, event_id, -1))
    record_listed(node, "entries", FactKind.ENTRY, event_id)
    scope = EventScope(
        series_id=series_id,
        event_id=event_id,
        timezone=zone,
        start_date=start_date,
        end_date=end_date,
        broadcasts=broadcasts,
        live_timing=Link("Live timing", live) if live else None,
        series_scales=series_scales,
        scale_ids=shared.scale_ids,
        driver_ids=shared.driver_ids,
        roster=roster,
        shared_rows=shared_rows,
    )
    session_nodes = node.children("sessions")
    _check_unique_sessions(session_nodes)
    parsed = [p for p in (parse_session(s, scope) for s in session_nodes) if p is not None]
    _check_overlaps(node, parsed)
    if slug is None or name is None or zone is None:
        return None
    return Event(
        id=event_id,
        slug=slug,
        series_id=series_id,
        name=name,
        timezone=zone,
        round=round_number,
        track_id=track,
        start_date=start_date,
        end_date=end_date,
        date_note=date_note,
        sessions=tuple(p.session for p in parsed),
        entries=entries,
        classes=classes,
        broadcasts=broadcasts,
        live_timing=scope.live_timing,
        website=website,
    )


def _dates(node: Node) -> tuple[date | None, date | None]:
    start = node.formatted("start_date", formats.day)
    end = node.formatted("end_date", formats.day)
    if node.has("start_date") != node.has("end_date"):
        missing = "end_date" if node.has("start_date") else "start_date"
        node.report(
            missing, "give both start_date and end_date, or neither while the dates are TBA"
        )
        return None, None
    if start and end and end < start:
        node.report(
            "end_date", f"end_date {end.isoformat()} is before start_date {start.isoformat()}"
        )
        return None, None
    return start, end


def _classes(node: Node) -> tuple[ClassInfo, ...]:
    classes: list[ClassInfo] = []
    for item in node.children("classes"):
        item.check_keys(CLASS_KEYS)
        name = item.text("name", required=True)
        cars = item.integer("cars", minimum=1)
        if name is not None:
            classes.append(ClassInfo(name=name, cars=cars))
    return tuple(classes)


def _entries(
    node: Node, driver_ids: Collection[str], class_names: set[str], shared_rows: SharedRows
) -> tuple[tuple[Entry, ...], Roster]:
    plain = _plain_entries(node.data.get("entries"), driver_ids, class_names, shared_rows)
    if plain is not None:
        return plain
    entries: list[Entry] = []
    drivers: set[str] = set()
    cars: dict[str, Entry] = {}
    numbered: dict[str, KeyPath] = {}
    for item in node.children("entries"):
        item.check_keys(ENTRY_KEYS)
        number = item.formatted("number", formats.car_number)
        team, car = item.text("team"), item.text("car")
        class_name = item.text("class")
        if class_name is not None and class_names and class_name not in class_names:
            known = ", ".join(sorted(class_names))
            hint = formats.suggestion(class_name, class_names)
            item.report(
                "class", f"unknown class {class_name!r}{hint}; this event's classes: {known}"
            )
        crew = item.texts("drivers", required=True)
        if crew is not None and not crew:
            item.report("drivers", "an entry needs at least one driver")
        for index, driver in enumerate(crew or ()):
            drivers.add(driver)  # even an unknown one: it is reported here, not again per result
            if driver not in driver_ids:
                item.ctx.report(
                    item.at("drivers", index), unknown_reference("driver", driver, driver_ids)
                )
        if number is not None and number in numbered:
            earlier = format_path(numbered[number])
            item.report("number", f"duplicate car number {number!r} (also {earlier})")
        if not crew:
            continue
        entry = Entry(drivers=crew, number=number, team=team, car=car, class_name=class_name)
        entries.append(entry)
        if number is not None and number not in numbered:
            numbered[number] = item.path
            cars[number] = entry
    return tuple(entries), Roster(frozenset(drivers), MappingProxyType(cars))


def _plain_entries(
    items: object, driver_ids: Collection[str], class_names: set[str], shared_rows: SharedRows
) -> tuple[tuple[Entry, ...], Roster] | None:
    """The entries and roster when every entry is plainly valid, else None: what `_entries`
    builds for such an event, checked by the same rules without building a Node per entry (a big
    catalog has tens of thousands of entries). Any doubt is left to `_entries`, which explains."""
    if items is None:
        return (), Roster()
    if type(items) is not list:
        return None
    entries: list[Entry] = []
    drivers: set[str] = set()
    cars: dict[str, Entry] = {}
    for item in items:
        if type(item) is not dict or not item.keys() <= _ENTRY_KEY_SET:
            return None
        crew = item.get("drivers")
        if type(crew) is not list or not crew:
            return None
        for driver in crew:
            if type(driver) is not str or driver not in driver_ids or not driver.strip():
                return None
        team, car, class_name = item.get("team"), item.get("car"), item.get("class")
        # Each absent, or text `formats.text` accepts (written out: three calls per entry).
        if team is not None and (type(team) is not str or not team.strip()):
            return None
        if car is not None and (type(car) is not str or not car.strip()):
            return None
        if class_name is not None and (type(class_name) is not str or not class_name.strip()):
            return None
        if class_name is not None and class_names and class_name not in class_names:
            return None
        number = item.get("number")
        if type(number) is int and 0 <= number <= formats.LARGEST_INT:
            number = str(number)
        elif not _plain_text(number):
            return None
        if number is not None and number in cars:
            return None
        # A one-driver crew is the file's shared one (see SharedRows), as in its result rows.
        members = shared_rows.crew(crew[0]) if len(crew) == 1 else tuple(crew)
        entry = Entry(members, number, team, car, class_name)
        entries.append(entry)
        drivers.update(crew)
        if number is not None:
            cars[number] = entry
    return tuple(entries), Roster(frozenset(drivers), MappingProxyType(cars))


def _plain_text(value: object) -> bool:
    """Absent, or text `formats.text` accepts."""
    return value is None or (type(value) is str and bool(value.strip()))


def _check_unique_sessions(sessions: list[Node]) -> None:
    seen: dict[str, KeyPath] = {}
    for session in sessions:
        slug = session.data.get("id")
        if not isinstance(slug, str):
            continue  # a missing or mistyped id is reported by the session itself
        if slug in seen:
            where = format_path(seen[slug])
            session.report("id", f"duplicate session id {slug!r} (also {where})")
        seen.setdefault(slug, session.path)


def _check_overlaps(node: Node, parsed: list[ParsedSession]) -> None:
    """A session with a duration must end before any later session of the event starts."""
    # Each start once: converting a wall time to UTC is the costly part of this pairwise check.
    timed = [
        (p, start, start + p.session.duration if p.session.duration else None)
        for p in parsed
        if p.settled and (start := p.session.start_utc) is not None
    ]
    reported: set[frozenset[str]] = set()
    for first, start, end in timed:
        if end is None:
            continue
        for other, other_start, _ in timed:
            if other is first or not start <= other_start < end:
                continue
            pair = frozenset((first.session.id, other.session.id))
            if pair in reported:
                continue
            reported.add(pair)
            until = end.astimezone(ZoneInfo(first.session.timezone))
            node.ctx.report(
                (*other.path, "time"),
                f"overlaps session {first.session.slug!r}, which runs until "
                f"{until:%Y-%m-%d %H:%M} ({format_path(first.path)})",
            )
