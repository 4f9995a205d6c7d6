"""What an operator hands to an edit, before it is checked against the catalog.

These are plain values shared by every way of entering data: a chat command, pasted rows, the
CLI and a timing-export import all produce them, and the edit operations turn them into TOML.
`line` and `column` say where a row came from (1-based, in the text or file it was read from)
so that a problem found later can still point at it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The statuses an operator may give a row, as written in the schedule files.
RESULT_STATUSES = ("classified", "dnf", "dns", "dsq", "dnq")


@dataclass(frozen=True)
class ResultRowInput:
    """One result row as entered: a position or a status, who (car and/or drivers), extras."""

    line: int
    column: int | None = None
    position: int | None = None  # None for a row that is not classified (DNF/DNS/DSQ/DNQ)
    status: str = "classified"  # one of RESULT_STATUSES
    car: str | None = None  # car number as text, e.g. "7"
    driver_ids: tuple[str, ...] = ()  # resolved driver ids; empty: taken from the car's entry
    class_name: str | None = None
    laps: int | None = None
    time: str | None = None  # total race time as given, e.g. "25:03.456"
    gap: str | None = None  # e.g. "+1.234", "1 lap"
    best_lap: str | None = None
    fastest_lap: bool = False
    note: str | None = None


@dataclass(frozen=True)
class EntryInput:
    """A car entered in an event: its number, team, car, class and driver ids."""

    number: str | None
    team: str | None = None
    car: str | None = None
    class_name: str | None = None
    driver_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriverInput:
    """A driver not yet in drivers.toml, to be added with an entry."""

    id: str
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2
