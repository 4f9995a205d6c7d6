"""A timing export imported into one session's results, as one audited, undoable edit.

The chat front-ends (a Telegram document, a Discord attachment) and `pitboard import results`
share it: the file's bytes are decoded (UTF-8, with or without a byte-order mark; else the
Windows code page timing software often writes), read by `bot.core.imports`, and turned into
the edit: `AddEntries` for cars the event lacks (with their new drivers), then
`EnterResults(mode="replace")`, made together through the `Editor` with the file's name as
its source (`[sources.import-N]`). A preview writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.catalog import Catalog
from bot.core.edits.operations import AddEntries, Edit, EnterResults
from bot.core.edits.problems import EditProblem
from bot.core.imports import ImportedResults, read_results
from bot.core.imports.preview import preview_lines
from bot.editing.actor import Actor
from bot.editing.editor import ADMINS_ONLY, Editor
from bot.editing.outcome import EditOutcome

# Big enough for any classification (a 24-hour race's is tens of kilobytes), small enough that
# a wrong upload (a video, a PDF) is refused before it is read.
MAX_EXPORT_BYTES = 2_000_000


@dataclass(frozen=True)
class ImportPreview:
    ok: bool
    lines: tuple[str, ...]  # the rows as read and matched, new entries and drivers; or problems
    changes: tuple[str, ...] = ()  # the schedule lines the import would change
    imported: ImportedResults | None = None

    @property
    def text(self) -> str:
        return "\n".join((*self.lines, *self.changes))


@dataclass(frozen=True)
class ImportOutcome:
    ok: bool
    lines: tuple[str, ...]  # as in the preview; on failure, the problems
    edit_id: int | None = None  # undo it with this number
    outcome: EditOutcome | None = None  # the Editor's, with the reload's change lines

    @property
    def text(self) -> str:
        tail = (f"Imported as edit #{self.edit_id}: undo with /undo {self.edit_id}",)
        return "\n".join((*self.lines, *(tail if self.ok and self.edit_id else ())))


def decode_export(data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else Windows-1252, else Latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def import_edits(imported: ImportedResults, catalog: Catalog) -> list[Edit]:
    """The edits that make the import: new entries first, so the results can name their cars."""
    session = catalog.sessions[imported.session_id]
    edits: list[Edit] = []
    if imported.entries:
        edits.append(AddEntries(session.event_id, imported.entries, imported.drivers))
    edits.append(
        EnterResults(session.id, imported.rows, mode="replace", complete=imported.complete)
    )
    return edits


def read_export(
    catalog: Catalog, session_id: str, file_name: str, data: bytes
) -> ImportedResults | str:
    """The export read for the session, or why it cannot be read at all."""
    if session_id not in catalog.sessions:
        return f"no session {session_id!r}"
    if len(data) > MAX_EXPORT_BYTES:
        return f"{file_name} is {len(data) // 1000} kB: too big for a classification export"
    if b"\0" in data:
        return f"{file_name} is not a text file (a CSV export is)"
    return read_results(decode_export(data), file_name, catalog.sessions[session_id], catalog)


async def import_preview(
    editor: Editor,
    session_id: str,
    file_name: str,
    data: bytes,
    actor: Actor,
    *,
    complete: bool | None = None,
) -> ImportPreview:
    """What importing the file would do; nothing is written, nothing recorded."""
    if not actor.is_admin:
        return ImportPreview(False, (ADMINS_ONLY,))
    catalog = editor.catalog
    imported = read_export(catalog, session_id, file_name, data)
    if isinstance(imported, str):
        return ImportPreview(False, (imported,))
    if complete is not None:
        imported = replace(imported, complete=complete)
    lines = preview_lines(imported, catalog)
    if not imported.ok:
        return ImportPreview(False, lines, imported=imported)
    preview = await editor.preview(import_edits(imported, catalog), actor, source_file=file_name)
    if not preview.ok:
        return ImportPreview(
            False, (*lines, *_problems(file_name, preview.problems)), imported=imported
        )
    return ImportPreview(True, lines, preview.lines, imported)


async def import_apply(
    editor: Editor,
    session_id: str,
    file_name: str,
    data: bytes,
    actor: Actor,
    *,
    complete: bool | None = None,
) -> ImportOutcome:
    """Import the file: one edit (audited, undoable), then the running bot reloads. `complete`
    overrides what the file says of its being a whole classification."""
    if not actor.is_admin:
        return ImportOutcome(False, (ADMINS_ONLY,))
    catalog = editor.catalog
    imported = read_export(catalog, session_id, file_name, data)
    if isinstance(imported, str):
        return ImportOutcome(False, (imported,))
    if imported.ok and complete is not None:
        imported = replace(imported, complete=complete)
    # Described as it is written: with the operator's --complete/--partial, as the dry run says.
    lines = preview_lines(imported, catalog)
    if not imported.ok:
        return ImportOutcome(False, lines)
    outcome = await editor.apply(import_edits(imported, catalog), actor, source_file=file_name)
    if not outcome.ok:
        return ImportOutcome(
            False, (*lines, *_problems(file_name, outcome.problems)), outcome=outcome
        )
    return ImportOutcome(True, (*lines, *outcome.changes), outcome.edit_id, outcome)


def _problems(file_name: str, problems: tuple[EditProblem, ...]) -> tuple[str, ...]:
    """The Editor's problems; one that points at a row points at the export's line."""
    return tuple(
        f"{file_name}: {problem}" if problem.file is None and problem.line else str(problem)
        for problem in problems
    )
