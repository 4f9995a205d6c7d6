"""The slash commands: the command table's commands, their help and argument help, on Discord.

Discord needs typed parameters, so each command's parameters are declared here; names,
descriptions and argument help come from the table (a test checks the two agree). Every
callback turns its options back into the chat command line the router understands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.core import lookup
from bot.core.catalog import Catalog
from bot.core.commands import COMMANDS, TABLES, Command
from bot.core.i18n import N_, language_from_tag, use_language
from bot.core.names import Candidate, normalize
from bot.core.reply import ReplyStatus, problem
from bot.frontends.discord.permissions import cannot_post_message, missing_to_post

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend

Choice = app_commands.Choice
MAX_CHOICES = 25
SETTINGS = ("zone", "reminders", "spoilers", "chart", "language", "clock")
# Commands that only make sense elsewhere (Telegram's /start opens a private chat).
NOT_ON_DISCORD = frozenset({"start"})

_TABLE = {command.name: command for command in COMMANDS}


def describe(name: str) -> str:
    return _TABLE[name].summary[:100]


def arg_help(name: str, argument: str) -> str:
    command: Command = _TABLE[name]
    return next(a.help for a in command.arguments if a.name == argument)[:100]


def line(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def matching(
    query: str, candidates: list[Candidate], *, limit: int | None = MAX_CHOICES
) -> list[Choice[str]]:
    """Autocomplete: every word typed starts a word of the name (accents ignored), best first."""
    wanted = normalize(query).split()
    found = []
    for candidate in candidates:
        keys = candidate.match_keys()
        words = [word for key in keys for word in key.split()]
        if all(any(word.startswith(part) for word in words) for part in wanted) or any(
            "".join(wanted) in key.replace(" ", "") for key in keys
        ):
            found.append(Choice(name=candidate.label[:100], value=candidate.id))
    return found[:limit]


def register_commands(tree: app_commands.CommandTree[discord.Client], bot: DiscordFrontend) -> None:
    def catalog() -> Catalog:  # read at call time: a reload swaps the catalog
        return bot.catalogs.current

    async def series_or_driver(_: discord.Interaction, current: str) -> list[Choice[str]]:
        pool = lookup.series_candidates(catalog()) + lookup.driver_candidates(catalog())
        return matching(current, pool)

    async def events(_: discord.Interaction, current: str) -> list[Choice[str]]:
        return matching(current, lookup.event_candidates(catalog()))

    async def sessions(_: discord.Interaction, current: str) -> list[Choice[str]]:
        return matching(current, lookup.session_candidates(catalog()))

    async def drivers(_: discord.Interaction, current: str) -> list[Choice[str]]:
        return matching(current, lookup.driver_candidates(catalog()))

    async def tracks(_: discord.Interaction, current: str) -> list[Choice[str]]:
        return matching(current, lookup.track_candidates(catalog()))

    series_choices = [
        Choice(name=c.label[:100], value=c.id) for c in lookup.series_candidates(catalog())
    ][:MAX_CHOICES]

    @tree.command(name="help", description=describe("help"))
    @app_commands.describe(command=arg_help("help", "command"))
    async def help_(interaction: discord.Interaction, command: str | None = None) -> None:
        await bot.answer(interaction, line("/help", command))

    @tree.command(name="next", description=describe("next"))
    @app_commands.rename(what="filter")
    @app_commands.describe(what=arg_help("next", "filter"))
    @app_commands.autocomplete(what=series_or_driver)
    async def next_(interaction: discord.Interaction, what: str | None = None) -> None:
        await bot.answer(interaction, line("/next", what))

    @tree.command(name="schedule", description=describe("schedule"))
    @app_commands.describe(event=arg_help("schedule", "event"))
    @app_commands.autocomplete(event=events)
    async def schedule(interaction: discord.Interaction, event: str) -> None:
        await bot.answer(interaction, line("/schedule", event))

    @tree.command(name="watch", description=describe("watch"))
    @app_commands.describe(event=arg_help("watch", "event"))
    @app_commands.autocomplete(event=events)
    async def watch(interaction: discord.Interaction, event: str | None = None) -> None:
        await bot.answer(interaction, line("/watch", event))

    @tree.command(name="standings", description=describe("standings"))
    @app_commands.describe(
        series=arg_help("standings", "series"), table=arg_help("standings", "table")
    )
    @app_commands.choices(series=series_choices, table=[Choice(name=t, value=t) for t in TABLES])
    async def standings(
        interaction: discord.Interaction, series: str, table: str | None = None
    ) -> None:
        await bot.answer(interaction, line("/standings", series, table))

    @tree.command(name="chart", description=describe("chart"))
    @app_commands.describe(series=arg_help("chart", "series"))
    @app_commands.choices(series=series_choices)
    async def chart(interaction: discord.Interaction, series: str) -> None:
        await bot.answer(interaction, line("/chart", series))

    @tree.command(name="results", description=describe("results"))
    @app_commands.describe(session=arg_help("results", "session"))
    @app_commands.autocomplete(session=sessions)
    async def results(interaction: discord.Interaction, session: str) -> None:
        await bot.answer(interaction, line("/results", session))

    @tree.command(name="driver", description=describe("driver"))
    @app_commands.describe(name=arg_help("driver", "name"), event=arg_help("driver", "event"))
    @app_commands.autocomplete(name=drivers, event=events)
    async def driver(interaction: discord.Interaction, name: str, event: str | None = None) -> None:
        await bot.answer(interaction, line("/driver", name, event))

    @tree.command(name="recap", description=describe("recap"))
    @app_commands.describe(what=arg_help("recap", "what"), event=arg_help("recap", "event"))
    @app_commands.autocomplete(what=series_or_driver, event=events)
    async def recap(interaction: discord.Interaction, what: str, event: str | None = None) -> None:
        await bot.answer(interaction, line("/recap", what, event))

    @tree.command(name="track", description=describe("track"))
    @app_commands.describe(name=arg_help("track", "name"))
    @app_commands.autocomplete(name=tracks)
    async def track(interaction: discord.Interaction, name: str) -> None:
        await bot.answer(interaction, line("/track", name))

    @tree.command(name="calendar", description=describe("calendar"))
    @app_commands.describe(what=arg_help("calendar", "what"))
    @app_commands.autocomplete(what=series_or_driver)
    async def calendar(interaction: discord.Interaction, what: str | None = None) -> None:
        await bot.answer(interaction, line("/calendar", what))

    @tree.command(name="subscribe", description=describe("subscribe"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        what=arg_help("subscribe", "what"),
        channel=N_("the channel that gets the posts (default: this one)"),
        role=N_("a role to mention in the posts"),
    )
    @app_commands.autocomplete(what=series_or_driver)
    async def subscribe(
        interaction: discord.Interaction,
        what: str | None = None,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        caller = bot.caller(interaction, channel.id if channel else None)
        missing = missing_to_post(interaction, channel.id if channel else None)
        if missing is not None and caller.can_manage:
            # In the channel's language (the server's, for a channel not stored yet).
            stored = await bot.store.get_chat(caller.chat)
            language = stored.language if stored else language_from_tag(caller.language)
            with use_language(language):
                refusal = problem(ReplyStatus.INVALID, cannot_post_message(*missing))
            await bot.respond(interaction, refusal, caller.chat, ephemeral=True)
            return
        reply = await bot.answer(interaction, line("/subscribe", what), caller=caller)
        if role is not None and caller.can_manage and reply.status is ReplyStatus.OK:
            await bot.router.settings.set_mention_role(caller.chat, caller.chat_kind, str(role.id))

    @tree.command(name="unsubscribe", description=describe("unsubscribe"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        what=arg_help("unsubscribe", "what"), channel=N_("the channel (default: this one)")
    )
    @app_commands.autocomplete(what=series_or_driver)
    async def unsubscribe(
        interaction: discord.Interaction,
        what: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        caller = bot.caller(interaction, channel.id if channel else None)
        await bot.answer(interaction, line("/unsubscribe", what), caller=caller)

    @tree.command(name="settings", description=describe("settings"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        setting=arg_help("settings", "setting"), value=arg_help("settings", "value")
    )
    @app_commands.choices(setting=[Choice(name=s, value=s) for s in SETTINGS])
    async def settings(
        interaction: discord.Interaction, setting: str | None = None, value: str | None = None
    ) -> None:
        await bot.answer(interaction, line("/settings", setting, value))

    @tree.command(name="status", description=describe("status"))
    @app_commands.default_permissions(manage_guild=True)  # hidden from members; still checked
    async def status(interaction: discord.Interaction) -> None:
        await bot.answer(interaction, "/status")

    @tree.command(name="reload", description=describe("reload"))
    @app_commands.default_permissions(manage_guild=True)  # hidden from members; still checked
    async def reload(interaction: discord.Interaction) -> None:
        await bot.answer(interaction, "/reload")

    @tree.command(name="announce", description=describe("announce"))
    @app_commands.default_permissions(manage_guild=True)  # hidden from members; still checked
    @app_commands.describe(text=arg_help("announce", "text"))
    async def announce(interaction: discord.Interaction, text: str) -> None:
        await bot.answer(interaction, line("/announce", text))
