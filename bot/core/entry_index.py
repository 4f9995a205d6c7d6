"""Which of an event's entries a result row belongs to, looked up instead of scanned.

A row names its car by number when the results give one, else only its drivers. Scanning every
entry for every row costs entries x rows per event; a big field made a teams table take seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.catalog import Catalog
from bot.core.model import Entry, Event, ResultRow

__all__ = ["EventEntries", "event_entries"]


@dataclass(frozen=True, slots=True)
class EventEntries:
    entries: tuple[Entry, ...]
    by_number: Mapping[str, tuple[Entry, ...]]  # car number -> its entries, in entry-list order
    by_driver: Mapping[str, tuple[int, ...]]  # driver id -> indexes into `entries`, ascending

    @classmethod
    def of(cls, event: Event) -> EventEntries:
        by_number: dict[str, list[Entry]] = {}
        by_driver: dict[str, list[int]] = {}
        for index, entry in enumerate(event.entries):
            if entry.number is not None:
                by_number.setdefault(entry.number, []).append(entry)
            for driver_id in dict.fromkeys(entry.drivers):  # a driver named twice: once
                by_driver.setdefault(driver_id, []).append(index)
        return cls(
            event.entries,
            {number: tuple(entries) for number, entries in by_number.items()},
            {driver_id: tuple(indexes) for driver_id, indexes in by_driver.items()},
        )

    def for_row(self, row: ResultRow) -> Sequence[Entry]:
        """The entries `row` belongs to: those with its car number, else those sharing a driver
        with it; in entry-list order either way."""
        if row.car_number is not None:
            numbered = self.by_number.get(row.car_number)
            if numbered:
                return numbered
        if len(row.drivers) == 1:
            indexes: Sequence[int] = self.by_driver.get(row.drivers[0], ())
        else:
            indexes = sorted({i for d in row.drivers for i in self.by_driver.get(d, ())})
        return [self.entries[index] for index in indexes]


def event_entries(catalog: Catalog, event: Event) -> EventEntries:
    """The index of `event`'s entries, built once per catalog."""
    return catalog.derived(("event_entries", event.id), lambda: EventEntries.of(event))
