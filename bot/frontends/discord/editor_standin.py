"""TEMPORARY stand-in for helper A's Editor API (bot.editing, SPEC16 §7), shaped as on e16a;
deleted once e16a is merged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Actor:
    platform: str
    user_id: str | None
    display: str | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class EditPreview:
    ok: bool
    summary: str
    lines: tuple[str, ...] = ()
    problems: tuple[Any, ...] = ()


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    summary: str
    edit_id: int | None = None
    problems: tuple[Any, ...] = ()
    lines: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    reloaded: bool = False


class Editor(Protocol):
    async def preview(self, edit: Any, actor: Actor) -> EditPreview: ...

    async def apply(
        self, edit: Any, actor: Actor, *, source_file: str | None = None
    ) -> EditOutcome: ...
