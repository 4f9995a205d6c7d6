"""One record of a sheet as a result row: each cell read and checked, problems by line and
column. Nothing here knows the event: matching cars and drivers comes after."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.i18n import _
from bot.core.imports.columns import DriverColumns, Field, Layout
from bot.core.imports.problems import ImportProblem
from bot.core.imports.sheet import Record, Sheet
from bot.core.names import normalize
from bot.core.schedules import formats

# What timing sheets write for a status, folded (lower case, no punctuation), and ours for it.
_STATUS_WORDS = {
    "classified": ("classified", "cl", "finished", "fin", "running"),
    "dnf": ("dnf", "retired", "ret", "did not finish", "ab", "abandoned"),  # i18n: not user text
    "dns": ("dns", "did not start", "not started", "ns", "non starter"),  # i18n: not user text
    "dsq": ("dsq", "dq", "disqualified", "exc", "excluded"),
    "dnq": ("dnq", "did not qualify", "not qualified"),  # i18n: not user text (file words)
}
# Not classified (too few laps) scores nothing, as a DNF does; the note keeps the difference.
_NOT_CLASSIFIED = ("not classified", "nc", "n c", "unclassified")  # i18n: not user text
STATUSES = {word: status for status, words in _STATUS_WORDS.items() for word in words}
STATUSES.update({word: "dnf" for word in _NOT_CLASSIFIED})
_NO_VALUE = frozenset({"", "-", "–", "—"})
# Several drivers in one cell: "Anna Alm / Ben Berg", "Anna Alm & Ben Berg", "Anna; Ben".
_CREW_SPLIT = re.compile(r"\s*[;/&]\s*")
# Reports a problem about one field of the row being read (None: the whole row).
_Report = Callable[[Field | None, str], None]


@dataclass(frozen=True)
class SheetRow:
    line: int
    position: int | None
    status: str  # one of the schedule files' statuses
    number: str | None
    drivers: tuple[tuple[str, str | None], ...]  # (name as written, ISO country or None)
    team: str | None = None
    vehicle: str | None = None
    class_name: str | None = None
    laps: int | None = None
    time: str | None = None
    gap: str | None = None
    best_lap: str | None = None
    note: str | None = None
    # Field -> (1-based column, its header), for problems found once the row is matched.
    columns: dict[Field, tuple[int, str]] = field(default_factory=dict)


def read_row(
    sheet: Sheet, layout: Layout, record: Record, problems: list[ImportProblem]
) -> SheetRow | None:
    """The row, or None when it cannot be used (its problems are added)."""
    before = len(problems)

    def cell(name: Field) -> str:
        index = layout.fields.get(name)
        return "" if index is None else record.cells[index]

    def report(name: Field | None, message: str) -> None:
        index = None if name is None else layout.fields.get(name)
        problems.append(sheet.problem(record.line, index, message))

    status, note = _status(cell(Field.STATUS), report)
    position = None
    word = cell(Field.POSITION)
    if word.isdigit() and int(word) >= 1:
        position = int(word)
    elif normalize(word) in STATUSES and not cell(Field.STATUS):
        status, note = _status(word, report)  # "DNF" written where the position goes
    elif word not in _NO_VALUE:
        report(
            Field.POSITION,
            _("{text} is not a position (a whole number from 1)").format(text=repr(word)),
        )
    if status == "classified" and position is None and not problems[before:]:
        report(Field.POSITION, _("a classified row needs a position (or a status such as DNF)"))
    laps = None
    if (laps_word := cell(Field.LAPS)) not in _NO_VALUE:
        if laps_word.isdigit():
            laps = int(laps_word)
        else:
            report(Field.LAPS, _("{text} is not a number of laps").format(text=repr(laps_word)))
    time = _timing(cell(Field.TIME), Field.TIME, report)
    best = _timing(cell(Field.BEST_LAP), Field.BEST_LAP, report)
    gap = cell(Field.GAP)
    number = cell(Field.NUMBER).lstrip("#") or None
    drivers = tuple(_drivers(record, layout))
    if number is None and not drivers:
        where = Field.NUMBER if Field.NUMBER in layout.fields else None
        report(where, _("the row names neither a car number nor a driver"))
    if len(problems) > before:
        return None
    return SheetRow(
        line=record.line,
        position=position if status == "classified" else None,
        status=status,
        number=number,
        drivers=drivers,
        team=cell(Field.TEAM) or None,
        vehicle=cell(Field.VEHICLE) or None,
        class_name=cell(Field.CLASS) or None,
        laps=laps,
        time=time,
        gap=None if gap in _NO_VALUE else gap,
        best_lap=best,
        note=cell(Field.NOTE) or note,
        columns=_columns(sheet, layout),
    )


def _status(word: str, report: _Report) -> tuple[str, str | None]:
    """(status, note): 'Not classified' is a DNF noted as such."""
    key = normalize(word)
    if not key:
        return "classified", None
    status = STATUSES.get(key)
    if status is None:
        # The words a timing sheet writes, as it writes them: keywords, not translated.
        known = "Classified, Not classified, DNF, Retired, DNS, DSQ, DNQ"  # i18n: not user text
        hint = formats.suggestion(key, STATUSES)
        unknown = _("unknown status {status}{hint}; known: {known}")
        report(Field.STATUS, unknown.format(status=repr(word), hint=hint, known=known))
        return "classified", None
    # The note goes into the schedule files with the result: data, in the files' English.
    return status, "not classified" if key in _NOT_CLASSIFIED else None  # i18n: not user text


def _timing(word: str, name: Field, report: _Report) -> str | None:
    if word in _NO_VALUE:
        return None
    try:
        return formats.timing(word)
    except ValueError as exc:
        report(name, str(exc))
        return None


def _drivers(record: Record, layout: Layout) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for columns in layout.drivers:
        name = _name(record, columns)
        country = record.cells[columns.country] if columns.country is not None else ""
        code = country if re.fullmatch(r"[A-Z]{2}", country) else None
        found.extend((part, code) for part in _CREW_SPLIT.split(name) if part)
    return found


def _name(record: Record, columns: DriverColumns) -> str:
    if columns.name is not None:
        return record.cells[columns.name]
    parts = (columns.first, columns.second)
    return " ".join(record.cells[i] for i in parts if i is not None and record.cells[i])


def _columns(sheet: Sheet, layout: Layout) -> dict[Field, tuple[int, str]]:
    columns = {name: (index + 1, sheet.header[index]) for name, index in layout.fields.items()}
    if layout.drivers:
        first = layout.drivers[0]
        index = next(i for i in (first.name, first.first, first.second) if i is not None)
        columns[Field.DRIVER] = (index + 1, sheet.header[index])
    return columns
