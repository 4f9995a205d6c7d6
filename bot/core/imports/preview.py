"""What an import would do, as plain lines for an operator: every row with who it was matched
to and how, the entries and drivers it would add, and its problems."""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.core.i18n import _, ngettext
from bot.core.imports.reader import ImportedResults


def preview_lines(imported: ImportedResults, catalog: Catalog) -> tuple[str, ...]:
    session = catalog.sessions.get(imported.session_id)
    where = imported.session_id
    if session is not None:
        where = f"{session.name}, {catalog.events[session.event_id].name} ({session.id})"
    if imported.problems:
        n = len(imported.problems)
        head = ngettext(
            "{file} ({format}): {n} problem, nothing imported",
            "{file} ({format}): {n} problems, nothing imported",
            n,
        ).format(file=imported.file, format=imported.format, n=n)
        return (head, *(str(problem) for problem in imported.problems))
    lines = [_rows_head(imported, where)]
    width = max((len(m.drivers) for m in imported.matches), default=0)
    for match, row in zip(imported.matches, imported.rows, strict=True):
        place = str(match.position) if match.position is not None else match.status.upper()
        car = f"#{match.car}" if match.car else ""
        laps = _("{n} laps").format(n=row.laps) if row.laps is not None else ""
        timing = row.gap if row.gap and row.position != 1 else row.time or ""
        extras = [
            _("fastest lap {time}").format(time=row.best_lap)
            if row.fastest_lap and row.best_lap
            else "",
            f"({row.note})" if row.note else "",
            f"[{match.how}]" if match.how else "",
        ]
        text = f"{place:>4}  {car:<5} {match.drivers:<{width}}  {laps:>9}  {timing:>12}  "
        lines.append((text + "  ".join(part for part in extras if part)).rstrip())
    for entry in imported.entries:
        names = ", ".join(_name(catalog, imported, d) for d in entry.driver_ids)
        what = ", ".join(p for p in (entry.team, entry.car, entry.class_name) if p)
        number = f"#{entry.number}" if entry.number else ""
        label = " ".join(part for part in (number, what) if part)
        if label:
            entry_line = _("new entry: {label}: {names}").format(label=label, names=names)
        else:
            entry_line = _("new entry: {names}").format(names=names)
        lines.append(entry_line)
    if imported.drivers:
        drivers = ", ".join(f"{d.name} ({d.id})" for d in imported.drivers)
        lines.append(_("new drivers: {drivers}").format(drivers=drivers))
    return tuple(lines)


def _rows_head(imported: ImportedResults, where: str) -> str:
    """'race.csv (CSV): 12 rows for Race 1, …', and whether it is the whole classification."""
    n = len(imported.rows)
    if imported.complete is None:
        text = ngettext("{file} ({format}): {n} row for {where}",
                        "{file} ({format}): {n} rows for {where}", n)  # fmt: skip
    elif imported.complete:
        text = ngettext(
            "{file} ({format}): {n} row for {where}, a whole classification",
            "{file} ({format}): {n} rows for {where}, a whole classification",
            n,
        )
    else:
        text = ngettext("{file} ({format}): {n} row for {where}, partial",
                        "{file} ({format}): {n} rows for {where}, partial", n)  # fmt: skip
    return text.format(file=imported.file, format=imported.format, n=n, where=where)


def _name(catalog: Catalog, imported: ImportedResults, driver_id: str) -> str:
    known = catalog.drivers.get(driver_id)
    if known is not None:
        return known.name
    return next((d.name for d in imported.drivers if d.id == driver_id), driver_id)
