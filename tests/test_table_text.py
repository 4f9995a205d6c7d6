"""The monospace table layout all three renderers share."""

from bot.core.reply import Column, Table
from bot.core.table_text import layout_table

TABLE = Table(
    (Column("Pos", numeric=True), Column("Driver"), Column("Note"), Column("Pts", numeric=True)),
    (("1", "Martin Andersen", "", "65"), ("3", "Jessica Bäckman", "", "1044")),
)


def test_aligned_numbers_right_and_empty_columns_dropped_on_request() -> None:
    laid = layout_table(TABLE, width=80, clean=str, drop_empty_columns=True)
    assert laid.lines == (
        "Pos  Driver            Pts",
        "---  ---------------  ----",
        "  1  Martin Andersen    65",
        "  3  Jessica Bäckman  1044",
    )
    kept = layout_table(TABLE, width=80, clean=str)
    assert "Note" in kept.header


def test_narrowing_cuts_text_never_numbers() -> None:
    laid = layout_table(TABLE, width=20, clean=str, drop_empty_columns=True)
    assert laid.rows == ("  1  Martin A…    65", "  3  Jessica …  1044")
    assert all(len(row) <= 20 for row in laid.lines)
    numbers_only = Table((Column("Pts", numeric=True),), (("123456789",),))
    assert layout_table(numbers_only, width=3, clean=str).rows == ("123456789",)


def test_a_table_of_blanks_is_empty() -> None:
    blank = Table((Column(""),), (("",),))
    assert layout_table(blank, width=40, clean=str).empty
