"""Render a core Reply as Telegram messages: HTML text (parse_mode="HTML") plus an inline keyboard.

Every value from a reply is escaped here and nowhere else, so a team called "R&D <Motorsport>"
can never break a message. Only tags Telegram accepts are produced: <b>, <i>, <code>, <pre>,
<a href>, <tg-spoiler>.

The keyboard is plain data (rows of `Button`), not python-telegram-bot objects: the renderer
stays testable without the library, and the front-end turns it into InlineKeyboardMarkup.

Spoilers: Telegram lets a spoiler contain bold, italic, underline, strikethrough and links but
not `pre` or `code` ("…can contain and can be part of any other entities, except pre and
code"). So in a spoiler-safe chat a reply with results shows its tables as plain lines (cells
joined by " · ") and CODE text without <code>, all inside <tg-spoiler>; the title stays visible.

Callback data (at most 64 bytes, Telegram's limit): a chat command that fits is sent as itself,
so pressing the button is the same as typing it. Anything longer, or not a chat command, becomes
"#" + a hash of it (23 bytes); the button also carries the full command in `Button.command`, and
the front-end keeps the hash → command pairs (`hashed_callbacks`) to resolve a press with
`resolve_callback`. Nothing in the hash depends on process state, so it is the same after a
restart; only the registry of pairs has to be kept.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.core.formatting import format_moment
from bot.core.i18n import N_, _, use_language
from bot.core.reply import (
    Attachment,
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
)
from bot.core.reply import Line as ReplyLine
from bot.core.table_text import layout_table, table_cells
from bot.frontends.sendable import is_web_url, sendable_text
from bot.frontends.telegram.split import Line, Section, Span, escape, split_html

__all__ = [
    "MAX_CALLBACK_BYTES",
    "MAX_MESSAGE_LENGTH",
    "Button",
    "TelegramMessage",
    "command_callback",
    "escape",
    "hashed_callbacks",
    "render",
    "resolve_callback",
]

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_BYTES = 64
HASH_PREFIX = "#"  # never the start of a chat command, so the two forms cannot be confused
NOTHING_TO_SHOW = N_("(nothing to show)")
# A <pre> wider than this wraps on a phone held upright, which ruins the columns.
TABLE_WIDTH = 40
# ASCII, not "─": not every phone's monospace font draws box characters one cell wide.
RULE = "-"
SHORT_LABEL = 16  # buttons whose labels are all this short go two to a row
CELL_SEPARATOR = " · "

_STYLE_TAGS: dict[Style, tuple[str, str]] = {
    Style.BOLD: ("<b>", "</b>"),
    Style.ITALIC: ("<i>", "</i>"),
    Style.CODE: ("<code>", "</code>"),
}


@dataclass(frozen=True)
class Button:
    label: str  # plain text: Telegram does not parse HTML in button labels
    callback_data: str | None = None
    url: str | None = None
    command: str | None = None  # the full chat command a callback button stands for


@dataclass(frozen=True)
class TelegramMessage:
    text: str  # HTML, to be sent with parse_mode="HTML"; with a photo, its caption
    keyboard: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    photo: Attachment | None = None  # sent with sendPhoto (see bot.frontends.telegram.photos)


def render(
    reply: Reply, *, spoiler_safe: bool = False, max_length: int = MAX_MESSAGE_LENGTH
) -> list[TelegramMessage]:
    """The reply as one or more messages; only the last one carries the keyboard. Times and
    the renderer's own words are in the language the reply was written in."""
    with use_language(reply.locale.language, reply.locale.clock_24h):
        return _render(reply, spoiler_safe=spoiler_safe, max_length=max_length)


def _render(reply: Reply, *, spoiler_safe: bool, max_length: int) -> list[TelegramMessage]:
    hide = spoiler_safe and reply.contains_results
    sections: list[Section] = []
    title = sendable_text(reply.title or "", single_line=True).strip()
    if title:
        sections.append(Section(((Span(title, "<b>", "</b>"),),)))
    sections.extend(_block(block, hide) for block in reply.blocks)
    texts = split_html(sections, max_length) or [escape(_(NOTHING_TO_SHOW))]
    keyboard = _keyboard(reply.choices)
    *first, last = texts
    return [*(TelegramMessage(text) for text in first), TelegramMessage(last, keyboard)]


# -- blocks -----------------------------------------------------------------------------------


def _block(block: Block, hide: bool) -> Section:
    if isinstance(block, Paragraph):
        return Section(tuple(_line(line, hide) for line in block.lines), hidden=hide)
    if isinstance(block, Table):
        return _table_lines(block) if hide else _table_pre(block)
    return _fields(block, hide)


def _line(line: ReplyLine, hide: bool, *, single_line: bool = False) -> Line:
    return tuple(_inline(part, hide, single_line) for part in line)


