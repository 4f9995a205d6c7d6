"""The monospace table layout all three renderers share."""

from bot.core.reply import Column, Table
from bot.core.table_text import layout_table, wrap

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


def test_narrowing_wraps_text_and_never_cuts_a_number() -> None:
    laid = layout_table(TABLE, width=20, clean=str, drop_empty_columns=True)
    assert laid.rows == (
        "  1  Martin       65",
        "     Andersen",
        "  3  Jessica    1044",
        "     Bäckman",
    )
    assert all(len(row) <= 20 for row in laid.lines)
    numbers_only = Table((Column("Pts", numeric=True),), (("123456789",),))
    assert layout_table(numbers_only, width=3, clean=str).rows == ("123456789",)


def test_a_word_longer_than_its_column_is_broken_not_cut() -> None:
    table = Table((Column("No", numeric=True), Column("Track")), (("1", "Oschersleben"),))
    laid = layout_table(table, width=9, clean=str)
    assert laid.rows == (" 1  Osche", "    rsleb", "    en")
    assert wrap("Motorsport Arena Oschersleben", 10) == ["Motorsport", "Arena", "Oschersleb", "en"]
    assert wrap("", 5) == [""]


ENTRIES = Table(
    (
        Column("No", numeric=True),
        Column("Drivers", below=True),
        Column("Team"),
        Column("Car"),
        Column("Class"),
    ),
    (
        (
            "120",
            "Andreas Bäckman, Oliver Söderström, Emil Sällberg, Marcus Fluch",
            "Lestrup Racing Team",
            "Audi RS 3 LMS TCR",
            "TCR",
        ),
    ),
)


def test_a_below_column_lists_every_driver_under_the_row() -> None:
    laid = layout_table(ENTRIES, width=100, clean=str)
    assert laid.lines == (
        " No  Team                 Car                Class",
        "---  -------------------  -----------------  -----",
        "120  Lestrup Racing Team  Audi RS 3 LMS TCR  TCR",
        "     Andreas Bäckman, Oliver Söderström, Emil Sällberg, Marcus Fluch",
    )


def test_on_a_phone_the_entry_list_wraps_and_loses_no_driver() -> None:
    laid = layout_table(ENTRIES, width=40, clean=str)
    assert all(len(line) <= 40 for line in laid.lines)
    text = " ".join(" ".join(laid.lines).split())
    for name in ("Andreas Bäckman,", "Oliver Söderström,", "Emil Sällberg,", "Marcus Fluch"):
        assert name in text
    assert "…" not in text and "Lestrup" in text and "TCR" in text


def test_a_table_of_blanks_is_empty() -> None:
    blank = Table((Column(""),), (("",),))
    assert layout_table(blank, width=40, clean=str).empty
