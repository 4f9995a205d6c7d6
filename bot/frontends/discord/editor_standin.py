"""TEMPORARY stand-in for helper A's Editor API (SPEC16 §7), deleted once e16a is merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Actor:
    platform: str
    user_id: str
    display: str
    is_admin: bool


@dataclass(frozen=True)
class EditPreview:
    lines: tuple[str, ...] = ()
    problems: tuple[Any, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    edit_id: int | None = None
    problems: tuple[Any, ...] = ()
    changes: tuple[str, ...] = field(default=())


class Editor(Protocol):
    async def preview(self, edit: Any, actor: Actor) -> EditPreview: ...

    async def apply(
        self, edit: Any, actor: Actor, *, source_file: str | None = None
    ) -> EditOutcome: ...
