"""What the admins' edit commands do on Discord: check the member, collect the edit (options,
rows pasted into a modal, an attached timing export), apply it at once or show the Editor's
preview with Confirm/Cancel and apply on Confirm.

Every step checks the member again (`allowed`): the command, the modal submit, each button
and the attachment (before it is downloaded). A member who is not one of Pitboard's admins
(`discord.admins` in the config) gets "Sorry, /edit is only for Pitboard's admins." and
nothing is read, previewed or written. Everything here is answered ephemerally: only the
admin who edits sees the dialogue; what fans see is the posts the edit causes.

The options and rows are parsed as the `/edit` text of every platform (`edit_text`); applying,
validating, the audit log and the reload are the Editor's (`bot.editing`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import discord

from bot.chats.edits import outcome_reply
from bot.chats.router import actor_of
from bot.core.i18n import N_, _, language_from_tag, use_language
from bot.core.reply import Reply, ReplyStatus, problem
from bot.editing import Actor, Editor
from bot.frontends.discord import edit_replies as replies
from bot.frontends.discord import edit_targets as targets
from bot.frontends.discord.edit_proposals import (
    EditProposal,
    ImportProposal,
    Proposal,
)
from bot.frontends.discord.edit_text import Parsed, RowsFor, parsed, rows_command
from bot.frontends.discord.edit_views import ConfirmView, Dialogues, RowsModal

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend

log = logging.getLogger("pitboard.discord")

REFUSAL = N_("Sorry, /edit is only for Pitboard's admins.")
# Checked before downloading: a wrong upload (a video) is refused without being fetched.
FILE_MAX_BYTES = 2_000_000


P = ParamSpec("P")
R = TypeVar("R")
# i18n: not user text (a type name)
Step = Callable[Concatenate["DiscordEdits", discord.Interaction, P], Awaitable[R]]


def in_chat_language(step: Step[P, R]) -> Step[P, R]:
    """The step's own words (refusals, previews, problems) in the chat's language."""

    async def spoken(
        self: DiscordEdits, interaction: discord.Interaction, /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        async with self.speaking(interaction):
            return await step(self, interaction, *args, **kwargs)

    return spoken


class DiscordEdits:
    def __init__(self, frontend: DiscordFrontend, editor: Editor) -> None:
        self._frontend = frontend
        self._editor = editor
        self.dialogues = Dialogues(self)

    # -- who ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def speaking(self, interaction: discord.Interaction) -> AsyncIterator[None]:
        """The chat's stored language and clock; a chat not stored yet: its server's preferred
        locale, or a DM's user's (as a new chat would start)."""
        caller = self._frontend.caller(interaction)
        chat = await self._frontend.store.get_chat(caller.chat)
        if chat is not None:
            language, clock_24h = chat.language, chat.clock_24h
        else:
            language, clock_24h = language_from_tag(caller.language), None
        with use_language(language, clock_24h):
            yield

    def is_admin(self, interaction: discord.Interaction) -> bool:
        return self._frontend.caller(interaction).is_admin

    def actor(self, interaction: discord.Interaction) -> Actor:
        """Who edits, as the audit log names them: `discord:987 (anna#0)`."""
        return actor_of(self._frontend.caller(interaction))

    async def allowed(self, interaction: discord.Interaction) -> bool:
        """Whether the member may edit; a member who may not is told so, privately."""
        if self.is_admin(interaction):
            return True
        log.info("discord: refused an edit to user %s", interaction.user.id)
        await self.answer(interaction, problem(ReplyStatus.INVALID, _(REFUSAL)))
        return False

    async def expired(self, interaction: discord.Interaction) -> None:
        """A button or modal already answered, timed out, or opened before a restart."""
        gone = _("This edit dialogue is over (done, cancelled or expired); run the command again.")
        await self.answer(interaction, problem(ReplyStatus.INVALID, gone))

    async def failed(self, interaction: discord.Interaction, error: Exception) -> None:
        """An edit step broke (a bug, a disk error): the admin hears so; the bot goes on."""
        log.error("discord: an edit failed: %r", error, exc_info=error)
        sorry = problem(
            ReplyStatus.INVALID,
            _(
                "Sorry, something went wrong with this edit. It has been logged; "
                "/audit shows what was applied."
            ),
        )
        pressed = interaction.type is discord.InteractionType.component
        if pressed and interaction.response.is_done():
            await self._replace(interaction, sorry)  # where the preview and its buttons were
        else:
            await self.answer(interaction, sorry)

    # -- the commands ------------------------------------------------------------------------

    @in_chat_language
    async def apply_now(self, interaction: discord.Interaction, line: Callable[[], str]) -> None:
        """A one-line edit, applied at once as the chat text commands apply it. `line` makes
        its `/edit` text from the options (ValueError: an option that cannot go in it)."""
        if not await self._start(interaction):
            return
        edit, problems = self._parsed(line)
        if edit is None or problems:
            await self.answer(interaction, replies.problems_reply(problems))
            return
        outcome = await EditProposal(self._editor, edit).apply(self.actor(interaction))
        await self.answer(interaction, outcome_reply(outcome))

    @in_chat_language
    async def propose(self, interaction: discord.Interaction, line: Callable[[], str]) -> None:
        """A bigger edit (a new event or session): previewed, applied on Confirm."""
        if not await self._start(interaction):
            return
        await self._propose(interaction, self._proposal(self._parsed(line)))

    def _proposal(self, made: Parsed) -> Proposal | list[str]:
        edit, problems = made
        return problems if edit is None or problems else EditProposal(self._editor, edit)

    def _parsed(self, line: Callable[[], str], rows: str | None = None) -> Parsed:
        try:
            return parsed(line(), self._frontend.catalogs.current, rows)
        except ValueError as error:
            return None, [str(error)]

    @in_chat_language
    async def ask_for_rows(self, interaction: discord.Interaction, target: RowsFor) -> None:
        """The modal for the rows, once what they are for is known (not after the pasting)."""
        if not await self.allowed(interaction):
            return
        try:
            target = targets.resolved(self._frontend.catalogs.current, target)
        except ValueError as error:
            await self.answer(interaction, replies.problems_reply([str(error)]))
            return
        modal = RowsModal(
            self.dialogues,
            title=replies.modal_title(target, self._frontend.catalogs.current),
            label=_(replies.ROWS_LABEL),
            placeholder=replies.PLACEHOLDERS[target.kind],
            on_rows=lambda submitted, rows: self._rows_submitted(submitted, rows, target),
        )
        await interaction.response.send_modal(modal)

    async def _rows_submitted(
        self, interaction: discord.Interaction, rows: str, target: RowsFor
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        made = self._parsed(lambda: rows_command(target), rows)
        await self._propose(interaction, self._proposal(made))

    @in_chat_language
    async def import_file(
        self, interaction: discord.Interaction, attachment: discord.Attachment, target: RowsFor
    ) -> None:
        if not await self._start(interaction):
            return  # refused before the file is even downloaded
        try:
            session = targets.session_id(self._frontend.catalogs.current, target.target_id)
        except ValueError as error:
            await self.answer(interaction, replies.problems_reply([str(error)]))
            return
        if attachment.size > FILE_MAX_BYTES:
            too_big = _("{file} is too big for a classification export.").format(
                file=attachment.filename
            )
            await self.answer(interaction, replies.problems_reply([too_big]))
            return
        try:
            data = await attachment.read()
        except discord.HTTPException as error:
            log.warning("discord: downloading %s failed: %s", attachment.filename, error.status)
            failed = _("I could not download {file}; please attach it again.").format(
                file=attachment.filename
            )
            await self.answer(interaction, replies.problems_reply([failed]))
            return
        complete = True if target.complete else None
        proposal = ImportProposal(self._editor, session, attachment.filename, data, complete)
        await self._propose(interaction, proposal)

    @in_chat_language
    async def undo(self, interaction: discord.Interaction, number: int) -> None:
        if not await self._start(interaction):
            return
        outcome = await self._editor.undo(number, self.actor(interaction))
        await self.answer(interaction, outcome_reply(outcome))

    @in_chat_language
    async def audit(self, interaction: discord.Interaction, count: int) -> None:
        if not await self._start(interaction):
            return
        await self.answer(interaction, replies.audit_reply(await self._editor.audit(count)))

    # -- the dialogue ------------------------------------------------------------------------

    async def _start(self, interaction: discord.Interaction) -> bool:
        """Check the member, then acknowledge in time: the work may take longer than 3 s."""
        if not await self.allowed(interaction):
            return False
        await interaction.response.defer(ephemeral=True, thinking=True)
        return True

    async def _propose(
        self, interaction: discord.Interaction, proposal: Proposal | list[str]
    ) -> None:
        if isinstance(proposal, list):
            await self.answer(
                interaction, replies.problems_reply(proposal or [_("Nothing to do.")])
            )
            return
        shown = await proposal.preview(self.actor(interaction))
        if not shown.ok:
            await self.answer(interaction, replies.problems_reply(list(shown.lines), shown.title))
            return

        async def confirm(pressed: discord.Interaction) -> None:
            await pressed.response.defer()  # the edit's reload may take longer than 3 s
            outcome = await proposal.apply(self.actor(pressed))
            await self._replace(pressed, outcome_reply(outcome))

        view = ConfirmView(self.dialogues, confirm, self._cancelled)
        await self.answer(interaction, replies.preview_reply(shown), view=view)

    async def _cancelled(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await self._replace(interaction, Reply(_("Cancelled: nothing was changed.")))

    # -- answering ---------------------------------------------------------------------------

    async def answer(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        *,
        view: discord.ui.View | None = None,
    ) -> None:
        """The reply, seen only by the member: as the interaction's answer, or as the followup
        that fills in a deferred one."""
        embeds = replies.embeds(reply)
        shown = view or discord.utils.MISSING
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embeds=embeds, view=shown, ephemeral=True)
            else:
                await interaction.response.send_message(embeds=embeds, view=shown, ephemeral=True)
        except discord.HTTPException as error:
            log.warning("discord: answering an edit failed: %s %s", error.status, error.code)

    async def _replace(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Put `reply` where the preview was, without its buttons."""
        try:
            await interaction.edit_original_response(embeds=replies.embeds(reply), view=None)
        except discord.HTTPException as error:
            log.warning("discord: updating a preview failed: %s %s", error.status, error.code)
