"""The fake Discord keeps Discord's word on what the Discord conventions rely on: an enforced
nonce answers a repeat with the message already made, a lost answer loses only the answer,
crossposts only from announcement channels, and command visibility by default permissions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_channels import NONCE_WINDOW_SECONDS

CREATE_MESSAGE = "POST /channels/{channel_id}/messages"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def client_of(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        await asyncio.wait({task}, timeout=5)


def channel_of(client: discord.Client, channel_id: str) -> discord.TextChannel:
    found = client.get_channel(int(channel_id))
    assert isinstance(found, discord.TextChannel)
    return found


async def test_an_enforced_nonce_repeated_in_the_channel_returns_the_message_made_before() -> None:
    clock = Clock()
    async with FakeDiscord(heartbeat_interval=0.5, clock=clock) as fake:
        guild = fake.guild()
        first_channel, second_channel = fake.channel(guild.id, "a"), fake.channel(guild.id, "b")
        async with client_of(fake) as client:
            first, second = (
                channel_of(client, first_channel.id),
                channel_of(client, second_channel.id),
            )
            made = await first.send("Safety car", nonce="delivery-1")
            again = await first.send("Safety car", nonce="delivery-1")
            other = await first.send("Green flag", nonce="delivery-2")
            elsewhere = await second.send("Safety car", nonce="delivery-1")
            assert again.id == made.id and len({made.id, other.id, elsewhere.id}) == 3
            assert [m.content for m in fake.sent(first_channel.id)] == ["Safety car", "Green flag"]
            clock.now += NONCE_WINDOW_SECONDS + 1  # Discord remembers a nonce for minutes
            later = await first.send("Safety car", nonce="delivery-1")
            assert later.id != made.id


async def test_a_lost_answer_loses_only_the_answer() -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        channel = fake.channel(fake.guild().id)
        async with client_of(fake) as client:
            target = channel_of(client, channel.id)
            fake.fail_next(CREATE_MESSAGE, "lost_response")
            with pytest.raises((aiohttp.ClientError, OSError)):
                await target.send("Red flag", nonce="delivery-7")
            [stored] = fake.sent(channel.id)
            retried = await target.send("Red flag", nonce="delivery-7")
            assert str(retried.id) == stored.id and len(fake.sent(channel.id)) == 1
            assert fake.stats.faults["lost_response"] == 1


async def test_only_a_message_of_an_announcement_channel_is_published_and_only_once() -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild()
        news, text = fake.channel(guild.id, "news", type=5), fake.channel(guild.id, "text")
        async with client_of(fake) as client:
            posted = await channel_of(client, news.id).send("Race 1 results")
            await posted.publish()
            assert fake.message(str(posted.id)).flags & 1  # CROSSPOSTED
            with pytest.raises(discord.HTTPException) as twice:
                await posted.publish()
            plain = await channel_of(client, text.id).send("Race 1 results")
            with pytest.raises(discord.HTTPException) as not_news:
                await plain.publish()
            assert (twice.value.code, not_news.value.code) == (40033, 50024)


async def test_a_command_with_default_member_permissions_is_hidden_from_members_without_them() -> (
    None
):
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild()
        channel = fake.channel(guild.id)
        stewards = fake.role(guild.id, "Stewards", gw.MANAGE_GUILD)
        steward = fake.member(guild.id, "steward", roles=(stewards.id,))
        fan = fake.default_user_id(guild.id)
        async with client_of(fake) as client:
            tree = app_commands.CommandTree(client)

            @tree.command(description="Operators only")
            @app_commands.default_permissions(manage_guild=True)
            async def status(interaction: discord.Interaction) -> None: ...

            @tree.command(description="Administrators only")
            @app_commands.default_permissions()
            async def wipe(interaction: discord.Interaction) -> None: ...

            @tree.command(description="Everyone")
            async def ping(interaction: discord.Interaction) -> None: ...

            target = discord.Object(int(guild.id))
            tree.copy_global_to(guild=target)
            await tree.sync(guild=target)
        seen = {
            who: {n for n in ("status", "wipe", "ping") if fake.command_visible(n, uid, channel.id)}
            for who, uid in (("fan", fan), ("steward", steward.id), ("owner", guild.owner_id))
        }
        assert seen == {
            "fan": {"ping"},
            "steward": {"status", "ping"},
            "owner": {"status", "wipe", "ping"},
        }
        with pytest.raises(AssertionError, match="does not show /status"):
            await fake.dispatch_interaction("status", channel_id=channel.id, user_id=fan)
