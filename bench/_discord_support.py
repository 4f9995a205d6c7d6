"""Helpers for bench/discord.py: the two bots under test, their interactions and their posts.

Each bot talks to its own `tests.fakes.discord_api.FakeDiscord` (REST checked against Discord's
OpenAPI description, a real gateway websocket), which enforces a global limit of `rate`
requests in any one-second window and answers 429 beyond it, as Discord does:

- Pitboard: the real `Runtime` (router, store, announcer, delivery engine, discord.py client),
  built exactly as tests/discord/test_end_to_end.py builds it, with the limit it is told about
  (`DiscordConfig.global_per_second`) equal to the fake's;
- the baseline: a bare discord.py client whose slash commands answer a fixed text, and whose
  broadcast is `for channel in channels: await channel.send(text)`, leaning on discord.py's
  own 429 handling alone.

The fake guild's channels are made before either client connects: they arrive in the
GUILD_CREATE, so both find every channel in discord.py's cache and no fetch is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bench._stats import Latencies, ms
from bot.config import Config, DiscordConfig
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.discord_api import FakeDiscord

SCHEDULES = Path(__file__).resolve().parents[1] / "schedules"
# A Thursday before a race weekend: /next and /standings have real answers, nothing is due.
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
SERIES = "tcr-germany-2022"
# (command, options, a text every correct Pitboard answer contains); wrong answers are counted,
# not timed. /next's is the Discord timestamp of Fri 13 May 2022 16:20 CEST.
INTERACTIONS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("standings", {"series": SERIES}, "ADAC TCR Germany 2022"),
    ("next", {}, "<t:1652451600:F>"),
    ("driver", {"name": "emil-sallberg"}, "Emil Sällberg"),
)
BASELINE_ANSWER = "Next: Free Practice, Fri 13 May"
REPLY_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 60.0
POLL_SECONDS = 0.05  # how often the fan-out's progress is looked at (arrivals are timestamped)
TEXT = "Race 2 at Oschersleben is delayed by 30 minutes: the track is being cleaned."

Expect = Callable[[str], str]


# --- the fake guild ----------------------------------------------------------------------------


@dataclass
class Guild:
    id: str
    chat_channels: list[str]  # where fans run slash commands; never subscribed
    channels: list[str]  # the fan-out's channels


def make_guild(fake: FakeDiscord, channels: int, chat_channels: int) -> Guild:
    """One guild with `chat_channels` for commands and `channels` for the fan-out; made before
    the client connects, so they arrive in its GUILD_CREATE."""
    guild = fake.guild("Pitboard Bench")
    chats = [fake.channel(guild.id, f"race-chat-{n:03d}").id for n in range(chat_channels)]
    ids = [fake.channel(guild.id, f"updates-{n:05d}").id for n in range(channels)]
    return Guild(guild.id, chats, ids)


# --- Pitboard ----------------------------------------------------------------------------------


@dataclass
class PitboardWorld:
    fake: FakeDiscord
    runtime: Runtime
    guild: Guild


@asynccontextmanager
async def pitboard_bot(
    tmp: Path, channels: int, chat_channels: int, rate: int
) -> AsyncIterator[PitboardWorld]:
    """The whole bot, told the same global limit the fake enforces."""
    async with FakeDiscord(global_per_second=rate) as fake:
        guild = make_guild(fake, channels, chat_channels)
        discord_config = replace(
            DiscordConfig(),
            api_base_url=fake.api_base,
            gateway_url=fake.gateway_url,
            sync_guild=int(guild.id),
            global_per_second=float(rate),
        )
        config = replace(Config(), discord=discord_config, discord_token=fake.token)
        store = SQLiteStore(tmp / "pitboard.sqlite3")
        await store.open()
        runtime = Runtime.build(
            config,
            schedules=SCHEDULES,
            catalogs=CatalogHolder(load_catalog(SCHEDULES)),
            clock=ScaledClock(QUIET_DAY, speed=1.0),
            store=store,
            chat_zone="Europe/Stockholm",
        )
        await runtime.start()
        try:
            await fake.wait_for(lambda: fake.commands(guild.id), READY_TIMEOUT_S, "synced commands")
            yield PitboardWorld(fake, runtime, guild)
        finally:
            await runtime.stop()
            await store.close()


async def subscribe(runtime: Runtime, channel_ids: Sequence[str]) -> None:
    """Straight into the store, as /subscribe in each channel would leave it."""
    store = runtime.store
    for channel_id in channel_ids:
        ref = ChatRef("discord", channel_id)
        await store.upsert_chat(Chat(ref, kind=ChatKind.CHANNEL, zone=runtime.chat_zone))
        await store.set_subscription(Subscription(ref, series=frozenset({SERIES})))


def pitboard_expects(command: str) -> str:
    return next(expect for name, _, expect in INTERACTIONS if name == command)


# --- the baseline ------------------------------------------------------------------------------


class BaselineClient(discord.Client):
    """A typical discord.py bot: the same three slash commands, each answering a fixed text."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.guild_id = guild_id
        self.connected = asyncio.Event()
        _register(self.tree)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        self.connected.set()


