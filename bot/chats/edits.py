"""/edit, /audit and /undo in a chat: the admins' text commands, on every platform.

A text command applies at once (the guided Telegram flow and the Discord modal preview first)
and answers what changed and how to undo it. The Editor refuses a non-admin again (the router
already has): defence in depth. Replies are built here from the Editor's outcome, the same on
every platform.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.catalog import CatalogHolder
from bot.core.edits.commands import parse_edit_command, usage_lines
from bot.core.edits.problems import EditProblem
from bot.core.i18n import _
from bot.core.reply import Line, Moment, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.editing import Actor, Editor, EditOutcome
from bot.store.records import EditRecord

AUDIT_SHOWN = 10
AUDIT_MAX = 50
SHOWN_LINES = 20  # of an edit's changed lines


def outcome_reply(outcome: EditOutcome, *, preview_only: bool = False) -> Reply:
    """An edit's outcome as a chat shows it (also used for a preview's problems)."""
    if not outcome.ok:
        return problems_reply(outcome.problems, outcome.summary)
    shown: list[Line] = [line(outcome.summary)]
    for change in outcome.changes or ():
        shown.append(line(f"• {change}"))
    details = [line(text) for text in outcome.lines[:SHOWN_LINES]]
    if len(outcome.lines) > SHOWN_LINES:
        more = len(outcome.lines) - SHOWN_LINES
        details.append(line(_("… and {n} more lines").format(n=more)))
    blocks = [paragraph(*shown)]
    if details:
        blocks.append(paragraph(*details))
    # The command is bold, so the sentence is split around it: a placeholder would lose that.
    before, _placeholder, after = _("Undo with {command}").partition("{command}")
    undo = bold(f"/undo {outcome.edit_id}")
    blocks.append(paragraph(line(*(part for part in (before, undo, after) if part))))
    return Reply(title=_("Edit #{id} done").format(id=outcome.edit_id), blocks=tuple(blocks))


def problems_reply(problems: Sequence[EditProblem], summary: str = "") -> Reply:
    """Nothing changed, and why: one line per problem, with its line and column."""
    if len(problems) == 1 and not summary:
        return problem(ReplyStatus.INVALID, str(problems[0]))
    lines = [line(f"• {p}") for p in problems[:SHOWN_LINES]]
    if len(problems) > SHOWN_LINES:
        lines.append(line(_("… and {n} more").format(n=len(problems) - SHOWN_LINES)))
    intro = _("Not changed: {summary}").format(summary=summary) if summary else _("Not changed:")
    return Reply(
        title=_("Edit refused"),
        blocks=(paragraph(intro), paragraph(*lines)),
        status=ReplyStatus.INVALID,
    )


def audit_lines(records: Sequence[EditRecord], zone: str, *, private: bool) -> list[Line]:
    """One line per edit; who made it only in an admin's private chat (it names users)."""
    out: list[Line] = []
    for record in records:
        who = f" {record.actor}:" if private else ""
        undone = (
            " " + _("(undone by #{id})").format(id=record.undone_by) if record.undone_by else ""
        )
        out.append(
            line(f"#{record.id} ", Moment(record.at, zone), f"{who} {record.summary}{undone}")
        )
    return out


class EditCommands:
    def __init__(self, editor: Editor, catalogs: CatalogHolder) -> None:
        self._editor = editor
        self._catalogs = catalogs

    async def edit(self, text: str, actor: Actor) -> Reply:
        """`/edit ...`: the whole message, rows on the lines below the command included."""
        if len(text.split(maxsplit=1)) < 2:  # "/edit" alone: how to use it
            usage = paragraph(*(line(usage) for usage in usage_lines()))
            return Reply(title=_("Edit the schedules"), blocks=(usage,))
        parsed = parse_edit_command(text, self._catalogs.current)
        if parsed.edit is None:
            return problems_reply(parsed.problems)
        return outcome_reply(await self._editor.apply(parsed.edit, actor))

    async def audit(self, limit_text: str | None, zone: str, *, private: bool) -> Reply:
        limit = AUDIT_SHOWN
        if limit_text:
            if not limit_text.strip().isdigit() or int(limit_text) < 1:
                return problem(ReplyStatus.INVALID, _("Say how many edits to show, e.g. /audit 20"))
            limit = min(int(limit_text), AUDIT_MAX)
        records = await self._editor.audit(limit)
        if not records:
            return Reply(title=_("Edits"), blocks=(paragraph(_("No edits yet.")),))
        return Reply(
            title=_("Edits"), blocks=(paragraph(*audit_lines(records, zone, private=private)),)
        )

    async def undo(self, number: str | None, actor: Actor) -> Reply:
        if not number or not number.strip().lstrip("#").isdigit():
            return problem(
                ReplyStatus.INVALID, _("Which edit? /undo N (see /audit for the numbers)")
            )
        return outcome_reply(await self._editor.undo(int(number.strip().lstrip("#")), actor))
