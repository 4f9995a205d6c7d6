"""Webhook workers: two bot processes behind one round-robin proxy, on one PostgreSQL database.

The fake Bot API pushes every update to the proxy's URL (with the secret token); the proxy
hands the requests to the two workers' webhook servers in turn, as a load balancer would. Each
worker keeps what it receives for the worker of its chat (chat id modulo 2) and answers only
its own chats. So each chat is answered in order and once, whichever worker received its
updates, and the per-fan command throttle holds across the two.
"""

from __future__ import annotations

import itertools
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.chats.throttle import CommandThrottle
from bot.config import Config, TelegramConfig
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.telegram.relay import partition_of
from bot.runtime import Runtime
from bot.store.postgres import PostgresStore
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.harness import ADMIN, QUIET_DAY, SCHEDULES, containing

FANS = (3001, 3002, 3003, 3004)  # private chats: two for each worker
GROUP = -4001  # a group where one fan floods the bot with commands
SPAMMER = 5005
# (command, something only its answer holds), sent in this order to every fan's chat.
COMMANDS = (("/next", "Next up"), ("/help", "Pitboard commands"), ("/watch", "Where to watch"))
# The throttle's burst: a fan's commands answered before "slow down" (small: a group is sent
# at most 20 messages a minute).
BURST = len(COMMANDS)  # every fan's own commands fit in it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def round_robin_proxy(port: int, targets: list[int]) -> AsyncIterator[list[int]]:
    """Forwards each POST to the next target port in turn; yields how many each got."""
    counts = [0] * len(targets)
    turn = itertools.cycle(range(len(targets)))

    async def forward(request: web.Request) -> web.Response:
        n = next(turn)
        counts[n] += 1
        url = f"http://127.0.0.1:{targets[n]}{request.path}"
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=await request.read(), headers=headers) as answer,
        ):
            return web.Response(status=answer.status)

    app = web.Application()
    app.router.add_post("/{tail:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield counts
    finally:
        await runner.cleanup()


@asynccontextmanager
async def worker(
    fake: FakeTelegram, url: str, schema: str, proxy_port: int, number: int
) -> AsyncIterator[Runtime]:
    config = replace(
        Config(),
        telegram=replace(
            TelegramConfig(),
            api_base_url=fake.base_url.removesuffix("/bot"),
            channels=(),
            admins=(ADMIN,),
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{proxy_port}/pitboard",
            webhook_listen="127.0.0.1",
            webhook_port=free_port(),
            webhook_workers=2,
            webhook_worker=number,
        ),
        telegram_token=fake.token,
    )
    store = PostgresStore(url, schema=schema, process_name=f"worker-{number}")
    await store.open()
    runtime = Runtime.build(
        config,
        schedules=SCHEDULES,
        catalogs=CatalogHolder(load_catalog(SCHEDULES)),
        clock=FixedClock(QUIET_DAY),
        store=store,
        chat_zone="Europe/Stockholm",
    )
    # The throttle's clock stands still: a fan's commands beyond the burst are over it however
    # long the machine takes to answer them.
    runtime.router._throttle = CommandThrottle(burst=BURST, monotonic=lambda: 0.0)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
        await store.close()


async def test_two_workers_answer_each_chat_in_order_once_and_share_the_throttle(
    tmp_path: Path,
    postgres_url: str,
) -> None:
    assert sorted(partition_of({"message": {"chat": {"id": f}}}, 2) for f in FANS) == [0, 0, 1, 1]
    schema = f"test_{uuid.uuid4().hex[:16]}"
    proxy_port = free_port()
    async with FakeTelegram() as fake, AsyncExitStack() as stack:
        workers = [
            await stack.enter_async_context(worker(fake, postgres_url, schema, proxy_port, n))
            for n in (0, 1)
        ]
        ports = [w.config.telegram.webhook_port for w in workers]
        counts = await stack.enter_async_context(round_robin_proxy(proxy_port, ports))

        for command, _ in COMMANDS:
            for fan in FANS:
                fake.push_message(fan, command)
        for _ in range(BURST + 2):
            fake.push_message(GROUP, "/next", user_id=SPAMMER, chat_type="group")
        # The admin is never throttled: their answer comes after every earlier command in the
        # group has been dealt with (a chat's updates are handled in order).
        fake.push_message(GROUP, "/help", user_id=ADMIN, chat_type="group")

        for fan in FANS:
            for _, expected in COMMANDS:
                await fake.wait_for_message(fan, containing(expected), timeout=30)
        await fake.wait_for_message(GROUP, containing("Pitboard commands"), timeout=60)
        pushed = len(FANS) * len(COMMANDS) + BURST + 3
        assert sum(counts) == pushed and all(counts)  # both workers received updates
        assert all(status == 200 for status in fake.webhook_answers)

        # Every chat: one answer per command, in the order asked.
        for fan in FANS:
            texts = [m.text for m in fake.sent(fan)]
            assert len(texts) == len(COMMANDS)
            for text, (_, expected) in zip(texts, COMMANDS, strict=True):
                assert expected in text
        # The spammer: BURST answers and one "slow down", though both workers received some
        # of the commands; then the admin's answer.
        group = [m.text for m in fake.sent(GROUP)]
        assert len(group) == BURST + 2
        assert all("Next up" in text for text in group[:BURST])
        assert "Next up" not in group[BURST] and "Pitboard commands" in group[-1]
        # Every worker still refuses a request without the secret token, and keeps nothing of it.
        path = fake.calls("setWebhook")[0]["url"].split("/", 3)[3]
        async with aiohttp.ClientSession() as session:
            for port in ports:
                forged = {"update_id": 999_001, "message": {"chat": {"id": FANS[0]}}}
                async with session.post(f"http://127.0.0.1:{port}/{path}", json=forged) as r:
                    assert r.status == 403
        # Each worker handled exactly its own chats' updates.
        relays = [w.telegram.relay for w in workers if w.telegram]
        assert [r.handed for r in relays if r] == [
            len(COMMANDS) * 2,
            len(COMMANDS) * 2 + BURST + 3,
        ]
