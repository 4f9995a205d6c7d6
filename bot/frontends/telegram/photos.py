"""A reply's image as a Telegram photo: with the post as its caption when the post fits a
caption, else as one more message after the text.

Telegram allows 1024 characters in a caption (after entities are parsed: the text as read,
without the HTML tags) against 4096 in a message, so a short post and its chart go out as one
photo message, and a long one keeps its text messages and gets the photo after them.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from bot.core.reply import Attachment
from bot.frontends.telegram.render import TelegramMessage

__all__ = ["MAX_CAPTION_LENGTH", "caption_length", "with_photo"]

MAX_CAPTION_LENGTH = 1024
_TAG = re.compile(r"<[^>]*>")


def caption_length(text: str) -> int:
    """The length Telegram measures: the text without its tags, entities unescaped."""
    return len(html.unescape(_TAG.sub("", text)))


def with_photo(messages: list[TelegramMessage], photo: Attachment) -> list[TelegramMessage]:
    if len(messages) == 1 and caption_length(messages[0].text) <= MAX_CAPTION_LENGTH:
        return [replace(messages[0], photo=photo)]
    return [*messages, TelegramMessage("", photo=photo)]
