"""Helpers for bench/telegram.py: the two bots under test, and how their messages are timed.

Both bots talk HTTP to their own `tests.fakes.telegram_api.FakeTelegram`, which enforces
Telegram's limits (scaled) and answers 429 beyond them:

- Pitboard: the real `Runtime` (store, router, announcer, delivery engine, PTB Application),
  built exactly as tests/telegram/test_end_to_end.py builds it;
- the baseline: a bare python-telegram-bot Application with PTB's own `AIORateLimiter`, the
  throttle PTB's documentation recommends, answering every command with a fixed text.

Latency is measured from `push_message` (the fan's update is available to getUpdates) to the
reply being stored by the fake, so both long polling and the reply's HTTP request are in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

from bench._stats import Latencies
from bot.config import Config, TelegramConfig
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.schedules import load_catalog
from bot.runtime import Runtime
from bot.store.sqlite import SQLiteStore
from tests.fakes.telegram_api import FakeTelegram, RateLimitRules

SCHEDULES = Path(__file__).resolve().parents[1] / "schedules"
# A Thursday before a race weekend: /next and /standings have real answers, nothing is due.
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
SERIES = "tcr-germany-2022"
# (command, a text every correct reply contains): wrong or error replies are counted, not timed.
COMMANDS: tuple[tuple[str, str], ...] = (
    (f"/standings {SERIES}", "ADAC TCR Germany 2022"),
    ("/next", "Free Practice"),
)
BASELINE_ANSWER = "Next: Free Practice, Fri 13 May"
POLL_SECONDS = 0.005  # how often arrivals at the fake are looked for
REPLY_TIMEOUT_S = 30.0
# Fan-out chats are positive ids (private chats, as most subscribers are); command chats too.
FANOUT_FIRST_ID = 1_000_001
COMMAND_FIRST_ID = 1


def fake_limits(rate: float) -> RateLimitRules:
    """Telegram's rules with the global limit scaled: per chat 1/s, per group 20/min."""
    return RateLimitRules(
        global_per_second=math.floor(rate), per_chat_per_second=1, per_group_per_minute=20
    )


# --- the two bots ----------------------------------------------------------------------------


@asynccontextmanager
async def pitboard_bot(tmp: Path, rate: float) -> AsyncIterator[tuple[FakeTelegram, Runtime]]:
    """The whole bot, configured with the same global limit the fake enforces."""
    async with FakeTelegram(limits=fake_limits(rate)) as fake:
        telegram = replace(
            TelegramConfig(),
            api_base_url=fake.base_url.removesuffix("/bot"),
            channels=(),
            admins=(),
            global_per_second=rate,
        )
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        store = SQLiteStore(tmp / "pitboard.sqlite3")
        await store.open()
        runtime = Runtime.build(
            config,
            schedules=SCHEDULES,
            catalogs=CatalogHolder(load_catalog(SCHEDULES)),
            clock=ScaledClock(QUIET_DAY, speed=1.0),
            store=store,
            chat_zone="Europe/Stockholm",
        )
        await runtime.start()
        try:
            yield fake, runtime
        finally:
            await runtime.stop()
            await store.close()


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, BASELINE_ANSWER)


@asynccontextmanager
async def baseline_bot(
    rate: float, retries: int, *, limited: bool = True
) -> AsyncIterator[tuple[FakeTelegram, Application[Any, Any, Any, Any, Any, Any]]]:
    """What a typical PTB bot looks like: AIORateLimiter at the documented settings.

    `limited=False`: the same bot with no global limit anywhere (no AIORateLimiter, none at the
    fake; a chat's own limits stay), to measure how fast its loop goes on this machine."""
    limits = fake_limits(rate) if limited else replace(fake_limits(rate), global_per_second=None)
    async with FakeTelegram(limits=limits) as fake:
        builder = (
            Application.builder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
        )
        if limited:
            builder = builder.rate_limiter(
                AIORateLimiter(
                    overall_max_rate=rate,
                    overall_time_period=1,
                    group_max_rate=20,
                    group_time_period=60,
                    max_retries=retries,
                )
            )
        app = builder.build()
        app.add_handler(MessageHandler(filters.COMMAND, _answer))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=["message"], timeout=10)
        try:
            yield fake, app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def subscribe(runtime: Runtime, chat_ids: Sequence[int]) -> None:
    store = runtime.store
    for chat_id in chat_ids:
        ref = ChatRef("telegram", str(chat_id))
        await store.upsert_chat(Chat(ref, zone=runtime.chat_zone))
        await store.set_subscription(Subscription(ref, series=frozenset({SERIES})))


# --- commands --------------------------------------------------------------------------------


async def ask(fake: FakeTelegram, chat_id: int, command: str, expect: str, into: Latencies) -> None:
    """One fan sends one command; the time until the reply reaches the fake goes `into`."""
    asked = time.perf_counter()
    fake.push_message(chat_id, command)
    try:
        reply = await fake.wait_for_message(chat_id, timeout=REPLY_TIMEOUT_S)
    except AssertionError:
        into.lost += 1
        return
    if expect in reply.text:
        into.seconds.append(time.perf_counter() - asked)
    else:
        into.wrong += 1


# A chat's command rounds start at least this far apart, so that no chat's reply comes near
# Telegram's one message a second and the figures are about handling commands, not about waiting
# for the chat's limit. At 1.1 s, one reply delayed by a busy machine let the next arrive within
# the second: the fake answered 429 and the bot waited a whole second, so the ratio measured
# 429 luck (the bare baseline paces nothing), not command handling.
ROUND_SPACING_S = 2.0
# A quiet moment after any round before the next one starts: what a bot still does after its
# last reply (the rest of its handlers, its next getUpdates) is not charged to the other bot.
SETTLE_S = 0.5