def _register(tree: app_commands.CommandTree[discord.Client]) -> None:
    choice = app_commands.Choice(name="ADAC TCR Germany 2022", value=SERIES)

    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(BASELINE_ANSWER)

    @tree.command(name="standings", description="Championship standings")
    @app_commands.choices(series=[choice])
    async def standings(interaction: discord.Interaction, series: str) -> None:
        await answer(interaction)

    @tree.command(name="next", description="The next session")
    async def next_(interaction: discord.Interaction) -> None:
        await answer(interaction)

    @tree.command(name="driver", description="A driver's profile")
    async def driver(interaction: discord.Interaction, name: str) -> None:
        await answer(interaction)


@dataclass
class BaselineWorld:
    fake: FakeDiscord
    client: BaselineClient
    guild: Guild


@asynccontextmanager
async def baseline_bot(
    channels: int, chat_channels: int, rate: int
) -> AsyncIterator[BaselineWorld]:
    async with FakeDiscord(global_per_second=rate) as fake:
        guild = make_guild(fake, channels, chat_channels)
        client = BaselineClient(int(guild.id))
        task = asyncio.create_task(client.start(fake.token))
        try:
            # Polled, as Pitboard's front-end does: it saw asyncio.wait() on the two miss the
            # ready signal.
            give_up = time.perf_counter() + READY_TIMEOUT_S
            while not client.connected.is_set() and not task.done():
                if time.perf_counter() > give_up:
                    raise TimeoutError("the baseline client did not connect")
                await asyncio.sleep(0.02)
            if task.done():
                task.result()  # the client failed to start: say why
            await fake.wait_for(lambda: fake.commands(guild.id), READY_TIMEOUT_S, "synced commands")
            yield BaselineWorld(fake, client, guild)
        finally:
            await client.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task


def baseline_expects(command: str) -> str:
    return BASELINE_ANSWER


@dataclass
class LoopOutcome:
    sent: int = 0
    failed: int = 0  # discord.py raised (it gives up on a request after 5 tries)
    seconds: float = 0.0


async def send_loop(client: discord.Client, channel_ids: Sequence[str], text: str) -> LoopOutcome:
    """The broadcast every bot starts with: one send after another, errors counted."""
    outcome = LoopOutcome()
    started = time.perf_counter()
    for channel_id in channel_ids:
        channel = client.get_channel(int(channel_id))
        if not isinstance(channel, discord.TextChannel):
            outcome.failed += 1
            continue
        try:
            await channel.send(text)
        except discord.HTTPException:
            outcome.failed += 1
        else:
            outcome.sent += 1
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- interactions ------------------------------------------------------------------------------


