"""What a Telegram user sees: escaped HTML, tables, spoilers, split messages and buttons."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.commands import COMMANDS, find_command
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
from bot.core.service import ChatContext, Service
from bot.frontends.telegram.render import (
    Button,
    TelegramMessage,
    command_callback,
    escape,
    hashed_callbacks,
    render,
    resolve_callback,
)

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
TEAM = "R&D <Motorsport>"
TEAM_HTML = "R&amp;D &lt;Motorsport&gt;"

# -- a checker for Telegram's HTML rules ------------------------------------------------------

STYLE_TAGS = {"b", "i", "u", "s", "tg-spoiler", "blockquote"}
ALLOWED_TAGS = {*STYLE_TAGS, "code", "pre", "a"}
KNOWN_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|tg-spoiler|blockquote)>|<a href=\"[^\"<>]*\">|</a>")
ENTITY = re.compile(r"&(?:amp|lt|gt|quot);")


class TelegramHTML(HTMLParser):
    """Fails on anything Telegram's HTML parse mode would reject; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        assert attrs == ([("href", attrs[0][1])] if tag == "a" else []), attrs
        # Telegram: pre and code contain nothing and sit inside nothing (not even a spoiler);
        # a link does not contain a link.
        assert not any(open_ in ("pre", "code") for open_ in self.stack), (tag, self.stack)
        if tag in ("pre", "code"):
            assert not self.stack, (tag, self.stack)
        if tag == "a":
            assert "a" not in self.stack
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong tag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_html(html: str) -> str:
    """Assert `html` is valid, balanced Telegram HTML on its own; return its visible text."""
    bare = KNOWN_TAG.sub("", html)
    assert "<" not in bare and ">" not in bare, bare
    assert "&" not in ENTITY.sub("", bare), bare
    parser = TelegramHTML()
    parser.feed(html)
    parser.close()
    assert not parser.stack, f"unclosed {parser.stack}"
    return "".join(parser.visible)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_messages(messages: list[TelegramMessage], max_length: int = 4096) -> list[str]:
    """Every message valid and short enough, the keyboard on the last one only."""
    assert messages
    visible = []
    for message in messages:
        assert utf16(message.text) <= max_length
        text = check_html(message.text)
        assert text.strip(), "Telegram refuses an empty message"
        visible.append(text)
    assert all(not message.keyboard for message in messages[:-1])
    return visible


def only(messages: list[TelegramMessage]) -> TelegramMessage:
    assert len(messages) == 1
    return messages[0]


# -- escaping ---------------------------------------------------------------------------------


def test_escape() -> None:
    assert escape(TEAM) == TEAM_HTML
    assert escape('say "hi" & <go>', quote=True) == "say &quot;hi&quot; &amp; &lt;go&gt;"
    assert escape('"') == '"'


def test_every_text_value_is_escaped() -> None:
    reply = Reply(
        title=TEAM,
        blocks=(
            paragraph(line("Team: ", bold(TEAM), " ", italic("<i>"), " ", Text("a<b", Style.CODE))),
            Fields((Field(f"{TEAM} label", line(TEAM)),)),
            paragraph(line(LinkText(TEAM, "https://example.com/rd"))),
        ),
    )
    text = only(render(reply)).text
    assert text.startswith(f"<b>{TEAM_HTML}</b>\n\n")
    assert f"Team: <b>{TEAM_HTML}</b> <i>&lt;i&gt;</i> <code>a&lt;b</code>" in text
    assert f"<b>{TEAM_HTML} label:</b> {TEAM_HTML}" in text
    assert f'<a href="https://example.com/rd">{TEAM_HTML}</a>' in text
    check_html(text)


def test_team_with_html_characters_in_a_table() -> None:
    table = Table(
        (Column("Pos", numeric=True), Column("Team"), Column("Pts", numeric=True)),
        (("1", TEAM, "120"), ("10", "ROJA", "7.5")),
    )
    text = only(render(Reply("Teams", (table,)))).text
    assert "<pre>Pos  Team              Pts\n" in text
    assert f"  1  {TEAM_HTML}  120\n" in text
    assert " 10  ROJA              7.5</pre>" in text
    assert check_html(text).splitlines()[4] == f"  1  {TEAM}  120"


