"""A platform that cannot be reached at start does not stop the bot: it is retried with backoff,
shown on /status, and everything else runs meanwhile (the real Runtime and PTB Application
against the fake Bot API)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from pathlib import Path

from bot.chats import Caller
from bot.config import Config, TelegramConfig
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.console.render import render
from bot.frontends.console.repl import ConsoleWriter
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.harness import QUIET_DAY, SCHEDULES

OPERATOR = Caller(ChatRef("console", "local"), ChatKind.PRIVATE, user_id="op", is_admin=True)


async def wait_until(condition) -> None:
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - the runtime signals nothing to wait on
            await asyncio.sleep(0.02)


async def test_telegram_unreachable_at_start_is_retried_while_the_rest_runs(
    tmp_path: Path,
) -> None:
    async with FakeTelegram(allow_violations=True) as fake:
        # The first three getMe calls lose their connection: Telegram is unreachable.
        fake.fail_next(None, "reset", times=3, methods={"getMe"})
        telegram = replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot"))
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        store = SQLiteStore(tmp_path / "pitboard.sqlite3")
        await store.open()
        runtime = Runtime.build(
            config,
            schedules=SCHEDULES,
            catalogs=CatalogHolder(load_catalog(SCHEDULES)),
            clock=FixedClock(QUIET_DAY),
            store=store,
            chat_zone="Europe/Stockholm",
            console=ConsoleWriter(io.StringIO(), colour=False),
        )
        runtime.frontend_retry_seconds = 0.2
        try:
            await runtime.start()  # returns: Telegram's failure is not the bot's
            problems = runtime.health.frontend_problems()
            assert "cannot start" in problems["Telegram"] and "retrying in" in problems["Telegram"]
            status = render(await runtime.router.handle("/status", OPERATOR), colour=False)
            assert "Telegram: cannot start" in status
            # The announcements run meanwhile: the weekend is planned.
            assert runtime.announcer.pending()
            # Retried with backoff until Telegram answers; then it serves as usual.
            await wait_until(lambda: "Telegram" not in runtime.health.frontend_problems())
            assert len(fake.calls("getMe")) >= 4
            fake.push_message(1001, "/next")
            reply = await fake.wait_for_message(1001, timeout=30)
            assert "24H Series" in reply.text or "TCR" in reply.text
            status = render(await runtime.router.handle("/status", OPERATOR), colour=False)
            assert "Front-ends: all running" in status
        finally:
            await runtime.stop()
            await store.close()
