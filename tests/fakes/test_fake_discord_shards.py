"""The fake gateway's sharding: IDENTIFY's `shard` checked, each guild on its shard only."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_gateway import IDENTIFY, shard_of

GUILD_ON_0, GUILD_ON_1 = str(1000 << 22), str(1001 << 22)


async def _identify(fake: FakeDiscord, shard: Any) -> tuple[list[dict[str, Any]], int | None]:
    """Connect, IDENTIFY with `shard`; the dispatches received until the guilds came, and the
    close code (None: still open)."""
    events: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json()
        assert hello["op"] == 10
        identify = {"token": fake.token, "intents": 1, "properties": {}, "shard": shard}
        await ws.send_str(json.dumps({"op": IDENTIFY, "d": identify}))
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            event = json.loads(message.data)
            events.append(event)
            ready = next(e for e in events if e["t"] == "READY")
            if len(events) == 1 + len(ready["d"]["guilds"]):
                return events, None
        return events, ws.close_code


async def test_each_shard_hears_only_of_its_own_guilds() -> None:
    assert (shard_of(GUILD_ON_0, 2), shard_of(GUILD_ON_1, 2)) == (0, 1)
    async with FakeDiscord() as fake:
        fake.guild("zero", guild_id=GUILD_ON_0)
        fake.guild("one", guild_id=GUILD_ON_1)
        for shard, guild_id in ((0, GUILD_ON_0), (1, GUILD_ON_1)):
            events, closed = await _identify(fake, [shard, 2])
            assert closed is None
            ready, *creates = events
            assert ready["d"]["shard"] == [shard, 2]
            assert [g["id"] for g in ready["d"]["guilds"]] == [guild_id]
            assert [e["d"]["id"] for e in creates] == [guild_id]


async def test_a_shard_outside_its_count_is_refused_with_4010() -> None:
    async with FakeDiscord(allow_violations=True) as fake:
        for bad in ([2, 2], [0, 0], [-1, 2], "0,2"):
            events, closed = await _identify(fake, bad)
            assert (events, closed) == ([], 4010)
        assert len(fake.violations) == 4
