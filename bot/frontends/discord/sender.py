"""Posting to Discord channels for the delivery engine, and what a failure means.

    429 (discord.py gave up waiting) -> RetryAfter     that channel waits (every send, if global)
    403 Missing Permissions / Access -> ChatBlocked    deactivate the subscription, report it
    404 Unknown Channel              -> ChatBlocked    the channel was deleted
    5xx, connection problems         -> TransientError retry with backoff
    other 4xx                        -> PermanentError record, never retry

discord.py already honours per-route buckets and the global limit from Discord's headers; the
engine's own limiter keeps the bot under them in the first place.

A post whose answer was lost (a timeout after Discord had made the message) is retried by the
engine; each message carries a nonce derived from the delivery (`Reply.idempotency_key`) with
`enforce_nonce`, so Discord answers the retry with the message it already made instead of
posting it twice (within the few minutes Discord remembers a nonce).

In an announcement channel every post is published (crossposted) to the servers that follow
it. A failed publish (Discord allows about 10 an hour per channel) is logged and shown in
/status; the post itself stands, so the delivery is not retried for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import replace

import aiohttp
import discord

from bot.chats.health import ChannelHealth
from bot.core.audience import Chat
from bot.core.reply import Reply
from bot.delivery import errors
from bot.frontends.discord.files import to_file, with_attachment
from bot.frontends.discord.render import Button, DiscordMessage, Embed, render_once

log = logging.getLogger("pitboard.discord")

PLATFORM = "discord"
BUTTON_PREFIX = "cmd:"  # custom_id of a button that re-runs a chat command
# A crosspost that Discord rate limits would have discord.py sleep for up to an hour while
# holding a delivery worker: give up on publishing that one post instead.
PUBLISH_TIMEOUT = 10.0


def nonce_for(key: str, part: int) -> str:
    """The nonce of message `part` of the post with idempotency key `key`: the same on every
    retry, different for every post and part, within Discord's 25 characters (24 hex)."""
    return hashlib.blake2b(f"{key}#{part}".encode(), digest_size=12).hexdigest()


def to_embed(embed: Embed) -> discord.Embed:
    result = discord.Embed(
        title=embed.title, description=embed.description, colour=embed.colour, url=embed.url
    )
    for field in embed.fields:
        result.add_field(name=field.name, value=field.value, inline=field.inline)
    if embed.footer:
        result.set_footer(text=embed.footer)
    if embed.image_url:
        result.set_image(url=embed.image_url)
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
        messages = render_once(
            reply, spoiler_safe=chat.spoiler_safe, mention_role=chat.mention_role
        )
        if reply.attachment is not None:
            messages = with_attachment(messages, reply.attachment)
        key = reply.idempotency_key
        if not key:
            return messages
        # Each part's nonce is fixed here, so a part retried later is recognised by Discord.
        return [replace(m, nonce=nonce_for(key, part)) for part, m in enumerate(messages)]

    async def send_part(self, chat: Chat, part: DiscordMessage) -> str:
        if not self._client.is_ready():
            # Deliveries requeued at a restart can come before the login: retry shortly
            # (calling discord.py before it has logged in fails deep inside it).
            raise errors.TransientError("not connected to Discord yet")
        # Without a key (nothing to recognise a retry by) a random one, as discord.py's.
        return await self._post(chat.ref.id, part, part.nonce or secrets.token_hex(12))

    async def _post(self, channel_id: str, message: DiscordMessage, nonce: str) -> str:
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
                files=[to_file(message.attachment)]
                if message.attachment
                else discord.utils.MISSING,
                nonce=nonce,  # discord.py sends enforce_nonce: true with it
            )
        except discord.HTTPException as error:
            raise self._classify(channel_id, error) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise errors.TransientError(type(error).__name__) from error
        # i18n: not user text (the operator's health report and the logs)
        self._health.clear(f"discord channel {channel_id}")
        if isinstance(channel, discord.TextChannel) and channel.is_news():
            await self._publish(channel_id, sent)
        return str(sent.id)

    async def _publish(self, channel_id: str, sent: discord.Message) -> None:
        """Crosspost the message to the servers following this announcement channel."""
        # i18n: not user text (the operator's health report and the logs)
        where = f"discord channel {channel_id} (publishing)"
        if sent.flags.crossposted:  # a retry answered with the message made before
            return
        try:
            await asyncio.wait_for(sent.publish(), PUBLISH_TIMEOUT)
        except (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError) as error:
            status = getattr(error, "status", type(error).__name__)
            # i18n: not user text (the operator's health report and the logs)
            problem = f"posts are not published to following servers ({status})"
            self._health.report(where, problem)
            log.warning("discord channel %s: %s", channel_id, problem)
            return
        self._health.clear(where)

    def _classify(self, channel_id: str, error: discord.HTTPException) -> errors.SendError:
        if isinstance(error, discord.Forbidden | discord.NotFound):
            deleted = isinstance(error, discord.NotFound)
            problem = _DELETED if deleted else _NOT_ALLOWED
            # i18n: not user text (the operator's health report and the logs)
            self._health.report(f"discord channel {channel_id}", problem)
            log.warning(
                "discord channel %s: %s; its subscription is deactivated", channel_id, problem
            )
            return errors.ChatBlocked(f"{error.status} {error.code}: {problem}")
        if error.status == 429:
            retry = getattr(error, "retry_after", None)
            limited = "rate limited"  # i18n: not user text (a send error's reason, for the logs)
            return errors.RetryAfter(
                float(retry or 1.0), limited, platform_wide=_global_limit(error)
            )
        if error.status >= 500:
            # i18n: not user text (the operator's health report and the logs)
            return errors.TransientError(f"{error.status} from Discord")
        return errors.PermanentError(f"{error.status} {error.code}: {error.text}")


# i18n: not user text (the operator's health report and the logs)
_DELETED = "the channel was deleted"
# i18n: not user text (the operator's health report and the logs)
_NOT_ALLOWED = "the bot may not post there (missing permission)"


def _global_limit(error: discord.HTTPException) -> bool:
    """Whether Discord said the 429 was its global limit (every request waits), not a
    channel's or route's bucket (only posts to that channel wait)."""
    headers = getattr(error.response, "headers", None) or {}
    said_global = str(headers.get("X-RateLimit-Global", "")).lower() == "true"
    return said_global or str(headers.get("X-RateLimit-Scope", "")).lower() == "global"
