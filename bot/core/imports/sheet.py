"""A delimited text as a header and records, each record with the line it starts on.

Timing exports are spreadsheets saved as text: a header naming the columns, one line per car.
Which character separates the fields is read off the header (the one of ';', ',' and tab it
uses most); quoting is the csv module's. Blank lines are skipped, a byte-order mark dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.core.i18n import N_, _
from bot.core.imports.problems import ImportProblem

DELIMITERS = (";", ",", "\t")
_NAMES = {";": "';'", ",": "','", "\t": N_("a tab")}


def delimiter_name(delimiter: str) -> str:
    return _(_NAMES[delimiter]) if delimiter in _NAMES else repr(delimiter)


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts, 1-based
    cells: tuple[str, ...]  # stripped, padded to the header's length


@dataclass(frozen=True)
class Sheet:
    file: str
    delimiter: str
    header: tuple[str, ...]  # as written (stripped), trailing empty names dropped
    header_line: int
    records: tuple[Record, ...]

    def problem(self, line: int, column: int | None, message: str) -> ImportProblem:
        """A problem at `line`, about the 0-based `column` when given."""
        if column is None:
            return ImportProblem(self.file, line, "", message)
        return ImportProblem(self.file, line, self.header[column], message, column + 1)


def guess_delimiter(header: str) -> str | None:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else None


def read_sheet(
    text: str, file: str, *, first_line: int = 1, delimiter: str | None = None
) -> tuple[Sheet | None, list[ImportProblem]]:
    """The sheet, or None and why not. `first_line` is the number of the text's first line
    where it was cut out of something longer (a chat message below its command line)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return None, [ImportProblem(file, first_line, "", _("the file is empty"))]
    header_line = first_line + start
    chosen = delimiter or guess_delimiter(lines[start])
    if chosen is None:
        message = _(
            "cannot tell the columns apart: the header has no ';', ',' or tab between names"
        )
        return None, [ImportProblem(file, header_line, "", message)]
    problems: list[ImportProblem] = []
    parsed: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=chosen)
    read_so_far = 0
    try:
        for cells in reader:
            line = header_line + read_so_far
            read_so_far = reader.line_num
            if any(cell.strip() for cell in cells):
                parsed.append((line, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        problems.append(
            ImportProblem(
                file, header_line + read_so_far, "", _("unreadable: {reason}").format(reason=exc)
            )
        )
    if not parsed:
        return None, problems
    header = list(parsed[0][1])
    while header and not header[-1]:
        header.pop()  # Al Kamel ends every line with a ';'
    width = len(header)
    records: list[Record] = []
    for line, cells in parsed[1:]:
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            problems.append(
                ImportProblem(
                    file,
                    line,
                    "",
                    _(
                        "{fields} fields where the header names {width} columns "
                        "(are its fields separated by something other than "
                        "{delimiter}, or is a value with a {delimiter} in it not in quotes?)"
                    ).format(fields=len(cells), width=width, delimiter=delimiter_name(chosen)),
                )
            )
            continue
        records.append(Record(line, tuple((cells + [""] * width)[:width])))
    sheet = Sheet(file, chosen, tuple(header), header_line, tuple(records))
    return sheet, problems
