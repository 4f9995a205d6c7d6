"""What the /edit dialogue shows the admin: a preview, the problems (nothing changed), the audit
log; rendered as every other Discord reply. An applied edit is answered as on every platform
(`bot.chats.edits.outcome_reply`: "Edit #N done … Undo with /undo N")."""

from __future__ import annotations

import discord

from bot.chats.edits import audit_lines
from bot.core.catalog import Catalog
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
PLACEHOLDERS = {
    "results": "1 #7 laps=23 time=25:03.456\n2 jessica fl\nDNS #33 - fuel pump",
    "standings": "1 Martin Andersen 65\n2 Jonas Karklys 55\n3 Jessica Bäckman 44",
}
ROWS_LABEL = "Rows (one per line, or a CSV)"


def embeds(reply: Reply) -> list[discord.Embed]:
    return [to_embed(embed) for message in render_once(reply) for embed in message.embeds][:10]


def limited(lines: list[str]) -> list[str]:
    if len(lines) <= LINES_MAX:
        return lines
    more = len(lines) - LINES_MAX
    return [*lines[:LINES_MAX], f"… and {more} more line{'s' if more > 1 else ''}"]


def modal_title(target: RowsFor, catalog: Catalog) -> str:
    if target.kind == "results":
        session = catalog.sessions.get(target.target_id)
        return f"Results: {session.name}" if session else "Results"
    series = catalog.series.get(target.target_id)
    return f"Standings: {series.short_name or series.name}" if series else "Standings"


def preview_reply(shown: Shown) -> Reply:
    # As code: the changed file lines and an import's aligned columns read as they are.
    lines = [line(text(entry, Style.CODE)) for entry in limited(list(shown.lines))]
    confirm = "Confirm to apply it." if lines else "(no visible change) Confirm to apply it."
    return Reply(f"Preview: {shown.title}", (paragraph(*lines, confirm),))


def problems_reply(problems: list[str], what: str = "") -> Reply:
    title = f"Nothing was changed: {what}" if what else "Nothing was changed"
    return Reply(title, (paragraph(*limited(problems)),), status=ReplyStatus.INVALID)


def audit_reply(records: list[EditRecord]) -> Reply:
    """The latest edits, newest first, with who made each: the answer is seen only by the
    admin who asked (ephemeral), as in their private chat (`bot.chats.edits`)."""
    if not records:
        return Reply("Edits", (paragraph("No edits yet."),), status=ReplyStatus.EMPTY)
    # Discord shows every moment in the reader's own zone: the zone given here is not used.
    lines = audit_lines(records, "UTC", private=True)
    return Reply("Edits", (paragraph(*lines, "Undo one with /undo N."),))
