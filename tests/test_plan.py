"""Announcement planning on fixed instants: due times, keys, moves, catch-up and recipients."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import Catalog
from bot.core.model import Event, Series, Session, SessionKind
from bot.core.plan import (
    Announcement,
    AnnouncementKind,
    Decision,
    PlanSettings,
    catch_up,
    changes,
    parse_key,
    plan,
    preview_start,
    recipients,
    superseded,
)
from bot.core.schedules import load_catalog

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
CATALOG = load_catalog(SCHEDULES)
SETTINGS = PlanSettings()
BERLIN = ZoneInfo("Europe/Berlin")

HOCKENHEIM = "24h-series-2022/hockenheim"
FP = f"{HOCKENHEIM}/free-practice"
QUALI = f"{HOCKENHEIM}/qualifying"
RACE_1 = f"{HOCKENHEIM}/race-part-1"
RACE_2 = f"{HOCKENHEIM}/race-part-2"
OSCHERSLEBEN = "tcr-germany-2022/oschersleben"
LJUNGBYHED = "stcc-2022/ljungbyhed"


def utc(text: str) -> datetime:
    """'2022-05-14 10:55' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def planned(
    catalog: Catalog, subject: str, kind: AnnouncementKind, settings: PlanSettings = SETTINGS
) -> list[Announcement]:
    return [a for a in plan(catalog, settings) if a.subject == subject and a.kind is kind]


def one(
    catalog: Catalog, subject: str, kind: AnnouncementKind, offset: int | None = None
) -> Announcement:
    found = [a for a in planned(catalog, subject, kind) if a.offset_minutes == offset]
    assert len(found) == 1, found
    return found[0]


def edit_session(catalog: Catalog, session_id: str, **changes: Any) -> Catalog:
    """The catalog with one session changed, or removed when `changes` is {"remove": True}."""

    def session(item: Session) -> list[Session]:
        if item.id != session_id:
            return [item]
        return [] if changes.get("remove") else [replace(item, **changes)]

    def event(item: Event) -> Event:
        return replace(item, sessions=tuple(s for old in item.sessions for s in session(old)))

    series = [replace(s, events=tuple(event(e) for e in s.events)) for s in catalog.series.values()]
    return Catalog.build(
        series, catalog.drivers.values(), catalog.tracks.values(), catalog.scales.values()
    )


def night_catalog(*sessions: tuple[str, date, time, timedelta | None]) -> Catalog:
    """A one-event series in Europe/Berlin with sessions (slug, day, wall time, utc offset)."""
    event_id = "night-cup-2022/dst"
    built = tuple(
        Session(
            id=f"{event_id}/{slug}",
            slug=slug,
            event_id=event_id,
            series_id="night-cup-2022",
            name=slug.title(),
            short_name=slug,
            kind=SessionKind.RACE,
            day=day,
            local_time=wall,
            timezone="Europe/Berlin",
            utc_offset=offset,
        )
        for slug, day, wall, offset in sessions
    )
    event = Event(
        id=event_id,
        slug="dst",
        series_id="night-cup-2022",
        name="Night race",
        timezone="Europe/Berlin",
        start_date=built[0].day,
        end_date=built[-1].day,
        sessions=built,
    )
    series = Series(id="night-cup-2022", name="Night Cup", season=2022, events=(event,))
    return Catalog.build([series], [], [], [])


# -- plan(): the real Hockenheim 24H weekend --------------------------------------------------


def test_race_part_1_reminders_and_start_at_cest_wall_times() -> None:
    reminders = {a.offset_minutes: a for a in planned(CATALOG, RACE_1, AnnouncementKind.REMINDER)}
    assert set(reminders) == {15, 60}
    # 13:55 CEST start: reminders at 12:55 and 13:40 CEST, i.e. 10:55 and 11:40 UTC.
    assert reminders[60].due == utc("2022-05-14 10:55")
    assert reminders[15].due == utc("2022-05-14 11:40")
    assert reminders[15].due.astimezone(BERLIN) == berlin("2022-05-14 13:40")
    start = one(CATALOG, RACE_1, AnnouncementKind.START)
    assert start.due == start.planned_start == utc("2022-05-14 11:55")
    assert start.session_kind is SessionKind.RACE
    assert start.series_id == "24h-series-2022" and start.event_id == HOCKENHEIM
    assert "andreas-backman" in start.drivers and "marcus-fluch" in start.drivers


