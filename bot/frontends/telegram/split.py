"""Cut rendered Telegram HTML into messages that each fit Telegram's length limit.

The renderer hands over sections (the title, then one per reply block) made of lines of
`Span`s: plain text plus at most one tag around it. Nothing is escaped before this module, so
a cut always falls between characters of the *plain* text and never inside a tag or an entity.

The limit is checked on the raw HTML, tags and entities included, counted in UTF-16 code units.
Telegram's own rule is "4096 characters after entity parsing", and its entity offsets count
UTF-16 code units (an emoji outside the BMP is two). The raw HTML is never shorter than the
visible text, so a chunk that passes this stricter test always passes Telegram's, and the check
needs no HTML parser of our own.

Cutting rules, in order of preference:
1. between lines (a block boundary or a line break inside a block);
2. a `<pre>` block that does not fit is continued in a new `<pre>` in the next message;
3. a single line too long for any message is wrapped at a space, or cut when there is none;
   its tags are closed at the cut and reopened on the next line.
Every chunk is balanced HTML on its own: `<pre>` and `<tg-spoiler>` are closed at the end of a
chunk and reopened at the start of the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MIN_LENGTH", "Section", "Span", "escape", "html_size", "split_html"]

PRE_OPEN, PRE_CLOSE = "<pre>", "</pre>"
SPOILER_OPEN, SPOILER_CLOSE = "<tg-spoiler>", "</tg-spoiler>"
_PRE_COST = len(PRE_OPEN) + len(PRE_CLOSE)
_SPOILER_COST = len(SPOILER_OPEN) + len(SPOILER_CLOSE)
LINE_BREAK, BLOCK_BREAK = "\n", "\n\n"
# Below this a message cannot hold a tag, its reopening wrappers and a few characters of text.
MIN_LENGTH = 100


def escape(text: str, *, quote: bool = False) -> str:
    """Text for Telegram HTML: &, < and > as entities; with quote=True also " (attributes)."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace('"', "&quot;") if quote else out


def html_size(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class Span:
    """Plain (unescaped) text with at most one tag around it."""

    text: str
    open: str = ""  # e.g. "<b>" or '<a href="https://…">'
    close: str = ""

    @property
    def html(self) -> str:
        return f"{self.open}{escape(self.text)}{self.close}" if self.text else ""

    @property
    def tag_size(self) -> int:
        return html_size(self.open) + html_size(self.close)


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Section:
    lines: tuple[Line, ...]
    pre: bool = False  # shown as one <pre> block
    hidden: bool = False  # inside <tg-spoiler>; hidden sections come after all visible ones


@dataclass(frozen=True)
class _Piece:
    """One line of finished HTML, known to fit in a message on its own."""

    html: str
    size: int
    section: int
    pre: bool
    hidden: bool
    blank: bool


def split_html(sections: Sequence[Section], max_length: int) -> list[str]:
    """The sections as HTML messages of at most `max_length` UTF-16 units each.

    Sections are separated by a blank line, lines by a line break. Chunks whose visible text
    would be only whitespace are dropped (Telegram refuses an empty message); if nothing is
    left the result is empty and the caller decides what to say.
    """
    if max_length < MIN_LENGTH:
        raise ValueError(f"max_length must be at least {MIN_LENGTH}")
    pieces = [
        piece
        for index, section in enumerate(sections)
        for piece in _pieces(index, section, max_length)
    ]
    chunks = [chunk for chunk in _pack(pieces, max_length) if not all(p.blank for p in chunk)]
    return [_assemble(chunk) for chunk in chunks]


def _pieces(index: int, section: Section, max_length: int) -> list[_Piece]:
    budget = max_length - (_PRE_COST if section.pre else 0)
    budget -= _SPOILER_COST if section.hidden else 0
    out = []
    for line in section.lines:
        # Most lines hold no line break and fit as they are: one piece, its HTML made once
        # (a break in the text shows in the HTML, which escaping leaves alone).
        html = "".join([span.html for span in line])
        if "\n" not in html and (size := html_size(html)) <= budget:
            blank = not "".join([span.text for span in line]).strip()
            out.append(_Piece(html, size, index, section.pre, section.hidden, blank))
            continue
        for short in (wrapped for one in _split_newlines(line) for wrapped in _wrap(one, budget)):
            html = "".join(span.html for span in short)
            blank = not any(span.text.strip() for span in short)
            out.append(_Piece(html, html_size(html), index, section.pre, section.hidden, blank))
    return out


def _split_newlines(line: Line) -> list[Line]:
    """A line holding line breaks as several lines, so that a message may end at any of them."""
    lines: list[list[Span]] = [[]]
    for span in line:
        for number, part in enumerate(span.text.split("\n")):
            if number:
                lines.append([])
            if part:
                lines[-1].append(dataclasses.replace(span, text=part))
    return [tuple(spans) for spans in lines]


def _wrap(line: Line, budget: int) -> list[Line]:
    """`line` as lines of at most `budget` units of HTML: cut at a space where there is one
    (the space becomes the line break), else at the last character that fits."""
    if sum(html_size(span.html) for span in line) <= budget:
        return [line]
    lines: list[Line] = []
    current: list[Span] = []
    used = 0
    for original in line:
        # A tag that alone fills half a message (a link to an absurdly long URL) would leave no
        # room for its text: keep the words and drop the tag.
        span = original if original.tag_size <= budget // 2 else Span(original.text)
        rest = span.text
        while rest:
            room = budget - used - span.tag_size
            count = _fitting(rest, room)
            if count == len(rest):
                current.append(dataclasses.replace(span, text=rest))
                used += html_size(current[-1].html)
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


def _fitting(text: str, room: int) -> int:
    """How many leading characters of `text` fit in `room` units once escaped."""
    if text.isascii() and not any(char in text for char in "&<>"):
        return max(0, min(len(text), room))
    used = 0
    for count, char in enumerate(text):
        used += html_size(escape(char))
        if used > room:
            return count
    return len(text)


def _cost(previous: _Piece | None, piece: _Piece) -> int:
    """What adding `piece` after `previous` adds to a chunk, closing tags included."""
    cost = piece.size
    opens_section = previous is None or previous.section != piece.section
    if previous is not None:
        cost += len(BLOCK_BREAK if opens_section else LINE_BREAK)
    if piece.pre and opens_section:
        cost += _PRE_COST
    if piece.hidden and (previous is None or not previous.hidden):
        cost += _SPOILER_COST
    return cost


def _pack(pieces: list[_Piece], max_length: int) -> list[list[_Piece]]:
    chunks: list[list[_Piece]] = []
    current: list[_Piece] = []
    used = 0
    for piece in pieces:
        cost = _cost(current[-1] if current else None, piece)
        if current and used + cost > max_length:
            chunks.append(current)
            current, cost = [], _cost(None, piece)
            used = 0
        current.append(piece)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def _assemble(chunk: list[_Piece]) -> str:
    parts: list[str] = []
    previous: _Piece | None = None
    for piece in chunk:
        opens_section = previous is None or previous.section != piece.section
        if previous is not None:
            if previous.pre and opens_section:
                parts.append(PRE_CLOSE)
            parts.append(BLOCK_BREAK if opens_section else LINE_BREAK)
        if piece.hidden and (previous is None or not previous.hidden):
            parts.append(SPOILER_OPEN)
        if piece.pre and opens_section:
            parts.append(PRE_OPEN)
        parts.append(piece.html)
        previous = piece
    if previous is not None and previous.pre:
        parts.append(PRE_CLOSE)
    if previous is not None and previous.hidden:
        parts.append(SPOILER_CLOSE)
    return "".join(parts)
