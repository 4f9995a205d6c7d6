"""A table as aligned monospace text: the layout every front-end shares.

The terminal, Telegram (<pre>) and Discord (a code block) all show tables the same way: a header,
a rule, one line per row, numbers right-aligned. When a row does not fit the width, the widest
text column is narrowed (not below its longest word while another can give) and its cells wrap
onto continuation lines: nothing is ever cut off, so a car's fourth driver is not lost behind
an "…". Numbers are never narrowed: a wrapped points total would be misread, so a table of
numbers may stay wider than asked.

A column marked `below` (a car's drivers in an entry list) is not a column at all: its text goes
on its own lines under the row, indented past the first column and wrapped to the full width.

Each front-end only says how to clean a cell for its platform and how wide the table may be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.formatting import display_width
from bot.core.reply import Table

COLUMN_GAP = "  "
MIN_WRAPPED_WIDTH = 3  # narrower than this a column is mostly breaks


@dataclass(frozen=True)
class TextTable:
    header: str
    rule: str
    rows: tuple[str, ...]  # physical lines: a wrapped row takes several
    empty: bool  # nothing but padding and rules: not worth showing

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.header, self.rule, *self.rows)


def table_cells(table: Table, clean: Callable[[str], str]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows, every cell cleaned, short rows padded to the number of columns."""
    count = len(table.columns)
    headers = [clean(column.header) for column in table.columns]
    rows = [[clean(cell) for cell in (*row, *([""] * count))[:count]] for row in table.rows]
    return headers, rows


def layout_table(
    table: Table,
    *,
    width: int,
    clean: Callable[[str], str],
    rule: str = "-",
    drop_empty_columns: bool = False,
) -> TextTable:
    headers, rows = table_cells(table, clean)
    numeric = [column.numeric for column in table.columns]
    below = [column.below for column in table.columns]
    keep = list(range(len(headers)))
    if drop_empty_columns and rows:
        # On a phone a column with no value in any row is better spent on names.
        keep = [i for i in keep if any(row[i].strip() for row in rows)] or keep
    shown = [i for i in keep if not below[i]]
    under = [i for i in keep if below[i]]
    widths = {
        i: max([display_width(headers[i]), *(display_width(row[i]) for row in rows)]) for i in shown
    }
    floors = {
        i: max([_longest_word(headers[i]), *(_longest_word(row[i]) for row in rows)]) for i in shown
    }
    _fit(widths, floors, {i: numeric[i] for i in shown}, width)
    indent = display_width(COLUMN_GAP) + widths[shown[0]] if len(shown) > 1 else 0

    def format_cells(cells: list[str]) -> list[str]:
        wrapped = {i: wrap(cells[i], widths[i]) for i in shown}
        height = max((len(lines) for lines in wrapped.values()), default=1)
        out = []
        for number in range(height):
            parts = [
                pad(
                    wrapped[i][number] if number < len(wrapped[i]) else "",
                    widths[i],
                    right=numeric[i],
                )
                for i in shown
            ]
            out.append(COLUMN_GAP.join(parts).rstrip())
        return out

    lines: list[str] = []
    for row in rows:
        lines.extend(format_cells(row))
        for i in under:
            if row[i].strip():
                lines.extend(" " * indent + part for part in wrap(row[i], max(1, width - indent)))
    all_cells = (*headers, *(cell for row in rows for cell in row))
    return TextTable(
        header="\n".join(format_cells(headers)),
        rule=COLUMN_GAP.join(rule * widths[i] for i in shown),
        rows=tuple(lines),
        empty=not any(cell.strip() for cell in all_cells),
    )


def _fit(
    widths: dict[int, int], floors: dict[int, int], numeric: dict[int, bool], limit: int
) -> None:
    """Narrow the widest text column one cell at a time until a row fits `limit`: first not
    below any column's longest word (so words stay whole), then down to MIN_WRAPPED_WIDTH."""
    gaps = len(COLUMN_GAP) * max(0, len(widths) - 1)
    for keep_words in (True, False):
        while sum(widths.values()) + gaps > limit:
            candidates = [
                i
                for i, w in widths.items()
                if not numeric[i]
                and w > (max(floors[i], MIN_WRAPPED_WIDTH) if keep_words else MIN_WRAPPED_WIDTH)
            ]
            if not candidates:
                break
            widths[max(candidates, key=lambda i: (widths[i], -i))] -= 1


def wrap(value: str, width: int) -> list[str]:
    """`value` in lines of at most `width` cells, broken at spaces; a word longer than a whole
    line is broken where the line ends. Never empty: a blank cell is one blank line."""
    lines: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while display_width(word) > width:
            head, word = _split_at(word, width)
            lines.append(head)
        current = word
    lines.append(current)
    return lines


def _split_at(word: str, width: int) -> tuple[str, str]:
    used = 0
    for index, char in enumerate(word):
        cells = display_width(char)
        if used + cells > width and index:
            return word[:index], word[index:]
        used += cells
    return word, ""


def _longest_word(value: str) -> int:
    return max((display_width(word) for word in value.split()), default=0)


def pad(value: str, width: int, *, right: bool) -> str:
    """`value` padded with spaces to `width` cells, on the left when `right`."""
    spaces = " " * max(0, width - display_width(value))
    return spaces + value if right else value + spaces
