"""Render a core Reply as terminal text, with ANSI colour or without.

The layout is computed on the plain text first and colour is wrapped around finished pieces, so
that removing the escape codes from a coloured rendering gives exactly the plain rendering (the
tests rely on this, and so does anyone piping the output through `sed`).

Styles are switched off with their specific "off" codes (22, 23, 24, 39) rather than a full
reset, so that a bold word inside a red error line leaves the rest of the line red.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.formatting import display_width, format_moment, truncate
from bot.core.i18n import use_language
from bot.core.reply import (
    Block,
    Choice,
    Fields,
    Inline,
    Line,
    LinkText,
    Paragraph,
    Reply,
    ReplyStatus,
    Style,
    Table,
    Text,
)
from bot.core.table_text import layout_table, pad

__all__ = ["display_width", "render", "truncate"]

RULE = "─"

_STYLE_CODES: dict[Style, tuple[str, str]] = {
    Style.BOLD: ("1", "22"),
    Style.ITALIC: ("3", "23"),
    Style.CODE: ("2", "22"),  # dim
}
# Problems are coloured so they stand out from answers; other statuses keep the default colour.
_STATUS_FG: dict[ReplyStatus, str] = {
    ReplyStatus.INVALID: "31",  # red
    ReplyStatus.NOT_FOUND: "33",  # yellow
}
_DEFAULT_FG = "39"
_TRAILING_SPACE = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def _clean(value: str, *, keep_newlines: bool = False) -> str:
    """Data from schedule files must not drive the terminal: control characters (ESC above all)
    become spaces, so colour=False output never holds an escape character."""
    if value.isprintable():
        return value
    return "".join(
        char if (char == "\n" and keep_newlines) or unicodedata.category(char) != "Cc" else " "
        for char in value
    )


@dataclass(frozen=True)
class _Painter:
    colour: bool

    def paint(self, value: str, on: str, off: str) -> str:
        if not self.colour or not value:
            return value
        return f"\x1b[{on}m{value}\x1b[{off}m"


def render(reply: Reply, *, colour: bool, width: int = 100) -> str:
    """The reply as terminal text: sections separated by one blank line, no trailing newline.
    Times are in the language the reply was written in."""
    with use_language(reply.locale.language, reply.locale.clock_24h):
        return _render(reply, colour=colour, width=width)


def _render(reply: Reply, *, colour: bool, width: int) -> str:
    painter = _Painter(colour)
    status_fg = _STATUS_FG.get(reply.status)
    sections: list[str] = []
    if reply.title:
        sections.append(_title(_clean(reply.title), painter, status_fg, width))
    for block in reply.blocks:
        sections.append(_block(block, painter, status_fg, width))
    if reply.choices:
        sections.append(_choices(reply.choices, painter))
    text = "\n\n".join(section for section in sections if section)
    return _TRAILING_SPACE.sub(r"\1", text)


def _title(title: str, painter: _Painter, status_fg: str | None, width: int) -> str:
    on, off = ("1", "22") if status_fg is None else (f"1;{status_fg}", f"22;{_DEFAULT_FG}")
    rule = RULE * min(max(display_width(title), 1), width)
    return painter.paint(title, on, off) + "\n" + painter.paint(rule, "2", "22")


def _block(block: Block, painter: _Painter, status_fg: str | None, width: int) -> str:
    if isinstance(block, Paragraph):
        return "\n".join(_line(line, painter, status_fg) for line in block.lines)
    if isinstance(block, Table):
        return _table(block, painter, width)
    return _fields(block, painter)


def _line(line: Line, painter: _Painter, fg: str | None, *, keep_newlines: bool = True) -> str:
    rendered = "".join(_inline(part, painter, fg, keep_newlines) for part in line)
    if fg is None:
        return rendered
    # Colour each physical line on its own, so a pager showing one line still shows it red.
    return "\n".join(painter.paint(piece, fg, _DEFAULT_FG) for piece in rendered.split("\n"))


def _inline(part: Inline, painter: _Painter, fg: str | None, keep_newlines: bool) -> str:
    if isinstance(part, Text):
        value = _clean(part.text, keep_newlines=keep_newlines)
        if part.style in _STYLE_CODES:
            on, off = _STYLE_CODES[part.style]
            return painter.paint(value, on, off)
        return value
    if isinstance(part, LinkText):
        url = painter.paint(_clean(part.url), "34;4", f"24;{fg or _DEFAULT_FG}")
        label = _clean(part.label)
        return url if part.label == part.url else f"{label} <{url}>"
    return format_moment(part)


def _table(table: Table, painter: _Painter, width: int) -> str:
    laid = layout_table(table, width=width, clean=lambda v: _clean(v).replace("\n", " "), rule=RULE)
    lines = [painter.paint(laid.header, "1", "22"), painter.paint(laid.rule, "2", "22")]
    lines.extend(laid.rows)
    return "\n".join(lines)


def _fields(block: Fields, painter: _Painter) -> str:
    labels = [_clean(field.label).replace("\n", " ") + ":" for field in block.items]
    label_width = max((display_width(label) for label in labels), default=0)
    lines = []
    for label, field in zip(labels, block.items, strict=True):
        value = _line(field.value, painter, None, keep_newlines=False)
        padding = " " * (label_width - display_width(label) + 1)
        lines.append(painter.paint(label, "1", "22") + padding + value)
    return "\n".join(lines)


def _choices(choices: tuple[Choice, ...], painter: _Painter) -> str:
    labels = [_clean(choice.label).replace("\n", " ") for choice in choices]
    label_width = max(display_width(label) for label in labels)
    number_width = len(str(len(choices)))
    lines = []
    for number, (label, choice) in enumerate(zip(labels, choices, strict=True), start=1):
        command = painter.paint(_clean(choice.command).replace("\n", " "), "36", _DEFAULT_FG)
        padded = pad(label, label_width, right=False)
        lines.append(f"{number:>{number_width}}. {padded}  → {command}")
    return "\n".join(lines)
