"""A session's classification as a table, and one row as a driver's weekend shows it.

The table has a column for a timing-sheet value (class, time or gap) only when some row gives
it: a press-release result (position and driver) shows as it always did, an imported 24-hour
classification shows its classes and gaps, each car's team and drivers under it.
"""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.core.i18n import _, ngettext, ordinal, pgettext
from bot.core.model import Entry, Event, ResultRow, ResultStatus, Session, SessionKind
from bot.core.reply import Column, Line, Table, bold, line


def result_label(session: Session, row: ResultRow | None) -> str:
    """'WIN', '2nd', 'DNS (fuel pump)', '3rd, fastest lap', '–' for a driver's weekend."""
    if row is None:
        return "–"
    if row.status is ResultStatus.CLASSIFIED and row.position is not None:
        text = (
            _("WIN")
            if row.position == 1 and session.kind is SessionKind.RACE
            else ordinal(row.position)
        )
    else:
        text = row.status.value.upper()
    if row.fastest_lap:
        text += ", " + _("fastest lap")
    return f"{text} ({row.note})" if row.note else text


def results_table(catalog: Catalog, event: Event, session: Session) -> tuple[Table, list[Line]]:
    """The classification in position order, and lines for under it: the winner's distance
    and each fastest lap the rows mark.

    Narrow enough for a phone (Telegram's tables are 40 characters wide): with a timing sheet's
    gaps the team leaves the table, and a car shared by several drivers puts its team and
    drivers on their own line under it. Each car's best lap is in the data (`--json`); the
    table names the fastest.
    """
    rows = sorted(session.results, key=lambda r: (r.position is None, r.position or 0))
    entries = [entry_for_row(event, row) for row in rows]
    classes = [
        row.class_name or (entry.class_name if entry else None)
        for row, entry in zip(rows, entries, strict=True)
    ]
    crews = any(len(row.drivers) > 1 for row in rows)
    timed = any(row.time or row.gap for row in rows)
    several_classes = len({c for c in classes if c}) > 1
    # Laps get a column only when nothing else says how far a car went.
    laps_column = not timed and any(row.laps is not None for row in rows)
    columns = [Column(_("Pos"), numeric=True)]
    columns += [Column(_("Class"))] if several_classes else []
    columns += [Column(pgettext("column: car number", "No"), numeric=True)] if crews else []
    columns.append(Column(_("Drivers") if crews else _("Driver"), below=crews))
    columns += [Column(_("Team"))] if not crews and not timed else []
    columns += [Column(_("Laps"), numeric=True)] if laps_column else []
    # A timing sheet's table has no Note column: a non-finisher's status takes the place of its
    # gap, and notes go under the table, where they need not squeeze the names.
    columns += [Column(_("Time"), numeric=True)] if timed else [Column(_("Note"))]
    cells: list[tuple[str, ...]] = []
    for row, entry, class_name in zip(rows, entries, classes, strict=True):
        team = entry.team if entry and entry.team else ""
        names = driver_names(catalog, row.drivers)
        values = [str(row.position) if row.position else "–"]
        if several_classes:
            values.append(class_name or "")
        if crews:
            values.append(row.car_number or (entry.number if entry and entry.number else ""))
            values.append(f"{team}: {names}" if team else names)
        else:
            values.append(names)
            if not timed:
                values.append(team)
        if laps_column:
            values.append("" if row.laps is None else str(row.laps))
        values.append(_time_or_gap(row) if timed else status_text(row))
        cells.append(tuple(values))
    below = [*_distance(rows), *_notes(catalog, rows)] if timed else []
    return Table(tuple(columns), tuple(cells)), below + _fastest_laps(catalog, rows, classes)


def _notes(catalog: Catalog, rows: list[ResultRow]) -> list[Line]:
    """'Dan Dahl: not classified', '#108: gearbox' for the rows with a note."""
    return [
        line(
            bold(
                f"#{row.car_number}: "
                if len(row.drivers) > 1 and row.car_number
                else f"{driver_names(catalog, row.drivers)}: "
            ),
            row.note,
        )
        for row in rows
        if row.note
    ]


def _distance(rows: list[ResultRow]) -> list[Line]:
    winner = next((row for row in rows if row.position == 1), None)
    if winner is None or winner.laps is None:
        return []
    return [line(bold(_("Distance: ")), _laps(winner.laps))]


def _laps(laps: int) -> str:
    return ngettext("{laps} lap", "{laps} laps", laps).format(laps=laps)


def _time_or_gap(row: ResultRow) -> str:
    """The winner's total time, everyone else's gap to the winner (their time when the sheet
    gives no gap, their laps when it gives neither); a non-finisher's status."""
    if row.status is not ResultStatus.CLASSIFIED:
        return row.status.value.upper()
    if row.gap and row.position != 1:
        return row.gap
    return row.time or row.gap or (_laps(row.laps) if row.laps is not None else "")


def _fastest_laps(catalog: Catalog, rows: list[ResultRow], classes: list[str | None]) -> list[Line]:
    several = len({c for c in classes if c}) > 1
    found: list[Line] = []
    for row, class_name in zip(rows, classes, strict=True):
        if not row.fastest_lap:
            continue
        label = (
            _("Fastest lap ({class_name}): ").format(class_name=class_name)
            if several and class_name
            else _("Fastest lap: ")
        )
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
