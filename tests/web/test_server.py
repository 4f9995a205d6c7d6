"""The web server starts with the bot, on the configured address, and a port already taken
does not stop the bot: it is shown on /status and retried until the port is free."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

from bot.chats import Caller
from bot.config import Config, WebConfig
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.console.render import render
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.web.conftest import QUIET_DAY, SCHEDULES, running_web_bot

OPERATOR = Caller(ChatRef("console", "local"), ChatKind.PRIVATE, user_id="op", is_admin=True)


async def wait_until(condition) -> None:
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - the retry signals nothing to wait on
            await asyncio.sleep(0.02)


async def test_the_server_answers_on_the_port_it_bound_and_links_point_there(web_bot):
    assert web_bot.runtime.web is not None
    port = web_bot.runtime.web.port
    assert port and web_bot.url == f"http://127.0.0.1:{port}"
    answer = await web_bot.get("/healthz")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    # With no public_url, the links the bot hands out use the address actually bound.
    context = web_bot.runtime.web.context
    assert context.link("/calendar/x.ics") == f"http://127.0.0.1:{port}/calendar/x.ics"


async def test_links_use_the_public_url_when_one_is_set(tmp_path: Path):
    web = WebConfig(public_url="https://pitboard.example.org/")
    async with running_web_bot(tmp_path, web=web) as bot:
        assert bot.runtime.web is not None
        assert bot.runtime.web.context.link("/s/stcc") == "https://pitboard.example.org/s/stcc"
        assert (await bot.get("/healthz")).status == 200  # still served on the local address


async def test_an_unknown_path_is_404(web_bot):
    assert (await web_bot.get("/no-such-page")).status == 404


async def test_a_port_in_use_is_shown_and_retried_while_the_bot_runs(tmp_path: Path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]

    async def fast_retries(runtime) -> None:
        runtime.frontend_retry_seconds = 0.2

    try:
        async with running_web_bot(tmp_path, port=port, before_start=fast_retries) as bot:
            runtime = bot.runtime
            problem = runtime.health.frontend_problems()["Web server"]
            assert "cannot start" in problem and "retrying in" in problem
            assert "address" in problem.lower()  # the OS's words for it: address in use
            status = render(await runtime.router.handle("/status", OPERATOR), colour=False)
            assert "Web server: cannot start" in status
            # Everything else runs: the weekend is planned, commands are answered.
            assert runtime.announcer.pending()
            reply = render(await runtime.router.handle("/next", OPERATOR), colour=False)
            assert "Hockenheim" in reply or "TCR" in reply
            # The port comes free: the retry binds it and the server answers.
            taken.close()
            await wait_until(lambda: "Web server" not in runtime.health.frontend_problems())
            assert (await bot.get("/healthz")).status == 200
    finally:
        taken.close()


def test_the_server_is_off_unless_the_config_turns_it_on():
    telegram_bot = replace(Config(), telegram_token="123456789:" + "A" * 35)
    assert not Config().web_active  # the default: off everywhere
    assert not telegram_bot.web_active
    auto = WebConfig(enabled="auto")
    assert not replace(Config(), web=auto).web_active  # the terminal: off
    assert replace(telegram_bot, web=auto).web_active  # beside a chat platform: on
    assert replace(Config(), web=WebConfig(enabled=True)).web_active


def test_a_runtime_with_the_web_server_off_builds_none(tmp_path: Path):
    runtime = Runtime.build(
        Config(),
        schedules=SCHEDULES,
        catalogs=CatalogHolder(load_catalog(SCHEDULES)),
        clock=FixedClock(QUIET_DAY),
        store=SQLiteStore(tmp_path / "pitboard.sqlite3"),
        chat_zone="Europe/Stockholm",
    )
    assert runtime.web is None
