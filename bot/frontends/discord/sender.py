"""Posting to Discord channels for the delivery engine, and what a failure means.

    429 (discord.py gave up waiting) -> RetryAfter     wait, then retry
    403 Missing Permissions / Access -> ChatBlocked    deactivate the subscription, report it
    404 Unknown Channel              -> ChatBlocked    the channel was deleted
    5xx, connection problems         -> TransientError retry with backoff
    other 4xx                        -> PermanentError record, never retry

discord.py already honours per-route buckets and the global limit from Discord's headers; the
engine's own limiter keeps the bot under them in the first place.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.chats.health import ChannelHealth
from bot.core.audience import Chat
from bot.core.reply import Reply
from bot.delivery import errors
from bot.frontends.discord.render import Button, DiscordMessage, Embed, render

log = logging.getLogger("pitboard.discord")

PLATFORM = "discord"
BUTTON_PREFIX = "cmd:"  # custom_id of a button that re-runs a chat command


def to_embed(embed: Embed) -> discord.Embed:
    result = discord.Embed(
        title=embed.title, description=embed.description, colour=embed.colour, url=embed.url
    )
    for field in embed.fields:
        result.add_field(name=field.name, value=field.value, inline=field.inline)
    if embed.footer:
        result.set_footer(text=embed.footer)
    return result


def to_view(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if button.url:
            view.add_item(discord.ui.Button(label=button.label, url=button.url))
        elif button.command:
            custom_id = (BUTTON_PREFIX + button.command)[:100]
            view.add_item(discord.ui.Button(label=button.label, custom_id=custom_id))
    return view


def mentions_for(message: DiscordMessage) -> discord.AllowedMentions:
    """Only the configured role may be pinged; never @everyone, users or other roles."""
    if message.role_mention:
        return discord.AllowedMentions(
            everyone=False,
            users=False,
            replied_user=False,
            roles=[discord.Object(int(message.role_mention))],
        )
    return discord.AllowedMentions.none()


class DiscordSender:
    platform = PLATFORM

    def __init__(self, client: discord.Client, health: ChannelHealth) -> None:
        self._client = client
        self._health = health

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        message_id: str | None = None
        for message in self.split(chat, reply):
            message_id = await self.send_part(chat, message)
        return message_id

    # A reply too big for one message's embeds is several: the delivery engine sends them one
    # by one (a `PartSender`), each within the channel's limits.
    def split(self, chat: Chat, reply: Reply) -> list[DiscordMessage]:
        return render(reply, spoiler_safe=chat.spoiler_safe, mention_role=chat.mention_role)

    async def send_part(self, chat: Chat, part: DiscordMessage) -> str:
        if not self._client.is_ready():
            # Deliveries requeued at a restart can come before the login: retry shortly
            # (calling discord.py before it has logged in fails deep inside it).
            raise errors.TransientError("not connected to Discord yet")
        return await self._post(chat.ref.id, part)

    async def _post(self, channel_id: str, message: DiscordMessage) -> str:
        try:
            channel = self._client.get_channel(int(channel_id)) or await self._client.fetch_channel(
                int(channel_id)
            )
            if not isinstance(channel, discord.abc.Messageable):
                raise errors.PermanentError(f"channel {channel_id} cannot take messages")
            sent = await channel.send(
                content=message.content,
                embeds=[to_embed(e) for e in message.embeds],
                allowed_mentions=mentions_for(message),
                view=to_view(message.buttons) or discord.utils.MISSING,
            )
        except discord.HTTPException as error:
            raise self._classify(channel_id, error) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise errors.TransientError(type(error).__name__) from error
        self._health.clear(f"discord channel {channel_id}")
        return str(sent.id)

    def _classify(self, channel_id: str, error: discord.HTTPException) -> errors.SendError:
        if isinstance(error, discord.Forbidden | discord.NotFound):
            problem = (
                "the channel was deleted"
                if isinstance(error, discord.NotFound)
                else "the bot may not post there (missing permission)"
            )
            self._health.report(f"discord channel {channel_id}", problem)
            log.warning(
                "discord channel %s: %s; its subscription is deactivated", channel_id, problem
            )
            return errors.ChatBlocked(f"{error.status} {error.code}: {problem}")
        if error.status == 429:
            retry = getattr(error, "retry_after", None)
            return errors.RetryAfter(float(retry or 1.0), "rate limited")
        if error.status >= 500:
            return errors.TransientError(f"{error.status} from Discord")
        return errors.PermanentError(f"{error.status} {error.code}: {error.text}")
