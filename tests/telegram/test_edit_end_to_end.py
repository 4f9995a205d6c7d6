"""The press office's job on Telegram, end to end (issue 16, "Done when"): the real Runtime and
python-telegram-bot Application against the fake Bot API, a copy of the bundled schedules, and
an injected clock. An admin moves a session through the guided /edit (fans get "Time changed",
and the reminder at the new time, never at the old one), enters Race 1's results (a fan
following the driver gets the results post with her championship standing), imports a CSV
sent as a document, and a non-admin is refused every edit with nothing changed on disk.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.audience import ChatRef
from bot.core.clock import FixedClock
from tests.telegram.edit_helpers import (
    TIMEOUT,
    cest,
    copy_schedules,
    editing_bot,
    fingerprint,
    labels,
    next_message,
    start_edit,
    transcript,
    walk,
)
from tests.telegram.harness import ADMIN, FAN, OTHER_FAN, containing, tg_chat

HOCKENHEIM = "24h-series-2022/hockenheim"
OSCHERSLEBEN = "tcr-germany-2022/oschersleben"


async def test_an_admin_moves_a_session_and_fans_get_the_change_and_the_new_reminder(
    tmp_path: Path,
) -> None:
    schedules = copy_schedules(tmp_path)
    series_file = schedules / "2022" / "24h-series.toml"
    clock = FixedClock(cest("2022-05-13T10:00"))  # the weekend's preview is due already
    bot = editing_bot(tmp_path, clock, schedules, followers=(tg_chat(FAN),))
    async with bot as (fake, runtime):
        await fake.wait_for_message(FAN, containing("Hankook 12h Hockenheimring"), TIMEOUT)
        menu = await start_edit(fake)
        assert "which series?" in menu.text
        first = len(fake.sent(ADMIN)) - 1
        actions = await walk(
            fake,
            ADMIN,
            "24H Series 2022",
            "R4 Hankook 12h Hockenheimring (13 May)",
            "Qualifying · Fri 13 May 2022 19:05",
        )
        assert "Set/move time" in labels(actions)
        prompt = await walk(fake, ADMIN, "Set/move time")
        assert "14:30 (same day)" in prompt.text
        fake.push_message(ADMIN, "19:35")
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:")
        assert '- time = "19:05"' in preview.text and '+ time = "19:35"' in preview.text
        assert 'time = "19:05"' in series_file.read_text(), "nothing written before Confirm"
        done = await walk(fake, ADMIN, "Confirm")
        assert "Undo with /undo 1" in done.text
        print("\n" + transcript(fake.sent(ADMIN), start=first))  # the README's example

        # Written with its comments kept, live at once: fans told, reminders re-planned.
        text = series_file.read_text()
        assert 'time = "19:35"' in text and text.startswith("# 24H Series 2022")
        changed = await fake.wait_for_message(FAN, containing("Time changed: Qualifying"), TIMEOUT)
        assert "19:05" in changed.text and "19:35" in changed.text
        qualifying = f"{HOCKENHEIM}/qualifying|reminder"
        due = {a.key for a in runtime.announcer.pending() if a.key.startswith(qualifying)}
        assert due == {
            f"{qualifying}|60|2022-05-13T17:35:00+00:00",
            f"{qualifying}|15|2022-05-13T17:35:00+00:00",
        }

        # The old reminder's moment passes: nothing; the new one's: the reminder.
        for moment in ("2022-05-13T18:05", "2022-05-13T18:35"):
            clock.set(cest(moment))
            runtime.announcer.retime(clock.now())
        reminder = await fake.wait_for_message(FAN, containing("Qualifying starts in 1 h"), TIMEOUT)
        assert "19:35" in reminder.text
        keys = await runtime.store.announcement_keys()
        assert f"{qualifying}|60|2022-05-13T17:35:00+00:00" in keys
        assert not [k for k in keys if k.startswith(qualifying) and "17:05" in k]
        told = [m for m in fake.sent(FAN) if "Qualifying starts in" in m.text]
        assert told == [reminder]
        print(f"\n{changed.text}\n\n{reminder.text}")  # what the fan read, for the README


async def test_an_admin_enters_race_1_and_imports_a_csv_and_fans_get_the_results(
    tmp_path: Path,
) -> None:
    schedules = copy_schedules(tmp_path)
    series_file = schedules / "2022" / "tcr-germany.toml"
    # Saturday night at Oschersleben: Race 1 is over and its result not entered yet.
    bundled = series_file.read_text()
    race_1 = bundled.index('id = "race-1"')
    row = bundled.index("[[events.sessions.results]]", race_1)
    series_file.write_text(bundled[:row] + bundled[bundled.index("[[events.sessions]]", row) :])
    clock = FixedClock(cest("2022-04-24T00:30"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, runtime):
        fake.push_message(FAN, "/subscribe jessica-backman")
        await fake.wait_for_message(FAN, containing("Following"), TIMEOUT)
        await start_edit(fake)
        first = len(fake.sent(ADMIN)) - 1
        prompt = await walk(
            fake,
            ADMIN,
            "TCR Germany 2022",
            "R1 Oschersleben (22 Apr)",
            "Race 1 · Sat 23 Apr 2022 TBA",
            "Enter results",
        )
        assert "one row a line" in prompt.text
        fake.push_message(ADMIN, "1 jessica backman laps=20 fl")
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        done = await walk(fake, ADMIN, "Confirm")
        assert "Undo with /undo 1" in done.text
        post = await fake.wait_for_message(FAN, containing("Results: Race 1"), TIMEOUT)
        # Qualifying 1 (2nd, 8 points) and Race 1 (a win, 25): 33 points so far.
        won = "Jessica Bäckman: WIN, fastest lap — 33 pts from the results known so far"
        assert won in post.text

        # The whole classification as a CSV document, with the caption naming the session:
        # Martin Andersen, not entered yet, is added as an entry with his result.
        csv = (
            "position,driver,laps,time,gap\n"
            "1,Jessica Bäckman,20,25:03.456,\n"
            "2,Martin Andersen,20,,+0.545\n"
        )
        fake.push_document(
            ADMIN,
            "race-1.csv",
            csv.encode(),
            caption=f"/import {OSCHERSLEBEN}/race-1",
            user_id=ADMIN,
        )
        preview = await next_message(fake, ADMIN)
        assert preview.text.startswith("Preview:"), preview.text
        assert "new entry" in preview.text and "Martin Andersen" in preview.text
        assert "+ [sources.import-2]" in preview.text
        assert fake.downloads(), "the document was fetched with getFile"
        done = await walk(fake, ADMIN, "Confirm")
        assert "Undo with /undo 2" in done.text
        print("\n" + transcript(fake.sent(ADMIN), start=first) + "\n" + post.text)
        text = series_file.read_text()
        assert 'time = "25:03.456"' in text and "laps = 20" in text
        assert "[sources.import-2]" in text and 'file = "race-1.csv"' in text
        assert text.startswith("# ADAC TCR Germany 2022"), "comments kept"
        audit = await runtime.store.recent_edits(5)
        assert [(record.id, record.actor) for record in audit] == [
            (2, f"telegram:{ADMIN} (Fan)"),
            (1, f"telegram:{ADMIN} (Fan)"),
        ]
        assert f"{OSCHERSLEBEN}/race-1" in audit[0].summary


async def test_a_non_admin_is_refused_every_edit_and_nothing_changes(tmp_path: Path) -> None:
    schedules = copy_schedules(tmp_path)
    before = fingerprint(schedules)
    clock = FixedClock(cest("2022-05-13T10:00"))
    async with editing_bot(tmp_path, clock, schedules) as (fake, runtime):
        refused = containing("Sorry, /edit is only for Pitboard's admins.")
        fake.push_message(OTHER_FAN, "/edit")
        await fake.wait_for_message(OTHER_FAN, refused, TIMEOUT)
        # A forged press: the data an admin's Confirm would carry.
        fake.push_message(OTHER_FAN, "/next 24h")
        answer = await next_message(fake, OTHER_FAN)
        query = fake.push_callback(
            OTHER_FAN, answer.message_id, "/edit~AAAAAAAA~ok", require_button=False
        )
        pressed = await fake.wait_for(lambda: fake.callback_answers.get(query), TIMEOUT)
        assert pressed["text"] == "Sorry, /edit is only for Pitboard's admins."
        fake.push_document(
            OTHER_FAN,
            "race-1.csv",
            b"position,driver\n1,Jessica Backman\n",
            caption=f"/import {HOCKENHEIM}/qualifying",
            user_id=OTHER_FAN,
        )
        await fake.wait_for_message(OTHER_FAN, refused, TIMEOUT)
        fake.push_document(OTHER_FAN, "race-1.csv", b"1 jessica\n", user_id=OTHER_FAN)
        await fake.wait_for_message(OTHER_FAN, refused, TIMEOUT)
        assert fake.downloads() == [], "a stranger's file is never fetched"
        assert await runtime.store.recent_edits(5) == []
        sub = await runtime.store.get_subscription(ChatRef("telegram", str(OTHER_FAN)))
        assert sub is None
    assert fingerprint(schedules) == before
