"""/healthz follows each chat front-end's connection after a successful start: Telegram's long
polling failing (the fake answering getUpdates with 500), Discord's gateway down past its grace
(the fake refusing the gateway), each named in a 503 and healthy again once it recovers. The
real PTB Application and the real discord.py client run against the fakes; nothing is timed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Config, DiscordConfig, TelegramConfig
from bot.core.clock import FixedClock
from bot.frontends.discord.gateway_watch import GATEWAY_GRACE
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import QUIET_DAY, WebBot, eventually, running_web_bot

GETUPDATES = {"getUpdates"}


async def status_is(bot: WebBot, status: int) -> bool:
    return (await bot.get("/healthz")).status == status


async def test_telegram_polling_that_keeps_failing_is_503_until_it_gets_through(tmp_path: Path):
    # Long polls answered within a second: success is recorded when a poll is answered, and
    # the bot's own 10 s poll timeout would otherwise be waited out at the start and at the end.
    async with FakeTelegram(allow_violations=True, longest_poll=1.0) as fake:
        telegram = replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot"))
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        async with running_web_bot(tmp_path, config=config) as bot:
            # Started, and a getUpdates answered: healthy.
            async def polled() -> bool:
                health = (await bot.get("/healthz")).json()
                return health["frontends"]["Telegram"]["connection"]["last_success"] is not None

            await eventually(polled, seconds=60)
            health = (await bot.get("/healthz")).json()
            assert health["status"] == "ok"
            connection = health["frontends"]["Telegram"]["connection"]
            assert connection["mode"] == "polling" and connection["updater_running"] is True

            # Telegram starts answering every getUpdates with 500, after the start.
            fake.set_fault_rate("server_error", 1.0, methods=GETUPDATES)
            await eventually(lambda: status_is(bot, 503), seconds=60)
            answer = await bot.get("/healthz")
            health = answer.json()
            telegram_state = health["frontends"]["Telegram"]
            assert telegram_state["running"] is True and telegram_state["healthy"] is False
            (problem,) = health["problems"]
            assert problem.startswith("Telegram: getUpdates failing since ")
            assert "Internal Server Error" in problem
            assert telegram_state["connection"]["failed_polls_in_a_row"] >= 3
            assert fake.token not in answer.text

            # It answers again: healthy at the first getUpdates that gets through.
            fake.set_fault_rate("server_error", 0, methods=GETUPDATES)
            await eventually(lambda: status_is(bot, 200), seconds=60)
            health = (await bot.get("/healthz")).json()
            assert health["frontends"]["Telegram"]["problem"] is None
            assert health["frontends"]["Telegram"]["connection"]["failed_polls_in_a_row"] == 0


async def test_a_discord_gateway_down_past_its_grace_is_503_until_it_resumes(tmp_path: Path):
    clock = FixedClock(QUIET_DAY)
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        discord = replace(DiscordConfig(), api_base_url=fake.api_base, gateway_url=fake.gateway_url)
        config = replace(Config(), discord=discord, discord_token=fake.token)
        async with running_web_bot(tmp_path, config=config, clock=clock) as bot:
            await eventually(lambda: status_is(bot, 200))
            connection = (await bot.get("/healthz")).json()["frontends"]["Discord"]["connection"]
            assert connection["ready"] is True and connection["gateway_connected"] is True
            assert connection["closed"] is False

            # The gateway goes away, and refuses discord.py's reconnects.
            await fake.gateway.outage()

            async def disconnected() -> bool:
                health = (await bot.get("/healthz")).json()
                return health["frontends"]["Discord"]["connection"]["gateway_connected"] is False

            await eventually(disconnected)
            # Within the grace (at the bot's clock, which has not moved): still healthy.
            health = (await bot.get("/healthz")).json()
            assert health["status"] == "ok", health
            since = health["frontends"]["Discord"]["connection"]["disconnected_since"]
            assert datetime.fromisoformat(since) == QUIET_DAY

            # Past the grace: unhealthy, naming Discord and since when.
            clock.advance(GATEWAY_GRACE + timedelta(seconds=1))
            answer = await bot.get("/healthz")
            assert answer.status == 503
            (problem,) = answer.json()["problems"]
            reported = problem.removeprefix("Discord: Discord gateway disconnected since ")
            assert datetime.fromisoformat(reported) == QUIET_DAY
            assert fake.token not in answer.text

            # The gateway is back: discord.py resumes by itself, and /healthz follows.
            fake.gateway.refusing = False
            await eventually(lambda: status_is(bot, 200), seconds=60)
            connection = (await bot.get("/healthz")).json()["frontends"]["Discord"]["connection"]
            assert connection["gateway_connected"] is True
            assert connection["disconnected_since"] is None


async def test_a_telegram_webhook_server_that_stops_is_503_until_it_listens_again(
    tmp_path: Path,
):
    async with FakeTelegram() as fake:
        telegram = replace(
            TelegramConfig(),
            api_base_url=fake.base_url.removesuffix("/bot"),
            mode="webhook",
            webhook_url="https://pitboard.example.org/telegram",
            webhook_port=0,  # a free port on 127.0.0.1
        )
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        async with running_web_bot(tmp_path, config=config) as bot:
            health = (await bot.get("/healthz")).json()
            assert health["status"] == "ok", health
            connection = health["frontends"]["Telegram"]["connection"]
            assert connection == {"mode": "webhook", "webhook_server_up": True}

            webhook = bot.runtime.telegram.webhook if bot.runtime.telegram else None
            assert webhook is not None
            await webhook.stop()  # the server gone from under the running front-end
            answer = await bot.get("/healthz")
            assert answer.status == 503
            assert answer.json()["problems"] == ["Telegram: the webhook server is not running"]

            await webhook.start()
            assert (await bot.get("/healthz")).status == 200
