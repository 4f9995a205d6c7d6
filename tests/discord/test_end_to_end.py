"""The whole bot on Discord: the real Runtime and discord.py client against a fake Discord on
127.0.0.1 (REST checked against Discord's OpenAPI description, and a real gateway websocket).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.audience import ChatRef
from bot.core.clock import Clock, FixedClock, ScaledClock
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.discord.harness import discord_config
from tests.fakes.discord_api import FakeDiscord
from tests.runtime_harness import started_runtime

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
BEFORE_REMINDER = datetime.fromisoformat("2022-05-13T15:19:59.5+02:00")
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")


@dataclass
class World:
    fake: FakeDiscord
    runtime: Runtime
    guild_id: str
    channel_id: str
    owner_id: str
    fan_id: str
    role_id: str


@asynccontextmanager
async def running_bot(
    tmp_path: Path, clock: Clock, *, start_clock: bool = True
) -> AsyncIterator[World]:
    """The bot, started; with `start_clock=False` a replay clock waits for
    `runtime.start_clock()` (see tests/telegram/test_end_to_end.py)."""
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild("TCR Fans")
        channel = fake.channel(guild.id, "race-updates")
        role = fake.role(guild.id, "Race fans", 0)
        config = discord_config(fake, sync_guild=int(guild.id))
        async with (
            SQLiteStore(tmp_path / "pitboard.sqlite3") as store,
            started_runtime(config, store, SCHEDULES, clock, start_clock=start_clock) as runtime,
        ):
            yield World(
                fake,
                runtime,
                guild.id,
                channel.id,
                guild.owner_id,
                fake.default_user_id(guild.id),
                role.id,
            )


async def test_commands_are_synced_from_the_command_table(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        synced = {c["name"]: c for c in world.fake.commands(guild_id=world.guild_id)}
        assert {"next", "schedule", "watch", "standings", "results", "driver", "track"} <= set(
            synced
        )
        assert {"help", "subscribe", "unsubscribe", "settings"} <= set(synced)
        standings = synced["standings"]
        series = next(o for o in standings["options"] if o["name"] == "series")
        assert {c["value"] for c in series["choices"]} == {
            "tcr-germany-2022",
            "24h-series-2022",
            "stcc-2022",
        }


async def test_standings_interaction_gets_the_table_as_an_embed(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        interaction = await world.fake.dispatch_interaction(
            "standings", {"series": "tcr-germany-2022"}, channel_id=world.channel_id
        )
        answer = await world.fake.wait_for_response(interaction.id)
        embed = answer.embed
        assert embed is not None and "ADAC TCR Germany 2022" in embed["title"]
        assert answer.text.index("Martin Andersen") < answer.text.index("Jessica Bäckman")
        assert answer.allowed_mentions == {"parse": []}


async def test_driver_autocomplete_offers_emil_sallberg(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        interaction = await world.fake.dispatch_interaction(
            "driver", {"name": "sall"}, channel_id=world.channel_id, focused="name"
        )
        await world.fake.wait_for_callback(interaction.id)
        assert interaction.choices == [{"name": "Emil Sällberg", "value": "emil-sallberg"}]


async def test_next_uses_discord_timestamps(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        interaction = await world.fake.dispatch_interaction("next", channel_id=world.channel_id)
        answer = await world.fake.wait_for_response(interaction.id)
        # Fri 13 May 2022 16:20 CEST = 14:20 UTC
        assert "<t:1652451600:F>" in answer.text


async def test_subscribe_without_manage_server_is_refused(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        # Hidden from the fan, unless the server gave it to everyone: then the bot refuses.
        interaction = await world.fake.dispatch_interaction(
            "subscribe",
            {"what": "tcr-germany-2022"},
            channel_id=world.channel_id,
            user_id=world.fan_id,
            permission_override=True,
        )
        answer = await world.fake.wait_for_response(interaction.id)
        assert "Manage Server" in answer.text and answer.ephemeral
        ref = ChatRef("discord", world.channel_id)
        assert await world.runtime.store.get_subscription(ref) is None


async def test_reminder_posted_with_the_role_mention_and_a_403_deactivates_only_that_channel(
    tmp_path: Path,
) -> None:
    clock = ScaledClock(BEFORE_REMINDER, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as world:
        fake = world.fake
        interaction = await fake.dispatch_interaction(
            "subscribe",
            {"what": "24h-series-2022", "role": world.role_id},
            channel_id=world.channel_id,
            user_id=world.owner_id,
        )
        assert "Following" in (await fake.wait_for_response(interaction.id)).text
        world.runtime.start_clock()
        post = await fake.wait_for_message(
            world.channel_id, lambda m: "Free Practice starts in" in m.text, timeout=10
        )
        assert post.content == f"<@&{world.role_id}>"
        mentions = post.allowed_mentions or {}
        assert mentions.get("parse") == [] and not mentions.get("replied_user")
        assert [str(role) for role in mentions.get("roles", [])] == [world.role_id]
        # The channel loses the bot's permission: the next post deactivates it.
        fake.fail_next(world.channel_id, "missing_permissions", times=20)
        await world.runtime.announcer.broadcast("Safety car")
        ref = ChatRef("discord", world.channel_id)
        for _ in range(100):
            chat = await world.runtime.store.get_chat(ref)
            if chat is not None and not chat.active:
                break
            await asyncio.sleep(0.05)
        assert chat is not None and not chat.active
        assert any("missing permission" in p for p in world.runtime.health.problems().values())
        # The bot keeps answering.
        asked = await fake.dispatch_interaction(
            "track", {"name": "hockenheimring"}, channel_id=world.channel_id
        )
        assert "4.574 km" in (await fake.wait_for_response(asked.id)).text


async def test_buttons_rerun_the_command_they_carry(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        fake = world.fake
        interaction = await fake.dispatch_interaction(
            "driver", {"name": "backman"}, channel_id=world.channel_id
        )
        question = await fake.wait_for_response(interaction.id)
        buttons = [c for row in question.components for c in row.get("components", [])]
        assert [b["label"] for b in buttons] == ["Jessica Bäckman", "Andreas Bäckman"]
        press = await fake.dispatch_component(question.id, buttons[1]["custom_id"])
        answer = await fake.wait_for_response(press.id)
        assert "Andreas Bäckman" in answer.text and "Lestrup Racing Team" in answer.text


async def test_admin_commands_are_refused_to_others(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as world:
        interaction = await world.fake.dispatch_interaction(
            "announce", {"text": "hello"}, channel_id=world.channel_id, user_id=world.owner_id
        )
        answer = await world.fake.wait_for_response(interaction.id)
        assert "only for Pitboard's admins" in answer.text
