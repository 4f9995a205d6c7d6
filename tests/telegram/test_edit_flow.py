"""The guided /edit's conversation on the real PTB Application and the fake Bot API: who may
press what, leaving it, expiry by the injected clock and across a restart, bad input, and the
fans' handlers left as they were."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.clock import FixedClock
from bot.frontends.telegram.edit_steps import IDLE_LIMIT
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.edit_helpers import (
    TIMEOUT,
    cest,
    copy_schedules,
    editing_bot,
    fingerprint,
    labels,
    next_message,
    start_edit,
    walk,
)
from tests.telegram.harness import ADMIN, FAN, GROUP, bot_on, containing

SECOND_ADMIN = 8
MEMBER = 4243
QUALIFYING = "Qualifying · Fri 13 May 2022 19:05"
TO_QUALIFYING = ("24H Series 2022", "R4 Hankook 12h Hockenheimring (13 May)", QUALIFYING)
EXPIRED = "That edit has expired — start again with /edit."


async def answer_to(fake: FakeTelegram, query_id: str) -> str:
    answered = await fake.wait_for(lambda: fake.callback_answers.get(query_id), TIMEOUT)
    return str(answered.get("text", ""))


async def test_in_a_group_only_the_admin_who_started_presses_its_buttons(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules, admins=(ADMIN, SECOND_ADMIN)) as (fake, _):
        fake.add_chat(GROUP, "group", title="Press office")
        menu = await start_edit(fake, GROUP)
        member = fake.press(GROUP, menu.message_id, "24H Series 2022", user_id=MEMBER)
        assert await answer_to(fake, member) == "Sorry, /edit is only for Pitboard's admins."
        other = fake.press(GROUP, menu.message_id, "24H Series 2022", user_id=SECOND_ADMIN)
        assert await answer_to(fake, other) == (
            "Only the admin who started this edit can use its buttons."
        )
        events = await walk(fake, GROUP, "24H Series 2022", user=ADMIN)
        assert "Which event of 24H Series 2022?" in events.text
        assert [m.message_id for m in fake.sent(GROUP)][-1] == events.message_id


async def test_cancel_leaves_at_any_step_and_its_buttons_then_expire(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    before = fingerprint(schedules)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, _):
        await start_edit(fake)
        actions = await walk(fake, ADMIN, *TO_QUALIFYING)
        fake.push_message(ADMIN, "/cancel")
        await fake.wait_for_message(ADMIN, containing("Edit cancelled: nothing changed."), TIMEOUT)
        late = fake.press(ADMIN, actions.message_id, "Cancel session")
        assert await answer_to(fake, late) == EXPIRED
        # The Cancel button does the same from a menu.
        menu = await start_edit(fake)
        fake.press(ADMIN, menu.message_id, "Cancel")
        await fake.wait_for_message(ADMIN, containing("Edit cancelled"), TIMEOUT)
    assert fingerprint(schedules) == before


async def test_an_edit_left_alone_expires_by_the_clock_and_after_a_restart(
    tmp_path: Path,
) -> None:
    schedules = copy_schedules(tmp_path)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with FakeTelegram() as fake:
        async with bot_on(fake, tmp_path, clock, channels=(), schedules=schedules):
            menu = await start_edit(fake)
            clock.advance(IDLE_LIMIT + timedelta(seconds=1))
            idle = fake.press(ADMIN, menu.message_id, "24H Series 2022")
            assert await answer_to(fake, idle) == EXPIRED
            fresh = await start_edit(fake)
        async with bot_on(fake, tmp_path, clock, channels=(), schedules=schedules):
            restarted = fake.press(ADMIN, fresh.message_id, "24H Series 2022")
            assert await answer_to(fake, restarted) == EXPIRED


async def test_bad_input_is_explained_and_the_step_waits_for_a_good_one(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    before = fingerprint(schedules)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, _):
        await start_edit(fake)
        await walk(fake, ADMIN, *TO_QUALIFYING, "Set/move time")
        fake.push_message(ADMIN, "25:99")
        refused = await next_message(fake, ADMIN)
        assert "not a time of day" in refused.text and "send it again" in refused.text
        fake.push_message(ADMIN, "19:35")
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:")
        again = await walk(fake, ADMIN, "Edit again")
        assert "Send the new start of Qualifying" in again.text
        await walk(fake, ADMIN, "Cancel")
        # Rows naming nobody the catalog knows: the line and column, and nothing written.
        await start_edit(fake)
        await walk(fake, ADMIN, *TO_QUALIFYING, "Enter results")
        fake.push_message(ADMIN, "1 #120\n2 jesica backmann")
        problem = await next_message(fake, ADMIN)
        assert "line 2, column 3" in problem.text, problem.text
        assert "Cancel" in labels(problem)
    assert fingerprint(schedules) == before


async def test_fans_and_the_admins_other_commands_work_as_before_mid_edit(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, _):
        await start_edit(fake)
        await walk(fake, ADMIN, *TO_QUALIFYING, "Set/move time")
        fake.push_message(ADMIN, "/next 24h")
        answer = await next_message(fake, ADMIN)
        assert "Free Practice" in answer.text
        fake.push_message(FAN, "/subscribe")
        offer = await next_message(fake, FAN)
        fake.press(FAN, offer.message_id, "24H Series 2022")
        await fake.wait_for_message(FAN, containing("Following 24H Series 2022"), TIMEOUT)
        fake.push_message(ADMIN, "19:35")  # the edit goes on where it was
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:")


async def test_a_file_in_the_results_step_is_read_and_elsewhere_explained(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    series_file = schedules / "2022" / "24h-series.toml"
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, _):
        fake.push_document(ADMIN, "q.csv", b"position,number\n1,120\n", user_id=ADMIN)
        hint = await next_message(fake, ADMIN)
        assert "caption /import SESSION" in hint.text
        await start_edit(fake)
        await walk(fake, ADMIN, *TO_QUALIFYING, "Set/move time")
        fake.push_document(ADMIN, "q.csv", b"position,number\n1,120\n", user_id=ADMIN)
        wrong_step = await next_message(fake, ADMIN)
        assert "only read for results" in wrong_step.text
        await start_edit(fake)
        await walk(fake, ADMIN, *TO_QUALIFYING, "Enter results")
        fake.push_document(ADMIN, "q.txt", b"1 #120 laps=12\n", user_id=ADMIN)
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        done = await walk(fake, ADMIN, "Confirm")
        assert "Undo with /undo 1" in done.text
        assert "laps = 12" in series_file.read_text()
        assert len(fake.downloads()) == 1, "only the file sent in the results step was read"


async def test_an_event_a_session_and_standings_are_added_through_the_flow(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    series_file = schedules / "2022" / "tcr-germany.toml"
    clock = FixedClock(cest("2022-04-21T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (
        fake,
        runtime,
    ):
        await start_edit(fake)
        to_event = ("TCR Germany 2022", "R1 Oschersleben (22 Apr)")
        prompt = await walk(fake, ADMIN, *to_event, "Add a session")
        assert "NAME, KIND, DAY TIME" in prompt.text
        fake.push_message(ADMIN, "Warm-up, warmup, 2022-04-24 09:15")
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        await walk(fake, ADMIN, "Confirm")
        added = runtime.catalogs.current.sessions["tcr-germany-2022/oschersleben/warm-up"]
        assert added.local_time is not None and added.local_time.isoformat() == "09:15:00"
        await start_edit(fake)
        await walk(fake, ADMIN, *to_event, "Enter standings")
        fake.push_message(ADMIN, "1 Martin Andersen 65\n2 Jonas Karklys 55\nnote: top two")
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        done = await walk(fake, ADMIN, "Confirm")
        assert "Undo with /undo 2" in done.text
        assert 'note = "top two"' in series_file.read_text()
        await start_edit(fake)
        await walk(fake, ADMIN, "TCR Germany 2022", "Add an event")
        fake.push_message(
            ADMIN, "name: Most\ndates: 2022-06-10 2022-06-12\ntimezone: Europe/Prague"
        )
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        await walk(fake, ADMIN, "Confirm")
        most = runtime.catalogs.current.events["tcr-germany-2022/most"]
        assert (most.round, most.timezone) == (None, "Europe/Prague")


async def test_edit_with_arguments_stays_the_routers_text_command(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (
        fake,
        runtime,
    ):
        qualifying = "24h-series-2022/hockenheim/qualifying"
        fake.push_message(ADMIN, f"/edit cancel {qualifying}", username="anna")
        done = await next_message(fake, ADMIN)
        assert "Edit #1 done" in done.text and "Undo with /undo 1" in done.text
        (record,) = await runtime.store.recent_edits(5)
        assert record.actor == f"telegram:{ADMIN} (@anna)"
        fake.push_message(ADMIN, "/edit")  # no arguments: the guided edit, not the usage
        menu = await next_message(fake, ADMIN)
        assert "which series?" in menu.text
        fake.push_message(FAN, f"/edit reinstate {qualifying}")
        refused = await next_message(fake, FAN)
        assert refused.text == "Sorry, /edit is only for Pitboard's admins."
        assert runtime.catalogs.current.sessions[qualifying].cancelled


async def test_an_action_that_changes_nothing_says_so_and_offers_the_actions_again(
    tmp_path: Path,
) -> None:
    schedules = copy_schedules(tmp_path)
    clock = FixedClock(cest("2022-04-21T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, _):
        await start_edit(fake)
        to_race_1 = ("TCR Germany 2022", "R1 Oschersleben (22 Apr)", "Race 1 · Sat 23 Apr 2022 TBA")
        refused = await walk(fake, ADMIN, *to_race_1, "Make it TBA")  # it is TBA already
        menu = await next_message(fake, ADMIN)
        assert "nothing to change" in refused.text and "Nothing changed." in refused.text
        assert "What would you like to do?" in menu.text
        preview = await walk(fake, ADMIN, "Cancel session")
        assert preview.text.startswith("Preview:") and "+ cancelled = true" in preview.text
