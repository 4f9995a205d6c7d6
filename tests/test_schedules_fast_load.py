"""The fast loader (rtoml, a line index built only for a file with a problem, plain-row paths)
accepts and rejects exactly what the tomllib loader did, and words every problem the same way."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import re
import tempfile
import tomllib
import weakref
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import rtoml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench._catalog_gen import Shape, generate
from bot.core.model import ResultRow, ResultStatus
from bot.core.schedules import Problem, check_directory, events, reader, results, toml_text
from tests.test_schedules_garbage import REAL_FILES, mutated_real_file
from tests.test_schedules_helpers import (
    DRIVERS,
    SERIES,
    TRACKS,
    line_of,
    problems_in,
    replace_once,
    write_schedules,
)

# Each is invalid TOML 1.0: tomllib rejects it. Some are valid in the newer TOML rtoml reads.
MALFORMED = {
    "duplicate key": "a = 1\na = 2\n",
    "duplicate table": "[a]\nx = 1\n[a]\ny = 2\n",
    "table redefined by a dotted key": "[a]\nb.c = 1\n[a.b]\nd = 2\n",
    "value redefined as a table": "a = [1]\n[[a]]\nx = 1\n",
    "inline table extended": "a = {x = 1}\n[a.b]\ny = 2\n",
    "unterminated string": 'a = "abc\n',
    "unterminated multi-line string": 'a = """abc\n',
    "invalid escape": 'a = "\\q"\n',
    "escape \\e (TOML 1.1)": 'a = "\\e"\n',
    "escape \\x (TOML 1.1)": 'a = "\\x41"\n',
    "surrogate escape": 'a = "\\uD800"\n',
    "control character": 'a = "a\x01b"\n',
    "DEL character": 'a = "a\x7fb"\n',
    "control character in a comment": "a = 1 # \x01\n",
    "bad date": "a = 2022-02-30\n",
    "bad month": "a = 2022-13-01\n",
    "year zero": "a = 0000-01-01\n",
    "hour 24": "a = 24:00:00\n",
    "second 60": "a = 23:59:60\n",
    "time without seconds (TOML 1.1)": "a = 16:20\n",
    "datetime without seconds (TOML 1.1)": "a = 2022-05-13T16:20\n",
    "offset datetime without seconds (TOML 1.1)": "a = 2022-05-13 16:20+02:00\n",
    "time with an offset": "a = 16:20:00+02:00\n",
    "offset without minutes": "a = 2022-05-13T16:20:00+02\n",
    "inline table with a trailing comma (TOML 1.1)": "a = {x = 1,}\n",
    "inline table over two lines (TOML 1.1)": "a = {x = 1,\ny = 2}\n",
    "byte order mark": "\ufeffa = 1\n",
    "leading zero": "a = 012\n",
    "double underscore": "a = 1__0\n",
    "float without an integer part": "a = .5\n",
    "float without a fraction": "a = 5.\n",
    "signed hex": "a = -0x1\n",
    "six closing quotes": 'a = """x""""""\n',
    "lone carriage return": "a = 1\rb = 2\n",
    "missing key": "= 1\n",
    "non-ASCII bare key": "\u00e9 = 1\n",
    "missing value": "a =\n",
    "unclosed array": "a = [1, 2\n",
    "unclosed table header": "[a\nb = 1\n",
}

# Valid TOML 1.0, with the value tomllib reads for `a`.
VALID = {
    "date": "a = 2022-05-13",
    "local time": "a = 16:20:00",
    "local time with a fraction": "a = 16:20:30.5",
    "local datetime": "a = 2022-05-13T16:20:00",
    "local datetime with a space": "a = 2022-05-13 16:20:00",
    "offset datetime": "a = 2022-05-13T16:20:00+02:00",
    "UTC datetime": "a = 2022-05-13T16:20:00Z",
    "integer": "a = 1_000",
    "big integer": "a = 99999999999999999999999",
    "hex": "a = 0x1F",
    "float": "a = 1.5",
    "inf": "a = inf",
    "exponent": "a = 6.02e23",
    "boolean": "a = true",
    "unicode escape": 'a = "x\\u00e9"',
    "multi-line string": 'a = """\nx\n"""',
    "literal string": "a = 'C:\\e'",
    "mixed array": 'a = [1, "a"]',
    "one-line inline table": 'a = {x = 1, y = "z"}',
    "string that looks like a time": 'a = "16:20"',
}


