"""Render a core Reply as Discord messages: markdown embeds within Discord's limits, plus buttons.

Everything here is plain data (`DiscordMessage`, `Embed`, `Button`), not discord.py objects:
the renderer stays testable without the library, and the front-end turns it into discord.Embed
and discord.ui.View. Splitting into embeds and messages lives in `embeds.py`.

Escaping: every value from a reply goes through `escape_markdown` (or, inside code, is made
code-safe) here and nowhere else, so a driver called `**bold** @everyone` can neither format a
message nor ping anyone. Discord reads a backslash before any punctuation as "this character
literally", so escaping only adds characters that are never shown.

Times: a `Moment` becomes a Discord timestamp (`<t:UNIX:F>`, `:R` relative, `:t` time,
`:D` date) that every reader's client shows in their own time zone. A DATE moment is the
stand-in for a day whose times are not published (midnight at the track); midnight would show
as the day before to everyone west of the track, so the date is anchored at noon there.

Spoilers: in a spoiler-safe chat a reply with results has its text wrapped in ||…|| (a whole
block at a time, reopened where a block is split); the title and field names stay visible.
Discord cannot hide a ``` code block inside a spoiler, so there a table is shown as plain
lines instead (a bold header, then each row's non-empty cells joined by " · "): in a
proportional font alignment is lost anyway.

Choices: up to 25 buttons (5 rows of 5) on the last message; a choice whose command is an
http(s) URL is a URL button. Choices beyond 25 are listed as text lines "label → /command".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from functools import lru_cache

from bot.core.i18n import N_, _, use_language
from bot.core.model import zone_info
from bot.core.reply import (
    Block,
    Choice,
    Fields,
    Inline,
    LinkText,
    Moment,
    MomentStyle,
    Paragraph,
    Reply,
    Style,
    Table,
    Text,
    ZoneNote,
    plain_text,
)
from bot.core.reply import Line as ReplyLine
from bot.core.table_text import layout_table, table_cells
from bot.frontends.discord.embeds import (
    MAX_BUTTONS,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    MAX_LABEL,
    MAX_TITLE,
    SPOILER,
    ZWSP,
    Button,
    DiscordMessage,
    Embed,
    EmbedField,
    FieldsSection,
    Kind,
    Line,
    Section,
    Span,
    escape_markdown,
    join_spans,
    pack,
)
from bot.frontends.sendable import is_web_url, sendable_text

__all__ = [
    "BRAND_COLOUR",
    "PROBLEM_COLOUR",
    "Button",
    "DiscordMessage",
    "Embed",
    "EmbedField",
    "escape_markdown",
    "render",
    "render_once",
    "timestamp",
]

BRAND_COLOUR = 0xF08C00  # pit-board orange: answers (OK, EMPTY)
PROBLEM_COLOUR = 0xE03131  # red: everything else (ambiguous, not found, invalid)
NOTHING_TO_SHOW = N_("(nothing to show)")
# Wider than this and a code block wraps in an embed on a phone, which ruins the columns.
TABLE_WIDTH = 48
RULE = "-"  # ASCII: not every phone's monospace font draws "─" one cell wide
CELL_SEPARATOR = " · "
INLINE_FIELD = 24  # label and value this short: the field goes side by side with others
MAX_URL = 512  # Discord's limit for a button URL; a longer link is shown as text, not linked
ARROW = " → "
ELLIPSIS = "…"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESTAMP_STYLES = frozenset("tTdDfFR")
_MOMENT_STYLES = {
    MomentStyle.DATETIME: "F",
    MomentStyle.TIME: "t",
    MomentStyle.DATE: "D",
    MomentStyle.RELATIVE: "R",
}
_STYLE_MARKS = {Style.BOLD: "**", Style.ITALIC: "*", Style.CODE: "`"}
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
_URL_SAFE = str.maketrans({c: f"%{ord(c):02X}" for c in "()[]<>|`\\ "})


# -- text -------------------------------------------------------------------------------------


def _escaped_within(raw: str, limit: int) -> str:
    """`raw` escaped, cut with "…" to at most `limit` characters (never inside an escape)."""
    if len(escape_markdown(raw)) <= limit:
        return escape_markdown(raw)
    low, high = 0, len(raw)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape_markdown(raw[:middle])) + len(ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    return escape_markdown(raw[:low]) + ELLIPSIS


# -- times ------------------------------------------------------------------------------------


def timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: `<t:UNIX:F>` (full date and time), R (relative), t (time),
    D (date), and Discord's other styles T, d, f."""
    if style not in _TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a Discord timestamp needs an aware datetime")
    seconds = (moment - _EPOCH).days * 86400 + (moment - _EPOCH).seconds  # floor, exact
    return f"<t:{seconds}:{style}>"