async def ask(
    fake: FakeDiscord, channel_id: str, number: int, expected: Expect, into: Latencies
) -> None:
    """One fan runs one slash command; the time until its answer reaches the fake goes `into`."""
    name, options, _ = INTERACTIONS[number % len(INTERACTIONS)]
    asked = time.perf_counter()
    interaction = await fake.dispatch_interaction(name, options or None, channel_id=channel_id)
    try:
        answer = await fake.wait_for_response(interaction.id, timeout=REPLY_TIMEOUT_S)
    except AssertionError:
        into.lost += 1
        return
    took = time.perf_counter() - asked
    if expected(name) in answer.text:
        into.seconds.append(took)
    else:
        into.wrong += 1


async def interaction_figures(
    fake: FakeDiscord,
    chat_channels: Sequence[str],
    *,
    one_by_one: int,
    concurrency: int,
    batches: int,
    expected: Expect,
) -> dict[str, Any]:
    """`one_by_one` interactions in turn, then `batches` of `concurrency` at once.

    Fans ask in many channels, each at most once per phase: Pitboard answers a channel going
    over 5 commands in a burst with "slow down" (its per-chat throttle), and what is measured
    here is answering, not throttling. A warm-up asks once in every channel, unmeasured: the
    channels are stored as chats, caches filled, connections opened.
    """

    def channel(number: int) -> str:
        return chat_channels[number % len(chat_channels)]

    warm_up = Latencies()
    for number in range(len(chat_channels)):
        await ask(fake, channel(number), number, expected, warm_up)
    sequential = Latencies()
    for number in range(one_by_one):
        await ask(fake, channel(number), number, expected, sequential)
    concurrent = Latencies()
    for batch in range(batches):
        numbers = range(batch * concurrency, (batch + 1) * concurrency)
        await asyncio.gather(*(ask(fake, channel(n), n, expected, concurrent) for n in numbers))
    return {"sequential": sequential.figures(), "concurrent": concurrent.figures()}


# --- fan-out -----------------------------------------------------------------------------------


async def wait_for_posts(fake: FakeDiscord, channel_ids: Sequence[str], deadline_s: float) -> None:
    """Until every channel has a post, or `deadline_s` passed (the figures then say so)."""
    pending = set(channel_ids)
    give_up = time.perf_counter() + deadline_s
    while pending and time.perf_counter() < give_up:
        await asyncio.sleep(POLL_SECONDS)
        pending = {channel for channel in pending if not fake.sent(channel)}


def fanout_figures(
    fake: FakeDiscord, channel_ids: Sequence[str], started: float, rate: int, flood_before: int
) -> dict[str, Any]:
    """What reached the fake since `started` (wall clock, as the fake stamps its messages)."""
    per_channel: Counter[str] = Counter()
    arrivals: list[float] = []
    for channel_id in channel_ids:
        for message in fake.sent(channel_id):
            per_channel[channel_id] += 1
            arrivals.append(datetime.fromisoformat(message.timestamp).timestamp())
    posts = len(arrivals)
    seconds = max(arrivals) - started if arrivals else 0.0
    achieved = posts / seconds if seconds > 0 else 0.0
    return {
        "posts": posts,
        "channels_reached": len(per_channel),
        "missing": len(channel_ids) - len(per_channel),
        "duplicates": posts - len(per_channel),
        "seconds": round(seconds, 2),
        "first_ms": ms(min(arrivals) - started) if arrivals else None,
        "rate": round(achieved, 1),
        "rate_ratio": round(achieved / rate, 3),
        "429s": fake.stats.too_many_requests - flood_before,
    }


async def baseline_fanout(world: BaselineWorld, rate: int) -> dict[str, Any]:
    """The naive broadcast against the baseline's fake: figures as for Pitboard's."""
    fake, channels = world.fake, world.guild.channels
    flood_before = fake.stats.too_many_requests
    started = time.time()
    outcome = await send_loop(world.client, channels, TEXT)
    figures = fanout_figures(fake, channels, started, rate, flood_before)
    return figures | {
        "wall_s": round(outcome.seconds, 2),
        "sent": outcome.sent,
        "failed": outcome.failed,
    }
