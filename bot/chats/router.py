"""One entry point for every chat command, whatever the platform.

Catalog questions go to the core service (in the chat's own time zone), follows and settings to
`ChatSettings`, operator commands to `Admin` — and only for admins. Nothing a fan types can
raise out of here: an unexpected error is logged and answered politely.

`answer` also hands back the chat's stored row as it stands once the command is done, so a
front-end renders and sends the reply without reading the same row again: one read per
command that changes nothing, and a fresh read after one that may have (a follow, a setting,
an operator's command), so a reply is never rendered with a row the command just changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.charts import ChartMaker
from bot.chats.admin import Admin
from bot.chats.chart import chart_reply
from bot.chats.edits import EditCommands
from bot.chats.settings import ChatSettings
from bot.chats.throttle import CommandThrottle
from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.commands import find_command, parse_arguments, split_command_line
from bot.core.i18n import _, language_from_tag, use_language
from bot.core.reply import Reply, ReplyStatus, problem
from bot.core.service import ChatContext, Service, unknown_command
from bot.editing import Actor
from bot.feeds.links import NOT_OFFERED, CalendarLinks

log = logging.getLogger("pitboard.commands")


@dataclass(frozen=True)
class Caller:
    chat: ChatRef
    chat_kind: ChatKind = ChatKind.PRIVATE
    user_id: str | None = None
    is_admin: bool = False
    # How the user is shown in the audit log of their edits ("@anna", "anna#0"), if known.
    display: str | None = None
    # May change what this chat follows and its settings (Discord: Manage Server; Telegram
    # groups: an admin of the group).
    can_manage: bool = True
    # The platform's word on the asker's language (Telegram's language_code, Discord's guild
    # or user locale): a chat seen for the first time starts in it.
    language: str | None = None


@dataclass(frozen=True)
class Answer:
    reply: Reply
    # The chat as stored after the command; None when the command never reached the store
    # (a throttled fan's "slow down") or its row could not be read.
    chat: Chat | None = None


class Router:
    def __init__(
        self,
        service: Service,
        settings: ChatSettings,
        admin: Admin | None,
        *,
        throttle: CommandThrottle | None = None,
        on_answered: Callable[[str, Caller, float], None] | None = None,
        charts: ChartMaker | None = None,
        calendar: CalendarLinks | None = None,
        edits: EditCommands | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self._admin = admin
        self._throttle = throttle or CommandThrottle()
        # Told (line, caller, seconds taken) after each command: the metrics' latency.
        self._on_answered = on_answered
        self.charts = charts or ChartMaker()
        # /calendar's links (bot.feeds); None: no feeds on this bot at all.
        self._calendar = calendar
        # /edit, /audit, /undo (bot.chats.edits); None: this bot takes no edits.
        self._edits = edits

    async def handle(self, text: str, caller: Caller) -> Reply:
        return (await self.answer(text, caller)).reply

    async def answer(self, text: str, caller: Caller) -> Answer:
        """The reply to `text`, and the chat's row to render and send it with."""
        if self._on_answered is None:
            return await self._answer(text, caller)
        started = time.perf_counter()  # a duration measured, not a moment: no clock needed
        answer = await self._answer(text, caller)
        self._on_answered(text, caller, time.perf_counter() - started)
        return answer

    async def _answer(self, text: str, caller: Caller) -> Answer:
        name, rest = split_command_line(text)
        # The bot's admins (the operator at the terminal, scripts piping commands) are exempt.
        # Per fan in a chat: one member spamming a busy channel must not silence the others.
        key = (caller.chat, caller.user_id)
        verdict = "ok" if caller.is_admin else self._throttle.check(key)
        if verdict != "ok":
            wait = max(1, round(self._throttle.wait_seconds(key)))
            with use_language(language_from_tag(caller.language)):
                message = _("Slow down a little: try again in {seconds} s.").format(seconds=wait)
            reply = problem(ReplyStatus.INVALID, message)
            return Answer(replace(reply, silent=verdict == "drop"))
        chat: Chat | None = None
        try:
            # Every chat that writes is stored first, so even a refusal has somewhere to go.
            chat = await self.settings.chat(caller.chat, caller.chat_kind, caller.language)
            # The reply is written in the chat's language, with its clock.
            with use_language(chat.language, chat.clock_24h):
                reply = await self._route(name, rest, text, caller, chat)
            if _may_change_chat(name):
                chat = await self.settings.stored(caller.chat)
            return Answer(reply, chat)
        except Exception:
            log.exception("command /%s failed in %s", name, caller.chat)
            with use_language(chat.language if chat else caller.language):
                sorry = problem(
                    ReplyStatus.INVALID,
                    _(
                        "Sorry, something went wrong answering /{command}. It has been "
                        "logged; please try again in a moment."
                    ).format(command=name),
                )
            return Answer(sorry, chat)

    async def _route(self, name: str, rest: str, text: str, caller: Caller, chat: Chat) -> Reply:
        command = find_command(name)
        if command is None:
            return unknown_command(name)
        if command.scope == "admin" and (not caller.is_admin or self._admin is None):
            return problem(
                ReplyStatus.INVALID,
                _("Sorry, /{command} is only for Pitboard's admins.").format(command=command.name),
            )
        if command.scope == "chat" and not caller.can_manage:
            return problem(
                ReplyStatus.INVALID,
                _(
                    "Sorry, /{command} changes what this chat gets, so it needs a chat admin "
                    "(on Discord: the Manage Server permission)."
                ).format(command=command.name),
            )
        args = parse_arguments(command, rest)
        match command.scope, command.name:
            case "query", "help":
                return await self.service.help(args.get("command"), admin=caller.is_admin)
            case "query", "chart" if "series" in args:
                followed = await self.settings.followed_drivers(caller.chat)
                return await chart_reply(self.service, self.charts, chat, args["series"], followed)
            case "query", _:
                return await self.service.handle(
                    text, ChatContext(zone=chat.zone, language=chat.language)
                )
            case "chat", "subscribe":
                return await self.settings.subscribe(
                    caller.chat, caller.chat_kind, args.get("what")
                )
            case "chat", "unsubscribe":
                return await self.settings.unsubscribe(
                    caller.chat, caller.chat_kind, args.get("what")
                )
            case "chat", "settings":
                return await self.settings.settings(
                    caller.chat, caller.chat_kind, args.get("setting"), args.get("value")
                )
            case "feed", "calendar":
                if self._calendar is None:
                    return problem(ReplyStatus.EMPTY, NOT_OFFERED)
                return await self._calendar.reply(
                    caller.chat, args.get("what"), operator=caller.is_admin
                )
        assert self._admin is not None
        match command.name:
            case "status":
                # Other chats' ids are for the admin's eyes only, never a group's or channel's.
                private = caller.chat_kind is ChatKind.PRIVATE
                return await self._admin.status(chat.zone, private=private)
            case "reload":
                return await self._admin.reload()
            case "announce":
                return await self._admin.announce(args.get("text"))
            case "edit" | "audit" | "undo" if self._edits is None:
                return problem(ReplyStatus.EMPTY, _("This bot takes no edits."))
            case "edit":
                assert self._edits is not None
                return await self._edits.edit(text, actor_of(caller))
            case "audit":
                assert self._edits is not None
                private = caller.chat_kind is ChatKind.PRIVATE
                return await self._edits.audit(args.get("count"), chat.zone, private=private)
            case "undo":
                assert self._edits is not None
                return await self._edits.undo(args.get("edit"), actor_of(caller))
        raise AssertionError(f"/{command.name} is in the table but has no route")


def actor_of(caller: Caller) -> Actor:
    """Who makes an edit from a chat, as the audit log names them."""
    return Actor(caller.chat.platform, caller.user_id, caller.display, caller.is_admin)


def _may_change_chat(name: str) -> bool:
    """Whether the command may have changed the chat's row: only catalog questions cannot."""
    command = find_command(name)
    return command is not None and command.scope != "query"
