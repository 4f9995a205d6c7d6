"""The Telegram front-end: python-telegram-bot's Application, bound to the command table.

Thin by design: an update becomes a command line and a `Caller`, the router answers with a
Reply, and the reply goes out through the delivery engine's priority lane (so a fan's answer
overtakes a running broadcast without breaking Telegram's limits). Everything the bot posts on
its own (reminders, starts, results) goes through the same engine as bulk.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, Update, User
from telegram import Chat as TgChat
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chats import Caller, Router
from bot.chats.health import ChannelHealth
from bot.config import TelegramConfig
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.commands import COMMANDS
from bot.core.reply import Reply
from bot.frontends.telegram.render import resolve_callback
from bot.frontends.telegram.sender import PLATFORM, TelegramSender
from bot.store.protocol import Store

log = logging.getLogger("pitboard.telegram")

Replier = Callable[[Chat, Reply], Awaitable[str | None]]
MANAGER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]


def chat_kind(chat_type: str) -> ChatKind:
    if chat_type == ChatType.PRIVATE:
        return ChatKind.PRIVATE
    if chat_type == ChatType.CHANNEL:
        return ChatKind.CHANNEL
    return ChatKind.GROUP


class TelegramFrontend:
    def __init__(
        self,
        config: TelegramConfig,
        token: str,
        router: Router,
        store: Store,
        catalogs: CatalogHolder,
        health: ChannelHealth,
        *,
        default_zone: str,
        default_reminders: tuple[int, ...],
    ) -> None:
        self._config = config
        self._router = router
        self._store = store
        self._catalogs = catalogs
        self._health = health
        self._default_zone = default_zone
        self._default_reminders = default_reminders
        self._admins = {str(admin) for admin in config.admins}
        base = config.api_base_url.rstrip("/")
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .build()
        )
        self._callbacks: dict[str, str] = {}
        self.sender = TelegramSender(self.application.bot, self._callbacks)
        self._replier: Replier | None = None
        self.application.add_handler(MessageHandler(filters.COMMAND, self._on_command))
        self.application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self._on_migrate))
        self.application.add_handler(CallbackQueryHandler(self._on_callback))
        self.application.add_handler(
            ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        self.application.add_error_handler(self._on_error)

    def attach(self, replier: Replier) -> None:
        """Where replies go: the delivery engine's priority lane (set once it exists)."""
        self._replier = replier

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        await app.bot.set_my_commands(
            [BotCommand(c.name, c.summary[:256]) for c in COMMANDS if not c.admin_only]
        )
        await self.check_channels()
        await app.start()
        assert app.updater is not None
        if self._config.mode == "webhook":
            await app.updater.start_webhook(
                listen=self._config.webhook_listen,
                port=self._config.webhook_port,
                webhook_url=self._config.webhook_url,
                allowed_updates=UPDATES,
            )
        else:
            await app.updater.start_polling(allowed_updates=UPDATES, timeout=10)
        log.info("telegram front-end started (%s)", self._config.mode)

    @staticmethod
    def token_rejected(error: BaseException) -> bool:
        """Whether a failed start means the token is wrong (retrying cannot help)."""
        return isinstance(error, InvalidToken)

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def check_channels(self) -> None:
        """Register the configured channels; say clearly where the bot cannot post."""
        bot = self.application.bot
        for channel in self._config.channels:
            name = str(channel)
            try:
                chat = await bot.get_chat(channel)
                member = await bot.get_chat_member(chat.id, bot.id)
            except TelegramError as error:
                self._channel_problem(name, f"cannot reach the channel: {error}")
                continue
            can_post = (
                member.status == ChatMemberStatus.ADMINISTRATOR
                and getattr(member, "can_post_messages", True) is not False
            )
            if not can_post:
                self._channel_problem(name, "the bot is not an admin with the right to post there")
                continue
            self._health.clear(name)
            await self._register_channel(ChatRef(PLATFORM, str(chat.id)))

    def _channel_problem(self, name: str, problem: str) -> None:
        self._health.report(name, problem)
        log.error("telegram channel %s: %s; other chats are served as usual", name, problem)

    async def _register_channel(self, ref: ChatRef) -> None:
        if await self._store.get_chat(ref) is None:
            await self._store.upsert_chat(
                Chat(
                    ref,
                    kind=ChatKind.CHANNEL,
                    zone=self._default_zone,
                    reminder_minutes=self._default_reminders,
                )
            )
        if await self._store.get_subscription(ref) is None:
            every_series = frozenset(self._catalogs.current.series)
            await self._store.set_subscription(Subscription(ref, series=every_series))

    # -- updates ----------------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        caller = await self._caller(chat, update.effective_user)
        reply = await self._router.handle(message.text, caller)
        await self._respond(caller.chat, reply)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        command = resolve_callback(query.data, self._callbacks)
        if command is None:
            await query.answer("This button has expired: please type the command instead.")
            return
        await query.answer()
        caller = await self._caller(query.message.chat, query.from_user)
        reply = await self._router.handle(command, caller)
        await self._respond(caller.chat, reply)

    async def _on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return
        old = ChatRef(PLATFORM, str(message.chat.id))
        new = ChatRef(PLATFORM, str(message.migrate_to_chat_id))
        await self._store.rewrite_chat(old, new)
        log.info("telegram group %s became supergroup %s", old.id, new.id)

    async def _on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        ref = ChatRef(PLATFORM, str(change.chat.id))
        status = change.new_chat_member.status
        gone = status in {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}
        if await self._store.get_chat(ref) is not None:
            await self._store.set_active(ref, not gone, "removed the bot" if gone else None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Never let a platform error end the bot; log its type and message, not the request.
        error = context.error
        log.warning("telegram update failed: %s: %s", type(error).__name__, error)

    # -- helpers ----------------------------------------------------------------------------

    async def _caller(self, chat: TgChat, user: User | None) -> Caller:
        kind = chat_kind(chat.type)
        user_id = str(user.id) if user else None
        is_admin = user_id is not None and user_id in self._admins
        return Caller(
            ChatRef(PLATFORM, str(chat.id)),
            kind,
            user_id=user_id,
            is_admin=is_admin,
            can_manage=is_admin or await self._can_manage(chat, kind, user),
        )

    async def _can_manage(self, chat: TgChat, kind: ChatKind, user: User | None) -> bool:
        if kind is not ChatKind.GROUP:
            return True  # a private chat is the fan's own; only admins post in a channel
        if user is None:
            return False
        try:
            member = await self.application.bot.get_chat_member(chat.id, user.id)
        except TelegramError:
            return False
        return member.status in MANAGER_STATUSES

    async def _respond(self, ref: ChatRef, reply: Reply) -> None:
        chat = await self._store.get_chat(ref)
        if chat is None or self._replier is None or reply.silent:
            return
        try:
            await self._replier(chat, reply)
        except Exception as error:  # the fan gets nothing; the bot keeps serving everyone
            log.warning("reply to %s failed: %s", ref, type(error).__name__)
