"""Telegram's HTML parse mode, as strict as its documentation: the text and its entities.

The fake Bot API uses it twice: the checker measures a message's length after entity parsing
and refuses what Telegram would answer "can't parse entities" to, and the fake shows tests the
text a user reads. Where the real parser is lenient and the documentation is not (a bare ``&``
or ``>``, a tag nested where Telegram would silently drop the formatting), this one refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


class HtmlError(ValueError):
    """Why Telegram would answer "can't parse entities" (or silently drop formatting)."""


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_TAGS = frozenset({*_SIMPLE, "span", "a", "code", "pre", "blockquote", "tg-emoji", "tg-time"})
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([A-Za-z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_SPECIAL_RE = re.compile(r"[<>&]")
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def parse_html(source: str) -> ParsedText:
    """Telegram's HTML parse mode: the plain text and its entities (offsets in UTF-16 units)."""
    text, entities = _parsed(source)
    return ParsedText(text, [dict(entity) for entity in entities])


# The checker and the fake both parse every message, and a broadcast sends the same text to
# every chat: each text is parsed once (a fresh copy for each caller, which may change it).
@lru_cache(maxsize=256)
def _parsed(source: str) -> tuple[str, tuple[dict[str, Any], ...]]:
    parsed = _parse(source)
    return parsed.text, tuple(parsed.entities)


def _parse(source: str) -> ParsedText:
    out: list[str] = []
    length = 0  # UTF-16 length of `out`, for entity offsets
    stack: list[tuple[str, dict[str, str], int]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        # Plain text up to the next markup character goes over in one piece (character by
        # character, this parser was a fifth of the CPU of bench/telegram's command phase).
        special = _SPECIAL_RE.search(source, i)
        stop = special.start() if special else len(source)
        if stop > i:
            run = source[i:stop]
            out.append(run)
            length += _utf16(run)
            i = stop
            continue
        char = source[i]
        if char == "<":
            match = _TAG_RE.match(source, i)
            if match is None:
                raise HtmlError(f"unexpected '<' at byte offset {_offset(source, i)}; write &lt;")
            closing, name, attr_text = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = f'"</{stack[-1][0]}>"' if stack else "no end tag"
                    raise HtmlError(
                        f"Unmatched end tag at byte offset {_offset(source, i)}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                tag, attrs, start = stack.pop()
                entity = _entity(tag, attrs, start, length - start, stack)
                if entity is not None and entity["length"] > 0:
                    entities.append(entity)
            else:
                attrs = _attributes(name, attr_text, source, i, stack)
                stack.append((name, attrs, length))
            i = match.end()
            continue
        if char == ">":
            raise HtmlError(f"unescaped '>' at byte offset {_offset(source, i)}; write &gt;")
        char, i = _entity_at(source, i)  # "&": the only markup character left
        out.append(char)
        length += _utf16(char)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return ParsedText("".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"])))


def _entity_at(source: str, i: int) -> tuple[str, int]:
    """The character an HTML entity at `i` stands for, and the index after it."""
    match = _ENTITY_RE.match(source, i)
    body = match.group(1) if match else ""
    try:
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            char = chr(code)
        else:
            char = _ENTITIES[body]
    except (KeyError, ValueError, OverflowError):
        raise HtmlError(
            f"bare '&' or unsupported entity at byte offset {_offset(source, i)}; "
            "only &lt; &gt; &amp; &quot; and numeric entities are allowed"
        ) from None
    assert match is not None
    return char, match.end()


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "&":
            char, i = _entity_at(value, i)
            out.append(char)
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _attributes(
    name: str, attr_text: str, source: str, at: int, stack: list[tuple[str, dict[str, str], int]]
) -> dict[str, str]:
    where = f"at byte offset {_offset(source, at)}"
    if name not in _TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" {where}')
    attrs = {
        m.group(1).lower(): _unescape(next((g for g in m.groups()[1:] if g is not None), ""))
        for m in _ATTR_RE.finditer(attr_text)
    }
    allowed = {
        "a": {"href"},
        "span": {"class"},
        "code": {"class"},
        "blockquote": {"expandable"},
        "tg-emoji": {"emoji-id"},
        "tg-time": {"unix", "format"},
    }.get(name, set())
    if extra := set(attrs) - allowed:
        raise HtmlError(f'unsupported attribute {sorted(extra)} on "{name}" {where}')
    open_tags = [t for t, _, _ in stack]
    parent = open_tags[-1] if open_tags else None
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "a" and not attrs.get("href"):
        raise HtmlError(f'Tag "a" needs an href {where}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" needs a numeric emoji-id {where}')
    if name == "tg-time" and not (
        attrs.get("unix", "").isdigit() and re.fullmatch(r"r|w?[dD]?[tT]?", attrs.get("format", ""))
    ):
        raise HtmlError(f'Tag "tg-time" needs unix="<seconds>" and a valid format {where}')
    if (
        "class" in attrs
        and name == "code"
        and not (parent == "pre" and attrs["class"].startswith("language-"))
    ):
        raise HtmlError(f'a language can only be given as <pre><code class="language-…"> {where}')
    if parent in ("code", "pre") and not (parent == "pre" and name == "code"):
        raise HtmlError(f'"{name}" inside "{parent}" {where}: code and pre take no formatting')
    if name == "blockquote" and "blockquote" in open_tags:
        raise HtmlError(f"blockquotes can't be nested {where}")
    if name == "a" and "a" in open_tags:
        raise HtmlError(f"links can't be nested {where}")
    return attrs


def _entity(
    tag: str, attrs: dict[str, str], start: int, size: int, stack: list[tuple[str, Any, int]]
) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": start, "length": size}
    if tag in _SIMPLE or tag == "span":
        entity["type"] = _SIMPLE.get(tag, "spoiler")
    elif tag == "a":
        entity.update(type="text_link", url=attrs["href"])
    elif tag == "code":
        if stack and stack[-1][0] == "pre":
            language = attrs.get("class", "").removeprefix("language-")
            if language:
                stack[-1][1]["language"] = language
            return None  # the enclosing pre carries it
        entity["type"] = "code"
    elif tag == "pre":
        entity["type"] = "pre"
        if attrs.get("language"):
            entity["language"] = attrs["language"]
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=attrs["emoji-id"])
    else:  # tg-time
        entity.update(type="date_time", unix_time=int(attrs["unix"]))
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    return entity