def test_preview_two_days_before_free_practice() -> None:
    preview = one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW)
    assert preview.due.astimezone(BERLIN) == berlin("2022-05-11 16:20")
    assert preview.planned_start == berlin("2022-05-13 16:20")
    assert preview.session_kind is None
    assert one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW).key == preview.key


def test_every_timed_session_gets_two_reminders_and_a_start() -> None:
    starts = {
        a.subject: a.due.astimezone(BERLIN).strftime("%a %H:%M")
        for a in plan(CATALOG, SETTINGS)
        if a.kind is AnnouncementKind.START
    }
    assert starts == {
        FP: "Fri 16:20",
        QUALI: "Fri 19:05",
        RACE_1: "Sat 13:55",
        RACE_2: "Sun 14:05",
    }
    for subject in starts:
        assert len(planned(CATALOG, subject, AnnouncementKind.REMINDER)) == 2


def test_tba_sessions_get_results_but_no_reminders_or_start_posts() -> None:
    oschersleben = [a for a in plan(CATALOG, SETTINGS) if a.event_id == OSCHERSLEBEN]
    kinds = sorted({a.kind.value for a in oschersleben})
    assert kinds == ["preview", "results"]
    # Times TBA: results count from the end of the session's day at the track.
    race_1 = one(CATALOG, f"{OSCHERSLEBEN}/race-1", AnnouncementKind.RESULTS)
    assert race_1.due == berlin("2022-04-24 00:00")
    assert race_1.planned_start is None
    # The preview counts from the first day's midnight at the track.
    assert one(CATALOG, OSCHERSLEBEN, AnnouncementKind.PREVIEW).due == berlin("2022-04-20 00:00")


def test_weekend_without_session_times_still_gets_a_preview() -> None:
    preview = one(CATALOG, LJUNGBYHED, AnnouncementKind.PREVIEW)
    assert preview.due.astimezone(ZoneInfo("Europe/Stockholm")).isoformat() == (
        "2022-06-01T00:00:00+02:00"
    )
    assert [a.kind for a in plan(CATALOG, SETTINGS) if a.event_id == LJUNGBYHED] == [
        AnnouncementKind.PREVIEW
    ]


def test_events_with_dates_tba_get_nothing() -> None:
    assert not [a for a in plan(CATALOG, SETTINGS) if a.event_id.endswith("red-bull-ring")]


def test_results_due_at_the_session_end_else_its_start() -> None:
    with_results = edit_session(
        CATALOG, RACE_1, results=CATALOG.sessions[f"{OSCHERSLEBEN}/race-1"].results
    )
    # Part 1 of the race runs 6 h from 13:55 CEST.
    assert one(with_results, RACE_1, AnnouncementKind.RESULTS).due == berlin("2022-05-14 19:55")
    no_length = edit_session(with_results, RACE_1, duration=None)
    assert one(no_length, RACE_1, AnnouncementKind.RESULTS).due == berlin("2022-05-14 13:55")


def test_plan_is_sorted_by_due_and_honours_the_settings() -> None:
    dues = [a.due for a in plan(CATALOG, SETTINGS)]
    assert dues == sorted(dues)
    settings = PlanSettings(preview_days=3, reminder_minutes=frozenset({30}))
    assert [a.due for a in planned(CATALOG, RACE_1, AnnouncementKind.REMINDER, settings)] == [
        utc("2022-05-14 11:25")
    ]
    assert planned(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW, settings)[0].due == berlin(
        "2022-05-10 16:20"
    )


# -- summer time ---------------------------------------------------------------------------


