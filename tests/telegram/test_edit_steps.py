"""The guided edit's steps as plain values: what a typed time means, and the buttons' data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from bot.core.audience import ChatRef
from bot.core.reply import plain_text
from bot.core.schedules import load_catalog
from bot.frontends.telegram import edit_steps as steps
from bot.frontends.telegram.edit_input import read_import_caption
from bot.frontends.telegram.render import MAX_CALLBACK_BYTES, render
from tests.telegram.harness import SCHEDULES

CATALOG = load_catalog(SCHEDULES)
QUALIFYING = CATALOG.sessions["24h-series-2022/hockenheim/qualifying"]
NOW = datetime.fromisoformat("2022-05-13T10:00+02:00")


@pytest.mark.parametrize(
    ("typed", "day", "at"),
    [
        ("19:35", None, time(19, 35)),
        ("  2022-05-14   09:05 ", date(2022, 5, 14), time(9, 5)),
        ("2022-05-14T09:05", date(2022, 5, 14), time(9, 5)),
        ("TBA", None, None),
        ("tba", None, None),
        ("2022-05-14 TBA", date(2022, 5, 14), None),
    ],
)
def test_a_typed_time_becomes_the_edit_it_means(typed: str, day: date, at: time) -> None:
    edit = steps.read_new_time(typed, QUALIFYING)
    assert not isinstance(edit, str)
    assert (edit.session_id, edit.day, edit.time) == (QUALIFYING.id, day, at)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("25:00", "not a time of day"),
        ("half past seven", "is not a time"),
        ("2022-13-40 10:00", "is not a date"),
        ("2022-05-14", "is not a time"),
    ],
)
def test_a_typed_time_that_means_nothing_is_said_so(typed: str, said: str) -> None:
    answer = steps.read_new_time(typed, QUALIFYING)
    assert isinstance(answer, str) and said in answer


def test_a_postponement_keeps_the_day_or_takes_a_new_one() -> None:
    kept = steps.read_postponement("same", QUALIFYING)
    moved = steps.read_postponement("2022-05-20", QUALIFYING)
    assert not isinstance(kept, str) and kept.day is None
    assert not isinstance(moved, str) and moved.day == date(2022, 5, 20)
    assert "not a date" in str(steps.read_postponement("next week", QUALIFYING))


def test_every_button_of_every_menu_is_sent_as_itself_and_read_back() -> None:
    draft = steps.Draft(owner=7, chat=ChatRef("telegram", "7"), touched=NOW)
    series = CATALOG.series["24h-series-2022"]
    event = CATALOG.events["24h-series-2022/hockenheim"]
    menus = [
        lambda: steps.series_menu(draft, CATALOG),
        lambda: steps.event_menu(draft, CATALOG, series),
        lambda: steps.session_menu(draft, event),
        lambda: steps.action_menu(draft, QUALIFYING, event),
    ]
    for menu in menus:
        (message,) = render(menu())
        token = draft.token
        for row in message.keyboard:
            for button in row:
                assert button.callback_data is not None
                assert len(button.callback_data.encode()) <= MAX_CALLBACK_BYTES
                # Not hashed: the flow reads the press without the callback registry.
                assert button.callback_data == button.command
                parsed = steps.read_button(button.callback_data)
                assert parsed is not None and parsed[0] == token
    assert steps.read_button("/subscribe tcr") is None
    assert steps.read_button("/edit time x 2022-01-01 10:00") is None


def test_each_message_gets_a_new_token_and_the_old_ones_stop_counting() -> None:
    draft = steps.Draft(owner=7, chat=ChatRef("telegram", "7"), touched=NOW)
    first = steps.series_menu(draft, CATALOG)
    old = draft.token
    steps.event_menu(draft, CATALOG, CATALOG.series["24h-series-2022"])
    assert draft.token != old
    assert old in first.choices[0].command


def test_a_draft_is_idle_past_the_limit_by_the_clock() -> None:
    draft = steps.Draft(owner=7, chat=ChatRef("telegram", "7"), touched=NOW)
    assert not draft.idle(NOW + steps.IDLE_LIMIT)
    assert draft.idle(NOW + steps.IDLE_LIMIT + timedelta(seconds=1))


def test_the_action_menu_offers_reinstate_for_a_cancelled_session() -> None:
    draft = steps.Draft(owner=7, chat=ChatRef("telegram", "7"), touched=NOW)
    event = CATALOG.events["24h-series-2022/hockenheim"]
    labels = [c.label for c in steps.action_menu(draft, QUALIFYING, event).choices]
    cancelled = replace(QUALIFYING, cancelled=True)
    again = [c.label for c in steps.action_menu(draft, cancelled, event).choices]
    assert "Cancel session" in labels and "Reinstate" not in labels
    assert "Reinstate" in again and "Cancel session" not in again
    question = plain_text(steps.action_menu(draft, cancelled, event).blocks[0].lines[0])
    assert "(cancelled)" in question


def test_an_import_caption_names_its_session_or_lists_captions_to_send_it_again_with() -> None:
    found = read_import_caption("/import oschersleben race 1", CATALOG)
    assert found == "tcr-germany-2022/oschersleben/race-1"
    which = read_import_caption("/import race", CATALOG)
    assert not isinstance(which, str)
    assert which.choices == (), "a button cannot carry the file: no buttons"
    (message,) = render(which)
    assert "/import tcr-germany-2022/oschersleben/race-2  (Race 2" in message.text
    usage = read_import_caption("/import", CATALOG)
    assert not isinstance(usage, str) and "caption /import SESSION" in render(usage)[0].text
