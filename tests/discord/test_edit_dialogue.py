"""The /edit dialogue's other paths on Discord: new events and sessions previewed, the one-line
edits, bad values and bad rows said where they are with nothing changed, standings, a broken
export, /audit and /undo."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from tests.discord.edit_harness import EditWorld, buttons, running_editors, seen
from tests.fakes.discord_model import SentMessage

WEDNESDAY = datetime.fromisoformat("2022-05-11T09:00+02:00")
QUALIFYING = "24h-series-2022/hockenheim/qualifying"
ROWS_LABEL = "Rows (one per line, or a CSV)"


async def edit(world: EditWorld, options: dict[str, object]) -> SentMessage:
    asked = await world.fake.dispatch_interaction(
        "edit", options, channel_id=world.channel_id, user_id=world.admin_id
    )
    return await world.fake.wait_for_response(asked.id, timeout=20)


async def confirm(world: EditWorld, preview: SentMessage, label: str = "Confirm") -> str:
    pressed = await world.fake.dispatch_component(
        preview.id, buttons(preview)[label], user_id=world.admin_id
    )
    await world.fake.wait_for_callback(pressed.id)
    await world.fake.wait_for(lambda: not buttons(preview) or None, 20, "the preview answered")
    return seen(preview)


async def rows(world: EditWorld, options: dict[str, object], pasted: str) -> SentMessage:
    asked = await world.fake.dispatch_interaction(
        "edit", options, channel_id=world.channel_id, user_id=world.admin_id
    )
    await world.fake.wait_for_callback(asked.id)
    submitted = await world.fake.submit_modal(asked.id, {ROWS_LABEL: pasted})
    return await world.fake.wait_for_response(submitted.id, timeout=20)


async def test_a_new_event_and_session_are_previewed_then_added(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        before = world.files()
        preview = await edit(
            world,
            {
                "add-event": {
                    "series": "tcr-germany-2022",
                    "slug": "most",
                    "name": "Autodrom Most",
                    "timezone": "Europe/Prague",
                    "start": "2022-06-10",
                    "end": "2022-06-12",
                    "round": 3,
                }
            },
        )
        assert "Preview" in seen(preview) and 'name = "Autodrom Most"' in seen(preview)
        assert world.files() == before, "a preview writes nothing"
        assert "Undo with /undo" in await confirm(world, preview)
        catalog = world.runtime.catalogs.current
        assert catalog.events["tcr-germany-2022/most"].name == "Autodrom Most"

        preview = await edit(
            world,
            {
                "add-session": {
                    "event": "tcr-germany-2022/most",
                    "slug": "race-1",
                    "name": "Race 1",
                    "kind": "race",
                    "date": "2022-06-11",
                    "time": "15:10",
                    "duration": "30m",
                }
            },
        )
        assert "Undo with /undo" in await confirm(world, preview)
        race = world.runtime.catalogs.current.sessions["tcr-germany-2022/most/race-1"]
        assert race.start_utc == datetime.fromisoformat("2022-06-11T15:10+02:00")


async def test_cancel_keeps_nothing_when_cancelled_in_the_dialogue(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        before = world.files()
        preview = await edit(
            world,
            {
                "add-session": {
                    "event": "24h-series-2022/hockenheim",
                    "slug": "warm-up",
                    "name": "Warm-up",
                    "kind": "warmup",
                    "date": "2022-05-14",
                }
            },
        )
        assert "Cancelled: nothing was changed" in await confirm(world, preview, "Cancel")
        assert world.files() == before


async def test_one_line_edits_apply_at_once_and_undo(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        done = await edit(world, {"cancel": {"session": QUALIFYING}})
        assert "Edit #1" in seen(done) and "Undo with /undo 1" in seen(done)
        assert world.runtime.catalogs.current.sessions[QUALIFYING].cancelled
        done = await edit(world, {"reinstate": {"session": "hockenheim qualifying"}})
        assert "Edit #2" in seen(done)
        assert not world.runtime.catalogs.current.sessions[QUALIFYING].cancelled
        done = await edit(world, {"postpone": {"session": QUALIFYING, "date": "2022-05-14"}})
        assert "Edit #3" in seen(done)
        postponed = world.runtime.catalogs.current.sessions[QUALIFYING]
        assert postponed.start_utc is None and str(postponed.day) == "2022-05-14"

        asked = await world.fake.dispatch_interaction(
            "audit", {}, channel_id=world.channel_id, user_id=world.admin_id
        )
        audit = await world.fake.wait_for_response(asked.id)
        assert audit.ephemeral
        assert seen(audit).index("#3") < seen(audit).index("#2") < seen(audit).index("#1")
        assert f"discord:{world.admin_id} (anna#0)" in seen(audit)

        asked = await world.fake.dispatch_interaction(
            "undo", {"number": 3}, channel_id=world.channel_id, user_id=world.admin_id
        )
        undone = await world.fake.wait_for_response(asked.id, timeout=20)
        assert "Edit #4" in seen(undone) and "undo #3" in seen(undone)
        back = world.runtime.catalogs.current.sessions[QUALIFYING]
        assert back.start_utc == datetime.fromisoformat("2022-05-13T19:05+02:00")


async def test_a_bad_value_is_said_and_nothing_changes(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        before = world.files()
        answer = await edit(
            world, {"time": {"session": QUALIFYING, "date": "2022-05-13", "time": "25:00"}}
        )
        assert "Nothing was changed" in seen(answer) and "25:00" in seen(answer)
        answer = await edit(
            world,
            {"time": {"session": "hockenheim qualifyng", "date": "2022-05-13", "time": "20:00"}},
        )
        assert "Nothing was changed" in seen(answer) and "qualifyng" in seen(answer)
        assert "column" not in seen(answer), "no place in a line the admin never typed"
        assert world.files() == before


async def test_a_bad_row_is_said_at_its_line_and_column(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        before = world.files()
        answer = await rows(world, {"results": {"session": QUALIFYING}}, "1 #120\n2 jesica baxman")
        assert "Nothing was changed" in seen(answer)
        assert "line 2, column 3" in seen(answer), seen(answer)
        assert not buttons(answer)
        assert world.files() == before


async def test_a_standings_table_pasted_into_the_modal(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        preview = await rows(
            world,
            {
                "standings": {
                    "series": "tcr-germany-2022",
                    "after": "tcr-germany-2022/oschersleben",
                    "note": "top three after round 1 of 7",
                }
            },
            "1 Martin Andersen 66\n2 Jonas Karklys 55\n3 Jessica Bäckman 44",
        )
        assert "Preview" in seen(preview) and "points = 66" in seen(preview)
        assert "Undo with /undo" in await confirm(world, preview)
        (table,) = world.runtime.catalogs.current.series["tcr-germany-2022"].published_standings
        assert [row.points for row in table.rows] == [66, 55, 44]
        assert table.note == "top three after round 1 of 7"


async def test_a_broken_export_is_refused_with_its_lines(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        before = world.files()
        export = world.fake.attachment(
            "qualifying.csv", b"POSITION;NUMBER;DRIVER_1;STATUS\n1;120;Andreas Backman;Warp\n"
        )
        answer = await edit(world, {"results": {"session": QUALIFYING, "file": export.id}})
        assert "Nothing was changed" in seen(answer) and "qualifying.csv:2" in seen(answer)
        assert not buttons(answer)
        assert world.files() == before
        huge = world.fake.attachment("huge.csv", b"x" * 2_100_000)
        answer = await edit(world, {"results": {"session": QUALIFYING, "file": huge.id}})
        assert "too big" in seen(answer)
        assert world.fake.downloads == [export.id], "a file too big is never downloaded"


async def test_an_edit_that_breaks_is_answered_and_the_bot_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        editor = world.runtime.editor
        working = editor.apply

        async def broken(*args: object, **kwargs: object) -> object:
            raise OSError("disk full")

        monkeypatch.setattr(editor, "apply", broken)
        answer = await edit(world, {"cancel": {"session": QUALIFYING}})
        assert "something went wrong" in seen(answer) and answer.ephemeral
        preview = await rows(world, {"results": {"session": QUALIFYING}}, "1 #120")
        assert "something went wrong" in await confirm(world, preview)

        monkeypatch.setattr(editor, "apply", working)
        done = await edit(world, {"cancel": {"session": QUALIFYING}})
        assert "Undo with /undo 1" in seen(done)


async def test_rows_for_nothing_known_are_not_asked_for(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        wrong = [
            ({"results": {"session": "nurburgring race 9"}}, "No session called"),
            (
                {
                    "standings": {
                        "series": "tcr-germany-2022",
                        "after": "24h-series-2022/hockenheim",
                    }
                },
                "is not an event of tcr-germany-2022",
            ),
        ]
        for options, said in wrong:
            asked = await world.fake.dispatch_interaction(
                "edit", options, channel_id=world.channel_id, user_id=world.admin_id
            )
            answer = await world.fake.wait_for_response(asked.id)
            assert said in seen(answer) and asked.modal is None


async def test_a_csv_pasted_into_the_modal_adds_a_new_car_with_its_results(
    tmp_path: Path,
) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        pasted = (
            "position,number,driver,team,class\n"
            "1,120,Andreas Bäckman,Lestrup Racing Team,TCR\n"
            "2,77,Nina Testdriver,Test Racing,TCR\n"
        )
        preview = await rows(world, {"results": {"session": QUALIFYING, "mode": "replace"}}, pasted)
        assert "Preview" in seen(preview) and "Nina Testdriver" in seen(preview)
        assert "Undo with /undo 1" in await confirm(world, preview)
        catalog = world.runtime.catalogs.current
        results = catalog.sessions[QUALIFYING].results
        assert [r.position for r in results] == [1, 2]
        assert any(e.number == "77" for e in catalog.events["24h-series-2022/hockenheim"].entries)
