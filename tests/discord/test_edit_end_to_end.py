"""A race weekend run from Discord (issue 16's "Done when"): the real Runtime and discord.py
client against FakeDiscord, on a copy of the bundled schedules, with a clock the test moves.

Saturday of Oschersleben (TCR Germany round 1, Europe/Berlin). The press office has not entered
Race 1's or Race 2's results yet (the copy drops them). A channel follows Jessica Bäckman.
The admin publishes Race 1's time, fans get the 60-minute reminder, the admin moves the race:
the channel gets "Time changed" and, when the clock gets there, the 15-minute reminder for
the NEW start and none for the old one. After the race the admin pastes the classification
into the modal, previews, confirms: the channel gets the results post with the standings.
On Sunday a timing export attached to /edit results enters Race 2. A member who is not an
admin is refused every edit and nothing on disk changes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import tomlkit

from bot.core.clock import FixedClock
from tests.discord.edit_harness import REFUSAL, EditWorld, buttons, running_editors, seen
from tests.fakes.discord_model import SentMessage

RACE_1 = "tcr-germany-2022/oschersleben/race-1"
RACE_2 = "tcr-germany-2022/oschersleben/race-2"
ROWS_LABEL = "Rows (one per line, or a CSV)"
SATURDAY = datetime.fromisoformat("2022-04-23T09:00+02:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+02:00")


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def without_results(schedules: Path, *slugs: str) -> None:
    """The press office has not entered these Oschersleben sessions' results yet."""
    path = schedules / "2022" / "tcr-germany.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    event = next(e for e in document["events"] if e["id"] == "oschersleben")  # type: ignore[union-attr]
    for session in event["sessions"]:
        if session["id"] in slugs:
            del session["results"]
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


def containing(*parts: str):
    return lambda message: all(part in message.text for part in parts)


async def advance(world: EditWorld, clock: FixedClock, moment: datetime) -> None:
    """The clock moves on; what the announcer scheduled up to then fires, as it would live,
    and has been enqueued when this returns."""
    announcer = world.runtime.announcer
    clock.set(moment)
    announcer.retime(moment)
    world.runtime.engine.wake()
    for _ in range(2000):  # up to 20 s on a busy machine; usually one or two looks
        due = announcer.next_due()
        if (due is None or due > moment) and not announcer.firing:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"announcements due by {moment} were not enqueued")


async def run_as(world: EditWorld, user_id: str, options: dict[str, object]) -> SentMessage:
    asked = await world.fake.dispatch_interaction(
        "edit", options, channel_id=world.channel_id, user_id=user_id, permission_override=True
    )
    return await world.fake.wait_for_response(asked.id, timeout=20)


async def paste_and_confirm(world: EditWorld, session: str, rows: str) -> SentMessage:
    fake = world.fake
    asked = await fake.dispatch_interaction(
        "edit", {"results": {"session": session}}, channel_id=world.channel_id,
        user_id=world.admin_id,
    )  # fmt: skip
    await fake.wait_for_callback(asked.id)
    submitted = await fake.submit_modal(asked.id, {ROWS_LABEL: rows})
    preview = await fake.wait_for_response(submitted.id, timeout=20)
    assert preview.ephemeral and "Preview" in preview.text, preview.text
    confirm = buttons(preview)["Confirm"]
    pressed = await fake.dispatch_component(preview.id, confirm, user_id=world.admin_id)
    await fake.wait_for_callback(pressed.id)
    return await fake.wait_for(
        lambda: preview if "Undo with /undo" in seen(preview) else None, 20, "the applied edit"
    )