async def command_round(
    fake: FakeTelegram, chats: Sequence[int], number: int, expected: Callable[[str], str]
) -> Latencies:
    """Every chat sends a command at once (round `number` picks which); their latencies."""
    this_round = Latencies()
    await asyncio.gather(
        *(
            ask(fake, chat, command, expected(command), this_round)
            for index, chat in enumerate(chats)
            for command in [COMMANDS[(index + number) % len(COMMANDS)][0]]
        )
    )
    return this_round


async def interleaved_command_rounds(
    pitboard: FakeTelegram, baseline: FakeTelegram, chats: Sequence[int], rounds: int
) -> tuple[Latencies, Latencies]:
    """Command rounds for both bots, alternating: P, B, P, B, ... (P: Pitboard, B: baseline).

    Each bot's unmeasured warm-up round comes first (P, B: the chats are created, caches
    filled), then `rounds` measured rounds each; both bots must be up. A host's speed can
    drift by 2x within minutes, so two command phases minutes apart compared two hosts as
    much as two bots; alternating, both bots sample the same moments of the host.

    A round starts `ROUND_SPACING_S / 2` after the previous one (either bot's) started, so
    each bot's own rounds are at least `ROUND_SPACING_S` apart (each bot has its own fake: a
    chat's one-a-second limit is per bot), and at least `SETTLE_S` after the previous round
    ended. Returns Pitboard's latencies and the baseline's.
    """
    sides = ((pitboard, pitboard_expects), (baseline, baseline_expects))
    measured = (Latencies(), Latencies())
    start_at = time.perf_counter()
    for number in range(rounds + 1):
        for (fake, expected), into in zip(sides, measured, strict=True):
            await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
            started = time.perf_counter()
            this_round = await command_round(fake, chats, number, expected)
            if number > 0:  # round 0 warms up: the chats are created, caches filled
                into.add(this_round)
            start_at = max(started + ROUND_SPACING_S / len(sides), time.perf_counter() + SETTLE_S)
    return measured


def pitboard_expects(command: str) -> str:
    return dict(COMMANDS)[command]


def baseline_expects(command: str) -> str:
    return BASELINE_ANSWER


class Prober:
    """Commands at a steady pace while a fan-out runs: does a fan still get a quick answer?"""

    def __init__(
        self,
        fake: FakeTelegram,
        chats: Sequence[int],
        every: float,
        expected: Callable[[str], str],
    ) -> None:
        self._fake, self._chats, self._every, self._expected = fake, chats, every, expected
        self.latencies = Latencies()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Prober:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        asks: set[asyncio.Task[None]] = set()
        number = 0
        try:
            while True:
                # Rotating through the chats: each is asked far less than once a second.
                chat = self._chats[number % len(self._chats)]
                command = COMMANDS[number % len(COMMANDS)][0]
                task = asyncio.create_task(
                    ask(self._fake, chat, command, self._expected(command), self.latencies)
                )
                asks.add(task)
                task.add_done_callback(asks.discard)
                number += 1
                await asyncio.sleep(self._every)
        finally:
            # Let questions already asked be answered: their replies are part of the figure.
            if asks:
                await asyncio.wait(asks, timeout=REPLY_TIMEOUT_S)


# --- fan-out ---------------------------------------------------------------------------------


class ArrivalWatch:
    """Counts the messages reaching a set of chats at the fake, and when they arrived."""

    def __init__(self, fake: FakeTelegram, targets: Sequence[int]) -> None:
        self._fake = fake
        self._targets = set(targets)
        self._seen = len(fake.all_sent())
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None

    def poll(self) -> int:
        fresh = self._fake.all_sent()[self._seen :]
        self._seen += len(fresh)
        arrived = sum(1 for message in fresh if message.chat_id in self._targets)
        if arrived:
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
            self.count += arrived
        return arrived

    async def until(self, count: int, deadline_s: float) -> None:
        """Poll until `count` messages arrived or `deadline_s` seconds passed."""
        give_up = time.perf_counter() + deadline_s
        while self.poll() or self.count < count:
            if time.perf_counter() > give_up:
                return
            await asyncio.sleep(POLL_SECONDS)

    async def while_running(self, task: asyncio.Task[Any]) -> None:
        while not task.done():
            self.poll()
            await asyncio.sleep(POLL_SECONDS)
        self.poll()


def copies(fake: FakeTelegram, chat_ids: Sequence[int]) -> Counter[int]:
    """How many messages each chat got: 1 everywhere is the goal."""
    wanted = set(chat_ids)
    return Counter(m.chat_id for m in fake.all_sent() if m.chat_id in wanted)


@dataclass
class LoopOutcome:
    delivered: int = 0
    gave_up: int = 0  # RetryAfter still raised after the limiter's retries
    failed: int = 0  # any other error


async def send_loop(
    app: Application[Any, Any, Any, Any, Any, Any], chat_ids: Sequence[int], text: str
) -> LoopOutcome:
    """The broadcast every bot starts with: one send after another, errors counted."""
    outcome = LoopOutcome()
    for chat_id in chat_ids:
        try:
            await app.bot.send_message(chat_id, text)
        except RetryAfter:
            outcome.gave_up += 1
        except TelegramError:
            outcome.failed += 1
        else:
            outcome.delivered += 1
    return outcome
