"""What an edit shows before it is made (`EditPreview`) and what it did (`EditOutcome`), and
the loader's problems with an edit's text said where the operator can find them."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.edits.inputs import ResultRowInput
from bot.core.edits.problems import EditProblem
from bot.core.schedules import Problem


@dataclass(frozen=True)
class EditPreview:
    ok: bool
    summary: str  # one line: what the edit does
    lines: tuple[str, ...] = ()  # the changed lines, "file:line: - old" / "file:line: + new"
    problems: tuple[EditProblem, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)  # new text of each changed file


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    summary: str
    edit_id: int | None = None  # its number in the audit log (undo with it)
    problems: tuple[EditProblem, ...] = ()
    lines: tuple[str, ...] = ()  # the changed lines, as in the preview
    changes: tuple[str, ...] = ()  # what the reload saw change, one line each
    reloaded: bool = False  # the running bot has the new data (False: it did not reload)


def changed_lines(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    """Each changed file's removed and added lines, with their line numbers."""
    out: list[str] = []
    for path, new in sorted(after.items()):
        old_lines = before.get(path, "").splitlines()
        new_lines = new.splitlines()
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            out.extend(f"{path}:{i + 1}: - {old_lines[i]}" for i in range(i1, i2))
            out.extend(f"{path}:{j + 1}: + {new_lines[j]}" for j in range(j1, j2))
    return tuple(line for line in out if not line.endswith(": - ") and not line.endswith(": + "))


def located(
    problems: tuple[Problem, ...],
    texts: Mapping[str, str],
    origins: Mapping[tuple[str, str], ResultRowInput],
) -> tuple[EditProblem, ...]:
    """The loader's problems as edit problems: a problem with a result row the operator typed
    points at their line and column; any other at the file's line and the value's column."""
    out = []
    for problem in problems:
        origin = _origin(problem, origins)
        if origin is not None:
            row, rest = origin
            out.append(EditProblem(problem.message, row.line, row.column, key=rest or None))
            continue
        column = _value_column(texts.get(problem.file), problem.line)
        out.append(
            EditProblem(problem.message, problem.line, column, problem.file, problem.key or None)
        )
    return tuple(out)


def _origin(
    problem: Problem, origins: Mapping[tuple[str, str], ResultRowInput]
) -> tuple[ResultRowInput, str] | None:
    for (file, prefix), row in origins.items():
        if file != problem.file:
            continue
        if problem.key == prefix or problem.key.startswith((prefix + ".", prefix + "[")):
            return row, problem.key[len(prefix) :].lstrip(".")
    return None


def _value_column(text: str | None, line: int) -> int:
    """1-based column of the value on `line` (after `key =`), or 1."""
    if text is None:
        return 1
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return 1
    content = lines[line - 1]
    key, equals, value = content.partition("=")
    if not equals or key.lstrip().startswith("["):
        return len(content) - len(content.lstrip()) + 1
    return len(key) + 1 + (len(value) - len(value.lstrip())) + 1