def _moment(moment: Moment) -> str:
    at = moment.at
    if moment.style is MomentStyle.DATE:
        zone = zone_info(moment.zone)
        at = datetime.combine(at.astimezone(zone).date(), time(12), tzinfo=zone)
    return timestamp(at, _MOMENT_STYLES[moment.style])


# -- inline -----------------------------------------------------------------------------------


def _spans(line: ReplyLine, *, single_line: bool) -> list[Span]:
    """The parts of a line as spans; neighbours styled alike are merged, so "@every" + "one"
    is escaped as the one "@everyone" a reader would see."""
    merged: list[Span] = []
    for part in line:
        span = _inline(part, single_line)
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and span.kind is not Kind.ATOM
            and (previous.open, previous.close, previous.kind) == (span.open, span.close, span.kind)
        ):
            merged[-1] = Span(previous.text + span.text, span.open, span.close, span.kind)
        elif span.text:
            merged.append(span)
    return merged


def _inline(part: Inline, single_line: bool) -> Span:
    if isinstance(part, Text):
        value = sendable_text(part.text, single_line=single_line)
        mark = _STYLE_MARKS.get(part.style, "")
        if part.style is Style.CODE:
            if "`" in value or not value.strip():  # cannot sit between single backticks
                return Span(value)
            return Span(value, mark, mark, Kind.CODE)
        return Span(value, mark, mark)
    if isinstance(part, LinkText):
        return _link(part)
    return Span(_moment(part), kind=Kind.ATOM)


# A catalog's links (each session's broadcasts, its live timing) come back in reply after reply:
# each is turned into a span once (an immutable value; the cache is bounded).
@lru_cache(maxsize=4096)
def _link(link: LinkText) -> Span:
    url = link.url.strip()
    label = sendable_text(link.label, single_line=True).strip()
    if is_web_url(url) and len(url) <= MAX_URL:
        safe = url.translate(_URL_SAFE)
        if not label or label == url:
            return Span(f"<{safe}>", kind=Kind.ATOM)
        return Span(label, "[", f"]({safe})")
    # Not http(s): a javascript: or discord:// URL is shown, never made clickable.
    shown = sendable_text(url, single_line=True)
    return Span(f"{label} ({shown})" if label and label != url else shown or label)


def _lines(line: ReplyLine) -> list[Line]:
    """A reply line as description lines: a line break inside a text starts a new one."""
    lines: list[list[Span]] = [[]]
    for span in _spans(line, single_line=False):
        for number, part in enumerate(span.text.split("\n")):
            if number:
                lines.append([])
            if part:
                lines[-1].append(Span(part, span.open, span.close, span.kind))
    return [tuple(spans) for spans in lines]


# -- blocks -----------------------------------------------------------------------------------


def _block(block: Block, hide: bool) -> Section | FieldsSection:
    if isinstance(block, Paragraph):
        return Section(tuple(one for line in block.lines for one in _lines(line)), hidden=hide)
    if isinstance(block, Table):
        return _table_lines(block) if hide else _table_code(block)
    return _fields(block, hide)


def _single_line(value: str) -> str:
    return sendable_text(value, single_line=True)


def _table_code(table: Table) -> Section:
    """Aligned monospace columns in a code block, numbers right-aligned, narrowed to fit a
    phone; a column with no value in any row is left out (core.table_text)."""
    laid = layout_table(
        table, width=TABLE_WIDTH, clean=_single_line, rule=RULE, drop_empty_columns=True
    )
    if laid.empty:
        return Section(())  # nothing but padding and rules
    return Section(tuple((Span(text, kind=Kind.CODE),) for text in laid.lines), code=True)


def _table_lines(table: Table) -> Section:
    """A table inside a spoiler, where a code block cannot be: see the module docstring."""
    headers, rows = table_cells(table, _single_line)
    lines: list[Line] = [(Span(CELL_SEPARATOR.join(h for h in headers if h.strip()), "**", "**"),)]
    lines.extend((Span(CELL_SEPARATOR.join(c for c in row if c.strip())),) for row in rows)
    return Section(tuple(lines), hidden=True)


def _fields(block: Fields, hide: bool) -> Section | FieldsSection:
    """Embed fields; as description lines ("**Label:** value") when there are more than 25 or
    one would not fit a field's limits, so that nothing is ever cut off."""
    rendered: list[EmbedField] = []
    for field in block.items:
        label = sendable_text(field.label, single_line=True).strip()
        value = join_spans(_spans(field.value, single_line=True))
        if hide and value.strip():
            value = f"{SPOILER}{value}{ZWSP if value.endswith('|') else ''}{SPOILER}"
        name = escape_markdown(label)
        too_long = len(name) > MAX_FIELD_NAME or len(value) > MAX_FIELD_VALUE
        if len(block.items) > MAX_FIELDS or too_long:
            return _field_lines(block, hide)
        short = len(label) <= INLINE_FIELD and len(plain_text(field.value)) <= INLINE_FIELD
        rendered.append(EmbedField(name or ZWSP, value if value.strip() else ZWSP, short))
    return FieldsSection(tuple(rendered))