def test_link_with_ampersand_and_quote_in_url() -> None:
    url = 'https://live.example/timing?series=tcr&event="osch"'
    text = only(render(Reply(None, (paragraph(line("Live: ", LinkText("timing", url))),)))).text
    assert text == (
        'Live: <a href="https://live.example/timing?series=tcr&amp;event=&quot;osch&quot;">'
        "timing</a>"
    )
    check_html(text)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example/x", "tg://resolve?domain=x", "www.example.com"],
)
def test_non_web_urls_are_shown_but_not_linked(url: str) -> None:
    text = only(render(Reply(None, (paragraph(line(LinkText("Stream <HD>", url))),)))).text
    assert "<a" not in text
    assert check_html(text) == f"Stream <HD> ({url})"


def test_choices_are_buttons_with_plain_labels_not_text() -> None:
    reply = problem(ReplyStatus.AMBIGUOUS, "Which team?", [Choice(TEAM, "/team rd")])
    message = only(render(reply))
    assert message.text == "Which team?"
    assert message.keyboard == ((Button(TEAM, callback_data="/team rd", command="/team rd"),),)


def test_control_characters_never_reach_telegram() -> None:
    reply = Reply("Bad\x00title\nhere", (paragraph("a\x1bb\rc\ud800"),))
    text = only(render(reply)).text
    assert text == "<b>Bad title here</b>\n\na b c\ufffd"


def test_moment_shown_in_the_chats_zone() -> None:
    start = datetime(2022, 5, 14, 11, 55, tzinfo=UTC)
    reply = Reply(
        None,
        (
            paragraph(
                line("Race 1: ", Moment(start, "America/New_York")),
                line("Starts ", Moment(start, "Europe/Berlin", MomentStyle.TIME)),
            ),
        ),
    )
    assert only(render(reply)).text == "Race 1: Sat 14 May 07:55 EDT\nStarts 13:55 CEST"


# -- tables -----------------------------------------------------------------------------------


def test_wide_table_shortens_the_widest_text_column_but_never_numbers() -> None:
    table = Table(
        (
            Column("Pos", numeric=True),
            Column("Driver"),
            Column("Team"),
            Column("Pts", numeric=True),
        ),
        (
            ("1", "Jessica Bäckman", "Brutal Fish Racing Team Ltd", "1234567"),
            ("2", "Max Hesse", "ROJA", "7"),
        ),
    )
    text = only(render(Reply(None, (table,)))).text
    rows = check_html(text).splitlines()
    assert max(len(row) for row in rows) <= 40
    # Team (27) is narrowed to Driver's width first, then the two take turns; text wraps.
    assert rows == [
        "Pos  Driver        Team              Pts",
        "---  ------------  ------------  -------",
        "  1  Jessica       Brutal Fish   1234567",
        "     Bäckman       Racing Team",
        "                   Ltd",
        "  2  Max Hesse     ROJA                7",
    ]


def test_a_column_empty_in_every_row_is_left_out() -> None:
    table = Table(
        (Column("Pos", numeric=True), Column("Driver"), Column("Note")),
        (("1", "Jessica Bäckman", ""),),
    )
    text = only(render(Reply(None, (table,)))).text
    assert text == "<pre>Pos  Driver\n---  ---------------\n  1  Jessica Bäckman</pre>"


# -- spoilers ---------------------------------------------------------------------------------


def results_reply() -> Reply:
    return Reply(
        title="Race 1 — Oschersleben",
        blocks=(
            paragraph(line("Winner: ", bold("Jessica Bäckman"), " ", Text("#7", Style.CODE))),
            Table(
                (Column("Pos", numeric=True), Column("Team"), Column("Note")),
                (("1", TEAM, ""), ("2", "ROJA", "fuel pump")),
            ),
        ),
        contains_results=True,
    )


def test_spoiler_safe_chat_gets_results_hidden_and_the_title_visible() -> None:
    text = only(render(results_reply(), spoiler_safe=True)).text
    assert text == (
        "<b>Race 1 — Oschersleben</b>\n\n"
        "<tg-spoiler>Winner: <b>Jessica Bäckman</b> #7\n\n"
        "<b>Pos · Team · Note</b>\n"
        f"1 · {TEAM_HTML}\n"
        "2 · ROJA · fuel pump</tg-spoiler>"
    )
    check_html(text)  # no <pre> or <code> inside the spoiler


def test_without_spoiler_safe_results_show_as_a_table() -> None:
    text = only(render(results_reply())).text
    assert "tg-spoiler" not in text
    assert "<code>#7</code>" in text
    assert "<pre>Pos  Team              Note\n" in text


def test_spoiler_safe_chat_sees_replies_without_results_plainly() -> None:
    reply = Reply("Schedule", (paragraph("Race 1 at 13:55"),), contains_results=False)
    assert only(render(reply, spoiler_safe=True)).text == "<b>Schedule</b>\n\nRace 1 at 13:55"


