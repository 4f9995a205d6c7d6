"""The whole bot as the end-to-end tests of every front-end run it: the real Runtime of a
config, on an opened store and a schedules folder, started, and stopped at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Config
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store import Store


@asynccontextmanager
async def started_runtime(
    config: Config, store: Store, schedules: Path, clock: Clock, *, start_clock: bool = True
) -> AsyncIterator[Runtime]:
    """The Runtime of `config` on `store` (opened; the caller closes it) and the `schedules`
    folder, started; with `start_clock=False` a replay clock waits for
    `runtime.start_clock()`."""
    runtime = Runtime.build(
        config,
        schedules=schedules,
        catalogs=CatalogHolder(load_catalog(schedules)),
        clock=clock,
        store=store,
        chat_zone="Europe/Stockholm",
    )
    await runtime.start(start_clock=start_clock)
    try:
        yield runtime
    finally:
        await runtime.stop()
