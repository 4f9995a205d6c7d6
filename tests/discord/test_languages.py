"""Discord in three languages: the synced commands carry Swedish and German names and
descriptions (checked by the fake against Discord's rules and locales), and a new channel
starts in its server's preferred language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from bot.config import Config, DiscordConfig
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.discord.test_end_to_end import QUIET_DAY, SCHEDULES
from tests.fakes.discord_api import FakeDiscord


@asynccontextmanager
async def bot_in_a_server(tmp_path: Path, locale: str) -> AsyncIterator[tuple[FakeDiscord, str]]:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild("Racing fans", locale=locale)
        channel = fake.channel(guild.id, "race-updates")
        config = replace(
            Config(),
            discord=replace(
                DiscordConfig(),
                api_base_url=fake.api_base,
                gateway_url=fake.gateway_url,
                sync_guild=int(guild.id),
            ),
            discord_token=fake.token,
        )
        store = SQLiteStore(tmp_path / "pitboard.sqlite3")
        await store.open()
        runtime = Runtime.build(
            config,
            schedules=SCHEDULES,
            catalogs=CatalogHolder(load_catalog(SCHEDULES)),
            clock=FixedClock(QUIET_DAY),
            store=store,
            chat_zone="Europe/Stockholm",
        )
        await runtime.start()
        try:
            yield fake, channel.id
        finally:
            await runtime.stop()
            await store.close()


async def test_commands_are_synced_with_swedish_and_german_localizations(tmp_path: Path) -> None:
    async with bot_in_a_server(tmp_path, "en-US") as (fake, _):
        synced = {c["name"]: c for c in fake.commands(guild_id=next(iter(fake.guilds)))}
        standings = synced["standings"]
        assert standings["name_localizations"] == {"sv-SE": "ställning", "de": "wertung"}
        assert standings["description_localizations"] == {
            "sv-SE": "Mästerskapsställning: förare, team eller klasser",
            "de": "Meisterschaftsstand: Fahrer, Teams oder Klassen",
        }
        series = next(o for o in standings["options"] if o["name"] == "series")
        assert series["description_localizations"]["de"] == "eine Serie, z. B. tcr-germany-2022"
        table = next(o for o in standings["options"] if o["name"] == "table")
        teams = next(c for c in table["choices"] if c["value"] == "teams")
        assert teams["name_localizations"] == {"sv-SE": "team", "de": "Teams"}
        # A name the same in every language is not "localized".
        assert not synced["status"].get("name_localizations")
        assert fake.violations == []


async def test_a_channel_in_a_swedish_server_answers_in_swedish(tmp_path: Path) -> None:
    async with bot_in_a_server(tmp_path, "sv-SE") as (fake, channel_id):
        interaction = await fake.dispatch_interaction(
            "standings", {"series": "tcr-germany-2022"}, channel_id=channel_id, locale="de"
        )
        answer = await fake.wait_for_response(interaction.id, timeout=30)
        # The server's language, not the member's: the channel is shared.
        assert "ADAC TCR Germany 2022 — förare" in answer.text
        assert "Efter deltävling 1 av 7" in answer.text
        assert fake.violations == []
