"""The platform-neutral reply every command returns and every front-end renders.

A reply is a title, a few blocks and optional choices. Inline pieces stay structured (a link
is a label and a URL, a moment is an instant and a zone) so that Telegram can render HTML,
Discord can render `<t:UNIX:F>` timestamps and the terminal can render colour, all from the
same reply.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.i18n import ChatLocale, current_locale


class Style(StrEnum):
    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"


class MomentStyle(StrEnum):
    DATETIME = "datetime"  # Sat 14 May 13:55 CEST
    TIME = "time"  # 13:55 CEST
    DATE = "date"  # Sat 14 May (a TBA session: the day is known, the time is not)
    RELATIVE = "relative"  # in 2 days 3 h


@dataclass(frozen=True)
class Text:
    text: str
    style: Style = Style.PLAIN


@dataclass(frozen=True)
class LinkText:
    label: str
    url: str


@dataclass(frozen=True)
class Moment:
    at: datetime  # aware
    zone: str  # IANA zone to show it in
    style: MomentStyle = MomentStyle.DATETIME
    # The "now" a RELATIVE moment counts from (the injected clock's, never the system's).
    reference: datetime | None = None


Inline = Text | LinkText | Moment
Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ZoneNote(Paragraph):
    """ "Times in Europe/Stockholm (CEST)": true where moments are printed in the chat's zone,
    false on Discord, where each reader sees a moment in their own zone. Renderers that
    localise moments for the reader leave it out."""


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = False  # right-aligned
    # Shown on its own lines under each row instead of as a column: a long list, such as a
    # car's drivers, that a narrow column would chop into pieces.
    below: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Field:
    label: str
    value: Line


@dataclass(frozen=True)
class Fields:
    items: tuple[Field, ...]


Block = Paragraph | Table | Fields


class ReplyStatus(StrEnum):
    OK = "ok"
    EMPTY = "empty"  # a valid question with nothing to show (no sessions ahead)
    AMBIGUOUS = "ambiguous"  # choices say which was meant
    NOT_FOUND = "not_found"  # choices hold the nearest matches
    INVALID = "invalid"  # a bad argument; the text says what is expected


@dataclass(frozen=True)
class Choice:
    label: str
    command: str  # the full command that answers it, e.g. "/driver jessica-backman"


@dataclass(frozen=True)
class Attachment:
    """An image sent with a reply (a standings chart): Telegram sends it as a photo, Discord as
    a file shown in the embed, the terminal writes it to a file."""

    data: bytes
    filename: str  # "standings-tcr-germany-2022.png"
    # Shown behind a spoiler (Telegram's has_spoiler, Discord's SPOILER_ file name): set for a
    # spoiler-safe chat by whoever attaches an image that gives results away.
    spoiler: bool = False
    description: str = ""  # alt text

    def __repr__(self) -> str:  # never the bytes in a log line or a failed assertion
        # i18n: not user text
        return f"Attachment({self.filename!r}, {len(self.data)} bytes, spoiler={self.spoiler})"


@dataclass(frozen=True)
class Reply:
    title: str | None
    blocks: tuple[Block, ...] = ()
    choices: tuple[Choice, ...] = ()
    status: ReplyStatus = ReplyStatus.OK
    # Results a spoiler-safe chat should see hidden (Telegram spoiler, Discord ||…||).
    contains_results: bool = False
    # Nothing to send (a throttled chat's extra commands); a platform that must acknowledge
    # anyway (Discord interactions) sends the text quietly.
    silent: bool = False
    # The same post sent again (a retry after a lost answer) carries the same key, so that a
    # platform that can recognise a repeat (Discord's message nonce) posts it only once.
    idempotency_key: str | None = None
    attachment: Attachment | None = None
    # The language (and clock) it was written in, taken from whoever built it
    # (`bot.core.i18n.use_language`): renderers show its moments and their own words in it, and
    # a cache of rendered replies keys on it with the rest of the reply.
    locale: ChatLocale = field(default_factory=current_locale)

    @property
    def ok(self) -> bool:
        return self.status in (ReplyStatus.OK, ReplyStatus.EMPTY)


def text(value: str, style: Style = Style.PLAIN) -> Text:
    return Text(value, style)


def bold(value: str) -> Text:
    return Text(value, Style.BOLD)


def italic(value: str) -> Text:
    return Text(value, Style.ITALIC)


def line(*parts: Inline | str) -> Line:
    return tuple(Text(p) if isinstance(p, str) else p for p in parts)


def paragraph(*lines: Line | str) -> Paragraph:
    return Paragraph(tuple(line(item) if isinstance(item, str) else item for item in lines))


def fields(items: Iterable[tuple[str, Line | str]]) -> Fields:
    return Fields(tuple(Field(label, line(v) if isinstance(v, str) else v) for label, v in items))


def problem(status: ReplyStatus, message: str, choices: Iterable[Choice] = ()) -> Reply:
    """A reply for a question that could not be answered as asked."""
    return Reply(title=None, blocks=(paragraph(message),), choices=tuple(choices), status=status)


def to_jsonable(reply: Reply) -> dict[str, Any]:
    """A plain-JSON form of a reply's structure, for tests and debugging (`pitboard --json`
    prints the data behind an answer instead: `bot.cli_json`)."""

    def convert(value: object) -> object:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, bytes):
            return f"<{len(value)} bytes>"  # i18n: not user text
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out: dict[str, object] = {"type": type(value).__name__}
            out.update({f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)})
            return out
        if isinstance(value, tuple | list):
            return [convert(v) for v in value]
        return value

    result = convert(reply)
    assert isinstance(result, dict)
    return result


def plain_text(line_: Line) -> str:
    """A line without styling, times shown in their own zone: for logs and simple renderers."""
    from bot.core.formatting import format_moment

    parts = []
    for part in line_:
        if isinstance(part, Text):
            parts.append(part.text)
        elif isinstance(part, LinkText):
            parts.append(f"{part.label} ({part.url})" if part.label != part.url else part.url)
        else:
            parts.append(format_moment(part))
    return "".join(parts)