def test_spoiler_is_closed_and_reopened_in_every_split_message() -> None:
    rows = tuple((str(n), f"Driver number {n}", str(1000 - n)) for n in range(1, 301))
    reply = Reply(
        "Standings",
        (Table((Column("Pos", numeric=True), Column("Driver"), Column("Pts", True)), rows),),
        contains_results=True,
    )
    messages = render(reply, spoiler_safe=True, max_length=1000)
    visible = check_messages(messages, 1000)
    assert len(messages) > 3
    assert messages[0].text.startswith("<b>Standings</b>\n\n<tg-spoiler><b>Pos · Driver · Pts")
    for message in messages[1:]:
        assert message.text.startswith("<tg-spoiler>")
        assert message.text.endswith("</tg-spoiler>")
    lines = "\n".join(visible).splitlines()
    assert [row for row in lines if " · Driver number " in row] == [
        f"{n} · Driver number {n} · {1000 - n}" for n in range(1, 301)
    ]


# -- splitting --------------------------------------------------------------------------------


def test_ten_thousand_lines_split_without_losing_or_repeating_one() -> None:
    expected = [f"Line {n:05d}: {TEAM} & friends" for n in range(10_000)]
    reply = Reply(
        "Long",
        (
            paragraph(*(line(bold(f"{n:05d}"), f": {TEAM} & friends") for n in range(5_000))),
            paragraph(
                *(
                    line(f"Line {n:05d}", italic(f": {TEAM}"), " & friends")
                    for n in range(5_000, 10_000)
                )
            ),
        ),
        choices=(Choice("More", "/more"),),
    )
    expected = [f"{n:05d}: {TEAM} & friends" for n in range(5_000)] + expected[5_000:]
    messages = render(reply)
    visible = check_messages(messages)
    assert len(messages) > 10
    assert all(len(message.text) > 3_500 for message in messages[:-1])  # well packed
    seen = [row for text in visible for row in text.splitlines() if row]
    assert seen == ["Long", *expected]
    assert messages[-1].keyboard == ((Button("More", "/more", command="/more"),),)


def test_long_table_continues_in_a_new_pre_block() -> None:
    rows = tuple((str(n), f"Driver {n}", str(n * 3)) for n in range(1, 1001))
    table = Table((Column("Pos", True), Column("Driver"), Column("Pts", True)), rows)
    messages = render(Reply("Entry list", (paragraph("All of them:"), table)))
    visible = check_messages(messages)
    assert len(messages) >= 5
    for message in messages[1:]:
        assert message.text.startswith("<pre>") and message.text.endswith("</pre>")
    lines = [row for text in visible for row in text.splitlines()]
    assert [row for row in lines if re.match(r" *[0-9]", row)] == [
        f"{n:>4}  Driver {n:<4}  {n * 3:>4}".rstrip() for n in range(1, 1001)
    ]


def test_a_huge_single_line_is_wrapped_at_spaces_with_tags_reopened() -> None:
    words = [f"w{n}&<x>" for n in range(4_000)]
    reply = Reply(None, (paragraph(line("Start ", bold(" ".join(words)), " end")),))
    messages = render(reply)
    visible = check_messages(messages)
    assert len(messages) >= 8
    for message in messages[1:]:
        assert message.text.startswith("<b>w")  # bold reopened where the line continues
    assert " ".join(" ".join(visible).split()) == " ".join(["Start", *words, "end"])


def test_a_huge_word_without_spaces_is_cut() -> None:
    word = "&" * 3_000 + "é" * 5_000 + "🏁" * 2_000
    messages = render(Reply("Flag", (paragraph(line(Text(word, Style.ITALIC))),)))
    visible = check_messages(messages)
    # 15,000 units of "&amp;", 5,000 of "é", 4,000 of flags (two UTF-16 units each).
    assert len(messages) == 7
    assert all(utf16(m.text) > 4_000 for m in messages[1:-1])
    assert "".join("".join(visible).split("\n")).replace("Flag", "", 1) == word


