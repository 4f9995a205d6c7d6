"""Sending to Telegram for the delivery engine: render, send, and say what a failure means.

The engine owns queues, limits and retries; this class only knows the Bot API. Its job is
the mapping from python-telegram-bot's errors to the engine's error tree:

    RetryAfter   -> RetryAfter(seconds)      wait, then retry
    Forbidden    -> ChatBlocked              blocked, kicked, or no right to post: deactivate
    ChatMigrated -> ChatMigrated(new id)     a group became a supergroup: rewrite and resend
    BadRequest   -> PermanentError           record, never retry ("chat not found": blocked)
    TimedOut, NetworkError -> TransientError retry with backoff
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace
from functools import lru_cache

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.core.audience import Chat
from bot.core.reply import Attachment, Reply
from bot.delivery import errors
from bot.frontends.telegram.callbacks import CallbackRegistry
from bot.frontends.telegram.photos import with_photo
from bot.frontends.telegram.render import TelegramMessage, render

log = logging.getLogger("pitboard.telegram")

PLATFORM = "telegram"
# Chats that no longer exist answer 400, not 403: they are gone for good, like a block.
# i18n: not user text (Telegram error descriptions matched)
GONE_CHAT_MARKERS = ("chat not found", "user is deactivated", "peer_id_invalid")
# Rendered replies kept: replies are immutable values, and fans asking the same question get
# equal ones (fifty /standings, a broadcast to thousands of chats): each is rendered once.
RENDERED_REPLIES_KEPT = 256
NO_LINK_PREVIEW = LinkPreviewOptions(is_disabled=True)
# As PTB puts it on the wire (the JSON of its dict), made once rather than for every message.
NO_LINK_PREVIEW_JSON = json.dumps(NO_LINK_PREVIEW.to_dict())


@lru_cache(maxsize=RENDERED_REPLIES_KEPT)
def _rendered(reply: Reply, spoiler_safe: bool) -> tuple[TelegramMessage, ...]:
    return tuple(render(reply, spoiler_safe=spoiler_safe))


def render_once(reply: Reply, *, spoiler_safe: bool) -> list[TelegramMessage]:
    """`render`, remembered for equal replies: rendering was the largest part of a command's
    own work (bench/telegram's profile). The cache keys on the reply without its
    idempotency key, which rendering never reads: a fan-out's posts each carry their own
    delivery's key, so keyed on the whole reply every post of a broadcast missed the cache,
    was rendered anew and pushed the command replies out of it."""
    if reply.idempotency_key is not None:
        reply = replace(reply, idempotency_key=None)
    try:
        return list(_rendered(reply, spoiler_safe))
    except TypeError:  # a reply holding something unhashable: render it every time
        return render(reply, spoiler_safe=spoiler_safe)


def keyboard_markup(message: TelegramMessage) -> InlineKeyboardMarkup | None:
    if not message.keyboard:
        return None
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.callback_data)
            for b in row
        ]
        for row in message.keyboard
    ]
    return InlineKeyboardMarkup(rows)


class TelegramSender:
    platform = PLATFORM

    def __init__(self, bot: Bot, callbacks: CallbackRegistry) -> None:
        self._bot = bot
        # Buttons whose command is too long for callback_data carry a hash; presses are
        # turned back into commands from the registry.
        self._callbacks = callbacks

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        message_id: str | None = None
        for message in self.split(chat, reply):
            message_id = await self.send_part(chat, message)
        return message_id

    # A post over 4096 characters is several messages: the delivery engine sends them one by
    # one (a `PartSender`), each within the chat's limit of about one a second.
    def split(self, chat: Chat, reply: Reply) -> list[TelegramMessage]:
        messages = render_once(reply, spoiler_safe=chat.spoiler_safe)
        if reply.attachment is not None:
            return with_photo(messages, reply.attachment)
        return messages

    async def send_part(self, chat: Chat, part: TelegramMessage) -> str:
        # A part's hashed buttons are kept (in the store) before it goes out, so a press
        # always finds its command, even after a restart.
        try:
            await self._callbacks.remember([part])
        except Exception as error:  # the store failing: the message matters more than a button
            log.warning("keeping button callbacks failed: %s", type(error).__name__)
        return await self.send_one(chat.ref.id, part)

    async def send_one(self, chat_id: str, message: TelegramMessage) -> str:
        if message.photo is not None:
            return await self.send_photo(chat_id, message, message.photo)
        # The parameters `Bot.send_message` sends, in its order (it drops those left None),
        # posted without building the answer into a `telegram.Message`: only its id is read,
        # and PTB's `Message.de_json` was the largest part of a fan-out's own CPU per message
        # (about 0.3 ms of 2.3, bench/telegram's profile).
        data: dict[str, object] = {
            "chat_id": _chat_id(chat_id),
            "text": message.text,
            "link_preview_options": NO_LINK_PREVIEW_JSON,
            "parse_mode": ParseMode.HTML,
            "reply_markup": keyboard_markup(message),
        }
        try:
            sent = await self._bot._post("sendMessage", data)
        except TelegramError as error:
            raise classify(error) from error
        return _message_id(sent)

    async def send_photo(self, chat_id: str, message: TelegramMessage, photo: Attachment) -> str:
        """A multipart upload (sendPhoto): the image with the message's text as its caption."""
        try:
            sent = await self._bot.send_photo(
                chat_id=_chat_id(chat_id),
                photo=photo.data,
                filename=photo.filename,
                caption=message.text or None,
                parse_mode=ParseMode.HTML if message.text else None,
                has_spoiler=photo.spoiler,
                reply_markup=keyboard_markup(message),
            )
        except TelegramError as error:
            raise classify(error) from error
        return str(sent.message_id)


def classify(error: TelegramError) -> errors.SendError:
    """The engine's name for what went wrong (see the module docstring)."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return errors.RetryAfter(seconds, str(error))
    if isinstance(error, ChatMigrated):
        return errors.ChatMigrated(str(error.new_chat_id), str(error))
    if isinstance(error, Forbidden):
        return errors.ChatBlocked(str(error))
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: test it first
        if any(marker in error.message.lower() for marker in GONE_CHAT_MARKERS):
            return errors.ChatBlocked(str(error))
        return errors.PermanentError(str(error))
    if isinstance(error, NetworkError):
        return errors.TransientError(str(error))
    return errors.PermanentError(str(error))


def _message_id(answer: object) -> str:
    """The id of the message a send's raw answer (a Message object's fields) describes."""
    if not isinstance(answer, dict) or "message_id" not in answer:
        raise errors.PermanentError(f"Telegram answered a send without a message: {answer!r}")
    return str(answer["message_id"])


def _chat_id(value: str) -> int | str:
    """Telegram chat ids are integers; channels may also be named "@channel"."""
    try:
        return int(value)
    except ValueError:
        return value
