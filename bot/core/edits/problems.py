"""What is wrong with an edit, said where it is: the line and column of what was typed or
pasted, or the file, line, column and key of the schedule text the edit would write."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import _


@dataclass(frozen=True)
class EditProblem:
    message: str
    line: int | None = None  # 1-based, in the typed/pasted text, or in `file` when given
    column: int | None = None  # 1-based
    file: str | None = None  # a schedule file (relative path) when the problem is in its text
    key: str | None = None  # the dotted key in `file`

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(_("line {line}").format(line=self.line))
        if self.column is not None:
            where.append(_("column {column}").format(column=self.column))
        place = ", ".join(where)
        what = f"{self.key}: {self.message}" if self.key else self.message
        return f"{place}: {what}" if place else what