def test_reminders_count_real_hours_across_the_spring_change() -> None:
    # 27 March 2022: Berlin clocks jump from 02:00 CET to 03:00 CEST.
    catalog = night_catalog(
        ("before", date(2022, 3, 27), time(1, 30), None),
        ("after", date(2022, 3, 27), time(3, 30), None),
    )
    before = one(catalog, "night-cup-2022/dst/before", AnnouncementKind.REMINDER, 60)
    assert before.due == utc("2022-03-26 23:30")
    assert before.due.astimezone(BERLIN).strftime("%d %H:%M %Z") == "27 00:30 CET"
    after = one(catalog, "night-cup-2022/dst/after", AnnouncementKind.REMINDER, 60)
    assert after.planned_start == utc("2022-03-27 01:30")
    # One real hour before 03:30 CEST is 01:30 CET, not the wall clock's 02:30.
    assert after.due == utc("2022-03-27 00:30")
    assert after.due.astimezone(BERLIN).strftime("%H:%M %Z") == "01:30 CET"


def test_reminders_count_real_hours_across_the_autumn_change() -> None:
    # 30 October 2022: Berlin clocks go back from 03:00 CEST to 02:00 CET; 02:30 happens twice.
    catalog = night_catalog(
        ("first", date(2022, 10, 30), time(2, 30), timedelta(hours=2)),
        ("second", date(2022, 10, 30), time(2, 30), timedelta(hours=1)),
        ("later", date(2022, 10, 30), time(3, 30), None),
    )

    def reminder(slug: str) -> str:
        due = one(catalog, f"night-cup-2022/dst/{slug}", AnnouncementKind.REMINDER, 60).due
        return f"{due:%H:%M} UTC = {due.astimezone(BERLIN):%H:%M %Z}"

    assert reminder("first") == "23:30 UTC = 01:30 CEST"
    assert reminder("second") == "00:30 UTC = 02:30 CEST"  # the first 02:30 of the night
    assert reminder("later") == "01:30 UTC = 02:30 CET"
    keys = {a.key for a in plan(catalog, SETTINGS)}
    assert len(keys) == len(plan(catalog, SETTINGS))  # the two 02:30 starts never share a key


# -- keys and payloads ---------------------------------------------------------------------


def test_keys_are_stable_across_plans_and_readable() -> None:
    first, second = plan(CATALOG, SETTINGS), plan(load_catalog(SCHEDULES), SETTINGS)
    assert [a.key for a in first] == [a.key for a in second]
    assert first == second
    reminder = one(CATALOG, RACE_1, AnnouncementKind.REMINDER, 15)
    assert reminder.key == f"{RACE_1}|reminder|15|2022-05-14T11:55:00+00:00"
    assert one(CATALOG, RACE_1, AnnouncementKind.START).key == (
        f"{RACE_1}|start||2022-05-14T11:55:00+00:00"
    )
    assert one(CATALOG, f"{OSCHERSLEBEN}/race-2", AnnouncementKind.RESULTS).key == (
        f"{OSCHERSLEBEN}/race-2|results||"
    )
    parsed = parse_key(reminder.key)
    assert parsed is not None
    assert (parsed.subject, parsed.kind, parsed.offset_minutes, parsed.planned_start) == (
        RACE_1,
        AnnouncementKind.REMINDER,
        15,
        utc("2022-05-14 11:55"),
    )
    assert parse_key("not a key") is None


def test_a_moved_session_gets_new_keys_and_nothing_else_does() -> None:
    moved = edit_session(CATALOG, RACE_1, local_time=time(15, 0))
    before = {a.key for a in plan(CATALOG, SETTINGS)}
    after = {a.key for a in plan(moved, SETTINGS)}
    assert {k for k in before - after} == {
        f"{RACE_1}|reminder|60|2022-05-14T11:55:00+00:00",
        f"{RACE_1}|reminder|15|2022-05-14T11:55:00+00:00",
        f"{RACE_1}|start||2022-05-14T11:55:00+00:00",
    }
    assert {k.split("|")[0] for k in after - before} == {RACE_1}
    assert all(k.endswith("2022-05-14T13:00:00+00:00") for k in after - before)


def test_instants_are_held_in_utc_and_must_be_aware() -> None:
    made = Announcement(
        kind=AnnouncementKind.START,
        subject=RACE_1,
        due=berlin("2022-05-14 13:55"),
        planned_start=berlin("2022-05-14 13:55"),
        series_id="24h-series-2022",
        event_id=HOCKENHEIM,
        session_kind=SessionKind.RACE,
    )
    assert made.due.tzinfo is UTC
    assert made.key == one(CATALOG, RACE_1, AnnouncementKind.START).key
    with pytest.raises(ValueError, match="aware"):
        replace(made, due=datetime(2022, 5, 14, 13, 55))


