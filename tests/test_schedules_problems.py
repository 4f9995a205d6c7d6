"""One test per kind of problem: each names the exact file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.schedules import Problem, ScheduleError, check_directory, load_catalog
from tests.test_schedules_helpers import (
    DRIVERS,
    SERIES,
    TRACKS,
    line_of,
    problems_in,
    replace_once,
    write_schedules,
)


def only(problems: tuple[Problem, ...]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def broken_series(tmp_path: Path, old: str, new: str) -> tuple[Problem, str]:
    """Break the demo series with one replacement; return its only problem and the text."""
    text = replace_once(SERIES, old, new)
    return only(problems_in(write_schedules(tmp_path, text))), text


def test_the_demo_directory_is_valid(tmp_path: Path) -> None:
    catalog = load_catalog(write_schedules(tmp_path))
    race = catalog.sessions["demo-2022/ring/race"]
    assert [(r.position, r.drivers, r.car_number) for r in race.results] == [
        (1, ("cleo",), None),
        (2, ("anna", "ben"), "7"),  # a car's result is shared by everyone in it
    ]


def test_problem_prints_as_file_line_key_message() -> None:
    problem = Problem("2022/tcr-germany.toml", 31, "events[0].sessions[0].time", "bad")
    assert str(problem) == "2022/tcr-germany.toml:31: events[0].sessions[0].time: bad"
    assert str(Problem("a.toml", 3, "", "TOML syntax error")) == "a.toml:3: TOML syntax error"


def test_toml_syntax_error_gives_tomllibs_line(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'name = "Ring weekend"', 'name = "Ring weekend')
    assert problem.file == "demo.toml"
    assert problem.line == line_of(text, 'name = "Ring weekend') == 12
    assert problem.message.startswith("TOML syntax error: ")


def test_unknown_key_suggests_the_nearest_and_lists_the_allowed(tmp_path: Path) -> None:
    text = replace_once(SERIES, 'time = "15:00"', 'tme = "15:00"')
    missing, unknown = problems_in(write_schedules(tmp_path, text))
    assert (unknown.file, unknown.line) == ("demo.toml", line_of(text, "tme = "))
    assert unknown.key == "events[0].sessions[1].tme"
    assert unknown.message == (
        "unknown key 'tme' (did you mean 'time'?); allowed: broadcasts, cancelled, date, duration, "
        "id, inferred, kind, live_timing, name, part, points, results, results_complete, short, "
        "source, time, utc_offset"
    )
    # The session, now without a time, also lacks a required key: reported at its header.
    assert (missing.line, missing.key) == (
        line_of(text, "[[events.sessions]]", 2),
        "events[0].sessions[1].time",
    )
    assert missing.message == "missing required key 'time'"


def test_missing_required_key_points_at_the_table_header(tmp_path: Path) -> None:
    text = replace_once(SERIES, 'kind = "qualifying"\n', "")
    problem = only(problems_in(write_schedules(tmp_path, text)))
    assert problem.line == line_of(text, "[[events.sessions]]", occurrence=1) == 26
    assert problem.key == "events[0].sessions[0].kind"
    assert problem.message == "missing required key 'kind'"


def test_wrong_type(tmp_path: Path) -> None:
    problem, _text = broken_series(tmp_path, "season = 2022", 'season = "2022"')
    assert (problem.line, problem.key) == (4, "series.season")
    assert problem.message == "expected an integer, got string '2022'"


def test_unknown_track_reference(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'track = "ring"', 'track = "rimg"')
    assert (problem.line, problem.key) == (line_of(text, "track = "), "events[0].track")
    assert problem.message == "unknown track 'rimg' (did you mean 'ring'?)"


def test_unknown_driver_in_an_entry_points_at_the_array_element(tmp_path: Path) -> None:
    text = replace_once(SERIES, 'drivers = ["anna", "ben"]', 'drivers = [\n  "anna",\n  "bne",\n]')
    problem = only(problems_in(write_schedules(tmp_path, text)))
    assert (problem.line, problem.key) == (
        line_of(text, '"bne"'),
        "events[0].entries[0].drivers[1]",
    )
    assert problem.message == "unknown driver 'bne' (did you mean 'ben'?)"


def test_unknown_scale_reference(tmp_path: Path) -> None:
    problem, _text = broken_series(tmp_path, 'race = "race"', 'race = "sprint"')
    assert (problem.line, problem.key) == (7, "series.points.race")
    assert problem.message == "unknown scale 'sprint' (define it in scales.toml)"


def test_session_points_false_scores_nothing_and_unknown_scale_is_reported(tmp_path: Path) -> None:
    text = replace_once(SERIES, 'duration = "30m"', 'duration = "30m"\npoints = false')
    catalog = load_catalog(write_schedules(tmp_path / "ok", text))
    assert catalog.sessions["demo-2022/ring/qualifying"].points_scale is None
    assert catalog.sessions["demo-2022/ring/race"].points_scale == "race"
    problem, text = broken_series(
        tmp_path / "bad", 'duration = "30m"', 'duration = "30m"\npoints = "qualy"'
    )
    assert (problem.line, problem.key) == (
        line_of(text, "points = "),
        "events[0].sessions[0].points",
    )
    assert problem.message == "unknown scale 'qualy' (did you mean 'qualifying'?)"


def test_unknown_event_in_published_standings(tmp_path: Path) -> None:
    text = SERIES + (
        '\n[[standings]]\nafter = "rnig"\n'
        '\n[[standings.rows]]\nposition = 1\ndriver = "cleo"\npoints = 25\n'
    )
    problem = only(problems_in(write_schedules(tmp_path, text)))
    assert (problem.line, problem.key) == (line_of(text, 'after = "rnig"'), "standings[0].after")
    assert problem.message == "unknown event 'rnig' in this series (did you mean 'ring'?)"


def test_bad_time_zone(tmp_path: Path) -> None:
    problem, _text = broken_series(tmp_path, '"Europe/Berlin"', '"Europe/Berlim"')
    assert (problem.line, problem.key) == (14, "events[0].timezone")
    assert problem.message == "'Europe/Berlim' is not a known IANA time zone (e.g. 'Europe/Berlin')"


SESSION_DAY = 'date = 2022-05-14\ntime = "10:00"'  # the qualifying's date: unique with its time


@pytest.mark.parametrize(
    ("old", "new", "bad_line", "key", "message"),
    [
        (SESSION_DAY, 'date = "2022-5-14"\ntime = "10:00"', 'date = "2022-5-14"',
         "events[0].sessions[0].date", "'2022-5-14' is not a date like 2022-05-13 (YYYY-MM-DD)"),
        (SESSION_DAY, 'date = "2022-02-30"\ntime = "10:00"', 'date = "2022-02-30"',
         "events[0].sessions[0].date", "'2022-02-30' is not a real date"),
        ('time = "10:00"', 'time = "10am"', 'time = "10am"',
         "events[0].sessions[0].time",
         "'10am' is not a time like '16:20' (HH:MM, 24-hour) or 'TBA'"),
        ('duration = "30m"', 'duration = "30 min"', 'duration = "30 min"',
         "events[0].sessions[0].duration",
         "'30 min' is not a duration like '6h', '45m' or '1h30m'"),
        ('duration = "30m"', 'duration = "30m"\nutc_offset = "+2"', 'utc_offset = "+2"',
         "events[0].sessions[0].utc_offset", "'+2' is not a UTC offset like '+02:00'"),
        ("start_date = 2022-05-13", "start_date = 2022-05-13T09:00:00", "start_date = ",
         "events[0].start_date", "expected a date like 2022-05-13, got a date with a time"),
    ],
)  # fmt: skip
def test_bad_formats(
    tmp_path: Path, old: str, new: str, bad_line: str, key: str, message: str
) -> None:
    problem, text = broken_series(tmp_path, old, new)
    assert (problem.line, problem.key) == (line_of(text, bad_line), key)
    assert problem.message == message


def test_dates_may_be_strings_and_must_come_in_pairs(tmp_path: Path) -> None:
    text = replace_once(SERIES, "start_date = 2022-05-13", 'start_date = "2022-05-13"')
    assert load_catalog(write_schedules(tmp_path / "ok", text)).events["demo-2022/ring"].start_date
    problem, text = broken_series(tmp_path / "bad", "end_date = 2022-05-15\n", "")
    assert (problem.line, problem.key) == (10, "events[0].end_date")
    assert (
        problem.message == "give both start_date and end_date, or neither while the dates are TBA"
    )


def test_duplicate_series_id_across_files(tmp_path: Path) -> None:
    problem = only(problems_in(write_schedules(tmp_path, SERIES, y2022__copy_dot_toml=SERIES)))
    # Files are read in sorted path order: demo.toml first, so the copy is the one reported.
    assert (problem.file, problem.line, problem.key) == ("y2022/copy.toml", 2, "series.id")
    assert problem.message == "duplicate series id 'demo-2022' (also in demo.toml)"


def test_duplicate_event_id_within_a_series(tmp_path: Path) -> None:
    text = SERIES + '\n[[events]]\nid = "ring"\nname = "Again"\ntimezone = "Europe/Berlin"\n'
    problem = only(problems_in(write_schedules(tmp_path, text)))
    assert (problem.line, problem.key) == (line_of(text, 'id = "ring"', 2), "events[1].id")
    assert problem.message == "duplicate event id 'ring' in this series (also events[0])"


def test_duplicate_session_id_within_an_event(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'id = "race"', 'id = "qualifying"')
    assert (problem.line, problem.key) == (
        line_of(text, 'id = "qualifying"', 2),
        "events[0].sessions[1].id",
    )
    assert problem.message == "duplicate session id 'qualifying' (also events[0].sessions[0])"


def test_duplicate_car_number_within_an_event(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'number = "8"', 'number = "7"')
    assert (problem.line, problem.key) == (
        line_of(text, 'number = "7"', 2),
        "events[0].entries[1].number",
    )
    assert problem.message == "duplicate car number '7' (also events[0].entries[0])"


def test_duplicate_driver_in_one_sessions_results(tmp_path: Path) -> None:
    # Car 7 is Anna and Ben: a separate row for Ben repeats him.
    text = SERIES + '\n[[events.sessions.results]]\nposition = 3\ndriver = "ben"\n'
    problem = only(problems_in(write_schedules(tmp_path, text)))
    assert (problem.line, problem.key) == (
        line_of(text, 'driver = "ben"'),
        "events[0].sessions[1].results[2].driver",
    )
    assert (
        problem.message
        == "driver 'ben' already has a result in this session (events[0].sessions[1].results[1])"
    )


def test_result_for_a_driver_not_entered(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'driver = "cleo"', 'driver = "dan"')
    assert (problem.line, problem.key) == (
        line_of(text, 'driver = "dan"'),
        "events[0].sessions[1].results[0].driver",
    )
    assert problem.message == "driver 'dan' is not entered in this event (see [[events.entries]])"


def test_result_for_a_car_not_entered(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'car = "7"', 'car = "77"')
    assert (problem.line, problem.key) == (
        line_of(text, 'car = "77"'),
        "events[0].sessions[1].results[1].car",
    )
    assert problem.message == "car '77' is not entered in this event (cars: 7, 8)"


def test_result_needs_exactly_one_of_driver_or_car(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, 'car = "7"', 'car = "7"\ndriver = "anna"')
    assert (problem.line, problem.key) == (
        line_of(text, "[[events.sessions.results]]", 2),
        "events[0].sessions[1].results[1]",
    )
    assert problem.message == "give either driver or car, not both"


def test_classified_result_needs_a_position_but_a_dnf_does_not(tmp_path: Path) -> None:
    problem, text = broken_series(tmp_path, "position = 2\n", "")
    assert (problem.line, problem.key) == (
        line_of(text, "[[events.sessions.results]]", 2),
        "events[0].sessions[1].results[1].position",
    )
    assert problem.message.startswith("a classified result needs a position")
    text = replace_once(SERIES, "position = 2\n", 'status = "dnf"\n')
    race = load_catalog(write_schedules(tmp_path / "dnf", text)).sessions["demo-2022/ring/race"]
    assert race.results[1].position is None and race.results[1].status.value == "dnf"


@pytest.mark.parametrize(
    ("positions", "complete", "bad"),
    [
        ((1, 2, 3), True, None),
        ((1, 2, 2, 4), True, None),  # a dead heat for 2nd, and the next is 4th
        ((1, 3), True, (1, "position 3 should be 2")),
        ((1, 2, 2, 3), True, (3, "position 3 should be 4")),
        ((2, 1), True, None),  # the file order does not matter
        ((3, 7), False, None),  # incomplete: gaps are expected
        ((2, 2), False, None),
        ((1, 2, 2, 3), False, (3, "position 3 cannot follow 3 classified results ahead of it")),
    ],
)
def test_positions_must_form_a_finishing_order(
    tmp_path: Path, positions: tuple[int, ...], complete: bool, bad: tuple[int, str] | None
) -> None:
    drivers = ["anna", "ben", "cleo", "dan"]
    entries = "".join(f'\n[[events.entries]]\ndrivers = ["{d}"]\n' for d in drivers)
    head = SERIES.split("[[events.entries]]")[0]
    session = (
        '\n[[events.sessions]]\nid = "race"\nname = "Race"\nkind = "race"\n'
        'date = 2022-05-14\ntime = "TBA"\n'
    )
    session += f"results_complete = {str(complete).lower()}\n"
    rows = "".join(
        f'\n[[events.sessions.results]]\nposition = {p}\ndriver = "{d}"\n'
        for p, d in zip(positions, drivers, strict=False)
    )
    text = head + entries + session + rows
    problems = problems_in(write_schedules(tmp_path, text))
    if bad is None:
        assert problems == ()
        return
    index, message = bad
    problem = only(problems)
    assert problem.key == f"events[0].sessions[0].results[{index}].position"
    assert problem.line == line_of(text, "position = ", index + 1)
    assert problem.message.startswith(message)


def test_published_rows_need_known_drivers_in_ascending_order(tmp_path: Path) -> None:
    text = SERIES + (
        '\n[[standings]]\nafter = "ring"\n'
        '\n[[standings.rows]]\nposition = 2\ndriver = "cleo"\npoints = 25\n'
        '\n[[standings.rows]]\nposition = 1\ndriver = "anna"\npoints = 18\n'
        '\n[[standings.rows]]\nposition = 3\ndriver = "zed"\npoints = 17.5\n'
    )
    first, second = problems_in(write_schedules(tmp_path, text))
    assert (first.line, first.key) == (
        line_of(text, "position = 1", 2),
        "standings[0].rows[1].position",
    )
    assert first.message == "position 1 comes after 2: list rows in ascending position"
    assert (second.line, second.key) == (
        line_of(text, 'driver = "zed"'),
        "standings[0].rows[2].driver",
    )
    assert second.message == "unknown driver 'zed' (define it in drivers.toml)"


def test_shared_file_problems(tmp_path: Path) -> None:
    drivers = DRIVERS.replace(
        '[drivers.ben]\nname = "Ben Berg"', '[drivers.ben]\nname = "Ben Berg"\ncountry = "Sweden"'
    )
    tracks = TRACKS + '\n[[tracks.ring.lap_records]]\nclass = "TCR"\ntime = "1:47"\n'
    first, second = problems_in(
        write_schedules(tmp_path, drivers_dot_toml=drivers, tracks_dot_toml=tracks)
    )
    assert (first.file, first.line, first.key) == ("drivers.toml", 6, "drivers.ben.country")
    assert first.message == "'Sweden' is not an ISO 3166-1 alpha-2 code (two capitals, e.g. 'SE')"
    assert (second.file, second.line, second.key) == (
        "tracks.toml",
        7,
        "tracks.ring.lap_records[0].time",
    )
    assert second.message == "'1:47' is not a lap time like '1:47.095' (M:SS.mmm)"


def test_a_syntax_error_in_drivers_toml_is_not_echoed_as_unknown_drivers(tmp_path: Path) -> None:
    problem = only(problems_in(write_schedules(tmp_path, drivers_dot_toml="[drivers.anna\n")))
    assert (problem.file, problem.line) == ("drivers.toml", 1)
    assert problem.message.startswith("TOML syntax error")


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = SERIES
    text = replace_once(text, "season = 2022", "season = 2022\nsponsor = true")
    text = replace_once(text, 'track = "ring"', 'track = "nordschleife"')
    text = replace_once(text, 'time = "10:00"', 'time = "25:00"')
    text = replace_once(text, 'driver = "cleo"', 'driver = "dan"')
    other = SERIES.replace("demo-2022", "other-2022").replace('"Europe/Berlin"', '"Mars/Olympus"')
    root = write_schedules(
        tmp_path, text, y2022__other_dot_toml=other, scales_dot_toml="[scales.race]\nname = 1\n"
    )
    with pytest.raises(ScheduleError) as caught:
        load_catalog(root)
    got = [(p.file, p.line, p.key) for p in caught.value.problems]
    assert got == [
        ("demo.toml", 5, "series.sponsor"),
        ("demo.toml", 9, "series.points.qualifying"),  # scales.toml now defines only `race`
        ("demo.toml", line_of(text, "track = "), "events[0].track"),
        ("demo.toml", line_of(text, '"25:00"'), "events[0].sessions[0].time"),
        ("demo.toml", line_of(text, 'driver = "dan"'), "events[0].sessions[1].results[0].driver"),
        ("scales.toml", 1, "scales.race.points"),
        ("scales.toml", 2, "scales.race.name"),
        ("y2022/other.toml", 8, "series.points.qualifying"),
        ("y2022/other.toml", 14, "events[0].timezone"),
    ]
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]
    assert check_directory(root) == (None, caught.value.problems)


def test_files_that_are_not_toml_are_ignored(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, README_dot_md="# not [toml", notes__draft_dot_txt="[[[")
    assert problems_in(root) == ()


def test_a_missing_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    catalog, problems = check_directory(tmp_path / "nowhere")
    assert catalog is None
    assert only(problems).file == "."


def test_duplicate_session_id_is_found_even_when_the_sessions_cannot_be_built(
    tmp_path: Path,
) -> None:
    text = replace_once(SERIES, '"Europe/Berlin"', '"Berlin"')
    text = replace_once(text, 'id = "race"', 'id = "qualifying"')
    zone, duplicate = problems_in(write_schedules(tmp_path, text))
    assert (zone.line, zone.key) == (14, "events[0].timezone")
    assert (duplicate.line, duplicate.key) == (
        line_of(text, 'id = "qualifying"', 2),
        "events[0].sessions[1].id",
    )
