"""The Telegram front-end: python-telegram-bot's Application, bound to the command table.

Thin by design: an update becomes a command line and a `Caller`, the router answers with a
Reply, and the reply goes out through the delivery engine's priority lane (so a fan's answer
overtakes a running broadcast without breaking Telegram's limits). Everything the bot posts on
its own (reminders, starts, results) goes through the same engine as bulk.

Updates of different chats are handled at once, each chat's in order (`updates`): a reply
waits for its own chat's limit, never for another chat's. Start-up is in two steps: `prepare`
(who the bot is, its menu, the configured channels, which must be in the store before the
first plan) and `start` (receiving updates, by long polling or a secured webhook). Nothing the
Bot API answers at start-up, however malformed, ends the process: it is logged, and what
failed is reported or retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Chat as TgChat
from telegram import Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chats import Answer, Caller, Router
from bot.chats.connection import ConnectionState
from bot.chats.health import ChannelHealth
from bot.config import TelegramConfig
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.i18n import ChatLocale, _, language_from_tag, supported, use_language
from bot.core.reply import Reply
from bot.editing import Editor
from bot.frontends.telegram.answering import AnswerSlots
from bot.frontends.telegram.callbacks import CallbackRegistry
from bot.frontends.telegram.edit_flow import EDIT_GROUP, EditFlow
from bot.frontends.telegram.edit_gate import display_name
from bot.frontends.telegram.menus import menus
from bot.frontends.telegram.polling import PollingRecord, WatchedRequest
from bot.frontends.telegram.relay import RelayWorker
from bot.frontends.telegram.sender import PLATFORM, TelegramSender
from bot.frontends.telegram.transport import AiohttpRequest
from bot.frontends.telegram.updates import ChatOrderedUpdateProcessor
from bot.frontends.telegram.webhook import (
    WebhookServer,
    local_paths,
    public_url,
    webhook_secret,
)
from bot.store.protocol import Store
from bot.store.relay import UpdateRelay

log = logging.getLogger("pitboard.telegram")

Replier = Callable[[Chat, Reply], Awaitable[str | None]]
MANAGER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]
ANSWERING_AT_ONCE = 4
# How long an answer keeps its turn into sending its reply (bot.frontends.telegram.answering).
REPLY_HOLD_SECONDS = 0.1
# At shutdown, how long updates being handled may take to finish (a reply waiting for its
# chat's token is cut short after this).
STOP_GRACE_SECONDS = 5.0


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
        clock: Clock,
        default_zone: str,
        default_reminders: tuple[int, ...],
        webhook_secret: str | None = None,
    ) -> None:
        self._config = config
        self._router = router
        self._store = store
        self._catalogs = catalogs
        self._health = health
        self._clock = clock
        self._default_zone = default_zone
        self._default_reminders = default_reminders
        self._admins = {str(admin) for admin in config.admins}
        self._given_secret = webhook_secret
        base = config.api_base_url.rstrip("/")
        self.updates = ChatOrderedUpdateProcessor()
        # Working out answers is CPU and database work: a few at a time, first come first
        # served, so that fifty questions at once are answered one after another instead of
        # all together at the end. A reply's send keeps the turn only for its first moments.
        self._answering = AnswerSlots(ANSWERING_AT_ONCE, REPLY_HOLD_SECONDS)
        # Each getUpdates answer is recorded: a polling that stops getting through after the
        # start shows on /healthz (`connection_state`).
        self.polling = PollingRecord(clock)
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(AiohttpRequest())  # sends: a fraction of httpx's CPU per message
            .get_updates_request(WatchedRequest(self.polling))
            .concurrent_updates(self.updates)
            .build()
        )
        self.callbacks = CallbackRegistry(store, clock)
        self.sender = TelegramSender(self.application.bot, self.callbacks)
        self._replier: Replier | None = None
        self.webhook: WebhookServer | None = None
        self.relay: RelayWorker | None = None
        self.stop_grace = STOP_GRACE_SECONDS
        self._prepared = False
        self._receiving = False
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

    def enable_edits(self, editor: Editor) -> None:
        """The admins' guided /edit and file imports (bot.frontends.telegram.edit_flow), in a
        handler group before the fans' handlers; its replies take the same lane as theirs."""
        flow = EditFlow(
            editor,
            self._catalogs,
            self._clock,
            frozenset(self._admins),
            self._send_edit_reply,
            self._chat_locale,
        )
        self.application.add_handlers(flow.handlers(), group=EDIT_GROUP)

    async def _chat_locale(self, update: Update) -> ChatLocale:
        """The stored language and clock of the chat an edit step came from; a chat never seen
        yet: the admin's Telegram language, as the router starts a new chat in."""
        tg_chat = update.effective_chat
        chat = (
            None
            if tg_chat is None
            else await self._store.get_chat(ChatRef(PLATFORM, str(tg_chat.id)))
        )
        if chat is not None:
            return ChatLocale(supported(chat.language), chat.clock_24h)
        user = update.effective_user
        return ChatLocale(language_from_tag(user.language_code if user else None))

    async def _send_edit_reply(self, tg_chat: TgChat, reply: Reply) -> None:
        ref = ChatRef(PLATFORM, str(tg_chat.id))
        # A chat first met in an edit starts in the language its first step was written in
        # (the admin's Telegram language), as the router starts one.
        language = reply.locale.language
        chat = await self._router.settings.chat(ref, chat_kind(tg_chat.type), language)
        await self._respond(ref, Answer(reply, chat))

    # -- lifecycle --------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Learn who the bot is, set its menu, register the configured channels. Before the
        first plan: a channel unknown to the store would miss what the plan sends at once.
        Raises only when the bot itself cannot be reached (InvalidToken, network errors)."""
        if self._prepared:
            return
        await self.application.initialize()  # getMe
        self._prepared = True
        try:
            # A menu per language and kind of chat (bot.frontends.telegram.menus).
            for scope, language, commands in menus():
                await self.application.bot.set_my_commands(
                    commands, scope=scope, language_code=language
                )
        except Exception as error:  # the menu is a nicety; commands work without it
            log.error("telegram: setting the command menu failed: %s", _describe(error))
        await self.check_channels()

    async def prepare_for_plan(self) -> None:
        """`prepare`, except that Telegram being unreachable now is only logged: `start` tries
        again, and the announcer must not wait for Telegram. A wrong token is raised."""
        try:
            await self.prepare()
        except InvalidToken:
            raise
        except Exception as error:
            log.error("telegram not ready before the first plan: %s", _describe(error))

    async def start(self) -> None:
        """Start receiving updates. Raises when Telegram cannot be reached or refuses the
        token: bot.frontend_startup retries with backoff (and reports it on /status) while
        Discord and the announcements keep going, and stops the bot on a wrong token."""
        await self._start_once()

    async def _start_once(self) -> None:
        await self.prepare()
        app = self.application
        if not app.running:
            await app.start()
        if self._receiving:
            return
        assert app.updater is not None
        if self._config.mode == "webhook":
            await self._start_webhook()
        else:
            await app.updater.start_polling(allowed_updates=UPDATES, timeout=10)
        self._receiving = True
        log.info("telegram front-end started (%s)", self._config.mode)

    async def _start_webhook(self) -> None:
        secret = await webhook_secret(self._given_secret, self._store)
        base = self._config.webhook_url
        if self.webhook is None:
            self.relay = self._relay_worker()
            server = WebhookServer(
                self.application,
                listen=self._config.webhook_listen,
                port=self._config.webhook_port,
                paths=local_paths(base, secret),
                secret=secret,
                relay=None if self.relay is None else self.relay.receive,
            )
            await server.start()  # a port in use raises here, and the next try starts anew
            self.webhook = server
        if self.relay is not None:
            self.relay.start()
        await self.application.bot.set_webhook(
            public_url(base, secret), secret_token=secret, allowed_updates=UPDATES
        )

    def _relay_worker(self) -> RelayWorker | None:
        """Several webhook workers hand updates over through the store (bot.store.relay)."""
        workers = self._config.webhook_workers
        if workers <= 1:
            return None
        if not isinstance(self._store, UpdateRelay):
            raise ValueError("telegram.webhook_workers above 1 needs a PostgreSQL database")
        return RelayWorker(
            self.application, self._store, worker=self._config.webhook_worker, workers=workers
        )

    @staticmethod
    def token_rejected(error: BaseException) -> bool:
        """Whether a failed start means the token is wrong (retrying cannot help)."""
        return isinstance(error, InvalidToken)

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.relay is not None:
            await self.relay.stop()
        if app.running:
            await asyncio.gather(app.stop(), self.updates.settle(self.stop_grace))
        await app.shutdown()
        # A start that failed halfway is stopped before the next try, which begins afresh.
        self._prepared = self._receiving = False
        self.webhook = None

    def connection_state(self) -> ConnectionState:
        """Receiving updates now: polling's updater running and getUpdates getting through,
        or the webhook's server up (for /healthz; meaningful once `start` succeeded)."""
        if self._config.mode == "webhook":
            up = self.webhook is not None and self.webhook.running
            # i18n: not user text (the operator's /healthz)
            problem = None if up else "the webhook server is not running"
            return ConnectionState(problem, {"mode": "webhook", "webhook_server_up": up})
        updater = self.application.updater
        running = updater is not None and updater.running
        details: dict[str, object] = {"mode": "polling", "updater_running": running}
        details.update(self.polling.details())
        # i18n: not user text (the operator's /healthz)
        problem = self.polling.problem if running else "polling stopped"
        return ConnectionState(problem, details)

    async def check_channels(self) -> None:
        """Register the configured channels; say clearly where the bot cannot post. Whatever
        the Bot API answers (an error, or something that is not a chat at all), the bot goes on
        with the other channels."""
        bot = self.application.bot
        for channel in self._config.channels:
            name = str(channel)
            try:
                chat = await bot.get_chat(channel)
                member = await bot.get_chat_member(chat.id, bot.id)
            except TelegramError as error:
                # i18n: not user text (the operator's log and /healthz)
                self._channel_problem(name, f"cannot reach the channel: {error}")
                continue
            except Exception as error:  # a malformed answer: PTB cannot even read it
                # i18n: not user text (the operator's log and /healthz)
                self._channel_problem(name, f"Telegram's answer made no sense: {_describe(error)}")
                continue
            can_post = (
                member.status == ChatMemberStatus.ADMINISTRATOR
                and getattr(member, "can_post_messages", True) is not False
            )
            if not can_post:
                # i18n: not user text (the operator's log and /healthz)
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
        if self._addressed_elsewhere(message):
            return  # "/help@SomeOtherBot" in a group is for that bot
        async with self._answering.turn() as turn:
            caller = await self._caller(chat, update.effective_user)
            answer = await self._router.answer(message.text, caller)
            await turn.send(self._respond(caller.chat, answer))

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        command = await self.callbacks.resolve(query.data)
        if command is None:
            stored = await self._store.get_chat(ChatRef(PLATFORM, str(query.message.chat.id)))
            with use_language(stored.language if stored else None):
                expired = _("This button has expired: please type the command instead.")
            await query.answer(expired)
            return
        await query.answer()
        async with self._answering.turn() as turn:
            caller = await self._caller(query.message.chat, query.from_user)
            answer = await self._router.answer(command, caller)
            await turn.send(self._respond(caller.chat, answer))

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
            # i18n: not user text (a stored reason for the operator)
            await self._store.set_active(ref, not gone, "removed the bot" if gone else None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Never let a platform error end the bot; log its type and message, not the request.
        error = context.error
        log.warning("telegram update failed: %s: %s", type(error).__name__, error)

    # -- helpers ----------------------------------------------------------------------------

    def _addressed_elsewhere(self, message: Message) -> bool:
        """Whether the command names another bot ("/help@SomeOtherBot"); names are
        case-insensitive on Telegram."""
        for entity in message.entities:
            if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
                _, at, username = message.parse_entity(entity).partition("@")
                ours = self.application.bot.username or ""
                return bool(at) and username.casefold() != ours.casefold()
        return False

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
            # A new chat starts in the language of the fan who first writes to the bot.
            language=user.language_code if user else None,
            display=display_name(user) if user else None,  # the audit log's "(@anna)"
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

    async def _respond(self, ref: ChatRef, answer: Answer) -> None:
        reply = answer.reply
        if self._replier is None or reply.silent:
            return
        # The router hands back the row it read (or re-read after a change): no second read.
        chat = answer.chat or await self._store.get_chat(ref)
        if chat is None:
            return
        try:
            await self._replier(chat, reply)
        except Exception as error:  # the fan gets nothing; the bot keeps serving everyone
            log.warning("reply to %s failed: %s", ref, type(error).__name__)


def _describe(error: BaseException) -> str:
    """An error's type and message for the log (PTB's messages never hold the token)."""
    return f"{type(error).__name__}: {error}"