def _rtoml_accepts(text: str) -> bool:
    try:
        rtoml.loads(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_tomllib_rejects_every_malformed_input(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_what_rtoml_accepts_of_it_is_sent_to_tomllib(text: str) -> None:
    """rtoml rejects it too, or the text shows the newer TOML it uses and tomllib decides."""
    parsed = toml_text.parse("a.toml", text)
    assert parsed.doc is None
    assert parsed.problem is not None
    assert parsed.problem.message.startswith("TOML syntax error: ")
    assert not _rtoml_accepts(text) or parsed.judged


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_gets_tomllibs_words_and_line(text: str) -> None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        expected = toml_text.syntax_problem("a.toml", text, exc)
    assert toml_text.parse("a.toml", text).problem == expected


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_valid_toml_reads_as_tomllib_reads_it(text: str) -> None:
    parsed = toml_text.parse("a.toml", text)
    expected = tomllib.loads(text)["a"]
    assert parsed.problem is None and parsed.doc is not None
    value = parsed.doc["a"]
    assert type(value) is type(expected)
    assert value == expected or (math.isnan(value) and math.isnan(expected))
    if isinstance(expected, datetime):
        assert value.utcoffset() == expected.utcoffset()


def test_rtoml_returns_the_types_the_loader_expects() -> None:
    doc = rtoml.loads(
        "d = 2022-05-13\nt = 16:20:00\nl = 2022-05-13T16:20:00\n"
        "o = 2022-05-13T16:20:00+02:00\ni = 7\nf = 1.5\nb = true\n"
    )
    assert type(doc["d"]) is date and type(doc["t"]) is time and type(doc["l"]) is datetime
    assert doc["t"].tzinfo is None and doc["l"].tzinfo is None
    assert type(doc["i"]) is int and type(doc["f"]) is float and type(doc["b"]) is bool
    # Only an offset's tzinfo class differs; the instant is the same, and no key takes it.
    assert doc["o"] == datetime(2022, 5, 13, 16, 20, tzinfo=timezone(timedelta(hours=2)))


def test_a_float_beyond_double_range_still_reads_as_tomllib_reads_it() -> None:
    # rtoml refuses 1e400; tomllib reads it as inf, so the file is not a syntax error.
    parsed = toml_text.parse("a.toml", "a = 1e400\n")
    assert parsed.problem is None and parsed.doc == {"a": math.inf}


def test_a_length_beyond_double_range_is_the_same_problem_as_before(tmp_path: Path) -> None:
    tracks = TRACKS + "length_km = 1e400\n"
    (problem,) = problems_in(write_schedules(tmp_path, tracks_dot_toml=tracks))
    assert problem == Problem(
        "tracks.toml",
        line_of(tracks, "length_km"),
        "tracks.ring.length_km",
        "expected a positive number, got float inf",
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('time = "15:00"', "time = 15:00"),  # a time without seconds
        ('name = "Ring weekend"', 'name = "Ring\\eweekend"'),  # the \e escape
        ('number = "8"', 'number = "8"\nclasses = [{name = "TCR",\n}]'),  # a multi-line table
    ],
    ids=["time without seconds", "escape", "multi-line inline table"],
)
def test_newer_toml_in_a_series_file_is_tomllibs_syntax_error(
    tmp_path: Path, old: str, new: str
) -> None:
    text = replace_once(SERIES, old, new)
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    (problem,) = problems_in(write_schedules(tmp_path, text))
    assert problem == toml_text.syntax_problem("demo.toml", text, caught.value)


def test_newer_toml_the_text_check_misses_is_judged_once_the_file_has_a_problem(
    tmp_path: Path,
) -> None:
    """An array of times without seconds passes the quick text check; rtoml reads it, the
    validator finds a problem, and tomllib's syntax error replaces it. A shared file rejected so
    also counts as unreadable: no series file is told its drivers are unknown."""
    drivers = replace_once(DRIVERS, 'name = "Anna Alm"', 'name = "Anna Alm"\naliases = [\n10:00]')
    assert _rtoml_accepts(drivers) and not toml_text.parse("drivers.toml", drivers).judged
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(drivers)
    problems = problems_in(write_schedules(tmp_path, drivers_dot_toml=drivers))
    assert problems == (toml_text.syntax_problem("drivers.toml", drivers, caught.value),)
    assert problems[0].line == line_of(drivers, "10:00]")


def test_a_broken_file_still_names_its_line_and_key(tmp_path: Path) -> None:
    text = replace_once(SERIES, "position = 1\n", 'position = "first"\n')
    (problem,) = problems_in(write_schedules(tmp_path, text))
    assert problem == Problem(
        "demo.toml",
        line_of(text, 'position = "first"'),
        "events[0].sessions[1].results[0].position",
        "expected an integer, got string 'first'",
    )


def test_a_broken_result_row_names_its_line_and_key_among_plain_ones(tmp_path: Path) -> None:
    text = replace_once(SERIES, 'car = "7"', 'car = "7"\nnote = " "')
    (problem,) = problems_in(write_schedules(tmp_path, text))
    assert (problem.line, problem.key) == (
        line_of(text, 'note = " "'),
        "events[0].sessions[1].results[1].note",
    )
    assert problem.message == "must not be empty"


def test_the_line_index_is_built_only_for_a_file_with_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    real_locate = reader.locate

    def counting_locate(text: str) -> object:
        scanned.append(text)
        return real_locate(text)

    monkeypatch.setattr(reader, "locate", counting_locate)
    catalog, problems = check_directory(write_schedules(tmp_path / "clean"))
    assert catalog is not None and problems == ()
    assert scanned == []

    broken = replace_once(SERIES, 'track = "ring"', 'track = "rign"')
    (problem,) = problems_in(write_schedules(tmp_path / "broken", broken))
    assert (problem.file, problem.line, problem.key) == (
        "demo.toml",
        line_of(broken, 'track = "rign"'),
        "events[0].track",
    )
    assert scanned == [broken]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shape = Shape(series=3, events=3, entries=8)
    return generate(tmp_path_factory.mktemp("fast") / "s", shape).directory


def test_plain_paths_build_the_same_catalog_as_the_general_path(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, problems = check_directory(generated)
    assert fast is not None and problems == ()
    monkeypatch.setattr(results, "_plain_results", lambda *args: None)
    monkeypatch.setattr(events, "_plain_entries", lambda *args: None)
    general, problems = check_directory(generated)
    assert general is not None and problems == ()
    assert fast.sessions == general.sessions
    assert fast.events == general.events
    assert fast == general


def _fields(row: ResultRow) -> dict[str, object]:
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(ResultRow)}


def test_a_plain_row_is_the_row_resultrows_own_init_builds(generated: Path) -> None:
    """The plain path builds its rows without ResultRow's __init__ (eleven setattr calls):
    each must be that very row, field for field, hashing alike, and stay frozen."""
    catalog, problems = check_directory(generated)
    assert catalog is not None and problems == ()
    rows = [row for session in catalog.sessions.values() for row in session.results]
    assert rows
    for row in rows:
        built = ResultRow(row.drivers, row.status, row.position, row.note, row.car_number)
        assert type(row) is ResultRow
        assert _fields(row) == _fields(built) and row == built and hash(row) == hash(built)
    made = results._plain_row(("a", "b"), ResultStatus.DNF, None, "gearbox", "7")
    assert type(made) is ResultRow
    # Every field set, each to ResultRow's own default where not given (a field added to
    # ResultRow and not to the plain builder is unset: AttributeError here).
    assert _fields(made) == _fields(ResultRow(("a", "b"), ResultStatus.DNF, None, "gearbox", "7"))
    assert dataclasses.replace(made, laps=3).laps == 3 and made.laps is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.position = 2  # type: ignore[misc]


def test_result_rows_hold_their_fields_in_slots_not_a_dict_of_their_own(generated: Path) -> None:
    """Every table reads every row's fields: a row with an instance dict (as a row once built
    from a copied template had) makes each read a dict lookup, the first /standings 6-10 %
    slower (issue 11). Rows from both load paths and from __init__ have no __dict__."""
    catalog, problems = check_directory(generated)
    assert catalog is not None and problems == ()
    rows = [row for session in catalog.sessions.values() for row in session.results]
    made = results._plain_row(("a",), ResultStatus.CLASSIFIED, 1)
    for row in [*rows, made, ResultRow(("a",), ResultStatus.DNF, laps=3)]:
        assert not hasattr(row, "__dict__")


def test_a_dead_heat_and_incomplete_results_take_the_general_path_and_pass(
    tmp_path: Path,
) -> None:
    text = replace_once(SERIES, "position = 2\ncar", "position = 1\ncar")
    catalog, problems = check_directory(write_schedules(tmp_path / "heat", text))
    assert problems == () and catalog is not None
    race = catalog.sessions["demo-2022/ring/race"]
    assert [row.position for row in race.results] == [1, 1]
    text = replace_once(SERIES, "position = 2\ncar", "position = 5\ncar")
    catalog, problems = check_directory(write_schedules(tmp_path / "gap", text))
    assert problems == () and catalog is not None


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        check_directory(write_schedules(tmp_path))
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


class _Cycle:
    """A reference cycle the collector alone can free, watched through a weak reference."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_a_loaded_catalog_goes_to_the_oldest_generation_and_nothing_stays_frozen(
    tmp_path: Path,
) -> None:
    """The catalog skips the young collections (it lives until the next reload), yet every
    full collection still sees everything: a cycle dropped before the load is freed by the next
    one, and nothing is left in the permanent generation."""
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    catalog, problems = check_directory(write_schedules(tmp_path))
    assert catalog is not None and problems == ()
    assert gc.get_freeze_count() == 0
    oldest = gc.get_objects(generation=2)
    assert any(item is catalog for item in oldest)
    del oldest
    gc.collect()
    assert gone() is None


@pytest.mark.usefixtures("collector_on")
def test_objects_someone_else_froze_stay_frozen(tmp_path: Path) -> None:
    gc.freeze()  # say, an application freezing its start-up objects
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        catalog, _ = check_directory(write_schedules(tmp_path))
        assert gc.get_freeze_count() == frozen
        assert not any(item is catalog for item in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()


def test_the_quick_benchmark_reports_load_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import core

    assert core.main(["--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["load_ratio"] == figures["load"]["ratio"]
    assert figures["load_ratio"] == pytest.approx(
        figures["load"]["load_validate_s"] / figures["load"]["raw_parse_s"], rel=0.02, abs=0.002
    )
    assert any("load_ratio" in line for line in lines[:-1])


def _same(a: object, b: object) -> bool:
    """Equal documents, where nan equals nan and each value has the same type."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_real_file())
def test_any_mutation_of_a_real_file_parses_as_tomllib_parses_it(mutated: tuple[str, str]) -> None:
    """Whichever parser reads it: tomllib's document, or tomllib's syntax error word for word."""
    name, text = mutated
    parsed = toml_text.parse(name, text)
    try:
        expected = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        problem = toml_text.syntax_problem(name, text, exc)
        if parsed.judged:
            assert parsed.problem == problem
            return
        # rtoml read it and the text check saw nothing: the validator must find a problem, so
        # that the loader has tomllib judge the file (as in test_newer_toml_the_text_check...).
        assert parsed.doc is not None
        with tempfile.TemporaryDirectory() as tmp:
            for file, content in {**REAL_FILES, name: text}.items():
                (Path(tmp) / file).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / file).write_text(content, encoding="utf-8")
            _, problems = check_directory(Path(tmp))
        assert [p for p in problems if p.file == name] == [problem]
        return
    assert parsed.problem is None and parsed.doc is not None
    assert _same(parsed.doc, expected)


