"""The Catalog: one immutable, indexed snapshot of everything the schedule files say.

A reload builds a whole new Catalog and swaps it in (`CatalogHolder.swap`), so a reader never
sees half of an old catalog and half of a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TypeVar, cast

from bot.core.model import Driver, Entry, Event, PointsScale, Series, Session, Track
from bot.core.provenance import Provenances

T = TypeVar("T")


def _index(items: Iterable[T], key: str) -> Mapping[str, T]:
    return MappingProxyType({getattr(item, key): item for item in items})


@dataclass(frozen=True)
class Catalog:
    series: Mapping[str, Series]
    events: Mapping[str, Event]
    sessions: Mapping[str, Session]
    drivers: Mapping[str, Driver]
    tracks: Mapping[str, Track]
    scales: Mapping[str, PointsScale]
    # Every session, earliest first (TBA sessions at the start of their day).
    timeline: tuple[Session, ...] = field(default=())
    # timeline[i].sort_key, precomputed: "what's next" bisects instead of converting zones.
    timeline_keys: tuple[datetime, ...] = field(default=())
    # The longest session: how far back a session may have started and still be running.
    longest_session: timedelta = timedelta(0)
    # Values derived from this snapshot (points per session…): safe to keep because the
    # catalog never changes, and dropped with it when a reload swaps in a new one.
    _derived: dict[Hashable, object] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    # driver id -> (event id, entry) for every event the driver is entered in, in date order.
    entries_by_driver: Mapping[str, tuple[tuple[str, Entry], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # session id -> its index in `timeline` and `timeline_keys`: a session's UTC start and
    # timetable place without a time-zone conversion (the first table after a reload asks
    # for every session of its series).
    timeline_index: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # Where every fact came from: the sources the files name and the provenance each table
    # states (`source`, `inferred`); see bot.core.provenance.
    provenance: Provenances = field(default_factory=Provenances)

    @classmethod
    def build(
        cls,
        series: Iterable[Series],
        drivers: Iterable[Driver],
        tracks: Iterable[Track],
        scales: Iterable[PointsScale],
        *,
        provenance: Provenances | None = None,
    ) -> Catalog:
        all_series = tuple(series)
        events = tuple(event for s in all_series for event in s.events)
        sessions = tuple(session for event in events for session in event.sessions)
        entries: dict[str, list[tuple[str, Entry]]] = {}
        for event in sorted(events, key=_event_sort_key):
            for entry in event.entries:
                for driver_id in entry.drivers:
                    entries.setdefault(driver_id, []).append((event.id, entry))
        # Stable sort: TBA sessions on one day keep the order the file gives them. Each key is
        # computed once (a wall time converted to UTC), for the sort and for timeline_keys.
        keyed = sorted(((session.sort_key, session) for session in sessions), key=_first)
        timeline = tuple(session for _, session in keyed)
        return cls(
            series=_index(all_series, "id"),
            events=_index(events, "id"),
            sessions=_index(sessions, "id"),
            drivers=_index(drivers, "id"),
            tracks=_index(tracks, "id"),
            scales=_index(scales, "id"),
            timeline=timeline,
            timeline_keys=tuple(key for key, _ in keyed),
            longest_session=max((s.duration for s in sessions if s.duration), default=timedelta(0)),
            entries_by_driver=MappingProxyType({k: tuple(v) for k, v in entries.items()}),
            timeline_index=MappingProxyType({s.id: i for i, s in enumerate(timeline)}),
            provenance=provenance or Provenances(),
        )

    @classmethod
    def empty(cls) -> Catalog:
        return cls.build((), (), (), ())

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per catalog; later calls with the same key return the same value."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])

    def event_of(self, session: Session) -> Event:
        return self.events[session.event_id]

    def series_of(self, item: Event | Session) -> Series:
        return self.series[item.series_id]

    def events_in_order(self) -> tuple[Event, ...]:
        return tuple(sorted(self.events.values(), key=_event_sort_key))


def _first(pair: tuple[datetime, Session]) -> datetime:
    return pair[0]


def _event_sort_key(event: Event) -> tuple[str, int, str]:
    # Dated events by date; an event with TBA dates sorts by its round within its series.
    day = event.start_date.isoformat() if event.start_date else "9999"
    return (day, event.round or 0, event.id)


class CatalogHolder:
    """Holds the current catalog; a reload swaps it whole, readers take `current` once."""

    def __init__(self, catalog: Catalog) -> None:
        self._current = catalog

    @property
    def current(self) -> Catalog:
        return self._current

    def swap(self, catalog: Catalog) -> Catalog:
        previous, self._current = self._current, catalog
        return previous
