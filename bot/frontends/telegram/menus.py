"""The bot's command menu on Telegram: one list per language and per kind of chat.

Telegram shows a user the list set for the narrowest scope and their app's language that it
has (https://core.telegram.org/bots/api#determining-list-of-commands): English is the default
list (no language_code), Swedish and German lists are set for "sv" and "de". Per scope:

- private chats and the default scope: every command a fan can use;
- groups: the questions anyone may ask (changing what a group gets needs a group admin);
- group administrators: the questions and the chat-management commands, since the narrower
  admin list replaces the group list for them rather than adding to it.

The bot's own operator commands (/status, /reload, /announce) are never listed: they answer
only configured admins.
"""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
)

from bot.core.commands import COMMANDS, Command
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate_for

__all__ = ["MAX_DESCRIPTION", "Menu", "menus"]

MAX_DESCRIPTION = 256  # BotCommand.description: 1-256 characters
Menu = tuple[BotCommandScope, str | None, list[BotCommand]]

_FOR_EVERYONE = ("query", "feed")
_FOR_CHAT_ADMINS = ("query", "feed", "chat")


def _listed(scopes: tuple[str, ...]) -> list[Command]:
    return [c for c in COMMANDS if not c.admin_only and c.scope in scopes]


def menus() -> list[Menu]:
    """(scope, language_code or None for the default, commands) for every list to set."""
    by_scope: list[tuple[BotCommandScope, list[Command]]] = [
        (BotCommandScopeDefault(), _listed(_FOR_CHAT_ADMINS)),
        (BotCommandScopeAllPrivateChats(), _listed(_FOR_CHAT_ADMINS)),
        (BotCommandScopeAllGroupChats(), _listed(_FOR_EVERYONE)),
        (BotCommandScopeAllChatAdministrators(), _listed(_FOR_CHAT_ADMINS)),
    ]
    found: list[Menu] = []
    for language in LANGUAGES:
        code = None if language == DEFAULT_LANGUAGE else language
        for scope, commands in by_scope:
            listed = [
                BotCommand(c.name, translate_for(language, c.summary)[:MAX_DESCRIPTION])
                for c in commands
            ]
            found.append((scope, code, listed))
    return found
