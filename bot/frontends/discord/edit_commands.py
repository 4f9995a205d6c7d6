"""The admins' edit commands on Discord: `/edit <what>`, `/audit` and `/undo`.

- One-line edits (`time`, `cancel`, `reinstate`, `postpone`) apply at once, as the chat text
  commands do, and answer "Edit #N: … Undo with /undo N".
- Bigger ones show the Editor's preview with Confirm/Cancel first: `add-event`,
  `add-session`, `results` (a modal to paste rows into, or an attached timing export) and
  `standings` (a modal for the table).
- `/audit` lists the latest edits; `/undo N` undoes edit N (if nothing changed its files
  since), itself an edit in the log.

Series, events and sessions autocomplete from the catalog (`edit_choices`); a typed name is
resolved as everywhere else (`edit_targets`). The commands are hidden from members without
Manage Server (default member permissions: the most Discord allows, it cannot hide a command
from all but a list of users); every interaction is still checked against `discord.admins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.chats.edits import AUDIT_MAX, AUDIT_SHOWN
from bot.core.i18n import N_, NP_, _
from bot.core.model import SessionKind
from bot.frontends.discord.edit_choices import EditChoices
from bot.frontends.discord.edit_flow import DiscordEdits
from bot.frontends.discord.edit_text import RowsFor, command, quoted
from bot.frontends.discord.slash import arg_help, describe

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend

Choice = app_commands.Choice
MODES = [
    Choice(name=NP_("discord choice", "merge: correct or add rows"), value="merge"),
    Choice(name=NP_("discord choice", "replace: the whole classification"), value="replace"),
]
KINDS = [Choice(name=kind.value, value=kind.value) for kind in SessionKind]
HIDDEN = discord.Permissions(manage_guild=True)


def register_edit_commands(
    tree: app_commands.CommandTree[discord.Client], bot: DiscordFrontend, edits: DiscordEdits
) -> None:
    choices = EditChoices(lambda: bot.catalogs.current, edits.is_admin)
    edit = app_commands.Group(
        name="edit",
        description=N_("Admins: change the timetable, enter results or standings"),
        default_permissions=HIDDEN,
    )

    @edit.command(name="time", description=N_("Set or move a session's time (or make it TBA)"))
    @app_commands.describe(
        session=N_("the session"),
        date=N_("its day, YYYY-MM-DD (local to the event)"),
        time=N_("HH:MM local to the event, or TBA"),
    )
    @app_commands.autocomplete(session=choices.sessions)
    async def time_(interaction: discord.Interaction, session: str, date: str, time: str) -> None:
        await edits.apply_now(interaction, lambda: command("/edit time", session, date, time))

    @edit.command(name="cancel", description=N_("Cancel a session"))
    @app_commands.describe(session=N_("the session"))
    @app_commands.autocomplete(session=choices.sessions)
    async def cancel(interaction: discord.Interaction, session: str) -> None:
        await edits.apply_now(interaction, lambda: command("/edit cancel", session))

    @edit.command(name="reinstate", description=N_("Put a cancelled session back on the schedule"))
    @app_commands.describe(session=N_("the session"))
    @app_commands.autocomplete(session=choices.sessions)
    async def reinstate(interaction: discord.Interaction, session: str) -> None:
        await edits.apply_now(interaction, lambda: command("/edit reinstate", session))

    @edit.command(name="postpone", description=N_("Postpone a session: its time becomes TBA"))
    @app_commands.describe(session=N_("the session"), date=N_("its new day, YYYY-MM-DD (optional)"))
    @app_commands.autocomplete(session=choices.sessions)
    async def postpone(
        interaction: discord.Interaction, session: str, date: str | None = None
    ) -> None:
        await edits.apply_now(interaction, lambda: command("/edit postpone", session, date))

    @edit.command(name="add-event", description=N_("Add an event (a race weekend) to a series"))
    @app_commands.describe(
        series=N_("the series"),
        slug=N_("its id in the series, e.g. red-bull-ring"),
        name=N_("its name, e.g. Red Bull Ring"),
        timezone=N_("the track's IANA time zone, e.g. Europe/Vienna"),
        start=N_("first day, YYYY-MM-DD"),
        end=N_("last day, YYYY-MM-DD"),
        round_=N_("its round in the season"),
        track=N_("the track's id in tracks.toml"),
    )
    @app_commands.rename(round_="round")
    @app_commands.autocomplete(series=choices.series, track=choices.tracks)
    async def add_event(
        interaction: discord.Interaction,
        series: str,
        slug: str,
        name: str,
        timezone: str,
        start: str,
        end: str,
        round_: app_commands.Range[int, 1, 99] | None = None,
        track: str | None = None,
    ) -> None:
        await edits.propose(
            interaction,
            lambda: command(
                "/edit add-event", series, slug, f"name={quoted(name, _('the name'))}",
                f"tz={timezone}", f"from={start}", f"to={end}",
                f"round={round_}" if round_ else None, f"track={track}" if track else None,
            ),
        )  # fmt: skip

    @edit.command(name="add-session", description=N_("Add a session to an event"))
    @app_commands.describe(
        event=N_("the event"),
        slug=N_("its id in the event, e.g. race-3"),
        name=N_("its name, e.g. Race 3"),
        kind=N_("practice, qualifying, race, warmup or other"),
        date=N_("its day, YYYY-MM-DD (local to the event)"),
        time=N_("HH:MM local to the event, or TBA (the default)"),
        duration=N_("how long, e.g. 45m or 6h (optional)"),
    )
    @app_commands.autocomplete(event=choices.events)
    @app_commands.choices(kind=KINDS)
    async def add_session(
        interaction: discord.Interaction,
        event: str,
        slug: str,
        name: str,
        kind: str,
        date: str,
        time: str = "TBA",  # i18n: not user text (edit syntax)
        duration: str | None = None,
    ) -> None:
        await edits.propose(
            interaction,
            lambda: command(
                "/edit add-session", event, slug, f"name={quoted(name, _('the name'))}",
                f"kind={kind}", f"date={date}", f"time={time}",
                f"duration={duration}" if duration else None,
            ),
        )  # fmt: skip

    @edit.command(
        name="results", description=N_("Enter a session's results: paste rows, or attach")
    )
    @app_commands.describe(
        session=N_("the session"),
        mode=N_("pasted rows: merge (default) corrects or adds rows; replace is the whole list"),
        file=N_("a timing export (Al Kamel CSV, or a CSV with a header): replaces the results"),
        complete=N_("the rows are the whole classification (default: as the rows or file say)"),
    )
    @app_commands.autocomplete(session=choices.sessions)
    @app_commands.choices(mode=MODES)
    async def results(
        interaction: discord.Interaction,
        session: str,
        mode: str = "merge",
        file: discord.Attachment | None = None,
        complete: bool = False,
    ) -> None:
        target = RowsFor("results", session, mode=mode, complete=complete)
        if file is not None:
            await edits.import_file(interaction, file, target)
        else:
            await edits.ask_for_rows(interaction, target)

    @edit.command(name="standings", description=N_("Enter a published standings table"))
    @app_commands.describe(
        series=N_("the series"),
        after=N_("the event the table stands after"),
        note=N_("e.g. top three as published after round 1 of 7"),
    )
    @app_commands.autocomplete(series=choices.series, after=choices.events)
    async def standings(
        interaction: discord.Interaction, series: str, after: str, note: str | None = None
    ) -> None:
        target = RowsFor("standings", series, after_event=after, note=note)
        await edits.ask_for_rows(interaction, target)

    async def failed(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        async with edits.speaking(interaction):
            await edits.failed(interaction, getattr(error, "original", error))

    edit.error(failed)
    tree.add_command(edit)

    # /audit and /undo as the command table has them (the chat commands' summary, help and
    # limits), so Discord says what every other platform says.
    @tree.command(name="audit", description=describe("audit"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(count=arg_help("audit", "count"))
    async def audit(
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, AUDIT_MAX] | None = None,
    ) -> None:
        await edits.audit(interaction, count or AUDIT_SHOWN)

    @tree.command(name="undo", description=describe("undo"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(number=arg_help("undo", "edit"))
    async def undo(interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await edits.undo(interaction, number)

    audit.error(failed)
    undo.error(failed)
