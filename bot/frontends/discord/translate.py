"""Slash commands in the reader's language: discord.py asks this translator for each command's
name and description, each parameter's description and each choice's name, once per Discord
locale, when the commands are synced; Discord then shows a Swedish or German client the
localized texts. The texts come from the same catalogs as every reply.

Parameter names stay English (a member types `/standings series:…` either way), and so do the
values a choice sends: only what a reader sees changes.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.core.i18n import NP_, translate_for

__all__ = ["COMMAND_NAMES", "CatalogTranslator", "discord_language"]

# Discord's locales for the languages Pitboard speaks besides English (the default).
_LANGUAGES = {discord.Locale.swedish: "sv", discord.Locale.german: "de"}
CHOICE_CONTEXT = "discord choice"  # i18n: not user text (a catalog context)
NAME_CONTEXT = "discord command name"  # i18n: not user text (a catalog context)
# Lower case, no spaces (Discord's rule for command names), each under 32 characters.
COMMAND_NAMES = (
    NP_("discord command name", "help"),
    NP_("discord command name", "next"),
    NP_("discord command name", "schedule"),
    NP_("discord command name", "watch"),
    NP_("discord command name", "standings"),
    NP_("discord command name", "chart"),
    NP_("discord command name", "results"),
    NP_("discord command name", "driver"),
    NP_("discord command name", "track"),
    NP_("discord command name", "subscribe"),
    NP_("discord command name", "unsubscribe"),
    NP_("discord command name", "settings"),
    NP_("discord command name", "calendar"),
    NP_("discord command name", "status"),
    NP_("discord command name", "reload"),
    NP_("discord command name", "announce"),
    NP_("discord command name", "recap"),
    NP_("discord command name", "edit"),
    NP_("discord command name", "audit"),
    NP_("discord command name", "undo"),
)


def discord_language(locale: discord.Locale) -> str | None:
    return _LANGUAGES.get(locale)


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = discord_language(locale)
        if language is None:
            return None  # English everywhere else: the command's own text
        message = string.message
        match context.location:
            case Where.command_name:
                found = translate_for(language, message, NAME_CONTEXT)
            case Where.command_description | Where.group_description | Where.parameter_description:
                found = translate_for(language, message)
            case Where.choice_name:
                # The standings tables' names; a series' name is the same in every language.
                found = translate_for(language, message, "standings table")
                if found == message:  # the /edit group's choices
                    found = translate_for(language, message, CHOICE_CONTEXT)
            case _:
                return None
        # None for a message the catalog does not translate: Discord then shows the English.
        return found if found != message else None
