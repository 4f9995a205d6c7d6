"""The whole bot on Discord for the admins' edit commands: the real Runtime and discord.py
client against FakeDiscord, on a temporary copy of the bundled schedules (edits write files)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.core.clock import Clock
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.discord.harness import discord_config
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_model import SentMessage
from tests.runtime_harness import started_runtime

BUNDLED = Path(__file__).resolve().parents[2] / "schedules"
ADMIN_ID = "4200000000000000042"
REFUSAL = "Sorry, /edit is only for Pitboard's admins."


@dataclass
class EditWorld:
    fake: FakeDiscord
    runtime: Runtime
    schedules: Path
    guild_id: str
    channel_id: str
    admin_id: str
    fan_id: str

    def files(self) -> dict[str, bytes]:
        """Every schedule file's bytes: compared before and after to prove nothing changed."""
        return {
            str(path.relative_to(self.schedules)): path.read_bytes()
            for path in sorted(self.schedules.rglob("*"))
            if path.is_file()
        }


def copy_schedules(tmp_path: Path) -> Path:
    target = tmp_path / "schedules"
    shutil.copytree(BUNDLED, target)
    return target


@asynccontextmanager
async def running_editors(
    tmp_path: Path,
    clock: Clock,
    *,
    start_clock: bool = True,
    prepare: Callable[[Path], None] | None = None,
    locale: str = "en-US",
) -> AsyncIterator[EditWorld]:
    """The bot with one admin (in `discord.admins`, with Manage Server) and a fan; `prepare`
    changes the copy of the schedules before the bot reads it; `locale` is the server's preferred
    locale (a new channel's language)."""
    schedules = copy_schedules(tmp_path)
    if prepare is not None:
        prepare(schedules)
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild("TCR Fans", locale=locale)
        channel = fake.channel(guild.id, "race-updates")
        staff = fake.role(guild.id, "Press office", 1 << 5)  # MANAGE_GUILD: sees the commands
        fake.member(guild.id, "anna", user_id=ADMIN_ID, roles=(staff.id,))
        config = discord_config(fake, sync_guild=int(guild.id), admins=(int(ADMIN_ID),))
        async with (
            SQLiteStore(tmp_path / "pitboard.sqlite3") as store,
            started_runtime(config, store, schedules, clock, start_clock=start_clock) as runtime,
        ):
            yield EditWorld(
                fake,
                runtime,
                schedules,
                guild.id,
                channel.id,
                ADMIN_ID,
                fake.default_user_id(guild.id),
            )


def buttons(message: SentMessage) -> dict[str, str]:
    """A message's buttons: label -> custom_id."""
    return {
        str(c["label"]): str(c["custom_id"])
        for row in message.components
        for c in row.get("components", [])
        if c.get("custom_id")
    }


def seen(message: SentMessage) -> str:
    """The message as the admin reads it: Discord shows a Markdown escape as the character
    and bold as bold."""
    return message.text.replace("\\", "").replace("**", "")
