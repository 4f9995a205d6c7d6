"""/calendar in each chat: the terminal, Telegram (the real PTB Application on the fake Bot API)
and Discord (the real discord.py client on the fake Discord), with the web server on — the
links answer — and off (the operator is told how to turn feeds on, a fan that there are none).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import aiohttp
from icalendar import Calendar

from bot.chats import Caller
from bot.config import Config, DiscordConfig, TelegramConfig, WebConfig
from bot.core.audience import ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.feeds.links import HOW_TO_TURN_ON, NOT_OFFERED
from bot.frontends.console.render import render
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import QUIET_DAY, SCHEDULES

FAN = 1001
CHAT_FEED = re.compile(r"https?://127\.0\.0\.1:\d+/calendar/chat/[A-Za-z0-9_-]+\.ics")
WEB_ON = WebConfig(enabled=True, host="127.0.0.1", port=0)


@asynccontextmanager
async def runtime_with(tmp_path: Path, config: Config) -> AsyncIterator[Runtime]:
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    try:
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
    finally:
        await store.close()


async def _fetch_calendar(url: str) -> Calendar:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return Calendar.from_ical(await response.read())


async def test_the_terminal_operator_is_told_how_to_turn_feeds_on(tmp_path: Path) -> None:
    async with runtime_with(tmp_path, Config()) as runtime:
        assert runtime.web is None
        operator = Caller(ChatRef("console", "terminal"), user_id="operator", is_admin=True)
        answer = render(await runtime.router.handle("/calendar", operator), colour=False)
        assert "enabled = true" in answer and "[web]" in answer
        fan = Caller(ChatRef("console", "fan"), user_id="fan")
        refused = await runtime.router.handle("/calendar tcr-germany-2022", fan)
        assert render(refused, colour=False).strip() == NOT_OFFERED
        assert HOW_TO_TURN_ON not in render(refused, colour=False)
        listed = render(await runtime.router.handle("/help", fan), colour=False)
        assert "/calendar" in listed


async def test_telegram_calendar_replies_with_the_chats_link_that_works(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        config = replace(
            Config(),
            telegram=replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot")),
            telegram_token=fake.token,
            web=WEB_ON,
        )
        async with runtime_with(tmp_path, config):
            assert "calendar" in {c["command"] for c in fake.commands()}
            fake.push_message(FAN, "/subscribe 24h-series-2022")
            await fake.wait_for_message(FAN)
            fake.push_message(FAN, "/calendar")
            reply = await fake.wait_for_message(FAN, lambda m: "webcal://" in m.text)
            assert reply.parse_mode == "HTML"
            url = CHAT_FEED.search(reply.text)
            assert url is not None
            assert "webcal://" + url.group().split("://", 1)[1] in reply.text
            assert "24H Series" in reply.text and "/calendar/24h-series-2022.ics" in reply.text
            calendar = await _fetch_calendar(url.group())
            assert calendar.walk("VEVENT")
            assert all("24h-series-2022/" in str(e["UID"]) for e in calendar.walk("VEVENT"))


async def test_telegram_without_the_web_server_says_feeds_are_not_offered(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        config = replace(
            Config(),
            telegram=replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot")),
            telegram_token=fake.token,
        )
        async with runtime_with(tmp_path, config):
            fake.push_message(FAN, "/calendar")
            reply = await fake.wait_for_message(FAN)
            assert NOT_OFFERED in reply.text


async def test_discord_calendar_interaction_gets_the_series_links(tmp_path: Path) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild("TCR Fans")
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
            web=WEB_ON,
        )
        async with runtime_with(tmp_path, config) as runtime:
            assert runtime.web is not None
            synced = {c["name"] for c in fake.commands(guild_id=guild.id)}
            assert "calendar" in synced
            interaction = await fake.dispatch_interaction(
                "calendar", {"what": "tcr-germany-2022"}, channel_id=channel.id
            )
            answer = await fake.wait_for_response(interaction.id)
            url = f"{runtime.web.url}/calendar/tcr-germany-2022.ics"
            assert url in answer.text and "webcal://" in answer.text
            calendar = await _fetch_calendar(url)
            assert calendar.walk("VEVENT")
            mine = await fake.dispatch_interaction("calendar", channel_id=channel.id)
            assert CHAT_FEED.search((await fake.wait_for_response(mine.id)).text)
