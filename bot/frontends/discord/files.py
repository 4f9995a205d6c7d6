"""A reply's image as a Discord attachment, shown in the post's embed.

The file goes with the last message of the post and that message's last embed shows it
(`attachment://<name>`: the embed's image is the file uploaded with the same message).
A spoiler is a file named `SPOILER_…`, which Discord shows blurred until clicked; an embed's
image is never blurred, so a spoiler image is left as a plain attachment under the embed
instead of being shown in it.
"""

from __future__ import annotations

import io
from dataclasses import replace

import discord

from bot.core.reply import Attachment
from bot.frontends.discord.embeds import DiscordMessage

__all__ = ["SPOILER_PREFIX", "to_file", "upload_name", "with_attachment"]

SPOILER_PREFIX = "SPOILER_"


def upload_name(attachment: Attachment) -> str:
    name = attachment.filename
    return SPOILER_PREFIX + name if attachment.spoiler else name


def with_attachment(messages: list[DiscordMessage], attachment: Attachment) -> list[DiscordMessage]:
    if not messages:
        return [DiscordMessage(content=None, embeds=(), attachment=attachment)]
    *first, last = messages
    embeds = last.embeds
    if embeds and not attachment.spoiler:
        image = f"attachment://{upload_name(attachment)}"
        embeds = (*embeds[:-1], replace(embeds[-1], image_url=image))
    return [*first, replace(last, embeds=embeds, attachment=attachment)]


def to_file(attachment: Attachment) -> discord.File:
    # Named here, prefix and all: discord.py's own spoiler flag would rename it the same way,
    # but the embed's attachment:// URL must name exactly the file uploaded.
    return discord.File(
        io.BytesIO(attachment.data),
        filename=upload_name(attachment),
        description=attachment.description or None,
    )
