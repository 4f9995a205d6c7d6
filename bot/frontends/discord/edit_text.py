"""The Discord edit commands as the one `/edit` text every platform parses
(`bot.core.edits.commands.parse_edit_command`): the same resolving of names, the same checks of
days, times, zones and rows, the same problems, whatever the platform.

A command's options become the `/edit` line; a modal's rows go below it. Problems point at
what the admin typed: a row's line in the modal's text; none for the line built here (its
columns mean nothing to someone who filled in options).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.catalog import Catalog
from bot.core.edits.commands import parse_edit_command
from bot.core.edits.operations import Edit
from bot.core.edits.problems import EditProblem
from bot.core.i18n import _

Parsed = tuple[Edit | tuple[Edit, ...] | None, list[str]]


@dataclass(frozen=True)
class RowsFor:
    """What rows pasted into the modal are for: a session's results or a series' standings."""

    kind: str  # "results" | "standings"
    target_id: str  # the session, or the series (an id, or a name to resolve)
    after_event: str | None = None  # standings: the event they stand after
    mode: str = "merge"  # results: "merge" (correct or add rows) or "replace" (the whole list)
    complete: bool = False  # results: the rows are the whole classification
    note: str | None = None  # standings: e.g. "top three as published after round 1 of 7"


def quoted(value: str, what: str) -> str:
    """An option's text as one word of the `/edit` line."""
    if '"' in value or "\n" in value:
        raise ValueError(_("{what} cannot hold double quotes or line breaks").format(what=what))
    return f'"{value.strip()}"'


def command(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def rows_command(target: RowsFor) -> str:
    """The `/edit` line the modal's rows go under."""
    if target.kind == "standings":
        note = f"note={quoted(target.note, _('the note'))}" if target.note else None
        return command("/edit standings", target.target_id, target.after_event, note)
    action = "results-replace" if target.mode == "replace" else "results"
    return command("/edit", action, target.target_id, "complete" if target.complete else None)


def parsed(line: str, catalog: Catalog, rows: str | None = None) -> Parsed:
    """The edit `line` (and `rows` below it) asks for, or its problems as the admin sees them."""
    result = parse_edit_command(line if rows is None else f"{line}\n{rows}", catalog)
    return result.edit, [str(_located(problem)) for problem in result.problems]


def _located(problem: EditProblem) -> EditProblem:
    if problem.file is not None:
        return problem  # in a schedule file's text: its own line
    if problem.line is None or problem.line <= 1:
        return replace(problem, line=None, column=None)  # the line built from the options
    return replace(problem, line=problem.line - 1)  # a row: its line in the modal's text
