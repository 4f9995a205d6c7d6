"""An edit the admin is about to confirm: what its preview shows and what applying it does.

Two kinds: an edit operation (or several made as one) through the `Editor`, and a timing
export imported through `bot.editing.imports` (which reads the file again when applied, against
the data as it is then). The dialogue (`edit_flow`) treats both alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.edits.operations import Edit
from bot.editing import Actor, Editor


@dataclass(frozen=True)
class Shown:
    """A preview: what would change, or why it cannot."""

    ok: bool
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Done:
    """An applied edit (its number undoes it), or why it was not applied."""

    ok: bool
    summary: str
    lines: tuple[str, ...]
    edit_id: int | None = None


class Proposal(Protocol):
    async def preview(self, actor: Actor) -> Shown: ...

    async def apply(self, actor: Actor) -> Done: ...


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

    async def apply(self, actor: Actor) -> Done:
        outcome = await self.editor.apply(self.edit, actor, source_file=self.source_file)
        if not outcome.ok:
            return Done(False, outcome.summary, tuple(str(p) for p in outcome.problems))
        return Done(True, outcome.summary, outcome.changes, outcome.edit_id)
