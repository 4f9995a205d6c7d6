"""A session's classification as a table, and one row as a driver's weekend shows it.

The table has a column for a timing-sheet value (class, laps, time, best lap) only when some row
gives it: a press-release result (position and driver) shows as it always did, an imported
24-hour classification shows its laps and gaps, each car's drivers under their car.
"""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.core.formatting import ordinal
from bot.core.model import Entry, Event, ResultRow, ResultStatus, Session, SessionKind
from bot.core.reply import Column, Line, Table, bold, line


def result_label(session: Session, row: ResultRow | None) -> str:
    """'WIN', '2nd', 'DNS (fuel pump)', '3rd, fastest lap', '–' for a driver's weekend."""
    if row is None:
        return "–"
    if row.status is ResultStatus.CLASSIFIED and row.position is not None:
        text = (
            "WIN"
            if row.position == 1 and session.kind is SessionKind.RACE
            else ordinal(row.position)
        )
    else:
        text = row.status.value.upper()
    if row.fastest_lap:
        text += ", fastest lap"
    return f"{text} ({row.note})" if row.note else text


def results_table(catalog: Catalog, event: Event, session: Session) -> tuple[Table, list[Line]]:
    """The classification in position order, and a line per fastest lap the rows mark."""
    rows = sorted(session.results, key=lambda r: (r.position is None, r.position or 0))
    entries = [entry_for_row(event, row) for row in rows]
    classes = [
        row.class_name or (entry.class_name if entry else None)
        for row, entry in zip(rows, entries, strict=True)
    ]
    crews = any(len(row.drivers) > 1 for row in rows)
    optional = {
        # Several classes in one race: which one each car runs in.
        "Class": len({c for c in classes if c}) > 1,
        # Each car's drivers go under it, where the car's number names it.
        "No": crews,
        "Laps": any(row.laps is not None for row in rows),
        "Time": any(row.time or row.gap for row in rows),
        "Best": any(row.best_lap for row in rows),
    }
    columns = [Column("Pos", numeric=True)]
    columns += [Column("Class")] if optional["Class"] else []
    columns += [Column("No", numeric=True)] if optional["No"] else []
    columns += [Column("Driver", below=crews), Column("Team")]
    columns += [Column(n, numeric=True) for n in ("Laps", "Time", "Best") if optional[n]]
    columns.append(Column("Note"))
    cells: list[tuple[str, ...]] = []
    for row, entry, class_name in zip(rows, entries, classes, strict=True):
        values = [str(row.position) if row.position else "–"]
        if optional["Class"]:
            values.append(class_name or "")
        if optional["No"]:
            values.append(row.car_number or (entry.number if entry and entry.number else ""))
        values += [driver_names(catalog, row.drivers), entry.team if entry and entry.team else ""]
        if optional["Laps"]:
            values.append("" if row.laps is None else str(row.laps))
        if optional["Time"]:
            values.append(_time_or_gap(row))
        if optional["Best"]:
            values.append(row.best_lap or "")
        values.append(status_text(row))
        cells.append(tuple(values))
    return Table(tuple(columns), tuple(cells)), _fastest_laps(catalog, rows, classes)


def _time_or_gap(row: ResultRow) -> str:
    """The winner's total time, everyone else's gap to the winner (their time when the sheet
    gives no gap)."""
    if row.gap and row.position != 1:
        return row.gap
    return row.time or row.gap or ""


def _fastest_laps(catalog: Catalog, rows: list[ResultRow], classes: list[str | None]) -> list[Line]:
    several = len({c for c in classes if c}) > 1
    found: list[Line] = []
    for row, class_name in zip(rows, classes, strict=True):
        if not row.fastest_lap:
            continue
        label = f"Fastest lap ({class_name}): " if several and class_name else "Fastest lap: "
        who = driver_names(catalog, row.drivers)
        car = f"#{row.car_number} " if row.car_number and len(row.drivers) > 1 else ""
        found.append(line(bold(label), car + who + (f", {row.best_lap}" if row.best_lap else "")))
    return found


def status_text(row: ResultRow) -> str:
    status = "" if row.status is ResultStatus.CLASSIFIED else row.status.value.upper()
    return " ".join(part for part in (status, f"({row.note})" if row.note else "") if part)


def entry_for_row(event: Event, row: ResultRow) -> Entry | None:
    if row.car_number is not None:
        numbered = next((e for e in event.entries if e.number == row.car_number), None)
        if numbered is not None:
            return numbered
    return next((e for e in event.entries if set(row.drivers) & set(e.drivers)), None)


def driver_names(catalog: Catalog, drivers: tuple[str, ...]) -> str:
    return ", ".join(catalog.drivers[d].name for d in drivers if d in catalog.drivers)
