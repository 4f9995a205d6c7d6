"""What a terminal user sees for each kind of reply block, with and without colour."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.reply import (
    Choice,
    Column,
    LinkText,
    Moment,
    MomentStyle,
    Reply,
    ReplyStatus,
    Style,
    Table,
    Text,
    bold,
    fields,
    italic,
    line,
    paragraph,
    problem,
)
from bot.frontends.console.render import display_width, render, truncate

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(value: str) -> str:
    return ANSI.sub("", value)


def standings_table() -> Table:
    return Table(
        columns=(Column("Pos", numeric=True), Column("Driver"), Column("Pts", numeric=True)),
        rows=(
            ("1", "Jessica Bäckman", "120"),
            ("2", "Max Hesse", "95"),
            ("10", "Rémi Ëlk", "7.5"),
        ),
    )


def full_reply() -> Reply:
    start = datetime(2022, 5, 14, 11, 55, tzinfo=UTC)
    return Reply(
        title="TCR Germany 2022",
        blocks=(
            paragraph(
                line("Next: ", bold("Race 1"), " at ", Moment(start, "Europe/Stockholm")),
                line("Live: ", LinkText("timing", "https://live.example/tcr")),
            ),
            standings_table(),
            fields([("Track", "Oschersleben"), ("Round", line(italic("3 of 6")))]),
        ),
        choices=(Choice("Jessica Bäckman", "/driver jessica-backman"),),
    )


def test_title_is_underlined_and_sections_are_separated_by_one_blank_line() -> None:
    reply = Reply(title="Next up", blocks=(paragraph("Race 1", "Race 2"),))
    assert render(reply, colour=False) == "Next up\n───────\n\nRace 1\nRace 2"


def test_standings_table_right_aligns_numbers_and_aligns_accented_names() -> None:
    reply = Reply(title=None, blocks=(standings_table(),))
    assert render(reply, colour=False) == (
        "Pos  Driver           Pts\n"
        "───  ───────────────  ───\n"
        "  1  Jessica Bäckman  120\n"
        "  2  Max Hesse         95\n"
        " 10  Rémi Ëlk         7.5"
    )


def test_decomposed_accents_take_no_extra_column() -> None:
    # "a" + COMBINING DIAERESIS, as some sources write Bäckman: len() says 8, the screen says 7.
    decomposed = "Ba\u0308ckman"
    table = Table(
        (Column("Driver"), Column("Pts", numeric=True)), ((decomposed, "1"), ("Hesse", "22"))
    )
    assert render(Reply(title=None, blocks=(table,)), colour=False) == (
        f"Driver   Pts\n───────  ───\n{decomposed}    1\nHesse     22"
    )


def test_wide_characters_count_two_cells() -> None:
    table = Table((Column("Track"), Column("Laps", numeric=True)), (("富士", "3"), ("Spa", "44")))
    assert render(Reply(title=None, blocks=(table,)), colour=False) == (
        "Track  Laps\n─────  ────\n富士      3\nSpa      44"
    )
    assert display_width("富士 Bäckman") == 12


def test_too_wide_table_wraps_the_widest_text_column_and_never_a_number() -> None:
    table = Table(
        (Column("Driver"), Column("Team"), Column("Pts", numeric=True)),
        (
            ("Jessica Bäckman", "Target Competition", "1234567"),
            ("Max Hesse", "ADAC Sachsen", "95"),
        ),
    )
    rendered = render(Reply(title=None, blocks=(table,)), colour=False, width=36)
    assert rendered == (
        "Driver        Team               Pts\n"
        "────────────  ─────────────  ───────\n"
        "Jessica       Target         1234567\n"
        "Bäckman       Competition\n"
        "Max Hesse     ADAC Sachsen        95"
    )
    assert max(display_width(row) for row in rendered.split("\n")) == 36


def test_table_rows_have_no_trailing_spaces_when_the_last_column_is_short_text() -> None:
    table = Table((Column("Pos", numeric=True), Column("Note")), (("1", ""), ("2", "fuel pump")))
    assert render(Reply(title=None, blocks=(table,)), colour=False) == (
        "Pos  Note\n───  ─────────\n  1\n  2  fuel pump"
    )


def test_truncate_keeps_within_width_and_marks_the_cut() -> None:
    assert truncate("Oschersleben", 6) == "Osche…"
    assert truncate("Spa", 6) == "Spa"
    assert truncate("富士スピードウェイ", 5) == "富士…"


def test_fields_pad_labels_so_values_align() -> None:
    reply = Reply(title=None, blocks=(fields([("Track", "Oschersleben"), ("Time zone", "CEST")]),))
    assert render(reply, colour=False) == "Track:     Oschersleben\nTime zone: CEST"


def test_field_with_empty_value_leaves_no_trailing_space() -> None:
    reply = Reply(title=None, blocks=(fields([("Track", ""), ("Notes", "none")]),))
    assert render(reply, colour=False) == "Track:\nNotes: none"


def test_links_show_label_and_url_or_just_the_url() -> None:
    reply = Reply(
        title=None,
        blocks=(
            paragraph(
                line("Watch: ", LinkText("YouTube", "https://youtube.example/tcr")),
                line(LinkText("https://timing.example", "https://timing.example")),
            ),
        ),
    )
    assert render(reply, colour=False) == (
        "Watch: YouTube <https://youtube.example/tcr>\nhttps://timing.example"
    )


def test_moments_show_in_the_requested_zone_with_summer_and_winter_abbreviation() -> None:
    summer = datetime(2022, 5, 14, 11, 55, tzinfo=UTC)
    winter = datetime(2022, 11, 5, 12, 0, tzinfo=UTC)
    reply = Reply(
        title=None,
        blocks=(
            paragraph(
                line("Race 1: ", Moment(summer, "Europe/Stockholm")),
                line("Starts ", Moment(summer, "Europe/Stockholm", MomentStyle.TIME)),
                line("Finale: ", Moment(winter, "Europe/Stockholm")),
                line("TBA on ", Moment(summer, "Europe/Stockholm", MomentStyle.DATE)),
                line(
                    "Green flag ",
                    Moment(
                        summer,
                        "Europe/Stockholm",
                        MomentStyle.RELATIVE,
                        reference=datetime(2022, 5, 12, 8, 55, tzinfo=UTC),
                    ),
                ),
            ),
        ),
    )
    assert render(reply, colour=False) == (
        "Race 1: Sat 14 May 13:55 CEST\n"
        "Starts 13:55 CEST\n"
        "Finale: Sat 5 Nov 13:00 CET\n"
        "TBA on Sat 14 May\n"
        "Green flag in 2 d 3 h"
    )


def test_not_found_lists_numbered_choices_with_their_commands() -> None:
    reply = problem(
        ReplyStatus.NOT_FOUND,
        'No driver "backman". Did you mean:',
        [
            Choice("Jessica Bäckman", "/driver jessica-backman"),
            Choice("Andreas Bäckman", "/driver andreas-backman"),
            Choice("Max Hesse", "/driver max-hesse"),
        ],
    )
    assert render(reply, colour=False) == (
        'No driver "backman". Did you mean:\n'
        "\n"
        "1. Jessica Bäckman  → /driver jessica-backman\n"
        "2. Andreas Bäckman  → /driver andreas-backman\n"
        "3. Max Hesse        → /driver max-hesse"
    )


def test_ten_or_more_choices_keep_the_labels_aligned() -> None:
    choices = [Choice(f"Driver {n}", f"/driver d{n}") for n in range(1, 11)]
    lines = render(Reply(title=None, choices=tuple(choices)), colour=False).split("\n")
    assert lines[0] == " 1. Driver 1   → /driver d1"
    assert lines[9] == "10. Driver 10  → /driver d10"


def test_colour_adds_ansi_and_stripping_it_gives_the_plain_text() -> None:
    reply = full_reply()
    coloured = render(reply, colour=True)
    plain = render(reply, colour=False)
    assert "\x1b[1mTCR Germany 2022\x1b[22m" in coloured  # bold title
    assert "\x1b[1mRace 1\x1b[22m" in coloured
    assert "\x1b[3m3 of 6\x1b[23m" in coloured
    assert "<\x1b[34;4mhttps://live.example/tcr\x1b[24;39m>" in coloured  # blue, underlined
    assert strip_ansi(coloured) == plain
    assert plain == (
        "TCR Germany 2022\n"
        "────────────────\n"
        "\n"
        "Next: Race 1 at Sat 14 May 13:55 CEST\n"
        "Live: timing <https://live.example/tcr>\n"
        "\n"
        "Pos  Driver           Pts\n"
        "───  ───────────────  ───\n"
        "  1  Jessica Bäckman  120\n"
        "  2  Max Hesse         95\n"
        " 10  Rémi Ëlk         7.5\n"
        "\n"
        "Track: Oschersleben\n"
        "Round: 3 of 6\n"
        "\n"
        "1. Jessica Bäckman  → /driver jessica-backman"
    )


def test_text_styles_map_to_bold_italic_and_dim() -> None:
    reply = Reply(
        title=None,
        blocks=(paragraph(line(bold("b"), " ", italic("i"), " ", Text("/next", Style.CODE))),),
    )
    assert render(reply, colour=True) == "\x1b[1mb\x1b[22m \x1b[3mi\x1b[23m \x1b[2m/next\x1b[22m"
    assert render(reply, colour=False) == "b i /next"


def test_problems_are_red_or_yellow_and_stay_coloured_after_a_link() -> None:
    invalid = Reply(
        title="Bad date",
        blocks=(paragraph(line("Use YYYY-MM-DD, see ", LinkText("help", "https://h.example"))),),
        status=ReplyStatus.INVALID,
    )
    coloured = render(invalid, colour=True)
    assert coloured.startswith("\x1b[1;31mBad date\x1b[22;39m")
    # After the blue URL the colour goes back to red, not to the default.
    assert "\x1b[31mUse YYYY-MM-DD, see help <\x1b[34;4mhttps://h.example\x1b[24;31m>\x1b[39m" in (
        coloured
    )
    not_found = render(problem(ReplyStatus.NOT_FOUND, "No such series"), colour=True)
    assert not_found == "\x1b[33mNo such series\x1b[39m"
    ok = render(Reply(title=None, blocks=(paragraph("All good"),)), colour=True)
    assert ok == "All good"


def test_plain_output_never_holds_an_escape_character_even_from_data() -> None:
    hostile = Reply(
        title="Team \x1b[2J",
        blocks=(
            paragraph("line \x1b]0;pwned\x07"),
            Table((Column("Driver"),), (("Max\x1b[31m",),)),
            fields([("Note\x1b", "x\x9b1m")]),
        ),
        choices=(Choice("A\x1b", "/driver a\x1b"),),
        status=ReplyStatus.INVALID,
    )
    plain = render(hostile, colour=False)
    assert "\x1b" not in plain and "\x9b" not in plain and "\x07" not in plain
    assert "Max [31m" in plain  # the text survives, the control character does not
    assert strip_ansi(render(hostile, colour=True)) == plain


def test_no_line_ends_in_spaces_and_output_ends_without_newline() -> None:
    for colour in (False, True):
        rendered = render(full_reply(), colour=colour)
        assert not rendered.endswith("\n")
        assert all(line_ == line_.rstrip() for line_ in strip_ansi(rendered).split("\n"))


def test_empty_reply_renders_as_nothing() -> None:
    assert render(Reply(title=None), colour=True) == ""