def test_payload_round_trips_through_json() -> None:
    changed = Announcement(
        kind=AnnouncementKind.CHANGED,
        subject=QUALI,
        due=utc("2022-05-12 08:00"),
        planned_start=utc("2022-05-13 18:00"),
        series_id="24h-series-2022",
        event_id=HOCKENHEIM,
        session_kind=SessionKind.QUALIFYING,
        drivers=frozenset({"andreas-backman", "emil-sallberg"}),
        previous_start=utc("2022-05-13 17:05"),
    )
    for item in [*plan(CATALOG, SETTINGS), changed]:
        payload = json.loads(json.dumps(item.to_payload()))
        restored = Announcement.from_payload(payload)
        assert restored == item
        assert restored.key == item.key
    assert changed.to_payload()["drivers"] == ["andreas-backman", "emil-sallberg"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "teaser", "bad announcement payload"),
        ("due", "2022-05-14T13:55", "no UTC offset"),
        ("due", None, "'due' must be text"),
        ("offset_minutes", "15", "offset_minutes"),
        ("drivers", "andreas-backman", "drivers"),
        ("session_kind", "sprint", "bad announcement payload"),
    ],
)
def test_a_damaged_payload_is_refused_with_the_field_named(
    field: str, value: object, message: str
) -> None:
    payload: dict[str, object] = dict(
        one(CATALOG, RACE_1, AnnouncementKind.REMINDER, 60).to_payload()
    )
    payload[field] = value
    with pytest.raises(ValueError, match=message):
        Announcement.from_payload(payload)


# -- changes() -------------------------------------------------------------------------------

NOW = utc("2022-05-13 12:00")  # Friday noon, before Free Practice


def keys(catalog: Catalog, *subjects: str) -> list[str]:
    """The keys of every reminder and start post planned for `subjects`, as sent."""
    return [
        a.key
        for a in plan(catalog, SETTINGS)
        if a.subject in subjects and a.kind in (AnnouncementKind.REMINDER, AnnouncementKind.START)
    ]


def test_a_moved_session_gives_exactly_one_changed_post() -> None:
    announced = keys(CATALOG, QUALI)[:1]  # the 60-minute reminder went out
    moved = edit_session(CATALOG, QUALI, local_time=time(20, 0))
    found = changes(moved, announced, NOW)
    assert len(found) == 1
    change = found[0]
    assert change.kind is AnnouncementKind.CHANGED
    assert (change.subject, change.due) == (QUALI, NOW)
    assert change.previous_start == berlin("2022-05-13 19:05")
    assert change.planned_start == berlin("2022-05-13 20:00")
    assert change.session_kind is SessionKind.QUALIFYING
    assert "andreas-backman" in change.drivers
    # Queued: its key is among the announced ones, and the move is not posted twice.
    assert changes(moved, [*announced, change.key], NOW) == []
    # Nor once the new start's own reminders have gone out too.
    assert changes(moved, [*announced, change.key, *keys(moved, QUALI)], NOW) == []


def test_no_change_no_post() -> None:
    every_key = [a.key for a in plan(CATALOG, SETTINGS)]
    assert changes(CATALOG, every_key, NOW) == []
    assert changes(CATALOG, [], NOW) == []


def test_a_second_move_is_posted_from_the_start_fans_were_told_last() -> None:
    to_20 = edit_session(CATALOG, QUALI, local_time=time(20, 0))
    first = changes(to_20, keys(CATALOG, QUALI), NOW)[0]
    announced = [*keys(CATALOG, QUALI), first.key, *keys(to_20, QUALI)]
    to_21 = edit_session(CATALOG, QUALI, local_time=time(21, 0))
    found = changes(to_21, announced, NOW)
    assert [(c.previous_start, c.planned_start) for c in found] == [
        (berlin("2022-05-13 20:00"), berlin("2022-05-13 21:00"))
    ]


