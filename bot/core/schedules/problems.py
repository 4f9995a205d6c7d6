"""What goes wrong in a schedule file, said so that a maintainer can fix it: file, line, key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

# A path to a value inside one file: ("events", 0, "sessions", 2, "time").
KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


def format_path(path: KeyPath) -> str:
    """("events", 0, "sessions", 2, "time") -> "events[0].sessions[2].time"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        # A key with a dot or a space in it is quoted as TOML would, so the path stays unambiguous.
        text = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f".{text}" if out else text
    return out


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # relative to the schedules directory, e.g. "2022/tcr-germany.toml"
    line: int  # 1-based
    key: str  # dotted key path, e.g. "events[0].sessions[2].time"; "" when none applies
    message: str

    def __str__(self) -> str:
        if not self.key:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class ScheduleError(Exception):
    """The schedule files cannot be loaded; `problems` lists every reason found in one run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
