"""What is wrong with a timing export, said so that an operator can fix it: file, line, column.

The same `file:line: key: message` shape as the schedule reader's problems; the key is the
column's name as the file's header writes it, and `column` its 1-based place in the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import _


@dataclass(frozen=True, order=True)
class ImportProblem:
    file: str  # the file name as given, e.g. "race-1.csv"
    line: int  # 1-based line in the file (or in a pasted text)
    key: str  # the column's header, e.g. "LAPS"; "" when the problem is the whole row or file
    message: str
    column: int | None = None  # 1-based field number in the row, when one field is at fault

    def __str__(self) -> str:
        if not self.key:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.key}: {self.message}"

    @property
    def where(self) -> str:
        """'line 3, column 5' (or 'line 3'), for a chat that shows no file name."""
        if self.column:
            return _("line {line}, column {column}").format(line=self.line, column=self.column)
        return _("line {line}").format(line=self.line)