def _field_lines(block: Fields, hide: bool) -> Section:
    lines = tuple(
        (
            Span(sendable_text(field.label, single_line=True) + ":", "**", "**"),
            Span(" "),
            *_spans(field.value, single_line=True),
        )
        for field in block.items
    )
    return Section(lines, hidden=hide)


# -- choices ----------------------------------------------------------------------------------


def _choices(choices: tuple[Choice, ...]) -> tuple[tuple[Button, ...], Section | None]:
    """Buttons for the first 25 choices that can be buttons; text lines for the rest."""
    buttons: list[Button] = []
    overflow: list[Line] = []
    for choice in choices:
        command = choice.command.strip()
        label = sendable_text(choice.label, single_line=True).strip()
        label = label or sendable_text(command, single_line=True).strip() or "?"
        if is_web_url(command):
            if len(command) <= MAX_URL and len(buttons) < MAX_BUTTONS:
                buttons.append(Button(_button_label(label), url=command))
            else:
                overflow.append((_link(LinkText(label, command)),))
        elif len(buttons) < MAX_BUTTONS:
            buttons.append(Button(_button_label(label), command=command))
        else:
            shown = sendable_text(command, single_line=True)
            overflow.append((Span(label), Span(ARROW), _inline(Text(shown, Style.CODE), True)))
    return tuple(buttons), Section(tuple(overflow)) if overflow else None


def _button_label(label: str) -> str:
    """Button labels are plain text (no markdown) of at most 80 characters."""
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - len(ELLIPSIS)] + ELLIPSIS


# -- the reply --------------------------------------------------------------------------------


def render(
    reply: Reply, *, spoiler_safe: bool = False, mention_role: str | None = None
) -> list[DiscordMessage]:
    """`_render` in the language the reply was written in (the renderer's own words)."""
    with use_language(reply.locale.language, reply.locale.clock_24h):
        return _render(reply, spoiler_safe=spoiler_safe, mention_role=mention_role)


def _render(reply: Reply, *, spoiler_safe: bool, mention_role: str | None) -> list[DiscordMessage]:
    """The reply as one or more messages. Only the first carries the role mention (in its
    content, the only content there is) and only the last carries the buttons."""
    if mention_role is not None and not _SNOWFLAKE.fullmatch(mention_role):
        raise ValueError(f"not a Discord role id: {mention_role!r}")
    hide = spoiler_safe and reply.contains_results
    # Discord timestamps show each reader their own time: a "times in <zone>" note would lie.
    shown = [block for block in reply.blocks if not isinstance(block, ZoneNote)]
    sections: list[Section | FieldsSection] = [_block(block, hide) for block in shown]
    buttons, overflow = _choices(reply.choices)
    if overflow is not None:
        sections.append(overflow)
    colour = BRAND_COLOUR if reply.ok else PROBLEM_COLOUR
    title = sendable_text(reply.title or "", single_line=True).strip()
    messages = pack(_escaped_within(title, MAX_TITLE) or None, sections, colour)
    if not messages:
        messages = [[Embed(None, escape_markdown(_(NOTHING_TO_SHOW)), colour=colour)]]
    last = len(messages) - 1
    return [
        DiscordMessage(
            content=f"<@&{mention_role}>" if number == 0 and mention_role else None,
            embeds=tuple(embeds),
            buttons=buttons if number == last else (),
            role_mention=mention_role if number == 0 else None,
        )
        for number, embeds in enumerate(messages)
    ]


# Rendered replies kept: replies are immutable values, and fans asking the same question get
# equal ones (a channel's /standings, a broadcast to every channel): each is rendered once.
RENDERED_REPLIES_KEPT = 256


@lru_cache(maxsize=RENDERED_REPLIES_KEPT)
def _rendered(
    reply: Reply, spoiler_safe: bool, mention_role: str | None
) -> tuple[DiscordMessage, ...]:
    return tuple(render(reply, spoiler_safe=spoiler_safe, mention_role=mention_role))


def render_once(
    reply: Reply, *, spoiler_safe: bool = False, mention_role: str | None = None
) -> list[DiscordMessage]:
    """`render`, remembered for equal replies (its messages are immutable, so they can be
    shared)."""
    try:
        return list(_rendered(reply, spoiler_safe, mention_role))
    except TypeError:  # a reply holding something unhashable: render it every time
        return render(reply, spoiler_safe=spoiler_safe, mention_role=mention_role)
