"""Discord markdown for reply text, cut into embeds and messages within Discord's limits.

This module holds the message types, the escaping (`escape_markdown`, `markdown`) and the packer.

The renderer hands over sections (one per reply block) and the packer fills embeds in order:

- a `Section` is description text: lines of `Span`s, optionally one ``` code block or one
  ||spoiler||. Nothing is escaped before this module, so a cut always falls between characters
  of the *raw* text, never inside an escape, a `**` pair, a link or a `<t:…>` timestamp;
- a `FieldsSection` is embed fields, already rendered and each within the field limits.

Limits (Discord counts Unicode code points, i.e. Python's `len`; all inclusive):
title 256, description 4096, 25 fields, field name 256, value 1024, footer 2048, and the sum of
every title, description, field name, field value and footer over *all* embeds of one message
6000; 10 embeds per message.

Cutting rules, in order of preference:
1. between lines (a block boundary or a line break inside a block);
2. a code block or spoiler that does not fit is closed at the end of one embed and reopened at
   the start of the next, so each description is well-formed markdown on its own;
3. a single line too long for any description is wrapped at a space, or cut where there is none;
   its styling (`**`, `*`, a link) is closed at the cut and reopened on the next line.
Description text always comes before fields in an embed, so text after a fields block starts a
new embed. Embeds go into a message until one more would break the 10-embed or 6,000-character
limit; then a new message starts. Only the first embed carries the title.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bot.core.reply import Attachment

MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_MESSAGE_CHARS = 6000  # summed over every embed of a message
MAX_EMBEDS = 10
MAX_CONTENT = 2000
MAX_BUTTONS = 25  # 5 action rows of 5
MAX_LABEL = 80

FENCE_OPEN, FENCE_CLOSE = "```\n", "\n```"
SPOILER = "||"
ZWSP = "\u200b"
LINE_BREAK, BLOCK_BREAK = "\n", "\n\n"
_FENCE_COST = len(FENCE_OPEN) + len(FENCE_CLOSE)
_SPOILER_COST = 2 * len(SPOILER)
# A single line never needs more than this, so it fits a fresh embed inside any wrapper.
LINE_BUDGET = MAX_DESCRIPTION - _FENCE_COST - _SPOILER_COST
# Markdown delimiters: two styled spans side by side ("**a**" + "*b*") would read as "***";
# a zero-width space between them keeps each pair its own.
_DELIMITERS = frozenset("*_~|`")
_SPECIAL = frozenset("*_~`|>#-[]()\\")
_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
# <@id>, <@&id>, <#id>, <:emoji:id>, <t:…>, <id:…>, </cmd:id>: all would render as something.
_ANGLE = re.compile(r"<(?=[@#:/]|[A-Za-z]+:)")
_LIST_MARKER = re.compile(r"^(\s*[0-9]+)\.(?=\s)", re.MULTILINE)
_DOUBLED = re.compile(r"([`|])(?=\1)")  # "``" could close a code block, "||" a spoiler


@dataclass(frozen=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Embed:
    title: str | None
    description: str | None
    fields: tuple[EmbedField, ...] = ()
    colour: int | None = None
    footer: str | None = None
    url: str | None = None
    image_url: str | None = None  # "attachment://chart.png": a file of the same message


@dataclass(frozen=True)
class Button:
    """A command button re-runs a chat command when pressed; a URL button links out. The
    front-end makes the discord.ui.Button (its custom_id, at most 100 characters, is its job)."""

    label: str
    command: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class DiscordMessage:
    content: str | None
    embeds: tuple[Embed, ...]
    buttons: tuple[Button, ...] = ()
    # A role id to mention: `content` then starts with <@&id>, and the front-end limits
    # allowed_mentions to that role.
    role_mention: str | None = None
    # What Discord recognises a retry of this message by (see the sender's nonce_for).
    nonce: str | None = None
    # An image uploaded with the message (bot.frontends.discord.files).
    attachment: Attachment | None = None


def embed_size(embed: Embed) -> int:
    """What an embed counts against the 6,000-character message limit."""
    return (
        len(embed.title or "")
        + len(embed.description or "")
        + sum(len(field.name) + len(field.value) for field in embed.fields)
        + len(embed.footer or "")
    )


class Kind(Enum):
    TEXT = "text"  # escaped with escape_markdown
    CODE = "code"  # inside `…` or a ``` block, where escapes are not read: made code-safe
    ATOM = "atom"  # finished markdown (a timestamp): never cut, never escaped


@dataclass(frozen=True)
class Span:
    """Raw text with at most one pair of delimiters around it (`**`, `*`, `` ` ``, a link)."""

    text: str
    open: str = ""
    close: str = ""
    kind: Kind = Kind.TEXT


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Section:
    lines: tuple[Line, ...]
    code: bool = False  # one ``` block
    hidden: bool = False  # one ||spoiler|| (never together with code: Discord cannot)


@dataclass(frozen=True)
class FieldsSection:
    fields: tuple[EmbedField, ...]


# -- markdown ---------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """`text` shown literally by Discord: markdown characters backslash-escaped, a number that
    would start a list escaped, and @everyone, @here and <@…>-style mentions broken by a
    zero-width space so that they neither ping nor render as a mention."""
    out = "".join("\\" + char if char in _SPECIAL else char for char in text)
    out = _LIST_MARKER.sub(r"\1\\.", out)
    out = _MASS_MENTION.sub("@" + ZWSP, out)
    return _ANGLE.sub("<" + ZWSP, out)


def code_safe(text: str) -> str:
    """Text inside `…` or a ``` block, where backslashes are shown, not read: break runs of
    backticks or pipes and mentions with zero-width spaces instead."""
    out = _MASS_MENTION.sub("@" + ZWSP, _DOUBLED.sub(r"\1" + ZWSP, text))
    return _ANGLE.sub("<" + ZWSP, out)


def markdown(span: Span) -> str:
    """A span as finished markdown. Whitespace at the ends of a styled span goes outside the
    delimiters: Discord does not read "* x *" as italic."""
    if span.kind is Kind.ATOM:
        return span.text
    convert = code_safe if span.kind is Kind.CODE else escape_markdown
    if not span.open:
        return convert(span.text)
    core = span.text.strip()
    if not core:
        return span.text
    lead = span.text[: len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()) :]
    return f"{lead}{span.open}{convert(core)}{span.close}{trail}"


def join_spans(spans: Sequence[Span]) -> str:
    parts: list[str] = []
    for span in spans:
        text = markdown(span)
        if not text:
            continue
        if parts and parts[-1][-1] in _DELIMITERS and text[0] in _DELIMITERS:
            parts.append(ZWSP)
        parts.append(text)
    return "".join(parts)


# -- lines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """One finished description line, known to fit in a description on its own."""

    text: str
    section: int
    code: bool
    hidden: bool
    blank: bool


def _pieces(index: int, section: Section) -> list[_Piece]:
    out = []
    for line in section.lines:
        for short in _wrap(line, LINE_BUDGET):
            text = join_spans(short)
            blank = not text.strip()
            if section.hidden and text.endswith("|"):
                text += ZWSP  # "…\|" + "||" would close the spoiler one character early
            out.append(_Piece(text, index, section.code, section.hidden, blank))
    return out


def _size(spans: Sequence[Span]) -> int:
    # Each junction may take a zero-width space: count one per span to stay on the safe side.
    return sum(len(markdown(span)) + 1 for span in spans)


def _wrap(line: Line, budget: int) -> list[Line]:
    """`line` as lines of at most `budget` characters of markdown: cut at a space where there
    is one (the space becomes the line break), else at the last character that fits."""
    if _size(line) <= budget:
        return [line]
    lines: list[Line] = []
    current: list[Span] = []
    used = 0
    for span in line:
        rest = span.text
        while rest:
            room = budget - used - 1
            count = len(rest) if span.kind is Kind.ATOM else _fitting(span, rest, room)
            if count == len(rest) and (len(markdown(span)) <= room or not current):
                current.append(dataclasses.replace(span, text=rest))
                used += len(markdown(current[-1])) + 1
                break
            space = rest.rfind(" ", 0, count + 1)
            if space >= 0:
                head, rest = rest[:space], rest[space + 1 :]
            elif current:
                head = ""  # no space to break at: try the word on a line of its own first
            else:
                cut = max(count, 1)
                head, rest = rest[:cut], rest[cut:]
            if head:
                current.append(dataclasses.replace(span, text=head))
            if current:
                lines.append(tuple(current))
            current, used = [], 0
    if current:
        lines.append(tuple(current))
    return lines


def _fitting(span: Span, text: str, room: int) -> int:
    """How many leading characters of `text` fit in `room` once escaped and delimited.
    Escaping never shortens a longer prefix, so a binary search finds it."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(markdown(dataclasses.replace(span, text=text[:middle]))) <= room:
            low = middle
        else:
            high = middle - 1
    return low


# -- packing ----------------------------------------------------------------------------------


def _cost(previous: _Piece | None, piece: _Piece) -> int:
    """What adding `piece` after `previous` adds to a description, wrappers included."""
    cost = len(piece.text)
    opens_section = previous is None or previous.section != piece.section
    if previous is not None:
        cost += len(BLOCK_BREAK if opens_section else LINE_BREAK)
    if opens_section:
        cost += (_FENCE_COST if piece.code else 0) + (_SPOILER_COST if piece.hidden else 0)
    return cost


def _description(pieces: list[_Piece]) -> str | None:
    if all(piece.blank for piece in pieces):
        return None
    parts: list[str] = []
    previous: _Piece | None = None
    for piece in pieces:
        opens_section = previous is None or previous.section != piece.section
        if previous is not None:
            if opens_section:
                parts.append(_closing(previous))
            parts.append(BLOCK_BREAK if opens_section else LINE_BREAK)
        if opens_section:
            parts.append(FENCE_OPEN if piece.code else SPOILER if piece.hidden else "")
        parts.append(piece.text)
        previous = piece
    if previous is not None:
        parts.append(_closing(previous))
    return "".join(parts)


def _closing(piece: _Piece) -> str:
    return FENCE_CLOSE if piece.code else SPOILER if piece.hidden else ""


class _Packer:
    def __init__(self, title: str | None, colour: int | None) -> None:
        self.colour = colour
        self.messages: list[list[Embed]] = []
        self.embeds: list[Embed] = []  # finished embeds of the current message
        self.used = 0  # characters of the finished embeds of the current message
        self.title = title
        self.pieces: list[_Piece] = []
        self.fields: list[EmbedField] = []
        self.size = len(title or "")  # of the embed being filled
        self.description = 0

    def add_piece(self, piece: _Piece) -> None:
        if not self.fields:
            cost = _cost(self.pieces[-1] if self.pieces else None, piece)
            if self.description + cost <= MAX_DESCRIPTION and self._room(cost):
                self._append_piece(piece, cost)
                return
        self._next_embed(_cost(None, piece))
        self._append_piece(piece, _cost(None, piece))

    def add_field(self, field: EmbedField) -> None:
        cost = len(field.name) + len(field.value)
        if len(self.fields) >= MAX_FIELDS or not self._room(cost):
            self._next_embed(cost)
        self.fields.append(field)
        self.size += cost

    def finish(self) -> list[list[Embed]]:
        self._close_embed()
        self._close_message()
        return self.messages

    def _append_piece(self, piece: _Piece, cost: int) -> None:
        self.pieces.append(piece)
        self.description += cost
        self.size += cost

    def _room(self, cost: int) -> bool:
        return self.used + self.size + cost <= MAX_MESSAGE_CHARS

    def _next_embed(self, cost: int) -> None:
        self._close_embed()
        if len(self.embeds) >= MAX_EMBEDS or self.used + cost > MAX_MESSAGE_CHARS:
            self._close_message()

    def _close_embed(self) -> None:
        description = _description(self.pieces)
        if self.title or description or self.fields:
            embed = Embed(self.title, description, tuple(self.fields), self.colour)
            self.embeds.append(embed)
            self.used += embed_size(embed)
        self.title, self.pieces, self.fields = None, [], []
        self.size = self.description = 0

    def _close_message(self) -> None:
        if self.embeds:
            self.messages.append(self.embeds)
        self.embeds, self.used = [], 0


def pack(
    title: str | None,
    sections: Sequence[Section | FieldsSection],
    colour: int | None,
) -> list[list[Embed]]:
    """The sections as messages (lists of embeds) within every limit; empty if there is
    nothing to show at all. `title` must already fit MAX_TITLE; fields must fit theirs."""
    packer = _Packer(title, colour)
    for index, section in enumerate(sections):
        if isinstance(section, FieldsSection):
            for field in section.fields:
                packer.add_field(field)
        else:
            for piece in _pieces(index, section):
                packer.add_piece(piece)
    return packer.finish()
