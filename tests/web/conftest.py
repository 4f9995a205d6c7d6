"""The real bot with its real web server on 127.0.0.1 port 0, for every web test to reuse.

    async def test_something(web_bot):
        answer = await web_bot.get("/healthz")
        assert answer.status == 200 and answer.json()["status"] == "ok"

`web_bot` is the whole runtime (bundled schedules, a SQLite store in tmp_path, the terminal
front-end writing to a buffer, a fixed clock on a quiet day) with `web.enabled = true` on a free
port. For other settings, a store filled first or another clock, use `running_web_bot(...)`.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Config, WebConfig
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.console.repl import ConsoleWriter
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
# Thursday 12 May 2022: the bundled season's Hockenheim weekend is two days ahead.
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer, read whole."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebBot:
    runtime: Runtime
    url: str  # where the server answers, e.g. http://127.0.0.1:41234
    output: io.StringIO  # what the terminal front-end printed (posts sent to the console chat)
    _session: aiohttp.ClientSession

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Fetched:
        async with self._session.get(self.url + path, headers=headers) as response:
            body = await response.read()
            return Fetched(response.status, dict(response.headers), body)


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    """Wait until `condition()` holds, for at most `seconds` (generous: a busy machine)."""
    async with asyncio.timeout(seconds):
        while not await condition():  # noqa: ASYNC110 - an HTTP answer signals nothing
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running_web_bot(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    config: Config | None = None,
    web: WebConfig | None = None,
    before_start: Callable[[Runtime], Awaitable[None]] | None = None,
    port: int = 0,
) -> AsyncIterator[WebBot]:
    """The runtime with its web server started on 127.0.0.1, port 0 (a free one) unless
    `port` is given. `web` overrides the web section (enabled, host and port are forced);
    `before_start` may fill the store or change the runtime before it starts."""
    base = config or Config()
    web_config = replace(web or base.web, enabled=True, host="127.0.0.1", port=port)
    config = replace(base, web=web_config)
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    output = io.StringIO()
    try:
        await store.migrate()
        runtime = Runtime.build(
            config,
            schedules=SCHEDULES,
            catalogs=CatalogHolder(load_catalog(SCHEDULES)),
            clock=clock or FixedClock(QUIET_DAY),
            store=store,
            chat_zone="Europe/Stockholm",
            console=ConsoleWriter(output, colour=False),
        )
        if before_start is not None:
            await before_start(runtime)
        await runtime.start()
        try:
            assert runtime.web is not None
            async with aiohttp.ClientSession() as session:
                yield WebBot(runtime, runtime.web.local_url, output, session)
        finally:
            await runtime.stop()
    finally:
        await store.close()


@pytest.fixture
async def web_bot(tmp_path: Path) -> AsyncIterator[WebBot]:
    async with running_web_bot(tmp_path) as bot:
        yield bot
