"""Discord shards: two bot processes, each running one shard of two, against the fake gateway.

Each is a whole Runtime with its own discord.py AutoShardedClient (`discord.shard_count = 2`,
`discord.shard_ids = [0]` in one and `[1]` in the other). The fake sends each guild's events
only to the shard `(guild_id >> 22) % 2`, as Discord does; each guild's commands are answered
by exactly the process that runs its shard, once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.config import Config, DiscordConfig
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_gateway import shard_of

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
# Snowflakes whose shard (of two) is 0 and 1.
GUILD_ON_0, GUILD_ON_1 = str(1000 << 22), str(1001 << 22)


@asynccontextmanager
async def shard_process(fake: FakeDiscord, tmp_path: Path, shard: int) -> AsyncIterator[Runtime]:
    config = replace(
        Config(),
        discord=replace(
            DiscordConfig(),
            api_base_url=fake.api_base,
            gateway_url=fake.gateway_url,
            shard_count=2,
            shard_ids=(shard,),
        ),
        discord_token=fake.token,
    )
    store = SQLiteStore(tmp_path / f"shard-{shard}.sqlite3")
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
        yield runtime
    finally:
        await runtime.stop()
        await store.close()


def heard_by(fake: FakeDiscord, interaction_id: str) -> list[tuple[int, int] | None]:
    """The shards of the gateway sessions the interaction was sent to."""
    return [
        session.shard
        for session in fake.gateway.sessions.values()
        if any(
            e["t"] == "INTERACTION_CREATE" and e["d"]["id"] == interaction_id
            for e in session.events
        )
    ]


async def test_each_guilds_commands_are_answered_by_the_process_running_its_shard(
    tmp_path: Path,
) -> None:
    assert (shard_of(GUILD_ON_0, 2), shard_of(GUILD_ON_1, 2)) == (0, 1)
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        channels = {}
        for guild_id in (GUILD_ON_0, GUILD_ON_1):
            guild = fake.guild(f"Guild {guild_id}", guild_id=guild_id)
            channels[guild_id] = fake.channel(guild.id, "race-updates").id
        async with AsyncExitStack() as stack:
            runtimes = [
                await stack.enter_async_context(shard_process(fake, tmp_path, n)) for n in (0, 1)
            ]
            clients = [runtime.discord.client for runtime in runtimes if runtime.discord]
            assert len(clients) == 2
            # Each process identified as its shard and knows only its shard's guild.
            shards = sorted(i["shard"] for i in fake.gateway.identifies)
            assert shards == [[0, 2], [1, 2]]
            assert [c.get_guild(int(GUILD_ON_0)) is not None for c in clients] == [True, False]
            assert [c.get_guild(int(GUILD_ON_1)) is not None for c in clients] == [False, True]

            for shard, guild_id in enumerate((GUILD_ON_0, GUILD_ON_1)):
                for _ in range(2):
                    interaction = await fake.dispatch_interaction(
                        "next", channel_id=channels[guild_id]
                    )
                    answer = await fake.wait_for_response(interaction.id)
                    assert "<t:1652451600:F>" in answer.text
                    assert heard_by(fake, interaction.id) == [(shard, 2)]
                    assert len(interaction.callbacks) == 1  # answered once, by one process
