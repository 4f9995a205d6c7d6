"""What the admins' edit commands do on Discord: check the member, collect the rows (a modal or
an attached file), show the Editor's preview with Confirm/Cancel, apply on Confirm.

Every step checks the member again (`allowed`): the command, the modal submit, each button
and the attachment (before it is downloaded). A member who is not one of Pitboard's admins
(`discord.admins` in the config) gets "Sorry, /edit is only for Pitboard's admins." and
nothing is read, previewed or written. Everything here is answered ephemerally: only the
admin who edits sees the dialogue; what fans see is the posts the edit causes.

Turning text or a file into a proposal is `edit_inputs`' job; applying it, validating it, the
audit log and the reload are the Editor's (`bot.editing`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import discord

from bot.core.catalog import Catalog
from bot.core.edits.operations import Edit
from bot.core.reply import (
    Moment,
    MomentStyle,
    Reply,
    ReplyStatus,
    Style,
    bold,
    line,
    paragraph,
    problem,
    text,
)
from bot.editing import Actor, Editor
from bot.frontends.discord.edit_proposals import Done, EditProposal, Proposal, Shown
from bot.frontends.discord.edit_views import ConfirmView, Dialogues, RowsModal
from bot.frontends.discord.render import render_once
from bot.frontends.discord.sender import PLATFORM, to_embed
from bot.store.records import EditRecord

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend

log = logging.getLogger("pitboard.discord")

REFUSAL = "Sorry, /edit is only for Pitboard's admins."
PREVIEW_LINES_MAX = 40
# Checked before downloading: a wrong upload (a video) is refused without being fetched.
FILE_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class RowsFor:
    """What pasted rows are for: a session's results or a series' standings."""

    kind: str  # "results" | "standings"
    target_id: str  # the session id, or the series id
    after_event: str | None = None  # standings: the event they stand after
    mode: str = "merge"  # results: "merge" (correct/add rows) or "replace"


class EditInputs(Protocol):
    """Turns what an admin handed in into a proposal, or the problems with it."""

    def rows(
        self, editor: Editor, text: str, target: RowsFor, catalog: Catalog
    ) -> Proposal | list[str]: ...

    def file(
        self, editor: Editor, data: bytes, filename: str, target: RowsFor
    ) -> Proposal | list[str]: ...


class DiscordEdits:
    def __init__(
        self,
        frontend: DiscordFrontend,
        editor: Editor,
        inputs: EditInputs,
    ) -> None:
        self._frontend = frontend
        self._editor = editor
        self._inputs = inputs
        self.dialogues = Dialogues(self)

    # -- who ---------------------------------------------------------------------------------

    def is_admin(self, interaction: discord.Interaction) -> bool:
        return self._frontend.caller(interaction).is_admin

    def actor(self, interaction: discord.Interaction) -> Actor:
        user = interaction.user
        display = f"{user.name}#{user.discriminator}"
        return Actor(PLATFORM, str(user.id), display, self.is_admin(interaction))

    async def allowed(self, interaction: discord.Interaction) -> bool:
        """Whether the member may edit; a member who may not is told so, privately."""
        if self.is_admin(interaction):
            return True
        log.info("discord: refused an edit to user %s", interaction.user.id)
        await self.answer(interaction, problem(ReplyStatus.INVALID, REFUSAL))
        return False

    async def expired(self, interaction: discord.Interaction) -> None:
        """A button or modal already answered, timed out, or opened before a restart."""
        gone = "This edit dialogue is over (done, cancelled or expired); run the command again."
        await self.answer(interaction, problem(ReplyStatus.INVALID, gone))

    # -- the steps ---------------------------------------------------------------------------

    async def ask_for_rows(self, interaction: discord.Interaction, target: RowsFor) -> None:
        if not await self.allowed(interaction):
            return
        modal = RowsModal(
            self.dialogues,
            title=_modal_title(target, self._frontend.catalogs.current),
            label="Rows (one per line, or a CSV)",
            placeholder=_PLACEHOLDERS[target.kind],
            on_rows=lambda submitted, text: self.rows_submitted(submitted, text, target),
        )
        await interaction.response.send_modal(modal)

    async def rows_submitted(
        self, interaction: discord.Interaction, text: str, target: RowsFor
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        catalog = self._frontend.catalogs.current
        await self._propose(interaction, self._inputs.rows(self._editor, text, target, catalog))

    async def import_file(
        self, interaction: discord.Interaction, attachment: discord.Attachment, target: RowsFor
    ) -> None:
        if not await self.allowed(interaction):
            return  # refused before the file is even downloaded
        await interaction.response.defer(ephemeral=True, thinking=True)
        if attachment.size > FILE_MAX_BYTES:
            too_big = f"{attachment.filename} is too big for a classification export."
            await self.answer(interaction, _problems_reply([too_big]))
            return
        try:
            data = await attachment.read()
        except discord.HTTPException as error:
            log.warning("discord: downloading %s failed: %s", attachment.filename, error.status)
            failed = f"I could not download {attachment.filename}; please attach it again."
            await self.answer(interaction, _problems_reply([failed]))
            return
        made = self._inputs.file(self._editor, data, attachment.filename, target)
        await self._propose(interaction, made)

    async def apply_now(
        self, interaction: discord.Interaction, make: Callable[[Catalog], Edit]
    ) -> None:
        """A one-line edit built from the command's options, applied at once (as the chat
        text commands are); `make` raises ValueError for an option that names nothing."""
        edit = await self._made(interaction, make)
        if edit is not None:
            done = await EditProposal(self._editor, edit).apply(self.actor(interaction))
            await self.answer(interaction, _done_reply(done))

    async def propose(
        self, interaction: discord.Interaction, make: Callable[[Catalog], Edit]
    ) -> None:
        """An edit built from the command's options, previewed with Confirm/Cancel."""
        edit = await self._made(interaction, make)
        if edit is not None:
            await self._propose(interaction, EditProposal(self._editor, edit))

    async def _made(
        self, interaction: discord.Interaction, make: Callable[[Catalog], Edit]
    ) -> Edit | None:
        if not await self.allowed(interaction):
            return None
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            return make(self._frontend.catalogs.current)
        except ValueError as error:
            await self.answer(interaction, _problems_reply([str(error)]))
            return None

    async def undo(self, interaction: discord.Interaction, number: int) -> None:
        if not await self.allowed(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self._editor.undo(number, self.actor(interaction))
        problems = tuple(str(p) for p in outcome.problems)
        lines = outcome.changes if outcome.ok else problems
        await self.answer(
            interaction, _done_reply(Done(outcome.ok, outcome.summary, lines, outcome.edit_id))
        )

    async def audit(self, interaction: discord.Interaction, count: int) -> None:
        if not await self.allowed(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.answer(interaction, audit_reply(await self._editor.audit(count)))

    async def _propose(
        self, interaction: discord.Interaction, proposal: Proposal | list[str]
    ) -> None:
        if isinstance(proposal, list):
            await self.answer(interaction, _problems_reply(proposal or ["Nothing to change."]))
            return
        shown = await proposal.preview(self.actor(interaction))
        if not shown.ok:
            await self.answer(interaction, _problems_reply(list(shown.lines), shown.title))
            return

        async def confirm(pressed: discord.Interaction) -> None:
            await pressed.response.defer()  # the edit's reload may take longer than 3 s
            done = await proposal.apply(self.actor(pressed))
            await self._replace(pressed, _done_reply(done))

        view = ConfirmView(self.dialogues, confirm, self._cancelled)
        await self.answer(interaction, _preview_reply(shown), view=view)

    async def _cancelled(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await self._replace(interaction, Reply("Cancelled: nothing was changed."))

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
        embeds = _embeds(reply)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    embeds=embeds, view=view or discord.utils.MISSING, ephemeral=True
                )
            else:
                await interaction.response.send_message(
                    embeds=embeds, view=view or discord.utils.MISSING, ephemeral=True
                )
        except discord.HTTPException as error:
            log.warning("discord: answering an edit failed: %s %s", error.status, error.code)

    async def _replace(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Put `reply` where the preview was, without its buttons."""
        try:
            await interaction.edit_original_response(embeds=_embeds(reply), view=None)
        except discord.HTTPException as error:
            log.warning("discord: updating a preview failed: %s %s", error.status, error.code)


_PLACEHOLDERS = {
    "results": "1 #7 laps=23 time=25:03.456\n2 jessica fl\nDNS #33 - fuel pump",
    "standings": "1 martin-andersen 44\n2 jessica-backman 40",
}


def _modal_title(target: RowsFor, catalog: Catalog) -> str:
    if target.kind == "results":
        session = catalog.sessions.get(target.target_id)
        return f"Results: {session.name}" if session else "Results"
    series = catalog.series.get(target.target_id)
    return f"Standings: {series.short_name or series.name}" if series else "Standings"


def _embeds(reply: Reply) -> list[discord.Embed]:
    return [to_embed(embed) for message in render_once(reply) for embed in message.embeds][:10]


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= PREVIEW_LINES_MAX:
        return lines
    more = len(lines) - PREVIEW_LINES_MAX
    return [*lines[:PREVIEW_LINES_MAX], f"… and {more} more line{'s' if more > 1 else ''}"]


def _preview_reply(shown: Shown) -> Reply:
    # As code: the changed file lines and an import's aligned columns read as they are.
    lines = [line(text(entry, Style.CODE)) for entry in _limited(list(shown.lines))]
    confirm = "Confirm to apply it." if lines else "(no visible change) Confirm to apply it."
    return Reply(f"Preview: {shown.title}", (paragraph(*lines, confirm),))


def _done_reply(done: Done) -> Reply:
    if not done.ok:
        return _problems_reply(list(done.lines) or ["The edit failed."], done.summary)
    number = done.edit_id
    applied = f"Edit #{number}: {done.summary}. Undo with /undo {number}"
    return Reply("Edit applied", (paragraph(applied, *_limited(list(done.lines))),))


def audit_reply(records: list[EditRecord]) -> Reply:
    """The latest edits, newest first: number, when (in each reader's own zone), who, what."""
    if not records:
        return Reply("Edits", (paragraph("No edits yet."),), status=ReplyStatus.EMPTY)
    lines = [
        line(
            bold(f"#{record.id} "),
            Moment(record.at, "UTC", MomentStyle.DATETIME),
            f" {record.actor}: {record.summary}",
            f" (undone by #{record.undone_by})" if record.undone_by else "",
        )
        for record in records
    ]
    return Reply("Edits", (paragraph(*lines, "Undo one with /undo N."),))


def _problems_reply(problems: list[str], what: str = "") -> Reply:
    title = f"Nothing was changed: {what}" if what else "Nothing was changed"
    return Reply(title, (paragraph(*_limited(problems)),), status=ReplyStatus.INVALID)
