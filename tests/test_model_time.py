"""Local wall time + IANA zone, TBA sessions and the summer-time edges."""

from datetime import UTC, date, datetime, time, timedelta

from bot.core.model import Session, SessionKind, wall_time_problem


def session(day: date, at: time | None, offset: timedelta | None = None) -> Session:
    return Session(
        id="s/e/x",
        slug="x",
        event_id="s/e",
        series_id="s",
        name="X",
        short_name="X",
        kind=SessionKind.RACE,
        day=day,
        local_time=at,
        timezone="Europe/Berlin",
        utc_offset=offset,
        duration=timedelta(hours=6),
    )


def test_summer_time_session_converts_with_cest() -> None:
    race = session(date(2022, 5, 14), time(13, 55))
    assert race.start_utc == datetime(2022, 5, 14, 11, 55, tzinfo=UTC)
    assert race.end_utc == datetime(2022, 5, 14, 17, 55, tzinfo=UTC)


def test_winter_session_converts_with_cet() -> None:
    assert session(date(2022, 1, 10), time(13, 0)).start_utc == datetime(
        2022, 1, 10, 12, 0, tzinfo=UTC
    )


def test_0230_on_the_night_summer_time_starts_does_not_exist() -> None:
    problem = wall_time_problem(datetime(2022, 3, 27, 2, 30), "Europe/Berlin", None)
    assert problem is not None and "does not exist" in problem


def test_0230_on_the_night_summer_time_ends_is_ambiguous_until_an_offset_says_which() -> None:
    wall = datetime(2022, 10, 30, 2, 30)
    problem = wall_time_problem(wall, "Europe/Berlin", None)
    assert problem is not None and "happens twice" in problem and '"+01:00"' in problem
    assert wall_time_problem(wall, "Europe/Berlin", timedelta(hours=1)) is None
    assert wall_time_problem(wall, "Europe/Berlin", timedelta(hours=2)) is None
    first = session(date(2022, 10, 30), time(2, 30), timedelta(hours=2))
    second = session(date(2022, 10, 30), time(2, 30), timedelta(hours=1))
    assert first.start_utc == datetime(2022, 10, 30, 0, 30, tzinfo=UTC)
    assert second.start_utc == datetime(2022, 10, 30, 1, 30, tzinfo=UTC)


def test_wrong_offset_is_reported() -> None:
    problem = wall_time_problem(datetime(2022, 5, 14, 13, 55), "Europe/Berlin", timedelta(hours=1))
    assert problem is not None and "not Europe/Berlin's offset" in problem


def test_tba_session_has_no_start_but_sorts_on_its_day() -> None:
    tba = session(date(2022, 4, 23), None)
    assert tba.is_tba and tba.start_utc is None and tba.end_utc is None
    assert tba.sort_key == datetime(2022, 4, 22, 22, 0, tzinfo=UTC)  # midnight CEST