def test_a_cancelled_session_gives_one_cancelled_post() -> None:
    announced = keys(CATALOG, RACE_2)
    cancelled = edit_session(CATALOG, RACE_2, cancelled=True)
    found = changes(cancelled, announced, NOW)
    assert len(found) == 1
    assert (found[0].subject, found[0].planned_start) == (RACE_2, None)
    assert found[0].previous_start == berlin("2022-05-15 14:05")
    assert found[0].series_id == "24h-series-2022"
    assert found[0].key == f"{RACE_2}|changed||"
    assert changes(cancelled, [*announced, found[0].key], NOW) == []
    # Nothing is planned for it any more.
    assert not [a for a in plan(cancelled, PlanSettings()) if a.subject == RACE_2]


def test_a_session_missing_from_the_data_is_not_announced_as_cancelled() -> None:
    # A schedules file that vanished for a moment must not tell fans a session is off.
    removed = edit_session(CATALOG, RACE_2, remove=True)
    assert changes(removed, keys(CATALOG, RACE_2), NOW) == []


def test_a_session_whose_time_becomes_tba_is_posted_as_postponed() -> None:
    postponed = edit_session(CATALOG, RACE_2, local_time=None)
    found = changes(postponed, keys(CATALOG, RACE_2), NOW)
    assert [(c.subject, c.planned_start) for c in found] == [(RACE_2, None)]
    assert found[0].session_kind is SessionKind.RACE


def test_finished_sessions_are_not_reported() -> None:
    moved = edit_session(CATALOG, FP, local_time=time(16, 30))
    saturday = utc("2022-05-14 09:00")  # both 16:20 and 16:30 on Friday are past
    assert changes(moved, keys(CATALOG, FP), saturday) == []
    cancelled = edit_session(CATALOG, FP, cancelled=True)
    assert changes(cancelled, keys(CATALOG, FP), saturday) == []
    # Moved from the past into the future: still worth a post.
    later = edit_session(CATALOG, FP, day=date(2022, 5, 14), local_time=time(12, 0))
    assert len(changes(later, keys(CATALOG, FP), saturday)) == 1


def test_a_previewed_weekend_whose_first_start_moved_gets_one_post() -> None:
    preview_key = one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW).key
    moved = edit_session(CATALOG, FP, local_time=time(17, 0))
    found = changes(moved, [preview_key], NOW)
    assert [(c.subject, c.previous_start, c.planned_start, c.session_kind) for c in found] == [
        (HOCKENHEIM, berlin("2022-05-13 16:20"), berlin("2022-05-13 17:00"), None)
    ]
    assert changes(moved, [preview_key, found[0].key], NOW) == []
    # When Free Practice's own reminders went out, its own post says it all.
    own = changes(moved, [preview_key, *keys(CATALOG, FP)], NOW)
    assert [c.subject for c in own] == [FP]


def test_a_previewed_weekend_that_loses_its_times_and_dates() -> None:
    preview_key = one(CATALOG, LJUNGBYHED, AnnouncementKind.PREVIEW).key
    event = CATALOG.events[LJUNGBYHED]
    undated = replace(event, start_date=None, end_date=None)
    series = replace(CATALOG.series["stcc-2022"], events=(undated,))
    others = [s for s in CATALOG.series.values() if s.id != "stcc-2022"]
    catalog = Catalog.build(
        [*others, series],
        CATALOG.drivers.values(),
        CATALOG.tracks.values(),
        CATALOG.scales.values(),
    )
    found = changes(catalog, [preview_key], utc("2022-06-01 12:00"))
    assert [(c.subject, c.planned_start) for c in found] == [(LJUNGBYHED, None)]


def test_a_re_keyed_preview_is_superseded_by_the_one_sent() -> None:
    sent = one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW)
    moved = edit_session(CATALOG, FP, local_time=time(17, 0))
    again = one(moved, HOCKENHEIM, AnnouncementKind.PREVIEW)
    assert again.key != sent.key
    assert superseded(again, [sent.key])
    assert not superseded(sent, [sent.key])
    assert not superseded(again, [])
    assert not superseded(one(CATALOG, FP, AnnouncementKind.START), [sent.key])


# -- catch_up() ------------------------------------------------------------------------------

START_1 = utc("2022-05-14 11:55")


