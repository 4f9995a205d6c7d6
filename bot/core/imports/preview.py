"""What an import would do, as plain lines for an operator: every row with who it was matched
to and how, the entries and drivers it would add, and its problems."""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.core.formatting import count
from bot.core.imports.reader import ImportedResults


def preview_lines(imported: ImportedResults, catalog: Catalog) -> tuple[str, ...]:
    session = catalog.sessions.get(imported.session_id)
    where = imported.session_id
    if session is not None:
        where = f"{session.name}, {catalog.events[session.event_id].name} ({session.id})"
    if imported.problems:
        head = (
            f"{imported.file} ({imported.format}): "
            f"{count(len(imported.problems), 'problem')}, nothing imported"
        )
        return (head, *(str(problem) for problem in imported.problems))
    whole = {True: ", a whole classification", False: ", partial", None: ""}[imported.complete]
    lines = [
        f"{imported.file} ({imported.format}): {count(len(imported.rows), 'row')} "
        f"for {where}{whole}"
    ]
    width = max((len(m.drivers) for m in imported.matches), default=0)
    for match, row in zip(imported.matches, imported.rows, strict=True):
        place = str(match.position) if match.position is not None else match.status.upper()
        car = f"#{match.car}" if match.car else ""
        laps = f"{row.laps} laps" if row.laps is not None else ""
        timing = row.gap if row.gap and row.position != 1 else row.time or ""
        extras = [
            f"fastest lap {row.best_lap}" if row.fastest_lap and row.best_lap else "",
            f"({row.note})" if row.note else "",
            f"[{match.how}]" if match.how else "",
        ]
        text = f"{place:>4}  {car:<5} {match.drivers:<{width}}  {laps:>9}  {timing:>12}  "
        lines.append((text + "  ".join(part for part in extras if part)).rstrip())
    for entry in imported.entries:
        names = ", ".join(_name(catalog, imported, d) for d in entry.driver_ids)
        what = ", ".join(p for p in (entry.team, entry.car, entry.class_name) if p)
        label = " ".join(
            part for part in (f"#{entry.number}" if entry.number else "", what) if part
        )
        lines.append(f"new entry: {label}: {names}" if label else f"new entry: {names}")
    if imported.drivers:
        lines.append("new drivers: " + ", ".join(f"{d.name} ({d.id})" for d in imported.drivers))
    return tuple(lines)


def _name(catalog: Catalog, imported: ImportedResults, driver_id: str) -> str:
    known = catalog.drivers.get(driver_id)
    if known is not None:
        return known.name
    return next((d.name for d in imported.drivers if d.id == driver_id), driver_id)