def test_keyboard_only_on_the_last_message() -> None:
    reply = Reply(
        None, (paragraph(*(f"row {n}" for n in range(2_000))),), (Choice("Next", "/next"),)
    )
    messages = render(reply, max_length=500)
    check_messages(messages, 500)
    assert len(messages) > 20
    assert [bool(m.keyboard) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_empty_replies_still_say_something() -> None:
    assert render(Reply(None)) == [TelegramMessage("(nothing to show)")]
    assert render(Reply("  \n ", (paragraph(""),))) == [TelegramMessage("(nothing to show)")]
    assert render(Reply("Nothing ahead")) == [TelegramMessage("<b>Nothing ahead</b>")]


def test_a_limit_too_small_to_hold_anything_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        render(Reply("x"), max_length=20)


# -- buttons and callback data ----------------------------------------------------------------


def test_short_labels_go_two_to_a_row_long_ones_one() -> None:
    short = [Choice(f"/{c}", f"/{c}") for c in ("next", "schedule", "watch")]
    assert [
        len(row) for row in only(render(problem(ReplyStatus.INVALID, "?", short))).keyboard
    ] == [
        2,
        1,
    ]
    long = [*short, Choice("Hankook 12h Hockenheimring", "/watch 24h-series-2022/hockenheim")]
    assert [len(row) for row in only(render(problem(ReplyStatus.INVALID, "?", long))).keyboard] == [
        1,
        1,
        1,
        1,
    ]


def test_a_url_choice_becomes_a_url_button() -> None:
    reply = Reply(
        "Watch",
        choices=(
            Choice("YouTube", "https://youtube.com/24HSeries?a=1&b=2"),
            Choice("Odd", "ftp://x.example"),
        ),
    )
    ((first, second),) = only(render(reply)).keyboard
    assert first == Button("YouTube", url="https://youtube.com/24HSeries?a=1&b=2")
    assert second.url is None and second.callback_data is not None


def test_a_chat_command_that_fits_is_its_own_callback_data() -> None:
    command = "/results tcr-germany-2022/oschersleben/qualifying-2"
    assert len(command.encode()) == 51
    assert command_callback(command) == command
    assert resolve_callback(command, {}) == command
    exactly_64 = "/driver " + "x" * 56
    assert command_callback(exactly_64) == exactly_64


def test_a_long_command_gets_a_short_stable_hash_the_front_end_resolves() -> None:
    command = "/results " + "very-long-series-name-2022/" * 3 + "qualifying-2"
    assert len(command) == 102
    data = command_callback(command)
    assert re.fullmatch(r"#[A-Za-z0-9_-]{22}", data)
    assert command_callback(command) == data  # same after a restart: no process state
    assert command_callback(command + "x") != data
    message = only(render(problem(ReplyStatus.AMBIGUOUS, "Which?", [Choice("Q2", command)])))
    assert message.keyboard[0][0] == Button("Q2", data, command=command)
    registry = hashed_callbacks([message])
    assert registry == {data: command}
    assert resolve_callback(data, registry) == command
    assert resolve_callback(data, {}) is None


def test_callback_data_counts_utf8_bytes_not_characters() -> None:
    command = "/driver " + "ä" * 30  # 38 characters, 68 bytes
    assert command_callback(command).startswith("#")
    assert command_callback("help").startswith("#")  # not a chat command: never sent verbatim


def test_every_documented_command_example_fits_as_callback_data() -> None:
    for command in COMMANDS:
        assert command.example, command.name
        assert command_callback(command.example) == command.example
        assert len(command.example.encode()) <= 64


# -- real replies on the bundled data ---------------------------------------------------------


@pytest.fixture(scope="module")
def catalog_holder() -> CatalogHolder:
    return CatalogHolder(load_catalog(SCHEDULES))


def service(holder: CatalogHolder) -> Service:
    return Service(holder, FixedClock(datetime(2022, 5, 12, 9, tzinfo=UTC)))


async def test_standings_as_a_fan_sees_them(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle("/standings tcr-germany-2022")
    text = only(render(reply)).text
    assert text.startswith("<b>ADAC TCR Germany 2022 — drivers</b>\n\n")
    assert (
        "<pre>Pos  Driver           Nat  Pts\n"
        "---  ---------------  ---  ---\n"
        "  1  Martin Andersen  DK    65\n"
        "  2  Jonas Karklys    LT    55\n"
        "  3  Jessica Bäckman  SE    44</pre>"
    ) in text
    hidden = only(render(reply, spoiler_safe=True)).text
    assert hidden.startswith("<b>ADAC TCR Germany 2022 — drivers</b>\n\n<tg-spoiler>")
    assert "1 · Martin Andersen · DK · 65\n" in hidden
    check_html(hidden)


async def test_ambiguous_driver_offers_two_buttons(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle("/driver backman")
    message = only(render(reply))
    assert message.text == "Which driver do you mean by “backman”?"
    assert message.keyboard == (
        (
            Button("Jessica Bäckman", "/driver jessica-backman", command="/driver jessica-backman"),
            Button("Andreas Bäckman", "/driver andreas-backman", command="/driver andreas-backman"),
        ),
    )


async def test_schedule_in_new_york_time(catalog_holder: CatalogHolder) -> None:
    reply = await service(catalog_holder).handle(
        "/schedule 24h-series-2022/hockenheim", ChatContext(zone="America/New_York")
    )
    text = only(render(reply)).text
    check_html(text)
    assert text.startswith("<b>Hankook 12h Hockenheimring</b>\n\n")
    assert (
        "<pre>Day         Time   Session        Length\n"
        "----------  -----  -------------  ------\n"
        "Fri 13 May  10:20  Free Practice\n"
        "Fri 13 May  13:05  Qualifying\n"
        "Sat 14 May  07:55  Race – Part 1  6 h\n"
        "Sun 15 May  08:05  Race – Part 2  6 h</pre>"
    ) in text
    assert "<i>Times in America/New_York (EDT)." in text
    assert '<a href="https://youtube.com/24HSeries">24H Series on YouTube</a>' in text


async def test_every_question_button_from_the_real_data_fits(
    catalog_holder: CatalogHolder,
) -> None:
    svc = service(catalog_holder)
    buttons = []
    for name in ("schedule", "watch", "standings", "results", "driver", "track"):
        command = find_command(name)
        assert command is not None
        reply = svc.ask_for(command, command.arguments[0].name)
        buttons += [button for row in only(render(reply)).keyboard for button in row]
    assert len(buttons) > 30
    for button in buttons:
        assert button.callback_data is not None and button.command is not None
        assert len(button.callback_data.encode()) <= 64
        assert button.callback_data == button.command  # real ids are short enough to send as is


# -- properties -------------------------------------------------------------------------------

texts = st.text(max_size=40)
urls = st.one_of(texts, texts.map(lambda t: "https://x.example/" + t))
inlines = st.one_of(
    st.builds(Text, st.one_of(texts, st.text(max_size=400)), st.sampled_from(Style)),
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
            st.lists(texts, min_size=len(columns), max_size=len(columns)).map(tuple), max_size=8
        ).map(tuple),
    )
)
blocks = st.one_of(
    st.builds(Paragraph, st.lists(lines, max_size=6).map(tuple)),
    st.builds(Fields, st.lists(st.builds(Field, texts, lines), max_size=4).map(tuple)),
    tables,
)
replies = st.builds(
    Reply,
    st.one_of(st.none(), texts, st.text(max_size=300)),
    st.lists(blocks, max_size=5).map(tuple),
    st.lists(
        st.builds(Choice, texts, st.one_of(urls, texts.map(lambda t: "/" + t))), max_size=5
    ).map(tuple),
    st.sampled_from(ReplyStatus),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(replies, st.booleans(), st.one_of(st.integers(100, 700), st.just(4096)))
def test_any_reply_renders_as_valid_messages_that_fit(
    reply: Reply, spoiler_safe: bool, max_length: int
) -> None:
    messages = render(reply, spoiler_safe=spoiler_safe, max_length=max_length)
    check_messages(messages, max_length)
    for row in messages[-1].keyboard:
        assert 1 <= len(row) <= 2
        for button in row:
            assert button.label.strip()
            assert (button.url is None) != (button.callback_data is None)
            if button.callback_data is not None:
                assert 1 <= len(button.callback_data.encode()) <= 64
            else:
                assert button.url is not None and button.url.startswith("https://")


def bare(text: str) -> str:
    """Text without whitespace or control characters: what wrapping may not change."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cc")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.builds(Text, st.text(max_size=500), st.sampled_from(Style)), max_size=4),
        max_size=8,
    ),
    st.integers(100, 400),
)
def test_splitting_never_loses_or_repeats_text(parts: list[list[Text]], max_length: int) -> None:
    reply = Reply(None, (paragraph(*(tuple(p) for p in parts)),))
    messages = render(reply, max_length=max_length)
    visible = check_messages(messages, max_length)
    expected = bare("".join(t.text for p in parts for t in p))
    assert bare("".join(visible)) == (expected or bare("(nothing to show)"))


def test_fields_helper_values_are_single_lines() -> None:
    text = only(render(Reply(None, (fields([("Team", f"{TEAM}\nline two")]),)))).text
    assert text == f"<b>Team:</b> {TEAM_HTML} line two"


def test_a_table_with_nothing_in_it_is_left_out() -> None:
    table = Table((Column(" "), Column("", numeric=True)), (("", " "),))
    reply = Reply("Results", (table, paragraph("No results yet.")))
    assert only(render(reply)).text == "<b>Results</b>\n\nNo results yet."