@pytest.mark.parametrize(
    ("kind", "offset"),
    [
        (AnnouncementKind.PREVIEW, None),
        (AnnouncementKind.REMINDER, 60),
        (AnnouncementKind.START, None),
    ],
)
def test_an_announcement_still_ahead_is_sent_as_usual(
    kind: AnnouncementKind, offset: int | None
) -> None:
    subject = HOCKENHEIM if kind is AnnouncementKind.PREVIEW else RACE_1
    item = one(CATALOG, subject, kind, offset)
    assert catch_up(item, item.due - timedelta(seconds=1), SETTINGS, item.planned_start) is (
        Decision.SEND
    )
    assert catch_up(item, item.due, SETTINGS, item.planned_start) is Decision.SEND


def test_a_missed_reminder_goes_out_late_until_the_start() -> None:
    reminder = one(CATALOG, RACE_1, AnnouncementKind.REMINDER, 15)
    late = START_1 - timedelta(minutes=7)
    assert catch_up(reminder, late, SETTINGS, START_1) is Decision.LATE
    assert catch_up(reminder, START_1 - timedelta(seconds=1), SETTINGS, START_1) is Decision.LATE
    assert catch_up(reminder, START_1, SETTINGS, START_1) is Decision.SKIP
    assert catch_up(reminder, START_1 + timedelta(hours=1), SETTINGS, START_1) is Decision.SKIP
    # Moved or TBA since it was planned: the CHANGED post covers it.
    assert catch_up(reminder, late, SETTINGS, START_1 + timedelta(hours=1)) is Decision.SKIP
    assert catch_up(reminder, late, SETTINGS, None) is Decision.SKIP


def test_a_missed_start_post_goes_out_within_the_live_grace() -> None:
    start = one(CATALOG, RACE_1, AnnouncementKind.START)
    grace = SETTINGS.live_grace
    assert catch_up(start, START_1 + timedelta(minutes=4), SETTINGS, START_1) is Decision.LATE
    assert catch_up(start, START_1 + grace, SETTINGS, START_1) is Decision.LATE
    after = START_1 + grace + timedelta(seconds=1)
    assert catch_up(start, after, SETTINGS, START_1) is Decision.SKIP
    wider = PlanSettings(live_grace=timedelta(minutes=30))
    assert catch_up(start, after, wider, START_1) is Decision.LATE
    moved = START_1 - timedelta(minutes=2)
    assert catch_up(start, START_1 + timedelta(minutes=1), SETTINGS, moved) is Decision.SKIP


def test_a_missed_preview_goes_out_until_the_weekend_starts() -> None:
    preview = one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW)
    first = preview_start(CATALOG.events[HOCKENHEIM])
    assert first == berlin("2022-05-13 16:20")
    assert catch_up(preview, utc("2022-05-13 09:00"), SETTINGS, first) is Decision.LATE
    assert catch_up(preview, first - timedelta(seconds=1), SETTINGS, first) is Decision.LATE
    assert catch_up(preview, first, SETTINGS, first) is Decision.SKIP
    assert catch_up(preview, utc("2022-05-14 09:00"), SETTINGS, first) is Decision.SKIP


def test_missed_results_go_out_within_the_results_grace() -> None:
    results = one(CATALOG, f"{OSCHERSLEBEN}/race-2", AnnouncementKind.RESULTS)
    limit = results.due + SETTINGS.results_grace
    assert catch_up(results, results.due + timedelta(hours=5), SETTINGS, None) is Decision.LATE
    assert catch_up(results, limit, SETTINGS, None) is Decision.LATE
    assert catch_up(results, limit + timedelta(seconds=1), SETTINGS, None) is Decision.SKIP


def test_a_changed_post_is_always_sent() -> None:
    moved = edit_session(CATALOG, QUALI, local_time=time(20, 0))
    change = changes(moved, keys(CATALOG, QUALI), NOW)[0]
    assert catch_up(change, NOW + timedelta(days=2), SETTINGS, None) is Decision.SEND


# -- recipients() ----------------------------------------------------------------------------


def chat(name: str, **settings: Any) -> Chat:
    return Chat(ChatRef("console", name), **settings)


def audience(*pairs: tuple[Chat, dict[str, Any]]) -> list[tuple[Chat, Subscription]]:
    return [(c, Subscription(c.ref, **filters)) for c, filters in pairs]


