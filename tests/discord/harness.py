"""What the whole-bot Discord tests share: the bot's config pointed at a FakeDiscord."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.config import Config, DiscordConfig
from tests.fakes.discord_api import FakeDiscord


def discord_config(fake: FakeDiscord, **discord: Any) -> Config:
    """The default config with Discord's REST and gateway at `fake`; `discord` sets other
    DiscordConfig fields (sync_guild, admins, shards)."""
    return replace(
        Config(),
        discord=replace(
            DiscordConfig(), api_base_url=fake.api_base, gateway_url=fake.gateway_url, **discord
        ),
        discord_token=fake.token,
    )
