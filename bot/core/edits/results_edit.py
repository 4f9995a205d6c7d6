"""Entering a session's results: checking the rows against the event, then writing them.

Rows are checked first against the catalog (an unknown car or driver, a status that does not
exist, a classified row without a position), so that a problem points at the operator's own
line and column; the loader checks the written text again as a whole afterwards.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from bot.core.catalog import Catalog
from bot.core.edits.document import array_of_tables, new_table, remove_key, set_key
from bot.core.edits.inputs import RESULT_STATUSES, ResultRowInput
from bot.core.edits.operations import EnterResults
from bot.core.edits.problems import EditProblem
from bot.core.model import Event

# The keys a result row may hold that an edit manages; "driver"/"car" say who.
_EXTRA_KEYS = ("laps", "time", "gap", "best_lap", "fastest_lap", "class")
_MANAGED = ("position", "status", *_EXTRA_KEYS, "note")


@dataclass(frozen=True)
class Who:
    """Who a row is about, as written: a car number, or one driver id."""

    car: str | None
    driver: str | None


def check_rows(
    rows: Sequence[ResultRowInput],
    event: Event,
    catalog: Catalog,
    new_drivers: Collection[str] = (),
) -> tuple[list[Who], list[EditProblem]]:
    """Who each row is about; problems at the row's line and column."""
    cars = {entry.number: entry for entry in event.entries if entry.number}
    entered = {driver for entry in event.entries for driver in entry.drivers}
    found: list[Who] = []
    problems: list[EditProblem] = []

    def report(row: ResultRowInput, message: str) -> None:
        problems.append(EditProblem(message, row.line, row.column))

    for row in rows:
        if row.status not in RESULT_STATUSES:
            known = ", ".join(s.upper() for s in RESULT_STATUSES[1:])
            report(row, f"unknown status {row.status!r} (use a position or {known})")
        if row.status == "classified" and row.position is None:
            report(row, "a classified row needs a position")
        if row.position is not None and row.position < 1:
            report(row, f"position {row.position} must be 1 or more")
        if row.car is not None:
            if row.car not in cars:
                shown = ", ".join(sorted(cars)) or "none"
                report(row, f"car #{row.car} is not entered in {event.name} (cars: {shown})")
            found.append(Who(row.car, None))
            continue
        if len(row.driver_ids) != 1:
            report(row, "say who: a car number (#7) or one driver")
            found.append(Who(None, None))
            continue
        driver = row.driver_ids[0]
        if driver not in catalog.drivers and driver not in new_drivers:
            report(row, f"unknown driver {driver!r}")
        elif driver not in entered:
            name = catalog.drivers[driver].name if driver in catalog.drivers else driver
            report(
                row,
                f"{name} is not entered in {event.name} (paste or import the rows as a CSV "
                "with the car's number and team: a car not entered becomes an entry)",
            )
        found.append(Who(None, driver))
    return found, problems


def row_values(row: ResultRowInput, who: Who, source: str | None = None) -> dict[str, Any]:
    """The row's keys in the order the bundled files write them."""
    values: dict[str, Any] = {}
    if row.position is not None:
        values["position"] = row.position
    if who.car is not None:
        values["car"] = who.car
    if who.driver is not None:
        values["driver"] = who.driver
    if row.status != "classified":
        values["status"] = row.status
    extras = (row.laps, row.time, row.gap, row.best_lap, row.fastest_lap or None, row.class_name)
    for key, value in zip(_EXTRA_KEYS, extras, strict=True):
        if value is not None:
            values[key] = value
    if row.note:
        values["note"] = row.note
    if source is not None:
        values["source"] = source
    return values


def write_results(
    session: Table, edit: EnterResults, whos: Sequence[Who], event: Event, source: str | None
) -> dict[int, ResultRowInput]:
    """Write the rows into the session's table, each saying `source` when given (the edit
    that stated it); returns which results index each row took."""
    placed: dict[int, ResultRowInput] = {}
    if edit.mode == "replace":
        remove_key(session, "results")
        if edit.rows:
            table = tomlkit.aot()
            for index, (row, who) in enumerate(zip(edit.rows, whos, strict=True)):
                table.append(new_table(row_values(row, who, source)))
                placed[index] = row
            session["results"] = table
    else:
        results = array_of_tables(session, "results")
        for row, who in zip(edit.rows, whos, strict=True):
            found, same_who = _match(results, row, who, event)
            if found is None:
                results.append(new_table(row_values(row, who, source)))
                placed[len(results) - 1] = row
            else:
                _update(results[found], row, who, source, keep_who=same_who)
                placed[found] = row
    if edit.complete is True:
        set_key(session, "results_complete", True)
    elif edit.complete is False:
        remove_key(session, "results_complete")
    return placed


def _match(results: AoT, row: ResultRowInput, who: Who, event: Event) -> tuple[int | None, bool]:
    """The existing row this one corrects, and whether it is about the same car or driver
    (else it took the same position)."""
    drivers_of = {entry.number: entry.drivers for entry in event.entries if entry.number}
    mine = set(drivers_of.get(who.car, ())) if who.car else {who.driver}
    for index, existing in enumerate(results):
        car, driver = existing.get("car"), existing.get("driver")
        if who.car is not None and car == who.car:
            return index, True
        theirs = set(drivers_of.get(str(car), ())) if car is not None else {driver}
        if mine & (theirs - {None}):
            return index, True
    if row.position is not None and row.status == "classified":
        for index, existing in enumerate(results):
            if existing.get("position") == row.position and "status" not in existing:
                return index, False
    return None, False


def _update(
    existing: Table, row: ResultRowInput, who: Who, source: str | None, *, keep_who: bool
) -> None:
    """Correct a row in place: only the keys whose values change are rewritten. A row about
    the same car or driver keeps saying who the way it did (car or driver)."""
    values = row_values(row, who, source)
    if source is not None:
        remove_key(existing, "inferred")  # the operator states it now
    if not keep_who:
        for key in ("car", "driver"):
            remove_key(existing, key)
    for key in (*_MANAGED, "source"):
        if key not in values and (key != "source" or source is not None):
            remove_key(existing, key)
    for key, value in values.items():
        if keep_who and key in ("car", "driver"):
            continue
        set_key(existing, key, value)
