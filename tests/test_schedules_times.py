"""Wall times, summer time, TBA, overlaps and event dates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.core.schedules import Problem, load_catalog
from tests.test_schedules_helpers import line_of, problems_in, write_schedules

HEAD = """\
[series]
id = "night-2022"
name = "Night Cup"
season = 2022

[[events]]
id = "berlin"
name = "Berlin"
timezone = "Europe/Berlin"
"""


def session(slug: str, day: str, at: str, *extra: str) -> str:
    lines = [
        f'id = "{slug}"',
        f'name = "{slug}"',
        'kind = "race"',
        f"date = {day}",
        f'time = "{at}"',
    ]
    return "\n[[events.sessions]]\n" + "\n".join([*lines, *extra]) + "\n"


def only(problems: tuple[Problem, ...]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_a_time_that_summer_time_skips_is_reported_at_its_line(tmp_path: Path) -> None:
    text = HEAD + session("gap", "2022-03-27", "02:30")
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.file, problem.line) == ("night.toml", line_of(text, 'time = "02:30"'))
    assert problem.key == "events[0].sessions[0].time"
    assert problem.message == (
        "2022-03-27 02:30 does not exist in Europe/Berlin (summer time starts that night)"
    )


def test_a_time_that_happens_twice_needs_an_offset(tmp_path: Path) -> None:
    text = HEAD + session("fold", "2022-10-30", "02:30")
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, 'time = "02:30"'),
        "events[0].sessions[0].time",
    )
    assert problem.message == (
        '2022-10-30 02:30 happens twice in Europe/Berlin; add utc_offset = "+01:00" or "+02:00"'
    )


def test_the_offset_settles_which_02_30_is_meant(tmp_path: Path) -> None:
    text = (
        HEAD
        + session("after", "2022-10-30", "02:30", 'utc_offset = "+01:00"')
        + session("before", "2022-10-30", "02:30", 'utc_offset = "+02:00"')
    )
    catalog = load_catalog(write_schedules(tmp_path, None, night_dot_toml=text))
    after = catalog.sessions["night-2022/berlin/after"]
    assert after.start_utc == datetime(2022, 10, 30, 1, 30, tzinfo=UTC)
    assert after.utc_offset == timedelta(hours=1)
    assert catalog.sessions["night-2022/berlin/before"].start_utc == datetime(
        2022, 10, 30, 0, 30, tzinfo=UTC
    )


def test_a_wrong_offset_is_reported_at_the_offset(tmp_path: Path) -> None:
    text = HEAD + session("noon", "2022-06-01", "12:00", 'utc_offset = "+01:00"')
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, "utc_offset"),
        "events[0].sessions[0].utc_offset",
    )
    assert problem.message == (
        'utc_offset "+01:00" is not Europe/Berlin\'s offset at 2022-06-01 12:00'
    )


def test_a_wrong_offset_on_a_time_that_happens_twice_is_reported_at_the_offset(
    tmp_path: Path,
) -> None:
    text = HEAD + session("fold", "2022-10-30", "02:30", 'utc_offset = "+03:00"')
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, "utc_offset"),
        "events[0].sessions[0].utc_offset",
    )
    assert problem.message == (
        'utc_offset "+03:00" is neither of Europe/Berlin\'s offsets at 2022-10-30 02:30'
        ' (it happens twice); use "+01:00" or "+02:00"'
    )


def test_tba_times_keep_their_day_and_cannot_take_an_offset(tmp_path: Path) -> None:
    text = HEAD + session("later", "2022-06-01", "TBA")
    catalog = load_catalog(write_schedules(tmp_path / "ok", None, night_dot_toml=text))
    later = catalog.sessions["night-2022/berlin/later"]
    assert later.is_tba and later.local_time is None and later.start_utc is None
    assert later.sort_key == datetime(2022, 5, 31, 22, 0, tzinfo=UTC)

    text = HEAD + session("later", "2022-06-01", "TBA", 'utc_offset = "+02:00"')
    problem = only(problems_in(write_schedules(tmp_path / "bad", None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, "utc_offset"),
        "events[0].sessions[0].utc_offset",
    )
    assert problem.message == "utc_offset needs a time; the time is TBA"


def test_a_toml_local_time_is_accepted_too(tmp_path: Path) -> None:
    text = HEAD + session("early", "2022-06-01", "x").replace('time = "x"', "time = 09:15:00")
    catalog = load_catalog(write_schedules(tmp_path, None, night_dot_toml=text))
    assert catalog.sessions["night-2022/berlin/early"].local_time == time(9, 15)


def test_overlapping_sessions_are_reported_at_the_later_start(tmp_path: Path) -> None:
    text = (
        HEAD
        + session("long", "2022-06-01", "12:00", 'duration = "1h30m"')
        + session("clash", "2022-06-01", "13:00")
        + session("fine", "2022-06-01", "13:30", 'duration = "45m"')
        + session("untimed", "2022-06-01", "TBA")
    )
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, 'time = "13:00"'),
        "events[0].sessions[1].time",
    )
    assert problem.message == (
        "overlaps session 'long', which runs until 2022-06-01 13:30 (events[0].sessions[0])"
    )


def test_sessions_without_a_duration_cannot_overlap(tmp_path: Path) -> None:
    text = HEAD + session("a", "2022-06-01", "12:00") + session("b", "2022-06-01", "12:00")
    assert problems_in(write_schedules(tmp_path, None, night_dot_toml=text)) == ()


def test_a_session_outside_the_events_dates(tmp_path: Path) -> None:
    head = HEAD + "start_date = 2022-06-03\nend_date = 2022-06-04\n"
    text = head + session("a", "2022-06-03", "12:00") + session("b", "2022-06-05", "12:00")
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (
        line_of(text, "date = 2022-06-05"),
        "events[0].sessions[1].date",
    )
    assert problem.message == "2022-06-05 is outside the event's dates (2022-06-03 to 2022-06-04)"


def test_end_date_before_start_date(tmp_path: Path) -> None:
    text = HEAD + "start_date = 2022-06-04\nend_date = 2022-06-03\n"
    problem = only(problems_in(write_schedules(tmp_path, None, night_dot_toml=text)))
    assert (problem.line, problem.key) == (11, "events[0].end_date")
    assert problem.message == "end_date 2022-06-03 is before start_date 2022-06-04"


def test_durations(tmp_path: Path) -> None:
    text = (
        HEAD
        + session("a", "2022-06-01", "08:00", 'duration = "45m"')
        + session("b", "2022-06-01", "09:00", 'duration = "1h30m"')
        + session("c", "2022-06-01", "11:00", 'duration = "6h"')
    )
    catalog = load_catalog(write_schedules(tmp_path, None, night_dot_toml=text))
    got = [catalog.sessions[f"night-2022/berlin/{s}"].duration for s in "abc"]
    assert got == [timedelta(minutes=45), timedelta(hours=1, minutes=30), timedelta(hours=6)]
