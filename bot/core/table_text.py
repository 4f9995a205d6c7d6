"""A table as aligned monospace text: the layout every front-end shares.

The terminal, Telegram (<pre>) and Discord (a code block) all show tables the same way: a header,
a rule, one line per row, numbers right-aligned, and the widest text column shortened with "…"
until a row fits the width. Numbers are never cut: a truncated points total would be a wrong
number, so a table of numbers may stay wider than asked. Each front-end only says how to clean
a cell for its platform and how wide the table may be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.formatting import display_width, truncate
from bot.core.reply import Table

COLUMN_GAP = "  "
MIN_TRUNCATED_WIDTH = 3  # "Jo…" still says something


@dataclass(frozen=True)
class TextTable:
    header: str
    rule: str
    rows: tuple[str, ...]
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
    if drop_empty_columns and rows:
        # On a phone a column with no value in any row is better spent on names.
        keep = [i for i in range(len(headers)) if any(row[i].strip() for row in rows)]
        keep = keep or list(range(len(headers)))
        headers, numeric = [headers[i] for i in keep], [numeric[i] for i in keep]
        rows = [[row[i] for i in keep] for row in rows]
    widths = [
        max([display_width(headers[i]), *(display_width(row[i]) for row in rows)])
        for i in range(len(headers))
    ]
    _fit(widths, numeric, width)

    def format_row(cells: list[str]) -> str:
        return COLUMN_GAP.join(
            pad(truncate(cell, widths[i]), widths[i], right=numeric[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    empty = not any(cell.strip() for cell in (*headers, *(c for row in rows for c in row)))
    return TextTable(
        header=format_row(headers),
        rule=COLUMN_GAP.join(rule * w for w in widths),
        rows=tuple(format_row(row) for row in rows),
        empty=empty,
    )


def _fit(widths: list[int], numeric: list[bool], limit: int) -> None:
    """Narrow the widest text column one cell at a time until a row fits `limit`."""
    gaps = len(COLUMN_GAP) * max(0, len(widths) - 1)
    while sum(widths) + gaps > limit:
        candidates = [i for i, w in enumerate(widths) if not numeric[i] and w > MIN_TRUNCATED_WIDTH]
        if not candidates:
            return
        widths[max(candidates, key=lambda i: widths[i])] -= 1


def pad(value: str, width: int, *, right: bool) -> str:
    """`value` padded with spaces to `width` cells, on the left when `right`."""
    spaces = " " * max(0, width - display_width(value))
    return spaces + value if right else value + spaces
