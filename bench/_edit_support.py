"""Helpers for bench/edit_to_post.py: a bot on a copy of the bundled schedules, its fans, the
edits an operator makes, and when the posts they cause reach the fake Telegram.

Each measurement gets a fresh bot (its own schedules copy, database and fake Bot API), so every
repetition makes the same edit from the same state: a results post or a "time changed" post
goes out once per session and start, and would not go out again in a second repetition.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bench._telegram_support import SCHEDULES, ArrivalWatch, fake_limits
from bot.config import Config, TelegramConfig
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.telegram_api import FakeTelegram

FIRST_FAN = 2_000_001  # private chats
ADMIN = 1
SETTLE_QUIET_S = 0.5  # no message for this long, and the outbox drained: start-up is over
SETTLE_LIMIT_S = 60.0
PER_CHAT_GAP_S = 1.1  # Telegram's one message a second per chat: the next post is not held


@dataclass(frozen=True)
class Scenario:
    """An operator's edit on a race weekend: the moment it is made, whose fans get its post,
    how the schedules copy looks before it, and the edit itself."""

    name: str
    now: datetime
    driver: str
    expect: str  # what the post the edit causes says, e.g. "Time changed: Qualifying"
    prepare: Callable[[Path], None]  # the copy as it stood before the edit
    # The edit, applied to the running bot: through the Editor ("editor") or as a file write
    # and a reload ("file").
    edit: Callable[[Runtime, Path, str], Awaitable[object]]


@dataclass
class Timing:
    """One edit (or one broadcast) and its posts' arrivals, in seconds from the call."""

    call_s: float  # until the edit call returned
    first_s: float | None
    last_s: float | None
    arrived: int
    expected: int


@asynccontextmanager
async def running_bot(
    folder: Path, now: datetime, rate: float, driver: str, fans: int
) -> AsyncIterator[tuple[FakeTelegram, Runtime, list[int]]]:
    """The whole bot on `folder`, `fans` private chats following `driver` before it starts,
    its clock at `now` and running; yields once the start-up posts have all arrived."""
    async with FakeTelegram(limits=fake_limits(rate)) as fake:
        telegram = replace(
            TelegramConfig(),
            api_base_url=fake.base_url.removesuffix("/bot"),
            channels=(),
            admins=(ADMIN,),
            global_per_second=rate,
        )
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        store = SQLiteStore(folder.parent / "pitboard.sqlite3")
        await store.open()
        chat_ids = list(range(FIRST_FAN, FIRST_FAN + fans))
        for chat_id in chat_ids:
            ref = ChatRef("telegram", str(chat_id))
            await store.upsert_chat(Chat(ref, zone="Europe/Stockholm"))
            await store.set_subscription(Subscription(ref, drivers=frozenset({driver})))
        runtime = Runtime.build(
            config,
            schedules=folder,
            catalogs=CatalogHolder(load_catalog(folder)),
            clock=ScaledClock(now, speed=1.0),
            store=store,
            chat_zone="Europe/Stockholm",
            # The edit reloads at once itself; the folder watch must not race it to the swap.
            reload_poll_seconds=3600.0,
        )
        await runtime.start()
        try:
            await settle(fake, runtime)
            yield fake, runtime, chat_ids
        finally:
            await runtime.stop()
            await store.close()


async def settle(fake: FakeTelegram, runtime: Runtime) -> None:
    """Wait until the start-up posts (a preview, results already due) are all out: nothing
    left unsent in the outbox and no message for a moment; then long enough for each chat's
    one-a-second limit to be clear, so the measured post is not held behind them."""
    seen, quiet_since = len(fake.all_sent()), time.perf_counter()
    give_up = quiet_since + SETTLE_LIMIT_S
    while time.perf_counter() < give_up:
        await asyncio.sleep(0.05)
        now_seen = len(fake.all_sent())
        if now_seen != seen:
            seen, quiet_since = now_seen, time.perf_counter()
        drained = await runtime.engine.earliest_unsent_due() is None
        if drained and time.perf_counter() - quiet_since >= SETTLE_QUIET_S:
            break
    await asyncio.sleep(PER_CHAT_GAP_S)


async def timed(
    fake: FakeTelegram, chat_ids: Sequence[int], action: Callable[[], Awaitable[object]]
) -> Timing:
    """Run `action` and time the posts it sends, one per chat, to their arrival at the fake."""
    watch = ArrivalWatch(fake, chat_ids)
    started = time.perf_counter()
    task = asyncio.ensure_future(action())
    await watch.while_running(task)
    task.result()  # an edit that failed is a failed benchmark, not a slow one
    call_s = time.perf_counter() - started
    await watch.until(len(chat_ids), deadline_s=30.0)
    return Timing(
        call_s=call_s,
        first_s=None if watch.first is None else watch.first - started,
        last_s=None if watch.last is None else watch.last - started,
        arrived=watch.count,
        expected=len(chat_ids),
    )


def posts_since(
    fake: FakeTelegram, chat_ids: Sequence[int], since: int, expect: str
) -> tuple[Counter[int], int]:
    """The messages each of `chat_ids` got after the first `since` the fake stored that hold
    `expect`, and how many other messages they got (a post the bench did not mean to time)."""
    wanted = set(chat_ids)
    fresh = [m for m in fake.all_sent()[since:] if m.chat_id in wanted]
    right = Counter(m.chat_id for m in fresh if expect in m.text)
    return right, len(fresh) - sum(right.values())


def fresh_copy(tmp: Path, number: int) -> Path:
    folder = tmp / f"run-{number}" / "schedules"
    shutil.copytree(SCHEDULES, folder)
    return folder
