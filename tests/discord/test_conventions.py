"""Discord the way Discord users expect it: private answers where only the asker cares, commands
hidden from members who cannot use them, commands synced only when they changed, a retried post
never posted twice, posts published from announcement channels, and no subscription where the
bot cannot post. The real Runtime and discord.py client against the fake Discord.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest

import bot.frontends.discord.bot as discord_bot
from bot.chats import Answer, Caller, Router
from bot.config import Config, DiscordConfig
from bot.core.audience import ChatRef, Subscription
from bot.core.clock import Clock, FixedClock, ScaledClock
from bot.runtime import Runtime
from bot.store.records import DeliveryStatus
from bot.store.sqlite import SQLiteStore
from tests.fakes import discord_gateway as gw
from tests.fakes.discord_api import FakeDiscord, SentMessage
from tests.runtime_harness import started_runtime

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
BULK_OVERWRITE = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
CREATE_MESSAGE = "POST /channels/{channel_id}/messages"
CROSSPOST = "POST /channels/{channel_id}/messages/{message_id}/crosspost"
OPERATORS_COMMANDS = ("status", "reload", "announce")
MANAGERS_COMMANDS = ("subscribe", "unsubscribe", "settings")


@dataclass
class Server:
    """One guild: a text channel, an announcement channel, a channel the bot may not post in;
    its owner, a Pitboard operator with Manage Server, and a fan."""

    fake: FakeDiscord
    guild_id: str
    general: str
    news: str
    locked: str
    owner: str
    operator: str
    fan: str


def make_server(fake: FakeDiscord) -> Server:
    guild = fake.guild("TCR Fans")
    general = fake.channel(guild.id, "race-updates")
    news = fake.channel(guild.id, "announcements", type=5)
    no_send = FakeDiscord.overwrite(guild.id, deny=gw.SEND_MESSAGES)
    locked = fake.channel(guild.id, "read-only", overwrites=(no_send,))
    managers = fake.role(guild.id, "Stewards", gw.MANAGE_GUILD)
    operator = fake.member(guild.id, "operator", roles=(managers.id,))
    return Server(
        fake,
        guild.id,
        general.id,
        news.id,
        locked.id,
        guild.owner_id,
        operator.id,
        fake.default_user_id(guild.id),
    )


@asynccontextmanager
async def pitboard(
    server: Server, database: Path, clock: Clock, schedules: Path = SCHEDULES
) -> AsyncIterator[Runtime]:
    """The whole bot, started against the server, with `database` (kept across restarts)."""
    config = replace(
        Config(),
        discord=replace(
            DiscordConfig(),
            api_base_url=server.fake.api_base,
            gateway_url=server.fake.gateway_url,
            sync_guild=int(server.guild_id),
            admins=(int(server.operator),),
        ),
        discord_token=server.fake.token,
    )
    store = SQLiteStore(database)
    await store.open()
    try:
        async with started_runtime(config, store, schedules, clock) as runtime:
            yield runtime
    finally:
        await store.close()


@asynccontextmanager
async def running(tmp_path: Path, clock: Clock | None = None) -> AsyncIterator[Server]:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        async with pitboard(server, tmp_path / "pitboard.sqlite3", clock or FixedClock(QUIET_DAY)):
            yield server


async def answer_to(server: Server, name: str, options: dict[str, str] | None = None, *,
                    user: str, channel: str | None = None) -> SentMessage:  # fmt: skip
    interaction = await server.fake.dispatch_interaction(
        name, options, channel_id=channel or server.general, user_id=user
    )
    return await server.fake.wait_for_response(interaction.id)


def shown(message: SentMessage) -> str:
    """The text as a reader sees it: markdown escapes are not shown."""
    return message.text.replace("\\", "")


# --- 1. private answers, hidden commands ---------------------------------------------------------


async def test_settings_subscriptions_operators_commands_and_problems_are_private(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as server:
        owner, operator = server.owner, server.operator
        subscribed = await answer_to(server, "subscribe", {"what": "tcr-germany-2022"}, user=owner)
        assert "Following" in subscribed.text and subscribed.ephemeral
        setting = await answer_to(server, "settings", {"setting": "spoilers"}, user=owner)
        assert setting.ephemeral
        unsubscribed = await answer_to(server, "unsubscribe", user=owner)
        assert unsubscribed.ephemeral
        status = await answer_to(server, "status", user=operator)
        assert "only for Pitboard's admins" not in status.text and status.ephemeral
        # The owner sees /announce but is no Pitboard operator: the refusal is private.
        refused = await answer_to(server, "announce", {"text": "hello"}, user=owner)
        assert "only for Pitboard's admins" in refused.text and refused.ephemeral
        typo = await answer_to(server, "driver", {"name": "nobody-at-all"}, user=server.fan)
        assert typo.ephemeral
        # What fans ask about the racing is for the whole channel.
        for name, options in (("next", None), ("standings", {"series": "tcr-germany-2022"})):
            public = await answer_to(server, name, options, user=server.fan)
            assert not public.ephemeral, name


async def test_operators_and_managers_commands_are_hidden_from_members_who_cannot_use_them(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as server:
        visible = server.fake.command_visible
        for name in OPERATORS_COMMANDS + MANAGERS_COMMANDS:
            assert not visible(name, server.fan, server.general), name
            assert visible(name, server.operator, server.general), name
            assert visible(name, server.owner, server.general), name
        for name in ("next", "standings", "help"):
            assert visible(name, server.fan, server.general), name
        # A server that gives /status to everyone: the bot still refuses a non-operator.
        interaction = await server.fake.dispatch_interaction(
            "status", channel_id=server.general, user_id=server.fan, permission_override=True
        )
        answer = await server.fake.wait_for_response(interaction.id)
        assert "only for Pitboard's admins" in answer.text and answer.ephemeral


def gated(monkeypatch: pytest.MonkeyPatch, router: Router, gate: asyncio.Event) -> None:
    """Every command waits for `gate`: the front-end has to defer its answer."""
    answer = router.answer

    async def waiting(text: str, caller: Caller) -> Answer:
        await gate.wait()
        return await answer(text, caller)

    monkeypatch.setattr(router, "answer", waiting)
    monkeypatch.setattr(discord_bot, "ANSWER_BEFORE_DEFER", 0.05)


async def test_a_slow_answer_is_deferred_privately_and_a_slow_problem_leaves_nothing_public(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        async with pitboard(server, tmp_path / "db.sqlite3", FixedClock(QUIET_DAY)) as runtime:
            gate = asyncio.Event()
            gated(monkeypatch, runtime.router, gate)
            settings = await fake.dispatch_interaction(
                "settings", channel_id=server.general, user_id=server.owner
            )
            typo = await fake.dispatch_interaction(
                "driver", {"name": "nobody-at-all"}, channel_id=server.general
            )
            for interaction in (settings, typo):
                assert (await fake.wait_for_callback(interaction.id))["type"] == 5  # deferred
            assert settings.original is not None and settings.original.ephemeral
            assert typo.original is not None and not typo.original.ephemeral
            gate.set()
            assert (await fake.wait_for_response(settings.id)).ephemeral
            problem = await fake.wait_for_followup(typo.id)
            assert problem.ephemeral and "No driver called" in problem.text
            assert typo.original.deleted  # the public "thinking..." is gone


# --- 2. commands synced only when they changed ---------------------------------------------------


async def test_commands_are_synced_only_when_the_command_table_changed(tmp_path: Path) -> None:
    database = tmp_path / "pitboard.sqlite3"
    fewer_series = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, fewer_series)
    (fewer_series / "2022" / "stcc.toml").unlink()
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        clock = FixedClock(QUIET_DAY)
        async with pitboard(server, database, clock):
            assert len(fake.calls(BULK_OVERWRITE)) == 1
        async with pitboard(server, database, clock):
            assert len(fake.calls(BULK_OVERWRITE)) == 1  # the same table: not synced again
            answer = await answer_to(server, "track", {"name": "hockenheimring"}, user=server.fan)
            assert "4.574 km" in answer.text  # the commands Discord kept still work
        # A series fewer: the /standings choices change, so the table is synced again.
        async with pitboard(server, database, clock, schedules=fewer_series):
            assert len(fake.calls(BULK_OVERWRITE)) == 2
        standings = next(c for c in fake.commands(server.guild_id) if c["name"] == "standings")
        series = next(o for o in standings["options"] if o["name"] == "series")
        assert "stcc-2022" not in {choice["value"] for choice in series["choices"]}


# --- 3. a retried post is posted once ------------------------------------------------------------


async def subscribe(runtime: Runtime, channel_id: str) -> ChatRef:
    ref = ChatRef("discord", channel_id)
    await runtime.store.set_subscription(Subscription(ref, series=frozenset({"stcc-2022"})))
    return ref


async def delivered(runtime: Runtime, fake: FakeDiscord, ref: ChatRef) -> str:
    """The message id of the one free post to `ref`, once the outbox has it as sent."""
    (key,) = await runtime.store.announcement_keys("free|")

    async def sent_id() -> str | None:
        rows = [d for d in await runtime.store.deliveries(key) if d.chat == ref]
        return rows[0].message_id if rows and rows[0].status is DeliveryStatus.SENT else None

    for _ in range(200):
        message_id = await sent_id()
        if message_id is not None:
            return message_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"the post to {ref} was never marked sent")


async def test_a_post_whose_answer_was_lost_is_retried_and_posted_once(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        clock = ScaledClock(QUIET_DAY, speed=1.0)  # the retry's backoff must pass
        async with pitboard(server, tmp_path / "db.sqlite3", clock) as runtime:
            ref = await subscribe(runtime, server.general)
            fake.fail_next(CREATE_MESSAGE, "lost_response")
            await runtime.announcer.broadcast("Safety car")
            message_id = await delivered(runtime, fake, ref)
        attempts = fake.calls(CREATE_MESSAGE)
        assert len(attempts) == 2 and fake.stats.faults["lost_response"] == 1
        nonces = {(a.body["nonce"], a.body["enforce_nonce"]) for a in attempts}
        assert len(nonces) == 1 and len(next(iter(nonces))[0]) <= 25
        posted = fake.sent(server.general)
        assert [m.id for m in posted] == [message_id]
        assert "Safety car" in posted[0].text


# --- 4. announcement channels, and channels the bot cannot post in --------------------------------


async def test_posts_to_an_announcement_channel_are_published_to_its_followers(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        server = make_server(fake)
        clock = ScaledClock(QUIET_DAY, speed=1.0)
        async with pitboard(server, tmp_path / "db.sqlite3", clock) as runtime:
            news = await subscribe(runtime, server.news)
            general = await subscribe(runtime, server.general)
            await runtime.announcer.broadcast("Race 2 is delayed by 30 minutes")
            news_post = await delivered(runtime, fake, news)
            general_post = await delivered(runtime, fake, general)
            await fake.wait_for(lambda: fake.message(news_post).flags & 1, what="a crosspost")
        [crosspost] = fake.calls(CROSSPOST)
        assert crosspost.params["message_id"] == news_post
        assert not fake.message(general_post).flags & 1  # an ordinary channel has no followers


async def test_subscribe_where_the_bot_cannot_post_says_so_and_subscribes_nothing(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as server:
        here = await answer_to(
            server,
            "subscribe",
            {"what": "tcr-germany-2022"},
            user=server.owner,
            channel=server.locked,
        )
        assert "can't post in #read-only" in shown(here) and "Send Messages" in here.text
        assert here.ephemeral
        there = await answer_to(
            server, "subscribe", {"what": "tcr-germany-2022", "channel": server.locked},
            user=server.owner,
        )  # fmt: skip
        assert "can't post in #read-only" in shown(there) and there.ephemeral
        ok = await answer_to(
            server, "subscribe", {"what": "tcr-germany-2022", "channel": server.news},
            user=server.owner,
        )  # fmt: skip
        assert "Following" in ok.text
    # The store outlives the fake: nothing was subscribed where the bot cannot post.
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    async with store:
        assert await store.get_subscription(ChatRef("discord", server.locked)) is None
        assert await store.get_subscription(ChatRef("discord", server.news)) is not None
