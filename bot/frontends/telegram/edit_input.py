"""What an admin hands the edit flow besides button presses: pasted result rows (or a pasted
CSV), a results file sent as a Telegram document, and the caption "/import SESSION".

Reading rows is the core's job: `parse_rows` for pasted rows, the timing-export readers in
`bot.core.imports` for a CSV (an Al Kamel export or a plain CSV with a header). This module
fetches and decodes the file within limits, tells a pasted CSV from pasted rows, and turns what
was read into the edits to preview: the new cars first (`AddEntries`), then the results.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message
from telegram.error import TelegramError

from bot.core.catalog import Catalog
from bot.core.commands import split_command_line
from bot.core.edits.operations import AddEntries, Edit, EnterResults, ResultsMode
from bot.core.imports import ImportedResults, RowMatch, read_results
from bot.core.imports.columns import Field, looks_like_alkamel, plain_layout
from bot.core.imports.sheet import guess_delimiter
from bot.core.lookup import lookup, session_candidates
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, problem
from bot.frontends.telegram.edit_standin import parse_rows

# A classification export is a few kilobytes; this leaves room for a 24-hour race's field.
MAX_FILE_BYTES = 1024 * 1024
FILE_SUFFIXES = (".csv", ".txt")
PASTED = "pasted rows"  # the "file" a pasted CSV's problems name
IMPORT_USAGE = (
    "Send the file with the caption /import SESSION, e.g. "
    "/import tcr-germany-2022/oschersleben/race-1"
)
Problems = tuple[str, ...]


@dataclass(frozen=True)
class ReadResults:
    """Edits made from rows or a file, and a line per row saying how it was matched."""

    edits: tuple[Edit, ...]
    matched: tuple[str, ...] = ()


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


def read_typed_results(
    text: str, session: Session, catalog: Catalog, mode: ResultsMode
) -> ReadResults | Problems:
    """Pasted rows (`POS WHO [extras]`), or a pasted CSV whose first line is its header."""
    if is_csv_header(_first_line(text)):
        return _imported(read_results(text, PASTED, session, catalog), session, mode)
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
        return ("That message has no file.",)
    name = document.file_name or "the file"
    if not name.casefold().endswith(FILE_SUFFIXES):
        return (f"{name}: send a CSV (.csv) or text (.txt) file.",)
    too_big = f"{name} is over {MAX_FILE_BYTES // 1024} KB: is it really a results file?"
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        return (too_big,)
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        return (f"{name} could not be fetched from Telegram: {error}",)
    if len(data) > MAX_FILE_BYTES:
        return (too_big,)
    text = decode(data)
    if is_csv_header(_first_line(text)):
        return _imported(read_results(text, name, session, catalog), session, "replace")
    rows, problems = parse_rows(text, session, catalog)  # a .txt of pasted-style rows
    if problems:
        return tuple(f"{name}: {p}" for p in problems)
    return ReadResults((EnterResults(session.id, tuple(rows), mode="replace"),))


def is_csv_header(line: str) -> bool:
    """Whether a first line names columns (a CSV) rather than being a result row: an Al Kamel
    header, or delimited names among which is a position."""
    if looks_like_alkamel(line):
        return True
    delimiter = guess_delimiter(line)
    if delimiter is None:
        return False
    names = tuple(name.strip() for name in line.split(delimiter))
    return Field.POSITION in plain_layout(names).fields


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, which timing software on
    Windows still writes; every byte decodes there, so a file is never refused for it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _imported(
    imported: ImportedResults, session: Session, mode: ResultsMode
) -> ReadResults | Problems:
    if imported.problems:
        return tuple(str(p) for p in imported.problems)
    edits: list[Edit] = []
    if imported.entries or imported.drivers:
        edits.append(AddEntries(session.event_id, imported.entries, imported.drivers))
    edits.append(EnterResults(session.id, imported.rows, mode=mode, complete=imported.complete))
    return ReadResults(tuple(edits), tuple(_matched_line(m) for m in imported.matches))


def _matched_line(match: RowMatch) -> str:
    """'1 #7 Jessica Bäckman', '2 #15 Martin Andersen (new entry)': how a row was read."""
    where = str(match.position) if match.position is not None else match.status.upper()
    car = f"#{match.car} " if match.car else ""
    how = f" ({match.how})" if match.how else ""
    return f"{where} {car}{match.drivers}{how}"


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "").removeprefix("\ufeff")
