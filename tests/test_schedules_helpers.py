"""Builders shared by the schedule tests: a small, valid schedules directory to break on purpose.

No tests here; the other test_schedules_* modules import it (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

from pathlib import Path

from bot.core.schedules import Problem, check_directory

REAL_SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"

SCALES = """\
[scales.race]
name = "Race"
points = [25, 18, 15, 12, 10]

[scales.qualifying]
name = "Qualifying"
points = [3, 2, 1]
"""

TRACKS = """\
[tracks.ring]
name = "The Ring"
country = "DE"
"""

DRIVERS = """\
[drivers.anna]
name = "Anna Alm"

[drivers.ben]
name = "Ben Berg"

[drivers.cleo]
name = "Cleo Carr"

[drivers.dan]
name = "Dan Dahl"
"""

# A valid series file: tests replace one line at a time to break it.
SERIES = """\
[series]
id = "demo-2022"
name = "Demo Cup"
season = 2022

[series.points]
race = "race"
qualifying = "qualifying"

[[events]]
id = "ring"
name = "Ring weekend"
track = "ring"
timezone = "Europe/Berlin"
start_date = 2022-05-13
end_date = 2022-05-15

[[events.entries]]
number = "7"
drivers = ["anna", "ben"]

[[events.entries]]
number = "8"
drivers = ["cleo"]

[[events.sessions]]
id = "qualifying"
name = "Qualifying"
kind = "qualifying"
date = 2022-05-14
time = "10:00"
duration = "30m"

[[events.sessions]]
id = "race"
name = "Race"
kind = "race"
date = 2022-05-14
time = "15:00"
duration = "1h"

[[events.sessions.results]]
position = 1
driver = "cleo"

[[events.sessions.results]]
position = 2
car = "7"
"""


def write_schedules(root: Path, series: str | None = SERIES, **files: str) -> Path:
    """A schedules dir with the shared files, `series` as demo.toml, and any extra `files`
    (keyword names use "__" for "/" and "_dot_" for ".", e.g. `y2022__b_dot_toml`)."""
    root.mkdir(parents=True, exist_ok=True)
    contents = {"scales.toml": SCALES, "tracks.toml": TRACKS, "drivers.toml": DRIVERS}
    if series is not None:
        contents["demo.toml"] = series
    for name, text in files.items():
        contents[name.replace("__", "/").replace("_dot_", ".")] = text
    for name, text in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems_in(root: Path) -> tuple[Problem, ...]:
    catalog, problems = check_directory(root)
    assert (catalog is None) == bool(problems)
    return problems


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `fragment`."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) >= occurrence, f"{fragment!r} occurs {len(hits)} times"
    return hits[occurrence - 1]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)
