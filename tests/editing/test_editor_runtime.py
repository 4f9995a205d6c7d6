"""Edits through the running bot: the Editor writes the file, the runtime's own reloader swaps
the catalog, and the existing announcer posts what changed through the outbox to the terminal
chat — the same path as a hand edit of the files, driven by a fixed clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.cli import main
from bot.core.edits.inputs import ResultRowInput
from bot.core.edits.operations import EnterResults, SetSessionTime
from bot.core.plan import parse_key
from bot.editing import CONSOLE
from bot.store.records import DeliveryStatus

from .conftest import FRIDAY, HOCKENHEIM, Bot, eventually, running_bot

RACE_1 = f"{HOCKENHEIM}/race-part-1"
QUALIFYING = f"{HOCKENHEIM}/qualifying"
NEW_START_UTC = "2022-05-14T13:00:00+00:00"  # 15:00 in Hockenheim
OLD_START_UTC = "2022-05-14T11:55:00+00:00"
FRIDAY_NIGHT = datetime.fromisoformat("2022-05-13T21:00+02:00")  # after qualifying


async def sent(bot: Bot, key: str) -> bool:
    deliveries = await bot.runtime.store.deliveries(key)
    return bool(deliveries) and all(d.status is DeliveryStatus.SENT for d in deliveries)


async def keys_of(bot: Bot, kind: str, subject: str) -> list[str]:
    found = []
    for key in await bot.runtime.store.announcement_keys():
        parsed = parse_key(key)
        if parsed is not None and parsed.kind.value == kind and parsed.subject == subject:
            found.append(key)
    return found


async def test_a_moved_session_gets_the_changed_post_and_its_reminder_at_the_new_time(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, FRIDAY) as bot:
        await eventually(lambda: "Race weekend: Hankook 12h Hockenheimring" in bot.posts())
        text = (bot.folder / "2022/24h-series.toml").read_text()
        line = text.splitlines().index('time = "13:55"') + 1
        outcome = await bot.runtime.editor.apply(SetSessionTime(RACE_1, None, time(15, 0)), CONSOLE)
        assert outcome.ok and outcome.reloaded, outcome.problems
        assert outcome.lines[:3] == (
            f'2022/24h-series.toml:{line}: - time = "13:55"',
            f'2022/24h-series.toml:{line}: + time = "15:00"',
            # After its duration: the release that still states the session, and the edit.
            f'2022/24h-series.toml:{line + 2}: + source = ["hockenheim-12h", "edit-1"]',
        )
        assert outcome.changes == (f"moved {RACE_1}: 2022-05-14T11:55:00+00:00 -> {NEW_START_UTC}",)
        await eventually(lambda: "Time changed: Race – Part 1" in bot.posts())
        assert "Now: Sat 14 May 15:00 CEST" in bot.posts()
        changed = await keys_of(bot, "changed", RACE_1)
        assert len(changed) == 1
        await eventually(lambda: sent(bot, changed[0]))
        # The reminders follow the new start, not the old one.
        pending = {a.key for a in bot.runtime.announcer.pending() if a.subject == RACE_1}
        reminder = f"{RACE_1}|reminder|60|{NEW_START_UTC}"
        assert reminder in pending
        assert not any(OLD_START_UTC in key for key in pending)
        # An hour before the new start, the scheduler fires it and the outbox delivers it.
        bot.clock.set(datetime.fromisoformat(NEW_START_UTC) - timedelta(minutes=60))
        bot.runtime.announcer.retime(bot.clock.now())
        await eventually(lambda: sent(bot, reminder))
        announced = await bot.runtime.store.announcement_keys(f"{RACE_1}|reminder")
        assert reminder in announced
        assert not [key for key in announced if OLD_START_UTC in key]


async def test_entered_results_are_posted_once_and_not_again_on_reload_or_correction(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, FRIDAY_NIGHT) as bot:
        editor = bot.runtime.editor
        third = ResultRowInput(line=1, column=1, position=3, car="120")
        outcome = await editor.apply(EnterResults(QUALIFYING, (third,)), CONSOLE)
        assert outcome.ok, outcome.problems
        assert outcome.changes == (f"results changed for {QUALIFYING}",)
        await eventually(lambda: "Results: Qualifying — Hankook 12h Hockenheimring" in bot.posts())
        results = await keys_of(bot, "results", QUALIFYING)
        assert len(results) == 1
        await eventually(lambda: sent(bot, results[0]))
        # Reloading the same files, and correcting the row, tell nobody again.
        assert (await bot.runtime.reloader.reload()).ok
        second = ResultRowInput(line=1, column=1, position=2, car="120", note="penalty reversed")
        corrected = await editor.apply(EnterResults(QUALIFYING, (second,)), CONSOLE)
        assert corrected.ok, corrected.problems
        session = bot.runtime.catalogs.current.sessions[QUALIFYING]
        assert [(r.position, r.note) for r in session.results] == [(2, "penalty reversed")]
        assert await keys_of(bot, "results", QUALIFYING) == results
        assert len(await bot.runtime.store.deliveries(results[0])) == 1
        assert bot.posts().count("Results: Qualifying — Hankook 12h Hockenheimring") == 1


async def test_an_edit_survives_a_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FRIDAY) as bot:
        outcome = await bot.runtime.editor.apply(SetSessionTime(RACE_1, None, time(15, 0)), CONSOLE)
        assert outcome.ok
    async with running_bot(tmp_path, FRIDAY) as again:  # a new runtime on the same folder
        start = again.runtime.catalogs.current.sessions[RACE_1].start_utc
        assert start == datetime.fromisoformat(NEW_START_UTC)
        [record] = await again.runtime.editor.audit(5)
        assert (record.id, record.actor, record.target) == (outcome.edit_id, "console", RACE_1)


async def test_a_cli_edit_reaches_a_running_bot_through_its_folder_watch(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FRIDAY) as bot:
        await eventually(lambda: "Race weekend: Hankook 12h Hockenheimring" in bot.posts())
        database = str(tmp_path / "pitboard.sqlite3")
        args = ["--schedules", str(bot.folder), "--at", FRIDAY.isoformat(), "edit", "time",
                RACE_1, "15:00", "--as", "alice", "--database", database]  # fmt: skip
        assert await asyncio.to_thread(main, args) == 0  # another "process": only the files tell
        await eventually(lambda: "Time changed: Race – Part 1" in bot.posts())
        start = bot.runtime.catalogs.current.sessions[RACE_1].start_utc
        assert start == datetime.fromisoformat(NEW_START_UTC)
        [record] = await bot.runtime.editor.audit()  # the same audit log as the bot's
        assert record.actor == "cli:alice"
