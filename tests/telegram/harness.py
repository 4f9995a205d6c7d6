"""The whole bot on a fake Bot API, as the Telegram end-to-end tests run it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Config, TelegramConfig
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.clock import Clock
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.telegram_api import FakeTelegram
from tests.runtime_harness import started_runtime

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FAN = 1001
OTHER_FAN = 1002
ADMIN = 7
CHANNEL = -1_001_234
GROUP = -555
# Friday 13 May 2022, seconds before the 60-minute reminder for Hockenheim's free practice.
BEFORE_REMINDER = datetime.fromisoformat("2022-05-13T15:19:59.5+02:00")
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
SERIES_24H = "24h-series-2022"


def tg_chat(chat_id: int, kind: ChatKind = ChatKind.PRIVATE) -> Chat:
    return Chat(ChatRef("telegram", str(chat_id)), kind=kind, zone="Europe/Stockholm")


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    clock: Clock,
    *,
    channels: tuple[str, ...] = ("@tcrnews",),
    followers: tuple[Chat, ...] = (),
    before_start: Callable[[FakeTelegram], None] = lambda fake: None,
    start_clock: bool = True,
    schedules: Path = SCHEDULES,
    **telegram: Any,
) -> AsyncIterator[tuple[FakeTelegram, Runtime]]:
    """The bot on a fake Bot API. `followers` follow the 24H Series before the bot starts: a
    reminder due seconds after the start then finds them whatever the machine's speed. With
    `start_clock=False` a replay clock stays at its start instant until the test calls
    `runtime.start_clock()` (a test that sets a chat up through the bot first)."""
    async with FakeTelegram() as fake:
        fake.add_chat(CHANNEL, "channel", title="TCR News", username="tcrnews")
        fake.set_bot_status(CHANNEL, "administrator")
        before_start(fake)
        async with bot_on(
            fake,
            tmp_path,
            clock,
            channels=channels,
            followers=followers,
            start_clock=start_clock,
            schedules=schedules,
            **telegram,
        ) as runtime:
            yield fake, runtime


@asynccontextmanager
async def bot_on(
    fake: FakeTelegram,
    tmp_path: Path,
    clock: Clock,
    *,
    channels: tuple[str, ...] = ("@tcrnews",),
    followers: tuple[Chat, ...] = (),
    webhook_secret: str | None = None,
    start_clock: bool = True,
    schedules: Path = SCHEDULES,
    **telegram: Any,
) -> AsyncIterator[Runtime]:
    """A runtime on `fake` and the database in `tmp_path` (again after a stop: a restart);
    `telegram` overrides TelegramConfig fields. Pass a copy of the schedules to `schedules`
    when the test edits them."""
    config = replace(
        Config(),
        telegram=replace(
            TelegramConfig(),
            api_base_url=fake.base_url.removesuffix("/bot"),
            channels=channels,
            **{"admins": (ADMIN,), **telegram},
        ),
        telegram_token=fake.token,
        telegram_webhook_secret=webhook_secret,
    )
    async with SQLiteStore(tmp_path / "pitboard.sqlite3") as store:
        for chat in followers:
            await store.upsert_chat(chat)
            await store.set_subscription(Subscription(chat.ref, series=frozenset({SERIES_24H})))
        async with started_runtime(config, store, schedules, clock, start_clock=start_clock) as bot:
            yield bot


def containing(*parts: str) -> Callable[[object], bool]:
    return lambda message: all(part in message.text for part in parts)  # type: ignore[attr-defined]