_TIME_ALPHABET = '=: \t\n\r0123456789Tt-"a'


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.sampled_from(["= ", "=", ":", "16:20", "16:20:00", "2022-05-13T", "\n", '"', *"a 1-"]),
        max_size=12,
    ).map("".join)
    | st.text(alphabet=_TIME_ALPHABET, max_size=40)
)
def test_the_time_without_seconds_check_finds_what_the_whole_pattern_finds(text: str) -> None:
    """Found from its minutes and matched backwards in the line: the very places the one-pattern
    search over the whole text finds (it is tried at every "=", which made it slow)."""
    whole = re.search(toml_text.TIME_WITHOUT_SECONDS, text, re.ASCII) is not None
    assert toml_text._has_time_without_seconds(text) is whole


@pytest.mark.parametrize(
    "text",
    ['a = "\\e"\n', 'a = "x\\x41"\n', "a = {x = 1,}\n", "\ufeffa = 1\n", "a = 16:20\n"],
)
def test_each_newer_toml_mark_still_sends_the_text_to_tomllib(text: str) -> None:
    parsed = toml_text.parse("a.toml", f"b = 'c:\\\\d'\n{text}")
    assert parsed.judged and parsed.problem is not None


# The race's results: only usual rows, {position, driver}, each of them plainly valid.
USUAL_ROWS = replace_once(SERIES, 'position = 2\ncar = "7"', 'position = 2\ndriver = "anna"')
USUAL_ROWS += '\n[[events.sessions.results]]\nposition = 3\ndriver = "ben"\n'
ONE_ROW_DIFFERS = {
    "position 0": ("position = 3\n", "position = 0\n"),
    "position true": ("position = 3\n", "position = true\n"),
    "position a float": ("position = 3\n", "position = 3.0\n"),
    "position too big": ("position = 3\n", f"position = {2**63}\n"),
    "driver a number": ('driver = "ben"', "driver = 5"),
    "driver not entered": ('driver = "ben"', 'driver = "dan"'),
    "driver unknown": ('driver = "ben"', 'driver = "zed"'),
    "driver twice": ('driver = "ben"', 'driver = "cleo"'),
    "position twice": ("position = 3\n", "position = 2\n"),
    "a gap in complete results": (
        *('duration = "1h"', 'duration = "1h"\nresults_complete = true'),
        *("position = 3\n", "position = 4\n"),
    ),
    "no driver": ('driver = "ben"', 'car = "7"'),
    "an unknown key": ('driver = "ben"', 'driver = "ben"\npoints = 3'),
    "a timing-sheet key": ('driver = "ben"', 'driver = "ben"\nlaps = 3'),
    "an unclassified row after them": (
        'position = 3\ndriver = "ben"',
        'status = "dnf"\ndriver = "ben"',
    ),
    "an unclassified row naming a classified driver": (
        *('position = 3\ndriver = "ben"', 'status = "dnf"\ndriver = "cleo"'),
    ),
    "an unclassified row among them": (
        *('position = 2\ndriver = "anna"', 'status = "dns"\ndriver = "anna"'),
        *("position = 3\n", "position = 2\n"),
    ),
    "a gap behind an unclassified row": (
        *('duration = "1h"', 'duration = "1h"\nresults_complete = true'),
        *('position = 2\ndriver = "anna"', 'status = "dns"\ndriver = "anna"'),
    ),
}


