"""Reading a classification export for one session: the entry points.

`read_results` tells the format from the header: an Al Kamel Systems export (semicolons,
upper-case names such as TOTAL_TIME and GAP_FIRST) or a plain CSV whose header names its
columns. Pure: it is given the text and the file's name, and the catalog to match against.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.catalog import Catalog
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.i18n import _
from bot.core.imports.columns import Field, Layout, alkamel_layout, looks_like_alkamel, plain_layout
from bot.core.imports.matching import RowMatch, match_rows
from bot.core.imports.problems import ImportProblem
from bot.core.imports.rows import SheetRow, read_row
from bot.core.imports.sheet import Sheet, delimiter_name, guess_delimiter, read_sheet
from bot.core.model import Session


class SheetFormat(StrEnum):
    ALKAMEL = "Al Kamel"  # i18n: not user text (a format's proper name)
    PLAIN = "CSV"  # i18n: not user text (a format's proper name)


@dataclass(frozen=True)
class ImportedResults:
    """What a file says about one session, matched to its event; nothing is written."""

    file: str
    format: SheetFormat
    session_id: str
    rows: tuple[ResultRowInput, ...] = ()
    entries: tuple[EntryInput, ...] = ()  # cars the event does not have yet
    drivers: tuple[DriverInput, ...] = ()  # drivers the catalog does not have yet
    matches: tuple[RowMatch, ...] = ()  # one per row, in file order, for a preview
    problems: tuple[ImportProblem, ...] = ()
    # True: a whole classification (positions 1, 2, 3... without gaps); None: the file does
    # not say, the session keeps what it has.
    complete: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_results(
    text: str, file: str, session: Session, catalog: Catalog, *, first_line: int = 1
) -> ImportedResults:
    """An Al Kamel export or a plain CSV, told apart by the header."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    if looks_like_alkamel(header):
        return read_alkamel_csv(text, file, session, catalog, first_line=first_line)
    return read_plain_csv(text, file, session, catalog, first_line=first_line)


def read_alkamel_csv(
    text: str, file: str, session: Session, catalog: Catalog, *, first_line: int = 1
) -> ImportedResults:
    """An Al Kamel Systems classification (POSITION;NUMBER;TEAM;DRIVER_1;...;STATUS;LAPS;...)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    used = guess_delimiter(header.removeprefix("\ufeff"))
    if used is not None and used != ";":
        line = first_line + _blank_lines_before(text)
        message = _(
            "an Al Kamel export separates its fields with ';', but this header uses "
            "{delimiter}: export it again, or import it as a plain CSV "
            "after renaming its columns"
        ).format(delimiter=delimiter_name(used))
        return ImportedResults(
            file,
            SheetFormat.ALKAMEL,
            session.id,
            problems=(ImportProblem(file, line, "", message),),
        )
    return _read(text, file, session, catalog, first_line, SheetFormat.ALKAMEL, ";")


def read_plain_csv(
    text: str, file: str, session: Session, catalog: Catalog, *, first_line: int = 1
) -> ImportedResults:
    """A CSV whose first line names its columns (position, number or car, driver or drivers or
    driver_1..., team, class, status, laps, time, gap, best lap, note), separated by ',', ';'
    or tabs as the header is. `first_line` numbers the lines of a text cut from something
    longer (a chat message whose first line is the command)."""
    return _read(text, file, session, catalog, first_line, SheetFormat.PLAIN, None)


def _read(
    text: str,
    file: str,
    session: Session,
    catalog: Catalog,
    first_line: int,
    kind: SheetFormat,
    delimiter: str | None,
) -> ImportedResults:
    sheet, problems = read_sheet(text, file, first_line=first_line, delimiter=delimiter)
    if sheet is None:
        return ImportedResults(file, kind, session.id, problems=tuple(problems))
    layout = (
        alkamel_layout(sheet.header) if kind is SheetFormat.ALKAMEL else plain_layout(sheet.header)
    )
    missing = _missing_columns(sheet, layout, kind)
    if missing:
        return ImportedResults(file, kind, session.id, problems=(*missing, *problems))
    if not sheet.records:
        empty = ImportProblem(file, sheet.header_line, "", _("no rows below the header"))
        return ImportedResults(file, kind, session.id, problems=(empty,))
    rows = [row for r in sheet.records if (row := read_row(sheet, layout, r, problems))]
    event = catalog.events[session.event_id]
    matched = match_rows(rows, event, catalog, file)
    every_problem = sorted([*problems, *matched.problems], key=lambda p: (p.line, p.column or 0))
    return ImportedResults(
        file=file,
        format=kind,
        session_id=session.id,
        rows=tuple(matched.rows),
        entries=tuple(matched.entries),
        drivers=tuple(matched.drivers),
        matches=tuple(matched.matches),
        problems=tuple(every_problem),
        complete=_complete(rows) if kind is SheetFormat.ALKAMEL else None,
    )


def _missing_columns(sheet: Sheet, layout: Layout, kind: SheetFormat) -> list[ImportProblem]:
    have = ", ".join(name for name in sheet.header if name) or _("nothing")
    if kind is SheetFormat.ALKAMEL:
        wanted = {Field.POSITION: "POSITION", Field.NUMBER: "NUMBER"}  # i18n: not user text
        return [
            ImportProblem(
                sheet.file,
                sheet.header_line,
                "",
                _("missing required column {name} (the header has: {have})").format(
                    name=name, have=have
                ),
            )
            for field, name in wanted.items()
            if field not in layout.fields
        ]
    missing = []
    if Field.POSITION not in layout.fields:
        missing.append(_("a position column (position, pos or place)"))
    if Field.NUMBER not in layout.fields and not layout.has_drivers():
        missing.append(_("a car number column (number, no or car) or a driver column"))
    return [
        ImportProblem(
            sheet.file,
            sheet.header_line,
            "",
            _("missing {what} (the header has: {have})").format(what=what, have=have),
        )
        for what in missing
    ]


def _complete(rows: list[SheetRow]) -> bool:
    """A whole classification: its classified positions run 1, 2, 3... without a gap."""
    positions = sorted(row.position for row in rows if row.position is not None)
    return bool(positions) and positions == list(range(1, len(positions) + 1))


def _blank_lines_before(text: str) -> int:
    lines = text.removeprefix("\ufeff").splitlines()
    return next((i for i, line in enumerate(lines) if line.strip()), 0)
