"""What an admin hands the edit flow besides button presses: pasted result rows, a results file
sent as a Telegram document, and the caption "/import SESSION" naming the session it is for.

Reading the rows is the core's job (`parse_rows` for pasted rows, the timing-export readers in
`bot.core.imports` for a CSV); this module only fetches and decodes the file, within limits,
and says clearly what is wrong when it cannot.
"""

from __future__ import annotations

from telegram import Message
from telegram.error import TelegramError

from bot.core.catalog import Catalog
from bot.core.commands import split_command_line
from bot.core.edits.inputs import ResultRowInput
from bot.core.lookup import lookup, session_candidates
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, problem
from bot.frontends.telegram.edit_standin import EnterResults, parse_rows

# A classification export is a few kilobytes; this leaves room for a 24-hour race's laps.
MAX_FILE_BYTES = 1024 * 1024
FILE_SUFFIXES = (".csv", ".txt")
IMPORT_USAGE = (
    "Send the file with the caption /import SESSION, e.g. "
    "/import tcr-germany-2022/oschersleben/race-1"
)


def read_import_caption(caption: str, catalog: Catalog) -> str | Reply:
    """The session id a caption "/import SESSION" names, or the reply asking which."""
    _, rest = split_command_line(caption)
    if not rest:
        return problem(ReplyStatus.INVALID, IMPORT_USAGE)
    return lookup(
        rest,
        session_candidates(catalog),
        what="session",
        command=lambda found: f"/import {found}",
    )


def read_rows(
    text: str, session: Session, catalog: Catalog
) -> tuple[tuple[ResultRowInput, ...], tuple[str, ...]]:
    """Pasted rows (`POS WHO [extras]`), or a pasted CSV with a header line."""
    rows, problems = parse_rows(text, session, catalog)
    return tuple(rows), tuple(str(p) for p in problems)


async def read_upload(
    message: Message, session: Session, catalog: Catalog
) -> EnterResults | tuple[str, ...]:
    """The results in an uploaded document, or the problems (nothing is changed either way)."""
    document = message.document
    if document is None:
        return ("That message has no file.",)
    name = document.file_name or "the file"
    if not name.casefold().endswith(FILE_SUFFIXES):
        return (f"{name}: send a CSV (.csv) or text (.txt) file.",)
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        return (f"{name} is over {MAX_FILE_BYTES // 1024} KB: is it really a results file?",)
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        return (f"{name} could not be fetched from Telegram: {error}",)
    if len(data) > MAX_FILE_BYTES:
        return (f"{name} is over {MAX_FILE_BYTES // 1024} KB: is it really a results file?",)
    text = decode(data)
    rows, problems = read_rows(text, session, catalog)
    if problems:
        return tuple(f"{name}: {p}" for p in problems)
    return EnterResults(session.id, rows, mode="replace")


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, which timing software on
    Windows still writes; every byte decodes there, so a file is never refused for it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
