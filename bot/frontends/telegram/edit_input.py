"""What an admin hands the edit flow besides button presses: pasted result rows (or a pasted
CSV), a results file sent as a Telegram document, and the caption "/import SESSION".

Reading rows is the core's job: `parse_rows` for pasted rows, the timing-export readers in
`bot.core.imports` for a CSV (an Al Kamel export or a plain CSV with a header), turned into
edits by `bot.editing.imports` (the new cars first, then the results), as `pitboard import`
does. This module fetches the file from Telegram within the same size limit, tells a pasted
CSV from pasted rows, and hands the flow the edits with the lines saying how each row was read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import Message
from telegram.error import TelegramError

from bot.core.catalog import Catalog
from bot.core.commands import split_command_line
from bot.core.edits.operations import Edit, EnterResults, ResultsMode
from bot.core.edits.rows import PASTED, is_csv, parse_rows
from bot.core.i18n import N_, _
from bot.core.imports import ImportedResults, read_results
from bot.core.imports.preview import preview_lines
from bot.core.lookup import lookup, session_candidates
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, paragraph, problem
from bot.editing.imports import MAX_EXPORT_BYTES, decode_export, import_edits, read_export

FILE_SUFFIXES = (".csv", ".txt")
IMPORT_USAGE = N_(
    "Send the file with the caption /import SESSION, e.g. "
    "/import tcr-germany-2022/oschersleben/race-1"
)
Problems = tuple[str, ...]


@dataclass(frozen=True)
class ReadResults:
    """Edits made from rows or a file, and (for a CSV) how each row was read and matched."""

    edits: tuple[Edit, ...]
    matched: tuple[str, ...] = ()


def read_import_caption(caption: str, catalog: Catalog) -> str | Reply:
    """The session id a caption "/import SESSION" names, or the reply asking which. Its
    choices are captions to send the file again with, as text: a button cannot carry a file."""
    _command, rest = split_command_line(caption)
    if not rest:
        return problem(ReplyStatus.INVALID, _(IMPORT_USAGE))
    found = lookup(
        rest,
        session_candidates(catalog),
        what="session",
        command=lambda session_id: f"/import {session_id}",
    )
    if isinstance(found, str):
        return found
    again = [f"{choice.command}  ({choice.label})" for choice in found.choices]
    if again:
        again.insert(0, _("Send the file again with one of these captions:"))
    return replace(
        found, blocks=(*found.blocks, paragraph(*again)) if again else found.blocks, choices=()
    )


def read_typed_results(
    text: str, session: Session, catalog: Catalog, mode: ResultsMode
) -> ReadResults | Problems:
    """Pasted rows (`POS WHO [extras]`), or a pasted CSV whose first line is its header."""
    if is_csv(text):
        return _imported(read_results(text, PASTED, session, catalog), catalog, mode)
    rows, problems = parse_rows(text, session, catalog)
    if problems:
        return tuple(str(p) for p in problems)
    return ReadResults((EnterResults(session.id, tuple(rows), mode=mode),))


async def read_upload(
    message: Message, session: Session, catalog: Catalog
) -> ReadResults | Problems:
    """The results in an uploaded document, or the problems (nothing is changed either way)."""
    document = message.document
    if document is None:
        return (_("That message has no file."),)
    name = document.file_name or _("the file")
    if not name.casefold().endswith(FILE_SUFFIXES):
        return (_("{name}: send a CSV (.csv) or text (.txt) file.").format(name=name),)
    if document.file_size is not None and document.file_size > MAX_EXPORT_BYTES:
        size = document.file_size // 1000
        return (_("{name} is {size} kB: too big for a results file").format(name=name, size=size),)
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        return (
            _("{name} could not be fetched from Telegram: {error}").format(name=name, error=error),
        )
    text = decode_export(data)
    if not is_csv(text):  # a .txt of rows as they are typed
        rows, problems = parse_rows(text, session, catalog)
        if problems:
            return tuple(f"{name}: {p}" for p in problems)
        return ReadResults((EnterResults(session.id, tuple(rows), mode="replace"),))
    imported = read_export(catalog, session.id, name, data)
    if isinstance(imported, str):
        return (imported,)
    return _imported(imported, catalog, "replace")


def _imported(
    imported: ImportedResults, catalog: Catalog, mode: ResultsMode
) -> ReadResults | Problems:
    """An import's edits (B's: new entries first, then the results) and its preview lines."""
    lines = preview_lines(imported, catalog)
    if not imported.ok:
        return lines
    edits = [
        replace(edit, mode=mode) if isinstance(edit, EnterResults) else edit
        for edit in import_edits(imported, catalog)
    ]
    return ReadResults(tuple(edits), lines)
