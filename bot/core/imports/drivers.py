"""Who a name on a timing sheet is: a driver of the catalog, or a new one with a new id.

Sheets write names their own way ("Jessica BÄCKMAN", "BACKMAN Jessica", "Jessica Backman"):
a name is matched on its words, without case, accents or order, against each driver's name,
aliases and id. A name that fits no driver becomes a new driver with an id made as the
existing ones are ("jessica-backman"), unique among the catalog's and this import's.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.catalog import Catalog
from bot.core.edits.inputs import DriverInput
from bot.core.model import Event
from bot.core.names import normalize


def name_key(name: str) -> str:
    return " ".join(sorted(normalize(name).split()))


class DriverBook:
    """The catalog's drivers by name key, those of one event first, and the new ones."""

    def __init__(self, catalog: Catalog, event: Event) -> None:
        self._catalog = catalog
        self._entered = {d for entry in event.entries for d in entry.drivers}
        self._by_key: dict[str, list[str]] = {}
        for driver in catalog.drivers.values():
            names = (driver.name, *driver.aliases, driver.id.replace("-", " "))
            for key in dict.fromkeys(name_key(n) for n in names):
                self._by_key.setdefault(key, []).append(driver.id)
        self._new: dict[str, DriverInput] = {}  # name key -> the driver this import adds

    def find(self, name: str) -> tuple[str | None, tuple[str, ...]]:
        """(driver id, ()) for a name that fits one driver (one entered in the event wins
        over others of the same name); (None, the ids) when it fits several; (None, ())
        when it fits none."""
        key = name_key(name)
        if key in self._new:
            return self._new[key].id, ()
        ids = self._by_key.get(key, [])
        entered = [i for i in ids if i in self._entered]
        if len(entered) == 1 or len(ids) == 1:
            return (entered or ids)[0], ()
        return None, tuple(ids)

    def add(self, name: str, country: str | None) -> DriverInput:
        """A new driver for a name that fits none, with a fresh id."""
        shown = tidy_name(name)
        base = "-".join(normalize(shown).split()) or "driver"
        taken = set(self._catalog.drivers) | {d.id for d in self._new.values()}
        new_id, number = base, 1
        while new_id in taken:
            number += 1
            new_id = f"{base}-{number}"
        driver = DriverInput(new_id, shown, country)
        self._new[name_key(name)] = driver
        return driver

    @property
    def new_drivers(self) -> tuple[DriverInput, ...]:
        return tuple(self._new.values())

    def label(self, driver_id: str) -> str:
        known = self._catalog.drivers.get(driver_id)
        if known is not None:
            return known.name
        return next((d.name for d in self._new.values() if d.id == driver_id), driver_id)

    def labels(self, driver_ids: Iterable[str]) -> str:
        return ", ".join(self.label(d) for d in driver_ids)


def tidy_name(name: str) -> str:
    """'Jessica BÄCKMAN' -> 'Jessica Bäckman': timing sheets shout surnames; people don't."""
    words = name.split()
    return " ".join(w.title() if w.isupper() and len(w) > 1 else w for w in words)
