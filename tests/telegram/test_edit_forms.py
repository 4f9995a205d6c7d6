"""The guided edit's typed forms: a new event, a new session, a published standings table."""

from __future__ import annotations

from datetime import date, time

from bot.core.model import SessionKind
from bot.core.schedules import load_catalog
from bot.frontends.telegram import edit_forms as forms
from tests.telegram.harness import SCHEDULES

CATALOG = load_catalog(SCHEDULES)
TCR = CATALOG.series["tcr-germany-2022"]
OSCHERSLEBEN = CATALOG.events["tcr-germany-2022/oschersleben"]


def test_a_new_event_takes_the_series_zone_by_default() -> None:
    edit = forms.read_new_event(
        "name: Nürburgring\ndates: 2022-08-05 2022-08-07\ntrack: Oschersleben", TCR, CATALOG
    )
    assert not isinstance(edit, tuple)
    assert (edit.slug, edit.name, edit.round) == ("nurburgring", "Nürburgring", None)
    assert (edit.start_date, edit.end_date) == (date(2022, 8, 5), date(2022, 8, 7))
    assert edit.track == "oschersleben" and edit.timezone == "Europe/Berlin"


def test_a_new_event_with_dates_tba_and_its_own_round() -> None:
    edit = forms.read_new_event("name: Most\nround: 4\ntimezone: Europe/Prague", TCR, CATALOG)
    assert not isinstance(edit, tuple)
    assert (edit.round, edit.timezone, edit.start_date) == (4, "Europe/Prague", None)


def test_a_new_event_form_with_mistakes_says_each_one() -> None:
    problems = forms.read_new_event("dates: soon\ncolour: red\ntrack: Monza", TCR, CATALOG)
    assert isinstance(problems, tuple)
    said = "\n".join(problems)
    assert "line 2: expected 'FIELD: value'" in said
    assert "needs a name" in said and "dates: 'soon'" in said and "no track called 'Monza'" in said


def test_a_new_session_is_a_name_a_kind_and_a_day_with_a_time_or_tba() -> None:
    edit = forms.read_new_session("Race 3, race, 2022-04-24 16:00", OSCHERSLEBEN)
    assert not isinstance(edit, tuple)
    assert (edit.event_id, edit.slug, edit.kind) == (OSCHERSLEBEN.id, "race-3", SessionKind.RACE)
    assert (edit.day, edit.time) == (date(2022, 4, 24), time(16, 0))
    tba = forms.read_new_session("Warm-up, warmup, 2022-04-24 TBA", OSCHERSLEBEN)
    assert not isinstance(tba, tuple) and tba.time is None and tba.slug == "warm-up"
    assert (
        "not a session kind"
        in forms.read_new_session("X, sprint, 2022-04-24 10:00", OSCHERSLEBEN)[0]
    )  # type: ignore[index]


def test_standings_rows_resolve_drivers_by_name_and_point_at_an_unknown_one() -> None:
    edit = forms.read_standings(
        "1 Martin Andersen 65\n2. jonas karklys 55\n3 Jessica Backman 44\nnote: top three",
        TCR,
        OSCHERSLEBEN,
        CATALOG,
    )
    assert not isinstance(edit, tuple)
    assert [(r.position, r.driver_id, r.points) for r in edit.rows] == [
        (1, "martin-andersen", "65"),
        (2, "jonas-karklys", "55"),
        (3, "jessica-backman", "44"),
    ]
    assert edit.note == "top three" and edit.after_event_id == OSCHERSLEBEN.id
    problems = forms.read_standings(
        "1 Martin Andersen 65\n2 Nobody Atall 55", TCR, OSCHERSLEBEN, CATALOG
    )
    assert isinstance(problems, tuple)
    assert problems[0].startswith("line 2, column 3: unknown driver 'Nobody Atall'")
