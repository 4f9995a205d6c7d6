"""A running Pitboard on a copy of the bundled schedules, for the edit tests.

`running_bot(tmp_path, at)` is the whole runtime (the real announcer, scheduler, outbox and
delivery engine) with the terminal front-end writing to a buffer, a SQLite store in tmp_path,
a fixed clock, and the terminal chat following every series (as `pitboard run` sets it up).
The bundled `schedules/` is never touched: every test edits its own copy.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.core.audience import Chat, ChatKind, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.frontends.console.repl import ConsoleWriter
from bot.frontends.console.sender import CONSOLE_CHAT
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore

BUNDLED = Path(__file__).resolve().parents[2] / "schedules"
HOCKENHEIM = "24h-series-2022/hockenheim"
# Friday 13 May 2022, 10:00 in Hockenheim: the preview went out, every session is ahead.
FRIDAY = datetime.fromisoformat("2022-05-13T10:00+02:00")


def copy_schedules(tmp_path: Path) -> Path:
    folder = tmp_path / "schedules"
    if not folder.exists():
        shutil.copytree(BUNDLED, folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class Bot:
    runtime: Runtime
    clock: FixedClock
    folder: Path
    output: io.StringIO

    def posts(self) -> str:
        return self.output.getvalue()


async def eventually(condition: Callable[[], bool | Awaitable[bool]], seconds: float = 30) -> None:
    """Wait until `condition()` holds, for at most `seconds` (generous: a busy machine)."""
    async with asyncio.timeout(seconds):
        while True:
            result = condition()
            if result if isinstance(result, bool) else await result:
                return
            await asyncio.sleep(0.02)


@asynccontextmanager
async def running_bot(tmp_path: Path, at: datetime = FRIDAY) -> AsyncIterator[Bot]:
    folder = copy_schedules(tmp_path)
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    output = io.StringIO()
    clock = FixedClock(at)
    try:
        await store.migrate()
        catalogs = CatalogHolder(load_catalog(folder))
        if await store.get_chat(CONSOLE_CHAT) is None:
            await store.upsert_chat(Chat(CONSOLE_CHAT, kind=ChatKind.PRIVATE, zone="Europe/Berlin"))
            await store.set_subscription(
                Subscription(CONSOLE_CHAT, series=frozenset(catalogs.current.series))
            )
        runtime = Runtime.build(
            Config(),
            schedules=folder,
            catalogs=catalogs,
            clock=clock,
            store=store,
            chat_zone="Europe/Berlin",
            console=ConsoleWriter(output, colour=False),
        )
        await runtime.start()
        try:
            yield Bot(runtime, clock, folder, output)
        finally:
            await runtime.stop()
    finally:
        await store.close()
