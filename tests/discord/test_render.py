"""What a Discord user sees: escaped markdown, timestamps, embeds within limits, spoilers,
buttons."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.reply import (
    Choice,
    Column,
    Field,
    Fields,
    LinkText,
    Moment,
    MomentStyle,
    Paragraph,
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
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.discord.render import (
    BRAND_COLOUR,
    PROBLEM_COLOUR,
    Button,
    DiscordMessage,
    Embed,
    EmbedField,
    escape_markdown,
    render,
    timestamp,
)

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
ZW = "\u200b"
TEAM = "R&D <Motorsport>"
TEAM_MD = "R&D <Motorsport\\>"  # ">" escaped (it starts a quote); "<M" is no mention
EVIL = "**bold** @everyone"
EVIL_MD = f"\\*\\*bold\\*\\* @{ZW}everyone"
DATE = MomentStyle.DATE
RACE_1 = datetime(2022, 5, 14, 11, 55, tzinfo=UTC)  # Hockenheim race part 1, 13:55 CEST

# -- a checker for Discord's limits and for markdown that only we could have written ----------

SPECIAL = set("*_~`|>#-[]()\\")
TOKEN = re.compile(
    r"""
    (?P<escape>\\[^0-9A-Za-z\s])
    |(?P<stamp><t:-?[0-9]+:[tTdDfFR]>)
    |(?P<autolink><https?://[^\s<>()\[\]|`\\]+>)
    |\[(?P<label>(?:\\[^0-9A-Za-z\s]|[^\\\[\]()`*|_~>\#\-\n])+)\]\(https?://[^\s()\[\]<>|`\\]+\)
    |`(?P<code>[^`\n]+)`
    |(?P<mark>\*\*|\*|\|\|)
    """,
    re.VERBOSE,
)
FENCED = re.compile(r"```\n(.*?)\n```", re.DOTALL)
MENTION_LIKE = re.compile(r"<[@#:/]|<[A-Za-z]+:|@everyone|@here", re.IGNORECASE)


def check_markdown(text: str) -> str:
    """Assert `text` holds no markdown but ours (escapes, **, *, ||, `code`, links, timestamps,
    ``` blocks) and no mention; return what a reader sees (escapes and delimiters removed)."""
    visible: list[str] = []
    spoilers = 0
    for number, part in enumerate(FENCED.split(text)):
        if number % 2:  # inside a ``` block: backslashes are shown as they are
            assert "``" not in part and not MENTION_LIKE.search(part), part
            visible.append(part)
            continue
        assert "```" not in part, part
        for row in part.split("\n"):
            marks: dict[str, int] = {"**": 0, "*": 0}
            out, position = [], 0
            while position < len(row):
                match = TOKEN.match(row, position)
                if match is None:
                    char = row[position]
                    assert char not in SPECIAL, (char, row)
                    out.append(char)
                    position += 1
                    continue
                position = match.end()
                if match["escape"]:
                    out.append(match["escape"][1])
                elif match["mark"] == "||":
                    spoilers += 1
                elif match["mark"]:
                    marks[match["mark"]] += 1
                elif match["code"]:
                    assert "||" not in match["code"] and not MENTION_LIKE.search(match["code"])
                    out.append(match["code"])
                elif match["label"]:
                    out.append(re.sub(r"\\(.)", r"\1", match["label"]))
                else:
                    out.append(match[0])
            assert marks["**"] % 2 == 0 and marks["*"] % 2 == 0, row
            rest = TOKEN.sub("\0", row)  # a mention would have to be in what is left
            assert not MENTION_LIKE.search(rest), row
            visible.append("".join(out))
    assert spoilers % 2 == 0, text
    return "\n".join(visible).replace(ZW, "")


def embed_chars(embed: Embed) -> int:
    return (
        len(embed.title or "")
        + len(embed.description or "")
        + sum(len(f.name) + len(f.value) for f in embed.fields)
        + len(embed.footer or "")
    )


def check_messages(messages: list[DiscordMessage]) -> list[str]:
    """Every message within every Discord limit and valid markdown; buttons on the last one
    only. Returns the visible text of each embed (title, description, fields)."""
    assert messages
    seen = []
    for message in messages:
        assert 1 <= len(message.embeds) <= 10
        assert sum(embed_chars(embed) for embed in message.embeds) <= 6000
        assert message.content is None or len(message.content) <= 2000
        assert len(message.buttons) <= 25
        for embed in message.embeds:
            assert embed.title or embed.description or embed.fields, "empty embed"
            assert embed.title is None or 1 <= len(embed.title) <= 256
            assert embed.description is None or 1 <= len(embed.description) <= 4096
            assert embed.description is None or embed.description.strip()
            assert len(embed.fields) <= 25
            parts = [check_markdown(embed.title or ""), check_markdown(embed.description or "")]
            for field in embed.fields:
                assert 1 <= len(field.name) <= 256 and 1 <= len(field.value) <= 1024
                assert field.name.strip() and field.value.strip()
                parts += [check_markdown(field.name), check_markdown(field.value)]
            seen.append("\n".join(parts))
    assert all(not message.buttons for message in messages[:-1])
    for button in messages[-1].buttons:
        assert 1 <= len(button.label) <= 80 and button.label.strip()
        assert (button.url is None) != (button.command is None)
        assert button.url is None or re.match(r"https?://", button.url)
    return seen


def text_of(embed: Embed) -> str:
    assert embed.description is not None
    return embed.description


def only(messages: list[DiscordMessage]) -> Embed:
    assert len(messages) == 1 and len(messages[0].embeds) == 1
    return messages[0].embeds[0]


# -- escaping ---------------------------------------------------------------------------------


def test_escape_markdown() -> None:
    assert escape_markdown(TEAM) == TEAM_MD
    assert escape_markdown(EVIL) == EVIL_MD
    assert escape_markdown("@here and @Everyone") == f"@{ZW}here and @{ZW}Everyone"
    assert escape_markdown("[x](https://evil.example)") == "\\[x\\]\\(https://evil.example\\)"
    assert escape_markdown("a_b ~~c~~ ||d|| `e` > # -") == (
        "a\\_b \\~\\~c\\~\\~ \\|\\|d\\|\\| \\`e\\` \\> \\# \\-"
    )
    assert escape_markdown("back\\slash") == "back\\\\slash"
    assert escape_markdown("1. Bäckman\n 2. Hesse") == "1\\. Bäckman\n 2\\. Hesse"
    assert escape_markdown("<@123> <@&9> <#5> <t:0:F> <:flag:1>") == (
        f"<{ZW}@123\\> <{ZW}@&9\\> <\\#5\\> <{ZW}t:0:F\\> <{ZW}:flag:1\\>"
    )


def test_every_value_is_escaped_so_names_cannot_format_or_ping() -> None:
    reply = Reply(
        title=EVIL,
        blocks=(
            paragraph(
                line("Team: ", bold(TEAM), " ", italic(EVIL), " ", Text("@here", Style.CODE))
            ),
            Fields((Field(EVIL, line(EVIL)),)),
            paragraph(line(LinkText(EVIL, "https://example.com/rd"))),
            Table((Column("Driver"),), ((EVIL,),)),
        ),
    )
    (message,) = render(reply)
    first, second = message.embeds
    assert first.title == EVIL_MD
    assert first.description == f"Team: **{TEAM_MD}** *{EVIL_MD}* `@{ZW}here`"
    assert first.fields == (EmbedField(EVIL_MD, EVIL_MD, inline=True),)
    assert second.title is None
    assert second.description == (
        f"[{EVIL_MD}](https://example.com/rd)\n\n```\nDriver\n------------------\n"
        f"**bold** @{ZW}everyone\n```"
    )
    assert message.content is None and message.role_mention is None
    check_messages([message])
    assert not any("@everyone" in text for text in _all_strings(message))


def _all_strings(message: DiscordMessage) -> list[str]:
    out = [message.content or ""]
    for embed in message.embeds:
        out += [embed.title or "", embed.description or "", embed.footer or ""]
        out += [text for field in embed.fields for text in (field.name, field.value)]
    return out


def test_a_mention_split_over_parts_is_still_broken() -> None:
    reply = Reply(None, (paragraph(line("@every", "one <", "@123>")),))
    assert only(render(reply)).description == f"@{ZW}everyone <{ZW}@123\\>"


def test_adjacent_styles_do_not_run_together() -> None:
    reply = Reply(None, (paragraph(line(bold("Winner:"), italic("Bäckman"), " ", bold(" x "))),))
    assert only(render(reply)).description == f"**Winner:**{ZW}*Bäckman*  **x** "


def test_code_text_with_backticks_is_shown_escaped() -> None:
    reply = Reply(None, (paragraph(line(Text("a`b", Style.CODE), " ", Text("c||d", Style.CODE))),))
    assert only(render(reply)).description == f"a\\`b `c|{ZW}|d`"


def test_links_only_for_web_urls_with_brackets_escaped() -> None:
    url = "https://live.example/timing_(osch)?a=[1]&b=|x|"
    reply = Reply(
        None,
        (
            paragraph(
                line(LinkText("Live [HD] (new)", url)),
                line(LinkText("", "https://youtube.com/24HSeries")),
                line(LinkText("Stream", "javascript:alert(1)")),
                line(LinkText("x", "https://" + "a" * 600)),
            ),
        ),
    )
    lines = text_of(only(render(reply))).split("\n")
    assert lines[0] == (
        "[Live \\[HD\\] \\(new\\)](https://live.example/timing_%28osch%29?a=%5B1%5D&b=%7Cx%7C)"
    )
    assert lines[1] == "<https://youtube.com/24HSeries>"
    assert lines[2] == "Stream \\(javascript:alert\\(1\\)\\)"
    assert lines[3].startswith("x \\(https://aaa")  # too long for Discord to link: text
    check_messages(render(reply))


def test_control_characters_and_newlines() -> None:
    reply = Reply("Bad\x00title\nhere", (paragraph("a\x1bb\nc\ud800"),))
    embed = only(render(reply))
    assert (embed.title, embed.description) == ("Bad title here", "a b\nc\ufffd")


# -- times ------------------------------------------------------------------------------------


def test_timestamps() -> None:
    assert timestamp(RACE_1) == "<t:1652529300:F>"
    assert timestamp(RACE_1, "R") == "<t:1652529300:R>"
    berlin = RACE_1.astimezone(timezone(timedelta(hours=2)))
    assert timestamp(berlin, "t") == "<t:1652529300:t>"
    assert timestamp(RACE_1 + timedelta(microseconds=999_999), "D") == "<t:1652529300:D>"
    assert timestamp(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == "<t:-1:F>"
    with pytest.raises(ValueError, match="aware"):
        timestamp(datetime(2022, 5, 14, 11, 55))
    with pytest.raises(ValueError, match="style"):
        timestamp(RACE_1, "X")


def test_moments_are_timestamps_every_reader_sees_in_their_own_zone() -> None:
    reply = Reply(
        None,
        (
            paragraph(
                line("Race 1: ", Moment(RACE_1, "America/New_York")),
                line("Starts ", Moment(RACE_1, "Europe/Berlin", MomentStyle.TIME)),
                line(Moment(RACE_1, "Europe/Berlin", MomentStyle.RELATIVE, reference=RACE_1)),
                # A TBA day: midnight at the track, shown as that date to readers west of it too.
                line(Moment(datetime(2022, 4, 22, 22, tzinfo=UTC), "Europe/Berlin", DATE)),
            ),
        ),
    )
    assert only(render(reply)).description == (
        "Race 1: <t:1652529300:F>\nStarts <t:1652529300:t>\n<t:1652529300:R>\n<t:1650708000:D>"
    )
    assert datetime.fromtimestamp(1650708000, UTC) == datetime(2022, 4, 23, 10, tzinfo=UTC)


# -- titles, colours, empty replies -----------------------------------------------------------


def test_long_title_is_cut_at_256_without_breaking_an_escape() -> None:
    embed = only(render(Reply("a" * 254 + "*" * 10)))
    assert embed.title == "a" * 254 + "…"
    embed = only(render(Reply("a" * 253 + "*" * 10)))
    assert embed.title == "a" * 253 + "\\*…" and len(embed.title) == 256
    assert only(render(Reply("x" * 256))).title == "x" * 256


def test_colour_says_answer_or_problem() -> None:
    assert only(render(Reply("Standings"))).colour == BRAND_COLOUR
    assert only(render(Reply(None, status=ReplyStatus.EMPTY))).colour == BRAND_COLOUR
    for status in (ReplyStatus.NOT_FOUND, ReplyStatus.INVALID, ReplyStatus.AMBIGUOUS):
        assert only(render(problem(status, "No such driver"))).colour == PROBLEM_COLOUR
    assert BRAND_COLOUR != PROBLEM_COLOUR


def test_empty_replies_still_say_something() -> None:
    assert only(render(Reply(None))).description == "\\(nothing to show\\)"
    assert only(render(Reply("  \n ", (paragraph(""),)))).description == "\\(nothing to show\\)"
    embed = only(render(Reply("Nothing ahead")))
    assert (embed.title, embed.description) == ("Nothing ahead", None)


# -- tables and fields ------------------------------------------------------------------------


def test_table_is_an_aligned_code_block_numbers_right() -> None:
    table = Table(
        (Column("Pos", numeric=True), Column("Team"), Column("Note"), Column("Pts", numeric=True)),
        (("1", TEAM, "", "120"), ("10", "ROJA ``` @here", "", "7.5")),
    )
    assert only(render(Reply("Teams", (table,)))).description == (
        "```\n"
        "Pos  Team              Pts\n"
        "---  ----------------  ---\n"
        f"  1  {TEAM}  120\n"
        f" 10  ROJA `{ZW}`{ZW}` @{ZW}here    7.5\n"  # zero-width spaces take no cell
        "```"
    )


def test_wide_table_shortens_the_widest_text_column_but_never_numbers() -> None:
    table = Table(
        (Column("Pos", True), Column("Driver"), Column("Team"), Column("Pts", True)),
        (("1", "Jessica Bäckman", "Brutal Fish Racing Team Ltd of Sweden", "1234567"),),
    )
    rows = text_of(only(render(Reply(None, (table,))))).split("\n")[1:-1]
    assert rows == [
        "Pos  Driver           Team                   Pts",
        "---  ---------------  -----------------  -------",
        "  1  Jessica Bäckman  Brutal Fish        1234567",
        "                      Racing Team Ltd",
        "                      of Sweden",
    ]


def test_short_fields_go_inline_long_ones_not() -> None:
    reply = Reply(
        "Hockenheimring",
        (
            paragraph("Facts"),
            fields([("Length", "4.574 km"), ("Location", "Hockenheim, Baden-Württemberg, DE")]),
        ),
    )
    embed = only(render(reply))
    assert embed.description == "Facts"
    assert embed.fields == (
        EmbedField("Length", "4.574 km", inline=True),
        EmbedField("Location", "Hockenheim, Baden\\-Württemberg, DE", inline=False),
    )


def test_text_after_fields_starts_a_new_embed() -> None:
    reply = Reply("T", (paragraph("before"), fields([("a", "1")]), paragraph("after")))
    (message,) = render(reply)
    assert [(e.title, e.description, len(e.fields)) for e in message.embeds] == [
        ("T", "before", 1),
        (None, "after", 0),
    ]


def test_more_than_25_fields_become_description_lines() -> None:
    reply = Reply(None, (fields([(f"Driver {n}", f"{n} pts") for n in range(26)]),))
    embed = only(render(reply))
    assert not embed.fields
    assert text_of(embed).split("\n")[:2] == ["**Driver 0:** 0 pts", "**Driver 1:** 1 pts"]


def test_two_field_blocks_share_an_embed_up_to_25_fields() -> None:
    block = fields([(f"F{n}", "v") for n in range(20)])
    (message,) = render(Reply("T", (block, block)))
    assert [len(embed.fields) for embed in message.embeds] == [25, 15]


def test_a_field_value_over_1024_is_shown_whole_as_a_line() -> None:
    reply = Reply(None, (fields([("Note", "word " * 300)]),))
    embed = only(render(reply))
    assert not embed.fields
    assert embed.description == "**Note:** " + ("word " * 300)


# -- spoilers ---------------------------------------------------------------------------------


def results_reply() -> Reply:
    return Reply(
        title="Race 1 — Oschersleben",
        blocks=(
            paragraph(line("Winner: ", bold("Jessica Bäckman"), " ", Text("#7", Style.CODE))),
            Table(
                (Column("Pos", numeric=True), Column("Team"), Column("Note")),
                (("1", TEAM, ""), ("2", "ROJA|", "fuel pump")),
            ),
            fields([("Fastest lap", "1:23.456 (Bäckman)")]),
        ),
        contains_results=True,
    )


def test_spoiler_safe_hides_results_keeps_title_and_field_names() -> None:
    embed = only(render(results_reply(), spoiler_safe=True))
    assert embed.title == "Race 1 — Oschersleben"
    assert embed.description == (
        "||Winner: **Jessica Bäckman** `#7`||\n\n"
        "||**Pos · Team · Note**\n"
        f"1 · {TEAM_MD}\n"
        f"2 · ROJA\\| · fuel pump||"
    )
    assert embed.fields == (EmbedField("Fastest lap", "||1:23.456 \\(Bäckman\\)||", True),)
    assert "```" not in embed.description  # Discord cannot hide a code block in a spoiler


def test_without_spoiler_safe_results_show_as_a_table() -> None:
    embed = only(render(results_reply()))
    assert "||" not in (embed.description or "") + embed.fields[0].value
    assert "```\nPos  Team              Note\n" in text_of(embed)


def test_spoiler_safe_chat_sees_replies_without_results_plainly() -> None:
    reply = Reply("Schedule", (paragraph("Race 1 at 13:55"),), contains_results=False)
    assert only(render(reply, spoiler_safe=True)).description == "Race 1 at 13:55"


def test_spoiler_is_closed_and_reopened_in_every_split_embed() -> None:
    rows = tuple((str(n), f"Driver number {n}", str(2000 - n)) for n in range(1, 1201))
    reply = Reply(
        "Standings",
        (Table((Column("Pos", True), Column("Driver"), Column("Pts", True)), rows),),
        contains_results=True,
    )
    messages = render(reply, spoiler_safe=True)
    check_messages(messages)
    embeds = [embed for message in messages for embed in message.embeds]
    assert len(embeds) > 5
    assert embeds[0].title == "Standings"
    for embed in embeds:
        assert text_of(embed).startswith("||") and text_of(embed).endswith("||")
        assert text_of(embed).count("||") == 2
    lines = "\n".join(text_of(e).strip("|") for e in embeds).split("\n")
    assert lines == [
        "**Pos · Driver · Pts**",
        *(f"{n} · Driver number {n} · {2000 - n}" for n in range(1, 1201)),
    ]


# -- role mentions ----------------------------------------------------------------------------


def test_role_mention_only_on_the_first_message() -> None:
    reply = Reply("Long", (paragraph(*(f"row {n} " + "x" * 90 for n in range(300))),))
    messages = render(reply, mention_role="987654321012345678")
    check_messages(messages)
    assert len(messages) > 2
    assert messages[0].content == "<@&987654321012345678>"
    assert messages[0].role_mention == "987654321012345678"
    assert all(m.content is None and m.role_mention is None for m in messages[1:])
    assert all("<@" not in text for m in messages for text in _all_strings(m)[1:])
    assert render(reply)[0].content is None


@pytest.mark.parametrize("role", ["", "@everyone", "12 3", "<@&1>", "1" * 21])
def test_a_role_that_is_not_a_role_id_is_refused(role: str) -> None:
    with pytest.raises(ValueError, match="role id"):
        render(Reply("x"), mention_role=role)


# -- splitting --------------------------------------------------------------------------------


def test_a_3000_row_table_splits_into_code_blocks_losing_no_row() -> None:
    rows = tuple((str(n), f"Driver {n}", str(n * 3)) for n in range(1, 3001))
    table = Table((Column("Pos", True), Column("Driver"), Column("Pts", True)), rows)
    messages = render(Reply("Entry list", (table,), choices=(Choice("More", "/more"),)))
    check_messages(messages)
    embeds = [embed for message in messages for embed in message.embeds]
    assert len(messages) >= 10
    assert all(sum(embed_chars(e) for e in m.embeds) > 5_000 for m in messages[:-1])  # packed
    assert [e.title for e in embeds] == ["Entry list"] + [None] * (len(embeds) - 1)
    body: list[str] = []
    for embed in embeds:
        assert text_of(embed).startswith("```\n") and text_of(embed).endswith("\n```")
        body += text_of(embed)[4:-4].split("\n")
    assert body == [
        " Pos  Driver        Pts",
        "----  -----------  ----",
        *(f"{n:>4}  Driver {n:<4}  {n * 3:>4}".rstrip() for n in range(1, 3001)),
    ]
    assert messages[-1].buttons == (Button("More", command="/more"),)


def test_60_fields_split_across_embeds_and_messages_in_order() -> None:
    items = [(f"Driver {n}", f"{'lap ' * 40}{n}") for n in range(60)]
    messages = render(Reply("Laps", (fields(items),)))
    check_messages(messages)
    assert len(messages) == 2
    lines = [
        text
        for message in messages
        for embed in message.embeds
        for text in (embed.description or "").split("\n")
    ]
    assert lines == [f"**Driver {n}:** {'lap ' * 40}{n}" for n in range(60)]


def test_a_huge_line_is_wrapped_at_spaces_with_styling_reopened() -> None:
    words = [f"w{n}*" for n in range(3_000)]
    reply = Reply(None, (paragraph(line("Start ", bold(" ".join(words)), " end")),))
    messages = render(reply)
    seen = check_messages(messages)
    descriptions = [text_of(e) for m in messages for e in m.embeds]
    assert len(descriptions) >= 4
    for description in descriptions[1:]:
        assert description.startswith("**w")
    assert " ".join(" ".join(seen).split()) == " ".join(["Start", *words, "end"])


def test_a_huge_word_without_spaces_is_cut() -> None:
    word = "_" * 3_000 + "é" * 5_000
    messages = render(Reply("Flag", (paragraph(line(Text(word, Style.ITALIC))),)))
    seen = check_messages(messages)
    assert "".join("".join(seen).split("\n")).replace("Flag", "", 1) == word


def test_a_full_message_has_no_more_than_ten_embeds() -> None:
    # Tiny blocks separated by fields: each paragraph after a fields block opens an embed.
    blocks = [b for n in range(30) for b in (paragraph(f"p{n}"), fields([("f", str(n))]))]
    messages = render(Reply("Many", tuple(blocks)))
    check_messages(messages)
    assert [len(m.embeds) for m in messages] == [10, 10, 10]


# -- buttons ----------------------------------------------------------------------------------


def test_choices_are_buttons_url_choices_link_out() -> None:
    reply = Reply(
        "Watch",
        choices=(
            Choice("YouTube", "https://youtube.com/24HSeries?a=1&b=2"),
            Choice("Odd", "ftp://x.example"),
            Choice(EVIL, "/driver x"),
            Choice("L" * 100, "/track hockenheim"),
        ),
    )
    (message,) = render(reply)
    assert message.buttons == (
        Button("YouTube", url="https://youtube.com/24HSeries?a=1&b=2"),
        Button("Odd", command="ftp://x.example"),
        Button(EVIL, command="/driver x"),  # labels are plain text: nothing to escape
        Button("L" * 79 + "…", command="/track hockenheim"),
    )


def test_more_than_25_choices_list_the_rest_as_lines() -> None:
    choices = [Choice(f"Driver {n}", f"/driver d-{n}") for n in range(30)]
    (message,) = render(problem(ReplyStatus.NOT_FOUND, "Which one?", choices))
    assert [b.command for b in message.buttons] == [f"/driver d-{n}" for n in range(25)]
    assert text_of(message.embeds[0]).split("\n\n") == [
        "Which one?",
        "\n".join(f"Driver {n} → `/driver d-{n}`" for n in range(25, 30)),
    ]


# -- real replies on the bundled data ---------------------------------------------------------


@pytest.fixture(scope="module")
def catalog_holder() -> CatalogHolder:
    return CatalogHolder(load_catalog(SCHEDULES))


def service(holder: CatalogHolder) -> Service:
    berlin = timezone(timedelta(hours=2))
    return Service(holder, FixedClock(datetime(2022, 5, 12, 9, tzinfo=berlin)))


async def test_standings_as_an_embed_with_the_table(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle("/standings tcr-germany-2022")
    messages = render(reply)
    check_messages(messages)
    embed = only(messages)
    assert embed.title == "ADAC TCR Germany 2022 — drivers"
    assert embed.colour == BRAND_COLOUR
    assert text_of(embed).startswith("After round 1 of 7 \\(Oschersleben\\)\n\n")
    assert (
        "```\n"
        "Pos  Driver           Nat  Pts\n"
        "---  ---------------  ---  ---\n"
        "  1  Martin Andersen  DK    65\n"
        "  2  Jonas Karklys    LT    55\n"
        "  3  Jessica Bäckman  SE    44\n"
        "```"
    ) in text_of(embed)
    hidden = only(render(reply, spoiler_safe=True))
    assert hidden.title == "ADAC TCR Germany 2022 — drivers"
    assert "||**Pos · Driver · Nat · Pts**\n1 · Martin Andersen · DK · 65\n" in text_of(hidden)
    assert "```" not in text_of(hidden)


async def test_next_shows_timestamps_and_links(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle("/next")
    messages = render(reply)
    check_messages(messages)
    embed = only(messages)
    assert embed.title == "Next up"
    lines = text_of(embed).split("\n")
    assert lines[:3] == [
        "**Free Practice** — Hankook 12h Hockenheimring, 24H Series 2022",
        "  <t:1652451600:F> · <t:1652451600:R>",
        "  [24H Series on YouTube](https://youtube.com/24HSeries) · "
        "[Live timing](https://livetiming.getraceresults.com/24hseries)",
    ]
    assert "**Race – Part 1 \\(6 h\\)** — Hankook 12h Hockenheimring, 24H Series 2022" in lines
    assert "  <t:1652529300:F> · <t:1652529300:R>" in lines
    assert datetime.fromtimestamp(1652451600, UTC) == datetime(2022, 5, 13, 14, 20, tzinfo=UTC)


async def test_ambiguous_driver_offers_two_buttons(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle("/driver backman")
    (message,) = render(reply)
    assert message.embeds[0].description == "Which driver do you mean by “backman”?"
    assert message.embeds[0].colour == PROBLEM_COLOUR
    assert message.buttons == (
        Button("Jessica Bäckman", command="/driver jessica-backman"),
        Button("Andreas Bäckman", command="/driver andreas-backman"),
    )


# -- properties -------------------------------------------------------------------------------

texts = st.text(max_size=40)
long_texts = st.one_of(texts, st.text(max_size=2_000))
urls = st.one_of(texts, texts.map(lambda t: "https://x.example/" + t))
inlines = st.one_of(
    st.builds(Text, long_texts, st.sampled_from(Style)),
    st.builds(LinkText, texts, urls),
    st.builds(
        Moment,
        st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
        st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
        st.sampled_from(MomentStyle),
    ),
)
lines = st.lists(inlines, max_size=4).map(tuple)
tables = st.lists(st.builds(Column, texts, st.booleans()), min_size=1, max_size=5).flatmap(
    lambda columns: st.builds(
        Table,
        st.just(tuple(columns)),
        st.lists(
            st.lists(texts, min_size=len(columns), max_size=len(columns)).map(tuple), max_size=40
        ).map(tuple),
    )
)
blocks = st.one_of(
    st.builds(Paragraph, st.lists(lines, max_size=12).map(tuple)),
    st.builds(Fields, st.lists(st.builds(Field, long_texts, lines), max_size=30).map(tuple)),
    tables,
)
replies = st.builds(
    Reply,
    st.one_of(st.none(), texts, st.text(max_size=400)),
    st.lists(blocks, max_size=8).map(tuple),
    st.lists(
        st.builds(Choice, texts, st.one_of(urls, texts.map(lambda t: "/" + t))), max_size=30
    ).map(tuple),
    st.sampled_from(ReplyStatus),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(replies, st.booleans(), st.one_of(st.none(), st.just("42")))
def test_any_reply_renders_within_every_limit(
    reply: Reply, spoiler_safe: bool, role: str | None
) -> None:
    messages = render(reply, spoiler_safe=spoiler_safe, mention_role=role)
    check_messages(messages)
    assert messages[0].content == (f"<@&{role}>" if role else None)
    assert all(m.content is None for m in messages[1:])


def bare(text: str) -> str:
    """Text without whitespace or control characters: what wrapping may not change."""
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) != "Cc" and c != ZW
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.builds(Text, st.text(max_size=3_000), st.just(Style.PLAIN)), max_size=4),
        max_size=8,
    ),
    st.booleans(),
)
def test_splitting_never_loses_or_repeats_text(parts: list[list[Text]], hidden: bool) -> None:
    reply = Reply(None, (paragraph(*(tuple(p) for p in parts)),), contains_results=True)
    seen = check_messages(render(reply, spoiler_safe=hidden))
    expected = bare("".join(t.text for p in parts for t in p))
    assert bare("".join(seen)) == (expected or bare("(nothing to show)"))


def test_a_times_in_zone_note_is_left_out_where_readers_see_their_own_zone() -> None:
    from bot.core.reply import ZoneNote, line, paragraph

    reply = Reply(
        title="Next up",
        blocks=(paragraph("Free Practice"), ZoneNote((line("Times in Europe/Stockholm (CEST)."),))),
    )
    text = "\n".join(check_messages(render(reply)))
    assert "Free Practice" in text and "Europe/Stockholm" not in text
