"""Whatever is in the files, the loader answers with problems (file, line >= 1), never a crash."""

from __future__ import annotations

import json
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.schedules import Problem, ScheduleError, check_directory, load_catalog
from bot.core.schedules.locate import locate
from tests.test_schedules_helpers import REAL_SCHEDULES, SERIES, problems_in, write_schedules

REAL_FILES = {
    path.relative_to(REAL_SCHEDULES).as_posix(): path.read_text(encoding="utf-8")
    for path in sorted(REAL_SCHEDULES.rglob("*.toml"))
}

WRONG_TYPES_EVERYWHERE = """\
series = [1, 2]

[[events]]
id = 5
name = []
round = "first"
track = 1.5
timezone = true
start_date = 3
end_date = {}
date_note = 1
live_timing = 2
website = false
broadcasts = "youtube"
classes = 1
sessions = [1, "a", { id = [], kind = 7, date = "soon", time = 12, duration = 6, part = "1", \
utc_offset = 2, points = true, live_timing = [], results_complete = "yes", broadcasts = [1], \
results = [{ position = "1", driver = 3, car = [], status = 1, note = {} }, 5] }]
entries = { number = 1 }

[[events]]
entries = [{ number = true, drivers = "anna" }, { drivers = [1, 2] }, { drivers = [] }]

[[standings]]
after = 1
rows = [{ position = -1, driver = false, points = nan }, { points = inf }, "x"]
"""


def assert_well_formed(problems: tuple[Problem, ...], files: dict[str, str]) -> None:
    for problem in problems:
        assert problem.file in files, problem
        last_line = max(1, files[problem.file].count("\n") + 1)
        assert 1 <= problem.line <= last_line, problem
        assert problem.message and "\n" not in str(problem), problem


def test_binary_bytes_are_a_problem_with_a_line(tmp_path: Path) -> None:
    root = write_schedules(tmp_path)
    (root / "blob.toml").write_bytes(b"[series]\nid = 'x'\n\xff\xfe\x00garbage\x80\n")
    problems = problems_in(root)
    assert [(p.file, p.line) for p in problems] == [("blob.toml", 3)]
    assert problems[0].message == "not UTF-8 text (byte 0xff at line 3)"


def test_nul_bytes_and_control_characters(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, SERIES + "\x00\x01[[events]]\n")
    (problem,) = problems_in(root)
    assert problem.file == "demo.toml"
    assert problem.message.startswith("TOML syntax error")


def test_wrong_types_everywhere_only_give_problems(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, WRONG_TYPES_EVERYWHERE)
    with pytest.raises(ScheduleError) as caught:
        load_catalog(root)
    problems = caught.value.problems
    assert_well_formed(problems, {"demo.toml": WRONG_TYPES_EVERYWHERE})
    keys = {p.key for p in problems}
    assert {
        "series",
        "events[0].id",
        "events[0].timezone",
        "events[0].sessions[0]",
        "events[0].sessions[2].results[0]",  # both driver and car
        "events[0].sessions[2].utc_offset",
        "events[0].entries",
        "events[1].entries[0].drivers",
        "events[1].entries[1].drivers[0]",
        "events[1].entries[2].drivers",
        "standings[0].rows[0].points",
        "standings[0].rows[2]",
    } <= keys
    # Every problem in the one-line inline table points at that line.
    lines = WRONG_TYPES_EVERYWHERE.splitlines()
    session_line = 1 + next(i for i, line in enumerate(lines) if line.startswith("sessions = "))
    assert {p.line for p in problems if p.key.startswith("events[0].sessions[2]")} == {session_line}


def test_nesting_too_deep_for_tomllib(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, "a = " + "[" * 3000 + "]" * 3000 + "\n")
    (problem,) = problems_in(root)
    assert (problem.file, problem.line) == ("demo.toml", 1)


def test_a_number_too_long_to_read(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, '[series]\nid = "x"\nseason = ' + "9" * 5000 + "\n")
    (problem,) = problems_in(root)
    assert (problem.file, problem.line) == ("demo.toml", 3)