def names(refs: list[ChatRef]) -> list[str]:
    return [ref.id for ref in refs]


def test_series_followers_get_their_series_only() -> None:
    people = audience(
        (chat("24h"), {"series": frozenset({"24h-series-2022"})}),
        (chat("tcr"), {"series": frozenset({"tcr-germany-2022"})}),
    )
    assert names(recipients(one(CATALOG, RACE_1, AnnouncementKind.START), people)) == ["24h"]
    results = one(CATALOG, f"{OSCHERSLEBEN}/race-1", AnnouncementKind.RESULTS)
    assert names(recipients(results, people)) == ["tcr"]


def test_a_driver_follower_gets_the_events_the_driver_is_entered_in() -> None:
    people = audience((chat("fan"), {"drivers": frozenset({"andreas-backman"})}))
    previews = {a.subject for a in plan(CATALOG, SETTINGS) if a.kind is AnnouncementKind.PREVIEW}
    assert previews == {HOCKENHEIM, LJUNGBYHED, OSCHERSLEBEN}
    got = {
        subject
        for subject in previews
        if recipients(one(CATALOG, subject, AnnouncementKind.PREVIEW), people)
    }
    assert got == {HOCKENHEIM, LJUNGBYHED}
    assert names(recipients(one(CATALOG, QUALI, AnnouncementKind.START), people)) == ["fan"]


def test_session_kind_filters_narrow_what_a_chat_gets() -> None:
    people = audience(
        (
            chat("races"),
            {
                "series": frozenset({"24h-series-2022"}),
                "session_kinds": frozenset({SessionKind.RACE}),
            },
        ),
        (chat("all"), {"series": frozenset({"24h-series-2022"})}),
    )
    assert names(recipients(one(CATALOG, RACE_1, AnnouncementKind.START), people)) == [
        "races",
        "all",
    ]
    assert names(recipients(one(CATALOG, QUALI, AnnouncementKind.START), people)) == ["all"]
    # The weekend preview is about every session: the race-only chat gets it too.
    preview = one(CATALOG, HOCKENHEIM, AnnouncementKind.PREVIEW)
    assert names(recipients(preview, people)) == ["races", "all"]


def test_reminders_go_only_to_chats_that_asked_for_that_offset() -> None:
    follows = {"series": frozenset({"24h-series-2022"})}
    people = audience(
        (chat("default"), follows),
        (chat("short", reminder_minutes=(15,)), follows),
        (chat("none", reminder_minutes=()), follows),
    )
    hour = one(CATALOG, RACE_1, AnnouncementKind.REMINDER, 60)
    quarter = one(CATALOG, RACE_1, AnnouncementKind.REMINDER, 15)
    assert names(recipients(hour, people)) == ["default"]
    assert names(recipients(quarter, people)) == ["default", "short"]
    # Offsets are a reminder setting: start posts go to all three.
    start = one(CATALOG, RACE_1, AnnouncementKind.START)
    assert names(recipients(start, people)) == ["default", "short", "none"]


def test_inactive_chats_never_and_each_chat_once() -> None:
    follows = {"series": frozenset({"24h-series-2022"})}
    people = audience(
        (chat("gone", active=False), follows),
        (chat("here"), follows),
        (chat("here"), {"drivers": frozenset({"andreas-backman"})}),
    )
    assert names(recipients(one(CATALOG, RACE_1, AnnouncementKind.START), people)) == ["here"]


def test_results_due_together_come_in_timetable_order_not_id_order() -> None:
    # Both TBA on one Sunday: both finish, and are due, at its end. The superpole is run first
    # though its id sorts after the race's.
    sunday = date(2022, 4, 24)
    catalog = edit_session(
        CATALOG, f"{OSCHERSLEBEN}/qualifying-2", id=f"{OSCHERSLEBEN}/superpole", slug="superpole"
    )
    results = [
        a.subject.rsplit("/", 1)[1]
        for a in plan(catalog, SETTINGS)
        if a.kind is AnnouncementKind.RESULTS and a.due == berlin("2022-04-25T00:00")
    ]
    assert catalog.sessions[f"{OSCHERSLEBEN}/superpole"].day == sunday
    assert results == ["superpole", "race-2"]