def _inline(part: Inline, hide: bool, single_line: bool) -> Span:
    if isinstance(part, Text):
        value = sendable_text(part.text, single_line=single_line)
        if part.style is Style.CODE and hide:  # a spoiler cannot contain <code>
            return Span(value)
        return Span(value, *_STYLE_TAGS.get(part.style, ("", "")))
    if isinstance(part, LinkText):
        return _link(part)
    if part.style is MomentStyle.RELATIVE and part.reference is not None:
        return Span(format_moment(part))  # a countdown: it changes with the clock
    return _fixed_moment(part)


# A catalog's moments and links come back in reply after reply (each session's start, its
# broadcast links): each is turned into text once (bench/telegram: /next is a new reply every
# time, its countdowns change, and rendering it was the largest part of a command's own work).
# Both are immutable values; the caches are bounded.
RENDERED_PARTS_KEPT = 4096


@lru_cache(maxsize=RENDERED_PARTS_KEPT)
def _fixed_moment(moment: Moment) -> Span:
    return Span(format_moment(moment))


@lru_cache(maxsize=RENDERED_PARTS_KEPT)
def _link(link: LinkText) -> Span:
    url = link.url.strip()
    label = sendable_text(link.label, single_line=True)
    if is_web_url(url):
        # i18n: not user text (HTML markup)
        return Span(label or url, f'<a href="{escape(url, quote=True)}">', "</a>")
    # Not http(s): a javascript: or tg:// URL is shown, never made clickable.
    shown = sendable_text(url, single_line=True)
    return Span(f"{label} ({shown})" if label and label != url else shown or label)


def _fields(block: Fields, hide: bool) -> Section:
    lines = tuple(
        (
            Span(sendable_text(field.label, single_line=True) + ":", "<b>", "</b>"),
            Span(" "),
            *_line(field.value, hide, single_line=True),
        )
        for field in block.items
    )
    return Section(lines, hidden=hide)


def _single_line(value: str) -> str:
    return sendable_text(value, single_line=True)


def _table_pre(table: Table) -> Section:
    """Aligned monospace columns, numbers right-aligned, narrowed to fit a phone; a column
    with no value in any row is left out (core.table_text)."""
    laid = layout_table(
        table, width=TABLE_WIDTH, clean=_single_line, rule=RULE, drop_empty_columns=True
    )
    if laid.empty:
        return Section(())  # nothing but padding and rules: no use for an empty <pre>
    return Section(tuple((Span(text),) for text in laid.lines), pre=True)


def _table_lines(table: Table) -> Section:
    """A table for a spoiler, where <pre> is not allowed: a bold header, then one line per row
    with its non-empty cells joined (alignment is meaningless in a proportional font)."""
    headers, rows = table_cells(table, _single_line)
    lines: list[Line] = [(Span(CELL_SEPARATOR.join(h for h in headers if h), "<b>", "</b>"),)]
    lines.extend((Span(CELL_SEPARATOR.join(cell for cell in row if cell)),) for row in rows)
    return Section(tuple(lines), hidden=True)


# -- keyboard ---------------------------------------------------------------------------------


def _keyboard(choices: tuple[Choice, ...]) -> tuple[tuple[Button, ...], ...]:
    buttons = [_button(choice) for choice in choices]
    if all(len(button.label) <= SHORT_LABEL for button in buttons):
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return tuple((button,) for button in buttons)


def _button(choice: Choice) -> Button:
    command = choice.command.strip()
    label = sendable_text(choice.label, single_line=True).strip() or command or "?"
    if not command.startswith("/") and is_web_url(command):
        return Button(label, url=command)
    return Button(label, callback_data=command_callback(command), command=command)


def command_callback(command: str) -> str:
    """Callback data for a command: the command itself when it is a chat command ("/…") of at
    most 64 UTF-8 bytes, otherwise "#" + 22 characters of a SHA-256 of it (see the module
    docstring for how the front-end resolves those)."""
    encoded = command.encode("utf-8", "surrogatepass")
    if command.startswith("/") and len(encoded) <= MAX_CALLBACK_BYTES:
        return command
    digest = hashlib.sha256(encoded).digest()[:16]
    return HASH_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def hashed_callbacks(messages: Iterable[TelegramMessage]) -> dict[str, str]:
    """The hash → command pairs a front-end must remember to answer presses on these messages."""
    return {
        button.callback_data: button.command
        for message in messages
        for row in message.keyboard
        for button in row
        if button.callback_data and button.command and button.callback_data != button.command
    }


def resolve_callback(data: str, known: Mapping[str, str]) -> str | None:
    """The command a pressed button stands for; None for a hash nobody remembers (a button
    from before the registry was lost): the front-end then asks the user to type it."""
    if data.startswith("/"):
        return data
    return known.get(data)
