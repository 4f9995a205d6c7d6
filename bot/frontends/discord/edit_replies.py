"""What the /edit dialogue shows the admin: a preview, the problems (nothing changed), the audit
log; rendered as every other Discord reply. An applied edit is answered as on every platform
(`bot.chats.edits.outcome_reply`: "Edit #N done … Undo with /undo N")."""

from __future__ import annotations

import discord

from bot.chats.edits import audit_lines
from bot.core.catalog import Catalog
from bot.core.i18n import N_, _, ngettext
from bot.core.reply import (
    Reply,
    ReplyStatus,
    Style,
    line,
    paragraph,
    text,
)
from bot.frontends.discord.edit_proposals import Shown
from bot.frontends.discord.edit_text import RowsFor
from bot.frontends.discord.render import render_once
from bot.frontends.discord.sender import to_embed
from bot.store.records import EditRecord

LINES_MAX = 40  # a preview of a 40-car classification still fits one embed
# Example rows in the syntax the Editor reads (its keywords stay English), names from the data.
PLACEHOLDERS = {
    # i18n: not user text (edit syntax)
    "results": "1 #7 laps=23 time=25:03.456\n2 jessica fl\nDNS #33 - fuel pump",
    # i18n: not user text (edit syntax)
    "standings": "1 Martin Andersen 65\n2 Jonas Karklys 55\n3 Jessica Bäckman 44",
}
ROWS_LABEL = N_("Rows (one per line, or a CSV)")


def embeds(reply: Reply) -> list[discord.Embed]:
    return [to_embed(embed) for message in render_once(reply) for embed in message.embeds][:10]


def limited(lines: list[str]) -> list[str]:
    if len(lines) <= LINES_MAX:
        return lines
    more = len(lines) - LINES_MAX
    return [
        *lines[:LINES_MAX],
        ngettext("… and {n} more line", "… and {n} more lines", more).format(n=more),
    ]


def modal_title(target: RowsFor, catalog: Catalog) -> str:
    if target.kind == "results":
        session = catalog.sessions.get(target.target_id)
        return _("Results: {session}").format(session=session.name) if session else _("Results")
    series = catalog.series.get(target.target_id)
    if series is None:
        return _("Standings")
    return _("Standings: {series}").format(series=series.short_name or series.name)


def preview_reply(shown: Shown) -> Reply:
    # As code: the changed file lines and an import's aligned columns read as they are.
    lines = [line(text(entry, Style.CODE)) for entry in limited(list(shown.lines))]
    confirm = _("Confirm to apply it.") if lines else _("(no visible change) Confirm to apply it.")
    return Reply(_("Preview: {edit}").format(edit=shown.title), (paragraph(*lines, confirm),))


def problems_reply(problems: list[str], what: str = "") -> Reply:
    title = _("Nothing was changed: {edit}").format(edit=what) if what else _("Nothing was changed")
    return Reply(title, (paragraph(*limited(problems)),), status=ReplyStatus.INVALID)


def audit_reply(records: list[EditRecord]) -> Reply:
    """The latest edits, newest first, with who made each: the answer is seen only by the
    admin who asked (ephemeral), as in their private chat (`bot.chats.edits`)."""
    if not records:
        return Reply(_("Edits"), (paragraph(_("No edits yet.")),), status=ReplyStatus.EMPTY)
    # Discord shows every moment in the reader's own zone: the zone given here is not used.
    lines = audit_lines(records, "UTC", private=True)  # i18n: not user text (a zone name)
    return Reply(_("Edits"), (paragraph(*lines, _("Undo one with /undo N.")),))