def _one_row_differs(edits: tuple[str, ...]) -> str:
    text = USUAL_ROWS
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        text = replace_once(text, old, new)
    return text


@pytest.mark.parametrize("edits", ONE_ROW_DIFFERS.values(), ids=ONE_ROW_DIFFERS.keys())
def test_a_row_unlike_the_usual_ones_is_judged_as_the_general_path_judges_it(
    tmp_path: Path, edits: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain path takes a session of usual rows with one look at each value; one row that
    differs gets the very problem (file, line, key, words) or the very rows the general path
    gives it."""
    text = _one_row_differs(edits)
    plain = check_directory(write_schedules(tmp_path / "plain", text))
    monkeypatch.setattr(results, "_plain_results", lambda *args: None)
    general = check_directory(write_schedules(tmp_path / "general", text))
    assert plain == general


def test_usual_rows_are_read_and_a_broken_one_names_its_line_and_key(
    tmp_path: Path,
) -> None:
    (catalog, problems) = check_directory(write_schedules(tmp_path / "ok", USUAL_ROWS))
    assert catalog is not None and problems == ()
    race = catalog.sessions["demo-2022/ring/race"]
    assert [(row.drivers, row.position) for row in race.results] == [
        (("cleo",), 1),
        (("anna",), 2),
        (("ben",), 3),
    ]
    text = _one_row_differs(ONE_ROW_DIFFERS["driver not entered"])
    assert problems_in(write_schedules(tmp_path / "bad", text)) == (
        Problem(
            "demo.toml",
            line_of(text, 'driver = "dan"'),
            "events[0].sessions[1].results[2].driver",
            "driver 'dan' is not entered in this event (see [[events.entries]])",
        ),
    )


def test_rows_and_entries_of_one_driver_in_a_file_share_one_crew(generated: Path) -> None:
    """Not a tuple per row or entry: the one-driver crews of a file are shared (fewer objects
    for the garbage collector to walk after a load)."""
    catalog, problems = check_directory(generated)
    assert catalog is not None and problems == ()
    crews: dict[tuple[str, tuple[str, ...]], set[int]] = {}
    for session in catalog.sessions.values():
        for row in session.results:
            if len(row.drivers) == 1:
                crews.setdefault((session.series_id, row.drivers), set()).add(id(row.drivers))
    for event in catalog.events.values():
        for entry in event.entries:
            if len(entry.drivers) == 1:
                crews[event.series_id, entry.drivers].add(id(entry.drivers))
    assert crews and all(len(ids) == 1 for ids in crews.values())


def test_a_row_that_is_not_a_table_among_usual_ones_is_reported_at_its_index(
    tmp_path: Path,
) -> None:
    text = SERIES.split("[[events.sessions.results]]")[0]
    text += 'results = [{ position = 1, driver = "cleo" }, { position = 2, driver = "anna" }, 3]\n'
    (problem,) = problems_in(write_schedules(tmp_path, text))
    assert (problem.key, problem.message) == (
        "events[0].sessions[1].results[2]",
        "expected a table, got integer 3",
    )