async def test_a_race_weekend_edited_from_discord(tmp_path: Path) -> None:
    clock = FixedClock(SATURDAY)
    async with running_editors(
        tmp_path, clock, prepare=lambda s: without_results(s, "race-1", "race-2")
    ) as world:
        fake, channel = world.fake, world.channel_id
        owner = fake.guilds[world.guild_id].owner_id
        follow = await fake.dispatch_interaction(
            "subscribe", {"what": "jessica-backman"}, channel_id=channel, user_id=owner
        )
        assert "Following" in (await fake.wait_for_response(follow.id)).text

        # Race 1's time is published (TBA -> 14:00); nobody was told a time, so no post.
        done = await run_as(
            world,
            world.admin_id,
            {"time": {"session": RACE_1, "date": "2022-04-23", "time": "14:00"}},
        )
        assert "/undo" in done.text and done.ephemeral

        await advance(world, clock, at("2022-04-23T13:00"))
        await fake.wait_for_message(channel, containing("Race 1 starts in 1 h"), timeout=20)

        # Moved after fans were told: "Time changed" at once.
        clock.set(at("2022-04-23T13:10"))
        done = await run_as(
            world,
            world.admin_id,
            {"time": {"session": RACE_1, "date": "2022-04-23", "time": "14:30"}},
        )
        assert "/undo" in done.text
        changed = await fake.wait_for_message(
            channel, containing("Time changed: Race 1"), timeout=20
        )
        assert f"<t:{unix(at('2022-04-23T14:30'))}" in changed.text

        # The new start's reminders come at their moments; the old start's 15-minute one never.
        new_start = f"<t:{unix(at('2022-04-23T14:30'))}"
        await advance(world, clock, at("2022-04-23T13:30"))
        reminder = await fake.wait_for_message(channel, containing("Race 1 starts in 1 h"))
        assert new_start in reminder.text
        await advance(world, clock, at("2022-04-23T13:45"))  # the old 15-minute moment
        await advance(world, clock, at("2022-04-23T14:15"))
        reminder = await fake.wait_for_message(channel, containing("Race 1 starts in 15 min"))
        assert new_start in reminder.text
        keys = await world.runtime.store.announcement_keys(f"{RACE_1}|reminder")
        old_start = at("2022-04-23T14:00").astimezone(UTC).isoformat()[:16]
        assert sorted(k.split("|")[2] for k in keys if old_start in k) == ["60"], keys
        titles = [m.text.split("\n")[0] for m in fake.sent(channel)]
        race_1 = [title for title in titles if "Race 1" in title]
        assert race_1 == [
            "Race 1 starts in 1 h",  # for 14:00
            "Time changed: Race 1",
            "Race 1 starts in 1 h",  # for 14:30
            "Race 1 starts in 15 min",
        ]

        # After the race: the classification pasted into the modal, previewed, confirmed.
        await advance(world, clock, at("2022-04-23T15:30"))
        applied = await paste_and_confirm(world, RACE_1, "1 jessica laps=22 fl")
        assert not buttons(applied)
        results = await fake.wait_for_message(channel, containing("Results: Race 1"), timeout=20)
        # Her win, and her points as they stand now (Qualifying 1, TBA, counts from the end of
        # its day: its points come with its own post).
        assert "Jessica Bäckman:** WIN, fastest lap — 25 pts" in results.text, results.text

        # Sunday: Race 2 from a timing export attached to the command.
        await advance(world, clock, at("2022-04-24T18:00"))
        export = fake.attachment(
            "race-2.csv", b"position,driver,laps\n5,Jessica B\xc3\xa4ckman,21\n"
        )
        asked = await fake.dispatch_interaction(
            "edit", {"results": {"session": RACE_2, "file": export.id}}, channel_id=channel,
            user_id=world.admin_id,
        )  # fmt: skip
        preview = await fake.wait_for_response(asked.id, timeout=20)
        assert "Preview" in preview.text, preview.text
        assert fake.downloads == [export.id]
        pressed = await fake.dispatch_component(
            preview.id, buttons(preview)["Confirm"], user_id=world.admin_id
        )
        await fake.wait_for_callback(pressed.id)
        await fake.wait_for(lambda: "Undo with /undo" in seen(preview) or None, 20, "the import")
        # Race 2 is TBA: its results count, and are posted, from the end of its day.
        await advance(world, clock, at("2022-04-25T00:00"))
        race_2 = await fake.wait_for_message(channel, containing("Results: Race 2"), timeout=20)
        assert "Jessica Bäckman:** 5th — 3rd in the championship, 44 pts" in race_2.text


async def test_a_member_is_refused_every_edit_and_nothing_changes(tmp_path: Path) -> None:
    clock = FixedClock(at("2022-04-23T15:30"))
    async with running_editors(
        tmp_path, clock, prepare=lambda s: without_results(s, "race-1")
    ) as world:
        fake, channel, fan = world.fake, world.channel_id, world.fan_id
        before = world.files()
        # The admin has a preview open: the member will try to confirm it.
        asked = await fake.dispatch_interaction(
            "edit", {"results": {"session": RACE_1}}, channel_id=channel, user_id=world.admin_id
        )
        await fake.wait_for_callback(asked.id)
        preview = await fake.wait_for_response(
            (await fake.submit_modal(asked.id, {ROWS_LABEL: "1 jessica-backman"})).id,
            timeout=20,
        )
        confirm = buttons(preview)["Confirm"]

        export = fake.attachment("race-1.csv", b"position,driver\n1,Jessica B\xc3\xa4ckman\n")
        commands = [
            {"time": {"session": RACE_1, "date": "2022-04-23", "time": "14:00"}},
            {"cancel": {"session": RACE_1}},
            {"reinstate": {"session": RACE_1}},
            {"postpone": {"session": RACE_1}},
            {"results": {"session": RACE_1}},
            {"results": {"session": RACE_1, "file": export.id}},
            {"standings": {"series": "tcr-germany-2022", "after": "tcr-germany-2022/oschersleben"}},
        ]
        for options in commands:
            answer = await run_as(world, fan, options)
            assert REFUSAL in answer.text and answer.ephemeral, (options, answer.text)
        undo = await fake.dispatch_interaction(
            "undo", {"number": 1}, channel_id=channel, user_id=fan, permission_override=True
        )
        assert REFUSAL in (await fake.wait_for_response(undo.id)).text
        forged_press = await fake.dispatch_component(preview.id, confirm, user_id=fan)
        assert REFUSAL in (await fake.wait_for_response(forged_press.id)).text
        forged_submit = await fake.submit_modal(asked.id, {ROWS_LABEL: "1 #7"}, user_id=fan)
        assert REFUSAL in (await fake.wait_for_response(forged_submit.id)).text

        assert fake.downloads == [], "a member's attachment is never downloaded"
        assert world.files() == before
        assert await world.runtime.store.recent_edits(10) == []
        # The refusals took nothing from the admin: their own Confirm still applies the edit.
        pressed = await fake.dispatch_component(preview.id, confirm, user_id=world.admin_id)
        await fake.wait_for_callback(pressed.id)
        await fake.wait_for(lambda: "Undo with /undo" in seen(preview) or None, 20, "the edit")
        assert world.files() != before
        # A second press (a double click) changes nothing more.
        again = await fake.dispatch_component(preview.id, confirm, user_id=world.admin_id)
        assert "is over" in (await fake.wait_for_response(again.id)).text
        assert len(await world.runtime.store.recent_edits(10)) == 1
