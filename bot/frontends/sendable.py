"""Text and links as a chat platform can take them, shared by the chat front-ends (Telegram,
Discord).

Schedule files and chats may hold any character. Control characters are shown as garbage or
refused by the platforms, and a lone surrogate cannot be encoded as UTF-8 at all: one such
character must not cost a whole post. And only an http(s) URL is made clickable: a
javascript:, tg:// or discord:// one is shown as text.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

__all__ = ["is_web_url", "sendable_text"]


def sendable_text(value: str, *, single_line: bool) -> str:
    """`value` with control characters as spaces (line breaks kept unless `single_line`) and
    lone surrogates as U+FFFD."""
    # Printable text has neither (isprintable is False for every Cc and Cs character): most
    # text, accented names and dashes included, is returned as it is without a look at each
    # character.
    if value.isprintable():
        return value
    out = []
    for char in value:
        category = unicodedata.category(char)
        if char == "\n" and not single_line:
            out.append(char)
        elif category == "Cc":
            out.append(" ")
        elif category == "Cs":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host, nothing unprintable or blank in it: one to make clickable."""
    if not url.isprintable() or any(char.isspace() for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
