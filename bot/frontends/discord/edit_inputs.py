"""What an admin hands the /edit dialogue, made into a proposal: pasted rows (SPEC16 §6 lines,
or a CSV with its header) for a session's results or a standings table, and an attached
timing export. The parsing is the shared code's (`bot.core.edits`, `bot.core.imports`,
`bot.editing.imports`); this only picks which reader and says what is wrong in plain lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.catalog import Catalog
from bot.core.edits.operations import Edit, EnterResults
from bot.core.imports import read_results
from bot.core.imports.columns import Field as Column
from bot.core.imports.columns import looks_like_alkamel, plain_layout
from bot.editing import Actor, Editor
from bot.editing.imports import import_apply, import_edits, import_preview
from bot.frontends.discord import edit_targets as targets
from bot.frontends.discord.edit_flow import RowsFor
from bot.frontends.discord.edit_proposals import Done, EditProposal, Proposal, Shown

PASTED = "pasted rows"  # the "file" name problems with pasted CSV rows are reported under


def is_csv(text: str) -> bool:
    """Whether pasted text starts with a CSV header (an Al Kamel one, or one naming a
    position or a car number column) rather than §6 rows such as "1 #7 laps=23"."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not any(mark in header for mark in (",", ";", "\t")):
        return False
    if looks_like_alkamel(header):
        return True
    names = tuple(part.strip() for part in header.replace(";", ",").replace("\t", ",").split(","))
    layout = plain_layout(names)
    return Column.POSITION in layout.fields or Column.NUMBER in layout.fields


@dataclass(frozen=True)
class ImportProposal:
    """A timing export: read again when applied, against the data as it is then."""

    editor: Editor
    session_id: str
    filename: str
    data: bytes

    async def preview(self, actor: Actor) -> Shown:
        shown = await import_preview(self.editor, self.session_id, self.filename, self.data, actor)
        return Shown(shown.ok, f"import {self.filename}", (*shown.lines, *shown.changes))

    async def apply(self, actor: Actor) -> Done:
        done = await import_apply(self.editor, self.session_id, self.filename, self.data, actor)
        summary = f"{self.session_id}: results imported from {self.filename}"
        return Done(done.ok, summary, done.lines, done.edit_id)


class EditorInputs:
    def rows(
        self, editor: Editor, text: str, target: RowsFor, catalog: Catalog
    ) -> Proposal | list[str]:
        try:
            if target.kind == "standings":
                return self._standings(editor, text, target, catalog)
            session = targets.session_id(catalog, target.target_id)
        except ValueError as error:
            return [str(error)]
        if is_csv(text):
            return self._csv(editor, text, session, target.mode, catalog)
        return self._lines(editor, text, session, target.mode, catalog)

    def file(
        self, editor: Editor, data: bytes, filename: str, target: RowsFor
    ) -> Proposal | list[str]:
        try:
            session = targets.session_id(editor.catalog, target.target_id)
        except ValueError as error:
            return [str(error)]
        return ImportProposal(editor, session, filename, data)

    @staticmethod
    def _csv(
        editor: Editor, text: str, session_id: str, mode: str, catalog: Catalog
    ) -> Proposal | list[str]:
        imported = read_results(text, PASTED, catalog.sessions[session_id], catalog)
        if imported.problems:
            return [str(problem) for problem in imported.problems]
        edits: list[Edit] = []
        for edit in import_edits(imported, catalog):
            # A pasted CSV follows the mode asked for; a timing export replaces (import_edits).
            if isinstance(edit, EnterResults) and mode == "merge":
                edit = replace(edit, mode="merge")
            edits.append(edit)
        return EditProposal(editor, edits)

    @staticmethod
    def _lines(
        editor: Editor, text: str, session_id: str, mode: str, catalog: Catalog
    ) -> Proposal | list[str]:
        return ["Rows as lines are not available yet: paste a CSV with a header."]

    @staticmethod
    def _standings(
        editor: Editor, text: str, target: RowsFor, catalog: Catalog
    ) -> Proposal | list[str]:
        return ["Standings are not available yet."]
