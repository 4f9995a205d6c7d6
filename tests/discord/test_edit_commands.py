"""The admins' edit commands as Discord sees them: synced with subcommands and autocomplete,
hidden from members, offering the catalog's sessions, and refusing everyone but the admins."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.clock import FixedClock
from tests.discord.edit_harness import REFUSAL, buttons, running_editors

QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
RACE_1 = "tcr-germany-2022/oschersleben/race-1"


async def test_edit_is_synced_as_a_group_with_autocompleted_options(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        synced = {c["name"]: c for c in world.fake.commands(guild_id=world.guild_id)}
        edit = synced["edit"]
        subcommands = {o["name"]: o for o in edit["options"]}
        assert set(subcommands) == {
            "time", "cancel", "reinstate", "postpone", "add-event", "add-session", "results",
            "standings",
        }  # fmt: skip
        assert all(o["type"] == 1 for o in subcommands.values())
        session = next(o for o in subcommands["time"]["options"] if o["name"] == "session")
        assert session["autocomplete"] is True
        results = {o["name"]: o for o in subcommands["results"]["options"]}
        assert results["file"]["type"] == 11  # an attachment
        # Hidden from members without Manage Server (the most Discord can hide).
        assert edit["default_member_permissions"] == str(1 << 5)
        assert synced["audit"]["default_member_permissions"] == str(1 << 5)
        assert synced["undo"]["default_member_permissions"] == str(1 << 5)
        assert not world.fake.command_visible("edit", world.fan_id, world.channel_id)
        assert world.fake.command_visible("edit", world.admin_id, world.channel_id)


async def test_session_autocomplete_shows_name_and_id_accents_ignored(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        typing = await world.fake.dispatch_interaction(
            "edit",
            {"results": {"session": "oschersleben race 1"}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
            focused="session",
        )
        await world.fake.wait_for_callback(typing.id)
        assert typing.choices is not None
        assert [c["value"] for c in typing.choices] == [RACE_1]
        (choice,) = typing.choices
        assert choice["name"].endswith(f" · {RACE_1}") and "Race 1" in choice["name"]
        # Accents ignored, at most 25, every one matching what was typed.
        many = await world.fake.dispatch_interaction(
            "edit",
            {"time": {"session": "öschersleben"}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
            focused="session",
        )
        await world.fake.wait_for_callback(many.id)
        assert many.choices and len(many.choices) <= 25
        assert all("oschersleben" in c["value"] for c in many.choices)


async def test_series_and_event_autocomplete_for_standings(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        typing = await world.fake.dispatch_interaction(
            "edit",
            {"standings": {"series": "tcr germ", "after": ""}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
            focused="series",
        )
        await world.fake.wait_for_callback(typing.id)
        assert [c["value"] for c in typing.choices or []] == ["tcr-germany-2022"]


async def test_autocomplete_offers_a_member_nothing(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        typing = await world.fake.dispatch_interaction(
            "edit",
            {"results": {"session": "race"}},
            channel_id=world.channel_id,
            user_id=world.fan_id,
            focused="session",
            permission_override=True,
        )
        await world.fake.wait_for_callback(typing.id)
        assert typing.choices == []


async def test_results_opens_a_modal_for_pasted_rows(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        asked = await world.fake.dispatch_interaction(
            "edit",
            {"results": {"session": RACE_1}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
        )
        callback = await world.fake.wait_for_callback(asked.id)
        assert callback["type"] == 9
        modal = asked.modal or {}
        assert modal["title"] == "Results: Race 1"
        (row,) = modal["components"]
        (text_input,) = row["components"]
        assert text_input["style"] == 2 and text_input["max_length"] == 4000


async def test_a_member_is_refused_every_rows_command_and_nothing_is_read(
    tmp_path: Path,
) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        fake = world.fake
        before = world.files()
        export = fake.attachment("race-1.csv", b"POSITION;NUMBER\n1;7\n")
        attempts = [
            {"results": {"session": RACE_1}},
            {"results": {"session": RACE_1, "file": export.id}},
            {"standings": {"series": "tcr-germany-2022", "after": "tcr-germany-2022/oschersleben"}},
        ]
        for options in attempts:
            asked = await fake.dispatch_interaction(
                "edit",
                options,
                channel_id=world.channel_id,
                user_id=world.fan_id,
                permission_override=True,
            )
            answer = await fake.wait_for_response(asked.id)
            assert REFUSAL in answer.text and answer.ephemeral
            assert asked.modal is None
        assert fake.downloads == [], "a member's file is never downloaded"
        assert world.files() == before


async def test_a_forged_modal_submit_from_a_member_is_refused(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        fake = world.fake
        before = world.files()
        asked = await fake.dispatch_interaction(
            "edit",
            {"results": {"session": RACE_1}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
        )
        await fake.wait_for_callback(asked.id)
        forged = await fake.submit_modal(
            asked.id, {"Rows (one per line, or a CSV)": "1 #7"}, user_id=world.fan_id
        )
        answer = await fake.wait_for_response(forged.id)
        assert REFUSAL in answer.text and answer.ephemeral
        assert not buttons(answer)
        assert world.files() == before


async def test_a_dialogue_the_bot_never_opened_is_refused_or_expired(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(QUIET_DAY)) as world:
        fake = world.fake
        asked = await fake.dispatch_interaction(
            "standings", {"series": "tcr-germany-2022"}, channel_id=world.channel_id
        )
        message = await fake.wait_for_response(asked.id)
        old_confirm = "pitboard-edit:confirm:0123456789abcdef"  # from before a restart
        pressed = await fake.dispatch_component(message.id, old_confirm, user_id=world.fan_id)
        answer = await fake.wait_for_response(pressed.id)
        assert REFUSAL in answer.text and answer.ephemeral
        pressed = await fake.dispatch_component(message.id, old_confirm, user_id=world.admin_id)
        answer = await fake.wait_for_response(pressed.id)
        assert "expired" in answer.text and answer.ephemeral
        # A modal submit naming a modal the bot never opened.
        opened = await fake.dispatch_interaction(
            "edit",
            {"results": {"session": RACE_1}},
            channel_id=world.channel_id,
            user_id=world.admin_id,
        )
        await fake.wait_for_callback(opened.id)
        forged = await fake.submit_modal(
            opened.id,
            {"Rows (one per line, or a CSV)": "1 #7"},
            user_id=world.fan_id,
            custom_id="pitboard-edit:rows:0123456789abcdef",
        )
        answer = await fake.wait_for_response(forged.id)
        assert REFUSAL in answer.text
