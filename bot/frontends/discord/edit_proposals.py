"""An edit the admin is about to confirm: what its preview shows and what applying it does.

Two kinds: an edit operation (or several made as one) through the `Editor`, and a timing
export imported through `bot.editing.imports`. The dialogue (`edit_flow`) treats both alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.edits.operations import Edit
from bot.core.edits.problems import EditProblem
from bot.editing import Actor, Editor, EditOutcome
from bot.editing.imports import import_apply, import_preview


@dataclass(frozen=True)
class Shown:
    """A preview: what would change, or why it cannot."""

    ok: bool
    title: str
    lines: tuple[str, ...]


class Proposal(Protocol):
    async def preview(self, actor: Actor) -> Shown: ...

    async def apply(self, actor: Actor) -> EditOutcome: ...


@dataclass(frozen=True)
class EditProposal:
    editor: Editor
    edit: Edit | Sequence[Edit]
    source_file: str | None = None

    async def preview(self, actor: Actor) -> Shown:
        preview = await self.editor.preview(self.edit, actor)
        if not preview.ok:
            return Shown(False, preview.summary, tuple(str(p) for p in preview.problems))
        return Shown(True, preview.summary, preview.lines)

    async def apply(self, actor: Actor) -> EditOutcome:
        return await self.editor.apply(self.edit, actor, source_file=self.source_file)


@dataclass(frozen=True)
class ImportProposal:
    """A timing export, read again when applied (against the data as it is then)."""

    editor: Editor
    session_id: str
    filename: str
    data: bytes
    complete: bool | None = None

    async def preview(self, actor: Actor) -> Shown:
        shown = await import_preview(
            self.editor, self.session_id, self.filename, self.data, actor, complete=self.complete
        )
        return Shown(shown.ok, f"import {self.filename}", (*shown.lines, *shown.changes))

    async def apply(self, actor: Actor) -> EditOutcome:
        done = await import_apply(
            self.editor, self.session_id, self.filename, self.data, actor, complete=self.complete
        )
        if done.outcome is not None:
            return done.outcome
        # Refused before it reached the Editor (the file changed, a problem in it): its lines.
        # i18n: not user text (the audit log's summary, as the Editor writes it)
        summary = f"{self.session_id}: results from {self.filename}"
        return EditOutcome(False, summary, problems=tuple(EditProblem(x) for x in done.lines))
