"""Sheet rows matched to one event's entries: result rows, new entries and new drivers.

A row's car number finds its entry first. A car number the event does not know is matched by
its drivers' names instead (a driver entered in another car, or in a car without a number, is
still that driver), and a car none of whose drivers is entered becomes a new entry, its
unknown drivers new drivers. A row that names no driver cannot say who drove an unknown car:
that is a problem with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.core.catalog import Catalog
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.i18n import _
from bot.core.imports.columns import Field
from bot.core.imports.drivers import DriverBook
from bot.core.imports.problems import ImportProblem
from bot.core.imports.rows import SheetRow
from bot.core.model import Entry, Event
from bot.core.schedules import formats

# Reports a problem about one field of the row being matched (None: the whole row).
_Reporter = Callable[[Field | None, str], None]


@dataclass(frozen=True)
class RowMatch:
    """How one row was read, for a preview."""

    line: int
    position: int | None
    status: str
    car: str | None
    drivers: str  # the names, as the catalog (or the new driver) has them
    how: str  # "" (by car number), "matched by name: the file says #15", "new entry"


@dataclass
class Matched:
    rows: list[ResultRowInput] = field(default_factory=list)
    entries: list[EntryInput] = field(default_factory=list)
    drivers: list[DriverInput] = field(default_factory=list)
    matches: list[RowMatch] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def match_rows(rows: list[SheetRow], event: Event, catalog: Catalog, file: str) -> Matched:
    book = DriverBook(catalog, event)
    numbered = {entry.number: entry for entry in event.entries if entry.number}
    classes = {c.name.casefold(): c.name for c in event.classes}
    out = Matched()
    seen_positions: dict[int, int] = {}
    seen_cars: dict[str, int] = {}
    seen_drivers: dict[str, int] = {}
    for row in rows:

        def report(name: Field | None, message: str, row: SheetRow = row) -> None:
            column, key = row.columns.get(name, (None, "")) if name else (None, "")
            out.problems.append(ImportProblem(file, row.line, key, message, column))

        before = len(out.problems)
        class_name = row.class_name
        if class_name and classes:
            class_name = classes.get(class_name.casefold())
            if class_name is None:
                hint = formats.suggestion(row.class_name or "", classes.values())
                known = ", ".join(sorted(classes.values()))
                message = _("unknown class {name}{hint}; {event}: {known}").format(
                    name=repr(row.class_name), hint=hint, event=event.name, known=known
                )
                report(Field.CLASS, message)
        found = _who(row, event, numbered, book, class_name, report, out)
        if found is None or len(out.problems) > before:
            continue
        car, driver_ids, crew, how = found
        if row.position is not None:
            if row.position in seen_positions:
                report(
                    Field.POSITION,
                    _("position {position} is also on line {line}").format(
                        position=row.position, line=seen_positions[row.position]
                    ),
                )
                continue
            seen_positions[row.position] = row.line
        if car is not None and car in seen_cars:
            also = _("car {car} is also on line {line}").format(car=car, line=seen_cars[car])
            report(Field.NUMBER, also)
            continue
        twice = [d for d in crew if d in seen_drivers]
        if twice:
            other = seen_drivers[twice[0]]
            again = _("{name} already has a result on line {line}")
            report(Field.DRIVER, again.format(name=book.label(twice[0]), line=other))
            continue
        if car is not None:
            seen_cars[car] = row.line
        seen_drivers.update(dict.fromkeys(crew, row.line))
        out.rows.append(
            ResultRowInput(
                line=row.line,
                column=None,
                position=row.position,
                status=row.status,
                car=car,
                driver_ids=driver_ids,
                class_name=class_name,
                laps=row.laps,
                time=row.time,
                gap=row.gap,
                best_lap=row.best_lap,
                note=row.note,
            )
        )
        out.matches.append(
            RowMatch(row.line, row.position, row.status, car, book.labels(crew), how)
        )
    out.rows = _mark_fastest(out.rows)
    out.drivers = list(book.new_drivers)
    return out


def _who(
    row: SheetRow,
    event: Event,
    numbered: dict[str, Entry],
    book: DriverBook,
    class_name: str | None,
    report: _Reporter,
    out: Matched,
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], str] | None:
    """(car, driver ids for the row, everyone in the car, how it was matched), or None."""
    if row.number is not None and row.number in numbered:
        entry = numbered[row.number]
        return row.number, (), entry.drivers, ""
    ids: list[str | None] = []
    for name, _country in row.drivers:
        found, several = book.find(name)
        if several:
            options = ", ".join(several)
            several_text = _("{name} could be any of: {options}")
            report(Field.DRIVER, several_text.format(name=repr(name), options=options))
            return None
        ids.append(found)
    known = [d for d in ids if d is not None]
    entries = list(dict.fromkeys(e for e in event.entries if set(known) & set(e.drivers)))
    if len(entries) > 1:
        cars = ", ".join(e.number or _("without a number") for e in entries)
        report(
            None, _("the row's drivers are entered in different cars ({cars})").format(cars=cars)
        )
        return None
    if entries:
        entry = entries[0]
        how = (
            _("matched by name: the file says #{number}").format(number=row.number)
            if row.number
            else _("matched by name")
        )
        return _row_for_entry(entry, known, row, how, report)
    if not row.drivers:
        entered = ", ".join(sorted(numbered)) or _("none")
        message = _(
            "car {number} is not entered in {event} (cars: {cars}) and the row "
            "names no driver to enter it with"
        )
        report(Field.NUMBER, message.format(number=row.number, event=event.name, cars=entered))
        return None
    crew = tuple(
        found if found is not None else book.add(name, country).id
        for found, (name, country) in zip(ids, row.drivers, strict=True)
    )
    if row.number is None and len(crew) > 1:
        report(None, _("a car shared by several drivers needs its number to be entered"))
        return None
    entry_input = EntryInput(row.number, row.team, row.vehicle, class_name, crew)
    out.entries.append(entry_input)
    if row.number is not None:
        return row.number, (), crew, _("new entry")
    return None, crew, crew, _("new entry")


def _row_for_entry(
    entry: Entry, known: list[str], row: SheetRow, how: str, report: _Reporter
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], str] | None:
    if entry.number is not None:
        return entry.number, (), entry.drivers, how
    if len(entry.drivers) > 1:
        report(None, _("the drivers' car has no number in the entry list: give it one first"))
        return None
    return None, (known[0],), entry.drivers, how


def _mark_fastest(rows: list[ResultRowInput]) -> list[ResultRowInput]:
    """The fastest of the rows' best laps, in each class when the rows give classes."""
    best: dict[str | None, tuple[float, int]] = {}
    for index, row in enumerate(rows):
        seconds = lap_seconds(row.best_lap)
        if seconds is None:
            continue
        if row.class_name not in best or seconds < best[row.class_name][0]:
            best[row.class_name] = (seconds, index)
    fastest = {index for _time, index in best.values()}
    return [replace(row, fastest_lap=True) if i in fastest else row for i, row in enumerate(rows)]


def lap_seconds(text: str | None) -> float | None:
    """'1:47.095' -> 107.095; "5:44'41.101" -> 20681.101."""
    if not text:
        return None
    total = 0.0
    for part in re.split(r"[:']", text):
        total = total * 60 + float(part)
    return total
