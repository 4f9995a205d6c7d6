"""Timing exports read into result rows for one session (Al Kamel CSV, plain CSV); pure."""

from bot.core.imports.matching import RowMatch
from bot.core.imports.problems import ImportProblem
from bot.core.imports.reader import (
    ImportedResults,
    SheetFormat,
    read_alkamel_csv,
    read_plain_csv,
    read_results,
)

__all__ = [
    "ImportProblem",
    "ImportedResults",
    "RowMatch",
    "SheetFormat",
    "read_alkamel_csv",
    "read_plain_csv",
    "read_results",
]
