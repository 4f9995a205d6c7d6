"""The admins' edit commands on Discord: `/edit <what>`, `/audit` and `/undo`.

The one-line edits (a session's time, cancel, reinstate, postpone, a new event or session) and
`/audit`, `/undo` become the chat command line every platform understands, like every other
slash command (`slash.py`): one parser, one answer ("… undo with /undo N"), and the router's
admin check. Rows are different: `/edit results` opens a modal to paste them into (or reads
an attached timing export) and `/edit standings` opens one for the table; both show a preview
with Confirm/Cancel first (`edit_flow`).

The commands are hidden from members without Manage Server (default member permissions, the
most Discord allows: it cannot hide a command from all but a list of users); every
interaction is still checked against `discord.admins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.frontends.discord.edit_choices import EditChoices
from bot.frontends.discord.edit_flow import DiscordEdits, RowsFor
from bot.frontends.discord.slash import line

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend

Choice = app_commands.Choice
MODES = [
    Choice(name="merge: correct or add rows", value="merge"),
    Choice(name="replace: the whole classification", value="replace"),
]
TBA = "TBA"


def register_edit_commands(
    tree: app_commands.CommandTree[discord.Client], bot: DiscordFrontend, edits: DiscordEdits
) -> None:
    choices = EditChoices(lambda: bot.catalogs.current, edits.is_admin)
    edit = app_commands.Group(
        name="edit",
        description="Admins: change the timetable, enter results or standings",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def run(interaction: discord.Interaction, command_line: str) -> None:
        # The router refuses non-admins ("Sorry, /edit is only for Pitboard's admins.").
        await bot.answer(interaction, command_line)

    @edit.command(name="time", description="Set or move a session's time (or make it TBA)")
    @app_commands.describe(
        session="the session",
        date="its day, YYYY-MM-DD (local to the event)",
        time=f"HH:MM local to the event, or {TBA}",
    )
    @app_commands.autocomplete(session=choices.sessions)
    async def time_(interaction: discord.Interaction, session: str, date: str, time: str) -> None:
        await run(interaction, line("/edit time", session, date, time))

    @edit.command(name="cancel", description="Cancel a session")
    @app_commands.describe(session="the session")
    @app_commands.autocomplete(session=choices.sessions)
    async def cancel(interaction: discord.Interaction, session: str) -> None:
        await run(interaction, line("/edit cancel", session))

    @edit.command(name="reinstate", description="Undo a session's cancellation")
    @app_commands.describe(session="the session")
    @app_commands.autocomplete(session=choices.sessions)
    async def reinstate(interaction: discord.Interaction, session: str) -> None:
        await run(interaction, line("/edit reinstate", session))

    @edit.command(name="postpone", description="Postpone a session: its time becomes TBA")
    @app_commands.describe(session="the session", date="its new day, YYYY-MM-DD (optional)")
    @app_commands.autocomplete(session=choices.sessions)
    async def postpone(
        interaction: discord.Interaction, session: str, date: str | None = None
    ) -> None:
        await run(interaction, line("/edit postpone", session, date))

    @edit.command(name="results", description="Enter a session's results: paste rows, or attach")
    @app_commands.describe(
        session="the session",
        mode="merge (default): correct or add rows; replace: the whole classification",
        file="a timing export (Al Kamel CSV, or a CSV with a header) instead of pasting",
    )
    @app_commands.autocomplete(session=choices.sessions)
    @app_commands.choices(mode=MODES)
    async def results(
        interaction: discord.Interaction,
        session: str,
        mode: str = "merge",
        file: discord.Attachment | None = None,
    ) -> None:
        target = RowsFor("results", session, mode=mode)
        if file is not None:
            await edits.import_file(interaction, file, target)
        else:
            await edits.ask_for_rows(interaction, target)

    @edit.command(name="standings", description="Enter a published standings table")
    @app_commands.describe(series="the series", after="the event the table stands after")
    @app_commands.autocomplete(series=choices.series, after=choices.events)
    async def standings(interaction: discord.Interaction, series: str, after: str) -> None:
        await edits.ask_for_rows(interaction, RowsFor("standings", series, after_event=after))

    tree.add_command(edit)

    @tree.command(name="audit", description="Admins: the latest edits, who made them and when")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(count="how many (default 10)")
    async def audit(
        interaction: discord.Interaction, count: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        await run(interaction, line("/audit", str(count) if count else None))

    @tree.command(name="undo", description="Admins: undo an edit by its number (see /audit)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(number="the edit's number")
    async def undo(interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await run(interaction, line("/undo", str(number)))