def test_huge_and_odd_values_are_problems(tmp_path: Path) -> None:
    text = SERIES.replace("season = 2022", "season = 99999999999999999999999").replace(
        'date = 2022-05-14\ntime = "10:00"', 'date = 9999-12-31\ntime = "23:59"'
    )
    problems = problems_in(write_schedules(tmp_path, text))
    assert {p.key for p in problems} == {"series.season", "events[0].sessions[0].date"}


def test_real_file_keys_are_all_located() -> None:
    for name, text in REAL_FILES.items():
        locator = locate(text)
        for path in _key_paths(tomllib.loads(text)):
            assert locator.knows(path), (name, path)


def _key_paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            paths.append((*prefix, key))
            paths.extend(_key_paths(inner, (*prefix, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            paths.append((*prefix, index))
            paths.extend(_key_paths(inner, (*prefix, index)))
    return paths


def _check_directory_with(files: dict[str, str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        try:
            _, problems = check_directory(root)
        except Exception as exc:  # pragma: no cover - the failure report for hypothesis
            raise AssertionError(f"check_directory raised {exc!r}") from exc
        texts = {
            name: c if isinstance(c, str) else c.decode("utf-8", "replace")
            for name, c in files.items()
        }
        assert_well_formed(problems, texts)
        with pytest.raises(ScheduleError) if problems else _no_error():
            load_catalog(root)


class _no_error:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_random_content_only_gives_problems(content: str | bytes) -> None:
    _check_directory_with({**REAL_FILES, "2022/random.toml": content})


@st.composite
def mutated_real_file(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(REAL_FILES)))
    text = REAL_FILES[name]
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        insert = draw(
            st.one_of(
                st.just(""),
                st.sampled_from(
                    ['"', "'", "[", "]", "[[", "=", "\n", "#", ",", "{", "}", "0", "."]
                ),
                st.text(alphabet="abcdefgTBA0123456789-:+[]{}=\"'. \n", max_size=8),
            )
        )
        text = text[:start] + insert + text[end:]
    return name, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_real_file())
def test_mutated_real_files_only_give_problems(mutated: tuple[str, str]) -> None:
    name, text = mutated
    _check_directory_with({**REAL_FILES, name: text})


@settings(max_examples=300, deadline=None)
@given(mutated_real_file())
def test_the_locator_finds_every_key_of_any_valid_mutation(mutated: tuple[str, str]) -> None:
    _, text = mutated
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return  # only valid TOML is ever located
    locator = locate(text)
    for path in _key_paths(doc):
        assert locator.knows(path), path


toml_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["TBA", "16:20", "6h", "+02:00", "2022-05-14", "jessica-backman", "race"]),
        st.dates(),
        st.datetimes(),
        st.times(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _dump(value: object) -> str:
    """A tiny TOML writer: every table inline, which tomllib reads like any other table."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else {float("inf"): "inf", float("-inf"): "-inf"}.get(value, repr(value))
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(map(_dump, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_dump(str(k))} = {_dump(v)}" for k, v in value.items()) + "}"
    return value.isoformat()  # type: ignore[attr-defined]


@st.composite
def retyped_real_file(draw: st.DrawFn) -> tuple[str, str]:
    """A real file, valid TOML still, with a few values replaced by values of any type."""
    name = draw(st.sampled_from(sorted(REAL_FILES)))
    doc = tomllib.loads(REAL_FILES[name])
    paths = _key_paths(doc)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = draw(toml_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    text = "".join(f"{_dump(key)} = {_dump(value)}\n" for key, value in doc.items())
    return name, text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(retyped_real_file())
def test_real_files_with_values_of_any_type_only_give_problems(retyped: tuple[str, str]) -> None:
    name, text = retyped
    tomllib.loads(text)  # the writer above produced valid TOML
    _check_directory_with({**REAL_FILES, name: text})


def test_a_real_copy_is_clean(tmp_path: Path) -> None:
    shutil.copytree(REAL_SCHEDULES, tmp_path / "s")
    assert check_directory(tmp_path / "s")[1] == ()
